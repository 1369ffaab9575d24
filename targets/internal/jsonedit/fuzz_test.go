package jsonedit

import (
	"bytes"
	"maps"
	"slices"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/hubctl/hub/targets"
)

// FuzzRoundTrip checks that any document that parses comes back byte for byte.
//
//	go test -run '^$' -fuzz FuzzRoundTrip -fuzztime 30s ./targets/internal/jsonedit/
func FuzzRoundTrip(f *testing.F) {
	for _, s := range roundTrip {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := Parse(data)
		if err != nil {
			return
		}
		if got := d.Bytes(); !bytes.Equal(got, data) {
			t.Fatalf("round trip of %q gave %q", data, got)
		}
		d.Get(nil)
	})
}

// FuzzSetDelete checks on any document that setting a key gives a valid
// document where the key reads as set, that setting it again changes nothing,
// and that deleting a new key gives back the same data and, unless an empty
// object was involved, the same bytes.
//
//	go test -run '^$' -fuzz FuzzSetDelete -fuzztime 30s ./targets/internal/jsonedit/
func FuzzSetDelete(f *testing.F) {
	for _, s := range roundTrip {
		f.Add([]byte(s), "env", "A", "x")
	}
	f.Add([]byte(openCode), "mcp", "fs", "x")
	f.Add([]byte(openCode), "provider", "anthropic", "x")
	f.Add([]byte(`{"a": {"b": 1}}`), "a", "c", "<&>")
	f.Fuzz(func(t *testing.T, data []byte, k1, k2, value string) {
		if !utf8.ValidString(value) {
			return // encoding/json writes U+FFFD for invalid UTF-8
		}
		d, err := Parse(data)
		if err != nil {
			return
		}
		if isSelector(k1) || isSelector(k2) {
			return // FuzzSelector covers selectors
		}
		before, _ := d.Get(nil)
		k := key{k1, k2}
		if !utf8.ValidString(k1) || !utf8.ValidString(k2) {
			if d.Set(k, value) == nil {
				t.Fatalf("Set(%q) succeeded", k)
			}
			return
		}

		_, existed := d.Get(k)
		parent, parentExisted := d.Get(k[:1])
		if err := d.Set(k, value); err != nil {
			// Only a parent that is not an object may fail.
			if _, ok := parent.(map[string]any); !parentExisted || ok {
				t.Fatalf("Set(%s) on %q: %v", k, data, err)
			}
			return
		}
		if got, ok := d.Get(k); !ok || got != value {
			t.Fatalf("Set(%s, %q) on %q gave %q where it reads %v", k, value, data, d.Bytes(), got)
		}
		again := d.Bytes()
		if err := d.Set(k, value); err != nil || !bytes.Equal(d.Bytes(), again) {
			t.Fatalf("second Set(%s) on %q changed %q to %q (%v)", k, data, again, d.Bytes(), err)
		}
		if existed {
			return
		}
		if err := d.Delete(k); err != nil {
			t.Fatalf("Delete(%s) after Set on %q: %v", k, data, err)
		}
		after, _ := d.Get(nil)
		want := before
		if p, ok := parent.(map[string]any); ok && len(p) == 0 && !cmp.Equal(want, after) {
			// A parent that was empty goes with the key, unless it holds
			// comments.
			want = maps.Clone(before.(map[string]any))
			delete(want.(map[string]any), k1)
		}
		// (Get(nil) fails on a document with a number too large for a
		// float64: there is nothing to compare then.)
		if diff := cmp.Diff(want, after); diff != "" && (before != nil || isSpace(data)) {
			t.Fatalf("Set+Delete(%s) on %q gave %q (-want +got):\n%s", k, data, d.Bytes(), diff)
		}
		// The bytes come back too, unless an object was empty to begin with
		// ("{ }" comes back as "{}"), or the file holds a lone carriage
		// return (a classic Mac line break, which JSON reads as a blank and
		// hub does not take for a line break: the values come back, its
		// place may not).
		root, _ := before.(map[string]any)
		if p, ok := parent.(map[string]any); (before == nil || len(root) > 0) && (!parentExisted || ok && len(p) > 0) &&
			!loneCR(data) && !bytes.Equal(d.Bytes(), data) {
			t.Fatalf("Set+Delete(%s) on %q gave %q", k, data, d.Bytes())
		}
	})
}

