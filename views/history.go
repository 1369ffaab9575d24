package views

import (
	"fmt"
	"math"
	"strings"

	"github.com/hubctl/hub/engine/config"
	"github.com/hubctl/hub/engine/telemetry"
)

// A HistoryRow is one credential's days for hub status --history: the
// window's days (oldest first) and each day's last refresh (nil: none).
type HistoryRow struct {
	Credential *config.Credential
	Days       []string
	Points     []*telemetry.Point
}

// History shows each credential's window: the balance as a line, the daily
// cost and requests as bars, and the health changes with their reasons.
func (v statusHuman) History(rows []HistoryRow) {
	for i, r := range rows {
		if i > 0 {
			fmt.Fprintln(v.Out)
		}
		c := r.Credential
		fmt.Fprintf(v.Out, "%s  %s  %s  (%d days to %s)\n", c.ID, c.APIType, c.BaseURL, len(r.Days), r.Days[len(r.Days)-1])
		bal, cost, reqs := series(r.Points, func(p *telemetry.Point) *float64 { return p.Balance }),
			series(r.Points, func(p *telemetry.Point) *float64 { return p.Cost }),
			series(r.Points, func(p *telemetry.Point) *float64 {
				if p.Requests == nil {
					return nil
				}
				f := float64(*p.Requests)
				return &f
			})
		if countFigures(bal) == 0 && countFigures(cost) == 0 && countFigures(reqs) == 0 && !anyPoint(r.Points) {
			fmt.Fprintln(v.Out, "  no refresh in this window: run hub refresh (or hub watch --refresh-every) to keep a history")
			continue
		}
		if first, last, ok := ends(bal); ok {
			fmt.Fprintf(v.Out, "  balance   %s  %s -> %s\n", Sparkline(bal), money(first), money(last))
		}
		if countFigures(cost) > 0 {
			fmt.Fprintf(v.Out, "  cost/day  %s  %s in all\n", Sparkline(cost), money(sum(cost)))
		}
		if countFigures(reqs) > 0 {
			fmt.Fprintf(v.Out, "  requests  %s  %s in all\n", Sparkline(reqs), thousands(int64(sum(reqs))))
		}
		var changes []string
		prev := ""
		for i, p := range r.Points {
			if p == nil || p.Health == prev {
				continue
			}
			prev = p.Health
			what := r.Days[i] + " " + p.Health
			if p.Reason != "" && p.Health != telemetry.Healthy {
				what += ": " + oneLine(printable(p.Reason), 80)
			}
			changes = append(changes, what)
		}
		fmt.Fprintf(v.Out, "  health    %s\n", strings.Join(changes, "\n            "))
	}
}

func (v statusJSON) History(rows []HistoryRow) {
	for _, r := range rows {
		var days []map[string]any
		for i, p := range r.Points {
			if p == nil {
				continue
			}
			d := map[string]any{"day": r.Days[i], "health": p.Health}
			if p.Balance != nil {
				d["balance"] = *p.Balance
			}
			if p.Cost != nil {
				d["cost"] = *p.Cost
			}
			if p.Requests != nil {
				d["requests"] = *p.Requests
			}
			if p.Tokens != nil {
				d["tokens"] = *p.Tokens
			}
			if p.Prompt != nil && p.Completion != nil {
				d["prompt_tokens"], d["completion_tokens"] = *p.Prompt, *p.Completion
			}
			if p.Reason != "" {
				d["reason"] = printable(p.Reason)
			}
			days = append(days, d)
		}
		v.j.Emit("info", "status_history", fmt.Sprintf("%s: %d days with figures", r.Credential.ID, len(days)),
			map[string]any{"credential": r.Credential.ID, "from": r.Days[0], "to": r.Days[len(r.Days)-1], "days": days})
	}
}

func series(ps []*telemetry.Point, get func(*telemetry.Point) *float64) []float64 {
	out := make([]float64, len(ps))
	for i, p := range ps {
		out[i] = math.NaN()
		if p != nil {
			if v := get(p); v != nil {
				out[i] = *v
			}
		}
	}
	return out
}

func anyPoint(ps []*telemetry.Point) bool {
	for _, p := range ps {
		if p != nil {
			return true
		}
	}
	return false
}

// ends returns the first and last figures of vs.
func ends(vs []float64) (first, last float64, ok bool) {
	for _, v := range vs {
		if !math.IsNaN(v) {
			if !ok {
				first, ok = v, true
			}
			last = v
		}
	}
	return first, last, ok
}

func sum(vs []float64) float64 {
	t := 0.0
	for _, v := range vs {
		if !math.IsNaN(v) {
			t += v
		}
	}
	return t
}
