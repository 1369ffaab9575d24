package targettest

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"

	"github.com/hubctl/hub/engine/system"
	"github.com/hubctl/hub/targets"
)

// ImportGolden runs every testdata/import/*.txtar case of a target type
// through Import. A case holds the tool's files as home/<path> sections
// (written under a temporary HOME) and optionally env.json (more
// variables; "$HOME" in a value is the temporary HOME). It compares, or with
// -update rewrites:
//
//   - want/import.hcl: the HCL hub import writes (keys as env() references);
//   - want/credentials.json: what was imported, each credential's key
//     compared without ever being printed;
//   - want/warnings.txt and want/error.txt: the Importer's warnings, one a
//     line, and its error, with the temporary HOME written $HOME.
//
// Import itself fails the case unless every block plans to adopts only.
func ImportGolden(t *testing.T, typ string) {
	t.Helper()
	cases, _ := filepath.Glob(filepath.Join("testdata", "import", "*.txtar"))
	if len(cases) == 0 {
		t.Fatal("no testdata/import/*.txtar cases")
	}
	for _, path := range cases {
		t.Run(strings.TrimSuffix(filepath.Base(path), ".txtar"), func(t *testing.T) { runImportCase(t, typ, path) })
	}
}

func runImportCase(t *testing.T, typ, path string) {
	ar, err := txtar.ParseFile(path)
	if err != nil {
		t.Fatal(err)
	}
	home := t.TempDir()
	for _, f := range ar.Files {
		if name, ok := strings.CutPrefix(f.Name, "home/"); ok {
			p := filepath.Join(home, filepath.FromSlash(name))
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, f.Data, 0o600); err != nil {
				t.Fatal(err)
			}
		}
	}
	env := map[string]string{}
	if b, ok := section(ar, "env.json"); ok {
		if err := json.Unmarshal(b, &env); err != nil {
			t.Fatalf("env.json: %v", err)
		}
		for k, v := range env {
			env[k] = strings.ReplaceAll(v, "$HOME", home)
		}
	}
	// The error is Import's to return; targettest.Import only logs it.
	info, err := targets.Lookup(typ)
	if err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{"HOME": home}
	for k, v := range env {
		vars[k] = v
	}
	read := func(p string) ([]byte, error) { return system.ReadFile(context.Background(), p) }
	_, ierr := info.New().(targets.Importer).Import(targets.Env{Vars: vars, Dir: home}, read)

	src, found := Import(t, typ, home, env)
	got := map[string][]byte{"want/import.hcl": []byte(src)}
	type cred struct {
		ID       string   `json:"id,omitempty"`
		Name     string   `json:"name,omitempty"`
		APIType  string   `json:"api_type"`
		BaseURL  string   `json:"base_url"`
		Key      string   `json:"key"`
		Models   []string `json:"models,omitempty"`
		Insecure bool     `json:"insecure,omitempty"`
	}
	var creds []cred
	var warnings []string
	unhome := func(s string) string { return strings.ReplaceAll(s, home, "$HOME") }
	for _, b := range found {
		for _, c := range b.Credentials {
			creds = append(creds, cred{ID: c.ID, Name: c.Name, APIType: c.APIType, BaseURL: c.BaseURL, Key: c.Key.Reveal(), Models: c.Models, Insecure: c.Insecure})
		}
		for _, w := range b.Warnings {
			warnings = append(warnings, unhome(w))
		}
	}
	if len(warnings) > 0 {
		got["want/warnings.txt"] = []byte(strings.Join(warnings, "\n") + "\n")
	}
	if ierr != nil {
		got["want/error.txt"] = []byte(unhome(ierr.Error()) + "\n")
	}
	if len(creds) > 0 {
		if *update {
			b, _ := json.MarshalIndent(creds, "", "  ")
			got["want/credentials.json"] = append(b, '\n')
		} else {
			want, ok := section(ar, "want/credentials.json")
			var wc []cred
			if !ok || json.Unmarshal(want, &wc) != nil {
				t.Fatalf("want/credentials.json missing or not JSON")
			}
			if len(wc) != len(creds) {
				t.Fatalf("imported %d credentials, want %d", len(creds), len(wc))
			}
			for i := range creds {
				g, w := creds[i], wc[i]
				if g.Key != w.Key {
					t.Errorf("credential %d (%s): the key differs", i, g.ID)
				}
				g.Key, w.Key = "", ""
				gb, _ := json.Marshal(g)
				wb, _ := json.Marshal(w)
				if string(gb) != string(wb) {
					t.Errorf("credential %d:\n got %s\nwant %s", i, gb, wb)
				}
			}
			got["want/credentials.json"] = want // compared above
		}
	}
	if *update {
		compare(t, ar, path, got)
		return
	}
	for _, n := range []string{"want/warnings.txt", "want/error.txt"} {
		if _, ok := section(ar, n); ok {
			if _, ok := got[n]; !ok {
				got[n] = nil
			}
		}
	}
	compare(t, ar, path, got)
}
