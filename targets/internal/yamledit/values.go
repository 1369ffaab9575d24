package yamledit

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// decode returns a node's value as JSON-like Go values. Mappings are decoded
// by hand to apply merge keys (<<) and keep keys as strings; scalars with
// yaml.v3's own resolution, but timestamps stay the text they were.
func decode(n *yaml.Node) (any, error) {
	switch n.Kind {
	case yaml.AliasNode:
		if n.Alias == nil {
			return nil, fmt.Errorf("line %d: alias without anchor", n.Line)
		}
		return decode(n.Alias)
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!str", "!!timestamp", "!!binary", "!!merge":
			return n.Value, nil
		case "!!null":
			return nil, nil
		}
		var v any
		if err := n.Decode(&v); err != nil {
			return nil, err
		}
		switch x := v.(type) {
		case int:
			return int64(x), nil
		case int64, float64, bool, string, nil:
			return x, nil
		case uint64:
			if x <= math.MaxInt64 {
				return int64(x), nil
			}
			return float64(x), nil
		}
		return n.Value, nil
	case yaml.SequenceNode:
		out := make([]any, 0, len(n.Content))
		for _, e := range n.Content {
			v, err := decode(e)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case yaml.MappingNode:
		out := map[string]any{}
		explicit := map[string]bool{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Kind == yaml.ScalarNode && k.ShortTag() == "!!merge" {
				if err := merge(out, explicit, v); err != nil {
					return nil, err
				}
				continue
			}
			name, err := keyName(k)
			if err != nil {
				return nil, err
			}
			x, err := decode(v)
			if err != nil {
				return nil, err
			}
			out[name], explicit[name] = x, true
		}
		return out, nil
	}
	return nil, fmt.Errorf("line %d: unexpected node", n.Line)
}

// merge adds the keys of a merge key's mapping (or list of mappings, the
// first one winning) that the mapping does not set itself.
func merge(out map[string]any, explicit map[string]bool, v *yaml.Node) error {
	for v.Kind == yaml.AliasNode && v.Alias != nil {
		v = v.Alias
	}
	srcs := []*yaml.Node{v}
	if v.Kind == yaml.SequenceNode {
		srcs = v.Content
	}
	for _, s := range srcs {
		x, err := decode(s)
		if err != nil {
			return err
		}
		m, ok := x.(map[string]any)
		if !ok {
			return fmt.Errorf("line %d: a merge (<<) needs mappings", s.Line)
		}
		for k, val := range m {
			if _, set := out[k]; !set && !explicit[k] {
				out[k] = val
			}
		}
	}
	return nil
}

func keyName(k *yaml.Node) (string, error) {
	for k.Kind == yaml.AliasNode && k.Alias != nil {
		k = k.Alias
	}
	if k.Kind == yaml.ScalarNode {
		return k.Value, nil
	}
	v, err := decode(k)
	if err != nil {
		return "", err
	}
	b, _ := json.Marshal(v)
	return string(b), nil
}

