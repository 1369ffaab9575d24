package main

import (
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
environment variables named by env() that are not set. Writes nothing and
reads no target file.`,
		Example: "  hub validate\n  hub validate --json",
		Args:    cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			view := views.NewValidate(a.view(), asJSON)
			cfg, err := a.load(v, view)
			if err != nil {
				return err
			}
			view.Valid(len(cfg.Credentials), len(cfg.Targets))
			return nil
		},
	}
	v.register(c.Flags())
	c.Flags().BoolVar(&asJSON, "json", false, "print machine-readable output: one JSON object per line")
	return c
}
