package yamledit

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/hubctl/hub/targets"
)

// An edit replaces data[start:end] with text.
type edit struct {
	start, end int
	text       string
}

// splice applies non-overlapping edits and parses the result; on failure
// the document stays as it was.
func (d *Doc) splice(edits ...edit) error {
	sort.SliceStable(edits, func(i, j int) bool { return edits[i].start > edits[j].start })
	b := d.data
	for _, e := range edits {
		b = slices.Concat(b[:e.start], []byte(e.text), b[e.end:])
	}
	if err := d.load(b); err != nil {
		return fmt.Errorf("the edit gives a file that does not parse (a bug in hub): %v; file left as it was", err)
	}
	return nil
}

// insertAfter inserts whole lines (text ends with a line break) after line
// l. After a last line without a line break, the break goes before them
// instead, so the file still ends without one.
func (d *Doc) insertAfter(l int, text string) edit {
	if len(d.data) == d.bom {
		return edit{d.bom, d.bom, text}
	}
	p := d.nextLine(l)
	if d.lineEnd(l) == p {
		return edit{p, p, d.eol + strings.TrimSuffix(text, d.eol)}
	}
	return edit{p, p, text}
}

// removeLines removes lines a to b, the inverse of insertAfter(a-1, ...).
func (d *Doc) removeLines(a, b int) edit {
	s, e := d.lineStart(a), d.nextLine(b)
	if d.lineEnd(b) == e && a > 1 {
		s = d.lineEnd(a - 1)
	}
	return edit{s, e, ""}
}

// buildValue returns the value to write for the path rest, below a name,
// holding leaf at its end: nested mappings, and for a selector a list with
// the selected element.
func buildValue(rest []string, leaf any) any {
	if len(rest) == 0 {
		return leaf
	}
	if isSelector(rest[0]) {
		return []any{buildItem(rest[0], rest[1:], leaf)}
	}
	return omap{keys: []string{rest[0]}, vals: []any{buildValue(rest[1:], leaf)}}
}

// buildItem returns the list element a selector selects, holding the path
// rest (which starts with a name) and leaf: a mapping with the selected
// field first, or a marked one.
func buildItem(sel string, rest []string, leaf any) any {
	field, value, marker, _ := targets.ParseSelector(sel)
	inner := buildValue(rest, leaf).(omap)
	if marker != "" {
		return mitem{marker: marker, val: inner}
	}
	if inner.keys[0] == field {
		return inner
	}
	return omap{keys: append([]string{field}, inner.keys...), vals: append([]any{value}, inner.vals...)}
}

// create adds the missing part key[missing:] of a key, holding val.
func (d *Doc) create(key targets.Key, hops []hop, missing int, val any) error {
	var parent *yaml.Node
	if missing == 0 {
		parent = d.root
	} else {
		parent = hops[missing-1].val
	}
	if missing == 0 {
		return d.insertRoot(key[0], buildValue(key[1:], val))
	}
	if isEmpty(parent) {
		// null, [] or {}: write the new collection in its place.
		h := hops[missing-1]
		return d.replace(key[:missing], h.coll, h.i, buildValue(key[missing:], val))
	}
	if parent.Style&yaml.FlowStyle != 0 {
		return fmt.Errorf("%s is written in flow style ({...} or [...], line %d, column %d); hub adds only to block-style mappings and lists, so write it as indented lines", key[:missing], parent.Line, parent.Column)
	}
	seg := key[missing]
	if isSelector(seg) {
		return d.insertItem(parent, buildItem(seg, key[missing+1:], val))
	}
	return d.insertEntry(parent, seg, buildValue(key[missing+1:], val))
}

// insertRoot adds a top-level entry at the end of the file, after a blank
// line unless the file is empty or ends with one.
func (d *Doc) insertRoot(name string, v any) error {
	ind := 0
	if d.root != nil && len(d.root.Content) > 0 {
		ind = d.column(d.spans[d.root.Content[0]].start) - 1
	}
	var b strings.Builder
	d.renderer().entry(&b, ind, name, v, nil)
	text := b.String()
	if d.root != nil && d.root.Style&yaml.FlowStyle != 0 {
		if len(d.root.Content) > 0 {
			return fmt.Errorf("the top level is written in flow style ({...}, line %d, column %d); hub adds only to block-style mappings, so write it as indented lines", d.root.Line, d.root.Column)
		}
		rs := d.spans[d.root]
		return d.splice(edit{rs.start, rs.end, strings.TrimSuffix(text, d.eol)})
	}
	if len(d.data) == d.bom {
		return d.splice(edit{d.bom, d.bom, text})
	}
	last := d.nlines()
	if !d.blankLine(last) {
		text = d.eol + text
	}
	return d.splice(d.insertAfter(last, text))
}

