package jsonedit

import (
	"fmt"
	"strings"
	"testing"

	"github.com/tailscale/hujson"

	"github.com/hubctl/hub/targets"
)

// nested is a JSONC document with a member nested depth levels deep, on one
// line as a hostile file has it (arrays or objects), after a comment.
func nested(depth int, objects bool) []byte {
	open, inner, close := "[", "", "]"
	if objects {
		open, inner, close = `{"a":`, "0", "}"
	}
	return []byte("// hostile\n{\"deep\": " + strings.Repeat(open, depth) + inner + strings.Repeat(close, depth) + "}\n")
}

func TestDepthLimit(t *testing.T) {
	key := targets.Key{"provider", "relay", "options", "apiKey"}
	for _, objects := range []bool{false, true} {
		// The root object is one level: MaxDepth-1 more is the most allowed.
		d, err := Parse(nested(MaxDepth-1, objects))
		if err != nil {
			t.Fatalf("objects=%v: at the limit: %v", objects, err)
		}
		if err := d.Set(key, "sk-test-depth"); err != nil {
			t.Fatalf("objects=%v: set at the limit: %v", objects, err)
		}
		for name, parse := range map[string]func([]byte) (*Doc, error){"Parse": Parse, "ParseJSON5": ParseJSON5} {
			_, err := parse(nested(MaxDepth, objects))
			if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("nested deeper than %d", MaxDepth)) ||
				!strings.HasPrefix(err.Error(), "line 2, column ") {
				t.Errorf("objects=%v: %s one level over: err = %v", objects, name, err)
			}
		}
	}
	// Brackets in strings and comments do not count.
	deep := strings.Repeat("[", 2*MaxDepth)
	src := "// " + deep + "\n{/* " + deep + " */ \"s\": \"" + deep + "\\\"" + deep + "\"}"
	if _, err := Parse([]byte(src)); err != nil {
		t.Errorf("brackets in strings and comments counted: %v", err)
	}
}

// BenchmarkDeepJSONC shows that a deeply nested document costs time linear in
// its depth: compare ns/level (and allocs/level) between depths 10,000 and
// 100,000. "style" is the layout pass of every edit, run on a document
// parsed without the depth limit; "refused" is what Parse costs a hostile
// file now. Run: go test -run - -bench DeepJSONC ./targets/internal/jsonedit/
func BenchmarkDeepJSONC(b *testing.B) {
	for _, depth := range []int{10_000, 100_000} {
		src := nested(depth, false)
		b.Run(fmt.Sprintf("style/depth=%d", depth), func(b *testing.B) {
			v, err := hujson.Parse(src)
			if err != nil {
				b.Fatal(err)
			}
			d := &Doc{body: src, root: v}
			b.ReportAllocs()
			for b.Loop() {
				d.style()
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(depth), "ns/level")
		})
		b.Run(fmt.Sprintf("refused/depth=%d", depth), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Parse(src); !isTooDeep(err) {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(depth), "ns/level")
		})
	}
}
