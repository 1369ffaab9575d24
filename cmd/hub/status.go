package main

import (
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/hubctl/hub/engine/config"
	"github.com/hubctl/hub/engine/telemetry"
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
			cfg, sel, j, err := a.loadSelected(&f, names)
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
			rows := make([]statusRow, 0, len(sel))
			for _, c := range sel {
				rec, err := telemetry.Load(st, c.ID)
				if err != nil {
					return err
				}
				rows = append(rows, statusRow{c: c, rec: rec, stale: rec != nil && !rec.Matches(c, salt)})
			}
			if j != nil {
				for _, r := range rows {
					fields := recordFields(r.c, r.rec)
					if r.stale {
						fields["stale"] = true
					}
					status := telemetry.Unknown
					if r.rec != nil {
						status = r.rec.Health.Status
					}
					j.Emit(levelOf(status), "status", r.c.ID+": "+status, fields)
				}
				return nil
			}
			a.statusTable(rows, time.Now())
			return nil
		},
	}
	f.register(c, false)
	return c
}

type statusRow struct {
	c     *config.Credential
	rec   *telemetry.Record
	stale bool
}

func (a *app) statusTable(rows []statusRow, now time.Time) {
	tw := tabwriter.NewWriter(a.out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "CREDENTIAL\tTYPE\tBASE URL\tHEALTH\tBALANCE\tTODAY\tREQUESTS\tTOKENS\tMODELS\tREFRESHED\tLAST ERROR")
	never := 0
	for _, r := range rows {
		cols := []string{r.c.ID, r.c.APIType, r.c.BaseURL}
		switch {
		case r.rec == nil:
			never++
			cols = append(cols, "unknown", "-", "-", "-", "-", "-", "never", "")
		case r.stale:
			cols = append(cols, "stale", "-", "-", "-", "-", "-", ago(now, r.rec.LastRefresh), "key or base URL changed since; run hub refresh")
		default:
			u := r.rec.Usage
			cost, reqs, toks := "-", "-", "-"
			if u != nil {
				if u.TodayCost != nil {
					cost = money(*u.TodayCost)
				}
				if u.TodayRequests != nil {
					reqs = thousands(*u.TodayRequests)
				}
				if u.TodayTokens != nil {
					toks = thousands(*u.TodayTokens)
				}
			}
			health := r.rec.Health.Status
			if r.rec.Health.Class != "" && health != telemetry.Healthy {
				health += ": " + r.rec.Health.Class.String()
			}
			cols = append(cols, health, balance(u), cost, reqs, toks, fmt.Sprint(len(r.rec.Models)), ago(now, r.rec.LastRefresh), oneLine(r.rec.LastError, 70))
		}
		fmt.Fprintln(tw, strings.Join(cols, "\t"))
	}
	tw.Flush()
	if never > 0 {
		fmt.Fprintf(a.out, "\n%s never refreshed: run hub refresh to read models, balance and health.\n", plural(never, "credential"))
	}
}

// ago is a short age: "3m ago", "2h ago", "4d ago".
func ago(now, t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	d := now.Sub(t)
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return fmt.Sprintf("%dm ago", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh ago", int(d.Hours()))
	}
	return fmt.Sprintf("%dd ago", int(d.Hours()/24))
}

func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len([]rune(s)) > n {
		return string([]rune(s)[:n-1]) + "…"
	}
	return s
}