// normalize converts a value given to Set to the JSON-like values Get
// returns, refusing what YAML cannot hold as given.
func normalize(v any) (any, error) {
	switch x := v.(type) {
	case nil, bool, int64, float64:
		return x, nil
	case string:
		if !utf8.ValidString(x) {
			return nil, errors.New("value is not valid UTF-8")
		}
		return x, nil
	case float32:
		f, _ := strconv.ParseFloat(strconv.FormatFloat(float64(x), 'g', -1, 32), 64)
		return f, nil
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return rv.Int(), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		if rv.Uint() > math.MaxInt64 {
			return nil, fmt.Errorf("number %d is too large", rv.Uint())
		}
		return int64(rv.Uint()), nil
	case reflect.Float64:
		return rv.Float(), nil
	case reflect.String:
		return normalize(rv.String())
	case reflect.Bool:
		return rv.Bool(), nil
	case reflect.Slice, reflect.Array:
		if rv.Kind() == reflect.Slice && rv.Type().Elem().Kind() == reflect.Uint8 {
			return nil, fmt.Errorf("unsupported value of type %T", v)
		}
		out := make([]any, rv.Len())
		for i := range out {
			e, err := normalize(rv.Index(i).Interface())
			if err != nil {
				return nil, err
			}
			out[i] = e
		}
		return out, nil
	case reflect.Map:
		if rv.Type().Key().Kind() != reflect.String {
			return nil, fmt.Errorf("unsupported value of type %T", v)
		}
		out := make(map[string]any, rv.Len())
		iter := rv.MapRange()
		for iter.Next() {
			k := iter.Key().String()
			if !utf8.ValidString(k) {
				return nil, fmt.Errorf("key %q is not valid UTF-8", k)
			}
			e, err := normalize(iter.Value().Interface())
			if err != nil {
				return nil, err
			}
			out[k] = e
		}
		return out, nil
	}
	return nil, fmt.Errorf("unsupported value of type %T", v)
}

// canonical encodes a JSON-like value so equal values encode alike.
func canonical(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// omap is a mapping with its keys in order, and mitem a list element with
// its hub marker: what Set builds for missing parents.
type (
	omap struct {
		keys []string
		vals []any
	}
	mitem struct {
		marker string
		val    any
	}
)

// Rendering.

type renderer struct {
	eol string
	st  style
}

func (d *Doc) renderer() *renderer { return &renderer{eol: d.eol, st: d.st} }

func spaces(n int) string { return strings.Repeat(" ", n) }

// pairs returns a mapping's keys and values in the order to write them: an
// omap's own order; for a map, the keys named in hint first, then "name",
// then the others sorted.
func pairs(v any, hint []string) ([]string, []any, bool) {
	switch x := v.(type) {
	case omap:
		return x.keys, x.vals, true
	case map[string]any:
		var keys []string
		seen := map[string]bool{}
		for _, k := range append(hint, "name") {
			if _, ok := x[k]; ok && !seen[k] {
				keys, seen[k] = append(keys, k), true
			}
		}
		var rest []string
		for k := range x {
			if !seen[k] {
				rest = append(rest, k)
			}
		}
		sort.Strings(rest)
		keys = append(keys, rest...)
		vals := make([]any, len(keys))
		for i, k := range keys {
			vals[i] = x[k]
		}
		return keys, vals, true
	}
	return nil, nil, false
}

// block reports whether v is written as a block of lines: a non-empty
// mapping or list.
func block(v any) bool {
	switch x := v.(type) {
	case omap:
		return len(x.keys) > 0
	case map[string]any:
		return len(x) > 0
	case []any:
		return len(x) > 0
	}
	return false
}

// entry writes "name: value" at indentation ind.
func (r *renderer) entry(b *strings.Builder, ind int, name string, v any, hint []string) {
	b.WriteString(spaces(ind) + stringText(name, 0, false) + ":")
	r.after(b, ind, v, hint)
}

// after writes what follows "key:" for a key at indentation ind.
func (r *renderer) after(b *strings.Builder, ind int, v any, hint []string) {
	switch {
	case !block(v):
		b.WriteString(" " + r.inline(v, r.st.quote) + r.eol)
	case isList(v):
		b.WriteString(r.eol)
		for _, e := range v.([]any) {
			r.item(b, ind+r.st.seqIndent, e, hint)
		}
	default:
		b.WriteString(r.eol)
		keys, vals, _ := pairs(v, hint)
		for i, k := range keys {
			r.entry(b, ind+r.st.mapIndent, k, vals[i], nil)
		}
	}
}

func isList(v any) bool { _, ok := v.([]any); return ok }

// item writes a list element with its "-" at indentation ind, and its
// marker line above it; hint orders a mapping's keys.
func (r *renderer) item(b *strings.Builder, ind int, v any, hint []string) {
	if mi, ok := v.(mitem); ok {
		b.WriteString(spaces(ind) + "# hub:" + mi.marker + r.eol)
		v = mi.val
	}
	switch {
	case !block(v):
		b.WriteString(spaces(ind) + "- " + r.inline(v, r.st.quote) + r.eol)
	case isList(v):
		b.WriteString(spaces(ind) + "- " + r.flow(v, r.st.quote) + r.eol)
	default:
		var sub strings.Builder
		keys, vals, _ := pairs(v, hint)
		for i, k := range keys {
			r.entry(&sub, ind+2, k, vals[i], nil)
		}
		b.WriteString(spaces(ind) + "- " + sub.String()[ind+2:])
	}
}

// inline writes a scalar or an empty collection on one line.
func (r *renderer) inline(v any, quote byte) string {
	switch x := v.(type) {
	case []any:
		return "[]"
	case map[string]any, omap:
		return "{}"
	case mitem:
		return r.inline(x.val, quote)
	}
	return scalarText(v, quote, false)
}

// flow writes a value in flow style on one line: [a, b], {k: v}.
func (r *renderer) flow(v any, quote byte) string {
	switch x := v.(type) {
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = r.flow(e, quote)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case map[string]any, omap:
		keys, vals, _ := pairs(x, nil)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = stringText(k, 0, true) + ": " + r.flow(vals[i], quote)
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case mitem:
		return r.flow(x.val, quote)
	}
	return scalarText(v, quote, true)
}

// scalarText writes a scalar. quote is the preferred quoting for strings:
// 0 for plain where that reads back the same, else a double or a single
// quote character.
func scalarText(v any, quote byte, flow bool) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case bool:
		return strconv.FormatBool(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		switch {
		case math.IsNaN(x):
			return ".nan"
		case math.IsInf(x, 1):
			return ".inf"
		case math.IsInf(x, -1):
			return "-.inf"
		}
		return strconv.FormatFloat(x, 'g', -1, 64)
	case string:
		return stringText(x, quote, flow)
	}
	return fmt.Sprint(v)
}

