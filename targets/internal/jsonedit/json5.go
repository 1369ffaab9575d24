package jsonedit

import (
	"bytes"
	"fmt"
	"strconv"
	"unicode"
	"unicode/utf8"
)

// ParseJSON5 parses a file that its tool reads as JSON5 (Claude Code Router's
// config.json, for one). Doc edits JSON with comments and trailing commas,
// which is most of what people write in such files; the rest of JSON5
// (unquoted keys, single quotes, hexadecimal numbers, ...) it cannot edit
// while keeping the file's bytes, and re-encoding the file would lose them.
// So when data is valid JSON5 that Parse refuses, the error names the first
// place that uses such syntax and says how to write it as JSON, which the
// tool reads the same; for data that is not JSON5 either, it is Parse's error.
func ParseJSON5(data []byte) (*Doc, error) {
	d, err := Parse(data)
	if err == nil || isTooDeep(err) {
		return d, err
	}
	if f, ok := json5Feature(data); ok {
		line := 1 + bytes.Count(data[:f.pos], []byte("\n"))
		col := 1 + f.pos - (bytes.LastIndexByte(data[:f.pos], '\n') + 1)
		return nil, fmt.Errorf("line %d, column %d: %s is JSON5-only syntax, which hub cannot edit without rewriting the whole file: %s",
			line, col, f.what, f.fix)
	}
	return nil, err
}

// A feature is a use of JSON5 syntax that JSON with comments lacks.
type feature struct {
	pos       int
	what, fix string
}

// json5Feature reports the first JSON5-only syntax in data, if data is a
// valid JSON5 text (https://spec.json5.org).
func json5Feature(data []byte) (feature, bool) {
	p := &json5Scanner{b: data}
	p.space()
	if !p.value() {
		return feature{}, false
	}
	p.space()
	if p.i != len(p.b) || p.bad || p.feat == nil {
		return feature{}, false
	}
	return *p.feat, true
}

// json5Scanner is a recognizer for JSON5 that records the first JSON5-only
// syntax it meets.
type json5Scanner struct {
	b    []byte
	i    int
	bad  bool
	feat *feature
}

func (p *json5Scanner) note(pos int, what, fix string) {
	if p.feat == nil {
		p.feat = &feature{pos, what, fix}
	}
}

func (p *json5Scanner) peek() rune {
	if p.i >= len(p.b) {
		return -1
	}
	r, _ := utf8.DecodeRune(p.b[p.i:])
	return r
}

func (p *json5Scanner) next() rune {
	r, n := utf8.DecodeRune(p.b[p.i:])
	p.i += n
	return r
}

func isLineTerminator(r rune) bool { return r == '\n' || r == '\r' || r == 0x2028 || r == 0x2029 }

// space skips white space and comments.
func (p *json5Scanner) space() {
	for p.i < len(p.b) {
		r := p.peek()
		switch {
		case r == ' ' || r == '\t' || r == '\n' || r == '\r':
			p.i++
		case r == 0xFEFF:
			p.note(p.i, "a byte order mark", "save the file as UTF-8 without a byte order mark")
			p.next()
		case r == '\v' || r == '\f' || r == 0x2028 || r == 0x2029 || unicode.Is(unicode.Zs, r):
			p.note(p.i, fmt.Sprintf("the white space character %U", r), "replace it with a space")
			p.next()
		case bytes.HasPrefix(p.b[p.i:], []byte("//")):
			for p.i < len(p.b) && !isLineTerminator(p.peek()) {
				p.next()
			}
		case bytes.HasPrefix(p.b[p.i:], []byte("/*")):
			j := bytes.Index(p.b[p.i+2:], []byte("*/"))
			if j < 0 {
				p.bad, p.i = true, len(p.b)
				return
			}
			p.i += 2 + j + 2
		default:
			return
		}
	}
}

func (p *json5Scanner) value() bool {
	switch r := p.peek(); {
	case r == '{':
		return p.object()
	case r == '[':
		return p.array()
	case r == '"' || r == '\'':
		return p.str()
	case r == 't':
		return p.word("true")
	case r == 'f':
		return p.word("false")
	case r == 'n':
		return p.word("null")
	case r == '-' || r == '+' || r == '.' || r == 'I' || r == 'N' || r >= '0' && r <= '9':
		return p.number()
	}
	return false
}

func (p *json5Scanner) word(w string) bool {
	if !bytes.HasPrefix(p.b[p.i:], []byte(w)) {
		return false
	}
	p.i += len(w)
	return true
}

func (p *json5Scanner) object() bool {
	p.i++ // '{'
	for {
		p.space()
		if p.peek() == '}' {
			p.i++
			return true
		}
		if !p.key() {
			return false
		}
		p.space()
		if p.peek() != ':' {
			return false
		}
		p.i++
		p.space()
		if !p.value() {
			return false
		}
		p.space()
		switch p.peek() {
		case ',':
			p.i++
		case '}':
			p.i++
			return true
		default:
			return false
		}
	}
}

func (p *json5Scanner) array() bool {
	p.i++ // '['
	for {
		p.space()
		if p.peek() == ']' {
			p.i++
			return true
		}
		if !p.value() {
			return false
		}
		p.space()
		switch p.peek() {
		case ',':
			p.i++
		case ']':
			p.i++
			return true
		default:
			return false
		}
	}
}

