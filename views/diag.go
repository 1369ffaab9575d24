package views

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/hubctl/hub/secret"

	"github.com/hashicorp/hcl/v2"
)

// Diagnostics writes each diagnostic as "hub: error: file:line:col: Summary",
// the source lines with the subject underlined, and the detail. Editors and
// CI parse the first line; people read the rest.
func WriteDiagnostics(w io.Writer, diags hcl.Diagnostics, files map[string]*hcl.File, st Style) {
	shown := map[string]string{} // file name → its source, keys hidden
	for _, d := range diags {
		sev := "error"
		code := "31"
		if d.Severity == hcl.DiagWarning {
			sev, code = "warning", "33"
		}
		loc := ""
		if d.Subject != nil {
			loc = fmt.Sprintf("%s:%d:%d: ", d.Subject.Filename, d.Subject.Start.Line, d.Subject.Start.Column)
		}
		fmt.Fprintf(w, "hub: %s: %s%s\n", st.Paint(code, sev), loc, st.Bold(d.Summary))
		if d.Subject != nil {
			if f := files[d.Subject.Filename]; f != nil {
				src, ok := shown[d.Subject.Filename]
				if !ok {
					src = redactSource(string(f.Bytes))
					shown[d.Subject.Filename] = src
				}
				snippet(w, src, *d.Subject, st)
			}
		}
		if d.Detail != "" {
			for _, line := range strings.Split(wrap(d.Detail, 96), "\n") {
				fmt.Fprintf(w, "  %s\n", line)
			}
		}
		fmt.Fprintln(w)
	}
}

// snippet prints the lines of rng with a caret line under the subject;
// src has its keys hidden already (redactSource).
func snippet(w io.Writer, src string, rng hcl.Range, st Style) {
	sc := bufio.NewScanner(strings.NewReader(src))
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for n := 1; sc.Scan(); n++ {
		if n < rng.Start.Line {
			continue
		}
		if n > rng.End.Line || n > rng.Start.Line+4 {
			break
		}
		line := strings.ReplaceAll(sc.Text(), "\t", " ")
		fmt.Fprintf(w, "  %4d | %s\n", n, line)
		from, to := 1, len(line)+1
		if n == rng.Start.Line {
			from = rng.Start.Column
		}
		if n == rng.End.Line {
			to = rng.End.Column
		}
		if to <= from {
			to = from + 1
		}
		if from-1 > len(line) {
			from = len(line) + 1
		}
		// A hidden key: underline the placeholder, not the key's own
		// columns, whose width would tell the key's length.
		if i := strings.Index(line, secret.Placeholder); i >= 0 && n == rng.Start.Line && from-1 <= i+len(secret.Placeholder) && to-1 > i {
			from, to = i+1, i+1+len(secret.Placeholder)
		}
		fmt.Fprintf(w, "       | %s%s\n", strings.Repeat(" ", from-1), st.Paint("31", strings.Repeat("^", to-from)))
	}
}

func wrap(s string, width int) string {
	var out strings.Builder
	for i, para := range strings.Split(s, "\n") {
		if i > 0 {
			out.WriteByte('\n')
		}
		col := 0
		for j, word := range strings.Fields(para) {
			if j > 0 {
				if col+1+len(word) > width {
					out.WriteByte('\n')
					col = 0
				} else {
					out.WriteByte(' ')
					col++
				}
			}
			out.WriteString(word)
			col += len(word)
		}
	}
	return out.String()
}