// insertEntry adds an entry at the end of the block mapping m.
func (d *Doc) insertEntry(m *yaml.Node, name string, v any) error {
	ind := d.column(d.spans[m.Content[0]].start) - 1
	var b strings.Builder
	d.renderer().entry(&b, ind, name, v, nil)
	return d.splice(d.insertAfter(d.lineOf(d.spans[m].end), b.String()))
}

// insertItem adds an element at the end of the block list s.
func (d *Doc) insertItem(s *yaml.Node, item any) error {
	ind, err := d.dashIndent(s)
	if err != nil {
		return err
	}
	var b strings.Builder
	d.renderer().item(&b, ind, item, keyOrder(s))
	return d.splice(d.insertAfter(d.lineOf(d.spans[s].end), b.String()))
}

// dashIndent returns the indentation of the block list s's dashes.
func (d *Doc) dashIndent(s *yaml.Node) (int, error) {
	dash := d.spans[s.Content[0]].dash
	if dash < 0 || !d.firstOnLine(dash) {
		return 0, fmt.Errorf("line %d, column %d: hub cannot add to a list laid out like this; put each element on its own line starting with \"- \"", s.Line, s.Column)
	}
	return dash - d.lineStart(d.lineOf(dash)), nil
}

// keyOrder returns the keys of the first mapping in the list s, the order
// new elements follow.
func keyOrder(s *yaml.Node) []string {
	for _, e := range s.Content {
		if e.Kind == yaml.MappingNode {
			var keys []string
			for i := 0; i < len(e.Content); i += 2 {
				keys = append(keys, e.Content[i].Value)
			}
			return keys
		}
	}
	return nil
}

// colonAfter returns the offset of the ":" after the key k.
func (d *Doc) colonAfter(k *yaml.Node) (int, error) {
	p := d.spans[k].end
	for p < len(d.data) && (d.data[p] == ' ' || d.data[p] == '\t') {
		p++
	}
	if p >= len(d.data) || d.data[p] != ':' {
		return 0, fmt.Errorf("line %d, column %d: hub cannot edit the value of this key (no \":\" after it)", k.Line, k.Column)
	}
	return p, nil
}

// replace replaces the value of pair i of the mapping m, the value at key.
func (d *Doc) replace(key targets.Key, m *yaml.Node, i int, val any) error {
	if m.Kind != yaml.MappingNode {
		e := m.Content[i]
		return fmt.Errorf("%s is an empty list element (line %d, column %d); remove it or give it a mapping", key, e.Line, e.Column)
	}
	k, v := m.Content[2*i], m.Content[2*i+1]
	vs := d.spans[v]
	r := d.renderer()
	empty := vs.end == vs.start
	oldBlock := (v.Kind == yaml.MappingNode || v.Kind == yaml.SequenceNode) && v.Style&yaml.FlowStyle == 0 && len(v.Content) > 0
	switch {
	case m.Style&yaml.FlowStyle != 0 || vs.flow:
		text := r.flow(val, r.quoteOf(v))
		if empty && vs.start > 0 && !isBlank(d.data[vs.start-1]) {
			text = " " + text
		}
		return d.splice(edit{vs.start, vs.end, text})
	case !block(val):
		text := r.inline(val, r.quoteOf(v))
		if oldBlock {
			colon, err := d.colonAfter(k)
			if err != nil {
				return err
			}
			return d.splice(edit{colon + 1, colon + 1, " " + text},
				edit{d.nextLine(d.lineOf(colon)), d.nextLine(d.lineOf(vs.end)), ""})
		}
		if empty {
			text = " " + text
		}
		return d.splice(edit{vs.start, vs.end, text})
	case oldBlock && v.Kind == yaml.SequenceNode && isList(val):
		return d.replaceList(key, val.([]any))
	case oldBlock && v.Kind == yaml.MappingNode && !isList(val):
		if m, ok := val.(map[string]any); ok {
			return d.replaceMap(key, m)
		}
	case v.Style&yaml.FlowStyle != 0 && len(v.Content) > 0:
		return d.splice(edit{vs.start, vs.end, r.flow(val, r.st.quote)})
	}
	// A new block of lines after the key's line.
	var b strings.Builder
	r.after(&b, d.column(d.spans[k].start)-1, val, nil)
	lines := strings.TrimPrefix(b.String(), r.eol)
	colon, err := d.colonAfter(k)
	if err != nil {
		return err
	}
	if oldBlock {
		return d.splice(edit{d.nextLine(d.lineOf(colon)), d.nextLine(d.lineOf(vs.end)), lines})
	}
	edits := []edit{d.insertAfter(d.lineOf(max(vs.end, colon)), lines)}
	if !empty {
		s := vs.start
		for s > colon+1 && (d.data[s-1] == ' ' || d.data[s-1] == '\t') {
			s--
		}
		edits = append(edits, edit{s, vs.end, ""})
	}
	return d.splice(edits...)
}

