package config

import (
	"bytes"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// A ParseCache keeps parsed HCL between loads of the same configuration, for
// hub watch, which loads it again after every save: a top-level block whose
// text and position did not change is not parsed again. Set Options.Cache to
// use one; it is safe for concurrent use. For each file it keeps the pieces
// of its latest parse that had no errors, and a Load forgets the files it no
// longer loads, so its size follows the configuration's.
//
// A file is cut into pieces after each line that is a lone "}" (how hub fmt
// ends a top-level block), and each piece is parsed on its own from its place
// in the file. The result is the whole-file parse only if every piece parses
// without any diagnostic: a cut inside a heredoc, a comment or a multi-line
// expression leaves a piece unterminated, which is an error. Otherwise, and
// for any file with diagnostics, the file is parsed whole, as without a
// cache, so diagnostics are always the uncached ones.
type ParseCache struct {
	mu    sync.Mutex
	files map[string]map[pieceKey]*hclsyntax.Body // by file name
}

type pieceKey struct {
	start hcl.Pos
	text  string
}

// NewParseCache returns an empty cache.
func NewParseCache() *ParseCache {
	return &ParseCache{files: map[string]map[pieceKey]*hclsyntax.Body{}}
}

// parse parses src as the HCL file filename.
func (c *ParseCache) parse(src []byte, filename string) (*hcl.File, hcl.Diagnostics) {
	c.mu.Lock()
	prev := c.files[filename]
	c.mu.Unlock()
	ps := pieces(src)
	bodies := make([]*hclsyntax.Body, len(ps))
	keys := make([]pieceKey, len(ps))
	var todo []int
	for i, p := range ps {
		keys[i] = pieceKey{start: p.start, text: string(p.text)}
		if bodies[i] = prev[keys[i]]; bodies[i] == nil {
			todo = append(todo, i)
		}
	}
	// The pieces are parsed concurrently: lexing is most of a load, and a
	// piece's tokens are few, where a whole file's grow one large slice.
	var bad atomic.Bool
	parallel(len(todo), func(n int) {
		i := todo[n]
		if bad.Load() {
			return
		}
		// A copy, so what the AST keeps of the source is this piece
		// alone, not the whole file of this round.
		f, diags := hclsyntax.ParseConfig(bytes.Clone(ps[i].text), filename, ps[i].start)
		body, _ := f.Body.(*hclsyntax.Body)
		if len(diags) > 0 || body == nil || len(body.Attributes) > 0 {
			bad.Store(true)
			return
		}
		bodies[i] = body
	})
	ok := !bad.Load()
	next := make(map[pieceKey]*hclsyntax.Body, len(ps))
	blocks := hclsyntax.Blocks{}
	var first, last *hclsyntax.Body
	for i, body := range bodies {
		if !ok {
			break
		}
		next[keys[i]] = body
		blocks = append(blocks, body.Blocks...)
		if first == nil {
			first = body
		}
		last = body
	}
	if !ok || last == nil {
		// Keep the pieces of the last good parse: the fix usually brings
		// them back.
		return hclsyntax.ParseConfig(src, filename, hcl.InitialPos)
	}
	c.mu.Lock()
	c.files[filename] = next
	c.mu.Unlock()
	// An empty file's parse carries hclsyntax's navigation (Nav, which
	// diagnostics use to name the enclosing block) over its body: filling
	// that body in makes the file the whole-file parse.
	f, _ := hclsyntax.ParseConfig(nil, filename, hcl.InitialPos)
	body := f.Body.(*hclsyntax.Body)
	*body = hclsyntax.Body{
		Attributes: hclsyntax.Attributes{},
		Blocks:     blocks,
		SrcRange:   hcl.Range{Filename: filename, Start: first.SrcRange.Start, End: last.SrcRange.End},
		EndRange:   last.EndRange,
	}
	f.Bytes = src
	return f, nil
}

// retain forgets the files not in names (removed from the configuration).
func (c *ParseCache) retain(names map[string]bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for n := range c.files {
		if !names[n] {
			delete(c.files, n)
		}
	}
}

type piece struct {
	start hcl.Pos
	text  []byte
}

// pieces cuts src after every line that is a lone "}" (trailing spaces and
// a carriage return allowed).
func pieces(src []byte) []piece {
	var out []piece
	start := hcl.InitialPos
	line, from := 1, 0
	for i := 0; i < len(src); {
		end := bytes.IndexByte(src[i:], '\n')
		if end < 0 {
			break
		}
		end += i + 1 // just after the newline
		line++
		if bytes.Equal(bytes.TrimRight(src[i:end], " \t\r\n"), []byte("}")) {
			out = append(out, piece{start: start, text: src[from:end]})
			start = hcl.Pos{Line: line, Column: 1, Byte: end}
			from = end
		}
		i = end
	}
	if from < len(src) || len(out) == 0 {
		out = append(out, piece{start: start, text: src[from:]})
	}
	return out
}

// parallel runs fn(0..n-1) on up to GOMAXPROCS goroutines.
func parallel(n int, fn func(i int)) {
	workers := min(n, runtime.GOMAXPROCS(0))
	if workers <= 1 {
		for i := range n {
			fn(i)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1)) - 1; i < n; i = int(next.Add(1)) - 1 {
				fn(i)
			}
		}()
	}
	wg.Wait()
}
