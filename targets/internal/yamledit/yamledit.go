// Package yamledit edits YAML files whose top level is a mapping, such as
// CLIProxyAPI's config.yaml, while keeping every byte hub does not own as the
// user wrote it.
//
// Decoding a YAML file and encoding it again loses comments, blank lines,
// quoting and indentation, and reorders keys. A Doc instead keeps the file's
// text and uses gopkg.in/yaml.v3's node tree (yaml.Node.Line and Column) only
// to locate things: where each node starts, and, by scanning the text from
// there, where it ends. Every edit is a splice of the text: a replaced scalar
// changes only the scalar's bytes (its quoting style kept), a new mapping
// entry or list element adds its own lines, formatted like its siblings, a
// removed one takes its lines with it. After every splice the text is parsed
// again and the edit checked (the key reads back as set, the other top-level
// keys read as before), so an edit can never leave a broken file behind.
//
// # Keys
//
// A key is a path of mapping names from the root. A segment may also select
// an element of a list of mappings: targets.Select(field, value) the element
// whose field has that value, targets.Marked(m) the element marked by a
// "# hub:m" comment, either on the line right above the element's "-" or at
// the end of its first line. Set creates a missing list or element (a
// selected element holding the field, a marked one with the comment on its
// own line above it); Delete removes an element left holding only its
// selected field, or nothing.
//
// # Where new text goes
//
//   - A new top-level key goes at the end of the file, after a blank line
//     unless the file is empty or already ends with one. (Config files often
//     end with commented-out examples; hub's section goes after them.)
//   - A new key of a nested mapping goes after the mapping's last entry, with
//     the indentation of its keys.
//   - A new list element goes after the list's last element, with its "-" in
//     the same column.
//   - A value that was null (key:), [] or {} is replaced by the new value.
//   - New strings are plain when that reads back the same, unless most
//     strings in the file are double-quoted (as in CLIProxyAPI's
//     config.example.yaml), then double-quoted. A replaced string keeps its
//     quotes. Nested blocks are indented like the file's other nested blocks
//     (2 spaces by default; lists under a key indented or not, as the file
//     does). New lines use the file's line ending.
//
// # Replacing values
//
// A scalar is replaced in place (a comment after it stays). A list replaced
// by another list is edited element by element: elements found in both stay
// as they are, with their comments; an element whose scalars changed (a
// rotated key in [{api-key: K}]) is updated in place; the others are removed
// or inserted. A
// mapping replaced by another mapping is edited key by key. Only a value that
// changes kind, or one written in flow style ([a, b]), is written anew, in the
// style it had: block, or flow on one line.
//
// # What Delete removes
//
// The entry's or element's own lines, with a comment at their end and
// comments between them; comment lines above and below stay, except a
// "# hub:" marker line right above a removed element. A mapping or list left
// empty is removed with its key (the root stays, possibly empty); so is a
// list element left holding only its selected field. A top-level entry with
// a blank line above it and a blank line or the end of the file below takes
// the blank line above along; the first entry of a file takes the blank line
// below it. These rules undo the
// insertions above: deleting what hub added gives back the original bytes,
// except that a key that held null, [] or {} before hub added to it is
// removed with hub's last element, and a file that ended with one blank line
// loses it.
//
// # What hub will not edit
//
// Set and Delete refuse, naming the line and column, to edit through YAML
// aliases or anchored nodes (other places may refer to them), to add to a
// non-empty flow collection ({a: 1}, [a]), or to edit a file with a document
// marker (--- or ...) after its first document; Set refuses key names too
// long for YAML. Files with more than one document, a top level that is not
// a mapping, duplicate keys, or line breaks that are a lone CR do not parse.
//
// Errors name the line and column. yaml.v3's syntax errors name only a line
// (and none on the first), so Parse finds the column by parsing prefixes of
// the file: the shortest one failing the same way ends at the culprit.
package yamledit

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/hubctl/hub/targets"
)

// Doc is a parsed YAML document that is edited in place.
type Doc struct {
	data  []byte
	bom   int   // length of a leading byte order mark
	lines []int // offset of the first byte of each line (line n at lines[n-1])
	root  *yaml.Node
	spans map[*yaml.Node]*span
	scal  []rng  // sorted ranges of scalars, to tell a '#' in a value from a comment
	eol   string // line ending for new lines
	st    style
	// marker is the line of a document marker (--- or ...) after the first
	// document's content, or 0.
	marker int
}

