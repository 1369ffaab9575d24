// Package dotenv edits .env files while keeping every byte hub does not own
// exactly as it was.
//
// A .env file belongs to the user: it holds their own variables, comments,
// blank lines, `export NAME=...` forms and quoted values, and tools disagree on
// the details of the format. Hub edits such files for Gemini CLI, which reads
// them with the npm dotenv package (17.1.0 in @google/gemini-cli 0.61.0), so
// this package reads a file exactly as that loader does, not as a shell would:
//
//   - dotenv's parse runs one regular expression over the whole text (line
//     breaks normalized to \n), so a value may span lines inside quotes, a
//     line that is not an assignment is skipped, `NAME: value` is an
//     assignment too, and the last definition of a name wins;
//   - '...', "..." and `...` quote a value; only "..." expands escapes, and
//     only \n and \r: dotenv has no \" or \\, so a double-quoted value can
//     never hold a double quote, and one ending in a backslash is misread;
//   - # starts a comment anywhere outside quotes.
//
// The matcher below is a hand-written transcription of that expression with
// JavaScript's semantics (its \s, its line terminators, its backtracking
// order); testdata/dotenv-17.1.0.json holds inputs with the values the real
// dotenv gave for them.
//
// A Doc keeps the file's bytes and edits them by splicing: Set replaces the
// value of the last definition of a name (keeping `export `, the separator,
// spacing and a trailing comment) or appends NAME=value at the end; Delete
// removes every definition's lines. Every edit is checked by parsing the
// result again: the name must read back as the value set, and every other
// variable as before. An edit that would not (a value no quoting can carry,
// an unterminated quote before the appended line) is refused, never written.
package dotenv

import (
	"errors"
	"fmt"
	"maps"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/hubctl/hub/targets"
)

// Doc is a parsed .env file that is edited in place.
type Doc struct {
	src     []byte
	entries []entry
	values  map[string]string // last definition wins, as in dotenv
}

var _ targets.Doc = (*Doc)(nil)

// entry is one assignment as dotenv matched it. Offsets are byte offsets into
// the Doc's src.
type entry struct {
	name  string
	value string // as dotenv returns it
	// start and end are the bytes of the lines the definition occupies:
	// from the start of the line holding `export` or the name, through the
	// line break ending the line where the value ends (or the end of file).
	start, end int
	// nameLine is the start of the line holding the name: after start
	// when a lone "export" on a line before it was read as its prefix.
	nameLine int
	// atEOF is set when the definition's last line has no line break.
	atEOF bool
	// rawStart and rawEnd are the value's bytes as written, quotes
	// included, surrounding blanks excluded; equal (the insertion point)
	// for an empty value.
	rawStart, rawEnd int
	quote            byte // the raw value's first byte when it is ', " or `
}

// MaxSize is the largest .env file hub edits. Real ones are a few hundred
// bytes; the index costs up to 150 times the file's size, so the bound keeps
// a hostile file from costing more than a few hundred MiB.
const MaxSize = 1 << 20

// Parse reads data the way dotenv does. Like dotenv, it ignores what is not
// an assignment, and keeps it; it fails only for a file over MaxSize.
func Parse(data []byte) (*Doc, error) {
	if len(data) > MaxSize {
		return nil, fmt.Errorf("%d bytes, more than the %d MiB hub edits as a .env file", len(data), MaxSize>>20)
	}
	d := &Doc{src: append([]byte(nil), data...)}
	d.parse()
	return d, nil
}

func (d *Doc) parse() {
	d.entries = scan(d.src)
	d.values = make(map[string]string, len(d.entries))
	for _, e := range d.entries {
		if e.name == "__proto__" {
			continue // obj["__proto__"] = "..." sets nothing in JavaScript
		}
		d.values[e.name] = e.value
	}
}

// Bytes returns the document's current contents.
func (d *Doc) Bytes() []byte { return append([]byte(nil), d.src...) }

// Values returns every variable as dotenv would load it.
func (d *Doc) Values() map[string]string { return maps.Clone(d.values) }

