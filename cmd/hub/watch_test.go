package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hubctl/hub/secret"
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
	return startWatchFlags(t, h, watchFlags{debounce: 20 * time.Millisecond, onDrift: onDrift})
}

func startWatchFlags(t *testing.T, h *hubEnv, f watchFlags) *watchRunning {
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
	r.until("the round to end", func() bool { return len(r.w.rec.Filter([]string{settingsPath})) == 0 })
	// Between rounds the state lock is free: another hub can apply.
	h.run("apply", "--auto-approve").want(t, 0, "No changes")

	// Edit a key: the file is rewritten.
	h.write("cfg/hub.hcl", model("model-two"))
	r.until("model-two applied", has(`"model-two"`))

	// An error in a block after blocks parsed in earlier rounds is shown at
	// its own line, with that line's source; nothing is written.
	before := h.read(settings)
	line := strings.Count(model("model-three"), "\n") + 3
	h.write("cfg/hub.hcl", model("model-three")+"\ntarget \"codex\" \"bad\" {\n  credential = credential.nope\n}\n")
	r.until("the diagnostics", func() bool { return strings.Count(r.errb.String(), "the configuration has errors") == 1 })
	for _, want := range []string{fmt.Sprintf("hub.hcl:%d:16: ", line), fmt.Sprintf("%4d |   credential = credential.nope", line)} {
		if !strings.Contains(r.errb.String(), want) {
			t.Errorf("the diagnostics lack %q:\n%s", want, r.errb)
		}
	}
	if h.read(settings) != before {
		t.Fatalf("a configuration with errors wrote:\n%s", h.read(settings))
	}

	// Break the HCL: diagnostics, nothing written.
	h.write("cfg/hub.hcl", model("model-three")+"\ntarget \"codex\" {\n")
	r.until("the diagnostics", func() bool { return strings.Count(r.errb.String(), "the configuration has errors") == 2 })
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

// nopSource is a watchSource that never reports anything (benchmarks drive
// the cycle directly).
type nopSource struct{}

func (nopSource) Events() <-chan string   { return nil }
func (nopSource) Errors() <-chan error    { return nil }
func (nopSource) Add(string) error        { return nil }
func (nopSource) Close() error            { return nil }
func (nopSource) Want([]string) error     { return nil }
func (nopSource) Sync() ([]string, error) { return nil, nil }

// benchHCL is hub-bench's watch configuration: nCreds credentials and
// nTargets targets (claude_code and codex in turn), target t0's model set to
// model.
func benchHCL(nCreds, nTargets int, model string) string {
	var b strings.Builder
	for i := 0; i < nCreds; i++ {
		fmt.Fprintf(&b, "credential \"c%d\" {\n  name     = \"Relay %d\"\n  api_type = \"openai-compatible\"\n  base_url = \"https://relay%d.example.com/v1\"\n  api_key  = \"sk-test-bench-%d-0-0123456789abcdef\"\n  tags     = [\"bench\"]\n}\n\n", i, i, i, i)
	}
	for i := 0; i < nTargets; i++ {
		typ, m := "claude_code", "claude-sonnet-4-5"
		if i%2 == 1 {
			typ, m = "codex", "gpt-5"
		}
		if i == 0 {
			m = model
		}
		fmt.Fprintf(&b, "target %q \"t%d\" {\n  credential = credential.c%d\n  config_dir = \"home/t%d\"\n  model      = %q\n}\n\n", typ, i, i*nCreds/nTargets, i, m)
	}
	return b.String()
}

// BenchmarkWatchCycle times one round of hub watch after an edit of one
// target's model, with hub-bench's configuration (100 credentials, 50
// targets): load, plan, apply one file, save the state. Profile with
// go test -run '^$' -bench WatchCycle -cpuprofile cpu.out ./cmd/hub.
func BenchmarkWatchCycle(b *testing.B) {
	root := b.TempDir()
	cfgPath := filepath.Join(root, "hub.hcl")
	write := func(model string) {
		if err := os.WriteFile(cfgPath, []byte(benchHCL(100, 50, model)), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	write("m-start")
	red := &secret.Redactor{}
	var out, errb lockedBuffer
	a := &app{ctx: context.Background(), in: strings.NewReader(""), out: red.Writer(&out), errw: red.Writer(&errb),
		env: map[string]string{"HOME": root, "HUB_DIR": root, "HUB_HOST": "bench", "USER": "bench"}, redactor: red}
	w := &watcher{src: nopSource{}}
	if err := w.init(a, watchFlags{onDrift: "warn"}); err != nil {
		b.Fatal(err)
	}
	if err := w.cycle(context.Background(), nil); err != nil {
		b.Fatalf("%v\n%s", err, errb.String())
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		write(fmt.Sprintf("m-%d", i))
		if err := w.cycle(context.Background(), []string{cfgPath}); err != nil {
			b.Fatalf("%v\n%s", err, errb.String())
		}
	}
	b.StopTimer()
	if strings.Contains(out.String()+errb.String(), "sk-test-") {
		b.Fatal("key printed")
	}
	if n := strings.Count(out.String(), ": wrote "); n < 51 {
		b.Fatalf("%d files written, want at least 51:\n%s%s", n, out.String(), errb.String())
	}
}
