package jsonedit

import (
	"math"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hubctl/hub/targets"
)

type key = targets.Key

// claudeSettings is a ~/.claude/settings.json as users write it.
const claudeSettings = `{
  "$schema": "https://json.schemastore.org/claude-code-settings.json",
  "model": "opus",
  "permissions": {
    "allow": [
      "Bash(npm run lint)",
      "Bash(npm run test:*)",
      "Read(~/.zshrc)"
    ],
    "deny": [
      "Bash(curl:*)",
      "Read(./.env)",
      "Read(./secrets/**)"
    ],
    "defaultMode": "acceptEdits"
  },
  "env": {
    "DISABLE_TELEMETRY": "1",
    "BASH_DEFAULT_TIMEOUT_MS": "60000"
  },
  "hooks": {
    "PreToolUse": [
      {
        "matcher": "Bash",
        "hooks": [
          {
            "type": "command",
            "command": "jq -r '.tool_input.command' >> ~/.claude/bash-log.txt && echo \"logged\""
          }
        ]
      }
    ]
  },
  "statusLine": {
    "type": "command",
    "command": "~/.claude/statusline.sh",
    "padding": 0
  },
  "enabledPlugins": {
    "formatter@anthropic-tools": true,
    "security-guidance@claude-code-plugins": false
  },
  "includeCoAuthoredBy": false
}
`

// claudeSettingsWithHub is claudeSettings after hub set its two variables.
const claudeSettingsWithHub = `{
  "$schema": "https://json.schemastore.org/claude-code-settings.json",
  "model": "opus",
  "permissions": {
    "allow": [
      "Bash(npm run lint)",
      "Bash(npm run test:*)",
      "Read(~/.zshrc)"
    ],
    "deny": [
      "Bash(curl:*)",
      "Read(./.env)",
      "Read(./secrets/**)"
    ],
    "defaultMode": "acceptEdits"
  },
  "env": {
    "DISABLE_TELEMETRY": "1",
    "BASH_DEFAULT_TIMEOUT_MS": "60000",
    "ANTHROPIC_BASE_URL": "https://llm.example.com/anthropic?team=ai&region=eu",
    "ANTHROPIC_AUTH_TOKEN": "sk-hub-0123456789"
  },
  "hooks": {
    "PreToolUse": [
      {
        "matcher": "Bash",
        "hooks": [
          {
            "type": "command",
            "command": "jq -r '.tool_input.command' >> ~/.claude/bash-log.txt && echo \"logged\""
          }
        ]
      }
    ]
  },
  "statusLine": {
    "type": "command",
    "command": "~/.claude/statusline.sh",
    "padding": 0
  },
  "enabledPlugins": {
    "formatter@anthropic-tools": true,
    "security-guidance@claude-code-plugins": false
  },
  "includeCoAuthoredBy": false
}
`

// claudeNoEnv is a settings file without an env object.
const claudeNoEnv = `{
  "$schema": "https://json.schemastore.org/claude-code-settings.json",
  "permissions": {
    "allow": [
      "Bash(git diff:*)"
    ]
  },
  "includeCoAuthoredBy": false
}
`

const claudeNoEnvWithHub = `{
  "$schema": "https://json.schemastore.org/claude-code-settings.json",
  "permissions": {
    "allow": [
      "Bash(git diff:*)"
    ]
  },
  "includeCoAuthoredBy": false,
  "env": {
    "ANTHROPIC_BASE_URL": "https://llm.example.com/anthropic?team=ai&region=eu",
    "ANTHROPIC_AUTH_TOKEN": "sk-hub-0123456789"
  }
}
`

// openCode is an opencode.jsonc with comments and trailing commas.
const openCode = `// opencode configuration, see https://opencode.ai/docs/config
{
  "$schema": "https://opencode.ai/config.json",
  /* Theme and model */
  "theme": "tokyonight",
  "model": "anthropic/claude-sonnet-4-5", // default model
  "provider": {
    "anthropic": {
      "options": {
        "timeout": 600000, // ms
      },
    },
  },
  "mcp": {
    // local servers
    "fs": {
      "type": "local",
      "command": ["npx", "-y", "@modelcontextprotocol/server-filesystem"],
      "enabled": true,
    },
  },
}
`

const (
	baseURL = "https://llm.example.com/anthropic?team=ai&region=eu"
	token   = "sk-hub-0123456789"
)

