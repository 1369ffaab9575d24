package main

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hubctl/hub/providers/fakerelay"
)

// hostileKey is the key of the hostile-upstream leak test.
const hostileKey = "sk-test-HOSTILE-0123456789abcdefghijXYZ"

// keyFragments are the pieces of key at least 12 characters long that no
// output may show: any longer piece holds one of them.
func keyFragments(key string) []string {
	const n = 12
	var out []string
	for i := 0; i+n <= len(key); i++ {
		out = append(out, key[i:i+n])
	}
	return out
}

// leaked returns what in text gives the key away: a fragment of it (also
// once whitespace is taken out, since an upstream may break the key with
// tabs and newlines) or a terminal escape byte; in JSON text also an escape
// byte written as a JSON escape (\u001b), which a reader decodes back.
// Text hub made printable shows an escape as the characters \u001b: in
// JSON that is \\u001b, harmless, and dropped before the check.
func leaked(text string, frags []string, jsonText bool) []string {
	var bad []string
	squeezed := strings.Join(strings.Fields(text), "")
	for _, f := range frags {
		if strings.Contains(text, f) || strings.Contains(squeezed, f) {
			bad = append(bad, fmt.Sprintf("key fragment %q", f))
			break
		}
	}
	for _, esc := range []string{"\x1b", "\u009b", "\x07"} {
		if strings.Contains(text, esc) {
			bad = append(bad, fmt.Sprintf("escape %q", esc))
		}
	}
	if jsonText {
		decoded := strings.ReplaceAll(text, `\\`, "")
		for _, esc := range []string{`\u001b`, `\u009b`, `\u0007`} {
			if strings.Contains(decoded, esc) {
				bad = append(bad, fmt.Sprintf("JSON-escaped %q", esc))
			}
		}
	}
	return bad
}

// TestNoKeyFromHostileUpstream runs verify, verify --json, models and
// refresh against an upstream that echoes the key it was sent cut at every
// length, broken by tabs and newlines, wrapped in terminal escape
// sequences, inside huge bodies and dripped a byte at a time, and checks
// that no fragment of the key (12 characters or more) and no escape byte
// reaches stdout, stderr, the state or any other file hub wrote.

func TestNoKeyFromHostileUpstream(t *testing.T) {
	frags := keyFragments(hostileKey)
	commands := [][]string{{"verify"}, {"verify", "--json"}, {"models", "relay"}, {"models", "relay", "--json"}, {"refresh"}, {"refresh", "--json"}}
	for _, mode := range fakerelay.ChaosModes {
		t.Run(string(mode), func(t *testing.T) {
			srv := fakerelay.NewChaos(mode)
			defer srv.Close()
			srv.HugeSize = 4 << 20
			srv.DripEvery = time.Millisecond
			rounds := 1
			switch mode {
			case fakerelay.ChaosCut, fakerelay.ChaosWhitespace:
				rounds = 12 // with several requests per run, the variants cover every cut and insertion point
			}
			h := newHubEnv(t)
			h.env["RELAY_API_KEY"] = hostileKey
			h.env["HOSTILE_URL"] = srv.URL
			h.write("cfg/hub.hcl", `credential "relay" {
  api_type = "openai-compatible"
  base_url = "${env("HOSTILE_URL")}/v1"
  api_key  = env("RELAY_API_KEY")
  usage { method = "newapi" }
}

credential "plain" {
  api_type = "openai-compatible"
  base_url = env("HOSTILE_URL")
  api_key  = env("RELAY_API_KEY")
}
`)
			for range rounds {
				for _, args := range commands {
					r := h.run(args...)
					if bad := append(leaked(r.stdout, frags, slices.Contains(args, "--json")), leaked(r.stderr, frags, false)...); len(bad) > 0 {
						t.Errorf("LEAK (%s) by:\n%s", strings.Join(bad, ", "), r)
					}
					if r.code != 0 && r.code != 1 {
						t.Errorf("exit %d:\n%s", r.code, r)
					}
				}
			}
			if srv.Requests() == 0 {
				t.Fatal("the hostile upstream got no request: this test proves nothing")
			}
			err := filepath.WalkDir(h.root, func(path string, d fs.DirEntry, err error) error {
				if err != nil || !d.Type().IsRegular() || filepath.Base(path) == "hub.hcl" {
					return err
				}
				b, err := os.ReadFile(path)
				if err != nil {
					return err
				}
				if bad := leaked(string(b), frags, strings.HasSuffix(path, ".json")); len(bad) > 0 {
					rel, _ := filepath.Rel(h.root, path)
					t.Errorf("LEAK (%s) in %s", strings.Join(bad, ", "), rel)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}
