package jsonedit

import (
	"errors"
	"fmt"
)

// MaxDepth is how deeply objects and arrays may nest in a file hub edits. No
// tool's settings come near it; a file nested deeper is refused before it is
// parsed, so a hostile one costs one pass over its bytes.
const MaxDepth = 1000

// errTooDeep is the error for a document nested deeper than MaxDepth.
var errTooDeep = fmt.Errorf("nested deeper than %d levels", MaxDepth)

// checkDepth returns an error naming the line and column where b, a JSON
// text with comments, nests deeper than MaxDepth. Brackets inside strings
// and comments do not count; it scans b once.
func checkDepth(b []byte) error {
	depth := 0
	for i := 0; i < len(b); i++ {
		switch c := b[i]; c {
		case '"':
			for i++; i < len(b) && b[i] != '"'; i++ {
				if b[i] == '\\' {
					i++
				}
			}
		case '/':
			if i+1 < len(b) && b[i+1] == '/' {
				for i < len(b) && b[i] != '\n' {
					i++
				}
			} else if i+1 < len(b) && b[i+1] == '*' {
				i += 2
				for i+1 < len(b) && !(b[i] == '*' && b[i+1] == '/') {
					i++
				}
				i++
			}
		case '{', '[':
			if depth++; depth > MaxDepth {
				line, col := position(b, i)
				return fmt.Errorf("line %d, column %d: %w", line, col, errTooDeep)
			}
		case '}', ']':
			depth--
		}
	}
	return nil
}

// position returns the 1-based line and column (in bytes) of offset p.
func position(b []byte, p int) (line, col int) {
	line, ls := 1, 0
	for i := 0; i < p; i++ {
		if b[i] == '\n' {
			line, ls = line+1, i+1
		}
	}
	return line, p - ls + 1
}

// isTooDeep reports whether err is checkDepth's.
func isTooDeep(err error) bool { return errors.Is(err, errTooDeep) }
