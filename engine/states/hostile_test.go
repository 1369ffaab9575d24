package states_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hubctl/hub/engine/states"
)

// TestHostileStateFile: a state file that is a named pipe or a link to
// /dev/zero is an error naming it, at once.
func TestHostileStateFile(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip("no /dev/zero")
	}
	for name, create := range map[string]func(p string) error{
		"named pipe": func(p string) error { return syscall.Mkfifo(p, 0o600) },
		"device":     func(p string) error { return os.Symlink("/dev/zero", p) },
	} {
		t.Run(name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "state.json")
			if err := create(p); err != nil {
				t.Skip(err)
			}
			done := make(chan error, 1)
			go func() {
				_, err := (&states.FileStore{Path: p}).Load(context.Background())
				done <- err
			}()
			select {
			case err := <-done:
				if err == nil || !strings.Contains(err.Error(), p) || !strings.Contains(err.Error(), name) {
					t.Errorf("err = %v, want one naming %s as a %s", err, p, name)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("Load did not return within 10s")
			}
		})
	}
}
