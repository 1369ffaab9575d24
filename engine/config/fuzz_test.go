package config_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"

	"github.com/hubctl/hub/engine/config"
)

// FuzzLoad loads any hub.hcl (with a var file): loading never panics, every
// error names its problem, and the configuration is returned even with
// errors (the CLI prints diagnostics with source snippets from it). file()
// reads only from memory, so no input reaches the machine's files.
func FuzzLoad(f *testing.F) {
	f.Add(good, "")
	f.Add(`credential "a" {
  api_type = "anthropic"
  api_key  = var.k
}
variable "k" {
  type      = string
  sensitive = true
}
target "codex" "x" { credential = credential.a }
target "opencode" "y" { credentials = [credential.a] }
`, `k = "sk-test-fuzz"`)
	f.Add(`hub {
  backend "webdav" {
    url      = "https://dav.example.com/hub"
    username = "u"
    password = env("P")
  }
}
locals { a = [for i in range(3) : "${i}"] }
credential "c" {
  api_type = "openai-compatible"
  base_url = "https://r.example.com/v1"
  api_key  = file("key.txt")
  models   = local.a
}
`, "")
	f.Add("credential \"x\" {\n  api_key = \"\\u0000${\"\n", "k = {")
	f.Add(`variable "v" { default = { a = [1, "b", null] } }`, `v = { a = [] }`)
	f.Fuzz(func(t *testing.T, src, vars string) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "hub.hcl"), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		varFile := filepath.Join(dir, "vars.hclvars")
		if err := os.WriteFile(varFile, []byte(vars), 0o644); err != nil {
			t.Fatal(err)
		}
		read := func(name string) ([]byte, error) {
			switch filepath.Base(name) {
			case "vars.hclvars":
				return []byte(vars), nil
			case "key.txt":
				return []byte("sk-test-from-file\n"), nil
			}
			return nil, &os.PathError{Op: "open", Path: name, Err: errors.New("not found")}
		}
		opts := config.Options{
			Dir:      dir,
			Env:      map[string]string{"HOME": dir, "P": "pw-test", "HUB_VAR_k": "sk-test-env"},
			VarFiles: []string{varFile},
			ReadFile: read,
		}
		cfg, diags := config.Load(opts)
		if cfg == nil {
			t.Fatal("Load returned no configuration")
		}
		for _, d := range diags {
			if d.Severity == hcl.DiagError && strings.TrimSpace(d.Summary) == "" {
				t.Fatalf("error without a summary: %#v", d)
			}
		}
		if !diags.HasErrors() {
			for _, tg := range cfg.Targets {
				if tg.Impl == nil || tg.Input == nil {
					t.Fatalf("target %s loaded without its implementation or input", tg.Address())
				}
			}
		}
	})
}