// reindent replaces each two leading spaces of every line with unit.
func reindent(s, unit string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		t := strings.TrimLeft(l, " ")
		lines[i] = strings.Repeat(unit, (len(l)-len(t))/2) + t
	}
	return strings.Join(lines, "\n")
}

func crlf(s string) string { return strings.ReplaceAll(s, "\n", "\r\n") }

// variants returns s as users might have written it.
func variants(s string) map[string]string {
	return map[string]string{
		"2 spaces":            s,
		"4 spaces":            reindent(s, "    "),
		"tabs":                reindent(s, "\t"),
		"crlf":                crlf(s),
		"tabs crlf":           crlf(reindent(s, "\t")),
		"no final newline":    strings.TrimSuffix(s, "\n"),
		"4 spaces no newline": strings.TrimSuffix(reindent(s, "    "), "\n"),
	}
}

func parse(t *testing.T, s string) *Doc {
	t.Helper()
	d, err := Parse([]byte(s))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return d
}

func set(t *testing.T, d *Doc, k key, v any) {
	t.Helper()
	if err := d.Set(k, v); err != nil {
		t.Fatalf("Set(%s): %v", k, err)
	}
}

func del(t *testing.T, d *Doc, k key) {
	t.Helper()
	if err := d.Delete(k); err != nil {
		t.Fatalf("Delete(%s): %v", k, err)
	}
}

func check(t *testing.T, d *Doc, want string) {
	t.Helper()
	if diff := cmp.Diff(want, string(d.Bytes())); diff != "" {
		t.Errorf("bytes mismatch (-want +got):\n%s", diff)
	}
}

// TestClaudeSettings sets and removes hub's variables in settings files
// written with various indentation and line breaks: only the new lines may
// change, and deleting them must give back the original bytes.
func TestClaudeSettings(t *testing.T) {
	for _, c := range []struct{ name, orig, want string }{
		{"env exists", claudeSettings, claudeSettingsWithHub},
		{"env created", claudeNoEnv, claudeNoEnvWithHub},
	} {
		origs, wants := variants(c.orig), variants(c.want)
		for v := range origs {
			t.Run(c.name+"/"+v, func(t *testing.T) {
				d := parse(t, origs[v])
				set(t, d, key{"env", "ANTHROPIC_BASE_URL"}, baseURL)
				set(t, d, key{"env", "ANTHROPIC_AUTH_TOKEN"}, token)
				check(t, d, wants[v])

				// Idempotent, also across a new Parse.
				set(t, d, key{"env", "ANTHROPIC_BASE_URL"}, baseURL)
				set(t, d, key{"env", "ANTHROPIC_AUTH_TOKEN"}, token)
				check(t, d, wants[v])
				d = parse(t, string(d.Bytes()))
				set(t, d, key{"env", "ANTHROPIC_AUTH_TOKEN"}, token)
				check(t, d, wants[v])
				if got, ok := d.Get(key{"env", "ANTHROPIC_BASE_URL"}); !ok || got != baseURL {
					t.Errorf("Get = %v, %v", got, ok)
				}

				del(t, d, key{"env", "ANTHROPIC_BASE_URL"})
				del(t, d, key{"env", "ANTHROPIC_AUTH_TOKEN"})
				check(t, d, origs[v])
			})
		}
	}
}

func TestClaudeSettingsReplaceToken(t *testing.T) {
	d := parse(t, claudeSettingsWithHub)
	set(t, d, key{"env", "ANTHROPIC_AUTH_TOKEN"}, "sk-hub-new")
	check(t, d, strings.Replace(claudeSettingsWithHub, token, "sk-hub-new", 1))
}

