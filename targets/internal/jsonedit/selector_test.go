package jsonedit

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hubctl/hub/targets"
)

// ccrConfig is a Claude Code Router config.json as users write it: their own
// provider with a transformer, a router, a status line.
const ccrConfig = `{
  "LOG": true,
  "PORT": 3456,
  "APIKEY": "ccr-local-secret",
  "Providers": [
    {
      "name": "deepseek",
      "api_base_url": "https://api.deepseek.com/chat/completions",
      "api_key": "sk-test-deepseek",
      "models": [
        "deepseek-chat",
        "deepseek-reasoner"
      ],
      "transformer": {
        "use": [
          "deepseek"
        ]
      }
    }
  ],
  "Router": {
    "default": "deepseek,deepseek-chat",
    "think": "deepseek,deepseek-reasoner"
  },
  "StatusLine": {
    "enabled": true,
    "currentStyle": "default"
  }
}
`

// ccrWithRelay is ccrConfig after hub added its provider.
const ccrWithRelay = `{
  "LOG": true,
  "PORT": 3456,
  "APIKEY": "ccr-local-secret",
  "Providers": [
    {
      "name": "deepseek",
      "api_base_url": "https://api.deepseek.com/chat/completions",
      "api_key": "sk-test-deepseek",
      "models": [
        "deepseek-chat",
        "deepseek-reasoner"
      ],
      "transformer": {
        "use": [
          "deepseek"
        ]
      }
    },
    {
      "name": "relay",
      "api_base_url": "https://relay.example.com/v1/chat/completions",
      "api_key": "sk-test-relay",
      "models": [
        "gpt-x"
      ]
    }
  ],
  "Router": {
    "default": "deepseek,deepseek-chat",
    "think": "deepseek,deepseek-reasoner"
  },
  "StatusLine": {
    "enabled": true,
    "currentStyle": "default"
  }
}
`

func relay(field string) key { return key{"Providers", targets.Select("name", "relay"), field} }

// setRelay sets hub's three fields of the relay provider.
func setRelay(t *testing.T, d *Doc) {
	t.Helper()
	set(t, d, relay("api_base_url"), "https://relay.example.com/v1/chat/completions")
	set(t, d, relay("api_key"), "sk-test-relay")
	set(t, d, relay("models"), []string{"gpt-x"})
}

func delRelay(t *testing.T, d *Doc) {
	t.Helper()
	del(t, d, relay("api_base_url"))
	del(t, d, relay("api_key"))
	del(t, d, relay("models"))
}

// TestSelectorRoundTrip adds an element with fields to a list the user has,
// in files written with various indentation and line breaks, and removes it
// again: only the new lines may change, and the original bytes come back.
func TestSelectorRoundTrip(t *testing.T) {
	origs, wants := variants(ccrConfig), variants(ccrWithRelay)
	for v := range origs {
		t.Run(v, func(t *testing.T) {
			d := parse(t, origs[v])
			setRelay(t, d)
			check(t, d, wants[v])
			setRelay(t, d)
			check(t, d, wants[v])
			d = parse(t, string(d.Bytes()))
			setRelay(t, d)
			check(t, d, wants[v])
			if got, ok := d.Get(relay("models")); !ok || !cmp.Equal(got, []any{"gpt-x"}) {
				t.Errorf("Get(models) = %v, %v", got, ok)
			}
			if got, ok := d.Get(key{"Providers", targets.Select("name", "relay")}); !ok || got.(map[string]any)["name"] != "relay" {
				t.Errorf("Get(element) = %v, %v", got, ok)
			}
			delRelay(t, d)
			check(t, d, origs[v])
		})
	}
}

