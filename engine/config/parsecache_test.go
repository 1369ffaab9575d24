package config

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// cacheCases are sources whose cached parse must be the whole-file parse:
// pieces that parse, and cuts that fall inside something and must not be
// taken.
var cacheCases = map[string]string{
	"empty":            "",
	"comment only":     "# nothing\n",
	"one block":        "credential \"a\" {\n  api_key = \"x\"\n}\n",
	"no final eol":     "credential \"a\" {\n  api_key = \"x\"\n}\ntarget \"codex\" \"b\" {\n  credential = credential.a\n}",
	"crlf":             "credential \"a\" {\r\n  api_key = \"x\"\r\n}\r\n\r\ntarget \"codex\" \"b\" {\r\n  credential = credential.a\r\n}\r\n",
	"trailing space":   "credential \"a\" {\n  api_key = \"x\"\n}  \n# end\n",
	"comments":         "# head\ncredential \"a\" {\n  # in\n  api_key = \"x\" // tail\n}\n\n# between\n/* c */\ncredential \"b\" {\n}\n# end",
	"brace in comment": "# head\n/* a\n}\n*/\ncredential \"a\" {\n  # in\n  api_key = \"x\" // tail\n}\n\n# between\n\ncredential \"b\" {\n}\n# end",
	"heredoc":          "credential \"a\" {\n  notes = <<EOT\nx\n}\ny\nEOT\n}\ncredential \"b\" {\n  notes = <<-EOT\n    }\n    EOT\n}\n",
	"object at col 1":  "locals {\n  m = {\na = 1\n}\n  n = [\n1,\n]\n}\nlocals {\n  o = 2\n}\n",
	"template":         "locals {\n  s = \"${\n}\"\n}\nlocals {\n  t = <<EOT\n${jsonencode({\na = 1\n})}\nEOT\n}\n",
	"one-line blocks":  "locals { a = 1 }\nlocals { b = 2 }\nlocals {\n}\nlocals { c = 3 }\n",
	"extra brace":      "locals { a = 1 }\nlocals { b = 2 }\n}\nlocals { c = 3 }\n",
	"root attribute":   "a = 1\nlocals {\n}\nb = 2\n",
	"syntax error":     "credential \"a\" {\n  api_key = \n}\ncredential \"b\" {\n  x = 1\n}\n",
	"unclosed":         "credential \"a\" {\n  api_key = \"x\"\n}\ncredential \"b\" {\n",
	"stray brace":      "credential \"a\" {\n}\n}\ncredential \"b\" {\n}\n",
	"nested":           "credential \"a\" {\n  usage {\n    method = \"auto\"\n}\n}\ntarget \"codex\" \"t\" {\n}\n",
	"unicode":          "credential \"é\" {\n  name = \"naïve 😀\"\n}\ncredential \"b\" {\n  name = \"x\"\n}\n",
}

// piecewise is how many pieces each case is cached as (0: parsed whole).
var piecewise = map[string]int{
	"empty": 1, "comment only": 1, "one block": 1, "no final eol": 2, "crlf": 2,
	"trailing space": 2, "comments": 3, "one-line blocks": 2, "unicode": 2,
}

func wholeParse(src []byte, name string) (*hcl.File, hcl.Diagnostics) {
	return hclsyntax.ParseConfig(src, name, hcl.InitialPos)
}

func checkSame(t *testing.T, c *ParseCache, what string, src []byte) {
	t.Helper()
	want, wantDiags := wholeParse(src, "hub.hcl")
	got, gotDiags := c.parse(src, "hub.hcl")
	if !reflect.DeepEqual(fmt.Sprint(gotDiags), fmt.Sprint(wantDiags)) {
		t.Errorf("%s: diagnostics\n got %v\nwant %v", what, gotDiags, wantDiags)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s: the cached parse differs from the whole-file parse", what)
	}
	// The navigation names the enclosing block as the whole-file one does
	// (implied by the above, since it holds the body; checked on a sample).
	type contexter interface {
		ContextString(offset int) string
		ContextDefRange(offset int) hcl.Range
	}
	gn, wn := got.Nav.(contexter), want.Nav.(contexter)
	for off := 0; off <= len(src); off += 1 + len(src)/64 {
		if gn.ContextDefRange(off) != wn.ContextDefRange(off) {
			t.Fatalf("%s: context range at byte %d is %v, want %v", what, off, gn.ContextDefRange(off), wn.ContextDefRange(off))
		}
		if g, w := gn.ContextString(off), wn.ContextString(off); g != w {
			t.Fatalf("%s: context at byte %d is %q, want %q", what, off, g, w)
		}
	}
}

