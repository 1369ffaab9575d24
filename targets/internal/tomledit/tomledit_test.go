package tomledit

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/hubctl/hub/targets"
	"github.com/pelletier/go-toml/v2"
)

// codexConfig is a commented Codex CLI config.toml as users have it.
const codexConfig = `# Codex config - mine
model = "gpt-5"            # default model
approval_policy = "on-request"

[mcp_servers.docs]
command = "npx"
args = ["-y", "mcp-docs"]   # docs server

[model_providers.azure]
name = "Azure"
base_url = "https://example.openai.azure.com/openai"
env_key = "AZURE_OPENAI_API_KEY"

[profiles.fast]
model = "gpt-5-mini"

[projects."/home/me/src/app"]
trust_level = "trusted"
`

// An op is one edit: Set if del is false, else Delete.
type op struct {
	key targets.Key
	val any
	del bool
}

func set(val any, key ...string) op { return op{key: key, val: val} }
func del(key ...string) op          { return op{key: key, del: true} }

func (o op) apply(d *Doc) error {
	if o.del {
		return d.Delete(o.key)
	}
	return d.Set(o.key, o.val)
}

// mustParse parses src, failing the test on error.
func mustParse(t *testing.T, src string) *Doc {
	t.Helper()
	d, err := Parse([]byte(src))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return d
}

// run applies ops to src, checking that every result is valid TOML, and
// returns the final text.
func run(t *testing.T, src string, ops ...op) string {
	t.Helper()
	d := mustParse(t, src)
	for _, o := range ops {
		if err := o.apply(d); err != nil {
			t.Fatalf("%s: %v", o.key, err)
		}
		checkValid(t, d.Bytes())
		if !o.del {
			got, ok := d.Get(o.key)
			if !ok {
				t.Fatalf("Get(%s) after Set: not found", o.key)
			}
			if want := decoded(t, o.val); !cmp.Equal(got, want) {
				t.Fatalf("Get(%s) after Set = %#v, want %#v", o.key, got, want)
			}
		} else if _, ok := d.Get(o.key); ok {
			t.Fatalf("Get(%s) after Delete: still there", o.key)
		}
	}
	return string(d.Bytes())
}

func checkValid(t *testing.T, data []byte) {
	t.Helper()
	var m map[string]any
	if err := toml.Unmarshal(data, &m); err != nil {
		t.Fatalf("result is not valid TOML: %v\n%s", err, data)
	}
}

// decoded returns v as go-toml decodes it after encode.
func decoded(t *testing.T, v any) any {
	t.Helper()
	enc, err := encode(v)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := toml.Unmarshal([]byte("v = "+enc), &m); err != nil {
		t.Fatalf("encode(%#v) = %s: %v", v, enc, err)
	}
	return m["v"]
}

func diff(t *testing.T, got, want string) {
	t.Helper()
	if got != want {
		t.Errorf("wrong result (-want +got):\n%s\ngot:\n%s", cmp.Diff(want, got), got)
	}
}

func TestRoundTrip(t *testing.T) {
	for name, src := range roundTripFiles {
		t.Run(name, func(t *testing.T) {
			d := mustParse(t, src)
			if got := string(d.Bytes()); got != src {
				t.Errorf("Bytes() = %q, want %q", got, src)
			}
		})
	}
}

var roundTripFiles = map[string]string{
	"codex":       codexConfig,
	"empty":       "",
	"blank lines": "\n\n  \n",
	"comments":    "# only\n# comments\n",
	"no newline":  "model = \"gpt-5\"",
	"crlf":        "# c\r\nmodel = \"gpt-5\"\r\n\r\n[model_providers.azure]\r\nname = \"Azure\"\r\n",
	"mixed eol":   "a = 1\r\nb = 2\n\r\n[t]\nc = 3\r\n",
	"spacing": "  model   =   'gpt-5'   # c  \n\t[ model_providers . \"relay\" ]   # h\n" +
		"  \"name\"='x'\n[[ arr ]]\nx = 1\n",
	"multi-line":  "s = \"\"\"\nline one\nline two\"\"\" # after\na = [\n  1, # one\n  2,\n]\nt = '''\nraw\n'''\n",
	"inline":      "p = { a = 1, b = { c = [1, 2] } }\ndotted.key.x = true\n",
	"datetime":    "d = 1979-05-27T07:32:00Z\nld = 1979-05-27\nlt = 07:32:00\nldt = 1979-05-27T07:32:00\n",
	"trailing ws": "a = 1\n   ",
	"unicode":     "# héllo\n\"ключ\" = \"значение\" # ✓\n",
}