// replaceList turns the block list at key into want element by element:
// elements in both (the longest common subsequence) stay as they are, the
// others are inserted or removed. New elements are inserted before old ones
// are removed, so the list is never empty on the way.
func (d *Doc) replaceList(key targets.Key, want []any) error {
	list := func() (*yaml.Node, *yaml.Node, error) {
		hops, missing, err := d.resolve(key)
		if err != nil || missing < len(key) {
			return nil, nil, fmt.Errorf("lost %s while editing it (a bug in hub)", key)
		}
		h := hops[len(hops)-1]
		return h.coll.Content[2*h.i], h.val, nil
	}
	_, s, err := list()
	if err != nil {
		return err
	}
	old := make([]any, len(s.Content))
	for i, e := range s.Content {
		if old[i], err = decode(e); err != nil {
			return err
		}
	}
	pos := 0
	for _, op := range align(old, want) {
		k, s, err := list()
		if err != nil {
			return err
		}
		switch {
		case op.keep:
			pos++
		case op.update:
			if err := d.updateElement(list, pos, want[op.j].(map[string]any)); err != nil {
				return err
			}
			pos++
		case op.insert:
			ind, err := d.dashIndent(s)
			if err != nil {
				return err
			}
			var b strings.Builder
			d.renderer().item(&b, ind, want[op.j], keyOrder(s))
			var after int
			if pos == 0 {
				colon, err := d.colonAfter(k)
				if err != nil {
					return err
				}
				after = d.lineOf(colon)
			} else {
				after = d.lineOf(d.spans[s.Content[pos-1]].end)
			}
			if err := d.splice(d.insertAfter(after, b.String())); err != nil {
				return err
			}
			pos++
		default:
			if err := d.remove(hop{coll: s, i: pos, val: s.Content[pos]}, false); err != nil {
				return err
			}
		}
	}
	return nil
}

// updateElement sets the scalars of the mapping element pos of the list
// that list returns to those of want, which has the same keys.
func (d *Doc) updateElement(list func() (*yaml.Node, *yaml.Node, error), pos int, want map[string]any) error {
	keys, _, _ := pairs(want, nil)
	for _, k := range keys {
		_, s, err := list()
		if err != nil {
			return err
		}
		e := s.Content[pos]
		i := pairIndex(e, k)
		if cur, err := decode(e.Content[2*i+1]); err == nil && equal(cur, want[k]) {
			continue
		}
		if err := d.replace(targets.Key{k}, e, i, want[k]); err != nil {
			return err
		}
	}
	return nil
}

// An op is one step from an old list to a new one.
type op struct {
	keep, insert, update bool
	j                    int // the new element, for an insert or update
}