var _ targets.Doc = (*Doc)(nil)

// span is where a node is in the text.
type span struct {
	start  int // first byte, anchors and tags included
	body   int // first byte after anchors and tags
	end    int // one past the last byte of the node's own text
	parent *yaml.Node
	dash   int  // block list elements: offset of their "-"; else -1
	flow   bool // the node is inside a flow collection
}

type rng struct{ start, end int }

// Parse parses data, which must hold one YAML document whose top level is a
// mapping; nil, blank or comment-only data is an empty document.
func Parse(data []byte) (*Doc, error) {
	if len(data) > MaxSize {
		return nil, fmt.Errorf("%d bytes, more than the %d MiB hub edits as YAML", len(data), MaxSize>>20)
	}
	d := &Doc{}
	if err := d.load(bytes.Clone(data)); err != nil {
		return nil, err
	}
	return d, nil
}

// Bytes returns the document's current contents.
func (d *Doc) Bytes() []byte { return bytes.Clone(d.data) }

// load makes b the document's contents and indexes it.
func (d *Doc) load(b []byte) error {
	for i, c := range b {
		// yaml.v3 counts a lone CR as a line break; hub's line index does not.
		if c == '\r' && (i+1 == len(b) || b[i+1] != '\n') {
			l, col := position(b, i)
			return fmt.Errorf("line %d, column %d: a carriage return without a line feed; hub edits files whose lines end in \\n or \\r\\n", l, col)
		}
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return syntaxError(b, err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	var first, second yaml.Node
	if err := dec.Decode(&first); err == nil {
		switch err := dec.Decode(&second); {
		case err == nil:
			return fmt.Errorf("line %d: a second YAML document starts here; hub edits files holding one document", second.Line)
		case !errors.Is(err, io.EOF):
			return syntaxError(b, err)
		}
	}
	nd := &Doc{data: b, spans: map[*yaml.Node]*span{}, eol: lineEnding(b), st: style{mapIndent: 2, seqIndent: 2}}
	if bytes.HasPrefix(b, []byte("\ufeff")) {
		nd.bom = 3
	}
	nd.lines = []int{nd.bom}
	for i, c := range b {
		if c == '\n' && i+1 < len(b) {
			nd.lines = append(nd.lines, i+1)
		}
	}
	if doc.Kind == yaml.DocumentNode && len(doc.Content) == 1 {
		top := doc.Content[0]
		switch {
		case top.Kind == yaml.MappingNode:
			nd.root = top
		case top.Kind == yaml.ScalarNode && top.ShortTag() == "!!null" && top.Value == "" && top.Anchor == "" && top.Style&yaml.TaggedStyle == 0:
			// Comments only, or "---": an empty document.
		default:
			return fmt.Errorf("line %d, column %d: the top level is %s; hub expects a mapping (key: value lines)", top.Line, top.Column, kindName(top))
		}
	}
	if nd.root != nil {
		if err := checkShape(nd.root); err != nil {
			return err
		}
		if err := nd.walk(nd.root, nil, 0, false); err != nil {
			return err
		}
		// Decoding catches what the node tree lets through (bad tagged
		// values, bad merges), as CLIProxyAPI would when loading the file.
		var v any
		if err := yaml.Unmarshal(b, &v); err != nil {
			return decodeError(nd.root, err)
		}
		nd.detectStyle()
		nd.findMarker()
	}
	*d = *nd
	return nil
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	}
	switch n.ShortTag() {
	case "!!null":
		return "null"
	case "!!str":
		return "a string"
	case "!!bool":
		return "a boolean"
	case "!!int", "!!float":
		return "a number"
	}
	return "a scalar"
}

func lineEnding(b []byte) string {
	if i := bytes.IndexByte(b, '\n'); i > 0 && b[i-1] == '\r' {
		return "\r\n"
	}
	return "\n"
}

// Get returns the value at key decoded to JSON-like values: string, bool,
// int64, float64, nil, []any and map[string]any. Timestamps stay strings.
func (d *Doc) Get(key targets.Key) (any, bool) {
	if d.root == nil {
		return nil, false
	}
	if len(key) == 0 {
		v, err := decode(d.root)
		return v, err == nil
	}
	hops, missing, err := d.resolve(key)
	if err != nil || missing < len(key) {
		return nil, false
	}
	v, err := decode(hops[len(hops)-1].val)
	if err != nil {
		return nil, false
	}
	return v, true
}

// A hop is one step of a key's path: the collection searched for the
// segment, the index of what was found in it (the pair index in a mapping),
// and the value found.
type hop struct {
	coll *yaml.Node
	i    int
	val  *yaml.Node
}

// errKind reports a key segment applied to a node of the wrong kind.
type errKind struct {
	key  targets.Key // up to the node
	node *yaml.Node
	want string
}

func (e *errKind) Error() string {
	return fmt.Sprintf("%s is %s (line %d, column %d), not %s", e.key, kindName(e.node), e.node.Line, e.node.Column, e.want)
}

// resolve follows key from the root as far as it exists. It returns a hop for
// each segment found and the index of the first segment not found
// (len(key) if all were). A null, [] or {} value counts as an existing,
// empty collection of either kind; a segment applied to anything else of the
// wrong kind is an *errKind.
func (d *Doc) resolve(key targets.Key) ([]hop, int, error) {
	var hops []hop
	cur := d.root
	for i, seg := range key {
		if cur == nil {
			return hops, i, nil
		}
		for cur.Kind == yaml.AliasNode {
			cur = cur.Alias
		}
		field, value, marker, sel := targets.ParseSelector(seg)
		switch {
		case isEmpty(cur):
			return hops, i, nil
		case sel && cur.Kind != yaml.SequenceNode:
			return hops, i, &errKind{key[:i], cur, "a list"}
		case !sel && cur.Kind != yaml.MappingNode:
			return hops, i, &errKind{key[:i], cur, "a mapping"}
		}
		j := -1
		switch {
		case !sel:
			j = pairIndex(cur, seg)
		case marker != "":
			j = d.markedIndex(cur, marker)
		default:
			j = selectIndex(cur, field, value)
		}
		if j < 0 {
			return hops, i, nil
		}
		h := hop{coll: cur, i: j}
		if sel {
			h.val = cur.Content[j]
		} else {
			h.val = cur.Content[2*j+1]
		}
		hops = append(hops, h)
		cur = h.val
	}
	return hops, len(key), nil
}

// isEmpty reports a null, [] or {} value: one that can become a mapping or
// a list.
func isEmpty(n *yaml.Node) bool {
	switch n.Kind {
	case yaml.ScalarNode:
		return n.ShortTag() == "!!null" && n.Tag != "!!str"
	case yaml.MappingNode, yaml.SequenceNode:
		return len(n.Content) == 0
	}
	return false
}

// pairIndex returns the index of the pair named name in the mapping m, or -1.
func pairIndex(m *yaml.Node, name string) int {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if k := m.Content[i]; k.Kind == yaml.ScalarNode && k.Value == name {
			return i / 2
		}
	}
	return -1
}

