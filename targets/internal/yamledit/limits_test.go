package yamledit

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hubctl/hub/targets"
)

func manyKeys(n int) []byte {
	var b strings.Builder
	b.WriteString("# hostile\n")
	for i := range n {
		fmt.Fprintf(&b, "key%d: %d\n", i, i)
	}
	return []byte(b.String())
}

func deepFlow(depth int) []byte {
	return []byte("a: " + strings.Repeat("[", depth) + strings.Repeat("]", depth) + "\n")
}

// TestShapeLimits: a mapping of more than MaxKeys keys and nesting deeper than
// MaxDepth are refused with an error naming the place; at the limits the
// file is edited. A mapping of 60,000 keys is refused at once (it took
// seconds in yaml.v3's pairwise duplicate check before).
func TestShapeLimits(t *testing.T) {
	key := targets.Key{"model_list"}
	d, err := Parse(manyKeys(MaxKeys - 1))
	if err == nil {
		err = d.Set(key, "x")
	}
	if err != nil {
		t.Fatalf("at the key limit: %v", err)
	}
	if _, err := Parse(manyKeys(MaxKeys + 1)); err == nil || !strings.Contains(err.Error(), fmt.Sprintf("more than the %d", MaxKeys)) || !strings.HasPrefix(err.Error(), "line 2, column 1: ") {
		t.Errorf("over the key limit: err = %v", err)
	}
	// The root mapping is one level.
	if _, err := Parse(deepFlow(MaxDepth - 1)); err != nil {
		t.Errorf("at the depth limit: %v", err)
	}
	if _, err := Parse(deepFlow(MaxDepth)); err == nil || !strings.Contains(err.Error(), fmt.Sprintf("nested deeper than %d", MaxDepth)) {
		t.Errorf("over the depth limit: err = %v", err)
	}

	done := make(chan error, 1)
	go func() {
		_, err := Parse(manyKeys(60_000))
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "60000 keys") {
			t.Errorf("60,000 keys: err = %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("a mapping of 60,000 keys was not refused within 20s")
	}
}

func TestSizeLimit(t *testing.T) {
	if _, err := Parse([]byte("a: " + strings.Repeat("x", MaxSize-4) + "\n")); err != nil {
		t.Errorf("at the limit: %v", err)
	}
	_, err := Parse([]byte("a: " + strings.Repeat("x", MaxSize) + "\n"))
	if err == nil || !strings.Contains(err.Error(), "more than the 1 MiB") {
		t.Errorf("over the limit: err = %v", err)
	}
}