func TestOpenCodeJSONC(t *testing.T) {
	hub := map[string]any{
		"npm":  "@ai-sdk/openai-compatible",
		"name": "Hub",
		"options": map[string]any{
			"baseURL": "https://llm.example.com/v1",
			"apiKey":  "{env:HUB_API_KEY}",
		},
		"models": map[string]any{"gpt-x": map[string]any{}},
	}
	tests := []struct {
		name string
		edit func(t *testing.T, d *Doc)
		want string
		undo func(t *testing.T, d *Doc) // gives back openCode
	}{{
		name: "add provider",
		edit: func(t *testing.T, d *Doc) { set(t, d, key{"provider", "hub"}, hub) },
		want: strings.Replace(openCode, `
      },
    },
  },
`, `
      },
    },
    "hub": {
      "models": {
        "gpt-x": {}
      },
      "name": "Hub",
      "npm": "@ai-sdk/openai-compatible",
      "options": {
        "apiKey": "{env:HUB_API_KEY}",
        "baseURL": "https://llm.example.com/v1"
      }
    },
  },
`, 1),
		undo: func(t *testing.T, d *Doc) { del(t, d, key{"provider", "hub"}) },
	}, {
		name: "add after trailing comment",
		edit: func(t *testing.T, d *Doc) {
			set(t, d, key{"provider", "anthropic", "options", "baseURL"}, "https://x.example")
		},
		want: strings.Replace(openCode, `        "timeout": 600000, // ms
`, `        "timeout": 600000, // ms
        "baseURL": "https://x.example",
`, 1),
		undo: func(t *testing.T, d *Doc) { del(t, d, key{"provider", "anthropic", "options", "baseURL"}) },
	}, {
		name: "replace value before comment",
		edit: func(t *testing.T, d *Doc) { set(t, d, key{"model"}, "hub/gpt-x") },
		want: strings.Replace(openCode, `"anthropic/claude-sonnet-4-5", //`, `"hub/gpt-x", //`, 1),
		undo: func(t *testing.T, d *Doc) { set(t, d, key{"model"}, "anthropic/claude-sonnet-4-5") },
	}, {
		name: "replace in trailing comma object",
		edit: func(t *testing.T, d *Doc) { set(t, d, key{"mcp", "fs", "enabled"}, false) },
		want: strings.Replace(openCode, `"enabled": true,`, `"enabled": false,`, 1),
		undo: func(t *testing.T, d *Doc) { set(t, d, key{"mcp", "fs", "enabled"}, true) },
	}, {
		name: "delete keeps comment above",
		edit: func(t *testing.T, d *Doc) { del(t, d, key{"theme"}) },
		want: strings.Replace(openCode, `  "theme": "tokyonight",
`, "", 1),
	}, {
		name: "delete removes comment on its line",
		edit: func(t *testing.T, d *Doc) { del(t, d, key{"model"}) },
		want: strings.Replace(openCode, `  "model": "anthropic/claude-sonnet-4-5", // default model
`, "", 1),
	}, {
		name: "delete keeps parent holding a comment",
		edit: func(t *testing.T, d *Doc) { del(t, d, key{"mcp", "fs"}) },
		want: strings.Replace(openCode, `    "fs": {
      "type": "local",
      "command": ["npx", "-y", "@modelcontextprotocol/server-filesystem"],
      "enabled": true,
    },
`, "", 1),
	}, {
		name: "delete removes emptied parents",
		edit: func(t *testing.T, d *Doc) { del(t, d, key{"provider", "anthropic", "options", "timeout"}) },
		want: strings.Replace(openCode, `  "provider": {
    "anthropic": {
      "options": {
        "timeout": 600000, // ms
      },
    },
  },
`, "", 1),
	}}
	for _, tc := range tests {
		for v, orig := range map[string]string{"lf": openCode, "crlf": crlf(openCode)} {
			t.Run(tc.name+"/"+v, func(t *testing.T) {
				want := tc.want
				if v == "crlf" {
					want = crlf(want)
				}
				d := parse(t, orig)
				tc.edit(t, d)
				check(t, d, want)
				tc.edit(t, d)
				check(t, d, want)
				if tc.undo != nil {
					tc.undo(t, d)
					check(t, d, orig)
				}
			})
		}
	}
}

func TestGetJSONC(t *testing.T) {
	d := parse(t, openCode)
	got, ok := d.Get(key{"mcp"})
	want := map[string]any{"fs": map[string]any{
		"type":    "local",
		"command": []any{"npx", "-y", "@modelcontextprotocol/server-filesystem"},
		"enabled": true,
	}}
	if !ok {
		t.Fatal("Get(mcp) not found")
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Get(mcp) (-want +got):\n%s", diff)
	}
	if got, _ := d.Get(key{"provider", "anthropic", "options", "timeout"}); got != 600000.0 {
		t.Errorf("Get(timeout) = %#v", got)
	}
	for _, k := range []key{{"nope"}, {"theme", "x"}, {"mcp", "fs", "nope"}, {"provider", "nope", "x"}} {
		if got, ok := d.Get(k); ok {
			t.Errorf("Get(%s) = %v, want absent", k, got)
		}
	}
	if root, ok := d.Get(nil); !ok || len(root.(map[string]any)) != 5 {
		t.Errorf("Get(root) = %v, %v", root, ok)
	}
}

