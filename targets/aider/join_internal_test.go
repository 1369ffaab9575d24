package aider

import (
	"testing"

	"github.com/hubctl/hub/targets"
)

// TestJoin checks that hub's new top-level keys go together, after one
// blank line, whatever the file's line ending, and that a key the editor
// updates in place breaks the run.
func TestJoin(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"new", "", "model: m\nopenai-api-key: k\n"},
		{"lf", "# mine\ndark-mode: true\n", "# mine\ndark-mode: true\n\nmodel: m\nopenai-api-key: k\n"},
		{"crlf", "# mine\r\ndark-mode: true\r\n", "# mine\r\ndark-mode: true\r\n\r\nmodel: m\r\nopenai-api-key: k\r\n"},
		{"no final break", "dark-mode: true", "dark-mode: true\n\nmodel: m\nopenai-api-key: k"},
		{"model updated in place", "model: old\n# end\n", "model: m\n# end\n\nopenai-api-key: k\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := (&Target{}).Open("/x/.aider.conf.yml", []byte(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			for _, kv := range [][2]string{{"model", "m"}, {"openai-api-key", "k"}} {
				if err := d.Set(targets.Key{kv[0]}, kv[1]); err != nil {
					t.Fatal(err)
				}
			}
			if got := string(d.Bytes()); got != tc.want {
				t.Errorf("got\n%q\nwant\n%q", got, tc.want)
			}
			for _, k := range []string{"model", "openai-api-key"} {
				if err := d.Delete(targets.Key{k}); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}
