package views

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// Progress draws a one-line bar on a terminal's stderr while network work
// runs over many credentials, and erases it at the end so the results print
// on a clean screen. It is off (nil) when stderr is not a terminal or the output is JSON: then the
// results themselves are the plain lines a log wants.
type Progress struct {
	mu    sync.Mutex
	w     io.Writer
	flush func() error
	verb  string
	start time.Time
	last  time.Time
	width int
	shown bool
}

// progressMin is how many credentials make a bar worth drawing.
const progressMin = 2

// NewProgress returns a bar for network work over total credentials on w,
// or nil (a bar that draws nothing) when on is false or total is too few to
// be worth one.
func NewProgress(w Stream, verb string, total int, on bool) *Progress {
	if !on || total < progressMin {
		return nil
	}
	return &Progress{w: w, flush: w.Flush, verb: verb, start: time.Now(), width: 24}
}

// Update redraws the bar; it is called once per finished credential.
func (p *Progress) Update(done, total int, id string) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	if done < total && now.Sub(p.last) < 50*time.Millisecond {
		return // a redraw per 50 ms is plenty
	}
	p.last = now
	p.draw(done, total, id, now)
}

func (p *Progress) draw(done, total int, id string, now time.Time) {
	fill := p.width * done / max(total, 1)
	bar := strings.Repeat("=", fill)
	if fill < p.width {
		bar += ">" + strings.Repeat(" ", p.width-fill-1)
	}
	if len(id) > 24 {
		id = id[:23] + "…"
	}
	fmt.Fprintf(p.w, "\r\033[K%s [%s] %d/%d  %.1fs  %s", p.verb, bar, done, total, now.Sub(p.start).Seconds(), id)
	_ = p.flush()
	p.shown = true
}

// Done erases the bar.
func (p *Progress) Done() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.shown {
		fmt.Fprint(p.w, "\r\033[K")
		_ = p.flush()
	}
}
