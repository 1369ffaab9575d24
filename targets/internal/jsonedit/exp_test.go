package jsonedit

import (
	"bytes"
	"testing"
)

func FuzzExp(f *testing.F) {
	for _, s := range roundTrip {
		f.Add([]byte(s), "env", "A")
	}
	f.Fuzz(func(t *testing.T, data []byte, k1, k2 string) {
		d, err := Parse(data)
		if err != nil {
			return
		}
		p, ok := d.Get(key{k1})
		if ok {
			if m, ok := p.(map[string]any); !ok || len(m) == 0 {
				return
			}
		} else if r, ok := d.Get(nil); !ok || len(r.(map[string]any)) == 0 {
			return
		}
		if _, ok := d.Get(key{k1, k2}); ok {
			return
		}
		if d.Set(key{k1, k2}, map[string]any{"x": []any{1}}) != nil {
			return
		}
		d.Delete(key{k1, k2})
		if !bytes.Equal(d.Bytes(), data) {
			t.Fatalf("%q -> %q", data, d.Bytes())
		}
	})
}
