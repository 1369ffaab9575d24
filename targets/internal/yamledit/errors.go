package yamledit

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

var (
	lineMsg   = regexp.MustCompile(`^line (\d+): (?s)(.*)$`)
	anchorMsg = regexp.MustCompile(`^unknown anchor '(.*)' referenced$`)
)

// syntaxError turns a yaml.v3 parse error into "line L, column C: message".
//
// yaml.v3 reports only a line, and none for errors on the first line. The
// column (and a more exact line) is found by parsing prefixes of the data:
// the first prefix that fails with the same message ends at the character
// that made the parser give up. That costs a few dozen parses, only for files
// that do not parse.
func syntaxError(data []byte, err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	hint := 1
	if m := lineMsg.FindStringSubmatch(msg); m != nil {
		hint, _ = strconv.Atoi(m[1])
		msg = m[2]
	}
	if m := anchorMsg.FindStringSubmatch(msg); m != nil {
		if i := bytes.Index(data, []byte("*"+m[1])); i >= 0 {
			l, c := position(data, i)
			return fmt.Errorf("line %d, column %d: %s", l, c, msg)
		}
	}
	if l, c := locate(data, msg, hint); c > 0 {
		return fmt.Errorf("line %d, column %d: %s", l, c, msg)
	}
	return fmt.Errorf("line %d: %s", hint, msg)
}

// position returns the line and column (in characters) of offset p.
func position(data []byte, p int) (int, int) {
	l := bytes.Count(data[:p], []byte("\n")) + 1
	ls := bytes.LastIndexByte(data[:p], '\n') + 1
	return l, utf8.RuneCount(data[ls:p]) + 1
}

// locate finds the line, near hint, and column where parsing data first
// fails with msg; column 0 if it cannot tell.
func locate(data []byte, msg string, hint int) (int, int) {
	fails := func(prefix []byte) bool {
		var n yaml.Node
		err := yaml.Unmarshal(prefix, &n)
		if err == nil {
			return false
		}
		m := strings.TrimPrefix(err.Error(), "yaml: ")
		if mm := lineMsg.FindStringSubmatch(m); mm != nil {
			m = mm[2]
		}
		return m == msg
	}
	starts := []int{0}
	for i, c := range data {
		if c == '\n' && i+1 < len(data) {
			starts = append(starts, i+1)
		}
	}
	for l := max(1, hint-3); l <= min(len(starts), hint+1); l++ {
		next := len(data)
		if l < len(starts) {
			next = starts[l]
		}
		if !fails(data[:next]) {
			continue
		}
		// The shortest failing prefix in the line: a binary search (prefixes
		// past the problem fail alike), then a short step back in case
		// failing is not monotonic there.
		ls := starts[l-1]
		lo, hi := ls+1, next
		for lo < hi {
			if mid := (lo + hi) / 2; fails(data[:mid]) {
				hi = mid
			} else {
				lo = mid + 1
			}
		}
		for q := max(ls+1, lo-16); q < lo; q++ {
			if fails(data[:q]) {
				lo = q
				break
			}
		}
		return l, utf8.RuneCount(data[ls:lo-1]) + 1
	}
	return hint, 0
}

// decodeError turns a yaml.v3 decoding error into "line L, column C:
// message", finding the scalar that does not decode when the error does not
// say which.
func decodeError(root *yaml.Node, err error) error {
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		return errors.New(te.Errors[0])
	}
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	var bad *yaml.Node
	var find func(n *yaml.Node)
	find = func(n *yaml.Node) {
		if bad != nil {
			return
		}
		if n.Kind == yaml.ScalarNode {
			var v any
			if n.Decode(&v) != nil {
				bad = n
			}
		}
		for _, c := range n.Content {
			find(c)
		}
	}
	find(root)
	if bad == nil {
		return fmt.Errorf("line %d, column %d: %s", root.Line, root.Column, msg)
	}
	return fmt.Errorf("line %d, column %d: %s", bad.Line, bad.Column, msg)
}