func TestNewDocument(t *testing.T) {
	for _, in := range []string{"", " \n\t\n"} {
		d := parse(t, in)
		check(t, d, in)
		if _, ok := d.Get(key{"env"}); ok {
			t.Error("empty document has env")
		}
		del(t, d, key{"env", "A"})
		check(t, d, in)
		set(t, d, key{"env", "A"}, "x")
		check(t, d, "{\n  \"env\": {\n    \"A\": \"x\"\n  }\n}\n")
		set(t, d, key{"env", "A"}, "x")
		check(t, d, "{\n  \"env\": {\n    \"A\": \"x\"\n  }\n}\n")
		// Removing everything gives back the file as it was.
		del(t, d, key{"env", "A"})
		check(t, d, in)
		if _, ok := d.Get(nil); ok {
			t.Error("emptied document has a root")
		}
	}
	d := parse(t, "\r\n")
	set(t, d, key{"a"}, 1)
	check(t, d, "{\r\n  \"a\": 1\r\n}\r\n")
}

func TestTrailingNewlineKept(t *testing.T) {
	for in, want := range map[string]string{
		`{"a": 1}`:                  `{"a": 1, "b": 2}`,
		"{\"a\": 1}\n":              "{\"a\": 1, \"b\": 2}\n",
		"{\n  \"a\": 1\n}":          "{\n  \"a\": 1,\n  \"b\": 2\n}",
		"{\n  \"a\": 1\n}\n\n":      "{\n  \"a\": 1,\n  \"b\": 2\n}\n\n",
		"{\n  \"a\": 1\n} // end\n": "{\n  \"a\": 1,\n  \"b\": 2\n} // end\n",
	} {
		d := parse(t, in)
		set(t, d, key{"b"}, 2)
		check(t, d, want)
		del(t, d, key{"b"})
		check(t, d, in)
	}
}

