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
//
// Keys may select array elements with targets.Select segments, so that hub
// can own fields of one entry of a list such as Claude Code Router's
// Providers[name=relay]: the first element that is an object whose field is
// that string. Set appends the element, holding just that field, when it is
// missing; Delete removes it again once hub's last field in it is gone.
// Arrays themselves are never removed: the user may list their own entries
// there, and an empty list is what most tools write by default. A selector
// segment that looks like a key name ("[name=x]") is always a selector.
//
// Keys may also select by a secret, with targets.SelectSecret segments, for
// lists whose entries are known only by their key (CLIProxyAPI's
// claude-api-key as its management API returns it): [api-key~salt:digest]
// selects the first element whose api-key is a string v with
// targets.SecretDigest(v, salt) == digest. Such an element is created by
// setting its selected field, [api-key~salt:digest].api-key, to the secret
// itself (Set refuses a value of another digest, and any other field of a
// missing element, since only the secret can make an element the selector
// finds); and deleting that field removes the whole element, which nothing
// could find again without it.
//
// Files that their tool reads as JSON5 are opened with ParseJSON5, which
// explains what to change where a file uses JSON5 syntax beyond JSONC.
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
	if err := checkDepth(b); err != nil {
		return err
	}
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

// Set creates or replaces the value at key, creating missing parent objects,
// and arrays and array elements for selector segments. An existing value is
// replaced in place; a new member goes at the end of its object, formatted
// like its siblings, and a new element at the end of its array, holding the
// selected field first. Setting a value equal to the current one leaves the
// document as it is.
func (d *Doc) Set(key targets.Key, value any) error {
	if len(key) == 0 {
		return errors.New("set: empty key")
	}
	for _, name := range key {
		if !utf8.ValidString(name) {
			return fmt.Errorf("set: key name %q is not valid UTF-8", name)
		}
	}
	if err := checkSelectors("set", key); err != nil {
		return err
	}
	if isSelector(key[len(key)-1]) {
		return fmt.Errorf("set %s: a key cannot end with a selector; set the fields of the element instead", key)
	}
	if len(key) >= 2 {
		if s, ok := parseSel(key[len(key)-2]); ok && s.field == key[len(key)-1] {
			if !s.secret {
				return fmt.Errorf("set %s: %s is the field the selector matches; it is set with the element", key, s.field)
			}
			// The value is a secret: never put it in the error.
			if v, isString := value.(string); !isString || !s.match(v) {
				return fmt.Errorf("set %s: the value is not the secret the selector's digest was made from", key)
			}
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
	// Each step either sets the value or creates one missing array or
	// element on the way; the body is parsed again after every edit, so the
	// next step walks the new tree from the root.
	for range 2*len(key) + 1 {
		done, err := d.setStep(key, tree)
		if err != nil || done {
			return err
		}
	}
	return fmt.Errorf("set %s: too many steps (a bug in hub)", key)
}

// setStep walks key from the root and makes one edit: the final one (done),
// or the creation of a missing array or array element on the way.
func (d *Doc) setStep(key targets.Key, tree any) (done bool, err error) {
	st := d.style()
	parent := &d.root
	for i, seg := range key {
		// Inside an object or array written on one line, new text stays on
		// one line.
		if d.oneLine(parent) {
			st.inline = true
		}
		if s, sel := parseSel(seg); sel {
			arr, ok := parent.Value.(*hujson.Array)
			if !ok {
				return false, fmt.Errorf("set %s: %s is %s, not an array", key, describe(key[:i]), kindName(parent.Value))
			}
			j := find(arr, s)
			if j < 0 {
				if !s.secret {
					return false, wrap(key, d.appendElement(parent, map[string]any{s.field: s.value}, st))
				}
				// Only the secret makes an element this selector finds:
				// setting the selected field creates it, and is done.
				if i != len(key)-2 || key[i+1] != s.field {
					return false, fmt.Errorf("set %s: no element of %s holds the secret %s selects; set %s first, which creates it",
						key, describe(key[:i]), seg, slices.Concat(key[:i+1], targets.Key{s.field}))
				}
				return true, wrap(key, d.appendElement(parent, map[string]any{s.field: tree}, st))
			}
			parent = &arr.Elements[j]
			continue
		}
		obj, ok := parent.Value.(*hujson.Object)
		if !ok {
			return false, fmt.Errorf("set %s: %s is %s, not an object", key, describe(key[:i]), kindName(parent.Value))
		}
		j := index(obj, seg)
		if j < 0 {
			rest := key[i+1:]
			// Up to the next selector, the missing parents are objects; the
			// array it selects in starts empty and gets its element in the
			// next step.
			v, last := tree, len(rest)
			if k := slices.IndexFunc(rest, isSelector); k >= 0 {
				v, last = []any{}, k
			}
			for k := last - 1; k >= 0; k-- {
				v = map[string]any{rest[k]: v}
			}
			return last == len(rest), wrap(key, d.insert(parent, seg, v, st))
		}
		m := &obj.Members[j]
		if i == len(key)-1 {
			return true, wrap(key, d.replace(m, tree, st))
		}
		parent = &m.Value
	}
	panic("unreachable")
}

// describe names the value at key k for an error message.
func describe(k targets.Key) string {
	if len(k) == 0 {
		return "the top level"
	}
	return k.String()
}

// isSelector reports whether a key segment selects an array element.
func isSelector(seg string) bool {
	_, _, _, ok := targets.ParseSelector(seg)
	return ok
}

// A sel is a selector segment that picks array elements by a field: one
// whose value is a string (targets.Select) or a string of a digest
// (targets.SelectSecret).
type sel struct {
	field        string
	value        string // Select
	salt, digest string // SelectSecret
	secret       bool
}

// parseSel parses a Select or SelectSecret segment; markers are not one.
func parseSel(seg string) (sel, bool) {
	if f, salt, digest, ok := targets.ParseSecretSelector(seg); ok {
		return sel{field: f, salt: salt, digest: digest, secret: true}, true
	}
	f, v, marker, ok := targets.ParseSelector(seg)
	if !ok || marker != "" {
		return sel{}, false
	}
	return sel{field: f, value: v}, true
}

// match reports whether a string value of the selected field selects.
func (s sel) match(v string) bool {
	if s.secret {
		return targets.SecretDigest(v, s.salt) == s.digest
	}
	return v == s.value
}

// checkSelectors refuses marker selectors, which only YAML comments can hold.
func checkSelectors(op string, key targets.Key) error {
	for _, seg := range key {
		if _, _, marker, ok := targets.ParseSelector(seg); ok && marker != "" {
			return fmt.Errorf("%s %s: %s selects a list entry by a \"# hub:%s\" comment, which only YAML files can hold; JSON keys select elements by a field, such as [name=%s]",
				op, key, seg, marker, marker)
		}
	}
	return nil
}

// find returns the index of the first element of arr that is an object whose
// member s.field is a string s selects, or -1.
func find(arr *hujson.Array, s sel) int {
	for i := range arr.Elements {
		obj, ok := arr.Elements[i].Value.(*hujson.Object)
		if !ok {
			continue
		}
		j := index(obj, s.field)
		if j < 0 {
			continue
		}
		if lit, ok := obj.Members[j].Value.Value.(hujson.Literal); ok && lit.Kind() == '"' && s.match(lit.String()) {
			return i
		}
	}
	return -1
}

// child returns the index of what seg names in the object or array v: the
// member (the last of duplicates) or the selected element; or -1.
func child(v *hujson.Value, seg string) int {
	switch x := v.Value.(type) {
	case *hujson.Object:
		if isSelector(seg) {
			return -1
		}
		return index(x, seg)
	case *hujson.Array:
		if s, ok := parseSel(seg); ok {
			return find(x, s)
		}
	}
	return -1
}

// Delete removes the value at key with the line or separator it occupied,
// keeping comments written on their own lines before it. Parent objects left
// empty are removed too, except the root; an array element left holding only
// its selected field is removed from its array; arrays are never removed.
// Deleting the field a SelectSecret segment selects by removes the element.
// Deleting an absent key does nothing.
func (d *Doc) Delete(key targets.Key) error {
	if len(key) == 0 {
		return errors.New("delete: empty key")
	}
	if err := checkSelectors("delete", key); err != nil {
		return err
	}
	parentKey, last := key[:len(key)-1], key[len(key)-1]
	// The parent is an array element if the key selects one before its last
	// name.
	s, inElement := parseSel(lastSeg(parentKey))
	if inElement && s.secret && last == s.field {
		return wrap(key, d.removeElements(parentKey[:len(parentKey)-1], s))
	}
	removed := false
	for {
		p, j := d.lookupIndex(parentKey)
		if p == nil {
			break
		}
		i := child(p, last)
		if i < 0 {
			break
		}
		// Repeat for duplicate names and elements: the decoded value is the
		// last member of a name, the first element a selector matches, and
		// another one would become visible once it is gone.
		if err := d.remove(p, i); err != nil {
			return wrap(key, err)
		}
		removed = true
		if inElement {
			arr := d.lookup(parentKey[:len(parentKey)-1])
			if bare(&arr.Value.(*hujson.Array).Elements[j], s.field) {
				if err := d.removeElement(arr, j); err != nil {
					return wrap(key, err)
				}
			}
		}
	}
	if !removed || inElement {
		return nil
	}
	p := d.lookup(parentKey)
	obj, ok := p.Value.(*hujson.Object)
	if !ok {
		return nil // an array keeps existing, even empty
	}
	if len(obj.Members) > 0 || !isSpace(obj.AfterExtra) {
		return nil
	}
	if len(key) > 1 {
		return d.Delete(parentKey)
	}
	if d.wasBlank {
		d.body, d.blank = d.orig, true
		return nil
	}
	// Collapse the emptied root to "{}", as it was before anything was set.
	end := p.EndOffset - 1
	return wrap(key, d.apply(edit{end - len(obj.AfterExtra), end, ""}))
}

func lastSeg(k targets.Key) string {
	if len(k) == 0 {
		return ""
	}
	return k[len(k)-1]
}

// bare reports whether the array element v is an object holding nothing but
// the field its selector matched (or nothing at all) and no comments: what
// Set created for it and hub no longer needs.
func bare(v *hujson.Value, field string) bool {
	obj, ok := v.Value.(*hujson.Object)
	if !ok || !isSpace(obj.AfterExtra) {
		return false
	}
	for _, m := range obj.Members {
		if lit, ok := m.Name.Value.(hujson.Literal); !ok || lit.String() != field {
			return false
		}
		for _, x := range []hujson.Extra{m.Name.BeforeExtra, m.Name.AfterExtra, m.Value.BeforeExtra, m.Value.AfterExtra} {
			if !isSpace(x) {
				return false
			}
		}
	}
	return true
}

// removeElements removes every element that s selects in the array at key.
func (d *Doc) removeElements(key targets.Key, s sel) error {
	for {
		p := d.lookup(key)
		if p == nil {
			return nil
		}
		arr, ok := p.Value.(*hujson.Array)
		if !ok {
			return nil
		}
		j := find(arr, s)
		if j < 0 {
			return nil
		}
		if err := d.removeElement(p, j); err != nil {
			return err
		}
	}
}

// removeElement removes element j of the array p, and collapses the array to
// "[]" if only blanks are left in it, as it was before Set added to it.
func (d *Doc) removeElement(p *hujson.Value, j int) error {
	start := p.StartOffset
	if err := d.remove(p, j); err != nil {
		return err
	}
	// The array starts where it did: only its insides changed.
	for v := range d.root.All() {
		if v.StartOffset != start {
			continue
		}
		if arr, ok := v.Value.(*hujson.Array); ok && len(arr.Elements) == 0 && len(arr.AfterExtra) > 0 && isSpace(arr.AfterExtra) {
			return d.apply(edit{start + 1, v.EndOffset - 1, ""})
		}
		break
	}
	return nil
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
	v, _ := d.lookupIndex(key)
	return v
}

// lookupIndex returns the value at key and its index in the object or array
// holding it (-1 for the root), or nil.
func (d *Doc) lookupIndex(key targets.Key) (*hujson.Value, int) {
	if d.blank {
		return nil, -1
	}
	v, i := &d.root, -1
	for _, seg := range key {
		i = child(v, seg)
		if i < 0 {
			return nil, -1
		}
		switch x := v.Value.(type) {
		case *hujson.Object:
			v = &x.Members[i].Value
		case *hujson.Array:
			v = &x.Elements[i]
		}
	}
	return v, i
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

// An entry is a member of an object or an element of an array, as insert and
// remove see it.
type entry struct {
	before     hujson.Extra // trivia after '{', '[' or the previous comma
	start, end int          // from the name or element to the end of the value
	after      hujson.Extra // trivia after the value; non-nil on the last entry if a trailing comma follows
}

// entries returns the members of the object or the elements of the array p,
// and the trivia before its closing bracket (after the last value or comma).
func entries(p *hujson.Value) ([]entry, hujson.Extra) {
	switch x := p.Value.(type) {
	case *hujson.Object:
		es := make([]entry, len(x.Members))
		for i, m := range x.Members {
			es[i] = entry{m.Name.BeforeExtra, m.Name.StartOffset, m.Value.EndOffset, m.Value.AfterExtra}
		}
		return es, x.AfterExtra
	case *hujson.Array:
		es := make([]entry, len(x.Elements))
		for i, e := range x.Elements {
			es[i] = entry{e.BeforeExtra, e.StartOffset, e.EndOffset, e.AfterExtra}
		}
		return es, x.AfterExtra
	}
	return nil, nil
}

// insert adds a member at the end of the object p; st.inline is set if p or
// a value around it is written on one line.
func (d *Doc) insert(p *hujson.Value, name string, v any, st style) error {
	obj := p.Value.(*hujson.Object)
	if n := len(obj.Members); n > 0 {
		if c, ok := colon(&obj.Members[n-1]); ok {
			st.colon = c
		}
	}
	return d.add(p, st, func(st style, indent string) string {
		return string(appendString(nil, name)) + st.colon + string(st.render(nil, v, indent))
	})
}

// appendElement adds v at the end of the array p, written like the last
// element: on one line if that is an object written on one line.
func (d *Doc) appendElement(p *hujson.Value, v any, st style) error {
	arr := p.Value.(*hujson.Array)
	if n := len(arr.Elements); n > 0 {
		last := arr.Elements[n-1]
		if obj, ok := last.Value.(*hujson.Object); ok && len(obj.Members) > 0 &&
			bytes.IndexByte(d.body[last.StartOffset:last.EndOffset], '\n') < 0 {
			return d.add(p, st, func(st style, _ string) string {
				st.inline = true
				return string(st.render(nil, v, ""))
			})
		}
	}
	return d.add(p, st, func(st style, indent string) string {
		return string(st.render(nil, v, indent))
	})
}

// add adds an entry at the end of the object or array p: text(st, indent)
// renders it for a line starting with indent.
func (d *Doc) add(p *hujson.Value, st style, text func(st style, indent string) string) error {
	es, tail := entries(p)
	n := len(es)
	closing := p.EndOffset - 1
	tailStart := closing - len(tail)
	var last entry
	trailingComma := false
	if n > 0 {
		last = es[n-1]
		trailingComma = last.after != nil
	}
	if st.inline {
		if n >= 2 && isHSpace(last.before) {
			st.comma = string(last.before)
		}
		text := text(st, "")
		switch {
		case n == 0 && isSpace(tail):
			return d.apply(edit{tailStart, closing, text})
		case n == 0:
			return d.apply(edit{closing, closing, text})
		case trailingComma:
			return d.apply(edit{tailStart, tailStart, st.comma + text + ","})
		default:
			return d.apply(edit{last.end, last.end, "," + st.comma + text})
		}
	}

	open := p.StartOffset
	indent := d.lineIndent(open) + st.unit
	if n > 0 && bytes.IndexByte(d.body[open:last.start], '\n') >= 0 {
		indent = d.lineIndent(last.start)
	}
	entry := text(st, indent)

	// Split the trivia before the closing bracket at its last line break:
	// what comes before (a comment ending the last entry's line, lines of
	// comments or blank lines) stays before the new entry; the break and the
	// indentation of the bracket stay after it.
	var head, foot string
	if k := lastBreak(tail); k >= 0 {
		head, foot = string(tail[:k]), string(tail[k:])
	} else {
		// No line break: blanks before the bracket stay there.
		head = strings.TrimRight(string(tail), " \t")
		foot = string(tail[len(head):])
	}
	if n == 0 && isSpace([]byte(head)) {
		head = ""
	}
	if n == 0 && lastBreak(tail) < 0 {
		foot = st.nl + d.lineIndent(open)
	}
	line := head + st.nl + indent + entry
	switch {
	case n == 0:
		return d.apply(edit{tailStart, closing, line + foot})
	case trailingComma:
		return d.apply(edit{tailStart, closing, line + "," + foot})
	default:
		// Without a trailing comma the tail starts right after the last value.
		return d.apply(edit{last.end, closing, "," + line + foot})
	}
}

// remove deletes member or element i of the object or array p.
func (d *Doc) remove(p *hujson.Value, i int) error {
	es, _ := entries(p)
	m := es[i]
	isLast := i == len(es)-1
	hasComma := !isLast || m.after != nil
	end := m.end // end of the entry, with its comma if any
	if hasComma {
		end += len(m.after) + 1
	}
	// The comma of the previous entry, which must go with the last entry
	// unless the object or array uses trailing commas.
	prevComma := -1
	if !hasComma && i > 0 {
		prev := es[i-1]
		prevComma = prev.end + len(prev.after)
	}

	// An entry alone on its lines goes with them, from the start of its line
	// through the line break after it (and a comment ending its last line).
	start := m.start
	ls := bytes.LastIndexByte(d.body[:start], '\n') + 1
	if ls > p.StartOffset && isHSpace(d.body[ls:start]) {
		if e, ok := restOfLine(d.body, end); ok {
			// Take the line break before the entry's line rather than the
			// one after it: the same bytes, unless the file mixes \n and
			// \r\n, where the one before is the break Set wrote with it.
			from, to := ls, e
			if ls-1 > p.StartOffset && d.body[ls-1] == '\n' && d.body[e-1] == '\n' {
				from = ls - 1
				if from-1 > p.StartOffset && d.body[from-1] == '\r' {
					from--
				}
				to = e - 1
				if to-1 >= end && d.body[to-1] == '\r' {
					to--
				}
			}
			edits := []edit{{from, to, ""}}
			if prevComma >= 0 {
				edits = append(edits, edit{prevComma, prevComma + 1, ""})
			}
			return d.apply(edits...)
		}
	}

	// Otherwise the entry shares a line with others.
	if prevComma >= 0 {
		// Keep comments between the comma and the entry.
		before := start - len(m.before)
		return d.apply(edit{prevComma, prevComma + 1, ""},
			edit{before + commentEnd(m.before), m.end, ""})
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
	if e == end || d.body[e] == '\n' || d.body[e] == '\r' || e == p.EndOffset-1 {
		e = end
		// An entry that starts its line and ends at the closing bracket
		// ("[],\n"0": 1,}") takes the line break before it too: Set
		// wrote it there on a line of its own.
		if e == p.EndOffset-1 && ls > p.StartOffset+1 && isHSpace(d.body[ls:start]) {
			start = ls - 1
			if start > p.StartOffset+1 && d.body[start-1] == '\r' {
				start--
			}
		}
		for start > p.StartOffset+1 && isHSpaceByte(d.body[start-1]) {
			start--
		}
	}
	return d.apply(edit{start, e, ""})
}

// oneLine reports whether the entries of the object or array p are written
// on the same line, or the whole document is written on one line.
func (d *Doc) oneLine(p *hujson.Value) bool {
	if d.oneLineDoc() {
		return true
	}
	es, tail := entries(p)
	n := len(es)
	return n > 0 && lastBreak(es[n-1].before) < 0 && lastBreak(tail) < 0
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

// Keys returns the member names of the object at key in the file's order
// (a name given twice, once), or nil if there is no object there: what
// Get's map cannot say, for hub import to list providers as the user wrote
// them.
func (d *Doc) Keys(key targets.Key) []string {
	v := d.lookup(key)
	if v == nil {
		return nil
	}
	obj, ok := v.Value.(*hujson.Object)
	if !ok {
		return nil
	}
	var out []string
	seen := map[string]bool{}
	for _, m := range obj.Members {
		lit, ok := m.Name.Value.(hujson.Literal)
		if !ok || seen[lit.String()] {
			continue
		}
		seen[lit.String()] = true
		out = append(out, lit.String())
	}
	return out
}
