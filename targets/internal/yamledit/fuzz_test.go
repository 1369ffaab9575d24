package yamledit

import (
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/hubctl/hub/targets"
)

// fuzzSets are sets of items FuzzEdit adds to a document and removes.
var fuzzSets = [][]struct {
	key key
	val any
}{
	{{key{"k"}, "x"}},
	{{key{"a", "b"}, int64(1)}},
	{hubOps[0], hubOps[1], hubOps[2]},
	{hubOps[3], hubOps[4]},
	{{key{"api-keys"}, []any{"sk-1", "sk-2"}}, {key{"m"}, map[string]any{"x": "y"}}},
}

// FuzzEdit checks on any document that parses that it comes back byte for
// byte; that setting what hub sets gives valid YAML reading back as set,
// that setting it again changes nothing, that a refused Set changes nothing;
// and that deleting what was added gives back the original bytes (except in
// the cases the package documentation lists).
//
//	go test -run '^$' -fuzz FuzzEdit -fuzztime 30s ./targets/internal/yamledit/
func FuzzEdit(f *testing.F) {
	for _, s := range roundTrip {
		f.Add(s)
	}
	f.Add("oc:\n- name: relay\n  base-url: x\nclaude-api-key:\n  - api-key: k # hub:claude\n")
	f.Add("a:\n  b: |\n    text\n\n  c: 'q'\nk: >\n  folded\n")
	f.Add("a: [1, {b: 2}]\nk: {x: 1}\n")
	f.Add("oc: []\nclaude-api-key:\n")
	f.Fuzz(func(t *testing.T, src string) {
		d, err := Parse([]byte(src))
		if err != nil {
			if !strings.HasPrefix(err.Error(), "line ") {
				t.Fatalf("error without position: %v", err)
			}
			return
		}
		if got := string(d.Bytes()); got != src {
			t.Fatalf("Bytes() = %q, want %q", got, src)
		}
		d.Get(nil)
		for _, items := range fuzzSets {
			d, _ := Parse([]byte(src))
			var added []key
			exact := true
			for _, it := range items {
				if _, ok := d.Get(it.key); ok {
					continue
				}
				hops, missing, _ := d.resolve(it.key)
				if missing > 0 && isEmpty(hops[missing-1].val) {
					exact = false // a key that held null, [] or {} goes
				}
				before := string(d.Bytes())
				if err := d.Set(it.key, it.val); err != nil {
					if got := string(d.Bytes()); got != before {
						t.Fatalf("refused Set(%s) (%v) changed %q to %q", it.key, err, before, got)
					}
					continue
				}
				var v any
				if err := yaml.Unmarshal(d.Bytes(), &v); err != nil {
					t.Fatalf("Set(%s) on %q gave invalid YAML %q: %v", it.key, before, d.Bytes(), err)
				}
				if got, ok := d.Get(it.key); !ok || !equal(got, it.val) {
					t.Fatalf("Set(%s) on %q reads back %v", it.key, before, got)
				}
				once := string(d.Bytes())
				if err := d.Set(it.key, it.val); err != nil || string(d.Bytes()) != once {
					t.Fatalf("second Set(%s) on %q changed it or failed: %v", it.key, once, err)
				}
				added = append(added, it.key)
			}
			for i := len(added) - 1; i >= 0; i-- {
				before := string(d.Bytes())
				if err := d.Delete(added[i]); err != nil {
					t.Fatalf("Delete(%s) on %q: %v", added[i], before, err)
				}
				if _, ok := d.Get(added[i]); ok {
					t.Fatalf("Delete(%s) on %q left it", added[i], before)
				}
			}
			got := string(d.Bytes())
			if exact && got != src && !lostTrailingBlank(src, got) {
				t.Fatalf("Set then Delete %v on %q gave %q", added, src, got)
			}
		}
	})
}

