package targettest

import (
	"slices"

	"github.com/hubctl/hub/credential"
	"os"
	"path/filepath"
	"testing"
)

// GoldenFile compares got with the file at path (under testdata), and
// rewrites the file with -update. For import tests: the HCL an import
// generates.
func GoldenFile(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test with -update to create it)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs:\n--- got ---\n%s--- want ---\n%s", path, got, want)
	}
}

// WriteFiles writes files (path relative to dir → contents) under dir.
func WriteFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, data := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// WantCred is what an imported credential should hold.
type WantCred struct {
	APIType, BaseURL, Name, Key string
	Models                      []string
}

// CheckCreds compares imported credentials with want; a wrong key is
// reported without printing either key.
func CheckCreds(t *testing.T, got []*credential.Credential, want ...WantCred) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d credentials imported, want %d", len(got), len(want))
	}
	for i, w := range want {
		g := got[i]
		if g.APIType != w.APIType || g.BaseURL != w.BaseURL || g.Name != w.Name || !slices.Equal(g.Models, w.Models) {
			t.Errorf("credential %d = {%s %s %q %q}, want {%s %s %q %q}", i, g.APIType, g.BaseURL, g.Name, g.Models, w.APIType, w.BaseURL, w.Name, w.Models)
		}
		if g.Key.Reveal() != w.Key {
			t.Errorf("credential %d has the wrong key", i)
		}
		if g.ID != "" {
			t.Errorf("credential %d has the id %q; hub import names credentials", i, g.ID)
		}
	}
}
