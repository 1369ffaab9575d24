package main

import (
	"github.com/spf13/cobra"

	"github.com/hubctl/hub/engine/telemetry"
	"github.com/hubctl/hub/views"
)

func (a *app) statusCommand() *cobra.Command {
	var f credFlags
	c := &cobra.Command{
		Use:   "status [CREDENTIAL...]",
		Short: "Show each credential's health, balance and today's usage from the last refresh",
		Long: `Show a table of the credentials: API type, base URL, health, balance, today's
cost, requests and tokens, model count, when it was last refreshed and its
last error. The figures come from the state, as hub refresh last recorded
them (on any host, with a WebDAV state); nothing is sent upstream.

A credential whose key or base URL changed since its last refresh shows as
"stale": its figures belonged to the old key. Run hub refresh to update.`,
		Example: `  hub status
  hub status --tag work
  hub status --search relay --json`,
		RunE: func(c *cobra.Command, names []string) error {
			view := views.NewStatus(a.view(), f.json)
			cfg, sel, err := a.loadSelected(&f, names, view)
			if err != nil {
				return err
			}
			store, err := a.store(cfg.Backend)
			if err != nil {
				return err
			}
			st, err := a.loadState(store)
			if err != nil {
				return err
			}
			salt := st.SaltBytes()
			rows := make([]views.StatusRow, 0, len(sel))
			for _, c := range sel {
				rec, err := telemetry.Load(st, c.ID)
				if err != nil {
					return err
				}
				rows = append(rows, views.StatusRow{Credential: c, Record: rec, Stale: rec != nil && !rec.Matches(c, salt)})
			}
			view.Status(rows)
			return nil
		},
	}
	f.register(c, false)
	return c
}
