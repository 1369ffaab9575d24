package engine_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hubctl/hub/engine"
)

// TestHostileTargetFiles: a named pipe where a target's file should be, and a
// symlink to /dev/zero, make that target's plan fail with an error naming the
// file, promptly; neither blocks the plan forever nor reads without end.
func TestHostileTargetFiles(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip("no /dev/zero")
	}
	f := newFixture(t)
	pipe := f.path(".claude/settings.json")
	os.MkdirAll(filepath.Dir(pipe), 0o755)
	if err := syscall.Mkfifo(pipe, 0o600); err != nil {
		t.Skip("mkfifo:", err)
	}
	zero := f.path(".codex/config.toml")
	os.MkdirAll(filepath.Dir(zero), 0o755)
	if err := os.Symlink("/dev/zero", zero); err != nil {
		t.Fatal(err)
	}
	cfg := f.config(both)

	done := make(chan *engine.Planned, 1)
	go func() {
		p, err := f.eng.Plan(context.Background(), cfg, f.st, engine.PlanOptions{})
		if err != nil {
			t.Error(err)
		}
		done <- p
	}()
	var p *engine.Planned
	select {
	case p = <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the plan did not return within 10s")
	}
	if p == nil {
		return
	}
	want := map[string]string{pipe: "named pipe", zero: "device"}
	for _, tp := range p.Plan.Targets {
		for _, fc := range tp.Files {
			if w, ok := want[fc.Path]; ok {
				if !strings.Contains(fc.Error, fc.Path) || !strings.Contains(fc.Error, w) || strings.Count(fc.Error, fc.Path) != 1 {
					t.Errorf("%s: error %q, want it to name the file as a %s", fc.Path, fc.Error, w)
				}
				delete(want, fc.Path)
			}
		}
	}
	if len(want) > 0 {
		t.Errorf("no file error for %v in the plan", want)
	}
}