func TestParseError(t *testing.T) {
	tests := []struct {
		src, want string
	}{
		{"model = \"gpt-5\"\n\nmodel_provider = = 1\n", "line 3, column 18: "},
		{"model = \"gpt-5\"\nmodel = \"o3\"\n", "line 2, column 1: "},
		{"[a]\nx = 1\n[a]\n", "line 3, column 2: "},
		{"a = \"unterminated\n", "line 1, column "},
		{"[a\n", "line 1, column "},
	}
	for _, tt := range tests {
		_, err := Parse([]byte(tt.src))
		if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("Parse(%q) error = %v, want prefix %q", tt.src, err, tt.want)
		}
	}
	_, err := Parse([]byte("a = 1\nb = \"x\"\n[c]\nd = 1 2\n"))
	if want := "line 4, column 7: "; err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("error = %v, want prefix %q", err, want)
	}
	t.Logf("example: %v", err)
}

func TestCodexConfig(t *testing.T) {
	relay := []op{
		set("Relay", "model_providers", "relay", "name"),
		set("https://relay.example.com/v1", "model_providers", "relay", "base_url"),
		set("responses", "model_providers", "relay", "wire_api"),
		set("sk-old", "model_providers", "relay", "experimental_bearer_token"),
	}
	withRelay := strings.Replace(codexConfig, `env_key = "AZURE_OPENAI_API_KEY"
`, `env_key = "AZURE_OPENAI_API_KEY"

[model_providers.relay]
name = "Relay"
base_url = "https://relay.example.com/v1"
wire_api = "responses"
experimental_bearer_token = "sk-old"
`, 1)

	t.Run("new top-level key", func(t *testing.T) {
		got := run(t, codexConfig, set("relay", "model_provider"))
		diff(t, got, strings.Replace(codexConfig, `approval_policy = "on-request"
`, `approval_policy = "on-request"
model_provider = "relay"
`, 1))
	})
	t.Run("replace keeps comment", func(t *testing.T) {
		got := run(t, codexConfig, set("o3", "model"))
		diff(t, got, strings.Replace(codexConfig, `model = "gpt-5"            # default model`,
			`model = "o3"            # default model`, 1))
	})
	t.Run("add provider table", func(t *testing.T) {
		diff(t, run(t, codexConfig, relay...), withRelay)
	})
	t.Run("change only the token", func(t *testing.T) {
		got := run(t, withRelay, set("sk-new", "model_providers", "relay", "experimental_bearer_token"))
		diff(t, got, strings.Replace(withRelay, `"sk-old"`, `"sk-new"`, 1))
	})
	t.Run("delete provider keys", func(t *testing.T) {
		got := run(t, withRelay,
			del("model_providers", "relay", "wire_api"),
			del("model_providers", "relay", "name"),
			del("model_providers", "relay", "experimental_bearer_token"),
			del("model_providers", "relay", "base_url"))
		diff(t, got, codexConfig)
	})
	t.Run("delete provider table", func(t *testing.T) {
		diff(t, run(t, withRelay, del("model_providers", "relay")), codexConfig)
	})
	t.Run("everything hub adds, then removes", func(t *testing.T) {
		ops := append([]op{set("relay", "model_provider")}, relay...)
		ops = append(ops, del("model_provider"), del("model_providers", "relay"))
		diff(t, run(t, codexConfig, ops...), codexConfig)
	})
}

