// Package views is hub's presentation: it turns plans, apply results,
// diagnostics and what each command found into text for people and JSON
// lines for machines. Each command has one view, an interface with a human
// and a JSON implementation chosen once from --json (NewPlan, NewApply, ...),
// so command code never asks which form it is writing. Both forms read the
// same values, so they cannot disagree. Nothing here can print a secret
// value: sensitive items carry no value, and the CLI's streams scrub all
// output with a Redactor too.
package views

import (
	"fmt"
	"io"
	"time"

	"github.com/hashicorp/hcl/v2"
)

// A Stream is an output stream that buffers: the CLI's redacting writers.
type Stream interface {
	io.Writer
	Flush() error
}

// View is what every command's view is built on: stdout, stderr, colour and
// the clock of JSON timestamps. Its own methods write the human lines that
// both forms share: errors, warnings and hints go to stderr in the same
// "hub: error: ..." shape whatever --json says.
type View struct {
	Out, Err Stream
	Style    Style
	// Now stamps JSON messages and dates the human ones; nil is time.Now.
	Now func() time.Time
	// Width is the terminal's width in columns, 0 when unknown (not a
	// terminal): wide tables drop optional columns on a narrow one.
	Width int
}

func (v *View) now() time.Time {
	if v.Now != nil {
		return v.Now()
	}
	return time.Now()
}

// Errorf prints "hub: error: ..." on stderr (age's house style).
func (v *View) Errorf(format string, args ...any) {
	fmt.Fprintf(v.Err, "hub: %s: %s\n", v.Style.Paint("31", "error"), fmt.Sprintf(format, args...))
}

// Warnf prints "hub: warning: ..." on stderr.
func (v *View) Warnf(format string, args ...any) {
	fmt.Fprintf(v.Err, "hub: %s: %s\n", v.Style.Paint("33", "warning"), fmt.Sprintf(format, args...))
}

// Hintf prints "hub: hint: ..." on stderr: what to do about the error above.
func (v *View) Hintf(format string, args ...any) {
	fmt.Fprintf(v.Err, "hub: hint: %s\n", fmt.Sprintf(format, args...))
}

// Flush writes out what both streams hold, for output that must be seen
// at once (hub watch, a prompt).
func (v *View) Flush() {
	v.Out.Flush()
	v.Err.Flush()
}

// Diagnostics writes configuration diagnostics for people, with source
// snippets, on stderr.
func (v *View) Diagnostics(diags hcl.Diagnostics, files map[string]*hcl.File) {
	if len(diags) > 0 {
		WriteDiagnostics(v.Err, diags, files, v.Style)
	}
}

// Diagnoser is the part of every view that loads a configuration.
type Diagnoser interface {
	Diagnostics(diags hcl.Diagnostics, files map[string]*hcl.File)
}

// jsonView is the JSON form's base: messages on stdout as JSON lines, and
// the View's human lines for errors outside them.
type jsonView struct {
	*View
	j *JSON
}

func newJSON(v *View) jsonView { return jsonView{View: v, j: &JSON{W: v.Out, Now: v.Now}} }

// Diagnostics emits one "diagnostic" message per diagnostic.
func (v jsonView) Diagnostics(diags hcl.Diagnostics, _ map[string]*hcl.File) {
	v.j.Diagnostics(diags)
}