// selectIndex returns the index of the first element of the list s that is
// a mapping whose field is the scalar value, or -1.
func selectIndex(s *yaml.Node, field, value string) int {
	for j, e := range s.Content {
		for e.Kind == yaml.AliasNode {
			e = e.Alias
		}
		if e.Kind != yaml.MappingNode {
			continue
		}
		if p := pairIndex(e, field); p >= 0 {
			if v := e.Content[2*p+1]; v.Kind == yaml.ScalarNode && v.Value == value {
				return j
			}
		}
	}
	return -1
}

// markedIndex returns the index of the first element of the list s marked
// "# hub:marker", or -1.
func (d *Doc) markedIndex(s *yaml.Node, marker string) int {
	for j, e := range s.Content {
		if m, _ := d.markerOf(e); m == marker {
			return j
		}
	}
	return -1
}

// markerOf returns the hub marker of a block list element: the text after
// "hub:" in a comment at the end of the element's first line (the one with
// its "-"), or else in a comment line right above it; and that line above
// (0 if the marker is not there).
func (d *Doc) markerOf(e *yaml.Node) (string, int) {
	sp := d.spans[e]
	if sp == nil || sp.dash < 0 {
		return "", 0
	}
	dl := d.lineOf(sp.dash)
	if c, ok := d.commentOn(dl, sp.dash+1); ok {
		if m, ok := hubMarker(c); ok {
			return m, 0
		}
	}
	if dl > 1 {
		if c, ok := d.commentLine(dl - 1); ok {
			if m, ok := hubMarker(c); ok {
				return m, dl - 1
			}
		}
	}
	return "", 0
}