func TestSetReplace(t *testing.T) {
	tests := []struct {
		name, src string
		op        op
		want      string
	}{
		{
			name: "spacing and quoted key kept",
			src:  "\"model\"='gpt-5'#c\n",
			op:   set("o3", "model"),
			want: "\"model\"=\"o3\"#c\n",
		},
		{
			name: "indented, in a table with odd header",
			src:  "[ model_providers . \"relay\" ]  # mine\n    base_url   =   \"http://old\"   # keep\n",
			op:   set("http://new", "model_providers", "relay", "base_url"),
			want: "[ model_providers . \"relay\" ]  # mine\n    base_url   =   \"http://new\"   # keep\n",
		},
		{
			name: "literal quoted header",
			src:  "[projects.'/home/me/src/app']\ntrust_level = \"untrusted\"\n",
			op:   set("trusted", "projects", "/home/me/src/app", "trust_level"),
			want: "[projects.'/home/me/src/app']\ntrust_level = \"trusted\"\n",
		},
		{
			name: "multi-line basic string",
			src:  "a = 1\ninstructions = \"\"\"\nBe brief.\nBe kind.\n\"\"\"   # why\nb = 2\n",
			op:   set("short", "instructions"),
			want: "a = 1\ninstructions = \"short\"   # why\nb = 2\n",
		},
		{
			name: "multi-line literal string",
			src:  "s = '''\nraw \\ text\n'''\n[t]\n",
			op:   set(true, "s"),
			want: "s = true\n[t]\n",
		},
		{
			name: "multi-line array with comments",
			src:  "[mcp_servers.docs]\nargs = [\n  \"-y\", # yes\n  \"mcp-docs\",\n] # docs\nenv = 1\n",
			op:   set([]string{"mcp-docs@2"}, "mcp_servers", "docs", "args"),
			want: "[mcp_servers.docs]\nargs = [\"mcp-docs@2\"] # docs\nenv = 1\n",
		},
		{
			name: "equal value keeps its spelling",
			src:  "model = 'gpt-5' # literal\nn = 0x10\nl = [ 1,2 ]\n",
			op:   set("gpt-5", "model"),
			want: "model = 'gpt-5' # literal\nn = 0x10\nl = [ 1,2 ]\n",
		},
		{
			name: "equal int in hex kept",
			src:  "n = 0x10\n",
			op:   set(16, "n"),
			want: "n = 0x10\n",
		},
		{
			name: "equal array kept",
			src:  "l = [ 1,2 ]\n",
			op:   set([]any{1, 2}, "l"),
			want: "l = [ 1,2 ]\n",
		},
		{
			name: "type change",
			src:  "n = 1\n",
			op:   set(1.5, "n"),
			want: "n = 1.5\n",
		},
		{
			name: "no trailing newline",
			src:  "model = \"gpt-5\"",
			op:   set("o3", "model"),
			want: "model = \"o3\"",
		},
		{
			name: "crlf",
			src:  "model = \"gpt-5\" # c\r\n",
			op:   set("o3", "model"),
			want: "model = \"o3\" # c\r\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			diff(t, run(t, tt.src, tt.op), tt.want)
		})
	}
}

