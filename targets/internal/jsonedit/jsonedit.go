// Package jsonedit edits JSON and JSONC files (comments and trailing commas
// allowed) while keeping every byte hub does not own exactly as it was.
//
// These files belong to the user: they hold hand-written comments, their own
// indentation and key order, and settings hub knows nothing about. Decoding
// and re-encoding them would throw all of that away and turn a one-line change
// into a rewrite of the whole file. So a Doc keeps the file's text, uses
// hujson's syntax tree only to locate byte ranges, and applies each edit as a
// splice of that text: a replaced value, an inserted member formatted like its
// siblings, or a removed member with the separator and line it occupied.
// After every splice the text is parsed again, so positions are always exact
// and an edit can never leave a file that does not parse.
package jsonedit

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/tailscale/hujson"

	"github.com/hubctl/hub/targets"
)

// Doc is a parsed JSON or JSONC document that is edited in place.
type Doc struct {
	body []byte       // current contents
	root hujson.Value // body parsed; its offsets index body
	// blank is set while the document holds no value: the file was absent
	// or whitespace only (then body is that whitespace), or everything
	// set in it has been deleted again.
	blank bool
	// wasBlank records that Parse got a blank file, orig, whose bytes come
	// back once the root object is left empty.
	wasBlank bool
	orig     []byte
}

var _ targets.Doc = (*Doc)(nil)

// Parse parses data as JSON with comments and trailing commas. Nil or
// whitespace-only data is an absent or empty file and gives an empty document.
// The top-level value must be an object.
func Parse(data []byte) (*Doc, error) {
	data = bytes.Clone(data)
	if isSpace(data) {
		return &Doc{body: data, blank: true, wasBlank: true, orig: data}, nil
	}
	d := &Doc{}
	if err := d.load(data); err != nil {
		return nil, err
	}
	return d, nil
}

// load makes b the document's contents.
func (d *Doc) load(b []byte) error {
	v, err := hujson.Parse(b)
	if err != nil {
		// hujson already says "line N, column M: ..."; drop its package name.
		return errors.New(strings.TrimPrefix(err.Error(), "hujson: "))
	}
	if _, ok := v.Value.(*hujson.Object); !ok {
		return fmt.Errorf("top level is %s, expected an object", kindName(v.Value))
	}
	d.body, d.root, d.blank = b, v, false
	return nil
}

// Bytes returns the document's current contents.
func (d *Doc) Bytes() []byte {
	return bytes.Clone(d.body)
}

// Get returns the value at key decoded as encoding/json decodes into an any
// (numbers are float64), ignoring comments and trailing commas.
func (d *Doc) Get(key targets.Key) (any, bool) {
	v := d.lookup(key)
	if v == nil {
		return nil, false
	}
	x, err := decode(d.body[v.StartOffset:v.EndOffset])
	if err != nil {
		return nil, false
	}
	return x, true
}

// Set creates or replaces the value at key, creating missing parent objects.
// An existing value is replaced in place; a new member goes at the end of its
// object, formatted like its siblings. Setting a value equal to the current
// one leaves the document as it is.
func (d *Doc) Set(key targets.Key, value any) error {
	if len(key) == 0 {
		return errors.New("set: empty key")
	}
	for _, name := range key {
		if !utf8.ValidString(name) {
			return fmt.Errorf("set: key name %q is not valid UTF-8", name)
		}
	}
	tree, raw, err := normalize(value)
	if err != nil {
		return fmt.Errorf("set %s: %w", key, err)
	}
	if cur, ok := d.Get(key); ok {
		if want, err := decode(raw); err == nil && reflect.DeepEqual(cur, want) {
			return nil
		}
	}
	if d.blank {
		if err := d.load([]byte("{}" + newline(d.body))); err != nil {
			return fmt.Errorf("set %s: %w", key, err)
		}
	}
	st := d.style()
	parent := &d.root
	for i, name := range key {
		// Inside an object written on one line, new text stays on one line.
		if d.oneLine(parent) {
			st.inline = true
		}
		obj := parent.Value.(*hujson.Object)
		j := index(obj, name)
		if j < 0 {
			for k := len(key) - 1; k > i; k-- {
				tree = map[string]any{key[k]: tree}
			}
			return wrap(key, d.insert(parent, name, tree, st))
		}
		m := &obj.Members[j]
		if i == len(key)-1 {
			return wrap(key, d.replace(m, tree, st))
		}
		if _, ok := m.Value.Value.(*hujson.Object); !ok {
			return fmt.Errorf("set %s: %s is %s, not an object", key, key[:i+1], kindName(m.Value.Value))
		}
		parent = &m.Value
	}
	panic("unreachable")
}