// TestInsert sets new keys in empty objects, objects written on one line and
// other layouts, then deletes them again; back is what that gives if it is
// not the input, or "-" to skip.
func TestInsert(t *testing.T) {
	tests := []struct {
		name, in string
		key      key
		value    any
		want     string
	}{
		{"empty", `{}`, key{"a"}, 1, "{\n  \"a\": 1\n}"},
		{"empty newline", "{}\n", key{"a"}, 1, "{\n  \"a\": 1\n}\n"},
		{"empty spaces", `{ }`, key{"a"}, 1, "{\n  \"a\": 1\n}"},
		{"empty lines", "{\n}", key{"a"}, 1, "{\n  \"a\": 1\n}"},
		{"empty comment", `{ /* none */ }`, key{"a"}, 1, "{ /* none */\n  \"a\": 1\n}"},
		{"empty line comment", "{ // none\n}", key{"a"}, 1, "{ // none\n  \"a\": 1\n}"},
		{"empty nested", "{\n  \"env\": {}\n}\n", key{"env", "A"}, "x",
			"{\n  \"env\": {\n    \"A\": \"x\"\n  }\n}\n"},
		{"empty nested 4 spaces", "{\n    \"env\": {},\n    \"x\": 1\n}", key{"env", "A"}, "x",
			"{\n    \"env\": {\n        \"A\": \"x\"\n    },\n    \"x\": 1\n}"},
		{"empty nested tabs", "{\n\t\"env\": {}\n}", key{"env", "A"}, "x",
			"{\n\t\"env\": {\n\t\t\"A\": \"x\"\n\t}\n}"},
		{"empty nested deeper unit from root", "{\n    \"a\": {\"b\": {}}, \"c\": 1\n}", key{"a", "b", "c"}, map[string]any{"d": 1},
			"{\n    \"a\": {\"b\": {\"c\": {\"d\": 1}}}, \"c\": 1\n}"},
		{"empty nested unit from root", "{\n    \"a\": {\n        \"b\": {}\n    }\n}", key{"a", "b", "c"}, map[string]any{"d": 1},
			"{\n    \"a\": {\n        \"b\": {\n            \"c\": {\n                \"d\": 1\n            }\n        }\n    }\n}"},
		{"one line", `{"a": 1}`, key{"b"}, 2, `{"a": 1, "b": 2}`},
		{"one line padded", `{ "a": 1 }`, key{"b"}, 2, `{ "a": 1, "b": 2 }`},
		{"one line compact", `{"a":1,"b":2}`, key{"c"}, []any{1, 2}, `{"a":1,"b":2,"c":[1,2]}`},
		{"one line trailing comma", `{"a": 1,}`, key{"b"}, 2, `{"a": 1, "b": 2,}`},
		{"one line nested", `{"a": 1}`, key{"env", "A"}, "x", `{"a": 1, "env": {"A": "x"}}`},
		{"one line inside lines", "{\n  \"env\": {\"A\": \"1\"}\n}\n", key{"env", "B"}, map[string]any{"x": []string{"y"}},
			"{\n  \"env\": {\"A\": \"1\", \"B\": {\"x\": [\"y\"]}}\n}\n"},
		{"one line replace", `{"a": 1, "b": 2}`, key{"a"}, map[string]any{"x": 1, "y": true}, `{"a": {"x": 1, "y": true}, "b": 2}`},
		{"closing brace on last line", "{\n  \"a\": 1}", key{"b"}, 2, "{\n  \"a\": 1,\n  \"b\": 2}"},
		{"first member on brace line", "{ \"a\": 1,\n  \"b\": 2\n}", key{"c"}, 3, "{ \"a\": 1,\n  \"b\": 2,\n  \"c\": 3\n}"},
		{"colon spacing", "{\n  \"a\" : 1\n}", key{"b"}, map[string]any{"c": 1}, "{\n  \"a\" : 1,\n  \"b\" : {\n    \"c\" : 1\n  }\n}"},
		{"comment lines before brace", "{\n  \"a\": 1\n  // \"b\": 2\n}", key{"c"}, 3, "{\n  \"a\": 1,\n  // \"b\": 2\n  \"c\": 3\n}"},
		{"blank line before brace", "{\n  \"a\": 1\n\n}", key{"b"}, 2, "{\n  \"a\": 1,\n\n  \"b\": 2\n}"},
		{"blanks before brace", "{\n  \"a\": 1 }", key{"b"}, 2, "{\n  \"a\": 1,\n  \"b\": 2 }"},
		{"comment before brace", "{\n  \"a\": 1 /* c */ }", key{"b"}, 2, "{\n  \"a\": 1, /* c */\n  \"b\": 2 }"},
		{"block comment before brace", "{\n  \"a\": 1 /* one\n  two */\n}", key{"c"}, 3, "{\n  \"a\": 1, /* one\n  two */\n  \"c\": 3\n}"},
	}
	// What deleting the key gives where it is not the input; "-" to skip.
	back := map[string]string{
		"empty spaces":                       `{}`,
		"empty lines":                        `{}`,
		"empty comment":                      "{ /* none */\n}",
		"empty nested":                       "{}\n",
		"empty nested 4 spaces":              "{\n    \"x\": 1\n}",
		"empty nested tabs":                  "{}",
		"empty nested deeper unit from root": "{\n    \"c\": 1\n}",
		"empty nested unit from root":        "{}",
		"one line replace":                   "-",
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := parse(t, tc.in)
			set(t, d, tc.key, tc.value)
			check(t, d, tc.want)
			set(t, d, tc.key, tc.value)
			check(t, d, tc.want)
			want, ok := back[tc.name]
			if want == "-" {
				return
			}
			if !ok {
				want = tc.in
			}
			del(t, d, tc.key)
			check(t, d, want)
		})
	}
}

