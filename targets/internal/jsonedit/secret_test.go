package jsonedit

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hubctl/hub/targets"
)

// claudeKeys is CLIProxyAPI's claude-api-key list as hub's cliproxyapi
// target fetches it from the management API: the user's own entry.
const claudeKeys = `{
  "claude-api-key": [
    {
      "api-key": "sk-ant-test-mine",
      "base-url": "",
      "models": null,
      "proxy-url": ""
    }
  ],
  "codex-api-key": []
}
`

// claudeKeysWithHub is claudeKeys after hub added its entry.
const claudeKeysWithHub = `{
  "claude-api-key": [
    {
      "api-key": "sk-ant-test-mine",
      "base-url": "",
      "models": null,
      "proxy-url": ""
    },
    {
      "api-key": "sk-ant-test-hub-1",
      "base-url": "https://relay.example.com",
      "models": [
        {
          "alias": "m",
          "name": "m"
        }
      ]
    }
  ],
  "codex-api-key": []
}
`

func hubEntry(secret, field string) key {
	return key{"claude-api-key", targets.SelectSecret("api-key", secret, "claude"), field}
}

func setHub(t *testing.T, d *Doc, secret string) {
	t.Helper()
	// The selected field first: it creates the element.
	set(t, d, hubEntry(secret, "api-key"), secret)
	set(t, d, hubEntry(secret, "base-url"), "https://relay.example.com")
	set(t, d, hubEntry(secret, "models"), []any{map[string]any{"name": "m", "alias": "m"}})
}

// TestSecretSelectorRoundTrip creates an element known by its key next to
// the user's, in files written in various styles, and removes it again in
// either order of its fields: the original bytes come back.
func TestSecretSelectorRoundTrip(t *testing.T) {
	origs, wants := variants(claudeKeys), variants(claudeKeysWithHub)
	for v := range origs {
		for _, order := range [][]string{{"api-key", "base-url", "models"}, {"models", "base-url", "api-key"}} {
			t.Run(v+"/"+order[0], func(t *testing.T) {
				d := parse(t, origs[v])
				setHub(t, d, "sk-ant-test-hub-1")
				check(t, d, wants[v])
				setHub(t, d, "sk-ant-test-hub-1")
				check(t, d, wants[v])
				d = parse(t, string(d.Bytes()))
				if got, ok := d.Get(hubEntry("sk-ant-test-hub-1", "base-url")); !ok || got != "https://relay.example.com" {
					t.Errorf("Get(base-url) = %v, %v", got, ok)
				}
				if got, ok := d.Get(hubEntry("sk-ant-test-hub-1", "api-key")); !ok || got != "sk-ant-test-hub-1" {
					t.Errorf("Get(api-key) = %v, %v", got, ok)
				}
				// The digest under another salt, or another key: not selected.
				if _, ok := d.Get(key{"claude-api-key", "[api-key~other:" + targets.SecretDigest("sk-ant-test-hub-1", "claude") + "]", "base-url"}); ok {
					t.Error("a digest read with another salt selects the element")
				}
				if _, ok := d.Get(hubEntry("sk-ant-test-hub-2", "base-url")); ok {
					t.Error("another key's digest selects the element")
				}
				for _, f := range order {
					del(t, d, hubEntry("sk-ant-test-hub-1", f))
				}
				check(t, d, origs[v])
			})
		}
	}
}

// TestSecretSelectorRotation replaces hub's element by one for a new key, as
// the engine does (sets, then deletes of the old keys), keeping the user's.
func TestSecretSelectorRotation(t *testing.T) {
	d := parse(t, claudeKeys)
	setHub(t, d, "sk-ant-test-hub-1")
	setHub(t, d, "sk-ant-test-hub-2")
	for _, f := range []string{"api-key", "base-url", "models"} {
		del(t, d, hubEntry("sk-ant-test-hub-1", f))
	}
	check(t, d, strings.Replace(claudeKeysWithHub, "sk-ant-test-hub-1", "sk-ant-test-hub-2", 1))
}

// TestSecretSelectorUserFields: deleting the selected field removes the
// element even when it holds fields hub did not set, since nothing could
// find the element again without its key (and CLIProxyAPI ignores an entry
// without one); deleting another field keeps an element the user added to.
func TestSecretSelectorUserFields(t *testing.T) {
	const in = `{"claude-api-key": [{"api-key": "sk-ant-test-hub-1", "base-url": "u", "prefix": "team"}, {"api-key": "sk-ant-test-mine"}]}`
	d := parse(t, in)
	del(t, d, hubEntry("sk-ant-test-hub-1", "base-url"))
	check(t, d, `{"claude-api-key": [{"api-key": "sk-ant-test-hub-1", "prefix": "team"}, {"api-key": "sk-ant-test-mine"}]}`)
	del(t, d, hubEntry("sk-ant-test-hub-1", "api-key"))
	check(t, d, `{"claude-api-key": [{"api-key": "sk-ant-test-mine"}]}`)
}