// FuzzDelete checks that deleting any key from any document gives a valid
// document holding the same data less that key and the parent it emptied.
//
//	go test -run '^$' -fuzz FuzzDelete -fuzztime 30s ./targets/internal/jsonedit/
func FuzzDelete(f *testing.F) {
	for _, s := range roundTrip {
		f.Add([]byte(s), "env", "DISABLE_TELEMETRY")
		f.Add([]byte(s), "a", "")
	}
	f.Add([]byte(openCode), "mcp", "fs")
	f.Add([]byte(openCode), "theme", "")
	f.Fuzz(func(t *testing.T, data []byte, k1, k2 string) {
		d, err := Parse(data)
		if err != nil {
			return
		}
		if isSelector(k1) || isSelector(k2) {
			return // FuzzSelector covers selectors
		}
		k := key{k1, k2}
		if k2 == "" {
			k = key{k1}
		}
		before, _ := d.Get(nil)
		if err := d.Delete(k); err != nil {
			t.Fatalf("Delete(%s) on %q: %v", k, data, err)
		}
		if _, ok := d.Get(k); ok {
			t.Fatalf("Delete(%s) on %q left it: %q", k, data, d.Bytes())
		}
		after, _ := d.Get(nil)
		if before == nil {
			if after != nil {
				t.Fatalf("Delete(%s) on empty %q gave %q", k, data, d.Bytes())
			}
			return
		}
		want := maps.Clone(before.(map[string]any))
		if len(k) == 1 {
			delete(want, k1)
		} else if p, ok := want[k1].(map[string]any); ok {
			if _, ok := p[k2]; ok {
				p = maps.Clone(p)
				delete(p, k2)
				want[k1] = p
				if len(p) == 0 && !cmp.Equal(want, after) {
					delete(want, k1) // unless it holds comments
				}
			}
		}
		if diff := cmp.Diff(want, after); diff != "" {
			t.Fatalf("Delete(%s) on %q gave %q (-want +got):\n%s", k, data, d.Bytes(), diff)
		}
	})
}

// FuzzSelector sets a field of an array element chosen by a selector
// (list[field=value].member) in any document, and checks that it reads back,
// that setting it again changes nothing, and that deleting it gives back the
// same data (plus the list, if it was created) and, where the list already
// held other elements, the same bytes.
//
//	go test -run '^$' -fuzz FuzzSelector -fuzztime 30s ./targets/internal/jsonedit/
func FuzzSelector(f *testing.F) {
	for _, s := range roundTrip {
		f.Add([]byte(s), "Providers", "name", "relay", "api_key", "x")
	}
	f.Add([]byte(ccrConfig), "Providers", "name", "deepseek", "api_key", "x")
	f.Add([]byte(ccrConfig), "Providers", "name", "deepseek", "name", "x")
	f.Add([]byte(ccrConfig), "Router", "name", "relay", "k", "x")
	f.Add([]byte(`{"L": [{"name": "a", "k": 1}, "s", {"name": "b"},]}`), "L", "name", "b", "k", "<&>")
	f.Add([]byte(`{"L": [ ]}`), "L", "a.b]c", "\"q\"", "[x=y]", "v")
	f.Add([]byte(`{"L": [{"name": "b" /* c */}, {"name": "b"}]}`), "L", "name", "b", "k", "v")
	f.Add([]byte("{\n  \"L\": [\n    {\"name\": \"b\"},\n    {\"name\": \"c\"}\n  ]\n}"), "L", "name", "b", "k", "v")
	f.Fuzz(func(t *testing.T, data []byte, list, field, value, member, v string) {
		for _, s := range []string{list, field, value, member, v} {
			if !utf8.ValidString(s) {
				return // covered by FuzzSetDelete
			}
		}
		if field == "" || isSelector(list) {
			return
		}
		d, err := Parse(data)
		if err != nil {
			return
		}
		sel := targets.Select(field, value)
		if f, val, _, ok := targets.ParseSelector(sel); !ok || f != field || val != value {
			return // a field with '=' or the like does not survive Select
		}
		k := key{list, sel, member}
		before, _ := d.Get(nil)
		arr, arrExisted := d.Get(key{list})
		elem, elemExisted := d.Get(key{list, sel})
		_, existed := d.Get(k)
		// An element holding just its field (and no comment) goes with hub's
		// last field in it.
		goes := elemExisted && bare(d.lookup(key{list, sel}), field)

		err = d.Set(k, v)
		switch {
		case isSelector(member) || member == field:
			if err == nil {
				t.Fatalf("Set(%s) on %q succeeded", k, data)
			}
			return
		case arrExisted && !isArray(arr):
			if err == nil {
				t.Fatalf("Set(%s) on %q where %s is no array succeeded", k, data, list)
			}
			return
		case err != nil:
			t.Fatalf("Set(%s) on %q: %v", k, data, err)
		}
		if got, ok := d.Get(k); !ok || got != v {
			t.Fatalf("Set(%s, %q) on %q gave %q where it reads %v", k, v, data, d.Bytes(), got)
		}
		again := d.Bytes()
		if err := d.Set(k, v); err != nil || !bytes.Equal(d.Bytes(), again) {
			t.Fatalf("second Set(%s) on %q changed %q to %q (%v)", k, data, again, d.Bytes(), err)
		}
		if existed {
			return
		}
		if err := d.Delete(k); err != nil {
			t.Fatalf("Delete(%s) after Set on %q: %v", k, data, err)
		}
		if _, ok := d.Get(k); ok {
			t.Fatalf("Delete(%s) after Set on %q left it: %q", k, data, d.Bytes())
		}
		after, _ := d.Get(nil)
		want := before
		switch {
		case !arrExisted:
			// The list stays, empty.
			w := map[string]any{}
			if before != nil {
				w = maps.Clone(before.(map[string]any))
			}
			w[list] = []any{}
			want = w
		case goes:
			w := maps.Clone(before.(map[string]any))
			l := slices.Clone(arr.([]any))
			i := slices.IndexFunc(l, func(e any) bool { return cmp.Equal(e, elem) })
			w[list] = slices.Delete(l, i, i+1)
			want = w
		}
		// (Get(nil) fails on a document with a number too large for a
		// float64: there is nothing to compare then.)
		if diff := cmp.Diff(want, after); diff != "" && (before != nil || isSpace(data)) {
			t.Fatalf("Set+Delete(%s) on %q gave %q (-want +got):\n%s", k, data, d.Bytes(), diff)
		}
		// The bytes come back where the list held elements before and the
		// element was not removed with hub's field.
		if l, _ := arr.([]any); len(l) > 0 && !goes && !bytes.Equal(d.Bytes(), data) {
			t.Fatalf("Set+Delete(%s) on %q gave %q", k, data, d.Bytes())
		}
	})
}