// lostTrailingBlank reports the documented exception: a file that ended with
// a blank line gets it back without that line.
func lostTrailingBlank(src, got string) bool {
	lines := strings.SplitAfter(src, "\n")
	if len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return len(lines) > 1 && strings.TrimSpace(lines[len(lines)-1]) == "" &&
		strings.HasPrefix(src, got) && strings.TrimRight(got, " \t\r\n") == strings.TrimRight(src, " \t\r\n")
}

// FuzzValue checks that any string hub writes reads back as written, in
// every context, and goes away cleanly.
//
//	go test -run '^$' -fuzz FuzzValue -fuzztime 30s ./targets/internal/yamledit/
func FuzzValue(f *testing.F) {
	for _, s := range []string{"x", "", "123", "a: b", "# c", "multi\nline", "'", "\"", "\\", "é", "- a", "[a]", "{", "\x00", "\u2028"} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Add(strings.Repeat("k", maxKey+1), false) // too long for a key
	f.Fuzz(func(t *testing.T, value string, quoted bool) {
		if !utf8Valid(value) {
			return // Set refuses it
		}
		src := "p: 1\nflow: {a: 1}\nl: [x]\n"
		if quoted {
			src = "p: \"1\"\nflow: {a: \"1\"}\nl: [\"x\"]\n"
		}
		d, err := Parse([]byte(src))
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range []key{{"v"}, {"flow", "a"}, {"oc", relay, "k"}, {"n", "m"}, {"kk", value}, {"cm", targets.Marked("m"), value}} {
			if err := d.Set(k, value); err != nil {
				if k[len(k)-1] == value && (isSelector(value) || len(value) > maxKey/4) {
					continue
				}
				t.Fatalf("Set(%s, %q): %v", k, value, err)
			}
			if got, ok := d.Get(k); !ok || got != value {
				t.Fatalf("Set(%s, %q) reads back %q in %q", k, value, got, d.Bytes())
			}
		}
		for _, k := range []key{{"v"}, {"oc", relay, "k"}, {"n", "m"}, {"kk", value}, {"cm", targets.Marked("m"), value}} {
			if err := d.Delete(k); err != nil {
				t.Fatalf("Delete(%s): %v", k, err)
			}
		}
		if err := d.Set(key{"flow", "a"}, int64(1)); err != nil {
			t.Fatal(err)
		}
		if quoted {
			src = strings.Replace(src, "{a: \"1\"}", "{a: 1}", 1)
		}
		if got := string(d.Bytes()); got != src {
			t.Fatalf("after setting and deleting %q: %q, want %q", value, got, src)
		}
	})
}

func utf8Valid(s string) bool { return strings.ToValidUTF8(s, "\uFFFD") == s }

// FuzzDelete checks that deleting any key from any document gives valid
// YAML without it, or fails leaving the document as it was.
//
//	go test -run '^$' -fuzz FuzzDelete -fuzztime 30s ./targets/internal/yamledit/
func FuzzDelete(f *testing.F) {
	for _, s := range roundTrip {
		f.Add(s, "a", "")
		f.Add(s, "openai-compatibility", "[name=openrouter]")
	}
	f.Add(cliproxy, "claude-api-key", "[#hub:x]")
	f.Add("c:\n  - k: 1 # hub:x\n    j: 2\n", "c", "[#hub:x]")
	f.Fuzz(func(t *testing.T, src, k1, k2 string) {
		d, err := Parse([]byte(src))
		if err != nil {
			return
		}
		k := key{k1}
		if k2 != "" {
			k = append(k, k2)
		}
		if isSelector(k[len(k)-1]) {
			k = append(k, "k")
		}
		if err := d.Delete(k); err != nil {
			if got := string(d.Bytes()); got != src {
				t.Fatalf("failed Delete(%s) (%v) changed %q to %q", k, err, src, got)
			}
			return
		}
		var v any
		if err := yaml.Unmarshal(d.Bytes(), &v); err != nil {
			t.Fatalf("Delete(%s) on %q gave invalid YAML %q", k, src, d.Bytes())
		}
		if _, ok := d.Get(k); ok {
			t.Fatalf("Delete(%s) on %q left it: %q", k, src, d.Bytes())
		}
	})
}
