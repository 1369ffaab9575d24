package jsonedit

import (
	"bytes"
	"encoding/json"
	"sort"

	"github.com/tailscale/hujson"
)

// style is how new text is laid out so that it looks like the rest of the
// document.
type style struct {
	nl     string // line break: "\n" or "\r\n"
	unit   string // one level of indentation
	colon  string // between a member's name and its value, such as ": "
	comma  string // after a comma on one line, such as " "
	inline bool   // write composite values on one line
}

// style detects the document's layout: its line break, the indentation unit
// of the first object or array whose first element starts a line, and the
// colon spacing of the first member. It defaults to two spaces and ": ".
// It is linear in the document's size, whatever its depth: values come in
// document order, so the starts of lines are found by cursors that only move
// forward, and no text is copied until it is known to be an indentation.
func (d *Doc) style() style {
	st := style{nl: newline(d.body), unit: "  ", colon: ": ", comma: " "}
	unitFound, colonFound := false, false
	firstLine, outerLine := lineCursor{b: d.body}, lineCursor{b: d.body}
	for v := range d.root.All() {
		var first int
		switch x := v.Value.(type) {
		case *hujson.Object:
			if len(x.Members) == 0 {
				continue
			}
			first = x.Members[0].Name.StartOffset
			if !colonFound {
				st.colon, colonFound = colon(&x.Members[0])
				if !colonFound {
					st.colon = ": "
				}
			}
		case *hujson.Array:
			if len(x.Elements) == 0 {
				continue
			}
			first = x.Elements[0].StartOffset
		default:
			continue
		}
		if !unitFound {
			if ls := firstLine.start(first); ls > v.StartOffset && isHSpace(d.body[ls:first]) {
				ind := d.body[ls:first]
				outer := indentAt(d.body, outerLine.start(v.StartOffset), v.StartOffset)
				if len(ind) > len(outer) && bytes.Equal(ind[:len(outer)], outer) {
					u := string(ind[len(outer):])
					if u == spaces(len(u)) || u == tabs(len(u)) {
						st.unit, unitFound = u, true
					}
				}
			}
		}
		if unitFound && colonFound {
			break
		}
	}
	if st.colon == ":" {
		st.comma = ""
	}
	st.inline = d.oneLineDoc()
	return st
}

// A lineCursor finds the start of the line holding an offset, for offsets
// asked in increasing order, scanning each byte once.
type lineCursor struct {
	b      []byte
	pos    int // offsets before pos are scanned
	latest int // the start of the line holding pos
}

// start returns the offset of the start of the line holding p.
func (c *lineCursor) start(p int) int {
	if p < c.pos { // not in order: scan back (never in style's walk)
		return bytes.LastIndexByte(c.b[:p], '\n') + 1
	}
	if i := bytes.LastIndexByte(c.b[c.pos:p], '\n'); i >= 0 {
		c.latest = c.pos + i + 1
	}
	c.pos = p
	return c.latest
}

// indentAt returns the blanks that start the line beginning at ls, up to pos.
func indentAt(b []byte, ls, pos int) []byte {
	e := ls
	for e < pos && isHSpaceByte(b[e]) {
		e++
	}
	return b[ls:e]
}

// colon returns the text between m's name and value if it is only blanks
// around the colon.
func colon(m *hujson.ObjectMember) (string, bool) {
	a, b := m.Name.AfterExtra, m.Value.BeforeExtra
	if isHSpace(a) && isHSpace(b) {
		return string(a) + ":" + string(b), true
	}
	return "", false
}

