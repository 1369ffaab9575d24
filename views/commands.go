package views

import (
	"fmt"
	"strings"
)

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

// Kept names a file init found and left as it was.
func (v Init) Kept(path string) { fmt.Fprintf(v.Out, "Kept %s as it is\n", path) }

// Added names the lines init appended to a file that lacked them.
func (v Init) Added(path string, lines []string) {
	fmt.Fprintf(v.Out, "Added to %s: %s\n", path, strings.Join(lines, ", "))
}

// Next says what to do after init, and the one git setting of the secrets'
// diff driver.
func (v Init) Next(gitConfig string) {
	fmt.Fprintln(v.Out, "\nNext: edit hub.hcl, export RELAY_API_KEY (or hub secret set relay), then run hub plan.")
	fmt.Fprintln(v.Out, "So that git diff names a changed secret instead of showing ciphertext, run once:")
	fmt.Fprintln(v.Out, "  "+gitConfig)
}

// Version prints hub's version line: hub VERSION (GO, OS/ARCH).
func (v *View) Version(version, goVersion, goos, goarch string) {
	fmt.Fprintf(v.Out, "hub %s (%s, %s/%s)\n", version, goVersion, goos, goarch)
}
