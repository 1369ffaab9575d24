package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hubctl/hub/engine/secret"
)

// lockedBuffer is a bytes.Buffer safe for the watcher's goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// watchRunning is a hub watch running in a goroutine.
type watchRunning struct {
	t         *testing.T
	w         *watcher
	cancel    context.CancelFunc
	done      chan error
	cycles    chan struct{}
	rounds    atomic.Int64
	out, errb *lockedBuffer
}

func startWatch(t *testing.T, h *hubEnv, onDrift string) *watchRunning {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	red := &secret.Redactor{}
	r := &watchRunning{t: t, cancel: cancel, done: make(chan error, 1), cycles: make(chan struct{}, 64),
		out: &lockedBuffer{}, errb: &lockedBuffer{}}
	a := &app{ctx: ctx, in: strings.NewReader(""), out: red.Writer(r.out), errw: red.Writer(r.errb),
		env: envMap(h.environ()), redactor: red}
	r.w = &watcher{cycled: func() {
		r.rounds.Add(1)
		select {
		case r.cycles <- struct{}{}:
		default:
		}
	}}
	f := watchFlags{debounce: 20 * time.Millisecond, onDrift: onDrift}
	go func() { r.done <- a.watchRun(f, r.w) }()
	t.Cleanup(func() {
		cancel()
		<-r.done
	})
	return r
}

// until waits, round after round, until cond holds.
func (r *watchRunning) until(what string, cond func() bool) {
	r.t.Helper()
	deadline := time.After(10 * time.Second)
	for !cond() {
		select {
		case <-r.cycles:
		case <-deadline:
			r.t.Fatalf("timed out waiting for %s\n[stdout]\n%s[stderr]\n%s", what, r.out, r.errb)
		}
	}
}

// stop cancels the watch and checks that it ends cleanly.
func (r *watchRunning) stop() {
	r.t.Helper()
	r.cancel()
	select {
	case err := <-r.done:
		if err != nil {
			r.t.Fatalf("watch returned %v", err)
		}
		r.done <- nil // for the cleanup
	case <-time.After(10 * time.Second):
		r.t.Fatal("watch did not stop")
	}
}

func TestWatch(t *testing.T) {
	h := newHubEnv(t)
	h.env["RELAY_API_KEY"] = "sk-test-watch-0202"
	model := func(m string) string {
		return strings.Replace(basicHCL, `"claude-sonnet-4-5"`, `"`+m+`"`, 1)
	}
	h.write("cfg/hub.hcl", model("model-one"))
	settings := "home/.claude/settings.json"
	settingsPath := filepath.Join(h.root, settings)
	has := func(s string) func() bool {
		return func() bool { return strings.Contains(h.read(settings), s) }
	}

	r := startWatch(t, h, "warn")
	r.until("the first apply", has(`"model-one"`))
	r.until("the summary line", func() bool { return strings.Contains(r.out.String(), "claude_code.default: wrote "+settingsPath) })
	// hub's own write is not a change.
	r.until("the round to end", func() bool { return len(r.w.filter([]string{settingsPath})) == 0 })
	// Between rounds the state lock is free: another hub can apply.
	h.run("apply", "--auto-approve").want(t, 0, "No changes")

	// Edit a key: the file is rewritten.
	h.write("cfg/hub.hcl", model("model-two"))
	r.until("model-two applied", has(`"model-two"`))

	// Break the HCL: diagnostics, nothing written.
	before := h.read(settings)
	h.write("cfg/hub.hcl", model("model-three")+"\ntarget \"codex\" {\n")
	r.until("the diagnostics", func() bool { return strings.Contains(r.errb.String(), "the configuration has errors") })
	if h.read(settings) != before {
		t.Fatalf("a broken configuration wrote:\n%s", h.read(settings))
	}
	// Fix it: applied.
	h.write("cfg/hub.hcl", model("model-three"))
	r.until("model-three applied", has(`"model-three"`))

	// An external edit of an owned value is drift: reported once, left alone.
	hand := strings.Replace(h.read(settings), `"model-three"`, `"hand-edited"`, 1)
	h.write(settings, hand)
	r.until("the drift warning", func() bool { return strings.Contains(r.errb.String(), "changed outside hub") })
	n := r.rounds.Load()
	h.write("cfg/hub.hcl", model("model-three")+"\n") // another round
	r.until("another round", func() bool { return r.rounds.Load() > n })
	if n := strings.Count(r.errb.String(), "changed outside hub"); n != 1 {
		t.Errorf("drift reported %d times:\n%s", n, r.errb)
	}
	if h.read(settings) != hand {
		t.Errorf("drift under warn was reverted:\n%s", h.read(settings))
	}
	if strings.Contains(r.out.String()+r.errb.String(), "sk-test-watch") {
		t.Errorf("key printed")
	}
	t.Logf("[stdout]\n%s[stderr]\n%s", r.out, r.errb)
	r.stop()

	// Under revert, hub puts its value back (at once: the first round).
	r = startWatch(t, h, "revert")
	r.until("the revert", has(`"model-three"`))
	r.until("the drift warning", func() bool { return strings.Contains(r.errb.String(), "putting hub's values back") })
	// And again after a later edit.
	h.write(settings, strings.Replace(h.read(settings), `"model-three"`, `"hand-again"`, 1))
	r.until("the second revert", func() bool { return !strings.Contains(h.read(settings), "hand-again") && has(`"model-three"`)() })
	r.stop()
	if _, err := os.Stat(filepath.Join(h.cfg, ".hub", "state.json")); err != nil {
		t.Fatal(err)
	}
}
