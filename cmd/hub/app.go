package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/hubctl/hub/engine/vault"
	"github.com/hubctl/hub/secret"
	"github.com/hubctl/hub/views"
)

// app is the state of one hub invocation shared by its commands.
type app struct {
	ctx      context.Context // cancelled on SIGINT/SIGTERM
	in       io.Reader
	out      *secret.Writer
	errw     *secret.Writer
	terminal bool
	// inTerminal and outTerminal: stdin, stdout alone is a terminal.
	inTerminal, outTerminal bool
	// rawOut is stdout without the redactor: only hub secret get writes
	// to it, the one output meant to carry a secret's value.
	rawOut io.Writer
	// noSecretsCache: the keyring neither reads nor writes the secrets
	// cache (hub secret textconv, which git runs on every diff).
	noSecretsCache bool
	color          bool
	progress       bool
	env            map[string]string
	redactor       *secret.Redactor

	keys  *vault.Keyring // made by keyring()
	width int            // the terminal's columns, 0 when not a terminal

	// global flags
	chdir      string
	noColor    bool
	identities []string
}

// view is the base of every command's view: this invocation's redacting
// streams and colour (read when called: --no-color is parsed after a is made).
func (a *app) view() *views.View {
	return &views.View{Out: a.out, Err: a.errw, Style: views.Style{Color: a.color && !a.noColor}, Width: a.width}
}

// errorf prints "hub: error: ..." on stderr.
func (a *app) errorf(format string, args ...any) { a.view().Errorf(format, args...) }

// warnf prints "hub: warning: ..." on stderr.
func (a *app) warnf(format string, args ...any) { a.view().Warnf(format, args...) }

// hint prints "hub: hint: ..." on stderr.
func (a *app) hint(format string, args ...any) { a.view().Hintf(format, args...) }

// dir is the configuration directory: --chdir, else HUB_DIR, else ".".
func (a *app) dir() string {
	if a.chdir != "" {
		return a.chdir
	}
	if d := a.env["HUB_DIR"]; d != "" {
		return d
	}
	return "."
}

// host is this machine's id in state: HUB_HOST, else the hostname.
func (a *app) host() string {
	if h := a.env["HUB_HOST"]; h != "" {
		return h
	}
	h, err := os.Hostname()
	if err != nil || h == "" {
		return "localhost"
	}
	return h
}

// statePath is where the local state lives.
func (a *app) statePath() string { return filepath.Join(a.dir(), ".hub", "state.json") }

const rootLong = `hub manages AI API credentials as code.

Describe your credentials (base URL, key, API type, models) and the tools
that use them (Claude Code, Codex, ...) in *.hcl files kept in git. hub plan
shows, key by key, what would change in each tool's own config file; hub apply
writes exactly that and nothing else, keeping every other setting, comment and
the file's layout as they were.

Keys never appear in hub's output, state or saved plans.`

const rootExample = `  hub init                      # scaffold hub.hcl and .gitignore here
  hub validate                  # check the configuration
  hub lint                      # no key that git would commit (pre-commit, CI)
  hub plan                      # what would change, key by key
  hub apply                     # write it (asks first)
  hub verify                    # do the keys work? (--deep: real completions)
  hub refresh && hub status     # models, balance, today's usage, health
  hub --chdir ~/creds plan      # use another configuration directory
  hub plan -out=tfplan          # Terraform spellings work too`

func (a *app) rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:           "hub",
		Short:         "Manage AI API credentials as code",
		Long:          rootLong,
		Example:       rootExample,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.PersistentFlags().StringVarP(&a.chdir, "chdir", "C", "", "use `DIR` as the configuration directory (default: HUB_DIR or the current directory)")
	root.PersistentFlags().BoolVar(&a.noColor, "no-color", false, "do not colour the output")
	root.PersistentFlags().StringArrayVarP(&a.identities, "identity", "i", nil, "decrypt secrets with the age identity `FILE` (repeatable; default: HUB_AGE_IDENTITY, else ~/.config/hub/identity.txt, ~/.ssh/id_ed25519, ~/.ssh/id_rsa)")
	root.AddCommand(
		a.initCommand(),
		a.validateCommand(),
		a.lintCommand(),
		a.fmtCommand(),
		a.planCommand(),
		a.applyCommand(),
		a.destroyCommand(),
		a.watchCommand(),
		a.verifyCommand(),
		a.modelsCommand(),
		a.refreshCommand(),
		a.statusCommand(),
		a.reportCommand(),
		a.stateCommand(),
		a.secretCommand(),
		a.importCommand(),
		a.exportCommand(),
		a.versionCommand(),
	)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return fmt.Errorf("%s: %w", c.CommandPath(), err)
	})
	return root
}