func TestSetValues(t *testing.T) {
	tests := []struct {
		name  string
		value any
		want  string // the value as written at depth one of a 2-space file
	}{
		{"string", "plain", `"plain"`},
		{"html", "<a> & <b>", `"<a> & <b>"`},
		{"escapes", "a\"b\\c\nd\te\x01", `"a\"b\\c\nd\te\u0001"`},
		{"unicode", "héllo, 世界 🙂", `"héllo, 世界 🙂"`},
		{"true", true, `true`},
		{"false", false, `false`},
		{"int", 42, `42`},
		{"int64", int64(-9007199254740993), `-9007199254740993`},
		{"float", 1.5, `1.5`},
		{"big float", 1e21, `1e+21`},
		{"nil", nil, `null`},
		{"empty map", map[string]any{}, `{}`},
		{"empty slice", []any{}, `[]`},
		{"empty strings", []string{}, `[]`},
		{"strings", []string{"a", "b"}, "[\n    \"a\",\n    \"b\"\n  ]"},
		{"map sorted", map[string]any{"b": 1, "a": "x", "c": nil}, "{\n    \"a\": \"x\",\n    \"b\": 1,\n    \"c\": null\n  }"},
		{"nested", []any{map[string]any{"k": []any{1, []string{}}}, "s"},
			"[\n    {\n      \"k\": [\n        1,\n        []\n      ]\n    },\n    \"s\"\n  ]"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// Replaced in place, and inserted.
			for orig, want := range map[string]string{
				"{\n  \"x\": 0,\n  \"k\": null // note\n}\n": "{\n  \"x\": 0,\n  \"k\": " + tc.want + " // note\n}\n",
				"{\n  \"x\": 0\n}\n":                         "{\n  \"x\": 0,\n  \"k\": " + tc.want + "\n}\n",
			} {
				d := parse(t, orig)
				set(t, d, key{"k"}, tc.value)
				check(t, d, want)
			}
		})
	}
}

func TestSetReplace(t *testing.T) {
	tests := []struct {
		name, in string
		key      key
		value    any
		want     string
	}{
		{"keeps comments around", "{\n  \"env\": {\n    \"A\": /* old */ \"1\" // keep\n  }\n}", key{"env", "A"}, "2",
			"{\n  \"env\": {\n    \"A\": /* old */ \"2\" // keep\n  }\n}"},
		{"scalar to composite", "{\n  \"a\": 1,\n  \"b\": 2\n}", key{"a"}, []any{1, "x"},
			"{\n  \"a\": [\n    1,\n    \"x\"\n  ],\n  \"b\": 2\n}"},
		{"composite to scalar", "{\n  \"a\": [\n    1\n  ],\n  \"b\": 2\n}", key{"a"}, "s",
			"{\n  \"a\": \"s\",\n  \"b\": 2\n}"},
		{"object replaced whole", "{\n  \"a\": {\n    \"b\": 1 // c\n  }\n}", key{"a"}, map[string]any{"c": 2},
			"{\n  \"a\": {\n    \"c\": 2\n  }\n}"},
		{"equal value kept as written", "{\"a\": \"\\u0078\", \"b\": [1,2.0]}", key{"a"}, "x",
			"{\"a\": \"\\u0078\", \"b\": [1,2.0]}"},
		{"equal composite kept as written", "{\"a\": \"x\", \"b\": [1,2.0, /* c */]}", key{"b"}, []int{1, 2},
			"{\"a\": \"x\", \"b\": [1,2.0, /* c */]}"},
		{"escaped name", "{\"\\u0041\": 1}", key{"A"}, 2, "{\"\\u0041\": 2}"},
		{"duplicate names set the last", "{\"a\": 1, \"a\": 2}", key{"a"}, 3, "{\"a\": 1, \"a\": 3}"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := parse(t, tc.in)
			set(t, d, tc.key, tc.value)
			check(t, d, tc.want)
		})
	}
}

func TestKeys(t *testing.T) {
	const in = "{\n  \"héllo\": {\n    \"日本\": 1\n  },\n  \"a\": {\n    \"b\": 2\n  }\n}\n"
	d := parse(t, in)
	if got, ok := d.Get(key{"héllo", "日本"}); !ok || got != 1.0 {
		t.Errorf("Get(unicode) = %v, %v", got, ok)
	}
	set(t, d, key{"héllo", "🙂"}, "ok")
	set(t, d, key{"a.b"}, 3)
	set(t, d, key{"q\"uote"}, true)
	check(t, d, "{\n  \"héllo\": {\n    \"日本\": 1,\n    \"🙂\": \"ok\"\n  },\n  \"a\": {\n    \"b\": 2\n  },\n  \"a.b\": 3,\n  \"q\\\"uote\": true\n}\n")
	if got, _ := d.Get(key{"a.b"}); got != 3.0 {
		t.Errorf("Get(a.b) = %v", got)
	}
	if got, _ := d.Get(key{"a", "b"}); got != 2.0 {
		t.Errorf("Get(a, b) = %v", got)
	}
	del(t, d, key{"a.b"})
	del(t, d, key{"q\"uote"})
	del(t, d, key{"héllo", "🙂"})
	check(t, d, in)
}

