package system_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hubctl/hub/engine/system"
)

func tempsBeside(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".hub-tmp-") {
			out = append(out, e.Name())
		}
	}
	return out
}

// A user's save landing between hub's temporary file and its rename is
// kept: the write fails with ErrChanged and writes nothing. Saves in place
// and by rename (as editors do) are both caught.
func TestWriteFileIfKeepsConcurrentSave(t *testing.T) {
	for _, how := range []string{"in place", "by rename"} {
		t.Run(how, func(t *testing.T) {
			dir := t.TempDir()
			p := filepath.Join(dir, "settings.json")
			os.WriteFile(p, []byte(`{"a":1}`), 0o644)
			defer system.SetBeforeRename(func(string) {
				if how == "in place" {
					os.WriteFile(p, []byte(`{"a":2}`), 0o644)
					return
				}
				q := p + ".editor-save"
				os.WriteFile(q, []byte(`{"a":2}`), 0o644)
				os.Rename(q, p)
			})()
			err := system.OS{}.WriteFileIf(p, []byte(`{"a":1,"key":"sk-test-x"}`), 0o600, system.Cond{Exists: true, Data: []byte(`{"a":1}`)})
			if !errors.Is(err, system.ErrChanged) {
				t.Fatalf("err = %v, want ErrChanged", err)
			}
			if b, _ := os.ReadFile(p); string(b) != `{"a":2}` {
				t.Errorf("file = %q, want the user's save", b)
			}
			if left := tempsBeside(t, dir); len(left) > 0 {
				t.Errorf("temporary files left: %v", left)
			}
		})
	}
}

// A file that appears while hub creates it is not replaced.
func TestWriteFileIfCreateKeepsConcurrentFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "new.json")
	defer system.SetBeforeRename(func(string) { os.WriteFile(p, []byte("user"), 0o644) })()
	err := system.OS{}.WriteFileIf(p, []byte("hub"), 0o600, system.Cond{})
	if !errors.Is(err, system.ErrChanged) {
		t.Fatalf("err = %v, want ErrChanged", err)
	}
	if b, _ := os.ReadFile(p); string(b) != "user" {
		t.Errorf("file = %q", b)
	}
}

func TestWriteFileIf(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f.json")
	sys := system.OS{}
	// Absent as expected: created with perm.
	if err := sys.WriteFileIf(p, []byte("one"), 0o600, system.Cond{}); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(p); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode = %v", fi.Mode().Perm())
	}
	// Not what was expected: nothing written.
	if err := sys.WriteFileIf(p, []byte("two"), 0o600, system.Cond{Exists: true, Data: []byte("other")}); !errors.Is(err, system.ErrChanged) {
		t.Errorf("stale expectation: %v", err)
	}
	if err := sys.WriteFileIf(p, []byte("two"), 0o600, system.Cond{}); !errors.Is(err, system.ErrChanged) {
		t.Errorf("expected absent: %v", err)
	}
	// As expected: replaced, mode kept, Before given the contents.
	os.Chmod(p, 0o640)
	var seen string
	c := system.Cond{Exists: true, Data: []byte("one"), Before: func(cur []byte) error { seen = string(cur); return nil }}
	if err := sys.WriteFileIf(p, []byte("two"), 0o600, c); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(p); string(b) != "two" || seen != "one" {
		t.Errorf("content = %q, Before saw %q", b, seen)
	}
	if fi, _ := os.Stat(p); fi.Mode().Perm() != 0o640 {
		t.Errorf("mode = %v", fi.Mode().Perm())
	}
	// In place: same inode.
	before, _ := os.Stat(p)
	if err := sys.WriteFileIf(p, []byte("three"), 0o600, system.Cond{Exists: true, Data: []byte("two"), InPlace: true}); err != nil {
		t.Fatal(err)
	}
	after, _ := os.Stat(p)
	if b, _ := os.ReadFile(p); string(b) != "three" || !os.SameFile(before, after) {
		t.Errorf("in place: content %q, same file %v", b, os.SameFile(before, after))
	}
	if left := tempsBeside(t, dir); len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