// Delete removes the value at key with the line or separator it occupied,
// keeping comments written on their own lines before it. Parent objects left
// empty are removed too, except the root. Deleting an absent key does nothing.
func (d *Doc) Delete(key targets.Key) error {
	if len(key) == 0 {
		return errors.New("delete: empty key")
	}
	removed := false
	for {
		p := d.lookup(key[:len(key)-1])
		if p == nil {
			break
		}
		obj, ok := p.Value.(*hujson.Object)
		if !ok {
			break
		}
		i := index(obj, key[len(key)-1])
		if i < 0 {
			break
		}
		// Repeat for duplicate names: the decoded value is the last one,
		// and an earlier one would become visible once it is gone.
		if err := d.remove(p, i); err != nil {
			return wrap(key, err)
		}
		removed = true
	}
	if !removed {
		return nil
	}
	p := d.lookup(key[:len(key)-1])
	obj := p.Value.(*hujson.Object)
	if len(obj.Members) > 0 || !isSpace(obj.AfterExtra) {
		return nil
	}
	if len(key) > 1 {
		return d.Delete(key[:len(key)-1])
	}
	if d.wasBlank {
		d.body, d.blank = d.orig, true
		return nil
	}
	// Collapse the emptied root to "{}", as it was before anything was set.
	end := p.EndOffset - 1
	return wrap(key, d.apply(edit{end - len(obj.AfterExtra), end, ""}))
}

// wrap adds the key to an internal editing error.
func wrap(key targets.Key, err error) error {
	if err != nil {
		return fmt.Errorf("edit %s: %w", key, err)
	}
	return nil
}

// lookup returns the value at key, or nil.
func (d *Doc) lookup(key targets.Key) *hujson.Value {
	if d.blank {
		return nil
	}
	v := &d.root
	for _, name := range key {
		obj, ok := v.Value.(*hujson.Object)
		if !ok {
			return nil
		}
		i := index(obj, name)
		if i < 0 {
			return nil
		}
		v = &obj.Members[i].Value
	}
	return v
}

// index returns the index of the member of obj named name, or -1. With
// duplicate names it returns the last, which is the one decoders use.
func index(obj *hujson.Object, name string) int {
	for i := len(obj.Members) - 1; i >= 0; i-- {
		if lit, ok := obj.Members[i].Name.Value.(hujson.Literal); ok && lit.String() == name {
			return i
		}
	}
	return -1
}

// An edit replaces body[start:end] with text.
type edit struct {
	start, end int
	text       string
}

// apply splices non-overlapping edits into the body and parses the result.
func (d *Doc) apply(edits ...edit) error {
	sort.Slice(edits, func(i, j int) bool { return edits[i].start > edits[j].start })
	b := d.body
	for _, e := range edits {
		b = slices.Concat(b[:e.start], []byte(e.text), b[e.end:])
	}
	if err := d.load(b); err != nil {
		return fmt.Errorf("edit produced invalid JSON (a bug in hub): %w", err)
	}
	return nil
}

// replace replaces the value of member m.
func (d *Doc) replace(m *hujson.ObjectMember, v any, st style) error {
	text := st.render(nil, v, d.lineIndent(m.Name.StartOffset))
	return d.apply(edit{m.Value.StartOffset, m.Value.EndOffset, string(text)})
}

// insert adds a member at the end of the object p; st.inline is set if p or
// an object around it is written on one line.
func (d *Doc) insert(p *hujson.Value, name string, v any, st style) error {
	obj := p.Value.(*hujson.Object)
	n := len(obj.Members)
	closing := p.EndOffset - 1
	tail := obj.AfterExtra // trivia before '}', after the last value or comma
	tailStart := closing - len(tail)
	var last *hujson.ObjectMember
	trailingComma := false
	if n > 0 {
		last = &obj.Members[n-1]
		trailingComma = last.Value.AfterExtra != nil
		if c, ok := colon(last); ok {
			st.colon = c
		}
	}
	if st.inline {
		if n >= 2 && isHSpace(last.Name.BeforeExtra) {
			st.comma = string(last.Name.BeforeExtra)
		}
		text := string(appendString(nil, name)) + st.colon + string(st.render(nil, v, ""))
		switch {
		case n == 0 && isSpace(tail):
			return d.apply(edit{tailStart, closing, text})
		case n == 0:
			return d.apply(edit{closing, closing, text})
		case trailingComma:
			return d.apply(edit{tailStart, tailStart, st.comma + text + ","})
		default:
			return d.apply(edit{last.Value.EndOffset, last.Value.EndOffset, "," + st.comma + text})
		}
	}

	open := p.StartOffset
	indent := d.lineIndent(open) + st.unit
	if n > 0 && bytes.IndexByte(d.body[open:last.Name.StartOffset], '\n') >= 0 {
		indent = d.lineIndent(last.Name.StartOffset)
	}
	text := string(appendString(nil, name)) + st.colon + string(st.render(nil, v, indent))

	// Split the trivia before '}' at its last line break: what comes before
	// (a comment ending the last member's line, lines of comments or blank
	// lines) stays before the new member; the break and the indentation of '}'
	// stay after it.
	var head, foot string
	if k := lastBreak(tail); k >= 0 {
		head, foot = string(tail[:k]), string(tail[k:])
	} else {
		// No line break: blanks before '}' stay there.
		head = strings.TrimRight(string(tail), " \t")
		foot = string(tail[len(head):])
	}
	if n == 0 && isSpace([]byte(head)) {
		head = ""
	}
	if n == 0 && lastBreak(tail) < 0 {
		foot = st.nl + d.lineIndent(open)
	}
	member := head + st.nl + indent + text
	switch {
	case n == 0:
		return d.apply(edit{tailStart, closing, member + foot})
	case trailingComma:
		return d.apply(edit{tailStart, closing, member + "," + foot})
	default:
		// Without a trailing comma the tail starts right after the last value.
		return d.apply(edit{last.Value.EndOffset, closing, "," + member + foot})
	}
}

