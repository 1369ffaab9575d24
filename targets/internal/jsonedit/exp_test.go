package jsonedit

import (
	"bytes"
	"testing"
)

func FuzzExp(f *testing.F) {
	for _, s := range roundTrip {
		f.Add([]byte(s), "zz")
	}
	f.Fuzz(func(t *testing.T, data []byte, k1 string) {
		d, err := Parse(data)
		if err != nil {
			return
		}
		if r, ok := d.Get(nil); !ok || len(r.(map[string]any)) == 0 {
			return
		}
		if _, ok := d.Get(key{k1}); ok {
			return
		}
		if d.Set(key{k1, "A"}, "x") != nil {
			return
		}
		d.Delete(key{k1, "A"})
		if !bytes.Equal(d.Bytes(), data) {
			t.Fatalf("%q -> %q", data, d.Bytes())
		}
	})
}