func TestSetErrors(t *testing.T) {
	tests := []struct {
		in    string
		key   key
		value any
		want  string
	}{
		{`{"env": "x"}`, key{"env", "A"}, "y", `set env.A: env is a string, not an object`},
		{`{"a": {"b": [1]}}`, key{"a", "b", "c"}, 1, `set a.b.c: a.b is an array, not an object`},
		{`{"a.b": 1}`, key{"a.b", "c"}, 1, `set "a.b".c: "a.b" is a number, not an object`},
		{`{"a": null}`, key{"a", "c"}, 1, `set a.c: a is null, not an object`},
		{`{}`, key{}, 1, `set: empty key`},
		{`{}`, key{"a"}, make(chan int), `set a: json: unsupported type: chan int`},
		{`{}`, key{"a"}, math.NaN(), `set a: json: unsupported value: NaN`},
		{`{}`, key{"env", "a\xff"}, 1, `set: key name "a\xff" is not valid UTF-8`},
	}
	for _, tc := range tests {
		d := parse(t, tc.in)
		err := d.Set(tc.key, tc.value)
		if err == nil || err.Error() != tc.want {
			t.Errorf("Set(%s) on %s: error %v, want %q", tc.key, tc.in, err, tc.want)
		}
		check(t, d, tc.in)
	}
}