// hubMarker returns m for a comment "# hub:m".
func hubMarker(comment string) (string, bool) {
	c := strings.TrimSpace(strings.TrimPrefix(comment, "#"))
	m, ok := strings.CutPrefix(c, "hub:")
	return strings.TrimSpace(m), ok && strings.TrimSpace(m) != ""
}

// maxKey is the longest key hub writes: libyaml refuses implicit keys of
// 1024 characters or more.
const maxKey = 1000

// checkKey refuses keys Set and Delete cannot work with.
func checkKey(op string, key targets.Key) error {
	if len(key) == 0 {
		return fmt.Errorf("%s: empty key", op)
	}
	for i, seg := range key {
		if !utf8.ValidString(seg) {
			return fmt.Errorf("%s %s: key name %q is not valid UTF-8", op, key, seg)
		}
		_, _, _, sel := targets.ParseSelector(seg)
		if op == "set" && !sel && utf8.RuneCountInString(stringText(seg, 0, false)) > maxKey {
			return fmt.Errorf("%s %s: key name is longer than YAML allows (%d characters)", op, key, maxKey)
		}
		if sel && i == 0 {
			return fmt.Errorf("%s %s: the top level is a mapping; a key cannot start with a selector", op, key)
		}
		if sel && (i == len(key)-1 || isSelector(key[i+1])) {
			return fmt.Errorf("%s %s: a selector must be followed by a name", op, key)
		}
	}
	return nil
}

func isSelector(seg string) bool {
	_, _, _, ok := targets.ParseSelector(seg)
	return ok
}

// Set creates or replaces the value at key, creating missing mappings, lists
// and selected elements. Setting a value equal to the current one leaves the
// document as it is.
func (d *Doc) Set(key targets.Key, value any) error {
	if err := checkKey("set", key); err != nil {
		return err
	}
	val, err := normalize(value)
	if err != nil {
		return fmt.Errorf("set %s: %w", key, err)
	}
	if cur, ok := d.Get(key); ok && equal(cur, val) {
		return nil
	}
	if err := d.set(key, val); err != nil {
		return fmt.Errorf("set %s: %w", key, err)
	}
	return nil
}

func (d *Doc) set(key targets.Key, val any) (err error) {
	saved := d.data
	defer func() {
		if err != nil {
			_ = d.load(saved)
		}
	}()
	if err := d.editable(); err != nil {
		return err
	}
	hops, missing, err := d.resolve(key)
	if err != nil {
		return err
	}
	if err := d.plain(key, hops); err != nil {
		return err
	}
	before := d.snapshot()
	if missing == len(key) {
		h := hops[len(hops)-1]
		err = d.replace(key, h.coll, h.i, val)
	} else {
		err = d.create(key, hops, missing, val)
	}
	if err != nil {
		return err
	}
	if got, ok := d.Get(key); !ok || !equal(got, val) {
		return fmt.Errorf("the edited file does not read back the value (a bug in hub); file left as it was")
	}
	return d.check(before, key[0])
}

// snapshot is what check compares: the decoded top-level entries.
func (d *Doc) snapshot() map[string]any {
	v, _ := d.Get(nil)
	m, _ := v.(map[string]any)
	return m
}

// check verifies that an edit of the top-level entry name left every other
// top-level entry as it was.
func (d *Doc) check(before map[string]any, name string) error {
	after := d.snapshot()
	for k, v := range before {
		if k == name {
			continue
		}
		if w, ok := after[k]; !ok || !equal(v, w) {
			return fmt.Errorf("the edit would change %s too (a bug in hub, or a layout hub cannot edit); file left as it was", k)
		}
	}
	for k := range after {
		if _, ok := before[k]; !ok && k != name {
			return fmt.Errorf("the edit would add %s too (a bug in hub, or a layout hub cannot edit); file left as it was", k)
		}
	}
	return nil
}