// key reads a member name: a string or an ECMAScript 5.1 identifier name.
func (p *json5Scanner) key() bool {
	if r := p.peek(); r == '"' || r == '\'' {
		return p.str()
	}
	start := p.i
	for first := true; p.i < len(p.b); first = false {
		r := p.peek()
		switch {
		case r == '$' || r == '_' || unicode.IsLetter(r) || unicode.Is(unicode.Nl, r):
		case !first && (unicode.IsDigit(r) || unicode.In(r, unicode.Mn, unicode.Mc, unicode.Pc) || r == 0x200C || r == 0x200D):
		case r == '\\' && bytes.HasPrefix(p.b[p.i:], []byte(`\u`)) && p.hex(p.i+2, 4):
			p.i += 6
			continue
		default:
			if first {
				return false
			}
			name := string(p.b[start:p.i])
			p.note(start, "the unquoted key "+name, "put it in double quotes ("+strconv.Quote(name)+" means the same in JSON5)")
			return true
		}
		p.next()
	}
	return false
}

// hex reports whether n hexadecimal digits start at i.
func (p *json5Scanner) hex(i, n int) bool {
	if i+n > len(p.b) {
		return false
	}
	for _, c := range p.b[i : i+n] {
		if !isHex(c) {
			return false
		}
	}
	return true
}

func isHex(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

func (p *json5Scanner) str() bool {
	start := p.i
	q := p.next()
	if q == '\'' {
		p.note(start, "a single-quoted string", `write it in double quotes (with \" for a double quote inside)`)
	}
	for p.i < len(p.b) {
		at := p.i
		r := p.next()
		switch {
		case r == q:
			return true
		case r == '\n' || r == '\r':
			return false
		case r == '\\':
			if !p.escape(at) {
				return false
			}
		case r < 0x20:
			p.note(at, fmt.Sprintf("the control character %U in a string", r), fmt.Sprintf(`write it as \u%04x`, r))
		}
	}
	return false
}

// escape reads the escape sequence after the backslash at at.
func (p *json5Scanner) escape(at int) bool {
	if p.i >= len(p.b) {
		return false
	}
	const fix = `write the character itself, or a \u escape`
	r := p.next()
	switch {
	case r == '"' || r == '\\' || r == '/' || r == 'b' || r == 'f' || r == 'n' || r == 'r' || r == 't':
	case r == 'u':
		if !p.hex(p.i, 4) {
			return false
		}
		p.i += 4
	case r == 'x':
		if !p.hex(p.i, 2) {
			return false
		}
		p.i += 2
		p.note(at, `the escape \`+string(p.b[at+1:p.i]), fix)
	case r == '0':
		if c := p.peek(); c >= '0' && c <= '9' {
			return false
		}
		p.note(at, `the escape \0`, `write \u0000`)
	case r >= '1' && r <= '9':
		return false
	case isLineTerminator(r):
		if r == '\r' && p.peek() == '\n' {
			p.i++
		}
		p.note(at, "a backslash continuing a string on the next line", `join the lines, or write \n where a line break is meant`)
	case r == '\'':
		p.note(at, `the escape \'`, "write ' without the backslash")
	default:
		p.note(at, `the escape \`+string(r), fix)
	}
	return true
}

func (p *json5Scanner) number() bool {
	start := p.i
	sign := p.peek()
	if sign == '+' || sign == '-' {
		p.i++
	}
	switch {
	case p.word("Infinity"), p.word("NaN"):
		p.note(start, "the number "+string(p.b[start:p.i]), "JSON has no such number; write a number or a string instead")
		return true
	case bytes.HasPrefix(p.b[p.i:], []byte("0x")) || bytes.HasPrefix(p.b[p.i:], []byte("0X")):
		p.i += 2
		h := p.i
		for p.i < len(p.b) && isHex(p.b[p.i]) {
			p.i++
		}
		if p.i == h {
			return false
		}
		fix := "write it in decimal"
		if n, err := strconv.ParseUint(string(p.b[h:p.i]), 16, 64); err == nil {
			s := strconv.FormatUint(n, 10)
			if sign == '-' {
				s = "-" + s
			}
			fix += ", " + s
		}
		p.note(start, "the hexadecimal number "+string(p.b[start:p.i]), fix)
		return true
	}
	digits := func() int {
		s := p.i
		for p.i < len(p.b) && p.b[p.i] >= '0' && p.b[p.i] <= '9' {
			p.i++
		}
		return p.i - s
	}
	intStart := p.i
	n := digits()
	if n > 1 && p.b[intStart] == '0' {
		return false // no leading zeros in JSON5 either
	}
	frac := -1
	if p.peek() == '.' {
		p.i++
		frac = digits()
	}
	if n == 0 && frac <= 0 {
		return false
	}
	if c := p.peek(); c == 'e' || c == 'E' {
		p.i++
		if c := p.peek(); c == '+' || c == '-' {
			p.i++
		}
		if digits() == 0 {
			return false
		}
	}
	text := string(p.b[start:p.i])
	switch {
	case sign == '+':
		p.note(start, "the number "+text, "write it without the plus sign")
	case n == 0:
		p.note(start, "the number "+text, "write a 0 before the decimal point")
	case frac == 0:
		p.note(start, "the number "+text, "write a digit after the decimal point, or drop the point")
	}
	return true
}
