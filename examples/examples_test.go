// Package examples holds runnable configurations; this test loads and plans
// every one of them so none goes stale.
package examples_test

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hubctl/hub/engine"
	"github.com/hubctl/hub/engine/config"
	"github.com/hubctl/hub/engine/states"
	"github.com/hubctl/hub/engine/system"
	"github.com/hubctl/hub/targets"
	_ "github.com/hubctl/hub/targets/all"
	"github.com/hubctl/hub/views"
)

var envCall = regexp.MustCompile(`env\("([A-Z0-9_]+)"\)`)
var sensitiveVar = regexp.MustCompile(`variable "([a-z0-9_]+)" \{[^}]*sensitive\s*=\s*true`)

func TestExamples(t *testing.T) {
	entries, _ := os.ReadDir(".")
	var n int
	for _, e := range entries {
		dir := e.Name()
		if !e.IsDir() {
			continue
		}
		if hcl, _ := filepath.Glob(filepath.Join(dir, "*.hcl")); len(hcl) == 0 {
			continue
		}
		n++
		t.Run(filepath.Base(dir), func(t *testing.T) {
			home := t.TempDir()
			env := map[string]string{"HOME": home}
			// Give every key the example reads a fake value, as a user would export.
			var all strings.Builder
			files, _ := filepath.Glob(filepath.Join(dir, "*.hcl"))
			for _, f := range files {
				b, _ := os.ReadFile(f)
				all.Write(b)
			}
			for _, m := range envCall.FindAllStringSubmatch(all.String(), -1) {
				env[m[1]] = "sk-test-example-" + strings.ToLower(m[1])
			}
			for _, m := range sensitiveVar.FindAllStringSubmatch(all.String(), -1) {
				env["HUB_VAR_"+m[1]] = "sk-test-example-var-" + m[1]
			}
			abs, _ := filepath.Abs(dir)
			cfg, diags := config.Load(config.Options{Dir: abs, Env: env})
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			if len(cfg.Targets) == 0 {
				t.Fatal("example has no targets")
			}
			mem := system.NewMem(nil)
			eng := &engine.Engine{Sys: mem, Env: targets.Env{Vars: env, Dir: abs}, Host: "example"}
			p, err := eng.Plan(context.Background(), cfg, states.New(), engine.PlanOptions{})
			if err != nil {
				t.Fatal(err)
			}
			var out strings.Builder
			views.WritePlan(&out, p.Plan, views.Style{})
			if errs := views.TargetErrors(p.Plan); len(errs) > 0 {
				t.Fatalf("plan errors: %v\n%s", errs, out.String())
			}
			if !p.Plan.HasChanges() {
				t.Fatal("plan of a fresh home has no changes")
			}
			// Examples write only inside their own directory.
			for _, tp := range p.Plan.Targets {
				for _, f := range tp.Files {
					if !strings.HasPrefix(f.Path, abs+string(filepath.Separator)) {
						t.Errorf("%s writes %s, outside the example", tp.Address, f.Path)
					}
				}
			}
			for _, s := range cfg.Secrets {
				if strings.Contains(out.String(), s) {
					t.Error("plan output contains a key")
				}
			}
		})
	}
	if n < 2 {
		t.Fatalf("found %d examples, want at least quickstart and multi", n)
	}
}