// The in-place write checks through the descriptor it writes with.
func TestWriteFileIfInPlaceKeepsConcurrentSave(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "config.yaml")
	os.WriteFile(p, []byte("a: 1\n"), 0o644)
	defer system.SetBeforeRename(func(string) { os.WriteFile(p, []byte("a: 2\n"), 0o644) })()
	err := system.OS{}.WriteFileIf(p, []byte("a: 1\nkey: x\n"), 0o600, system.Cond{Exists: true, Data: []byte("a: 1\n"), InPlace: true})
	if !errors.Is(err, system.ErrChanged) {
		t.Fatalf("err = %v", err)
	}
	if b, _ := os.ReadFile(p); string(b) != "a: 2\n" {
		t.Errorf("file = %q", b)
	}
	if _, err := os.Stat(p + ".hub-new"); err == nil {
		t.Error("recovery copy left")
	}
}

// A read-only file is left alone, with an error that says what to do,
// unless the caller says to replace it; nothing (no Before) runs first.
func TestWriteFileIfReadOnly(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "ro.json")
	os.WriteFile(p, []byte("old"), 0o444)
	called := false
	c := system.Cond{Exists: true, Data: []byte("old"), Before: func([]byte) error { called = true; return nil }}
	err := system.OS{}.WriteFileIf(p, []byte("new"), 0o600, c)
	var ro *system.ReadOnlyFileError
	if !errors.As(err, &ro) || !strings.Contains(err.Error(), "chmod u+w "+p) {
		t.Fatalf("err = %v, want a ReadOnlyFileError naming chmod u+w", err)
	}
	if b, _ := os.ReadFile(p); string(b) != "old" || called {
		t.Errorf("file = %q, Before called %v", b, called)
	}
	c.ReplaceReadOnly = true
	if err := (system.OS{}).WriteFileIf(p, []byte("new"), 0o600, c); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(p); fi.Mode().Perm() != 0o444 {
		t.Errorf("mode = %v, want 0444 kept", fi.Mode().Perm())
	}
}

// Temporary files a crash left are removed; nothing else is.
func TestCleanTemps(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "auth.json")
	os.WriteFile(p, []byte("x"), 0o600)
	orphan := filepath.Join(dir, ".auth.json.hub-tmp-123")
	other := filepath.Join(dir, ".other.json.hub-tmp-123")
	os.WriteFile(orphan, []byte("sk-test-orphan"), 0o644)
	os.WriteFile(other, []byte("y"), 0o600)
	if err := (system.OS{}).CleanTemps(p); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(orphan); !errors.Is(err, fs.ErrNotExist) {
		t.Error("orphan kept")
	}
	for _, f := range []string{p, other} {
		if _, err := os.Stat(f); err != nil {
			t.Errorf("%s removed", f)
		}
	}
	if err := (system.ReadOnly{System: system.OS{}}).CleanTemps(p); !errors.Is(err, system.ErrReadOnly) {
		t.Errorf("read-only clean: %v", err)
	}
}

// A target that became a named pipe after the plan is refused, not waited
// on (opening a pipe blocks until a writer comes), whether it is replaced
// or written in place.
func TestWriteFileIfRefusesNamedPipe(t *testing.T) {
	for _, inPlace := range []bool{false, true} {
		p := fifo(t)
		_, err := within(t, func() ([]byte, error) {
			return nil, system.OS{}.WriteFileIf(p, []byte("{}"), 0o600, system.Cond{Exists: true, Data: []byte("{}"), InPlace: inPlace})
		})
		if err == nil || !strings.Contains(err.Error(), "not a regular file") {
			t.Errorf("in place %v: err = %v, want the pipe refused", inPlace, err)
		}
		if fi, err := os.Lstat(p); err != nil || fi.Mode()&fs.ModeNamedPipe == 0 {
			t.Errorf("in place %v: the pipe was replaced", inPlace)
		}
	}
}