// TestSelectorUserElement edits fields of an element the user wrote: hub's
// field replaced in place or added after the user's, and the element kept
// when hub's fields are deleted because the user's are still in it.
func TestSelectorUserElement(t *testing.T) {
	ds := func(f string) key { return key{"Providers", targets.Select("name", "deepseek"), f} }
	d := parse(t, ccrConfig)
	set(t, d, ds("api_key"), "sk-test-new")
	set(t, d, ds("tokenizer"), map[string]any{"type": "tiktoken"})
	check(t, d, strings.Replace(strings.Replace(ccrConfig, "sk-test-deepseek", "sk-test-new", 1), `          "deepseek"
        ]
      }
    }`, `          "deepseek"
        ]
      },
      "tokenizer": {
        "type": "tiktoken"
      }
    }`, 1))
	if got, _ := d.Get(ds("transformer")); !cmp.Equal(got, map[string]any{"use": []any{"deepseek"}}) {
		t.Errorf("Get(transformer) = %v", got)
	}
	del(t, d, ds("tokenizer"))
	del(t, d, ds("api_key"))
	del(t, d, ds("api_base_url"))
	if _, ok := d.Get(key{"Providers", targets.Select("name", "deepseek")}); !ok {
		t.Fatal("element holding the user's fields was removed")
	}
	// Deleting the user's last fields leaves just the name: the element goes,
	// the list stays.
	del(t, d, ds("models"))
	del(t, d, ds("transformer"))
	check(t, d, strings.Replace(ccrConfig, `[
    {
      "name": "deepseek",
      "api_base_url": "https://api.deepseek.com/chat/completions",
      "api_key": "sk-test-deepseek",
      "models": [
        "deepseek-chat",
        "deepseek-reasoner"
      ],
      "transformer": {
        "use": [
          "deepseek"
        ]
      }
    }
  ]`, "[]", 1))
}