func TestDelete(t *testing.T) {
	const commented = `{
  "a": 1,
  // about b
  "b": 2, // trailing b
  "c": 3
}
`
	tests := []struct {
		name, in string
		key      key
		want     string
	}{
		{"middle keeps comment above", commented, key{"b"}, "{\n  \"a\": 1,\n  // about b\n  \"c\": 3\n}\n"},
		{"last takes previous comma", commented, key{"c"}, "{\n  \"a\": 1,\n  // about b\n  \"b\": 2 // trailing b\n}\n"},
		{"first", commented, key{"a"}, "{\n  // about b\n  \"b\": 2, // trailing b\n  \"c\": 3\n}\n"},
		{"multi-line value", "{\n  \"a\": [\n    1\n  ],\n  \"b\": {\n    \"c\": 1\n  }\n}", key{"b"}, "{\n  \"a\": [\n    1\n  ]\n}"},
		{"emptied parents removed", "{\n  \"x\": 1,\n  \"a\": {\n    \"b\": {\n      \"c\": 1\n    }\n  }\n}\n", key{"a", "b", "c"}, "{\n  \"x\": 1\n}\n"},
		{"root kept", "{\n  \"a\": {\n    \"b\": 1\n  }\n}\n", key{"a", "b"}, "{}\n"},
		{"parent with members kept", "{\n  \"a\": {\n    \"b\": 1,\n    \"c\": 2\n  }\n}", key{"a", "b"}, "{\n  \"a\": {\n    \"c\": 2\n  }\n}"},
		{"parent with comment kept", "{\n  \"a\": {\n    // mine\n    \"b\": 1\n  }\n}", key{"a", "b"}, "{\n  \"a\": {\n    // mine\n  }\n}"},
		{"trailing comma kept", "{\n  \"a\": 1,\n  \"b\": 2,\n}", key{"b"}, "{\n  \"a\": 1,\n}"},
		{"crlf", "{\r\n  \"a\": 1,\r\n  \"b\": 2\r\n}\r\n", key{"b"}, "{\r\n  \"a\": 1\r\n}\r\n"},
		{"brace on same line", "{\n  \"a\": 1,\n  \"b\": 2}", key{"b"}, "{\n  \"a\": 1}"},
		{"first on brace line", "{\"a\": 1,\n  \"b\": 2\n}", key{"a"}, "{\n  \"b\": 2\n}"},
		{"one line first", `{"a": 1, "b": 2, "c": 3}`, key{"a"}, `{"b": 2, "c": 3}`},
		{"one line middle", `{"a": 1, "b": 2, "c": 3}`, key{"b"}, `{"a": 1, "c": 3}`},
		{"one line last", `{"a": 1, "b": 2, "c": 3}`, key{"c"}, `{"a": 1, "b": 2}`},
		{"one line only", `{ "a": 1 }`, key{"a"}, `{}`},
		{"one line trailing comma", `{"a": 1, "b": 2,}`, key{"b"}, `{"a": 1,}`},
		{"one line nested", "{\n  \"env\": {\"A\": \"1\", \"B\": \"2\"}\n}", key{"env", "B"}, "{\n  \"env\": {\"A\": \"1\"}\n}"},
		{"duplicates all removed", `{"a": 1, "b": 2, "a": 3}`, key{"a"}, `{"b": 2}`},
		{"trailing block comment", "{\n  \"a\": 1,\n  \"b\": 2, /* c */\n  \"c\": 3\n}", key{"b"}, "{\n  \"a\": 1,\n  \"c\": 3\n}"},
		{"comment after previous comma kept", "{\"a\": 1, // c\n \"b\": 2}", key{"b"}, "{\"a\": 1 // c\n}"},
		{"inline comment after previous comma kept", `{"a": 1, /* c */ "b": 2}`, key{"b"}, `{"a": 1 /* c */}`},
		{"comment spanning lines after", "{\n  \"a\": 1,\n  \"b\": 2 /* x\n  y */\n}", key{"b"}, "{\n  \"a\": 1 /* x\n  y */\n}"},
		{"absent", commented, key{"d"}, commented},
		{"absent parent", commented, key{"d", "e"}, commented},
		{"parent not object", commented, key{"a", "e"}, commented},
		{"escaped name", "{\n  \"x\": 1,\n  \"\\u0041\": 2\n}", key{"A"}, "{\n  \"x\": 1\n}"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := parse(t, tc.in)
			del(t, d, tc.key)
			check(t, d, tc.want)
			del(t, d, tc.key)
			check(t, d, tc.want)
		})
	}
	d := parse(t, "")
	del(t, d, key{"a"})
	if err := d.Delete(nil); err == nil {
		t.Error("Delete(nil) succeeded")
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ in, want string }{
		{"{\n  \"a\": 1,\n  \"b\" 2\n}", `line 3, column 7: invalid character '2' after object name`},
		{"{\n  \"a\": 1\n  \"b\": 2\n}", `line 3, column 3: invalid character '"' after object value (expecting ',' or '}')`},
		{"{\n  \"a\": 1,\n", `line 3, column 1: parsing value: unexpected EOF`},
		{"{\"a\": 1} x", `line 1, column 10: invalid character 'x' after top-level value`},
		{"{\n\t\"a\": tru\n}", `line 2, column 7: invalid literal: tru`},
		{"[1, 2]", `top level is an array, expected an object`},
		{`"x"`, `top level is a string, expected an object`},
		{"// comment\n42\n", `top level is a number, expected an object`},
		{`true`, `top level is a boolean, expected an object`},
		{`null`, `top level is null, expected an object`},
	}
	for _, tc := range tests {
		_, err := Parse([]byte(tc.in))
		if err == nil || err.Error() != tc.want {
			t.Errorf("Parse(%q): error %v, want %q", tc.in, err, tc.want)
		}
	}
}

// roundTrip holds valid inputs that must come back byte for byte.
var roundTrip = []string{
	"",
	"\n",
	"{}",
	"  {  }  \n\n",
	`{"a":1,}`,
	"/*c*/{/*c*/\"a\"/*c*/:/*c*/1/*c*/,/*c*/}/*c*/",
	"// first\n{\n\t\"a\" :\t[ 1 ,2, ] , // x\n}\n// last\n",
	"{\"\\u00e9\\\"\\\\\": \"\\ud83d\\ude00\", \"é\": \"😀\", \"\\/\": 1e-7}",
	"{\r\n  \"a\": 1,\r\n\r\n  \"b\": [\r\n  ]\r\n}\r\n",
	"{\"a\": {\"b\": {\"c\": [[], {}, null, true, false, -0.5E+3]}}}",
	claudeSettings,
	claudeSettingsWithHub,
	claudeNoEnv,
	openCode,
	crlf(openCode),
	ccrConfig,
	ccrWithRelay,
	"{\"Providers\":[{\"name\":\"a\"},],/*c*/\"L\":[ ]}",
	reindent(claudeSettings, "\t"),
	reindent(claudeSettings, "    "),
}

func TestRoundTrip(t *testing.T) {
	for _, in := range roundTrip {
		d := parse(t, in)
		check(t, d, in)
	}
}
