package dotenv

import (
	"strings"
	"unicode/utf8"
)

// This file transcribes dotenv 17.1.0's parse (lib/main.js):
//
//	const LINE = /(?:^|^)\s*(?:export\s+)?([\w.-]+)(?:\s*=\s*?|:\s+?)(\s*'(?:\\'|[^'])*'|\s*"(?:\\"|[^"])*"|\s*`(?:\\`|[^`])*`|[^#\r\n]+)?\s*(?:#.*)?(?:$|$)/mg
//
//	lines = src.toString().replace(/\r\n?/mg, '\n')
//	while ((match = LINE.exec(lines)) != null) {
//	  let value = (match[2] || '').trim()
//	  const maybeQuote = value[0]
//	  value = value.replace(/^(['"`])([\s\S]*)\1$/mg, '$2')
//	  if (maybeQuote === '"') { value = value.replace(/\\n/g, '\n').replace(/\\r/g, '\r') }
//	  obj[match[1]] = value
//	}
//
// Go's regexp has neither JavaScript's \s nor its multiline $ (which also
// matches before U+2028 and U+2029), so the expression is matched by hand,
// trying alternatives in the order a backtracking engine does. Each step
// below notes why it needs no more backtracking than it does.

// text is the file as dotenv sees it: runes with \r\n and \r turned into \n,
// and off[i] the byte offset in the file of rune i (off[len(r)] = file size).
type text struct {
	r   []rune
	off []int
}

func decode(src []byte) text {
	t := text{r: make([]rune, 0, len(src)), off: make([]int, 0, len(src)+1)}
	for i := 0; i < len(src); {
		c, w := utf8.DecodeRune(src[i:])
		if c == '\r' {
			c = '\n'
			if i+1 < len(src) && src[i+1] == '\n' {
				w = 2
			}
		}
		t.r = append(t.r, c)
		t.off = append(t.off, i)
		i += w
	}
	t.off = append(t.off, len(src))
	return t
}

// isSpace is JavaScript's \s, also what String.prototype.trim removes.
func isSpace(c rune) bool {
	switch c {
	case '\t', '\n', '\v', '\f', '\r', ' ', 0xa0, 0x1680, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000, 0xfeff:
		return true
	}
	return c >= 0x2000 && c <= 0x200a
}

// isTerm is a JavaScript line terminator: where ^ and $ match in /m mode and
// what . does not match.
func isTerm(c rune) bool { return c == '\n' || c == '\r' || c == 0x2028 || c == 0x2029 }

