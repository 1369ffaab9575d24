package config_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/hubctl/hub/engine/config"
	"github.com/hubctl/hub/engine/system"
)

const hostileCred = `
credential "relay" {
  api_type = "openai-compatible"
  base_url = "https://relay.example.com"
  api_key  = file(%q)
}
`

// loadWithin loads dir and fails the test if that takes more than a few
// seconds, so a read that blocks or never ends fails instead of hanging.
func loadWithin(t *testing.T, opts config.Options) hcl.Diagnostics {
	t.Helper()
	done := make(chan hcl.Diagnostics, 1)
	go func() {
		_, diags := config.Load(opts)
		done <- diags
	}()
	select {
	case d := <-done:
		return d
	case <-time.After(10 * time.Second):
		t.Fatal("the configuration did not load within 10s")
		return nil
	}
}

func wantDiag(t *testing.T, diags hcl.Diagnostics, parts ...string) {
	t.Helper()
	if !diags.HasErrors() {
		t.Fatalf("no error, want one saying %q", parts)
	}
	for _, p := range parts {
		if !strings.Contains(diags.Error(), p) {
			t.Errorf("diagnostics %q do not say %q", diags.Error(), p)
		}
	}
}

// TestHostileFiles: file() of /dev/zero, of a named pipe or of a file over
// the limit, a named pipe as a *.hcl file or a --var-file: each is an error
// naming the file, at once; none blocks or reads without end.
func TestHostileFiles(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip("no /dev/zero")
	}
	mkfifo := func(t *testing.T, p string) {
		if err := syscall.Mkfifo(p, 0o600); err != nil {
			t.Skip("mkfifo:", err)
		}
	}
	write := func(t *testing.T, dir, body string) {
		if err := os.WriteFile(filepath.Join(dir, "hub.hcl"), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Run("file of /dev/zero", func(t *testing.T) {
		dir := t.TempDir()
		write(t, dir, strings.Replace(hostileCred, "%q", `"/dev/zero"`, 1))
		wantDiag(t, loadWithin(t, config.Options{Dir: dir}), "/dev/zero", "not a regular file")
	})
	t.Run("file of a symlink to /dev/zero", func(t *testing.T) {
		dir := t.TempDir()
		os.Symlink("/dev/zero", filepath.Join(dir, "key.txt"))
		write(t, dir, strings.Replace(hostileCred, "%q", `"key.txt"`, 1))
		wantDiag(t, loadWithin(t, config.Options{Dir: dir}), "key.txt", "not a regular file")
	})
	t.Run("file of a named pipe", func(t *testing.T) {
		dir := t.TempDir()
		mkfifo(t, filepath.Join(dir, "key.txt"))
		write(t, dir, strings.Replace(hostileCred, "%q", `"key.txt"`, 1))
		wantDiag(t, loadWithin(t, config.Options{Dir: dir}), "key.txt", "named pipe")
	})
	t.Run("file over the limit", func(t *testing.T) {
		dir := t.TempDir()
		f, _ := os.Create(filepath.Join(dir, "key.txt"))
		f.Truncate(system.MaxFileSize + 1)
		f.Close()
		write(t, dir, strings.Replace(hostileCred, "%q", `"key.txt"`, 1))
		wantDiag(t, loadWithin(t, config.Options{Dir: dir}), "key.txt", "16 MiB")
	})
	t.Run("a named pipe as a configuration file", func(t *testing.T) {
		dir := t.TempDir()
		write(t, dir, strings.Replace(hostileCred, "%q", `"key.txt"`, 1))
		os.WriteFile(filepath.Join(dir, "key.txt"), []byte("sk-test-hostile"), 0o600)
		mkfifo(t, filepath.Join(dir, "other.hcl"))
		wantDiag(t, loadWithin(t, config.Options{Dir: dir}), "other.hcl", "named pipe")
	})
	t.Run("a named pipe as a variables file", func(t *testing.T) {
		dir := t.TempDir()
		write(t, dir, "")
		mkfifo(t, filepath.Join(dir, "vars.hcl.pipe"))
		wantDiag(t, loadWithin(t, config.Options{Dir: dir, VarFiles: []string{filepath.Join(dir, "vars.hcl.pipe")}}), "vars.hcl.pipe", "named pipe")
	})
	t.Run("a cancelled load", func(t *testing.T) {
		dir := t.TempDir()
		write(t, dir, "")
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		wantDiag(t, loadWithin(t, config.Options{Dir: dir, Context: ctx}), "hub.hcl", "context canceled")
	})
}

// TestHostileBackendFile: LoadBackend reads through the same bounded read.
func TestHostileBackendFile(t *testing.T) {
	dir := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(dir, "hub.hcl"), 0o600); err != nil {
		t.Skip("mkfifo:", err)
	}
	done := make(chan hcl.Diagnostics, 1)
	go func() {
		_, _, diags := config.LoadBackend(config.Options{Dir: dir})
		done <- diags
	}()
	select {
	case d := <-done:
		wantDiag(t, d, "hub.hcl", "named pipe")
	case <-time.After(10 * time.Second):
		t.Fatal("LoadBackend did not return within 10s")
	}
}