func TestSecretSelectorSet(t *testing.T) {
	sec := targets.SelectSecret("api-key", "sk-test-k", "c")
	tests := []struct {
		name, in string
		key      key
		value    any
		want     string
	}{
		{"no list", "{\n  \"x\": 1\n}\n", key{"claude-api-key", sec, "api-key"}, "sk-test-k",
			"{\n  \"x\": 1,\n  \"claude-api-key\": [\n    {\n      \"api-key\": \"sk-test-k\"\n    }\n  ]\n}\n"},
		{"empty file", "", key{"L", sec, "api-key"}, "sk-test-k",
			"{\n  \"L\": [\n    {\n      \"api-key\": \"sk-test-k\"\n    }\n  ]\n}\n"},
		{"one line", `{"L": [{"api-key": "a"}]}`, key{"L", sec, "api-key"}, "sk-test-k",
			`{"L": [{"api-key": "a"}, {"api-key": "sk-test-k"}]}`},
		{"existing element", `{"L": [{"api-key": "sk-test-k", "base-url": "old"}]}`, key{"L", sec, "base-url"}, "new",
			`{"L": [{"api-key": "sk-test-k", "base-url": "new"}]}`},
		{"elements of other kinds skipped", `{"L": ["sk-test-k", {"api-key": 1}, {"key": "sk-test-k"}]}`, key{"L", sec, "api-key"}, "sk-test-k",
			`{"L": ["sk-test-k", {"api-key": 1}, {"key": "sk-test-k"}, {"api-key": "sk-test-k"}]}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := parse(t, tc.in)
			set(t, d, tc.key, tc.value)
			check(t, d, tc.want)
			set(t, d, tc.key, tc.value)
			check(t, d, tc.want)
			if got, ok := d.Get(tc.key); !ok || !cmp.Equal(got, tc.value) {
				t.Errorf("Get = %v, %v", got, ok)
			}
		})
	}
}

func TestSecretSelectorDelete(t *testing.T) {
	sec := targets.SelectSecret("api-key", "sk-test-k", "c")
	tests := []struct {
		name, in string
		key      key
		want     string
	}{
		{"duplicates all go", `{"L": [{"api-key": "sk-test-k", "a": 1}, {"api-key": "x"}, {"api-key": "sk-test-k"}]}`, key{"L", sec, "api-key"},
			`{"L": [{"api-key": "x"}]}`},
		{"only element", "{\n  \"L\": [\n    {\n      \"api-key\": \"sk-test-k\",\n      \"b\": 2\n    }\n  ],\n  \"x\": 1\n}", key{"L", sec, "api-key"},
			"{\n  \"L\": [],\n  \"x\": 1\n}"},
		{"whole element", `{"L": [{"api-key": "sk-test-k", "a": 1}, {"api-key": "x"}]}`, key{"L", sec}, `{"L": [{"api-key": "x"}]}`},
		{"last other field goes with the element", `{"L": [{"api-key": "sk-test-k", "a": 1}]}`, key{"L", sec, "a"}, `{"L": []}`},
		{"absent", `{"L": [{"api-key": "x"}]}`, key{"L", sec, "api-key"}, `{"L": [{"api-key": "x"}]}`},
		{"no list", `{"M": 1}`, key{"L", sec, "api-key"}, `{"M": 1}`},
		{"not a list", `{"L": {"api-key": "sk-test-k"}}`, key{"L", sec, "api-key"}, `{"L": {"api-key": "sk-test-k"}}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := parse(t, tc.in)
			del(t, d, tc.key)
			check(t, d, tc.want)
			if _, ok := d.Get(tc.key); ok {
				t.Errorf("Get(%s) still present", tc.key)
			}
			del(t, d, tc.key)
			check(t, d, tc.want)
		})
	}
}

// TestSecretSelectorErrors: only the secret creates an element, and no
// error shows it.
func TestSecretSelectorErrors(t *testing.T) {
	sec := targets.SelectSecret("api-key", "sk-test-k", "c")
	tests := []struct {
		in    string
		key   key
		value any
		want  string
	}{
		{`{"L": []}`, key{"L", sec, "base-url"}, "u",
			"set L" + sec + ".base-url: no element of L holds the secret " + sec + " selects; set L" + sec + ".api-key first, which creates it"},
		{`{"L": []}`, key{"L", sec, "api-key"}, "sk-test-other",
			"set L" + sec + ".api-key: the value is not the secret the selector's digest was made from"},
		{`{"L": [{"api-key": "sk-test-k"}]}`, key{"L", sec, "api-key"}, "sk-test-other",
			"set L" + sec + ".api-key: the value is not the secret the selector's digest was made from"},
		{`{"L": []}`, key{"L", sec, "api-key"}, 5,
			"set L" + sec + ".api-key: the value is not the secret the selector's digest was made from"},
		{`{"L": []}`, key{"L", sec, "models", "x"}, 1,
			"set L" + sec + ".models.x: no element of L holds the secret " + sec + " selects; set L" + sec + ".api-key first, which creates it"},
		{`{"L": "sk-test-k"}`, key{"L", sec, "api-key"}, "sk-test-k", "set L" + sec + ".api-key: L is a string, not an array"},
	}
	for _, tc := range tests {
		d := parse(t, tc.in)
		err := d.Set(tc.key, tc.value)
		if err == nil || err.Error() != tc.want {
			t.Errorf("Set(%s) on %s: error %v, want %q", tc.key, tc.in, err, tc.want)
		}
		if err != nil && (strings.Contains(err.Error(), "sk-test-k\"") || strings.Contains(err.Error(), "sk-test-other")) {
			t.Errorf("error shows a secret: %v", err)
		}
		check(t, d, tc.in)
	}
}

func TestSecretSelectorKeyString(t *testing.T) {
	k := hubEntry("sk-ant-test-hub-1", "base-url")
	back, err := targets.ParseKey(k.String())
	if err != nil || !cmp.Equal(back, k) {
		t.Fatalf("ParseKey(%s) = %v, %v", k, back, err)
	}
	if strings.Contains(k.String(), "sk-ant") {
		t.Errorf("key shows the secret: %s", k)
	}
}