// remove deletes member i of the object p.
func (d *Doc) remove(p *hujson.Value, i int) error {
	obj := p.Value.(*hujson.Object)
	m := obj.Members[i]
	isLast := i == len(obj.Members)-1
	hasComma := !isLast || m.Value.AfterExtra != nil
	end := m.Value.EndOffset // end of the member, with its comma if any
	if hasComma {
		end += len(m.Value.AfterExtra) + 1
	}
	// The comma of the previous member, which must go with the last member
	// unless the object uses trailing commas.
	prevComma := -1
	if !hasComma && i > 0 {
		prev := obj.Members[i-1]
		prevComma = prev.Value.EndOffset + len(prev.Value.AfterExtra)
	}

	// A member alone on its lines goes with them, from the start of its line
	// through the line break after it (and a comment ending its last line).
	start := m.Name.StartOffset
	ls := bytes.LastIndexByte(d.body[:start], '\n') + 1
	if ls > p.StartOffset && isHSpace(d.body[ls:start]) {
		if e, ok := restOfLine(d.body, end); ok {
			edits := []edit{{ls, e, ""}}
			if prevComma >= 0 {
				edits = append(edits, edit{prevComma, prevComma + 1, ""})
			}
			return d.apply(edits...)
		}
	}

	// Otherwise the member shares a line with others.
	if prevComma >= 0 {
		// Keep comments between the comma and the member.
		before := start - len(m.Name.BeforeExtra)
		return d.apply(edit{prevComma, prevComma + 1, ""},
			edit{before + commentEnd(m.Name.BeforeExtra), m.Value.EndOffset, ""})
	}
	if !hasComma {
		return d.apply(edit{start, end, ""})
	}
	// Take the blanks that separate it from what follows, or if there are
	// none (the line or the object ends there), those before it.
	e := end
	for e < len(d.body) && isHSpaceByte(d.body[e]) {
		e++
	}
	if e == end || d.body[e] == '\n' || d.body[e] == '\r' || d.body[e] == '}' {
		e = end
		for start > p.StartOffset+1 && isHSpaceByte(d.body[start-1]) {
			start--
		}
	}
	return d.apply(edit{start, e, ""})
}

// oneLine reports whether the members of the object p are written on the
// same line, or the whole document is written on one line.
func (d *Doc) oneLine(p *hujson.Value) bool {
	if d.oneLineDoc() {
		return true
	}
	obj := p.Value.(*hujson.Object)
	n := len(obj.Members)
	return n > 0 && lastBreak(obj.Members[n-1].Name.BeforeExtra) < 0 && lastBreak(obj.AfterExtra) < 0
}

// oneLineDoc reports whether the root object has members and no line breaks.
func (d *Doc) oneLineDoc() bool {
	obj := d.root.Value.(*hujson.Object)
	return len(obj.Members) > 0 && bytes.IndexByte(d.body[d.root.StartOffset:d.root.EndOffset], '\n') < 0
}

// lineIndent returns the blanks that start the line holding offset pos.
func (d *Doc) lineIndent(pos int) string {
	ls := bytes.LastIndexByte(d.body[:pos], '\n') + 1
	e := ls
	for e < pos && isHSpaceByte(d.body[e]) {
		e++
	}
	return string(d.body[ls:e])
}

// kindName names the kind of a JSON value for error messages.
func kindName(v hujson.ValueTrimmed) string {
	switch v.Kind() {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '"':
		return "a string"
	case '0':
		return "a number"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "an unknown value"
}

// decode decodes one JSON or JSONC value.
func decode(raw []byte) (any, error) {
	// Standardize overwrites comments in its input, so give it a copy.
	std, err := hujson.Standardize(bytes.Clone(raw))
	if err != nil {
		return nil, err
	}
	var x any
	if err := json.Unmarshal(std, &x); err != nil {
		return nil, err
	}
	return x, nil
}
