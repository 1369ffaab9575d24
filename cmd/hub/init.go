package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/hubctl/hub/views"
	"github.com/spf13/cobra"
)

const initHCL = `# hub configuration: credentials and the tools that use them.
# Run "hub plan" to see what would change, "hub apply" to write it,
# "hub verify" to check the key and "hub refresh" then "hub status" for
# balance, usage and health.
# Docs: hub --help, hub COMMAND --help.

# A credential: one API key and where it works. The label ("relay") is its id.
credential "relay" {
  name     = "My relay"
  api_type = "openai-compatible" # openai-compatible | openai | anthropic | google
  base_url = "https://relay.example.com"

  # Never write a key here: read it from the environment (or a file kept out
  # of git). Export RELAY_API_KEY before running hub.
  api_key = env("RELAY_API_KEY")

  tags = ["personal"]

  # How hub refresh and hub status read balance and usage: auto tries New
  # API, Sub2API and the OpenAI billing endpoints in turn.
  # usage {
  #   method = "auto" # auto | newapi | openai_billing | sub2api | custom | disabled
  # }
}

# Claude Code: writes env.ANTHROPIC_BASE_URL and env.ANTHROPIC_AUTH_TOKEN
# into ~/.claude/settings.json (or $CLAUDE_CONFIG_DIR), keeping your other settings.
target "claude_code" "default" {
  credential = credential.relay
  # model    = "claude-sonnet-4-5"
}

# Codex CLI: adds [model_providers.relay] to ~/.codex/config.toml (or $CODEX_HOME).
target "codex" "default" {
  credential = credential.relay
  model      = "gpt-5"
  key_mode   = "env" # the key stays out of config.toml: export RELAY_API_KEY for codex
}
`

const initGitignore = `# hub's local state and lock: per machine, never committed
.hub/
# saved plans
*.plan
`

func (a *app) initCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "init",
		Short: "Create a starter hub.hcl and .gitignore",
		Long: `Create a commented hub.hcl (one credential whose key comes from the
environment, and Claude Code and Codex targets) and a .gitignore that keeps
hub's state out of git. Existing files are never overwritten.`,
		Example: "  mkdir ~/creds && cd ~/creds && hub init",
		Args:    cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			view := views.NewInit(a.view())
			dir := a.dir()
			files := []struct{ name, body string }{{"hub.hcl", initHCL}, {".gitignore", initGitignore}}
			for _, f := range files {
				p := filepath.Join(dir, f.name)
				if _, err := os.Lstat(p); err == nil {
					return fmt.Errorf("%s already exists; hub init never overwrites a file (move it away, or edit it by hand)", p)
				} else if !errors.Is(err, fs.ErrNotExist) {
					return fmt.Errorf("check %s: %w", p, err)
				}
			}
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return fmt.Errorf("create %s: %w", dir, err)
			}
			for _, f := range files {
				p := filepath.Join(dir, f.name)
				fh, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
				if err != nil {
					return fmt.Errorf("create %s: %w", p, err)
				}
				_, err = fh.WriteString(f.body)
				if cerr := fh.Close(); err == nil {
					err = cerr
				}
				if err != nil {
					return fmt.Errorf("write %s: %w", p, err)
				}
				view.Created(p)
			}
			view.Next()
			return nil
		},
	}
}
