package main

import (
	"github.com/spf13/cobra"

	"github.com/hubctl/hub/engine/telemetry"
	"github.com/hubctl/hub/views"
)

func (a *app) refreshCommand() *cobra.Command {
	var f credFlags
	c := &cobra.Command{
		Use:   "refresh [CREDENTIAL...]",
		Short: "Read models, balance, usage and health of each credential into the state",
		Long: `Ask each credential's upstream what it knows: the models the key can use,
the balance left and today's cost, requests and tokens (per the credential's
usage block; method auto tries New API's token usage, then Sub2API's
/v1/usage, then the OpenAI billing pair), and judge its health. The results
go into the state with a history of the last 50 refreshes, where hub status
shows them and every host sees them. Each refresh also adds a point to the
credential's balance history on this machine (.hub/history; kept a year, or
as hub { history { retention = "90d" } } says), which hub status draws.

Models found here are used by targets whose block names no model: each takes
the credential's first model of its family (claude-*, gpt-*, gemini-*), and
hub plan says so next to the value.

The network work runs first, without the state lock, at most --parallelism
credentials at once; the lock is then taken only to record the results
(waiting for another run's lock up to --lock-timeout, and at least 10s:
the results are already paid for).
Ctrl-C stops cleanly and records what finished. Exit status: 0 when every
credential was read (even if unhealthy), 1 on an error or interruption.`,
		Example: `  hub refresh                     # every credential
  hub refresh relay official      # two of them
  hub refresh --tag work --json   # machine-readable, one object per credential
  hub refresh && hub status`,
		RunE: func(c *cobra.Command, names []string) error {
			if err := f.check(); err != nil {
				return err
			}
			view := views.NewRefresh(a.view(), f.json)
			cfg, sel, err := a.loadSelected(&f, names, view)
			if err != nil {
				return err
			}
			sess, err := a.session(cfg, f.lock)
			if err != nil {
				return err
			}
			bar := a.newProgress("refreshing", len(sel), f.json)
			res := telemetry.Refresh(a.ctx, sel, telemetry.Options{Client: a.client(&f), Parallelism: f.parallelism, Progress: bar.Update})
			bar.Done()
			recs, err := sess.RecordRefresh(a.ctx, cfg, sel, res)
			if err != nil {
				return a.lockFailed(err)
			}
			skipped := 0
			for i, r := range res {
				if r.Skipped {
					skipped++
					continue
				}
				view.Refreshed(sel[i], &r, recs[sel[i].ID])
			}
			if skipped > 0 {
				a.errorf("interrupted: %d of %d credentials not refreshed (the others were recorded)", skipped, len(sel))
				return reported(1)
			}
			return nil
		},
	}
	f.register(c, true)
	f.lock.register(c)
	return c
}
