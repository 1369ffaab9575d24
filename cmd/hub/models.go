package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/hubctl/hub/providers"
	"github.com/hubctl/hub/views"
)

func (a *app) modelsCommand() *cobra.Command {
	var f credFlags
	c := &cobra.Command{
		Use:   "models CREDENTIAL",
		Short: "List the models a credential's key can use, live from its upstream",
		Long: `Ask the credential's upstream which models its key can use (GET /v1/models,
Anthropic's paged list, or Gemini's; relays that keep the API under another
prefix are tried at <base>/models too) and print their ids, one per line, so
the output can be piped. The endpoint that answered and the count go to
stderr. Nothing is written; hub refresh records the list in the state.`,
		Example: `  hub models relay
  hub models relay | grep claude
  hub models official --json`,
		Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, names []string) error {
			if err := f.check(); err != nil {
				return err
			}
			view := views.NewModels(a.view(), f.json)
			_, sel, err := a.loadSelected(&f, names, view)
			if err != nil {
				return err
			}
			cred := sel[0]
			fam, err := providers.Lookup(cred.APIType)
			if err != nil {
				return err
			}
			list, err := fam.Models(a.ctx, a.client(&f), cred)
			if err != nil {
				return fmt.Errorf("credential %s: %w", cred.ID, err)
			}
			view.Models(cred.ID, list)
			return nil
		},
	}
	f.vars.register(c.Flags())
	c.Flags().BoolVar(&f.json, "json", false, "print the list as one JSON object")
	c.Flags().DurationVar(&f.timeout, "timeout", defaultTimeout, "give up on one HTTP request after `DURATION`")
	f.parallelism = 1
	return c
}