func TestInsert(t *testing.T) {
	tests := []struct {
		name, src string
		ops       []op
		want      string
	}{
		{
			name: "empty file",
			ops:  []op{set("relay", "model_provider")},
			want: "model_provider = \"relay\"\n",
		},
		{
			name: "empty file, new table",
			ops:  []op{set("Relay", "model_providers", "relay", "name")},
			want: "[model_providers.relay]\nname = \"Relay\"\n",
		},
		{
			name: "empty file, key and table",
			ops: []op{
				set("Relay", "model_providers", "relay", "name"),
				set("relay", "model_provider"),
			},
			want: "model_provider = \"relay\"\n\n[model_providers.relay]\nname = \"Relay\"\n",
		},
		{
			name: "only comments",
			src:  "# model = \"o3\"\n# approval_policy = \"never\"\n",
			ops:  []op{set("relay", "model_provider")},
			want: "model_provider = \"relay\"\n\n# model = \"o3\"\n# approval_policy = \"never\"\n",
		},
		{
			name: "only comments, new table",
			src:  "# Codex\n# settings\n",
			ops:  []op{set("Relay", "model_providers", "relay", "name")},
			want: "# Codex\n# settings\n\n[model_providers.relay]\nname = \"Relay\"\n",
		},
		{
			name: "leading comment block, blank line",
			src:  "# Codex config\n\n[profiles.fast]\nmodel = \"o3\"\n",
			ops:  []op{set("relay", "model_provider")},
			want: "# Codex config\n\nmodel_provider = \"relay\"\n\n[profiles.fast]\nmodel = \"o3\"\n",
		},
		{
			name: "comment attached to the first header",
			src:  "# fast profile\n[profiles.fast]\nmodel = \"o3\"\n",
			ops:  []op{set("relay", "model_provider")},
			want: "model_provider = \"relay\"\n\n# fast profile\n[profiles.fast]\nmodel = \"o3\"\n",
		},
		{
			name: "header on the first line",
			src:  "[profiles.fast]\nmodel = \"o3\"\n",
			ops:  []op{set("relay", "model_provider")},
			want: "model_provider = \"relay\"\n\n[profiles.fast]\nmodel = \"o3\"\n",
		},
		{
			name: "top-level keys after comments",
			src:  "model = \"o3\"\n# notes about tables\n\n[t]\nx = 1\n",
			ops:  []op{set("relay", "model_provider")},
			want: "model = \"o3\"\nmodel_provider = \"relay\"\n# notes about tables\n\n[t]\nx = 1\n",
		},
		{
			name: "no trailing newline, top-level",
			src:  "model = \"o3\"",
			ops:  []op{set("relay", "model_provider")},
			want: "model = \"o3\"\nmodel_provider = \"relay\"",
		},
		{
			name: "no trailing newline, new table",
			src:  "model = \"o3\"",
			ops: []op{
				set("Relay", "model_providers", "relay", "name"),
				set("x", "model_providers", "relay", "base_url"),
			},
			want: "model = \"o3\"\n\n[model_providers.relay]\nname = \"Relay\"\nbase_url = \"x\"",
		},
		{
			name: "crlf",
			src:  "# c\r\nmodel = \"o3\"\r\n\r\n[model_providers.azure]\r\nname = \"Azure\"\r\n",
			ops: []op{
				set("relay", "model_provider"),
				set("Relay", "model_providers", "relay", "name"),
				set("r", "model_providers", "azure", "env_key"),
			},
			want: "# c\r\nmodel = \"o3\"\r\nmodel_provider = \"relay\"\r\n\r\n[model_providers.azure]\r\nname = \"Azure\"\r\nenv_key = \"r\"\r\n" +
				"\r\n[model_providers.relay]\r\nname = \"Relay\"\r\n",
		},
		{
			name: "existing table, before trailing comment",
			src:  "[model_providers.relay]\n  name = \"Relay\" # mine\n  # wire_api = \"chat\"\n\n[profiles.fast]\n",
			ops:  []op{set("responses", "model_providers", "relay", "wire_api")},
			want: "[model_providers.relay]\n  name = \"Relay\" # mine\n  wire_api = \"responses\"\n  # wire_api = \"chat\"\n\n[profiles.fast]\n",
		},
		{
			name: "existing table without keys",
			src:  "[model_providers.relay]\n\n[profiles.fast]\n",
			ops:  []op{set("Relay", "model_providers", "relay", "name")},
			want: "[model_providers.relay]\nname = \"Relay\"\n\n[profiles.fast]\n",
		},
		{
			name: "existing table with spaced and quoted header",
			src:  "[ model_providers . \"relay\" ]\nname = \"Relay\"\n",
			ops:  []op{set("x", "model_providers", "relay", "base_url")},
			want: "[ model_providers . \"relay\" ]\nname = \"Relay\"\nbase_url = \"x\"\n",
		},
		{
			name: "new table after sibling and its sub-tables",
			src: "[model_providers.azure]\nname = \"Azure\"\n\n[model_providers.azure.http_headers]\nX = \"1\"\n" +
				"# profiles below\n\n[profiles.fast]\nmodel = \"o3\"\n",
			ops: []op{set("Relay", "model_providers", "relay", "name")},
			want: "[model_providers.azure]\nname = \"Azure\"\n\n[model_providers.azure.http_headers]\nX = \"1\"\n" +
				"\n[model_providers.relay]\nname = \"Relay\"\n# profiles below\n\n[profiles.fast]\nmodel = \"o3\"\n",
		},
		{
			name: "new table without siblings goes at the end",
			src:  "model = \"o3\"\n\n[profiles.fast]\nmodel = \"o3\"\n\n# the end\n\n",
			ops:  []op{set("Relay", "model_providers", "relay", "name")},
			want: "model = \"o3\"\n\n[profiles.fast]\nmodel = \"o3\"\n\n# the end\n\n[model_providers.relay]\nname = \"Relay\"\n\n",
		},
		{
			name: "new top-level table after the other tables",
			src:  "[profiles.fast]\nmodel = \"o3\"\n# end\n",
			ops:  []op{set(true, "tui", "notifications")},
			want: "[profiles.fast]\nmodel = \"o3\"\n\n[tui]\nnotifications = true\n# end\n",
		},
		{
			name: "new header is quoted",
			src:  "",
			ops: []op{
				set("A", "model_providers", "my relay", "name"),
				set("B", "model_providers", "relay.v2", "name"),
				set("trusted", "projects", "/home/me", "trust_level"),
				set("x", "t", "", "quoted \"key\""),
			},
			want: "[model_providers.\"my relay\"]\nname = \"A\"\n\n[model_providers.\"relay.v2\"]\nname = \"B\"\n\n" +
				"[projects.\"/home/me\"]\ntrust_level = \"trusted\"\n\n[t.\"\"]\n\"quoted \\\"key\\\"\" = \"x\"\n",
		},
		{
			name: "table implicitly defined by a sub-table",
			src:  "[a.b]\nx = 1\n",
			ops:  []op{set(2, "a", "y")},
			want: "[a.b]\nx = 1\n\n[a]\ny = 2\n",
		},
		{
			name: "array of tables as sibling",
			src:  "[[servers.list]]\nx = 1\n\n[other]\ny = 1\n",
			ops:  []op{set(true, "servers", "opts", "on")},
			want: "[[servers.list]]\nx = 1\n\n[servers.opts]\non = true\n\n[other]\ny = 1\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			diff(t, run(t, tt.src, tt.ops...), tt.want)
		})
	}
}