// Get returns the value of the variable named by a one-segment key, as dotenv
// reads it: the last definition wins.
func (d *Doc) Get(key targets.Key) (any, bool) {
	if len(key) != 1 {
		return nil, false
	}
	v, ok := d.values[key[0]]
	if !ok {
		return nil, false
	}
	return v, true
}

// validName is what hub writes: a portable environment variable name. dotenv
// itself accepts more ([\w.-]+), and such lines are kept, but a name with a
// dot or a dash cannot be exported by a shell and is surely a mistake.
var validName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

func name(key targets.Key) (string, error) {
	if len(key) != 1 {
		return "", fmt.Errorf("key %s: a .env file has only top-level variables", key)
	}
	if !validName.MatchString(key[0]) {
		return "", fmt.Errorf("%q is not a valid environment variable name (letters, digits and _, not starting with a digit)", key[0])
	}
	if key[0] == "__proto__" {
		return "", errors.New("dotenv drops a variable named __proto__")
	}
	return key[0], nil
}

// Set gives the variable a string value. An existing definition (the last,
// the one dotenv uses) gets its value replaced, in the quoting it had when
// that can carry the value; otherwise NAME=value is appended, quoted only if
// needed. Setting the value a variable already has changes nothing.
func (d *Doc) Set(key targets.Key, value any) error {
	n, err := name(key)
	if err != nil {
		return err
	}
	s, ok := value.(string)
	if !ok {
		return fmt.Errorf("a .env value must be a string, not %T", value)
	}
	if cur, ok := d.values[n]; ok && cur == s {
		return nil
	}
	if !utf8.ValidString(s) {
		return errors.New("the value is not valid UTF-8")
	}
	last := -1
	for i, e := range d.entries {
		if e.name == n {
			last = i
		}
	}
	var prefer byte = 0xff // no preference: plain if possible
	if last >= 0 {
		prefer = d.entries[last].quote
	}
	encs := encodings(s, prefer)
	if len(encs) == 0 {
		return errors.New("no quoting lets dotenv read this value back unchanged (dotenv has no escapes for quotes and backslashes, and only \"...\" carries a carriage return)")
	}
	for _, enc := range encs {
		var out []byte
		if last >= 0 {
			e := d.entries[last]
			if e.rawStart == e.rawEnd && e.rawEnd < len(d.src) && d.src[e.rawEnd] == '#' {
				enc += " " // NAME=# note: keep the comment apart
			}
			out = splice(d.src, e.rawStart, e.rawEnd, enc)
		} else {
			out = appendLine(d.src, n+"="+enc)
		}
		if d.try(out, n, s, true) {
			return nil
		}
	}
	if last >= 0 {
		return errors.New("the new value would change how other lines of the file are read; edit the line by hand")
	}
	return fmt.Errorf("a line %s=... appended at the end of the file would not be read as written (the lines before it, such as a quote left open or a line ending in \"NAME:\", would take it in); fix the file or add %s by hand", n, n)
}

// Delete removes every definition of the variable, with the lines it takes.
// Removing an absent variable does nothing.
func (d *Doc) Delete(key targets.Key) error {
	if len(key) != 1 {
		return nil
	}
	n := key[0]
	if _, ok := d.values[n]; !ok {
		return nil
	}
	type span struct{ start, end int }
	var spans []span
	for _, e := range d.entries {
		if e.name != n {
			continue
		}
		// From the name's line: an "export" on a line of its own before it
		// was the user's line before hub appended this one (dotenv reads
		// "export" and a line break as the prefix of the next definition).
		start := e.nameLine
		if e.atEOF && start > 0 {
			// The last line had no line break: take the one before it,
			// so the file ends as it did before the line was added.
			start = prevBreak(d.src, start)
		}
		if k := len(spans) - 1; k >= 0 && start <= spans[k].end {
			spans[k].end = e.end
			continue
		}
		spans = append(spans, span{start, e.end})
	}
	out := d.src
	for i := len(spans) - 1; i >= 0; i-- {
		out = splice(out, spans[i].start, spans[i].end, "")
	}
	if !d.try(out, n, "", false) {
		return errors.New("removing its lines would change how other lines of the file are read; edit the file by hand")
	}
	return nil
}

