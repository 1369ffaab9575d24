package continuedev_test

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

// example is the configuration shown in the README's continue section.
const example = `
credential "relay" {
  name     = "Company relay"
  api_type = "openai-compatible"
  base_url = "https://relay.example.com"
  api_key  = env("RELAY_API_KEY")
  models   = ["gpt-4.1", "deepseek-chat"]
}

credential "claude" {
  api_type = "anthropic"
  base_url = "https://api.anthropic.com"
  api_key  = env("ANTHROPIC_API_KEY")
  models   = ["claude-sonnet-4-5"]
}

target "continue" "default" {
  credentials = [credential.relay, credential.claude]

  # optional
  models     = { relay = ["gpt-4.1"] }      # else the credential's models
  roles      = ["chat", "edit", "apply"]    # else Continue's default roles
  key_mode   = "env"                        # keys in ~/.continue/.env as ${{ secrets.RELAY_API_KEY }}, ...
  key_env    = { claude = "CLAUDE_KEY" }    # secret names; default <ID>_API_KEY
  # config_dir = "~/.continue"              # default: $CONTINUE_GLOBAL_DIR, else ~/.continue
}
`

// TestExample loads and plans the README example through hub's loader.
func TestExample(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "hub.hcl"), []byte(example), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"HOME": filepath.Join(dir, "home"), "RELAY_API_KEY": "sk-test-cont-ex-0001", "ANTHROPIC_API_KEY": "sk-ant-test-cont-ex-0002"}
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
	for _, want := range []string{`models[name="Company relay / gpt-4.1"].apiBase`, `models[name="claude / claude-sonnet-4-5"].roles`, "+ CLAUDE_KEY", "+ RELAY_API_KEY"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("plan lacks %s:\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String(), "sk-test-cont-ex-0001") || strings.Contains(out.String(), "sk-ant-test-cont-ex-0002") {
		t.Error("plan output contains a key")
	}
	t.Log(out.String())
}