// TestParseCacheIsWholeParse: for every source, a cold and a warm cache give
// exactly the whole-file parse (AST, ranges, diagnostics, navigation).
func TestParseCacheIsWholeParse(t *testing.T) {
	for name, src := range cacheCases {
		c := NewParseCache()
		checkSame(t, c, name+" (cold)", []byte(src))
		checkSame(t, c, name+" (warm)", []byte(src))
		// Whether the pieces were taken (the rest is parsed whole).
		if n, want := len(c.files["hub.hcl"]), piecewise[name]; (n > 0) != (want > 0) || (want > 0 && n != want) {
			t.Errorf("%s: %d pieces cached, want %d", name, n, want)
		}
	}
	// Every example configuration of the repository.
	examples, _ := filepath.Glob("../../examples/*/*.hcl")
	if len(examples) == 0 {
		t.Fatal("no examples found")
	}
	for _, p := range examples {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		c := NewParseCache()
		checkSame(t, c, p, b)
		checkSame(t, c, p+" (warm)", b)
	}
}

// TestParseCacheEdits: edits that keep, grow and shrink blocks, add and
// remove them, break and fix the file; the cache only ever gives the
// whole-file parse, reuses the blocks it can, and keeps only the latest
// file's pieces.
func TestParseCacheEdits(t *testing.T) {
	block := func(i int, model string) string {
		return fmt.Sprintf("target \"claude_code\" \"t%d\" {\n  credential = credential.c\n  model      = %q\n}\n\n", i, model)
	}
	src := func(models ...string) string {
		var b strings.Builder
		b.WriteString("credential \"c\" {\n  api_type = \"anthropic\"\n  base_url = \"https://api.anthropic.com\"\n  api_key  = \"sk-test-cache-0001\"\n}\n\n")
		for i, m := range models {
			b.WriteString(block(i, m))
		}
		return b.String()
	}
	c := NewParseCache()
	steps := []string{
		src("a", "b", "c", "d"),
		src("a", "b", "c", "d"),
		src("a", "bb", "c", "d"),                          // one block grows: those after it move
		src("a", "bc", "c", "d"),                          // same length: only one block is new
		src("a", "bc", "c"),                               // removed
		src("a", "bc", "c", "e"),                          // added
		src("a", "bc", "c", "e") + "target \"codex\" {\n", // broken
		src("x", "bc", "c", "e"),                          // fixed
	}
	for i, s := range steps {
		checkSame(t, c, fmt.Sprintf("step %d", i), []byte(s))
	}
	// The same-length edit reused every block but one.
	c = NewParseCache()
	c.parse([]byte(src("a", "bb", "c", "d")), "hub.hcl")
	before := c.files["hub.hcl"]
	c.parse([]byte(src("a", "bc", "c", "d")), "hub.hcl")
	after := c.files["hub.hcl"]
	reused := 0
	for k, b := range after {
		if before[k] == b {
			reused++
		}
	}
	if len(after) != 6 || reused != 5 { // the blocks and the blank line at the end
		t.Errorf("%d pieces, %d reused; want 6 and 5", len(after), reused)
	}
	// A broken file keeps the last good pieces for the fix; a file no
	// longer loaded is dropped.
	good := c.files["hub.hcl"]
	checkSame(t, c, "broken", []byte(src("a", "bc", "c", "d")+"target {\n"))
	if !reflect.DeepEqual(c.files["hub.hcl"], good) {
		t.Errorf("a broken file changed the cached pieces")
	}
	checkSame(t, c, "fixed", []byte(src("a", "bc", "c", "d")))
	c.parse([]byte(src("a")), "a.hcl")
	c.parse([]byte(src("a")), "b.hcl")
	c.retain(map[string]bool{"b.hcl": true})
	if _, ok := c.files["a.hcl"]; ok || len(c.files) != 1 {
		t.Errorf("retain kept %v", c.files)
	}
}

// TestParseCacheRandomEdits: random edits (braces, heredoc and comment
// markers, quotes, deletions) of a real configuration, one after another
// through one cache: every parse is the whole-file parse.
func TestParseCacheRandomEdits(t *testing.T) {
	var base []byte
	examples, _ := filepath.Glob("../../examples/*/*.hcl")
	for _, p := range examples {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		base = append(base, b...)
	}
	snippets := []string{"}\n", "{\n", "\n}\n", "<<EOT\n", "EOT\n", "/*", "*/\n", "\"", "${", "\n", "# c\n", "x = 1\n", "locals {\n}\n", "é"}
	rng := rand.New(rand.NewPCG(5, 5))
	c := NewParseCache()
	src := append([]byte(nil), base...)
	pieced := 0
	for i := 0; i < 300; i++ {
		switch n := rng.IntN(10); {
		case n == 0:
			src = append([]byte(nil), base...)
		case n < 4 && len(src) > 0:
			at := rng.IntN(len(src))
			end := min(len(src), at+rng.IntN(8))
			src = append(src[:at:at], src[end:]...)
		default:
			at := rng.IntN(len(src) + 1)
			s := snippets[rng.IntN(len(snippets))]
			src = append(src[:at:at], append([]byte(s), src[at:]...)...)
		}
		checkSame(t, c, fmt.Sprintf("edit %d", i), src)
		if len(c.files["hub.hcl"]) > 1 {
			pieced++
		}
		if t.Failed() {
			t.Fatalf("source:\n%s", src)
		}
	}
	if pieced < 30 {
		t.Errorf("only %d of 300 parses were piecewise", pieced)
	}
}
