// Package tomledit edits TOML files, such as Codex CLI's ~/.codex/config.toml,
// while keeping every byte that hub does not own exactly as the user wrote it.
//
// Decoding a file and encoding it again would lose the user's comments, key
// order, quoting and spacing. A Doc instead keeps the original bytes, indexes
// them line by line with go-toml's parser, and splices in the smallest change
// for each edit: a replaced value changes only the value's bytes, an added key
// adds one line, a removed key removes its line. After every edit the whole
// document is parsed again, so an edit can never leave invalid TOML behind.
//
// # Where new keys go
//
//   - A top-level key goes right after the last top-level key line, before the
//     first table header. If there is none, it goes at the top of the file,
//     after a leading comment block that a blank line ends, and is followed by
//     a blank line when content comes next.
//   - A key of an existing [table] goes right after the table's last key line
//     (after its header if it has no keys), with that key line's indentation.
//   - A missing table is created with its first key, after a blank line: right
//     after the last key line of the last table under the same parent (for
//     [model_providers.relay], the last [model_providers.*] table or sub-table),
//     or else at the end of the file.
//   - New lines use the file's line ending; a file without a final line
//     ending stays without one.
//
// # What Delete removes
//
// Delete removes the key's own line(s), including a comment on the same line.
// Comment lines are never removed: hub cannot tell a comment about the key
// from one about what follows, so they stay where they are. If the key sat
// alone between two blank lines, or at the top of the file before a blank
// line, that following blank line goes too (unless another blank line follows
// it). If no key line is left under the key's [table] header, the header line
// goes too, with the blank line just before it (or, at the top of the file,
// the one after it); sub-tables still define the table. A parent's header is
// never removed. These rules undo the insertions above exactly: deleting what
// hub added gives back the original bytes, except that a [table] which had no
// keys before is removed with hub's last key in it.
//
// # What hub will not edit
//
// Tables defined through dotted keys (`a.b.c = 1`), inline tables and arrays
// of tables are left alone: Set and Delete return an error naming the key and
// the line, asking the user to rewrite it as a [table].
package tomledit

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hubctl/hub/targets"
	"github.com/pelletier/go-toml/v2"
	"github.com/pelletier/go-toml/v2/unstable"
)

// A Doc is a parsed TOML document that can be edited in place.
type Doc struct {
	data  []byte
	items []item         // every line of data, in order
	tree  map[string]any // data decoded by go-toml
	eol   string         // line ending for new lines: the file's first one
}

var _ targets.Doc = (*Doc)(nil)

type kind uint8

const (
	blank       kind = iota // whitespace only
	comment                 // # ...
	header                  // [table]
	arrayHeader             // [[table]]
	keyValue                // key = value, possibly spanning several lines
)

// An item is one line of the document, or several for a multi-line value.
// Items cover the document without gaps: each starts where the previous one's
// line ending stops.
type item struct {
	kind  kind
	start int // first byte of the line
	end   int // end of the content, before the line ending
	next  int // end of the line ending: the next item's start
	line  int // line number of start, from 1

	// path is a header's table path, or a key's full path (its table's path
	// followed by the key's own dotted parts).
	path   []string
	nkey   int    // keyValue: number of parts in the key as written
	val    [2]int // keyValue: byte range of the value
	inline bool   // keyValue: the value is an inline table
}

// Parse parses data; nil or empty data is an absent file: an empty document.
// An error names the line and column of the problem.
func Parse(data []byte) (*Doc, error) {
	return parse(bytes.Clone(data))
}

