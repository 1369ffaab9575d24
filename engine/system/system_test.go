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

func TestWriteFile(t *testing.T) {
	dir := t.TempDir()
	sys := system.OS{}

	// New file in new directories: 0600 file, 0700 directories.
	p := filepath.Join(dir, "a", "b", "f.json")
	if err := sys.WriteFile(p, []byte("new"), 0o600); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(p); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode = %v", fi.Mode().Perm())
	}
	if fi, _ := os.Stat(filepath.Dir(p)); fi.Mode().Perm() != 0o700 {
		t.Errorf("dir mode = %v", fi.Mode().Perm())
	}

	// An existing file keeps its mode.
	os.Chmod(p, 0o640)
	if err := sys.WriteFile(p, []byte("second"), 0o600); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(p); fi.Mode().Perm() != 0o640 {
		t.Errorf("mode after rewrite = %v, want 0640", fi.Mode().Perm())
	}
	if b, _ := os.ReadFile(p); string(b) != "second" {
		t.Errorf("content = %q", b)
	}

	// Symlinks, also chains and relative ones, stay links.
	link := filepath.Join(dir, "link.json")
	link2 := filepath.Join(dir, "link2.json")
	os.Symlink("a/b/f.json", link)
	os.Symlink(link, link2)
	if err := sys.WriteFile(link2, []byte("via link"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, l := range []string{link, link2} {
		if fi, _ := os.Lstat(l); fi.Mode()&fs.ModeSymlink == 0 {
			t.Errorf("%s replaced by a regular file", l)
		}
	}
	if b, _ := os.ReadFile(p); string(b) != "via link" {
		t.Errorf("target content = %q", b)
	}

	// A dangling link creates the file it points to.
	dang := filepath.Join(dir, "dangling.json")
	os.Symlink("made/by/link.json", dang)
	if err := sys.WriteFile(dang, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "made/by/link.json")); string(b) != "x" {
		t.Errorf("dangling target = %q", b)
	}

	// No temporary files are left behind.
	var leftovers []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if strings.Contains(d.Name(), ".hub-tmp-") {
			leftovers = append(leftovers, p)
		}
		return nil
	})
	if len(leftovers) > 0 {
		t.Errorf("temporary files left: %v", leftovers)
	}
}

func TestWriteFileFailures(t *testing.T) {
	dir := t.TempDir()
	sys := system.OS{}
	// A parent that is a regular file cannot hold the file (ENOTDIR), even as root.
	blocker := filepath.Join(dir, "blocker")
	os.WriteFile(blocker, []byte("I am a file"), 0o600)
	if err := sys.WriteFile(filepath.Join(blocker, "settings.json"), []byte("x"), 0o600); err == nil {
		t.Error("write under a regular file succeeded")
	}
	// A directory at the path is not replaced.
	d := filepath.Join(dir, "isdir")
	os.Mkdir(d, 0o755)
	if err := sys.WriteFile(d, []byte("x"), 0o600); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("write over a directory: %v", err)
	}
	// Read-only refuses every write.
	ro := system.ReadOnly{System: sys}
	if err := ro.WriteFile(filepath.Join(dir, "ro"), []byte("x"), 0o600); !errors.Is(err, system.ErrReadOnly) {
		t.Errorf("read-only write: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "ro")); err == nil {
		t.Error("read-only system wrote a file")
	}
}

// A relative link inside a linked directory is read against the directory it
// really is in: ~/.claude -> data/claude, settings.json -> ../shared/s.json
// means data/shared/s.json, not ~/shared/s.json.
func TestWriteFileThroughLinkedDirectory(t *testing.T) {
	home := t.TempDir()
	os.MkdirAll(filepath.Join(home, "data", "claude"), 0o755)
	os.MkdirAll(filepath.Join(home, "data", "shared"), 0o755)
	real := filepath.Join(home, "data", "shared", "s.json")
	os.WriteFile(real, []byte("old"), 0o600)
	os.Symlink("data/claude", filepath.Join(home, ".claude"))
	os.Symlink("../shared/s.json", filepath.Join(home, "data", "claude", "settings.json"))
	if err := (system.OS{}).WriteFile(filepath.Join(home, ".claude", "settings.json"), []byte("new"), 0o600); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(real); string(b) != "new" {
		t.Errorf("real file = %q, want new", b)
	}
	if _, err := os.Stat(filepath.Join(home, "shared")); err == nil {
		t.Error("a file was created beside the link instead")
	}
}

func TestWriteFileInPlaceKeepsInode(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "config.yaml")
	os.WriteFile(p, []byte("port: 8317\n"), 0o640)
	before, _ := os.Stat(p)
	if err := (system.OS{}).WriteFileInPlace(p, []byte("port: 8318\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	after, _ := os.Stat(p)
	if !os.SameFile(before, after) {
		t.Error("the file was replaced, not rewritten in place")
	}
	if after.Mode().Perm() != 0o640 {
		t.Errorf("mode = %v", after.Mode().Perm())
	}
	if b, _ := os.ReadFile(p); string(b) != "port: 8318\n" {
		t.Errorf("content = %q", b)
	}
	if _, err := os.Stat(p + ".hub-new"); err == nil {
		t.Error("recovery copy left behind")
	}
	// A new file is created as usual.
	q := filepath.Join(dir, "sub", "new.yaml")
	if err := (system.OS{}).WriteFileInPlace(q, []byte("x: 1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(q); fi.Mode().Perm() != 0o600 {
		t.Errorf("new file mode = %v", fi.Mode().Perm())
	}
}
