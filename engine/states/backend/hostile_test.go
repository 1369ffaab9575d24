package backend_test

import (
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hubctl/hub/engine/states/backend"
)

// TestHostileIdentityFile: an identity file that is a named pipe is an error
// naming it, at once (it blocked in open before).
func TestHostileIdentityFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "identity.txt")
	if err := syscall.Mkfifo(p, 0o600); err != nil {
		t.Skip("mkfifo:", err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := (&backend.Encrypt{IdentityFile: p}).Codec()
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), p) || !strings.Contains(err.Error(), "named pipe") {
			t.Errorf("err = %v, want one naming %s as a named pipe", err, p)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Codec did not return within 10s")
	}
}