// isWord is [\w.-].
func isWord(c rune) bool {
	return c == '_' || c == '.' || c == '-' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// match is one match of LINE, in rune indexes.
type match struct {
	first              int // "export" or the name
	nameStart, nameEnd int
	valStart           int  // where group 2 may start (after the separator)
	group              bool // group 2 matched
	gStart, gEnd       int
	end                int
}

func (t text) spaces(i int) int {
	for i < len(t.r) && isSpace(t.r[i]) {
		i++
	}
	return i
}

// at matches LINE at p, where ^ holds. ws is where the leading \s* ends, so
// that a failed attempt can skip the lines it spanned.
func (t text) at(p int) (m match, ok bool, ws int) {
	// \s* is followed by "export" or [\w.-], neither a space, so only the
	// longest run can match.
	i := t.spaces(p)
	ws = i
	if t.hasPrefix(i, "export") && i+6 < len(t.r) && isSpace(t.r[i+6]) {
		// (?:export\s+)? is greedy: first with it, then without.
		if m, ok := t.rest(t.spaces(i + 6)); ok {
			m.first = i
			return m, true, ws
		}
	}
	m, ok = t.rest(i)
	m.first = i
	return m, ok, ws
}

func (t text) hasPrefix(i int, s string) bool {
	for _, c := range s {
		if i >= len(t.r) || t.r[i] != c {
			return false
		}
		i++
	}
	return true
}

// rest matches from the name on.
func (t text) rest(k int) (match, bool) {
	// ([\w.-]+): a shorter name would leave a name character where the
	// separator must start, so only the longest can match.
	s := k
	for s < len(t.r) && isWord(t.r[s]) {
		s++
	}
	if s == k {
		return match{}, false
	}
	m := match{nameStart: k, nameEnd: s}
	// (?:\s*=\s*?|:\s+?): \s* then = again needs the longest run. The lazy
	// \s*? and \s+? first take nothing (one for \s+?), and the value
	// always matches from there (see value), so they never take more.
	w := t.spaces(s)
	switch {
	case w < len(t.r) && t.r[w] == '=':
		m.valStart = w + 1
	case s+1 < len(t.r) && t.r[s] == ':' && isSpace(t.r[s+1]):
		m.valStart = s + 2
	default:
		return match{}, false
	}
	m.group, m.gStart, m.gEnd, m.end = t.value(m.valStart)
	return m, true
}

// value matches group 2 (optional) and what follows it. It always matches:
// [^#\r\n]+ takes any text up to #, a line break or the end, where the tail
// matches; and if there is none, the group is skipped at #, a line break or
// the end, where the tail matches too.
func (t text) value(v int) (group bool, gs, ge, end int) {
	x := t.spaces(v)
	if x < len(t.r) {
		switch q := t.r[x]; q {
		case '\'', '"', '`':
			// \s*q: only the longest run can be followed by the quote.
			if c, e, ok := t.quoted(x, q); ok {
				return true, v, c + 1, e
			}
		}
	}
	r := v
	for r < len(t.r) && t.r[r] != '#' && t.r[r] != '\n' && t.r[r] != '\r' {
		r++
	}
	for l := r; l > v; l-- {
		if e, ok := t.tail(l); ok {
			return true, v, l, e
		}
	}
	e, _ := t.tail(v)
	return false, v, v, e
}

// quoted matches q(?:\\q|[^q])*q at x followed by the tail, returning the
// closing quote's index. The star is greedy and prefers \q to [^q], so the
// first closing tried is the first q not preceded by a backslash (taking
// each \q as a unit); then, backtracking, the q of each \q taken, the last
// one first (its backslash then read as [^q]).
func (t text) quoted(x int, q rune) (closing, end int, ok bool) {
	var pairs []int
	y := x + 1
	for y < len(t.r) {
		if t.r[y] == '\\' && y+1 < len(t.r) && t.r[y+1] == q {
			pairs = append(pairs, y+1)
			y += 2
			continue
		}
		if t.r[y] == q {
			if e, ok := t.tail(y + 1); ok {
				return y, e, true
			}
			break
		}
		y++
	}
	for i := len(pairs) - 1; i >= 0; i-- {
		if e, ok := t.tail(pairs[i] + 1); ok {
			return pairs[i], e, true
		}
	}
	return 0, 0, false
}

// tail matches \s*(?:#.*)?(?:$|$) at y and returns where the match ends.
// Greedy \s* first takes every space: then a # starts a comment running to
// the end of its line, or the end of text is $. Giving spaces back, $
// matches before the last line terminator of the run.
func (t text) tail(y int) (int, bool) {
	z := t.spaces(y)
	if z == len(t.r) {
		return z, true
	}
	if t.r[z] == '#' {
		for z < len(t.r) && !isTerm(t.r[z]) {
			z++
		}
		return z, true
	}
	for k := z - 1; k >= y; k-- {
		if isTerm(t.r[k]) {
			return k, true
		}
	}
	return 0, false
}

// lineStart reports whether ^ matches at i in /m mode.
func (t text) lineStart(i int) bool { return i == 0 || isTerm(t.r[i-1]) }

// scan finds the assignments of src, as dotenv's exec loop does.
func scan(src []byte) []entry {
	t := decode(src)
	var out []entry
	for p := 0; p < len(t.r); {
		if !t.lineStart(p) {
			p++
			continue
		}
		m, ok, ws := t.at(p)
		if !ok {
			// Every line start up to ws reaches the same text after
			// the spaces, and fails the same way.
			p = ws + 1
			continue
		}
		out = append(out, t.entry(src, m))
		p = m.end
	}
	return out
}

func (t text) entry(src []byte, m match) entry {
	e := entry{name: string(t.r[m.nameStart:m.nameEnd])}
	raw := ""
	if m.group {
		raw = string(t.r[m.gStart:m.gEnd])
	}
	e.value = unquote(raw)

	// The raw value without the blanks around it, or the insertion point.
	rs, re := m.valStart, m.valStart
	if m.group {
		rs, re = m.gStart, m.gEnd
		for rs < re && isSpace(t.r[rs]) {
			rs++
		}
		for re > rs && isSpace(t.r[re-1]) {
			re--
		}
		if rs == re {
			rs, re = m.gStart, m.gStart
		}
	}
	e.rawStart, e.rawEnd = t.off[rs], t.off[re]
	if rs < re {
		if c := t.r[rs]; c == '\'' || c == '"' || c == '`' {
			e.quote = byte(c)
		}
	}

	ls := m.first
	for ls > 0 && !isTerm(t.r[ls-1]) {
		ls--
	}
	nl := m.nameStart
	for nl > 0 && !isTerm(t.r[nl-1]) {
		nl--
	}
	e.nameLine = t.off[nl]
	// The rest of the line where the value ends is blanks or a comment
	// (the tail matched there), so it goes with the definition.
	le := re
	if m.group && rs == re {
		le = m.gEnd
	}
	for le < len(t.r) && !isTerm(t.r[le]) {
		le++
	}
	e.start = t.off[ls]
	if le < len(t.r) {
		e.end = t.off[le+1]
	} else {
		e.end, e.atEOF = len(src), true
	}
	return e
}

// unquote turns group 2 into the value as dotenv does.
func unquote(raw string) string {
	v := strings.TrimFunc(raw, isSpace)
	if v == "" {
		return ""
	}
	maybeQuote := v[0]
	v = stripQuotes(v)
	if maybeQuote == '"' {
		v = strings.ReplaceAll(v, `\n`, "\n")
		v = strings.ReplaceAll(v, `\r`, "\r")
	}
	return v
}

// stripQuotes is v.replace(/^(['"`])([\s\S]*)\1$/mg, '$2'): from each line
// start, a quote through the last same quote that ends a line is replaced
// by what is between them; the search goes on after it.
func stripQuotes(v string) string {
	r := []rune(v)
	var b strings.Builder
	from := 0
	for p := 0; p < len(r); p++ {
		if p > 0 && !isTerm(r[p-1]) {
			continue
		}
		q := r[p]
		if q != '\'' && q != '"' && q != '`' {
			continue
		}
		e := -1
		for k := len(r) - 1; k > p; k-- {
			if r[k] == q && (k+1 == len(r) || isTerm(r[k+1])) {
				e = k
				break
			}
		}
		if e < 0 {
			continue
		}
		b.WriteString(string(r[from:p]))
		b.WriteString(string(r[p+1 : e]))
		from = e + 1
		p = e
	}
	b.WriteString(string(r[from:]))
	return b.String()
}
