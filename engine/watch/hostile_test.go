package watch_test

import (
	"os"
	"syscall"
	"testing"
	"time"
)

// TestReconcilerHostileFile: a managed file replaced by a named pipe is a
// change to plan (where it fails, named), not a read that blocks the watch
// forever; the next round reports the target's plan failure at once.
func TestReconcilerHostileFile(t *testing.T) {
	f := newRecFixture(t)
	if _, err := f.round(); err != nil {
		t.Fatal(err)
	}
	settings := f.path(".claude/settings.json")
	os.Remove(settings)
	if err := syscall.Mkfifo(settings, 0o600); err != nil {
		t.Skip("mkfifo:", err)
	}
	done := make(chan string, 1)
	go func() {
		got := f.r.Filter([]string{settings})
		r, err := f.round()
		switch {
		case err != nil:
			done <- err.Error()
		case len(got) != 1:
			done <- "the pipe was filtered out"
		default:
			done <- kinds(r)
		}
	}()
	select {
	case got := <-done:
		if got != "plan-failed claude_code.default" {
			t.Errorf("round after the pipe: %s", got)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the watch did not return within 10s")
	}
}
