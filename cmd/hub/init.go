package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/hubctl/hub/engine/system"
	"github.com/hubctl/hub/engine/vault"
	"github.com/hubctl/hub/views"
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

  # Never write a key here. Read it from the environment (or a file kept out
  # of git): export RELAY_API_KEY before running hub. Or keep it in this
  # repository, encrypted with age, so a clone needs no export: add who may
  # decrypt (hub secret recipients add age1...), run hub secret set relay,
  # and write instead:
  #   api_key = secret("relay")
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

const initGitattributes = `# git diff shows which secret changed, never ciphertext, with:
#   git config diff.hub-secret.textconv "hub secret textconv"
secrets/*.age diff=hub-secret
`

// initHook is the pre-commit hook of hub init --git-hook; %s is the
// configuration's --chdir, if it is not the repository's top.
const initHook = `#!/bin/sh
# Installed by hub init --git-hook: refuse a commit that would put an API key
# in the repository (a key-shaped literal in *.hcl, a key file git would
# commit, a secret encrypted to old recipients). Bypass once: git commit -n.
exec hub %slint
`

// textconvConfig is the git config line that turns the diff driver on.
const textconvConfig = `git config diff.hub-secret.textconv "hub secret textconv"`

// An initFile is one file hub init makes sure of: created with body when
// missing, else given the lines it lacks.
type initFile struct {
	name string
	body string
	// lines are those an existing file must hold (appended when missing);
	// none: an existing file is left alone.
	lines []string
}

func (a *app) initCommand() *cobra.Command {
	var hook bool
	c := &cobra.Command{
		Use:   "init",
		Short: "Set up a configuration directory: hub.hcl, .gitignore, secrets/, .gitattributes",
		Long: `Create what a configuration directory needs and does not have yet: a
commented hub.hcl (one credential whose key comes from the environment, and
Claude Code and Codex targets), a .gitignore that keeps hub's state out of
git, secrets/recipients.txt (who can decrypt the secrets kept in the
repository; see hub secret --help) and a .gitattributes that makes git diff
describe a changed secret instead of showing ciphertext.

A file that exists is never rewritten: hub.hcl and recipients.txt are left
alone (and no hub.hcl is created where *.hcl files exist already, such as
the imported.hcl of hub import), and .gitignore and .gitattributes only get the lines they lack,
appended. So hub init is safe to run again in an existing repository.

--git-hook also installs a git pre-commit hook that runs hub lint, which
refuses a commit that would put a key in the repository.`,
		Example: `  mkdir ~/creds && cd ~/creds && git init && hub init --git-hook
  ` + textconvConfig,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			dir := a.dir()
			var hooks, prefix string
			if hook {
				var err error
				if hooks, prefix, err = gitHooksDir(a, dir); err != nil {
					return err
				}
			}
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return fmt.Errorf("create %s: %w", dir, err)
			}
			view := views.NewInit(a.view())
			var files []initFile
			// A directory that has a configuration already (hub import
			// wrote imported.hcl, say) gets no starter hub.hcl: its example
			// targets would claim the same tools' files.
			have, _ := filepath.Glob(filepath.Join(dir, "*.hcl"))
			if _, err := os.Lstat(filepath.Join(dir, "hub.hcl")); err == nil || len(have) == 0 {
				files = append(files, initFile{name: "hub.hcl", body: initHCL})
			} else {
				view.Kept(have[0])
			}
			files = append(files, []initFile{
				{name: ".gitignore", body: initGitignore, lines: []string{".hub/", "*.plan"}},
				{name: filepath.Join(vault.Dir, vault.RecipientsFile), body: vault.RecipientsHeader},
				{name: ".gitattributes", body: initGitattributes, lines: []string{"secrets/*.age diff=hub-secret"}},
			}...)
			for _, f := range files {
				if err := ensureInitFile(view, filepath.Join(dir, f.name), f); err != nil {
					return err
				}
			}
			if hook {
				if err := installHook(view, hooks, prefix); err != nil {
					return err
				}
			}
			view.Next(textconvConfig)
			return nil
		},
	}
	c.Flags().BoolVar(&hook, "git-hook", false, "also install a git pre-commit hook that runs hub lint")
	return c
}

// ensureInitFile creates p with f.body if it is missing, else appends the
// lines of f.lines it lacks, keeping every byte the user wrote.
func ensureInitFile(view views.Init, p string, f initFile) error {
	old, err := system.ReadFile(context.Background(), p)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return fmt.Errorf("create %s: %w", filepath.Dir(p), err)
		}
		if err := (system.OS{}).WriteFileIf(p, []byte(f.body), 0o644, system.Cond{}); err != nil {
			return fmt.Errorf("create %s: %w", p, err)
		}
		view.Created(p)
		return nil
	case err != nil:
		return fmt.Errorf("read %s: %w", p, err)
	}
	have := map[string]bool{}
	for _, l := range strings.Split(string(old), "\n") {
		have[strings.TrimSpace(l)] = true
	}
	var missing []string
	for _, l := range f.lines {
		if !have[l] {
			missing = append(missing, l)
		}
	}
	if len(missing) == 0 {
		view.Kept(p)
		return nil
	}
	var b strings.Builder
	b.Write(old)
	if len(old) > 0 && !strings.HasSuffix(string(old), "\n") {
		b.WriteByte('\n')
	}
	b.WriteString("# added by hub init\n")
	for _, l := range missing {
		b.WriteString(l + "\n")
	}
	if err := (system.OS{}).WriteFileIf(p, []byte(b.String()), 0o644, system.Cond{Exists: true, Data: old}); err != nil {
		return fmt.Errorf("add to %s: %w", p, err)
	}
	view.Added(p, missing)
	return nil
}

// gitHooksDir is the hooks directory of the git repository holding dir,
// and dir's path from the repository's top ("" at the top).
func gitHooksDir(a *app, dir string) (hooks, prefix string, err error) {
	if _, err := exec.LookPath("git"); err != nil {
		return "", "", errors.New("--git-hook needs git, which is not on the PATH")
	}
	cmd := exec.CommandContext(a.ctx, "git", "rev-parse", "--git-path", "hooks", "--show-prefix")
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		abs, _ := filepath.Abs(dir)
		return "", "", fmt.Errorf("%s is not in a git repository, so there is no pre-commit hook to install; run git init there first, or leave out --git-hook", abs)
	}
	lines := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
	hooks = lines[0]
	if !filepath.IsAbs(hooks) {
		hooks = filepath.Join(dir, hooks)
	}
	if len(lines) > 1 {
		prefix = strings.TrimSuffix(lines[1], "/")
	}
	return hooks, prefix, nil
}

// installHook writes the pre-commit hook, unless another one is there.
func installHook(view views.Init, hooks, prefix string) error {
	chdir := ""
	if prefix != "" {
		chdir = "--chdir '" + strings.ReplaceAll(prefix, "'", `'\''`) + "' "
	}
	body := fmt.Sprintf(initHook, chdir)
	p := filepath.Join(hooks, "pre-commit")
	old, err := system.ReadFile(context.Background(), p)
	switch {
	case err == nil && string(old) == body:
		view.Kept(p)
		return nil
	case err == nil:
		return fmt.Errorf("%s exists and is not hub's; hub init never overwrites a hook. Add this line to it: hub %slint", p, chdir)
	case !errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("read %s: %w", p, err)
	}
	if err := os.MkdirAll(hooks, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", hooks, err)
	}
	if err := (system.OS{}).WriteFileIf(p, []byte(body), 0o755, system.Cond{}); err != nil {
		return fmt.Errorf("create %s: %w", p, err)
	}
	view.Created(p)
	return nil
}
