// Package lint checks a configuration repository's hygiene before it is
// committed: keys written into *.hcl files, key files read by file() that git
// would commit, and the state of secrets/ (damaged or plaintext files,
// secrets encrypted to other recipients than secrets/recipients.txt,
// secret("NAME") calls with no file). It only parses: it evaluates nothing,
// decrypts nothing and needs no environment variable, identity or network,
// so a pre-commit hook and CI run it on a fresh clone.
//
// No diagnostic quotes a key: they name the file, the attribute and what to
// do; the views hide key positions in source snippets.
package lint

import (
	"context"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
)

// Options say where the configuration is.
type Options struct {
	// Dir is the configuration directory.
	Dir string
	// Home expands "~" in file() paths; "" leaves those paths unchecked.
	Home string
	// Evaluated says the files were loaded by config.Load, which reports a
	// secret("NAME") call with no file already (hub validate).
	Evaluated bool
	// Context bounds the git commands; nil is context.Background.
	Context context.Context
	// Git is the git program; "" looks it up on the PATH. Without git,
	// the file() check is skipped.
	Git string
}

// gitTimeout bounds all git commands of one Check: they are local and quick.
const gitTimeout = 10 * time.Second

// Check runs every check on the parsed files of the configuration in
// opts.Dir (config.ParseFiles) and on its secrets/ directory. Diagnostics
// about HCL come first, by file and position, then those about secrets.
func Check(opts Options, files map[string]*hcl.File) hcl.Diagnostics {
	if opts.Dir == "" {
		opts.Dir = "."
	}
	ctx := opts.Context
	if ctx == nil {
		ctx = context.Background()
	}
	ctx, cancel := context.WithTimeout(ctx, gitTimeout)
	defer cancel()

	w := walk(files)
	diags := w.diags
	diags = append(diags, checkFileRefs(ctx, opts, w.files)...)
	sortByPosition(diags)
	diags = append(diags, checkSecrets(opts, files)...)
	return diags
}

// Count returns the numbers of errors and warnings in diags.
func Count(diags hcl.Diagnostics) (errors, warnings int) {
	for _, d := range diags {
		if d.Severity == hcl.DiagError {
			errors++
		} else {
			warnings++
		}
	}
	return errors, warnings
}

func sortByPosition(diags hcl.Diagnostics) {
	sort.SliceStable(diags, func(i, j int) bool {
		a, b := diags[i].Subject, diags[j].Subject
		if a == nil || b == nil {
			return a != nil
		}
		if a.Filename != b.Filename {
			return a.Filename < b.Filename
		}
		return a.Start.Byte < b.Start.Byte
	})
}

// display names a file the way config names the files it loads: relative
// to the working directory when it is below it.
func display(path string) string {
	if rel, err := filepath.Rel(".", path); err == nil && !strings.HasPrefix(rel, "..") {
		return rel
	}
	return path
}

// fileRange is a diagnostic's subject for a whole file.
func fileRange(name string) *hcl.Range {
	return &hcl.Range{Filename: name, Start: hcl.InitialPos, End: hcl.InitialPos}
}
