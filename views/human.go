package views

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/hubctl/hub/engine/plans"
	"github.com/hubctl/hub/secret"
)

// Style switches colour on or off.
type Style struct{ Color bool }

// Paint wraps text in an ANSI colour code when colour is on.
func (s Style) Paint(code, text string) string {
	if !s.Color {
		return text
	}
	return "\x1b[" + code + "m" + text + "\x1b[0m"
}

func (s Style) action(a plans.Action) string {
	sym := string(rune(a))
	switch a {
	case plans.Create:
		return s.Paint("32", sym)
	case plans.Update:
		return s.Paint("33", sym)
	case plans.Delete:
		return s.Paint("31", sym)
	}
	return s.Paint("36", sym)
}

// Bold renders text in bold.
func (s Style) Bold(text string) string { return s.Paint("1", text) }

// Value renders a JSON-like value compactly: strings quoted, others as JSON.
func Value(v any, sensitive bool) string {
	if sensitive {
		return secret.Placeholder
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Sprint(v)
	}
	return strings.TrimSuffix(buf.String(), "\n")
}

// Plan writes the human view of a plan.
func WritePlan(w io.Writer, p *plans.Plan, st Style) {
	if p.HasDrift() {
		fmt.Fprintln(w, st.Bold("Note: items hub owns have changed outside hub"))
		fmt.Fprintln(w)
		for _, t := range p.Targets {
			for _, f := range t.Files {
				if len(f.Drift) == 0 {
					continue
				}
				fmt.Fprintf(w, "  # %s: %s\n", t.Address, f.Path)
				for _, d := range f.Drift {
					if d.Deleted {
						fmt.Fprintf(w, "  %s %s: deleted outside hub\n", st.action(plans.Delete), d.Key)
					} else {
						fmt.Fprintf(w, "  %s %s: changed outside hub, now %s\n", st.action(plans.Update), d.Key, Value(d.Actual, d.Sensitive))
					}
				}
				fmt.Fprintln(w)
			}
		}
		fmt.Fprintln(w, "The plan below puts back what hub wrote, where the configuration still wants it.")
		fmt.Fprintln(w)
	}
	if !p.HasChanges() {
		if p.Errored() {
			fmt.Fprintln(w, "No changes for the targets that could be planned.")
		} else {
			fmt.Fprintln(w, "No changes. Every target matches the configuration.")
		}
		standing(w, p)
		return
	}
	legend(w, p, st)
	if p.Destroy {
		fmt.Fprint(w, "hub will remove the following items it owns:\n\n")
	} else {
		fmt.Fprint(w, "hub will perform the following actions:\n\n")
	}
	for _, t := range p.Targets {
		if !t.HasChanges() {
			continue
		}
		for _, f := range t.Files {
			if !f.HasChanges() {
				continue
			}
			head := fmt.Sprintf("  # %s: %s", t.Address, f.Path)
			switch {
			case t.Removed:
				head += " (target no longer in the configuration)"
			case !f.Exists:
				head += " (new file)"
			}
			fmt.Fprintln(w, st.Bold(head))
			width := 0
			for _, c := range f.Changes {
				width = max(width, len(c.Key))
			}
			for _, c := range f.Changes {
				fmt.Fprintf(w, "  %s %-*s = %s\n", st.action(c.Action), width, c.Key, change(c))
			}
			fmt.Fprintln(w)
		}
		notes := append(append([]string(nil), t.Standing...), t.Notes...)
		for _, n := range notes {
			fmt.Fprintf(w, "  note: %s\n", n)
		}
		if len(notes) > 0 {
			fmt.Fprintln(w)
		}
	}
	fmt.Fprintln(w, SummaryLine(p.Summary()))
	standing(w, p)
}

// standing writes the standing notes of the targets without changes: what
// their tools will do to a value already written (a model id sent as
// another) holds whether or not this plan changes anything.
func standing(w io.Writer, p *plans.Plan) {
	first := true
	for _, t := range p.Targets {
		if t.HasChanges() || len(t.Standing) == 0 {
			continue
		}
		if first {
			fmt.Fprintln(w)
			first = false
		}
		for _, n := range t.Standing {
			fmt.Fprintf(w, "note (%s): %s\n", t.Address, n)
		}
	}
}

func change(c plans.ItemChange) string {
	s := changeValue(c)
	if c.Origin != "" && c.Action != plans.Delete {
		s += "   # " + c.Origin
	}
	return s
}

func changeValue(c plans.ItemChange) string {
	switch c.Action {
	case plans.Create:
		return Value(c.After, c.Sensitive)
	case plans.Update:
		s := Value(c.Before, c.Sensitive) + " -> " + Value(c.After, c.Sensitive)
		if c.Unowned {
			s += "   # set outside hub; hub takes it over"
		}
		return s
	case plans.Delete:
		return Value(c.Before, c.Sensitive) + " -> (removed)"
	case plans.Adopt:
		return Value(c.After, c.Sensitive) + "   # already set; hub takes ownership"
	}
	return ""
}

func legend(w io.Writer, p *plans.Plan, st Style) {
	s := p.Summary()
	var parts []string
	if s.Create > 0 {
		parts = append(parts, st.action(plans.Create)+" create")
	}
	if s.Update > 0 {
		parts = append(parts, st.action(plans.Update)+" update")
	}
	if s.Delete > 0 {
		parts = append(parts, st.action(plans.Delete)+" delete")
	}
	if s.Adopt > 0 {
		parts = append(parts, st.action(plans.Adopt)+" adopt (already set, no write)")
	}
	fmt.Fprintf(w, "Symbols: %s\n\n", strings.Join(parts, "   "))
}

// SummaryLine is "Plan: N to create, N to update, N to delete." with an adopt
// count added when there is one.
func SummaryLine(s plans.Summary) string {
	line := fmt.Sprintf("Plan: %d to create, %d to update, %d to delete", s.Create, s.Update, s.Delete)
	if s.Adopt > 0 {
		line += fmt.Sprintf(", %d to adopt", s.Adopt)
	}
	return line + "."
}

// TargetErrors lists every target and file that could not be planned.
func TargetErrors(p *plans.Plan) []string {
	var out []string
	for _, t := range p.Targets {
		if t.Error != "" {
			out = append(out, t.Address+": "+t.Error)
		}
		for _, f := range t.Files {
			if f.Error != "" {
				out = append(out, t.Address+": "+f.Error)
			}
		}
	}
	sort.Strings(out)
	return out
}
