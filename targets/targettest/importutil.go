package targettest

import (
	"context"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hubctl/hub/credential"
	"github.com/hubctl/hub/engine/system"
	"github.com/hubctl/hub/targets"
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

// ImportOnly runs the Importer of target type typ over the files under
// home (HOME=home, plus env) and returns what it found, without planning:
// for files that give no block, and for errors. It fails the test if a
// warning or the error holds a key found.
func ImportOnly(t *testing.T, typ, home string, env map[string]string) ([]targets.Imported, error) {
	t.Helper()
	info, err := targets.Lookup(typ)
	if err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{"HOME": home}
	maps.Copy(vars, env)
	read := func(p string) ([]byte, error) { return system.ReadFile(context.Background(), p) }
	found, err := info.New().(targets.Importer).Import(targets.Env{Vars: vars, Dir: home}, read)
	for _, f := range found {
		for _, c := range f.Credentials {
			k := c.Key.Reveal()
			if k != "" && (strings.Contains(strings.Join(f.Warnings, "\n"), k) || err != nil && strings.Contains(err.Error(), k)) {
				t.Errorf("a key is in a warning or the error")
			}
		}
	}
	return found, err
}

// Warned fails the test unless one of warnings holds want.
func Warned(t *testing.T, warnings []string, want string) {
	t.Helper()
	for _, w := range warnings {
		if strings.Contains(w, want) {
			return
		}
	}
	t.Errorf("no warning holds %q: %q", want, warnings)
}
