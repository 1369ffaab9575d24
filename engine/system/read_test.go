package system_test

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hubctl/hub/engine/system"
)

// within fails the test if read does not return in a few seconds: a
// regression that blocks (a named pipe) or reads without end (/dev/zero)
// fails here instead of hanging the suite or exhausting memory.
func within(t *testing.T, read func() ([]byte, error)) ([]byte, error) {
	t.Helper()
	type result struct {
		b   []byte
		err error
	}
	done := make(chan result, 1)
	go func() {
		b, err := read()
		done <- result{b, err}
	}()
	select {
	case r := <-done:
		return r.b, r.err
	case <-time.After(5 * time.Second):
		t.Fatal("the read did not return within 5s")
		return nil, nil
	}
}

func fifo(t *testing.T) string {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("no named pipes in the filesystem")
	}
	p := filepath.Join(t.TempDir(), "settings.json")
	if err := syscall.Mkfifo(p, 0o600); err != nil {
		t.Skip("mkfifo:", err)
	}
	return p
}

func TestReadFileRefusesNamedPipe(t *testing.T) {
	p := fifo(t)
	t.Run("no writer", func(t *testing.T) { readPipe(t, p) }) // open(2) would block
	// A writer that never writes: the open succeeds, a read would block.
	w, err := os.OpenFile(p, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	t.Run("silent writer", func(t *testing.T) { readPipe(t, p) })
}

func readPipe(t *testing.T, p string) {
	for name, read := range map[string]func() ([]byte, error){
		"ReadFile":    func() ([]byte, error) { return system.ReadFile(context.Background(), p) },
		"OS.ReadFile": func() ([]byte, error) { return system.OS{}.ReadFile(p) },
		"ReadOnly.Read": func() ([]byte, error) {
			return system.Read(context.Background(), system.ReadOnly{System: system.OS{}}, p)
		},
		"ReadOnly.ReadFile": func() ([]byte, error) { return system.ReadOnly{System: system.OS{}}.ReadFile(p) },
	} {
		_, err := within(t, read)
		if !errors.Is(err, system.ErrNotRegular) || !strings.Contains(err.Error(), p) || !strings.Contains(err.Error(), "named pipe") {
			t.Errorf("%s: err = %v, want ErrNotRegular naming %s as a named pipe", name, err, p)
		}
	}
}

func TestReadFileRefusesDevZero(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip("no /dev/zero")
	}
	p := filepath.Join(t.TempDir(), "config.json")
	if err := os.Symlink("/dev/zero", p); err != nil {
		t.Fatal(err)
	}
	_, err := within(t, func() ([]byte, error) { return system.OS{}.ReadFile(p) })
	if !errors.Is(err, system.ErrNotRegular) || !strings.Contains(err.Error(), p) || !strings.Contains(err.Error(), "device") {
		t.Errorf("err = %v, want ErrNotRegular naming %s as a device", err, p)
	}
}

func TestReadFileSizeLimit(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "big.json")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	// Sparse: no disk used.
	if err := f.Truncate(system.MaxFileSize + 1); err != nil {
		t.Fatal(err)
	}
	f.Close()
	_, err = within(t, func() ([]byte, error) { return system.OS{}.ReadFile(p) })
	if !errors.Is(err, system.ErrTooLarge) || !strings.Contains(err.Error(), p) || !strings.Contains(err.Error(), "16 MiB") {
		t.Errorf("err = %v, want ErrTooLarge naming %s and the limit", err, p)
	}

	// At the limit exactly, through a symlink: read whole.
	if err := os.Truncate(p, system.MaxFileSize); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.json")
	if err := os.Symlink(p, link); err != nil {
		t.Fatal(err)
	}
	b, err := within(t, func() ([]byte, error) { return system.OS{}.ReadFile(link) })
	if err != nil || len(b) != system.MaxFileSize {
		t.Errorf("at the limit: %d bytes, err = %v", len(b), err)
	}
}

func TestReadFileOrdinary(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f.json")
	want := strings.Repeat("x", 700<<10) // several chunks
	if err := os.WriteFile(p, []byte(want), 0o600); err != nil {
		t.Fatal(err)
	}
	if b, err := system.ReadFile(context.Background(), p); err != nil || string(b) != want {
		t.Errorf("read %d bytes, err = %v", len(b), err)
	}
	if b, err := system.ReadFile(context.Background(), filepath.Join(dir, "empty")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: %q, err = %v, want fs.ErrNotExist", b, err)
	}
	if _, err := system.ReadFile(context.Background(), dir); !errors.Is(err, system.ErrNotRegular) || !strings.Contains(err.Error(), "directory") {
		t.Errorf("directory: err = %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := system.Read(ctx, system.ReadOnly{System: system.OS{}}, p); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: err = %v, want context.Canceled", err)
	}
	if _, err := system.Read(ctx, system.NewMem(map[string][]byte{p: nil}), p); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled Mem: err = %v, want context.Canceled", err)
	}
}