func parse(data []byte) (*Doc, error) {
	tree := map[string]any{}
	if err := toml.Unmarshal(data, &tree); err != nil {
		var de *toml.DecodeError
		if errors.As(err, &de) {
			line, col := de.Position()
			return nil, fmt.Errorf("line %d, column %d: %s", line, col, strings.TrimPrefix(de.Error(), "toml: "))
		}
		return nil, err
	}
	d := &Doc{data: data, tree: tree, eol: "\n"}
	if i := bytes.IndexByte(data, '\n'); i > 0 && data[i-1] == '\r' {
		d.eol = "\r\n"
	}

	var p unstable.Parser
	p.KeepComments = true
	p.Reset(data)
	pos, line := 0, 1
	var table []string // path of the current header
	for p.NextExpression() {
		e := p.Expression()
		var it item
		var from, to int // the bytes of the expression that the parser delimits
		switch e.Kind {
		case unstable.Comment:
			it.kind = comment
			from, to = int(e.Raw.Offset), int(e.Raw.Offset+e.Raw.Length)
		case unstable.Table, unstable.ArrayTable:
			it.kind = header
			if e.Kind == unstable.ArrayTable {
				it.kind = arrayHeader
			}
			var first, last unstable.Range
			it.path, first, last = keyParts(e)
			from, to = int(first.Offset), int(last.Offset+last.Length)
			table = it.path
		case unstable.KeyValue:
			it.kind = keyValue
			parts, _, last := keyParts(e)
			it.path = append(slices.Clone(table), parts...)
			it.nkey = len(parts)
			from, to = int(e.Raw.Offset), int(e.Raw.Offset+e.Raw.Length)
			vs := skipSpace(data, int(last.Offset+last.Length))
			if vs >= len(data) || data[vs] != '=' {
				return nil, fmt.Errorf("line %d: cannot find '=' after key", line)
			}
			it.val = [2]int{skipSpace(data, vs+1), to}
			it.inline = e.Value().Kind == unstable.InlineTable
		default:
			return nil, fmt.Errorf("line %d: unexpected %s expression", line, e.Kind)
		}
		it.start = bytes.LastIndexByte(data[:from], '\n') + 1
		line = d.addBlanks(pos, it.start, line)
		it.end, it.next = len(data), len(data)
		if j := bytes.IndexByte(data[to:], '\n'); j >= 0 {
			it.end, it.next = to+j, to+j+1
			if j > 0 && data[to+j-1] == '\r' {
				it.end--
			}
		}
		it.line = line
		line += bytes.Count(data[it.start:it.next], []byte{'\n'})
		d.items = append(d.items, it)
		pos = it.next
	}
	if err := p.Error(); err != nil {
		var pe *unstable.ParserError
		if errors.As(err, &pe) && pe.Highlight != nil {
			s := p.Shape(p.Range(pe.Highlight))
			return nil, fmt.Errorf("line %d, column %d: %s", s.Start.Line, s.Start.Column, pe.Message)
		}
		return nil, err
	}
	d.addBlanks(pos, len(data), line)
	return d, nil
}

// keyParts returns the decoded parts of a header's or key/value's key, and
// the byte ranges of its first and last parts.
func keyParts(e *unstable.Node) (parts []string, first, last unstable.Range) {
	it := e.Key()
	for it.Next() {
		k := it.Node()
		if parts == nil {
			first = k.Raw
		}
		parts = append(parts, string(k.Data))
		last = k.Raw
	}
	return parts, first, last
}

func skipSpace(data []byte, i int) int {
	for i < len(data) && (data[i] == ' ' || data[i] == '\t') {
		i++
	}
	return i
}

// addBlanks adds an item for each line of data[from:to], which holds only
// whitespace, and returns the line number after them.
func (d *Doc) addBlanks(from, to, line int) int {
	for from < to {
		it := item{kind: blank, start: from, end: to, next: to, line: line}
		if j := bytes.IndexByte(d.data[from:to], '\n'); j >= 0 {
			it.end, it.next = from+j, from+j+1
			if j > 0 && d.data[from+j-1] == '\r' {
				it.end--
			}
			line++
		}
		d.items = append(d.items, it)
		from = it.next
	}
	return line
}

// Bytes returns a copy of the document's current contents.
func (d *Doc) Bytes() []byte {
	return append([]byte{}, d.data...)
}

// Get returns the decoded value at key: string, bool, int64, float64, a time
// value, []any or map[string]any.
func (d *Doc) Get(key targets.Key) (any, bool) {
	if len(key) == 0 {
		return nil, false
	}
	var v any = d.tree
	for _, k := range key {
		m, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = m[k]; !ok {
			return nil, false
		}
	}
	return v, true
}

// Set creates or replaces the value at key, creating its table if needed.
// value may be a string, bool, integer, float, time value, or a slice of
// those (written as an inline array).
func (d *Doc) Set(key targets.Key, value any) error {
	if err := validKey(key); err != nil {
		return err
	}
	enc, err := encode(value)
	if err != nil {
		return fmt.Errorf("%s: %w", key, err)
	}
	if err := d.checkParents(key); err != nil {
		return err
	}
	if err := d.checkNotTable(key); err != nil {
		return err
	}
	if i := d.findKey(key); i >= 0 {
		if old, _ := d.Get(key); sameValue(old, enc) {
			return nil // keep the user's spelling of an equal value
		}
		it := d.items[i]
		return d.apply(splice(d.data, it.val[0], it.val[1], enc))
	}
	return d.insert(key, enc)
}