func TestSelectorSet(t *testing.T) {
	sel := targets.Select("name", "relay")
	tests := []struct {
		name, in string
		key      key
		value    any
		want     string
		back     string // after Delete, if not in
	}{
		{"no array", "{\n  \"PORT\": 3456\n}\n", key{"Providers", sel, "api_key"}, "k",
			"{\n  \"PORT\": 3456,\n  \"Providers\": [\n    {\n      \"name\": \"relay\",\n      \"api_key\": \"k\"\n    }\n  ]\n}\n",
			"{\n  \"PORT\": 3456,\n  \"Providers\": []\n}\n"},
		{"new file", "", key{"Providers", sel, "api_key"}, "k",
			"{\n  \"Providers\": [\n    {\n      \"name\": \"relay\",\n      \"api_key\": \"k\"\n    }\n  ]\n}\n",
			"{\n  \"Providers\": []\n}\n"},
		{"empty array", "{\n  \"Providers\": [],\n  \"Router\": {}\n}\n", key{"Providers", sel, "api_key"}, "k",
			"{\n  \"Providers\": [\n    {\n      \"name\": \"relay\",\n      \"api_key\": \"k\"\n    }\n  ],\n  \"Router\": {}\n}\n", ""},
		{"empty array 4 spaces", "{\n    \"Providers\": []\n}", key{"Providers", sel, "api_key"}, "k",
			"{\n    \"Providers\": [\n        {\n            \"name\": \"relay\",\n            \"api_key\": \"k\"\n        }\n    ]\n}", ""},
		{"empty array tabs crlf", "{\r\n\t\"Providers\": [],\r\n\t\"PORT\": 1\r\n}\r\n", key{"Providers", sel, "api_key"}, "k",
			"{\r\n\t\"Providers\": [\r\n\t\t{\r\n\t\t\t\"name\": \"relay\",\r\n\t\t\t\"api_key\": \"k\"\r\n\t\t}\r\n\t],\r\n\t\"PORT\": 1\r\n}\r\n", ""},
		{"nested missing parents", "{\n  \"a\": 1\n}", key{"x", "y", sel, "k"}, 1,
			"{\n  \"a\": 1,\n  \"x\": {\n    \"y\": [\n      {\n        \"name\": \"relay\",\n        \"k\": 1\n      }\n    ]\n  }\n}",
			"{\n  \"a\": 1,\n  \"x\": {\n    \"y\": []\n  }\n}"},
		{"deep value", "{\n  \"Providers\": []\n}", key{"Providers", sel, "transformer", "use"}, []string{"Anthropic"},
			"{\n  \"Providers\": [\n    {\n      \"name\": \"relay\",\n      \"transformer\": {\n        \"use\": [\n          \"Anthropic\"\n        ]\n      }\n    }\n  ]\n}", ""},
		{"one line doc", `{"Providers": [{"name": "a"}]}`, key{"Providers", sel, "api_key"}, "k",
			`{"Providers": [{"name": "a"}, {"name": "relay", "api_key": "k"}]}`, ""},
		{"one line doc empty array", `{"PORT": 1, "Providers": []}`, key{"Providers", sel, "models"}, []string{"m"},
			`{"PORT": 1, "Providers": [{"name": "relay", "models": ["m"]}]}`, ""},
		{"one line compact", `{"Providers":[{"name":"a"}]}`, key{"Providers", sel, "api_key"}, "k",
			`{"Providers":[{"name":"a"},{"name":"relay","api_key":"k"}]}`, ""},
		{"one line array in lines", "{\n  \"Providers\": [{\"name\": \"a\"}],\n  \"x\": 1\n}", key{"Providers", sel, "api_key"}, "k",
			"{\n  \"Providers\": [{\"name\": \"a\"}, {\"name\": \"relay\", \"api_key\": \"k\"}],\n  \"x\": 1\n}", ""},
		{"one line elements on lines", "{\n  \"Providers\": [\n    {\"name\": \"a\", \"api_key\": \"x\"},\n    {\"name\": \"b\"}\n  ]\n}", key{"Providers", sel, "api_key"}, "k",
			"{\n  \"Providers\": [\n    {\"name\": \"a\", \"api_key\": \"x\"},\n    {\"name\": \"b\"},\n    {\"name\": \"relay\", \"api_key\": \"k\"}\n  ]\n}", ""},
		{"trailing comma and comments", "{\n  \"Providers\": [\n    // mine\n    {\n      \"name\": \"a\",\n    }, // a\n    // more later\n  ],\n}",
			key{"Providers", sel, "api_key"}, "k",
			"{\n  \"Providers\": [\n    // mine\n    {\n      \"name\": \"a\",\n    }, // a\n    // more later\n    {\n      \"name\": \"relay\",\n      \"api_key\": \"k\"\n    },\n  ],\n}", ""},
		{"elements of other kinds skipped", "{\n  \"L\": [\n    \"relay\",\n    {\"name\": 1},\n    {\"id\": \"relay\"}\n  ]\n}", key{"L", sel, "k"}, true,
			"{\n  \"L\": [\n    \"relay\",\n    {\"name\": 1},\n    {\"id\": \"relay\"},\n    {\"name\": \"relay\", \"k\": true}\n  ]\n}", ""},
		{"after a string element", "{\n  \"L\": [\n    \"a\"\n  ]\n}", key{"L", sel, "k"}, 1,
			"{\n  \"L\": [\n    \"a\",\n    {\n      \"name\": \"relay\",\n      \"k\": 1\n    }\n  ]\n}", ""},
		{"quoted selector value", "{\n  \"L\": []\n}", key{"L", targets.Select("name", `a.b]c "q"`), "k"}, 1,
			"{\n  \"L\": [\n    {\n      \"name\": \"a.b]c \\\"q\\\"\",\n      \"k\": 1\n    }\n  ]\n}", ""},
		{"existing element first match", "{\n  \"L\": [\n    {\"name\": \"relay\", \"k\": 1},\n    {\"name\": \"relay\", \"k\": 2}\n  ]\n}", key{"L", sel, "k"}, 3,
			"{\n  \"L\": [\n    {\"name\": \"relay\", \"k\": 3},\n    {\"name\": \"relay\", \"k\": 2}\n  ]\n}", "-"},
		{"escaped field", "{\n  \"L\": [\n    {\"n\\u0061me\": \"rel\\u0061y\", \"k\": 1}\n  ]\n}", key{"L", sel, "k"}, 2,
			"{\n  \"L\": [\n    {\"n\\u0061me\": \"rel\\u0061y\", \"k\": 2}\n  ]\n}", "-"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := parse(t, tc.in)
			set(t, d, tc.key, tc.value)
			check(t, d, tc.want)
			set(t, d, tc.key, tc.value)
			check(t, d, tc.want)
			if got, ok := d.Get(tc.key); !ok || !cmp.Equal(got, mustNormalize(t, tc.value)) {
				t.Errorf("Get = %v, %v", got, ok)
			}
			if tc.back == "-" {
				return
			}
			want := tc.back
			if want == "" {
				want = tc.in
			}
			del(t, d, tc.key)
			check(t, d, want)
			del(t, d, tc.key)
			check(t, d, want)
		})
	}
}