// align returns the steps that turn old into want through their longest
// common subsequence. In each gap between kept elements, old and new
// mappings with the same keys and scalar values are paired in order and
// updated in place (a rotated key keeps its comment); then come the other
// inserts, then the removals.
func align(old, want []any) []op {
	n, m := len(old), len(want)
	lcs := make([][]int, n+1)
	for i := range lcs {
		lcs[i] = make([]int, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if equal(old[i], want[j]) {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var ops, ins, del []op
	var delIdx []int
	flush := func() {
		k := 0
		for k < len(ins) && k < len(del) && sameShape(old[delIdx[k]], want[ins[k].j]) {
			ops = append(ops, op{update: true, j: ins[k].j})
			k++
		}
		ops = append(append(ops, ins[k:]...), del[k:]...)
		ins, del, delIdx = nil, nil, nil
	}
	i, j := 0, 0
	for i < n || j < m {
		switch {
		case i < n && j < m && equal(old[i], want[j]):
			flush()
			ops = append(ops, op{keep: true})
			i++
			j++
		case j < m && (i == n || lcs[i][j+1] >= lcs[i+1][j]):
			ins = append(ins, op{insert: true, j: j})
			j++
		default:
			del, delIdx = append(del, op{}), append(delIdx, i)
			i++
		}
	}
	flush()
	return ops
}

// sameShape reports two mappings with the same keys and only scalar values.
func sameShape(a, b any) bool {
	ma, ok1 := a.(map[string]any)
	mb, ok2 := b.(map[string]any)
	if !ok1 || !ok2 || len(ma) != len(mb) {
		return false
	}
	for k, v := range ma {
		w, ok := mb[k]
		if !ok || block(v) || block(w) || isList(v) || isList(w) || isMap(v) || isMap(w) {
			return false
		}
	}
	return true
}

func isMap(v any) bool { _, ok := v.(map[string]any); return ok }

// replaceMap turns the block mapping at key into want key by key.
func (d *Doc) replaceMap(key targets.Key, want map[string]any) error {
	hops, _, _ := d.resolve(key)
	cur := hops[len(hops)-1].val
	keys, vals, _ := pairs(want, keyOrder(&yaml.Node{Content: []*yaml.Node{cur}}))
	for i, k := range keys {
		if isSelector(k) {
			return fmt.Errorf("%s: hub cannot write a key that looks like a selector (%s)", key, k)
		}
		if err := d.Set(append(slices.Clone(key), k), vals[i]); err != nil {
			return err
		}
	}
	for i := 0; i < len(cur.Content); i += 2 {
		if _, keep := want[cur.Content[i].Value]; !keep {
			if err := d.Delete(append(slices.Clone(key), cur.Content[i].Value)); err != nil {
				return err
			}
		}
	}
	return nil
}

// remove removes what h found: a mapping entry or a list element; wide
// takes the blank line hub put next to a top-level entry along.
func (d *Doc) remove(h hop, wide bool) error {
	c := h.coll
	if c.Style&yaml.FlowStyle != 0 {
		return d.removeFlow(c, h.i)
	}
	if c.Kind == yaml.MappingNode {
		k, v := c.Content[2*h.i], c.Content[2*h.i+1]
		ks := d.spans[k]
		last := d.lineOf(max(ks.end, d.spans[v].end))
		if d.firstOnLine(ks.start) {
			a := d.lineOf(ks.start)
			if c == d.root && wide {
				a, last = d.separators(a, last)
			}
			return d.splice(d.removeLines(a, last))
		}
		if h.i+1 < len(c.Content)/2 && d.afterDash(ks.start) {
			// "- key: value" then "  next: ...": next moves up after the "-".
			next := d.spans[c.Content[2*h.i+2]].start
			text := ""
			if cm, ok := d.commentOn(d.lineOf(ks.start), ks.start); ok && d.lineOf(next) > d.lineOf(ks.start) {
				if _, marker := hubMarker(cm); marker {
					// Keep the element's marker on its "-" line.
					text = cm + d.eol + spaces(d.column(next)-1)
				}
			}
			return d.splice(edit{ks.start, next, text})
		}
		return fmt.Errorf("line %d, column %d: hub cannot remove %q from a mapping laid out like this", k.Line, k.Column, k.Value)
	}
	e := c.Content[h.i]
	es := d.spans[e]
	if es.dash < 0 || !d.firstOnLine(es.dash) {
		return fmt.Errorf("line %d, column %d: hub cannot remove a list element laid out like this; put each element on its own line starting with \"- \"", e.Line, e.Column)
	}
	a, b := d.lineOf(es.dash), d.lineOf(max(es.end, es.dash+1))
	if a > 1 {
		if cm, ok := d.commentLine(a - 1); ok {
			if _, marker := hubMarker(cm); marker {
				a--
			}
		}
	}
	return d.splice(d.removeLines(a, b))
}

// separators widens the lines [a, last] of a top-level entry to remove to
// the blank line insertRoot put between it and what came before: the one
// above it if the entry is followed by a blank line or the end of the file,
// or, for the first entry of the file, the one below it, which came with the
// next entry.
func (d *Doc) separators(a, last int) (int, int) {
	switch {
	case a > 2 && d.blankLine(a-1) && !d.blankLine(a-2) && (last == d.nlines() || d.blankLine(last+1)):
		return a - 1, last
	case last+2 <= d.nlines() && d.blankLine(last+1) && !d.blankLine(last+2):
		for l := 1; l < a; l++ {
			if !d.blankLine(l) {
				return a, last
			}
		}
		return a, last + 1
	}
	return a, last
}

// afterDash reports whether p follows "- " on its line.
func (d *Doc) afterDash(p int) bool {
	before := strings.TrimRight(string(d.data[d.lineStart(d.lineOf(p)):p]), " \t")
	return strings.HasSuffix(before, "-")
}

// removeFlow removes entry or element i of a flow collection with the
// separator next to it.
func (d *Doc) removeFlow(c *yaml.Node, i int) error {
	n := len(c.Content)
	start := func(j int) int { return d.spans[c.Content[j]].start }
	end := func(j int) int { return d.spans[c.Content[j]].end }
	if c.Kind == yaml.MappingNode {
		n /= 2
		start = func(j int) int { return d.spans[c.Content[2*j]].start }
		end = func(j int) int { return max(d.spans[c.Content[2*j]].end, d.spans[c.Content[2*j+1]].end) }
	}
	switch {
	case n == 1:
		cs := d.spans[c]
		return d.splice(edit{cs.body + 1, cs.end - 1, ""})
	case i < n-1:
		return d.splice(edit{start(i), start(i + 1), ""})
	}
	return d.splice(edit{end(i - 1), end(i), ""})
}
