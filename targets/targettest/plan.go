package targettest

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hubctl/hub/engine"
	"github.com/hubctl/hub/engine/config"
	"github.com/hubctl/hub/engine/states"
	"github.com/hubctl/hub/engine/system"
	"github.com/hubctl/hub/targets"
	"github.com/hubctl/hub/views"
)

// PlanConfig loads src as a whole configuration through hub's loader, plans it
// against an empty state and an empty in-memory filesystem, and returns the
// rendered plan. HOME defaults to a directory under the temp dir. It fails
// the test on diagnostics or plan errors, and if any value of env (the keys)
// appears in the plan.
func PlanConfig(t *testing.T, src string, env map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "hub.hcl"), []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{"HOME": filepath.Join(dir, "home")}
	for k, v := range env {
		vars[k] = v
	}
	cfg, diags := config.Load(config.Options{Dir: dir, Env: vars})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	eng := &engine.Engine{Sys: system.NewMem(nil), Env: targets.Env{Vars: vars, Dir: dir}, Host: "example"}
	p, err := eng.Plan(context.Background(), cfg, states.New(), engine.PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	views.WritePlan(&out, p.Plan, views.Style{})
	if errs := views.TargetErrors(p.Plan); len(errs) > 0 {
		t.Fatalf("plan errors: %v\n%s", errs, out.String())
	}
	for k, v := range env {
		if k != "HOME" && len(v) >= 6 && strings.Contains(out.String(), v) {
			t.Errorf("plan output contains the value of %s", k)
		}
	}
	return out.String()
}