// mustNormalize returns v as Get would read it back.
func mustNormalize(t *testing.T, v any) any {
	t.Helper()
	_, raw, err := normalize(v)
	if err != nil {
		t.Fatal(err)
	}
	x, err := decode(raw)
	if err != nil {
		t.Fatal(err)
	}
	return x
}

func TestSelectorDelete(t *testing.T) {
	sel := targets.Select("name", "relay")
	const two = "{\n  \"L\": [\n    {\n      \"name\": \"a\"\n    },\n    {\n      \"name\": \"relay\",\n      \"k\": 1\n    }\n  ]\n}\n"
	tests := []struct {
		name, in string
		key      key
		want     string
	}{
		{"last element", two, key{"L", sel, "k"}, "{\n  \"L\": [\n    {\n      \"name\": \"a\"\n    }\n  ]\n}\n"},
		{"first element", "{\n  \"L\": [\n    {\n      \"name\": \"relay\",\n      \"k\": 1\n    },\n    {\n      \"name\": \"a\"\n    }\n  ]\n}\n",
			key{"L", sel, "k"}, "{\n  \"L\": [\n    {\n      \"name\": \"a\"\n    }\n  ]\n}\n"},
		{"whole element", two, key{"L", sel}, "{\n  \"L\": [\n    {\n      \"name\": \"a\"\n    }\n  ]\n}\n"},
		{"only element leaves empty array", "{\n  \"L\": [\n    {\n      \"name\": \"relay\",\n      \"k\": 1\n    }\n  ],\n  \"x\": 1\n}",
			key{"L", sel, "k"}, "{\n  \"L\": [],\n  \"x\": 1\n}"},
		{"other fields keep element", "{\"L\": [{\"name\": \"relay\", \"k\": 1, \"mine\": 2}]}", key{"L", sel, "k"},
			"{\"L\": [{\"name\": \"relay\", \"mine\": 2}]}"},
		{"comment keeps element", "{\n  \"L\": [\n    {\n      // my relay\n      \"name\": \"relay\",\n      \"k\": 1\n    }\n  ]\n}",
			key{"L", sel, "k"}, "{\n  \"L\": [\n    {\n      // my relay\n      \"name\": \"relay\"\n    }\n  ]\n}"},
		{"one line", `{"L": [{"name": "a"}, {"name": "relay", "k": 1}, {"name": "b"}]}`, key{"L", sel, "k"},
			`{"L": [{"name": "a"}, {"name": "b"}]}`},
		{"one line trailing comma", `{"L": [{"name": "relay", "k": 1},]}`, key{"L", sel, "k"}, `{"L": []}`},
		{"emptied parent object in element", "{\"L\": [{\"name\": \"relay\", \"t\": {\"use\": [1]}}]}", key{"L", sel, "t", "use"}, "{\"L\": []}"},
		{"selected field itself", "{\"L\": [{\"name\": \"a\"}, {\"name\": \"relay\"}]}", key{"L", sel, "name"}, "{\"L\": [{\"name\": \"a\"}]}"},
		{"duplicates all go", "{\"L\": [{\"name\": \"relay\", \"k\": 1}, {\"name\": \"a\"}, {\"name\": \"relay\", \"k\": 2, \"m\": 3}]}", key{"L", sel, "k"},
			"{\"L\": [{\"name\": \"a\"}, {\"name\": \"relay\", \"m\": 3}]}"},
		{"absent element", two, key{"L", targets.Select("name", "b"), "k"}, two},
		{"absent field", two, key{"L", sel, "nope"}, two},
		{"not an array", "{\"L\": {\"name\": \"relay\"}}", key{"L", sel, "name"}, "{\"L\": {\"name\": \"relay\"}}"},
		{"selector on object member", two, key{sel}, two},
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

func TestSelectorGet(t *testing.T) {
	d := parse(t, "{\"L\": [1, \"relay\", {\"name\": 2}, {\"name\": \"relay\", \"k\": 1}, {\"name\": \"relay\", \"k\": 2}], \"O\": {\"name\": \"relay\"}}")
	for k, want := range map[string]any{
		`L[name=relay].k`: 1.0,
		`L[name=relay]`:   map[string]any{"name": "relay", "k": 1.0},
		`L[name=a].k`:     nil,
		`L[id=relay].k`:   nil,
		`O[name=relay]`:   nil,
		`L[#hub:relay].k`: nil,
		`L.name`:          nil,
		`[name=relay]`:    nil,
	} {
		kk, err := targets.ParseKey(k)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := d.Get(kk)
		if want == nil && ok || want != nil && !cmp.Equal(got, want) {
			t.Errorf("Get(%s) = %v, %v; want %v", k, got, ok, want)
		}
	}
}

func TestSelectorErrors(t *testing.T) {
	sel := targets.Select("name", "relay")
	tests := []struct {
		in    string
		key   key
		value any
		want  string
	}{
		{`{"Providers": {"relay": {}}}`, key{"Providers", sel, "api_key"}, "k", `set Providers[name=relay].api_key: Providers is an object, not an array`},
		{`{"Providers": "x"}`, key{"Providers", sel, "api_key"}, "k", `set Providers[name=relay].api_key: Providers is a string, not an array`},
		{`{}`, key{sel, "api_key"}, "k", `set [name=relay].api_key: the top level is an object, not an array`},
		{`{"L": [{"name": "relay", "x": 1}]}`, key{"L", sel, "x", "y"}, 1, `set L[name=relay].x.y: L[name=relay].x is a number, not an object`},
		{`{"L": []}`, key{"L", sel}, map[string]any{"name": "relay"}, `set L[name=relay]: a key cannot end with a selector; set the fields of the element instead`},
		{`{"L": []}`, key{"L", sel, "name"}, "other", `set L[name=relay].name: name is the field the selector matches; it is set with the element`},
		{`{"L": []}`, key{"L", targets.Marked("relay"), "k"}, 1, `set L[#hub:relay].k: [#hub:relay] selects a list entry by a "# hub:relay" comment, which only YAML files can hold; JSON keys select elements by a field, such as [name=relay]`},
	}
	for _, tc := range tests {
		d := parse(t, tc.in)
		err := d.Set(tc.key, tc.value)
		if err == nil || err.Error() != tc.want {
			t.Errorf("Set(%s) on %s: error %v, want %q", tc.key, tc.in, err, tc.want)
		}
		check(t, d, tc.in)
	}
	d := parse(t, `{"L": []}`)
	if err := d.Delete(key{"L", targets.Marked("relay"), "k"}); err == nil || !strings.Contains(err.Error(), "only YAML files") {
		t.Errorf("Delete(marked) error %v", err)
	}
}