// stringText writes a string in the preferred quoting if it can be, else
// double-quoted.
func stringText(s string, quote byte, flow bool) string {
	switch quote {
	case 0:
		if plainSafe(s, flow) {
			return s
		}
	case '\'':
		if singleSafe(s) {
			return "'" + strings.ReplaceAll(s, "'", "''") + "'"
		}
	}
	return strconv.Quote(s) // Go's escapes are all YAML escapes too
}

// plainSafe reports whether s written plain reads back as the same string:
// yaml.v3 itself writes it plain (so it is not a number, a boolean, null or
// a timestamp, and has no indicator that would change its meaning).
func plainSafe(s string, flow bool) bool {
	if s == "" || s == "<<" || strings.ContainsAny(s, "\n\r\t") || flow && !flowPlain.MatchString(s) {
		return false
	}
	b, err := yaml.Marshal(s)
	return err == nil && string(b) == s+"\n"
}

// flowPlain is what hub writes plain inside [...] and {...}: libyaml is
// stricter there than the YAML spec (it refuses "0?"), so only letters,
// digits, spaces and a few punctuation marks.
var flowPlain = regexp.MustCompile(`^[\p{L}\p{N}_./+\- ]+$`)

func singleSafe(s string) bool {
	for _, r := range s {
		if !unicode.IsPrint(r) && r != ' ' {
			return false
		}
	}
	return true
}

// quoteOf returns the quoting a replacement for the scalar n should use: its
// own, or the file's preference.
func (r *renderer) quoteOf(n *yaml.Node) byte {
	if n != nil && n.Kind == yaml.ScalarNode && n.ShortTag() == "!!str" {
		switch {
		case n.Style&yaml.DoubleQuotedStyle != 0:
			return '"'
		case n.Style&yaml.SingleQuotedStyle != 0:
			return '\''
		case n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) == 0:
			return 0
		}
	}
	return r.st.quote
}
