package jsonedit

import (
	"slices"
	"testing"

	"github.com/hubctl/hub/targets"
)

// Doc.Keys lists an object's members in the file's order, once each.
func TestDocKeys(t *testing.T) {
	d, err := Parse([]byte(`{"provider": {"b": {}, /* c */ "a": {}, "c": 1, "a": 2,}, "x": []}`))
	if err != nil {
		t.Fatal(err)
	}
	if got := d.Keys(targets.Key{"provider"}); !slices.Equal(got, []string{"b", "a", "c"}) {
		t.Errorf("Keys = %q", got)
	}
	if got := d.Keys(targets.Key{"x"}); got != nil {
		t.Errorf("Keys of a list = %q", got)
	}
	if got := d.Keys(targets.Key{"missing"}); got != nil {
		t.Errorf("Keys of nothing = %q", got)
	}
}