func TestRefused(t *testing.T) {
	tests := []struct {
		name, src string
		key       targets.Key
		want      string
	}{
		{
			name: "dotted keys at top level",
			src:  "model = \"o3\"\nmodel_providers.relay.name = \"x\"\n",
			key:  targets.Key{"model_providers", "relay", "base_url"},
			want: "model_providers.relay: defined through dotted keys on line 2; hub edits only [model_providers.relay] tables - rewrite it as a table",
		},
		{
			name: "dotted keys in parent table",
			src:  "[model_providers]\nrelay.name = \"x\"\n",
			key:  targets.Key{"model_providers", "relay", "name"},
			want: "model_providers.relay: defined through dotted keys on line 2; hub edits only [model_providers.relay] tables - rewrite it as a table",
		},
		{
			name: "inline table",
			src:  "model = \"o3\"\nmodel_providers = { relay = { name = \"x\" } }\n",
			key:  targets.Key{"model_providers", "relay", "name"},
			want: "model_providers: defined as an inline table on line 2; hub edits only [model_providers.relay] tables - rewrite it as a table",
		},
		{
			name: "inline table in parent table",
			src:  "# c\n\n[model_providers]\n\n\n\nrelay = {\n  name = \"x\",\n}\n",
			key:  targets.Key{"model_providers", "relay", "base_url"},
			want: "model_providers.relay: defined as an inline table on line 7; hub edits only [model_providers.relay] tables - rewrite it as a table",
		},
		{
			name: "array of tables",
			src:  "[[model_providers.relay]]\nname = \"x\"\n",
			key:  targets.Key{"model_providers", "relay", "name"},
			want: "model_providers.relay: defined as an array of tables on line 1; hub edits only [model_providers.relay] tables - rewrite it as a table",
		},
		{
			name: "value in the way",
			src:  "model_providers = \"none\"\n",
			key:  targets.Key{"model_providers", "relay", "name"},
			want: "model_providers: is a value on line 1, not a table; hub cannot set model_providers.relay.name",
		},
		{
			name: "table replaced by value",
			src:  "[model_providers.relay]\nname = \"x\"\n",
			key:  targets.Key{"model_providers", "relay"},
			want: "model_providers.relay: is a table (line 1); hub will not replace it with a value",
		},
		{
			name: "dotted table replaced by value",
			src:  "a.b = 1\n",
			key:  targets.Key{"a"},
			want: "a: is a table (line 1); hub will not replace it with a value",
		},
		{
			name: "inline table replaced by value",
			src:  "a = {}\n",
			key:  targets.Key{"a"},
			want: "a: is a table (line 1); hub will not replace it with a value",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := mustParse(t, tt.src)
			err := d.Set(tt.key, "v")
			if err == nil || err.Error() != tt.want {
				t.Errorf("Set error = %v\nwant %s", err, tt.want)
			}
			if string(d.Bytes()) != tt.src {
				t.Errorf("Set changed the document:\n%s", d.Bytes())
			}
		})
	}

	deletes := []struct {
		name, src string
		key       targets.Key
		want      string
	}{
		{
			name: "dotted",
			src:  "model_providers.relay.name = \"x\"\n",
			key:  targets.Key{"model_providers", "relay", "name"},
			want: "model_providers.relay: defined through dotted keys on line 1; hub edits only [model_providers.relay] tables - rewrite it as a table",
		},
		{
			name: "dotted table",
			src:  "[model_providers]\nrelay.name = \"x\"\n",
			key:  targets.Key{"model_providers", "relay"},
			want: "model_providers.relay: defined through dotted keys on line 2; hub edits only [model_providers.relay] tables - rewrite it as a table",
		},
		{
			name: "inline",
			src:  "[model_providers]\nrelay = { name = \"x\" }\n",
			key:  targets.Key{"model_providers", "relay", "name"},
			want: "model_providers.relay: defined as an inline table on line 2; hub edits only [model_providers.relay] tables - rewrite it as a table",
		},
		{
			name: "inline table",
			src:  "[model_providers]\nrelay = { name = \"x\" }\n",
			key:  targets.Key{"model_providers", "relay"},
			want: "model_providers.relay: defined as an inline table on line 2; hub edits only [model_providers.relay] tables - rewrite it as a table",
		},
		{
			name: "array of tables",
			src:  "[[model_providers]]\nname = \"x\"\n",
			key:  targets.Key{"model_providers"},
			want: "model_providers: defined as an array of tables on line 1; hub deletes only values and [tables]",
		},
		{
			name: "table with an array of tables inside",
			src:  "[a]\nx = 1\n[[a.list]]\ny = 1\n",
			key:  targets.Key{"a"},
			want: "a.list: defined as an array of tables on line 3; hub deletes only values and [tables]",
		},
	}
	for _, tt := range deletes {
		t.Run("delete "+tt.name, func(t *testing.T) {
			d := mustParse(t, tt.src)
			err := d.Delete(tt.key)
			if err == nil || err.Error() != tt.want {
				t.Errorf("Delete error = %v\nwant %s", err, tt.want)
			}
			if string(d.Bytes()) != tt.src {
				t.Errorf("Delete changed the document:\n%s", d.Bytes())
			}
		})
	}
}