// Delete removes the value at key, or the whole table if key names a
// [table]. Deleting an absent key does nothing. A table left empty by the
// removal is removed too.
func (d *Doc) Delete(key targets.Key) error {
	if err := validKey(key); err != nil {
		return err
	}
	v, ok := d.Get(key)
	if !ok {
		return nil
	}
	if err := d.checkParents(key); err != nil {
		return err
	}
	saved := *d
	var err error
	if _, ok := v.(map[string]any); ok {
		err = d.deleteTable(key)
	} else {
		err = d.deleteKey(key)
	}
	if err != nil {
		*d = saved // no half-done edits
	}
	return err
}

func validKey(key targets.Key) error {
	if len(key) == 0 {
		return errors.New("empty key")
	}
	for _, k := range key {
		if !utf8.ValidString(k) {
			return fmt.Errorf("%s: key is not valid UTF-8", key)
		}
	}
	return nil
}

// checkParents refuses a key whose parent tables hub would have to edit in a
// form it does not rewrite: inline tables, arrays of tables, dotted keys.
func (d *Doc) checkParents(key targets.Key) error {
	table := headerName(key[:len(key)-1])
	for n := 1; n < len(key); n++ {
		q := key[:n]
		for _, it := range d.items {
			if !slices.Equal(it.path, q) {
				continue
			}
			switch {
			case it.kind == arrayHeader:
				return fmt.Errorf("%s: defined as an array of tables on line %d; hub edits only [%s] tables - rewrite it as a table",
					q, it.line, table)
			case it.kind == keyValue && it.inline:
				return fmt.Errorf("%s: defined as an inline table on line %d; hub edits only [%s] tables - rewrite it as a table",
					q, it.line, table)
			case it.kind == keyValue:
				return fmt.Errorf("%s: is a value on line %d, not a table; hub cannot set %s", q, it.line, key)
			}
		}
	}
	for n := len(key) - 1; n >= 1; n-- {
		if i := d.dotted(key[:n]); i >= 0 {
			return fmt.Errorf("%s: defined through dotted keys on line %d; hub edits only [%s] tables - rewrite it as a table",
				key[:n], d.items[i].line, table)
		}
	}
	return nil
}

// dotted returns the index of a key/value item that defines table q through
// a dotted key, or -1.
func (d *Doc) dotted(q targets.Key) int {
	for i, it := range d.items {
		if it.kind == keyValue && len(it.path) > len(q) && len(it.path)-it.nkey < len(q) &&
			slices.Equal(it.path[:len(q)], q) {
			return i
		}
	}
	return -1
}

// checkNotTable refuses to replace a table with a value.
func (d *Doc) checkNotTable(key targets.Key) error {
	for _, it := range d.items {
		if len(it.path) < len(key) || !slices.Equal(it.path[:len(key)], key) {
			continue
		}
		if it.kind != keyValue || len(it.path) > len(key) || it.inline {
			return fmt.Errorf("%s: is a table (line %d); hub will not replace it with a value", key, it.line)
		}
	}
	return nil
}

// findKey returns the index of the key/value item for key written as a plain
// key in its [table] (or at the top level), or -1.
func (d *Doc) findKey(key targets.Key) int {
	for i, it := range d.items {
		if it.kind == keyValue && it.nkey == 1 && slices.Equal(it.path, key) {
			return i
		}
	}
	return -1
}

// findHeader returns the index of the [table] header for path, or -1.
func (d *Doc) findHeader(path []string) int {
	for i, it := range d.items {
		if it.kind == header && slices.Equal(it.path, path) {
			return i
		}
	}
	return -1
}

// lastKeyLine returns the index of the last key/value item of the table whose
// header is item h (-1: the top level), or h if it has none.
func (d *Doc) lastKeyLine(h int) int {
	last := h
	for i := h + 1; i < len(d.items); i++ {
		switch d.items[i].kind {
		case header, arrayHeader:
			return last
		case keyValue:
			last = i
		}
	}
	return last
}