// try adopts out if, parsed, it holds every variable but n as before, and n
// with value s (present) or not at all.
func (d *Doc) try(out []byte, n, s string, present bool) bool {
	nd := &Doc{src: out}
	nd.parse()
	want := maps.Clone(d.values)
	if present {
		want[n] = s
	} else {
		delete(want, n)
	}
	if !maps.Equal(nd.values, want) {
		return false
	}
	*d = *nd
	return true
}

func splice(b []byte, start, end int, s string) []byte {
	out := make([]byte, 0, len(b)-(end-start)+len(s))
	out = append(out, b[:start]...)
	out = append(out, s...)
	return append(out, b[end:]...)
}

// prevBreak returns the offset of the line break ending just before i
// (\n, \r\n or \r), or i if there is none.
func prevBreak(b []byte, i int) int {
	switch {
	case i >= 2 && b[i-2] == '\r' && b[i-1] == '\n':
		return i - 2
	case i >= 1 && (b[i-1] == '\n' || b[i-1] == '\r'):
		return i - 1
	case i >= 3 && (string(b[i-3:i]) == "\u2028" || string(b[i-3:i]) == "\u2029"):
		return i - 3
	}
	return i
}

// appendLine adds line at the end of b: after a line break in the file's
// style when the last line lacks one, else followed by one.
func appendLine(b []byte, line string) []byte {
	nl := lineBreak(b)
	out := append([]byte(nil), b...)
	if len(b) > 0 && b[len(b)-1] != '\n' && b[len(b)-1] != '\r' {
		return append(append(out, nl...), line...)
	}
	return append(append(out, line...), nl...)
}

// lineBreak is the file's first line break, or \n.
func lineBreak(b []byte) string {
	for i, c := range b {
		switch c {
		case '\n':
			return "\n"
		case '\r':
			if i+1 < len(b) && b[i+1] == '\n' {
				return "\r\n"
			}
			return "\r"
		}
	}
	return "\n"
}

// encodings returns the ways to write s that dotenv reads back as s, best
// first: the quoting the value had (prefer), then plain, then "...", '...'
// and `...`.
func encodings(s string, prefer byte) []string {
	var out []string
	add := func(q byte) {
		if enc, ok := encode(s, q); ok && !contains(out, enc) {
			out = append(out, enc)
		}
	}
	if prefer != 0xff {
		add(prefer)
	}
	for _, q := range []byte{0, '"', '\'', '`'} {
		add(q)
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// encode writes s plain (q == 0) or in quotes q, if dotenv reads that back
// as s.
func encode(s string, q byte) (string, bool) {
	switch q {
	case 0:
		if !plain(s) {
			return "", false
		}
		return s, true
	case '"':
		// Only \n and \r are expanded; there is no escape for " or \.
		if strings.ContainsRune(s, '"') || strings.Contains(s, `\n`) || strings.Contains(s, `\r`) || strings.HasSuffix(s, `\`) {
			return "", false
		}
		r := strings.NewReplacer("\n", `\n`, "\r", `\r`)
		return `"` + r.Replace(s) + `"`, true
	case '\'', '`':
		// Taken literally, across lines; a carriage return would become
		// \n when dotenv normalizes line breaks.
		if strings.IndexByte(s, q) >= 0 || strings.ContainsRune(s, '\r') || strings.HasSuffix(s, `\`) {
			return "", false
		}
		return string(q) + s + string(q), true
	}
	return "", false
}

// plain reports whether s can be written without quotes: dotenv trims
// unquoted values, stops them at # and at line breaks, and strips quotes
// around them; hub also quotes blanks and control characters so that the
// line reads the same to a person. Backslashes are literal in plain values
// (and only there can one end a value).
func plain(s string) bool {
	for _, r := range s {
		switch {
		case isSpace(r), r < 0x20, r == 0x7f, r == 0x85:
			return false
		case strings.ContainsRune("#'\"`", r):
			return false
		}
	}
	return true
}
