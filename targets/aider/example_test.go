package aider_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hubctl/hub/engine"
	"github.com/hubctl/hub/engine/config"
	"github.com/hubctl/hub/engine/render"
	"github.com/hubctl/hub/engine/states"
	"github.com/hubctl/hub/engine/system"
	"github.com/hubctl/hub/targets"
)

// example is the configuration shown in the README's aider section.
const example = `
credential "relay" {
  name     = "Company relay"
  api_type = "openai-compatible"
  base_url = "https://relay.example.com"
  api_key  = env("RELAY_API_KEY")
  models   = ["deepseek-chat"]
}

target "aider" "default" {
  credential = credential.relay

  # optional
  model        = "qwen3-coder"     # else the credential's first model; hub writes openai/qwen3-coder
  weak_model   = "deepseek-chat"   # weak-model
  editor_model = "qwen3-coder"     # editor-model
  # config_dir  = "~/src/app"      # .aider.conf.yml there (say, a repo root); default ~
  # config_file = "~/aider.yml"    # or any file, for aider --config
}
`

// TestExample loads and plans the README example through hub's loader.
func TestExample(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "hub.hcl"), []byte(example), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"HOME": filepath.Join(dir, "home"), "RELAY_API_KEY": "sk-test-aider-ex-0001"}
	cfg, diags := config.Load(config.Options{Dir: dir, Env: env})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	eng := &engine.Engine{Sys: system.NewMem(nil), Env: targets.Env{Vars: env, Dir: dir}, Host: "example"}
	p, err := eng.Plan(context.Background(), cfg, states.New(), engine.PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	render.Plan(&out, p.Plan, render.Style{})
	if errs := render.TargetErrors(p.Plan); len(errs) > 0 {
		t.Fatalf("plan errors: %v\n%s", errs, out.String())
	}
	for _, want := range []string{`+ model           = "openai/qwen3-coder"`, `+ openai-api-base = "https://relay.example.com/v1"`, "+ openai-api-key  = (sensitive value)"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("plan lacks %s:\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String(), "sk-test-aider-ex-0001") {
		t.Error("plan output contains a key")
	}
	t.Log(out.String())
}
