package views

import "fmt"

// Lint is hub lint's view: the diagnostics (as validate shows them), then
// a summary.
type Lint interface {
	Diagnoser
	// Summary counts what was found.
	Summary(errors, warnings int)
}

// NewLint returns hub lint's view: JSON lines with asJSON, else text.
func NewLint(v *View, asJSON bool) Lint {
	if asJSON {
		return lintJSON{newJSON(v)}
	}
	return lintHuman{v}
}

// LintSummary is "No problems." or "2 errors, 1 warning.".
func LintSummary(errors, warnings int) string {
	if errors == 0 && warnings == 0 {
		return "No problems."
	}
	plural := func(n int, what string) string {
		if n == 1 {
			return fmt.Sprintf("1 %s", what)
		}
		return fmt.Sprintf("%d %ss", n, what)
	}
	switch {
	case warnings == 0:
		return plural(errors, "error") + "."
	case errors == 0:
		return plural(warnings, "warning") + "."
	}
	return plural(errors, "error") + ", " + plural(warnings, "warning") + "."
}

type lintHuman struct{ *View }

func (v lintHuman) Summary(errors, warnings int) {
	fmt.Fprintln(v.Out, LintSummary(errors, warnings))
}

type lintJSON struct{ jsonView }

func (v lintJSON) Summary(errors, warnings int) {
	level := "info"
	if errors > 0 {
		level = "error"
	}
	v.j.Emit(level, "lint_summary", LintSummary(errors, warnings), map[string]any{"errors": errors, "warnings": warnings})
}
