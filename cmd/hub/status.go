package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/hubctl/hub/engine/config"
	"github.com/hubctl/hub/engine/telemetry"
	"github.com/hubctl/hub/views"
)

func (a *app) statusCommand() *cobra.Command {
	var f credFlags
	since := 30 * 24 * time.Hour
	var history bool
	c := &cobra.Command{
		Use:   "status [CREDENTIAL...]",
		Short: "Show each credential's health, balance and today's usage from the last refresh",
		Long: `Show a table of the credentials: API type, base URL, health, balance, today's
cost, requests and tokens, model count, when it was last refreshed and its
last error. The figures come from the state, as hub refresh last recorded
them (on any host, with a WebDAV state); nothing is sent upstream.

A credential whose key or base URL changed since its last refresh shows as
"stale": its figures belonged to the old key. Run hub refresh to update.

The trend column (30D, or --since's window) and --history read the series
hub refresh and hub watch --refresh-every keep on this machine in
.hub/history, with the refreshes other hosts recorded in the shared state
since: every refresh of the last 7 days, then each day's last, kept a year
unless the configuration says otherwise:

  hub {
    history { retention = "90d" }   # days, from "7d" to "3650d"
  }

A day without a refresh is a gap, never an invented figure (unless the
upstream gave that whole day's figures: New API's token log). A renamed
credential (same API type, base URL and key) keeps its series; a new key
starts one.

A credential with expires = "..." shows the date in an EXPIRES column; one
that has expired, or expires within the hub block's expiry_warning (7 days
unless set), says so in its health ("expired today", "expires in 3 days")
and is listed first, the soonest first.`,
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
			days := int(since / (24 * time.Hour))
			now := time.Now()
			dayNames := telemetry.LastDays(now, time.Local, days)
			if history {
				var hrows []views.HistoryRow
				for _, c := range sel {
					row := views.HistoryRow{Credential: c, Days: dayNames, Points: make([]*telemetry.Point, days)}
					rec, err := telemetry.Load(st, c.ID)
					if err != nil {
						return err
					}
					s, err := a.series(cfg, c, rec, salt, now)
					if err != nil {
						a.warnf("%v", err)
					} else if s != nil {
						row.Points = s.On(dayNames)
					}
					hrows = append(hrows, row)
				}
				view.History(hrows)
				return nil
			}
			rows := make([]views.StatusRow, 0, len(sel))
			for _, c := range sel {
				rec, err := telemetry.Load(st, c.ID)
				if err != nil {
					return err
				}
				row := views.StatusRow{Credential: c, Record: rec, Stale: rec != nil && !rec.Matches(c, salt), ExpiryWarning: cfg.ExpiryWarning}
				s, err := a.series(cfg, c, rec, salt, now)
				if err != nil {
					a.warnf("%v; its balance trend is left out", err)
				} else if s != nil {
					row.Balances, row.Days = s.Balances(dayNames), dayNames
				}
				rows = append(rows, row)
			}
			view.Status(rows)
			return nil
		},
	}
	f.register(c, false)
	c.Flags().BoolVar(&history, "history", false, "per credential, the window's days: the balance as a line, daily cost and requests as bars, health changes with their reasons")
	c.Flags().Var(&dayFlag{&since}, "since", "the balance trend's window, in days (`7d`, 30d, 90d; default 30d), from the history hub refresh keeps")
	return c
}

// dayFlag is a whole number of days, written "7d" (or "7").
type dayFlag struct{ d *time.Duration }

func (f *dayFlag) String() string {
	if f.d == nil {
		return ""
	}
	return fmt.Sprintf("%dd", int(*f.d/(24*time.Hour)))
}

func (f *dayFlag) Set(s string) error {
	n, err := strconv.Atoi(strings.TrimSuffix(s, "d"))
	if err != nil || n < 2 || n > 366 {
		return fmt.Errorf("give a number of days from 2 to 366, like 7d")
	}
	*f.d = time.Duration(n) * 24 * time.Hour
	return nil
}

func (f *dayFlag) Type() string { return "days" }

// series is credential c's history as this machine shows it: its own
// series (nil when of another key), with the refreshes other hosts
// recorded in the shared state since (rec's samples), so a machine that
// does not refresh still sees the others'.
func (a *app) series(cfg *config.Config, c *config.Credential, rec *telemetry.Record, salt []byte, now time.Time) (*telemetry.Series, error) {
	s, err := telemetry.LoadSeries(a.ctx, a.historyPath(), c.ID)
	if err != nil {
		return nil, err
	}
	if !s.Matches(c, salt) {
		s = nil
	}
	if rec.Matches(c, salt) {
		s = s.WithSamples(rec, time.Time{}, now, time.Local, cfg.History.Retention)
	}
	return s, nil
}
