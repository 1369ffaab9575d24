package continuedev_test

import (
	"strings"
	"testing"

	"github.com/hubctl/hub/targets/targettest"
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
	out := targettest.PlanConfig(t, example, map[string]string{"RELAY_API_KEY": "sk-test-cont-ex-0001", "ANTHROPIC_API_KEY": "sk-ant-test-cont-ex-0002"})
	for _, want := range []string{`models[name="Company relay / gpt-4.1"].apiBase`, `models[name="claude / claude-sonnet-4-5"].roles`, "+ CLAUDE_KEY", "+ RELAY_API_KEY"} {
		if !strings.Contains(out, want) {
			t.Errorf("plan lacks %s:\n%s", want, out)
		}
	}
	t.Log(out)
}
