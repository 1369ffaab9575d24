package watch

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// waitFor reads events until want arrives.
func waitFor(t *testing.T, f *FS, want string) {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		select {
		case p := <-f.Events():
			if p == want {
				return
			}
		case err := <-f.Errors():
			t.Logf("watch error: %v", err)
		case <-deadline:
			t.Fatalf("no event for %s; watching %q", want, f.Watched())
		}
	}
}

func TestFSFollowsDirectoryThatComesAndGoes(t *testing.T) {
	root, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	sub := filepath.Join(root, "a", "b")
	f, err := NewFS()
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := f.Add(sub); err != nil {
		t.Fatal(err)
	}
	if got := f.Watched(); len(got) != 1 || got[0] != root {
		t.Fatalf("watching %q, want the nearest existing ancestor %s", got, root)
	}
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	waitFor(t, f, sub)
	file := filepath.Join(sub, "config.json")
	if err := os.WriteFile(file, []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	waitFor(t, f, file)

	// Rename the directory away and back: the file is reported again.
	moved := filepath.Join(root, "a", "moved")
	if err := os.Rename(sub, moved); err != nil {
		t.Fatal(err)
	}
	waitFor(t, f, sub)
	if err := os.Rename(moved, sub); err != nil {
		t.Fatal(err)
	}
	waitFor(t, f, sub)
	if err := os.WriteFile(file, []byte(`{"a":1}`), 0o644); err != nil {
		t.Fatal(err)
	}
	waitFor(t, f, file)

	// Replacing the file by rename, as editors do, is seen.
	tmp := filepath.Join(sub, ".config.json.tmp")
	if err := os.WriteFile(tmp, []byte(`{"a":2}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, file); err != nil {
		t.Fatal(err)
	}
	waitFor(t, f, file)

	if err := f.Want(nil); err != nil {
		t.Fatal(err)
	}
	if got := f.Watched(); len(got) != 0 {
		t.Fatalf("still watching %q", got)
	}
}
