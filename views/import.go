package views

import (
	"fmt"
	"strings"

	"github.com/hubctl/hub/engine/importer"
)

// Import is hub import's view.
type Import interface {
	Diagnoser
	// HCL shows the configuration a --dry-run would write.
	HCL(src []byte)
	// Summaries say per source what was found and what became of it.
	Summaries(s []importer.Summary)
	// Wrote names what was written: the HCL file, the keys' place, and
	// how many target blocks the state adopted.
	Wrote(file string, creds, blocks int, keys string)
	// Nothing says there was nothing new.
	Nothing()
}

// NewImport returns hub import's view.
func NewImport(v *View, asJSON bool) Import {
	if asJSON {
		return importJSON{newJSON(v)}
	}
	return importHuman{v}
}

type importHuman struct{ *View }

func (v importHuman) HCL(src []byte) { v.Out.Write(src) }

func (v importHuman) Summaries(ss []importer.Summary) {
	for _, s := range ss {
		fmt.Fprintf(v.Err, "%s: found %d, imported %d, merged %d, skipped %d; %d target blocks\n",
			printable(s.Source), s.Found, s.Imported, s.Merged, s.Skipped, s.Targets)
		for _, n := range s.Notes {
			fmt.Fprintf(v.Err, "  %s\n", printable(n))
		}
		for _, w := range s.Warnings {
			v.Warnf("%s", printable(w))
		}
	}
}

func (v importHuman) Wrote(file string, creds, blocks int, keys string) {
	fmt.Fprintf(v.Out, "Wrote %s: %d credentials, %d target blocks. %s\n", file, creds, blocks, keys)
	if blocks > 0 {
		fmt.Fprintf(v.Out, "The state now owns what the tools already hold: hub plan shows no changes.\n")
	}
}

func (v importHuman) Nothing() { fmt.Fprintln(v.Out, "Nothing new to import.") }

type importJSON struct{ jsonView }

func (v importJSON) HCL(src []byte) {
	v.j.Emit("info", "import_hcl", "the configuration hub import would write", map[string]any{"hcl": string(src)})
}

func (v importJSON) Summaries(ss []importer.Summary) {
	for _, s := range ss {
		msg := fmt.Sprintf("%s: found %d, imported %d, merged %d, skipped %d", s.Source, s.Found, s.Imported, s.Merged, s.Skipped)
		v.j.Emit("info", "import_source", msg, map[string]any{"summary": s})
	}
}

func (v importJSON) Wrote(file string, creds, blocks int, keys string) {
	v.j.Emit("info", "import_complete", strings.TrimSpace(fmt.Sprintf("Wrote %s. %s", file, keys)),
		map[string]any{"file": file, "credentials": creds, "targets": blocks})
}

func (v importJSON) Nothing() {
	v.j.Emit("info", "import_complete", "Nothing new to import.", map[string]any{"credentials": 0, "targets": 0})
}
