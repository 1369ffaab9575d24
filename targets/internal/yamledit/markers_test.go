package yamledit

import (
	"slices"
	"testing"

	"github.com/hubctl/hub/targets"
)

// Doc.Markers reads each element's "# hub:" marker, above it or on its line.
func TestDocMarkers(t *testing.T) {
	d, err := Parse([]byte("claude-api-key:\n  - api-key: a\n  # hub:one\n  - api-key: b\n  - api-key: c # hub:two\nport: 1\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got := d.Markers(targets.Key{"claude-api-key"}); !slices.Equal(got, []string{"", "one", "two"}) {
		t.Errorf("Markers = %q", got)
	}
	if got := d.Markers(targets.Key{"port"}); got != nil {
		t.Errorf("Markers of a scalar = %q", got)
	}
}
