package views

import (
	"encoding/json"
	"io"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/hubctl/hub/engine/plans"
)

// JSON writes machine-readable messages, one JSON object per line, in the
// shape Terraform's -json users know: every line has @level, @message,
// @timestamp and type.
type JSON struct {
	W   io.Writer
	Now func() time.Time
}

// Emit writes one message. Fields are merged into the line.
func (j *JSON) Emit(level, typ, message string, fields map[string]any) {
	m := map[string]any{"@level": level, "@message": message, "type": typ}
	now := time.Now
	if j.Now != nil {
		now = j.Now
	}
	m["@timestamp"] = now().UTC().Format(time.RFC3339Nano)
	for k, v := range fields {
		m[k] = v
	}
	b, err := json.Marshal(m)
	if err != nil {
		b, _ = json.Marshal(map[string]any{"@level": "error", "@message": "cannot encode message: " + err.Error(), "type": "log"})
	}
	j.W.Write(append(b, '\n'))
}

// Diagnostics emits one "diagnostic" message per diagnostic.
func (j *JSON) Diagnostics(diags hcl.Diagnostics) {
	for _, d := range diags {
		level := "error"
		if d.Severity == hcl.DiagWarning {
			level = "warn"
		}
		diag := map[string]any{"severity": level, "summary": d.Summary, "detail": d.Detail}
		if d.Subject != nil {
			pos := func(p hcl.Pos) map[string]int {
				return map[string]int{"line": p.Line, "column": p.Column, "byte": p.Byte}
			}
			diag["range"] = map[string]any{"filename": d.Subject.Filename, "start": pos(d.Subject.Start), "end": pos(d.Subject.End)}
		}
		msg := level + ": " + d.Summary
		j.Emit(level, "diagnostic", msg, map[string]any{"diagnostic": diag})
	}
}

// Plan emits drift, planned changes, target errors and the summary.
func (j *JSON) Plan(p *plans.Plan, operation string) {
	for _, t := range p.Targets {
		if t.Error != "" {
			j.Emit("error", "target_error", t.Address+": "+t.Error, map[string]any{"target": t.Address, "error": t.Error})
		}
		for _, f := range t.Files {
			if f.Error != "" {
				j.Emit("error", "target_error", t.Address+": "+f.Error, map[string]any{"target": t.Address, "path": f.Path, "error": f.Error})
			}
			for _, d := range f.Drift {
				what := "changed"
				if d.Deleted {
					what = "deleted"
				}
				j.Emit("info", "resource_drift", t.Address+": "+d.Key+" "+what+" outside hub",
					map[string]any{"target": t.Address, "path": f.Path, "drift": d})
			}
			for _, c := range f.Changes {
				j.Emit("info", "planned_change", t.Address+": "+c.Key+": plan to "+c.Action.String(),
					map[string]any{"target": t.Address, "path": f.Path, "change": c})
			}
		}
		for _, n := range t.Standing {
			j.Emit("info", "target_note", t.Address+": "+n, map[string]any{"target": t.Address, "note": n, "standing": true})
		}
		if !t.HasChanges() {
			continue
		}
		for _, w := range t.Warnings {
			j.Emit("warn", "target_warning", w, map[string]any{"target": t.Address, "warning": w})
		}
		for _, n := range t.Notes {
			j.Emit("info", "target_note", t.Address+": "+n, map[string]any{"target": t.Address, "note": n})
		}
	}
	s := p.Summary()
	j.Emit("info", "change_summary", SummaryLine(s), map[string]any{"changes": map[string]any{
		"create": s.Create, "update": s.Update, "delete": s.Delete, "adopt": s.Adopt, "operation": operation,
	}})
}