// insert adds a new key, which checkParents has cleared.
func (d *Doc) insert(key targets.Key, enc string) error {
	line := quoteKey(key[len(key)-1]) + " = " + enc
	table := key[:len(key)-1]
	if len(table) == 0 {
		return d.insertTopLevel(line)
	}
	if h := d.findHeader(table); h >= 0 {
		at := d.lastKeyLine(h)
		if at != h {
			line = d.indent(at) + line
		}
		return d.insertLines(at, line)
	}
	// A new table: after its last sibling, or at the end.
	at := -1
	parent := table[:len(table)-1]
	for i, it := range d.items {
		if (it.kind == header || it.kind == arrayHeader) && len(it.path) >= len(table) &&
			slices.Equal(it.path[:len(parent)], parent) {
			at = i
		}
	}
	if at >= 0 {
		at = d.lastKeyLine(at)
	} else {
		for i, it := range d.items {
			if it.kind != blank {
				at = i
			}
		}
	}
	hdr := "[" + headerName(table) + "]"
	if at < 0 {
		return d.insertLines(-1, hdr, line)
	}
	return d.insertLines(at, "", hdr, line)
}

func (d *Doc) insertTopLevel(line string) error {
	first := len(d.items) // first header
	for i, it := range d.items {
		if it.kind == header || it.kind == arrayHeader {
			first = i
			break
		}
	}
	if at := d.lastKeyLine(-1); at >= 0 && at < first {
		return d.insertLines(at, d.indent(at)+line)
	}
	// No top-level keys: at the top, after a leading comment block that a
	// blank line separates from the rest.
	at := -1
	c := 0
	for c < first && d.items[c].kind == comment {
		c++
	}
	if c > 0 && c < first && d.items[c].kind == blank {
		at = c
	}
	if d.blankAfter(at) {
		at++ // so that Delete, which would take this blank line, takes ours
	}
	if at+1 < len(d.items) && d.items[at+1].kind != blank {
		return d.insertLines(at, line, "")
	}
	return d.insertLines(at, line)
}

// indent returns the leading whitespace of item i.
func (d *Doc) indent(i int) string {
	it := d.items[i]
	return string(d.data[it.start:skipSpace(d.data[:it.end], it.start)])
}

// insertLines inserts lines after item at (-1: at the top), each with the
// document's line ending. After a last line that has no line ending, the
// inserted lines end without one too.
func (d *Doc) insertLines(at int, lines ...string) error {
	var b strings.Builder
	pos := 0
	if at >= 0 && d.items[at].end == d.items[at].next {
		pos = d.items[at].next
		for _, l := range lines {
			b.WriteString(d.eol)
			b.WriteString(l)
		}
	} else {
		if at >= 0 {
			pos = d.items[at].next
		}
		for _, l := range lines {
			b.WriteString(l)
			b.WriteString(d.eol)
		}
	}
	return d.apply(splice(d.data, pos, pos, b.String()))
}

// removeItems removes items from through to. If that removes the last line
// and it had no line ending, the new last line loses its line ending too.
func (d *Doc) removeItems(from, to int) error {
	start, end := d.items[from].start, d.items[to].next
	if to == len(d.items)-1 && d.items[to].end == end && from > 0 {
		start = d.items[from-1].end
	}
	return d.apply(splice(d.data, start, end, ""))
}

// blankAfter reports whether item i is followed by a blank line and then by
// a line that is not blank: a blank line that can go when item i goes.
func (d *Doc) blankAfter(i int) bool {
	return i+2 < len(d.items) && d.items[i+1].kind == blank && d.items[i+2].kind != blank
}

func (d *Doc) deleteKey(key targets.Key) error {
	i := d.findKey(key)
	if i < 0 {
		for _, it := range d.items {
			if it.kind == arrayHeader && slices.Equal(it.path, key) {
				return fmt.Errorf("%s: defined as an array of tables on line %d; hub deletes only values and [tables]", key, it.line)
			}
		}
		return fmt.Errorf("%s: cannot find the line that defines it", key)
	}
	to := i
	if (i == 0 || d.items[i-1].kind == blank) && d.blankAfter(i) {
		to++
	}
	if err := d.removeItems(i, to); err != nil {
		return err
	}
	return d.removeIfEmpty(key[:len(key)-1])
}

// deleteTable removes every key of table key, then the table itself.
func (d *Doc) deleteTable(key targets.Key) error {
	for _, it := range d.items {
		if slices.Equal(it.path, key) && it.kind == keyValue {
			return fmt.Errorf("%s: defined as an inline table on line %d; hub edits only [%s] tables - rewrite it as a table",
				key, it.line, headerName(key))
		}
	}
	if i := d.dotted(key); i >= 0 {
		return fmt.Errorf("%s: defined through dotted keys on line %d; hub edits only [%s] tables - rewrite it as a table",
			key, d.items[i].line, headerName(key))
	}
	v, _ := d.Get(key)
	names := make([]string, 0)
	for k := range v.(map[string]any) {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		sub := append(slices.Clone(key), k)
		v, _ := d.Get(sub)
		var err error
		if _, ok := v.(map[string]any); ok {
			err = d.deleteTable(sub)
		} else {
			err = d.deleteKey(sub)
		}
		if err != nil {
			return err
		}
	}
	return d.removeIfEmpty(key)
}