// editable refuses files whose layout hub cannot add to safely.
func (d *Doc) editable() error {
	if d.marker > 0 {
		return fmt.Errorf("line %d: a document marker (--- or ...) follows the document; hub edits files holding one document, so remove it", d.marker)
	}
	return nil
}

// plain refuses to edit through aliases and anchored nodes: other places may
// refer to them, and would change too.
func (d *Doc) plain(key targets.Key, hops []hop) error {
	check := func(n *yaml.Node, at targets.Key) error {
		switch {
		case n.Kind == yaml.AliasNode:
			return fmt.Errorf("%s is a YAML alias (*%s, line %d, column %d); hub does not edit through aliases, write it out in full", at, n.Value, n.Line, n.Column)
		case n.Anchor != "":
			return fmt.Errorf("%s has a YAML anchor (&%s, line %d, column %d) that other places may refer to; hub will not change it", at, n.Anchor, n.Line, n.Column)
		}
		return nil
	}
	if d.root != nil {
		if err := check(d.root, targets.Key{"(top level)"}); err != nil {
			return err
		}
	}
	for i, h := range hops {
		if err := check(h.val, key[:i+1]); err != nil {
			return err
		}
	}
	return nil
}

// Delete removes the value at key with its lines. A mapping or list left
// empty is removed too (except the root), and so is a selected list element
// left holding only its selected field. Deleting an absent key does nothing.
func (d *Doc) Delete(key targets.Key) error {
	if err := checkKey("delete", key); err != nil {
		return err
	}
	hops, missing, err := d.resolve(key)
	if err != nil || missing < len(key) {
		return nil
	}
	if err := d.editable(); err != nil {
		return fmt.Errorf("delete %s: %w", key, err)
	}
	if err := d.plain(key, hops); err != nil {
		return fmt.Errorf("delete %s: %w", key, err)
	}
	// Climb to the outermost collection the removal empties.
	j := len(hops) - 1
	for j > 0 {
		h := hops[j]
		left := len(h.coll.Content) - 1
		if h.coll.Kind == yaml.MappingNode {
			left = len(h.coll.Content)/2 - 1
			if field, _, marker, ok := targets.ParseSelector(key[j-1]); ok && marker == "" && left == 1 {
				if other := 1 - h.i; h.coll.Content[2*other].Value == field {
					left = 0
				}
			}
		}
		if left > 0 {
			break
		}
		j--
	}
	saved, before := d.data, d.snapshot()
	// Removing the blank line next to a top-level entry can change a block
	// scalar before it (its trailing line breaks); then keep the line.
	for _, wide := range []bool{true, false} {
		err = d.remove(hops[j], wide)
		if _, ok := d.Get(key); err == nil && ok {
			err = fmt.Errorf("the edited file still holds it (a bug in hub); file left as it was")
		}
		if err == nil {
			err = d.check(before, key[0])
		}
		if err == nil {
			return nil
		}
		_ = d.load(saved)
		if hops, _, _ = d.resolve(key); len(hops) <= j {
			break
		}
	}
	return fmt.Errorf("delete %s: %w", key, err)
}

// equal compares JSON-like values as the engine does.
func equal(a, b any) bool {
	ca, erra := canonical(a)
	cb, errb := canonical(b)
	if erra != nil || errb != nil {
		return reflect.DeepEqual(a, b)
	}
	return bytes.Equal(ca, cb)
}

// Markers returns, for each element of the list at key, its "# hub:NAME"
// marker ("" for an element without one), or nil if there is no list
// there: hub import reads which entries hub marked as its own.
func (d *Doc) Markers(key targets.Key) []string {
	if d.root == nil || len(key) == 0 {
		return nil
	}
	hops, missing, err := d.resolve(key)
	if err != nil || missing < len(key) {
		return nil
	}
	s := hops[len(hops)-1].val
	for s.Kind == yaml.AliasNode {
		s = s.Alias
	}
	if s.Kind != yaml.SequenceNode {
		return nil
	}
	out := make([]string, len(s.Content))
	for j, e := range s.Content {
		out[j], _ = d.markerOf(e)
	}
	return out
}