func TestDelete(t *testing.T) {
	tests := []struct {
		name, src string
		ops       []op
		want      string
	}{
		{
			name: "absent key",
			src:  codexConfig,
			ops: []op{
				del("model_provider"),
				del("model_providers", "relay", "name"),
				del("model_providers", "relay"),
				del("model", "sub"), // under a value
				del("nothing", "here", "at", "all"),
			},
			want: codexConfig,
		},
		{
			name: "top-level key keeps comments",
			src:  "# model\nmodel = \"o3\" # inline\n# after\nx = 1\n",
			ops:  []op{del("model")},
			want: "# model\n# after\nx = 1\n",
		},
		{
			name: "key between blank lines",
			src:  "a = 1\n\nmodel = \"o3\"\n\n[t]\nx = 1\n",
			ops:  []op{del("model")},
			want: "a = 1\n\n[t]\nx = 1\n",
		},
		{
			name: "key at the top",
			src:  "model = \"o3\"\n\n[t]\nx = 1\n",
			ops:  []op{del("model")},
			want: "[t]\nx = 1\n",
		},
		{
			name: "multi-line value",
			src:  "a = [\n  1,\n  2,\n] # c\nb = 1\n",
			ops:  []op{del("a")},
			want: "b = 1\n",
		},
		{
			name: "last key removes the table, keeps comments",
			src: "model = \"o3\"\n\n# relay provider\n[model_providers.relay] # hub\n# token below\nname = \"x\"\n\n" +
				"# fast profile\n[profiles.fast]\n",
			ops:  []op{del("model_providers", "relay", "name")},
			want: "model = \"o3\"\n\n# relay provider\n# token below\n\n# fast profile\n[profiles.fast]\n",
		},
		{
			name: "table at the top",
			src:  "[model_providers.relay]\nname = \"x\"\n\n[profiles.fast]\nmodel = \"o3\"\n",
			ops:  []op{del("model_providers", "relay", "name")},
			want: "[profiles.fast]\nmodel = \"o3\"\n",
		},
		{
			name: "table at the end without trailing newline",
			src:  "model = \"o3\"\n\n[model_providers.relay]\nname = \"x\"",
			ops:  []op{del("model_providers", "relay", "name")},
			want: "model = \"o3\"",
		},
		{
			name: "table with sub-tables loses its header",
			src:  "m = 1\n\n[a]\nx = 1\n\n[a.b]\ny = 1\n",
			ops:  []op{del("a", "x")},
			want: "m = 1\n\n[a.b]\ny = 1\n",
		},
		{
			name: "parent table header stays",
			src:  "[a]\n\n[a.b]\ny = 1\n",
			ops:  []op{del("a", "b", "y")},
			want: "[a]\n",
		},
		{
			name: "whole table with sub-tables",
			src:  "m = 1\n\n[a]\nx = 1\n\n[a.b]\ny = 1\n\n[a.b.c]\nz = 1\n\n[other]\nw = 1\n",
			ops:  []op{del("a")},
			want: "m = 1\n\n[other]\nw = 1\n",
		},
		{
			name: "implicit table",
			src:  "m = 1\n\n[a.b]\ny = 1\n",
			ops:  []op{del("a")},
			want: "m = 1\n",
		},
		{
			name: "crlf",
			src:  "m = 1\r\n\r\n[a]\r\nx = 1\r\ny = 2\r\n",
			ops:  []op{del("a", "x"), del("a", "y")},
			want: "m = 1\r\n",
		},
		{
			name: "table that was empty before",
			src:  "[model_providers.relay]\n",
			ops:  []op{set("x", "model_providers", "relay", "name"), del("model_providers", "relay", "name")},
			want: "",
		},
		{
			name: "everything",
			src:  "m = 1\n\n[a]\nx = 1\n",
			ops:  []op{del("m"), del("a", "x")},
			want: "",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			diff(t, run(t, tt.src, tt.ops...), tt.want)
		})
	}
}