func isArray(v any) bool {
	_, ok := v.([]any)
	return ok
}

// FuzzSelectorDelete deletes list[field=value].member from any document and
// checks that it is gone and that nothing else changed: other keys, and the
// elements the selector does not match, in their order.
//
//	go test -run '^$' -fuzz FuzzSelectorDelete -fuzztime 30s ./targets/internal/jsonedit/
func FuzzSelectorDelete(f *testing.F) {
	for _, s := range roundTrip {
		f.Add([]byte(s), "Providers", "name", "deepseek", "api_key")
	}
	f.Add([]byte(`{"L": [{"name": "b", "k": 1}, 2, {"name": "b", "k": 2}, {"name": "c"}]}`), "L", "name", "b", "k")
	f.Add([]byte(`{"L": [{"name": "b" /* c */, "k": [1]}, {"name": "b"},]}`), "L", "name", "b", "name")
	f.Add([]byte(`{"L": [{"name": "b", "k": {"x": 1}}]}`), "L", "name", "b", "")
	f.Fuzz(func(t *testing.T, data []byte, list, field, value, member string) {
		if field == "" || isSelector(list) {
			return
		}
		d, err := Parse(data)
		if err != nil {
			return
		}
		sel := targets.Select(field, value)
		if f, val, _, ok := targets.ParseSelector(sel); !ok || f != field || val != value {
			return
		}
		k := key{list, sel, member}
		if member == "" {
			k = key{list, sel}
		}
		before, _ := d.Get(nil)
		if err := d.Delete(k); err != nil {
			t.Fatalf("Delete(%s) on %q: %v", k, data, err)
		}
		if _, ok := d.Get(k); ok {
			t.Fatalf("Delete(%s) on %q left it: %q", k, data, d.Bytes())
		}
		after, _ := d.Get(nil)
		b, _ := before.(map[string]any)
		a, _ := after.(map[string]any)
		if b == nil {
			return // blank, or a number too large to decode
		}
		if diff := cmp.Diff(b, a, cmpopts.IgnoreMapEntries(func(k string, _ any) bool { return k == list })); diff != "" {
			t.Fatalf("Delete(%s) on %q changed other keys (-want +got):\n%s", k, data, diff)
		}
		lb, isList := b[list].([]any)
		if !isList {
			if diff := cmp.Diff(b[list], a[list]); diff != "" {
				t.Fatalf("Delete(%s) on %q changed a %s that is no list (-want +got):\n%s", k, data, list, diff)
			}
			return
		}
		la, _ := a[list].([]any)
		if la == nil {
			t.Fatalf("Delete(%s) on %q removed the list: %q", k, data, d.Bytes())
		}
		if member == field {
			return // elements that lost the field are no longer selected
		}
		others := func(l []any) []any {
			return slices.DeleteFunc(slices.Clone(l), func(e any) bool {
				m, _ := e.(map[string]any)
				s, ok := m[field].(string)
				return ok && s == value
			})
		}
		if diff := cmp.Diff(others(lb), others(la)); diff != "" {
			t.Fatalf("Delete(%s) on %q changed other elements (-want +got):\n%s", k, data, diff)
		}
	})
}

// loneCR reports whether b holds a carriage return not followed by a line
// feed.
func loneCR(b []byte) bool {
	for i, c := range b {
		if c == '\r' && (i+1 == len(b) || b[i+1] != '\n') {
			return true
		}
	}
	return false
}
