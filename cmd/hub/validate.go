package main

import (
	"github.com/hashicorp/hcl/v2"
	"github.com/spf13/cobra"

	"github.com/hubctl/hub/views"
)

func (a *app) validateCommand() *cobra.Command {
	var v varFlags
	var asJSON bool
	c := &cobra.Command{
		Use:   "validate",
		Short: "Check the configuration and report every problem at once",
		Long: `Load every *.hcl file of the configuration directory and report all problems
at once, each as file:line:col with the source lines: syntax errors, unknown
block and target types (with a suggestion), references to undeclared
credentials, variables and locals, missing required attributes, and
environment variables named by env() that are not set. Then the checks of hub
lint: keys written in the files, key files git would commit, and problems in
secrets/, shown as warnings: they make a repository unsafe to push, not a
configuration invalid (hub lint, and the pre-commit hook hub init --git-hook
installs, fail on them). Writes nothing and reads no target file.`,
		Example: "  hub validate\n  hub validate --json",
		Args:    cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			view := views.NewValidate(a.view(), asJSON)
			// The load's diagnostics and the lint's are shown together.
			var loaded diagnostics
			cfg, err := a.load(v, &loaded)
			diags := append(loaded.diags, asWarnings(a.lint(cfg.Files, true))...)
			view.Diagnostics(diags, cfg.Files)
			if err != nil || diags.HasErrors() {
				return reported(1)
			}
			view.Valid(len(cfg.Credentials), len(cfg.Targets))
			return nil
		},
	}
	v.register(c.Flags())
	c.Flags().BoolVar(&asJSON, "json", false, "print machine-readable output: one JSON object per line")
	return c
}

// diagnostics keeps the diagnostics shown to it, for a command that adds
// its own before showing them.
type diagnostics struct{ diags hcl.Diagnostics }

func (d *diagnostics) Diagnostics(diags hcl.Diagnostics, _ map[string]*hcl.File) {
	d.diags = append(d.diags, diags...)
}

// asWarnings turns lint's errors into warnings for hub validate: a key in a
// file makes the repository unsafe to push, not the configuration invalid.
func asWarnings(diags hcl.Diagnostics) hcl.Diagnostics {
	out := make(hcl.Diagnostics, len(diags))
	for i, d := range diags {
		c := *d
		if c.Severity == hcl.DiagError {
			c.Severity = hcl.DiagWarning
			c.Detail += " (hub lint fails on this.)"
		}
		out[i] = &c
	}
	return out
}