// hubOps is what hub typically adds to a Codex config.
var hubOps = []op{
	set("relay", "model_provider"),
	set("relay-model", "model"),
	set("Relay", "model_providers", "relay", "name"),
	set("https://relay.example.com/v1", "model_providers", "relay", "base_url"),
	set("responses", "model_providers", "relay", "wire_api"),
	set("sk-123", "model_providers", "relay", "experimental_bearer_token"),
	set([]string{"a", "b"}, "mcp_servers", "hub", "args"),
	set(int64(3), "mcp_servers", "docs", "retries"),
	set(true, "hub_managed"),
}

// TestSetDeleteRoundTrip sets what hub adds and deletes it again, in both
// orders, expecting the original bytes back.
func TestSetDeleteRoundTrip(t *testing.T) {
	files := map[string]string{
		"codex":      codexConfig,
		"empty":      "",
		"blank":      "\n",
		"blanks":     "\n\n",
		"comments":   "# only\n# comments\n",
		"comments+":  "# only\n# comments\n\n",
		"no newline": "# c\n[profiles.fast]\nmodel = \"o3\"",
		"crlf":       strings.ReplaceAll(codexConfig, "\n", "\r\n"),
		"header first": "[mcp_servers.docs]\ncommand = \"npx\"\n\n[model_providers.azure]\n" +
			"name = \"Azure\"\n[model_providers.azure.http_headers]\nX = \"1\"\n# trailing\n",
		"comment block": "# Codex\n# config\n\n# about docs\n[mcp_servers.docs]\ncommand = \"npx\"\n",
		"indented":      "  approval_policy = \"never\"\n[mcp_servers.docs]\n    command = \"npx\"\n",
	}
	for name, src := range files {
		t.Run(name, func(t *testing.T) {
			var added, forward, backward []op
			d := mustParse(t, src)
			for _, o := range hubOps {
				if _, ok := d.Get(o.key); !ok {
					added = append(added, o)
					forward = append(forward, del(o.key...))
				}
			}
			for i := len(forward) - 1; i >= 0; i-- {
				backward = append(backward, forward[i])
			}
			diff(t, run(t, src, append(added, forward...)...), src)
			diff(t, run(t, src, append(added, backward...)...), src)
		})
	}
}

func TestIdempotent(t *testing.T) {
	for _, src := range []string{codexConfig, "", "# c\n", "a = 1"} {
		once := run(t, src, hubOps...)
		twice := run(t, once, hubOps...)
		diff(t, twice, once)
	}
}

func TestValues(t *testing.T) {
	tests := []struct {
		val  any
		want string
	}{
		{"plain", `"plain"`},
		{"quote \" backslash \\ tab \t nl \n cr \r ctl \x01 del \x7f é ✓", `"quote \" backslash \\ tab \t nl \n cr \r ctl \u0001 del \u007F é ✓"`},
		{true, "true"},
		{false, "false"},
		{42, "42"},
		{int64(-7), "-7"},
		{uint8(8), "8"},
		{1.5, "1.5"},
		{2.0, "2.0"},
		{1e21, "1e+21"},
		{float32(0.1), "0.1"},
		{math.Inf(-1), "-inf"},
		{math.NaN(), "nan"},
		{[]string{"a", "b"}, `["a", "b"]`},
		{[]any{"a", int64(1), 2.5, true, []any{}}, `["a", 1, 2.5, true, []]`},
		{[]string(nil), "[]"},
		{time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC), "2024-01-02T03:04:05Z"},
		{toml.LocalDate{Year: 2024, Month: 1, Day: 2}, "2024-01-02"},
	}
	for _, tt := range tests {
		got, err := encode(tt.val)
		if err != nil || got != tt.want {
			t.Errorf("encode(%#v) = %s, %v; want %s", tt.val, got, err, tt.want)
			continue
		}
		src := "v = " + got + "\n"
		checkValid(t, []byte(src))
		if f, ok := tt.val.(float64); ok && math.IsNaN(f) {
			continue
		}
		d := mustParse(t, src)
		v, _ := d.Get(targets.Key{"v"})
		if want := decoded(t, tt.val); !cmp.Equal(v, want) {
			t.Errorf("%s decodes to %#v, want %#v", got, v, want)
		}
	}

	for _, bad := range []any{nil, map[string]any{"a": 1}, uint64(math.MaxUint64), "\xff", []any{map[string]any{}}, struct{}{}} {
		d := mustParse(t, "")
		if err := d.Set(targets.Key{"k"}, bad); err == nil || !strings.HasPrefix(err.Error(), "k: ") {
			t.Errorf("Set(%#v) error = %v, want one naming the key", bad, err)
		}
	}
	d := mustParse(t, "")
	if err := d.Set(nil, "x"); err == nil {
		t.Error("Set with an empty key succeeded")
	}
	if err := d.Set(targets.Key{"\xff"}, "x"); err == nil {
		t.Error("Set with an invalid UTF-8 key succeeded")
	}
}

