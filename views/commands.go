package views

import "fmt"

// Fmt is hub fmt's view. It has no JSON form.
type Fmt struct{ *View }

// NewFmt returns hub fmt's view.
func NewFmt(v *View) Fmt { return Fmt{v} }

// Diff shows the formatting of the file name as a unified diff, keys
// hidden on both sides (redactSource).
func (v Fmt) Diff(name, before, after string) {
	fmt.Fprint(v.Out, unifiedDiff(name, redactSource(before), redactSource(after)))
}

// File names a file that was formatted, or that needs formatting.
func (v Fmt) File(name string) { fmt.Fprintln(v.Out, name) }

// Init is hub init's view. It has no JSON form.
type Init struct{ *View }

// NewInit returns hub init's view.
func NewInit(v *View) Init { return Init{v} }

// Created names a file init created.
func (v Init) Created(path string) { fmt.Fprintf(v.Out, "Created %s\n", path) }

// Next says what to do after init.
func (v Init) Next() {
	fmt.Fprintln(v.Out, "\nNext: edit hub.hcl, export RELAY_API_KEY, then run hub plan.")
}

// Version prints hub's version line: hub VERSION (GO, OS/ARCH).
func (v *View) Version(version, goVersion, goos, goarch string) {
	fmt.Fprintf(v.Out, "hub %s (%s, %s/%s)\n", version, goVersion, goos, goarch)
}