// removeIfEmpty removes the header of table path if no key lines follow it.
// Sub-tables keep the table defined without it.
func (d *Doc) removeIfEmpty(path []string) error {
	h := d.findHeader(path)
	if h < 0 || d.lastKeyLine(h) != h {
		return nil
	}
	from, to := h, h
	if h > 0 && d.items[h-1].kind == blank {
		from--
	}
	if from == 0 && d.blankAfter(to) {
		to++
	}
	return d.removeItems(from, to)
}

// apply replaces the document with data, which must parse.
func (d *Doc) apply(data []byte) error {
	nd, err := parse(data)
	if err != nil {
		return fmt.Errorf("edit would produce invalid TOML (%v); this is a bug in hub", err)
	}
	*d = *nd
	return nil
}

func splice(data []byte, from, to int, s string) []byte {
	out := make([]byte, 0, len(data)-(to-from)+len(s))
	out = append(out, data[:from]...)
	out = append(out, s...)
	return append(out, data[to:]...)
}

// sameValue reports whether the decoded value old equals the TOML value enc.
func sameValue(old any, enc string) bool {
	var m map[string]any
	if err := toml.Unmarshal([]byte("v = "+enc), &m); err != nil {
		return false
	}
	return reflect.DeepEqual(old, m["v"])
}

// encode renders value as a TOML value.
func encode(value any) (string, error) {
	switch v := value.(type) {
	case nil:
		return "", errors.New("cannot set a nil value")
	case time.Time:
		return v.Format(time.RFC3339Nano), nil
	case toml.LocalDate, toml.LocalTime, toml.LocalDateTime:
		return fmt.Sprint(v), nil
	}
	rv := reflect.ValueOf(value)
	switch rv.Kind() {
	case reflect.String:
		if !utf8.ValidString(rv.String()) {
			return "", errors.New("string value is not valid UTF-8")
		}
		return quote(rv.String()), nil
	case reflect.Bool:
		return strconv.FormatBool(rv.Bool()), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(rv.Int(), 10), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		if rv.Uint() > math.MaxInt64 {
			return "", fmt.Errorf("integer %d does not fit TOML's 64-bit signed integers", rv.Uint())
		}
		return strconv.FormatUint(rv.Uint(), 10), nil
	case reflect.Float32, reflect.Float64:
		return formatFloat(rv.Float(), rv.Type().Bits()), nil
	case reflect.Slice, reflect.Array:
		if rv.Kind() == reflect.Slice && rv.IsNil() {
			return "[]", nil
		}
		parts := make([]string, rv.Len())
		for i := range parts {
			s, err := encode(rv.Index(i).Interface())
			if err != nil {
				return "", err
			}
			parts[i] = s
		}
		return "[" + strings.Join(parts, ", ") + "]", nil
	}
	return "", fmt.Errorf("unsupported value type %T (hub writes strings, booleans, numbers and arrays of them)", value)
}

func formatFloat(f float64, bits int) string {
	switch {
	case math.IsNaN(f):
		return "nan"
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	}
	s := strconv.FormatFloat(f, 'g', -1, bits)
	if !strings.ContainsAny(s, ".e") {
		s += ".0"
	}
	return s
}

// quote renders s as a TOML basic string.
func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\b':
			b.WriteString(`\b`)
		case '\t':
			b.WriteString(`\t`)
		case '\n':
			b.WriteString(`\n`)
		case '\f':
			b.WriteString(`\f`)
		case '\r':
			b.WriteString(`\r`)
		default:
			if r < 0x20 || r == 0x7f {
				fmt.Fprintf(&b, `\u%04X`, r)
			} else {
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}

// quoteKey renders one key part, bare if TOML allows it.
func quoteKey(k string) string {
	if k == "" {
		return `""`
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return quote(k)
		}
	}
	return k
}

// headerName renders a table path as written between brackets.
func headerName(path []string) string {
	parts := make([]string, len(path))
	for i, k := range path {
		parts[i] = quoteKey(k)
	}
	return strings.Join(parts, ".")
}