func TestGet(t *testing.T) {
	d := mustParse(t, codexConfig+"n = 1\n[x]\nf = 1.5\nd = 1979-05-27\nl = [1, \"a\"]\n")
	tests := []struct {
		key  targets.Key
		want any
		ok   bool
	}{
		{targets.Key{"model"}, "gpt-5", true},
		{targets.Key{"projects", "/home/me/src/app", "trust_level"}, "trusted", true},
		{targets.Key{"projects", "/home/me/src/app", "trust_level", "x"}, nil, false},
		{targets.Key{"profiles", "fast"}, map[string]any{"model": "gpt-5-mini"}, true},
		{targets.Key{"projects", "/home/me/src/app", "n"}, int64(1), true},
		{targets.Key{"x", "f"}, 1.5, true},
		{targets.Key{"x", "d"}, toml.LocalDate{Year: 1979, Month: 5, Day: 27}, true},
		{targets.Key{"x", "l"}, []any{int64(1), "a"}, true},
		{targets.Key{"missing"}, nil, false},
		{nil, nil, false},
	}
	for _, tt := range tests {
		got, ok := d.Get(tt.key)
		if ok != tt.ok || !cmp.Equal(got, tt.want) {
			t.Errorf("Get(%s) = %#v, %v; want %#v, %v", tt.key, got, ok, tt.want, tt.ok)
		}
	}
}

// fuzzKeys are sets of keys FuzzRoundTrip adds to a document and removes.
var fuzzKeys = [][]targets.Key{
	{{"model_provider"}},
	{{"model_providers", "relay", "name"}},
	{{"model"}, {"model_providers", "relay", "name"}, {"model_providers", "relay", "base_url"}, {"p", "k"}},
	{{"model_providers", "a", "k2"}, {"model_providers", "b", "k"}},
}

func FuzzRoundTrip(f *testing.F) {
	for _, src := range roundTripFiles {
		f.Add(src)
	}
	f.Add("[ a . \"b\" ]\nx = 1\n[[c]]\n")
	f.Add("a.b = 1\n[x]\ny = { z = 1 }\n")
	f.Add("# c\n\n[model_providers.a]\nk = 1\n\n[model_providers.a.h]\n# x\n[p]\n")
	f.Fuzz(func(t *testing.T, src string) {
		d, err := Parse([]byte(src))
		if err != nil {
			if !strings.HasPrefix(err.Error(), "line ") {
				t.Fatalf("error without position: %v", err)
			}
			return
		}
		if got := string(d.Bytes()); got != src {
			t.Fatalf("Bytes() = %q, want %q", got, src)
		}
		// What hub adds to a file without it must come off cleanly.
		for _, keys := range fuzzKeys {
			d, _ := Parse([]byte(src))
			var added []targets.Key
			for _, key := range keys {
				if _, ok := d.Get(key); ok {
					continue
				}
				if tbl, _ := d.Get(key[:len(key)-1]); tbl != nil && cmp.Equal(tbl, map[string]any{}) {
					continue // Delete removes a table it leaves empty, even if it was empty before
				}
				if err := d.Set(key, "x"); err != nil {
					continue // a refused form
				}
				checkValid(t, d.Bytes())
				before := string(d.Bytes())
				if err := d.Set(key, "x"); err != nil || string(d.Bytes()) != before {
					t.Fatalf("second Set(%s) changed the document or failed: %v", key, err)
				}
				added = append(added, key)
			}
			for i := len(added) - 1; i >= 0; i-- {
				if err := d.Delete(added[i]); err != nil {
					t.Fatalf("Delete(%s): %v", added[i], err)
				}
			}
			if got := string(d.Bytes()); got != src {
				t.Fatalf("Set then Delete %v = %q, want %q", added, got, src)
			}
		}
	})
}