// render appends v, a value made by normalize, to b. Composite values are
// written one element a line, nested one unit deeper than indent, unless
// st.inline is set.
func (st style) render(b []byte, v any, indent string) []byte {
	switch x := v.(type) {
	case map[string]any:
		if len(x) == 0 {
			return append(b, "{}"...)
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		b = append(b, '{')
		for i, k := range keys {
			b = st.separate(b, i, indent)
			b = appendString(b, k)
			b = append(b, st.colon...)
			b = st.render(b, x[k], indent+st.unit)
		}
		return append(st.separate(b, -1, indent), '}')
	case []any:
		if len(x) == 0 {
			return append(b, "[]"...)
		}
		b = append(b, '[')
		for i, e := range x {
			b = st.separate(b, i, indent)
			b = st.render(b, e, indent+st.unit)
		}
		return append(st.separate(b, -1, indent), ']')
	case string:
		return appendString(b, x)
	case json.Number:
		return append(b, x...)
	case bool:
		if x {
			return append(b, "true"...)
		}
		return append(b, "false"...)
	default: // nil
		return append(b, "null"...)
	}
}

// separate appends what goes before element i of a composite value, or
// before its closing bracket if i < 0.
func (st style) separate(b []byte, i int, indent string) []byte {
	if i > 0 {
		b = append(b, ',')
		if st.inline {
			b = append(b, st.comma...)
		}
	}
	if st.inline {
		return b
	}
	b = append(b, st.nl...)
	if i >= 0 {
		indent += st.unit
	}
	return append(b, indent...)
}

// normalize converts v to the values encoding/json decodes into with
// UseNumber, so that any value encoding/json can encode can be rendered.
// It also returns v encoded.
func normalize(v any) (any, []byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(buf.Bytes()))
	dec.UseNumber()
	var x any
	if err := dec.Decode(&x); err != nil {
		return nil, nil, err
	}
	return x, bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// appendString appends s as a JSON string, leaving <, > and & as they are.
func appendString(b []byte, s string) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	return append(b, bytes.TrimSuffix(buf.Bytes(), []byte("\n"))...)
}

// newline returns the line break b uses, judged by its first one.
func newline(b []byte) string {
	if i := bytes.IndexByte(b, '\n'); i > 0 && b[i-1] == '\r' {
		return "\r\n"
	}
	return "\n"
}

// lastBreak returns the offset of the last line break in the trivia b that is
// not inside a block comment (at the '\r' of "\r\n"), or -1.
func lastBreak(b []byte) int {
	k := -1
	for i := 0; i < len(b); i++ {
		switch {
		case b[i] == '\n':
			k = i
			if i > 0 && b[i-1] == '\r' {
				k = i - 1
			}
		case bytes.HasPrefix(b[i:], []byte("//")):
			j := bytes.IndexByte(b[i:], '\n')
			if j < 0 {
				return k
			}
			i += j - 1 // the next iteration sees the '\n'
		case bytes.HasPrefix(b[i:], []byte("/*")):
			j := bytes.Index(b[i+2:], []byte("*/"))
			if j < 0 {
				return k
			}
			i += 2 + j + 1
		}
	}
	return k
}

// commentEnd returns the offset in the trivia b after its last comment (after
// the line break ending a line comment), or 0.
func commentEnd(b []byte) int {
	end := 0
	for i := 0; i < len(b); i++ {
		switch {
		case bytes.HasPrefix(b[i:], []byte("//")):
			j := bytes.IndexByte(b[i:], '\n')
			if j < 0 {
				return len(b)
			}
			i += j
			end = i + 1
		case bytes.HasPrefix(b[i:], []byte("/*")):
			j := bytes.Index(b[i+2:], []byte("*/"))
			if j < 0 {
				return len(b)
			}
			i += 2 + j + 1
			end = i + 1
		}
	}
	return end
}

// restOfLine reports whether only blanks and a comment follow offset p on its
// line, and returns the offset after the line break.
func restOfLine(b []byte, p int) (int, bool) {
	skip := func() {
		for p < len(b) && isHSpaceByte(b[p]) {
			p++
		}
	}
	skip()
	switch {
	case bytes.HasPrefix(b[p:], []byte("//")):
		j := bytes.IndexByte(b[p:], '\n')
		if j < 0 {
			return 0, false
		}
		return p + j + 1, true
	case bytes.HasPrefix(b[p:], []byte("/*")):
		j := bytes.Index(b[p+2:], []byte("*/"))
		if j < 0 || bytes.IndexByte(b[p:p+2+j], '\n') >= 0 {
			return 0, false
		}
		p += 2 + j + 2
		skip()
	}
	switch {
	case bytes.HasPrefix(b[p:], []byte("\r\n")):
		return p + 2, true
	case bytes.HasPrefix(b[p:], []byte("\n")):
		return p + 1, true
	}
	return 0, false
}

// isSpace reports whether b is only JSON whitespace.
func isSpace(b []byte) bool {
	for _, c := range b {
		if c != ' ' && c != '\t' && c != '\n' && c != '\r' {
			return false
		}
	}
	return true
}

// isHSpace reports whether b is only spaces and tabs.
func isHSpace(b []byte) bool {
	for _, c := range b {
		if !isHSpaceByte(c) {
			return false
		}
	}
	return true
}

func isHSpaceByte(c byte) bool { return c == ' ' || c == '\t' }

func spaces(n int) string { return string(bytes.Repeat([]byte{' '}, n)) }
func tabs(n int) string   { return string(bytes.Repeat([]byte{'\t'}, n)) }
