package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/hubctl/hub/engine/config"
	"github.com/hubctl/hub/engine/render"
	"github.com/hubctl/hub/engine/telemetry"
	"github.com/hubctl/hub/providers"
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
shows them and every host sees them.

Models found here are used by targets whose block names no model: each takes
the credential's first model of its family (claude-*, gpt-*, gemini-*), and
hub plan says so next to the value.

The network work runs first, without the state lock, at most --parallelism
credentials at once; the lock is then taken only to record the results.
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
			cfg, sel, j, err := a.loadSelected(&f, names)
			if err != nil {
				return err
			}
			sess, err := a.session(cfg)
			if err != nil {
				return err
			}
			bar := a.newProgress("refreshing", len(sel), f.json)
			res := telemetry.Refresh(a.ctx, sel, telemetry.Options{Client: a.client(&f), Parallelism: f.parallelism, Progress: bar.update})
			bar.done()
			recs, err := sess.RecordRefresh(a.ctx, sel, res)
			if err != nil {
				return a.lockFailed(err)
			}
			skipped := 0
			for i, r := range res {
				if r.Skipped {
					skipped++
					continue
				}
				a.showRefresh(j, sel[i], &r, recs[sel[i].ID])
			}
			if skipped > 0 {
				a.errorf("interrupted: %d of %d credentials not refreshed (the others were recorded)", skipped, len(sel))
				return reported(1)
			}
			return nil
		},
	}
	f.register(c, true)
	return c
}

func (a *app) showRefresh(j *render.JSON, c *config.Credential, r *telemetry.Result, rec *telemetry.Record) {
	if j != nil {
		fields := recordFields(c, rec)
		fields["duration_ms"] = r.Duration.Milliseconds()
		fields["requests"] = r.Requests
		j.Emit(levelOf(rec.Health.Status), "refresh", c.ID+": "+rec.Health.Status, fields)
		return
	}
	st := a.style()
	fmt.Fprintf(a.out, "%s %s  %s\n", healthMark(st, rec.Health.Status), st.Bold(c.ID), summary(rec))
	for _, err := range []error{r.ModelsErr, r.UsageErr} {
		if err == nil {
			continue
		}
		if f, ok := providers.AsFailure(err); ok && f.Unsupported() && err == r.UsageErr {
			fmt.Fprintf(a.out, "    usage: %s\n", err)
			continue
		}
		fmt.Fprintf(a.out, "    %s\n", err)
	}
}

func levelOf(health string) string {
	switch health {
	case telemetry.Error:
		return "error"
	case telemetry.Warning:
		return "warn"
	}
	return "info"
}

func healthMark(st render.Style, health string) string {
	switch health {
	case telemetry.Healthy:
		return st.Paint("32", "✓")
	case telemetry.Warning:
		return st.Paint("33", "!")
	case telemetry.Error:
		return st.Paint("31", "✗")
	}
	return "?"
}

// summary is a record in one line: health, models, balance, today.
func summary(r *telemetry.Record) string {
	s := r.Health.Status
	if r.Health.Status != telemetry.Healthy && r.Health.Class != "" {
		s += " (" + r.Health.Class.String() + ")"
	}
	s += fmt.Sprintf(", %s", plural(len(r.Models), "model"))
	if u := r.Usage; u != nil {
		s += ", balance " + balance(u)
		if t := today(u); t != "" {
			s += ", today " + t
		}
	}
	return s
}

func balance(u *providers.Usage) string {
	switch {
	case u == nil:
		return "-"
	case u.Unlimited:
		return "unlimited"
	case u.Balance == nil:
		return "-"
	}
	return money(*u.Balance)
}

func money(v float64) string { return fmt.Sprintf("$%.2f", v) }

func today(u *providers.Usage) string {
	var parts []string
	if u.TodayCost != nil {
		parts = append(parts, money(*u.TodayCost))
	}
	if u.TodayRequests != nil {
		parts = append(parts, plural(int(*u.TodayRequests), "request"))
	}
	if u.TodayTokens != nil {
		parts = append(parts, fmt.Sprintf("%s tokens", thousands(*u.TodayTokens)))
	}
	return strings.Join(parts, " / ")
}

// thousands writes n with comma separators: 1234567 → 1,234,567.
func thousands(n int64) string {
	s := fmt.Sprint(n)
	neg := ""
	if n < 0 {
		neg, s = "-", s[1:]
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return neg + s
}

// recordFields is a record for JSON output.
func recordFields(c *config.Credential, r *telemetry.Record) map[string]any {
	m := map[string]any{"credential": c.ID, "name": c.Name, "api_type": c.APIType, "base_url": c.BaseURL, "tags": c.Tags}
	if r == nil {
		m["health"] = telemetry.Health{Status: telemetry.Unknown, Reason: "never refreshed"}
		return m
	}
	m["health"] = r.Health
	m["models"] = r.Models
	m["model_count"] = len(r.Models)
	if r.Usage != nil {
		m["usage"] = r.Usage
	}
	m["last_refresh"] = r.LastRefresh
	if !r.LastSuccess.IsZero() {
		m["last_success"] = r.LastSuccess
	}
	if r.LastError != "" {
		m["last_error"] = r.LastError
	}
	return m
}
