package yamledit

import (
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// yaml.v3 gives each node's start (line, and column in characters) but not
// its end. The functions here find the end by scanning the text from the
// start with the rules of the node's style; for block collections it is the
// end of their last child. Plain scalars are checked against the value
// yaml.v3 decoded, so a multi-line plain scalar ends where its text does.

// Line helpers. Lines are numbered from 1; a final line break does not start
// another line.

func (d *Doc) nlines() int { return len(d.lines) }

// lineOf returns the line holding offset p.
func (d *Doc) lineOf(p int) int {
	return sort.Search(len(d.lines), func(i int) bool { return d.lines[i] > p })
}

func (d *Doc) lineStart(l int) int { return d.lines[l-1] }

// nextLine returns the offset just after line l's line break (or the end).
func (d *Doc) nextLine(l int) int {
	if l < len(d.lines) {
		return d.lines[l]
	}
	return len(d.data)
}

// lineEnd returns the offset of line l's line break (or the end).
func (d *Doc) lineEnd(l int) int {
	s, e := d.lineStart(l), d.nextLine(l)
	if e > s && d.data[e-1] == '\n' {
		e--
		if e > s && d.data[e-1] == '\r' {
			e--
		}
	}
	return e
}

func (d *Doc) lineText(l int) string { return string(d.data[d.lineStart(l):d.lineEnd(l)]) }

func (d *Doc) blankLine(l int) bool { return strings.TrimSpace(d.lineText(l)) == "" }

// indent returns the number of spaces line l starts with.
func (d *Doc) indent(l int) int {
	t := d.lineText(l)
	return len(t) - len(strings.TrimLeft(t, " "))
}

// firstOnLine reports whether only blanks precede offset p on its line.
func (d *Doc) firstOnLine(p int) bool {
	return strings.TrimLeft(string(d.data[d.lineStart(d.lineOf(p)):p]), " \t") == ""
}

// offset converts a yaml.v3 position to a byte offset.
func (d *Doc) offset(line, col int) int {
	if line < 1 {
		return d.bom
	}
	if line > len(d.lines) {
		return len(d.data)
	}
	p := d.lines[line-1]
	for i := 1; i < col && p < len(d.data); i++ {
		_, w := utf8.DecodeRune(d.data[p:])
		p += w
	}
	return p
}

// column converts an offset to a 1-based column in characters.
func (d *Doc) column(p int) int {
	return utf8.RuneCount(d.data[d.lineStart(d.lineOf(p)):p]) + 1
}

// inScalar reports whether offset p is inside a scalar's text.
func (d *Doc) inScalar(p int) bool {
	i := sort.Search(len(d.scal), func(i int) bool { return d.scal[i].end > p })
	return i < len(d.scal) && d.scal[i].start <= p
}

// commentOn returns the comment on line l that starts at or after offset
// from, if any.
func (d *Doc) commentOn(l, from int) (string, bool) {
	end := d.lineEnd(l)
	for p := max(from, d.lineStart(l)); p < end; p++ {
		if d.data[p] == '#' && (p == d.lineStart(l) || isBlank(d.data[p-1])) && !d.inScalar(p) {
			return string(d.data[p:end]), true
		}
	}
	return "", false
}

// commentLine returns the comment of line l if the line holds only one (and
// is not inside a multi-line scalar).
func (d *Doc) commentLine(l int) (string, bool) {
	t := strings.TrimSpace(d.lineText(l))
	if !strings.HasPrefix(t, "#") {
		return "", false
	}
	if d.inScalar(d.lineStart(l) + d.indent(l)) {
		return "", false
	}
	return t, true
}

func isBlank(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// walk records the span of n and its children. n0 is the indentation of the
// block collection n is in (the column of its keys or dashes, from 0): a
// block scalar's content and a plain scalar's continuation lines are
// indented more than that.
func (d *Doc) walk(n, parent *yaml.Node, n0 int, flow bool) error {
	sp := &span{parent: parent, dash: -1, flow: flow}
	d.spans[n] = sp
	sp.start = d.offset(n.Line, n.Column)
	sp.body = d.skipProps(sp.start, n)
	switch n.Kind {
	case yaml.ScalarNode:
		sp.end = d.scalarEnd(n, sp.body, n0, flow)
		if sp.end > sp.body {
			d.scal = append(d.scal, rng{sp.body, sp.end})
		}
	case yaml.AliasNode:
		sp.end = d.tokenEnd(sp.body+1, flow)
	case yaml.MappingNode:
		inner := flow || n.Style&yaml.FlowStyle != 0
		end := sp.body
		seen := map[string]*yaml.Node{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			ind := n0
			if !inner {
				ind = d.column(d.offset(k.Line, k.Column)) - 1
			}
			if k.Kind == yaml.ScalarNode && k.ShortTag() != "!!merge" {
				if first, dup := seen[k.Value]; dup {
					return fmt.Errorf("line %d, column %d: key %q is defined twice (first at line %d); CLIProxyAPI would refuse this file too", k.Line, k.Column, k.Value, first.Line)
				}
				seen[k.Value] = k
			}
			if err := d.walk(k, n, ind, inner); err != nil {
				return err
			}
			if err := d.walk(v, n, ind, inner); err != nil {
				return err
			}
			end = max(end, d.spans[k].end, d.spans[v].end)
		}
		sp.end = end
		if n.Style&yaml.FlowStyle != 0 {
			sp.end = d.closeBracket(max(sp.body+1, end), '}')
		}
	case yaml.SequenceNode:
		inner := flow || n.Style&yaml.FlowStyle != 0
		end := sp.body
		for _, e := range n.Content {
			ind, dash := n0, -1
			if !inner {
				dash = d.findDash(d.offset(e.Line, e.Column))
				if dash >= 0 {
					ind = dash - d.lineStart(d.lineOf(dash))
				}
			}
			if err := d.walk(e, n, ind, inner); err != nil {
				return err
			}
			d.spans[e].dash = dash
			end = max(end, d.spans[e].end)
		}
		sp.end = end
		if n.Style&yaml.FlowStyle != 0 {
			sp.end = d.closeBracket(max(sp.body+1, end), ']')
		}
	}
	if parent == nil {
		sort.Slice(d.scal, func(i, j int) bool { return d.scal[i].start < d.scal[j].start })
	}
	return nil
}

// skipProps skips a node's anchor and tag.
func (d *Doc) skipProps(p int, n *yaml.Node) int {
	if n.Anchor == "" && n.Style&yaml.TaggedStyle == 0 && !strings.HasPrefix(n.Tag, "!") {
		return p
	}
	for p < len(d.data) && (d.data[p] == '&' || d.data[p] == '!') {
		for p < len(d.data) && !isBlank(d.data[p]) {
			p++
		}
		for p < len(d.data) {
			switch {
			case isBlank(d.data[p]):
				p++
				continue
			case d.data[p] == '#':
				for p < len(d.data) && d.data[p] != '\n' {
					p++
				}
				continue
			}
			break
		}
	}
	return p
}

// findDash returns the offset of the "-" of the block list element starting
// at p: before it on its line, or alone (maybe with a comment) on a line
// above. It returns -1 if there is none.
func (d *Doc) findDash(p int) int {
	ls := d.lineStart(d.lineOf(p))
	q := p - 1
	for q >= ls && (d.data[q] == ' ' || d.data[q] == '\t') {
		q--
	}
	if q >= ls {
		if d.data[q] == '-' {
			return q
		}
		return -1
	}
	for l := d.lineOf(p) - 1; l >= 1; l-- {
		t := d.lineText(l)
		if i := strings.Index(t, " #"); i >= 0 {
			t = t[:i]
		}
		t = strings.TrimRight(t, " \t")
		switch {
		case strings.TrimSpace(t) == "" || strings.HasPrefix(strings.TrimSpace(t), "#"):
			continue
		case strings.HasSuffix(t, "-"):
			return d.lineStart(l) + len(t) - 1
		}
		return -1
	}
	return -1
}

// tokenEnd returns the end of an alias name starting at p.
func (d *Doc) tokenEnd(p int, flow bool) int {
	for p < len(d.data) && !isBlank(d.data[p]) && !(flow && strings.IndexByte(",[]{}", d.data[p]) >= 0) {
		p++
	}
	return p
}

// closeBracket returns the offset after the bracket closing a flow
// collection, scanning from p, the end of its last child.
func (d *Doc) closeBracket(p int, close byte) int {
	for p < len(d.data) {
		c := d.data[p]
		switch {
		case c == close:
			return p + 1
		case c == '#' && (p == 0 || isBlank(d.data[p-1])):
			for p < len(d.data) && d.data[p] != '\n' {
				p++
			}
			continue
		}
		p++
	}
	return p
}

// scalarEnd returns the end of the scalar n whose text starts at p.
func (d *Doc) scalarEnd(n *yaml.Node, p, n0 int, flow bool) int {
	switch {
	case n.Style&yaml.DoubleQuotedStyle != 0:
		for q := p + 1; q < len(d.data); q++ {
			switch d.data[q] {
			case '\\':
				q++
			case '"':
				return q + 1
			}
		}
		return len(d.data)
	case n.Style&yaml.SingleQuotedStyle != 0:
		for q := p + 1; q < len(d.data); q++ {
			if d.data[q] == '\'' {
				if q+1 < len(d.data) && d.data[q+1] == '\'' {
					q++
					continue
				}
				return q + 1
			}
		}
		return len(d.data)
	case n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0:
		return d.blockScalarEnd(p, n0)
	}
	if n.Value == "" && (p >= len(d.data) || isBlank(d.data[p]) || d.data[p] == '#' || strings.IndexByte(",]}", d.data[p]) >= 0) {
		return p // an empty value
	}
	return d.plainEnd(p, n0, flow, n.Value)
}

// plainSegment scans a plain scalar's text on one line from p: it ends at
// " #", at ": " and, in flow collections, at a flow indicator.
func (d *Doc) plainSegment(p, end int, flow bool) (int, string) {
	q := p
	for ; q < end; q++ {
		c := d.data[q]
		if c == '#' && q > p && isBlank(d.data[q-1]) {
			break
		}
		if c == ':' && (q+1 >= end || isBlank(d.data[q+1]) || flow && strings.IndexByte(",[]{}", d.data[q+1]) >= 0) {
			break
		}
		if flow && strings.IndexByte(",[]{}", c) >= 0 {
			break
		}
	}
	for q > p && isBlank(d.data[q-1]) {
		q--
	}
	return q, string(d.data[p:q])
}

// plainEnd returns the end of a plain scalar starting at p whose decoded
// value is want, following continuation lines (indented more than n0) until
// the folded text is want.
func (d *Doc) plainEnd(p, n0 int, flow bool, want string) int {
	l := d.lineOf(p)
	end, folded := d.plainSegment(p, d.lineEnd(l), flow)
	breaks := 0
	for m := l + 1; folded != want && m <= d.nlines(); m++ {
		if d.blankLine(m) {
			breaks++
			continue
		}
		t := d.lineText(m)
		body := strings.TrimLeft(t, " \t")
		if !flow && d.indent(m) <= n0 || strings.HasPrefix(body, "#") || isDocMarker(t) {
			break
		}
		q := d.lineStart(m) + len(t) - len(body)
		e, seg := d.plainSegment(q, d.lineEnd(m), flow)
		if e == q {
			break
		}
		if breaks == 0 {
			folded += " " + seg
		} else {
			folded += strings.Repeat("\n", breaks) + seg
		}
		breaks = 0
		end = e
	}
	return end
}

// blockScalarEnd returns the end of the literal or folded scalar whose
// header ("|", ">-", "|2", ...) starts at p: the end of its last non-empty
// content line, or of the header if it has none.
func (d *Doc) blockScalarEnd(p, n0 int) int {
	l := d.lineOf(p)
	q := p + 1
	content := 0
	for q < d.lineEnd(l) && strings.IndexByte("+-0123456789", d.data[q]) >= 0 {
		if c := d.data[q]; c >= '1' && c <= '9' {
			content = n0 + int(c-'0')
		}
		q++
	}
	end := q
	for m := l + 1; m <= d.nlines(); m++ {
		t := strings.TrimRight(d.lineText(m), "\r")
		if strings.Trim(t, " ") == "" {
			continue
		}
		ind := d.indent(m)
		if content == 0 {
			if ind <= n0 {
				break
			}
			content = ind
		}
		if ind < content {
			break
		}
		end = d.lineEnd(m)
	}
	return end
}

// isDocMarker reports a "---" or "..." line.
func isDocMarker(line string) bool {
	for _, m := range []string{"---", "..."} {
		if rest, ok := strings.CutPrefix(line, m); ok && (rest == "" || isBlank(rest[0])) {
			return true
		}
	}
	return false
}

// findMarker records a document marker after the root's text: new text
// appended at the end of the file would land in another document.
func (d *Doc) findMarker() {
	from := d.lineOf(d.spans[d.root].end)
	for l := from + 1; l <= d.nlines(); l++ {
		if isDocMarker(d.lineText(l)) && !d.inScalar(d.lineStart(l)) {
			d.marker = l
			return
		}
	}
}

// style is how new text is laid out so that it looks like the rest of the
// file.
type style struct {
	mapIndent int  // a nested mapping's keys, relative to its key
	seqIndent int  // a list's dashes, relative to its key (0: not indented)
	quote     byte // 0 for plain strings where possible, '"' to double-quote
}

// detectStyle finds the file's nesting indentation from its first nested
// mapping and list, and whether it double-quotes most strings.
func (d *Doc) detectStyle() {
	d.st = style{mapIndent: 2, seqIndent: 2}
	foundMap, foundSeq := false, false
	plain, quoted := 0, 0
	var visit func(n *yaml.Node)
	visit = func(n *yaml.Node) {
		switch n.Kind {
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i], n.Content[i+1]
				block := n.Style&yaml.FlowStyle == 0 && v.Style&yaml.FlowStyle == 0 && len(v.Content) > 0
				if block && v.Line > k.Line {
					switch {
					case v.Kind == yaml.MappingNode && !foundMap && v.Column > k.Column:
						d.st.mapIndent, foundMap = v.Column-k.Column, true
					case v.Kind == yaml.SequenceNode && !foundSeq && v.Column >= k.Column:
						d.st.seqIndent, foundSeq = v.Column-k.Column, true
					}
				}
				visit(v)
			}
		case yaml.SequenceNode:
			for _, e := range n.Content {
				visit(e)
			}
		case yaml.ScalarNode:
			if n.ShortTag() == "!!str" && n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) == 0 {
				if n.Style&yaml.DoubleQuotedStyle != 0 {
					quoted++
				} else if n.Style&yaml.SingleQuotedStyle == 0 {
					plain++
				}
			}
		}
	}
	visit(d.root)
	if quoted > plain {
		d.st.quote = '"'
	}
}
