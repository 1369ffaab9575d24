package continuedev

import (
	"testing"

	"github.com/hubctl/hub/targets"
)

// TestSeedLayouts checks where name, version and schema go in files of
// various shapes, and that the file ending and byte order mark are kept.
func TestSeedLayouts(t *testing.T) {
	entry := targets.Key{"models", targets.Select("name", "r / m"), "model"}
	for _, tc := range []struct{ name, in, want string }{
		{"empty", "", "name: Main Config\nversion: 1.0.0\nschema: v1\n\nmodels:\n  - name: r / m\n    model: m\n"},
		{"blank", "\n", "\nname: Main Config\nversion: 1.0.0\nschema: v1\n\nmodels:\n  - name: r / m\n    model: m\n"},
		{"crlf comment, no final break", "# c\r\n# d", "# c\r\n# d\r\nname: Main Config\r\nversion: 1.0.0\r\nschema: v1\r\n\r\nmodels:\r\n  - name: r / m\r\n    model: m\r\n"},
		{"bom", "\ufeff# c\n", "\ufeff# c\nname: Main Config\nversion: 1.0.0\nschema: v1\n\nmodels:\n  - name: r / m\n    model: m\n"},
		{"only version missing", "name: Mine\nschema: v1\n", "name: Mine\nschema: v1\n\nversion: 1.0.0\n\nmodels:\n  - name: r / m\n    model: m\n"},
		{"header present", "name: Mine\nversion: 2\n", "name: Mine\nversion: 2\n\nmodels:\n  - name: r / m\n    model: m\n"},
		{"ends in a block scalar", "rules:\n  - |\n    be brief\n", "rules:\n  - |\n    be brief\n\nname: Main Config\nversion: 1.0.0\nschema: v1\n\nmodels:\n  - name: r / m\n    model: m\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := (&Target{}).Open("/x/config.yaml", []byte(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			if err := d.Set(entry, "m"); err != nil {
				t.Fatal(err)
			}
			if got := string(d.Bytes()); got != tc.want {
				t.Errorf("got\n%q\nwant\n%q", got, tc.want)
			}
			// Deleting hub's item leaves the seeds.
			if err := d.Delete(entry); err != nil {
				t.Fatal(err)
			}
			if v, ok := d.Get(targets.Key{"name"}); !ok || v == nil {
				t.Errorf("name is gone after the delete:\n%s", d.Bytes())
			}
		})
	}
}
