package jsonedit

import (
	"bytes"
	"maps"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
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
		if diff := cmp.Diff(want, after); diff != "" {
			t.Fatalf("Set+Delete(%s) on %q gave %q (-want +got):\n%s", k, data, d.Bytes(), diff)
		}
		// The bytes come back too, unless an object was empty to begin with
		// ("{ }" comes back as "{}").
		root, _ := before.(map[string]any)
		if p, ok := parent.(map[string]any); (before == nil || len(root) > 0) && (!parentExisted || ok && len(p) > 0) &&
			!bytes.Equal(d.Bytes(), data) {
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
