package aider_test

import (
	"strings"
	"testing"

	"github.com/hubctl/hub/targets/targettest"
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
	out := targettest.PlanConfig(t, example, map[string]string{"RELAY_API_KEY": "sk-test-aider-ex-0001"})
	for _, want := range []string{`+ model           = "openai/qwen3-coder"`, `+ openai-api-base = "https://relay.example.com/v1"`, "+ openai-api-key  = (sensitive value)"} {
		if !strings.Contains(out, want) {
			t.Errorf("plan lacks %s:\n%s", want, out)
		}
	}
	t.Log(out)
}
