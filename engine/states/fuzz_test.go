package states_test

import (
	"testing"

	"github.com/hubctl/hub/engine/states"
)

// A state with a target entry that has no files (or holds null anywhere a
// section is) is repaired on load: every map apply writes into exists.
func TestDecodeRepairs(t *testing.T) {
	doc := `{"version":1,"lineage":"l","serial":3,"salt":"00","hosts":{
		"h": {"targets": {"codex.default": {"type":"codex"}, "gone": null,
			"x.y": {"type":"x","files":{"/a":{"sum":"s"},"/b":null,"/c":{"sum":"t","items":{"k":null}}}}}},
		"nil": null, "empty": {}}}`
	st, err := states.Decode([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	checkWhole(t, st)
	h := st.Hosts["h"]
	if _, ok := h.Targets["gone"]; ok {
		t.Error("null target kept")
	}
	if h.Targets["codex.default"].Files == nil {
		t.Error("target without files not repaired")
	}
	if _, ok := st.Hosts["nil"]; ok {
		t.Error("null host kept")
	}
	if n := len(h.Targets["x.y"].Files["/c"].Items); n != 0 {
		t.Errorf("null item kept: %d items", n)
	}
	// What apply does with a repaired target: no panic.
	h.Targets["codex.default"].Files["/f"] = &states.File{}
	st.Hosts["empty"].Targets["t"] = &states.Target{}
}

// checkWhole fails if anything apply would write into is nil.
func checkWhole(t *testing.T, st *states.State) {
	t.Helper()
	if st.Hosts == nil {
		t.Fatal("nil hosts")
	}
	for hn, h := range st.Hosts {
		if h == nil || h.Targets == nil {
			t.Fatalf("host %q not whole", hn)
		}
		for a, tg := range h.Targets {
			if tg == nil || tg.Files == nil {
				t.Fatalf("target %q not whole", a)
			}
			for p, f := range tg.Files {
				if f == nil || f.Items == nil {
					t.Fatalf("file %q not whole", p)
				}
				for k, it := range f.Items {
					if it == nil {
						t.Fatalf("item %q nil", k)
					}
				}
			}
		}
	}
}

// FuzzDecode: no input makes Decode panic, and a state it returns is whole
// and survives what load and save do with it (Clone, Encode, Decode again).
func FuzzDecode(f *testing.F) {
	for _, seed := range []string{
		``, `null`, `{}`, `[]`, `{"version":1}`, `{"version":2,"lineage":"l"}`,
		`{"version":1,"lineage":"l","hosts":null}`,
		`{"version":1,"lineage":"l","hosts":{"h":null}}`,
		`{"version":1,"lineage":"l","hosts":{"h":{"targets":{"a.b":{"type":"t"}}}}}`,
		`{"version":1,"lineage":"l","hosts":{"h":{"targets":{"a.b":{"files":{"/f":{"items":{"k":{"hash":"x","value":[1,{"a":null}]}}}}}}}}}`,
		`{"version":1,"lineage":"l","salt":"zz","serial":18446744073709551615,"shared":{"x":null,"y":{"a":1}}}`,
		`{"version":1,"lineage":"l","hosts":{"h":{"targets":{"a.b":{"files":{"/f":{"items":{"k":{"since":"not a time"}}}}}}}}}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		st, err := states.Decode(b)
		if err != nil {
			return
		}
		checkWhole(t, st)
		c := st.Clone()
		out, err := states.Encode(c)
		if err != nil {
			return
		}
		again, err := states.Decode(out)
		if err != nil {
			t.Fatalf("a state hub encoded does not decode: %v\n%s", err, out)
		}
		checkWhole(t, again)
	})
}
