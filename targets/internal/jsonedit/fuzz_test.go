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

// FuzzSetDelete checks on any document that setting a new key and deleting
// it again leaves a valid document holding the same data, and that setting
// an existing key changes that value only.
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
		if want == nil && !bytes.Equal(d.Bytes(), data) {
			t.Fatalf("Set+Delete(%s) on empty %q gave %q", k, data, d.Bytes())
		}
	})
}
