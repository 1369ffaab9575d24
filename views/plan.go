package views

import (
	"fmt"

	"github.com/hubctl/hub/engine"
	"github.com/hubctl/hub/engine/plans"
)

// Plan is hub plan's view.
type Plan interface {
	Diagnoser
	// Plan shows p (op names it in JSON: plan, apply, destroy) and its
	// target errors.
	Plan(p *plans.Plan, op string)
	// Saved says where the plan was saved and how to apply it.
	Saved(path string)
}

// NewPlan returns hub plan's view: JSON lines with asJSON, else text.
func NewPlan(v *View, asJSON bool) Plan {
	if asJSON {
		return planJSON{newJSON(v)}
	}
	return planHuman{v}
}

type planHuman struct{ *View }

// Plan writes the plan on stdout and each target error as an error line.
func (v planHuman) Plan(p *plans.Plan, _ string) {
	WritePlan(v.Out, p, v.Style)
	for _, e := range TargetErrors(p) {
		v.Errorf("%s", e)
	}
	for _, t := range p.Targets {
		for _, w := range t.Warnings {
			v.Warnf("%s", w)
		}
	}
}

func (v planHuman) Saved(path string) {
	fmt.Fprintf(v.Out, "\nSaved the plan to %s (it holds no keys). To apply exactly this plan:\n  hub apply %s\n", path, path)
}

type planJSON struct{ jsonView }

func (v planJSON) Plan(p *plans.Plan, op string) { v.j.Plan(p, op) }

// Saved says nothing: the path is the one the caller gave.
func (planJSON) Saved(string) {}

// Apply is the view of hub apply and hub destroy.
type Apply interface {
	Diagnoser
	// Plan shows the plan to be applied, as Plan.Plan does.
	Plan(p *plans.Plan, op string)
	// Applied shows what applying p did: each file written (JSON: and
	// each that failed) and the summary.
	Applied(op string, p *plans.Plan, res *engine.ApplyResult)
}

// NewApply returns the view of apply and destroy: JSON lines with asJSON,
// else text.
func NewApply(v *View, asJSON bool) Apply {
	if asJSON {
		return applyJSON{planJSON{newJSON(v)}}
	}
	return applyHuman{planHuman{v}}
}

type applyHuman struct{ planHuman }

func (v applyHuman) Applied(op string, p *plans.Plan, res *engine.ApplyResult) {
	for _, f := range res.Files(p) {
		if f.Err == nil {
			fmt.Fprintln(v.Out, wroteLine(f))
		}
	}
	fmt.Fprintln(v.Out)
	fmt.Fprintln(v.Out, v.Style.Bold(applySummary(op, p, res)))
}

type applyJSON struct{ planJSON }

func (v applyJSON) Applied(op string, p *plans.Plan, res *engine.ApplyResult) {
	for _, f := range res.Files(p) {
		if f.Err != nil {
			v.j.Emit("error", "apply_errored", f.Target+": "+f.Err.Error(), map[string]any{"target": f.Target, "path": f.Path, "error": f.Err.Error()})
			continue
		}
		v.j.Emit("info", "apply_complete", wroteLine(f), map[string]any{"target": f.Target, "path": f.Path, "backup": f.Backup})
	}
	s := p.Summary()
	v.j.Emit("info", "apply_summary", applySummary(op, p, res), map[string]any{"changes": map[string]any{"create": s.Create, "update": s.Update, "delete": s.Delete, "adopt": s.Adopt}})
}

// wroteLine is "ADDR: wrote PATH", with the backup when one was made.
func wroteLine(f engine.FileOutcome) string {
	msg := fmt.Sprintf("%s: wrote %s", f.Target, f.Path)
	if f.Backup != "" {
		msg += fmt.Sprintf(" (backup of the previous file: %s)", f.Backup)
	}
	return msg
}

// applySummary is the closing line of an apply or a destroy.
func applySummary(op string, p *plans.Plan, res *engine.ApplyResult) string {
	if res.Err() != nil {
		return "Apply finished with errors; see below."
	}
	s := p.Summary()
	if op == "destroy" {
		return fmt.Sprintf("Destroy complete! Items: %d deleted.", s.Delete)
	}
	line := fmt.Sprintf("Apply complete! Items: %d created, %d updated, %d deleted", s.Create, s.Update, s.Delete)
	if s.Adopt > 0 {
		line += fmt.Sprintf(", %d adopted", s.Adopt)
	}
	return line + "."
}
