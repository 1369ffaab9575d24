package main

import (
	"github.com/hashicorp/hcl/v2"
	"github.com/spf13/cobra"

	"github.com/hubctl/hub/engine/config"
	"github.com/hubctl/hub/engine/lint"
	"github.com/hubctl/hub/views"
)

const lintLong = `Check that the configuration repository is safe to commit and push, without
evaluating it: it needs no environment variable, no identity and no network,
so it runs as a git pre-commit hook (hub init --git-hook installs one) and in
CI on a fresh clone. It reports, as file:line:col with the source lines (keys
hidden):

  - a literal that looks like an API key in any *.hcl file (sk-, sk-ant-,
    AIza... shapes, or a long random string in api_key, token, password,
    passphrase and other key attributes): move it into an encrypted secret
    (hub secret set NAME, then api_key = secret("NAME")) or use env("VAR");
  - a key file read by file() in a key attribute that git would commit (not
    in .gitignore, or tracked already); checked only inside a git work tree;
  - in secrets/: a file that is not encrypted (only recipients.txt and
    NAME.age belong there), a damaged .age file, a secret encrypted to other
    recipients than secrets/recipients.txt (run hub secret rekey), a secret
    not written by hub, and .age files without a recipients file;
  - a secret("NAME") with no secrets/NAME.age.

Exits 1 if there is any error, 0 otherwise (warnings are printed). hub
validate runs the same checks after loading the configuration.`

func (a *app) lintCommand() *cobra.Command {
	var asJSON bool
	c := &cobra.Command{
		Use:     "lint",
		Short:   "Check the repository for keys that git would commit, and the secrets for problems",
		Long:    lintLong,
		Example: "  hub lint\n  hub lint --json\n  hub init --git-hook        # run hub lint before every commit",
		Args:    cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			view := views.NewLint(a.view(), asJSON)
			files, diags := config.ParseFiles(a.dir())
			diags = append(diags, a.lint(files, false)...)
			view.Diagnostics(diags, files)
			errors, warnings := lint.Count(diags)
			view.Summary(errors, warnings)
			if errors > 0 {
				return reported(1)
			}
			return nil
		},
	}
	c.Flags().BoolVar(&asJSON, "json", false, "print machine-readable output: one JSON object per line")
	return c
}

// lint runs the repository checks on the parsed files; evaluated says
// config.Load has reported their secret() calls already.
func (a *app) lint(files map[string]*hcl.File, evaluated bool) hcl.Diagnostics {
	return lint.Check(lint.Options{Dir: a.dir(), Home: a.env["HOME"], Evaluated: evaluated, Context: a.ctx}, files)
}
