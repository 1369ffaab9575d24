package yamledit

import (
	"math"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"

	"github.com/hubctl/hub/targets"
)

type key = targets.Key

var (
	relay  = targets.Select("name", "relay")
	claude = targets.Marked("claude")
)

// cliproxy is a CLIProxyAPI config.yaml as a user has it: comments, quoted
// strings, the user's own providers, a commented-out example.
const cliproxy = `# CLIProxyAPI - my config
host: ""
port: 8317

remote-management:
  allow-remote: false
  secret-key: ""  # set to enable the panel

auth-dir: "~/.cli-proxy-api"

# keys my clients use
api-keys:
  - "sk-client-1"
  - "sk-client-2"

routing:
  strategy: "round-robin" # or fill-first

openai-compatibility:
  - name: "openrouter" # mine
    base-url: "https://openrouter.ai/api/v1"
    api-key-entries:
      - api-key: "sk-or-v1-mine"
    models:
      - name: "moonshotai/kimi-k2:free"
        alias: "kimi-k2"

claude-api-key:
  - api-key: "sk-ant-mine" # official key, no base-url

# gemini-api-key:
#   - api-key: "AIzaSy...01"
`

func parse(t *testing.T, src string) *Doc {
	t.Helper()
	d, err := Parse([]byte(src))
	if err != nil {
		t.Fatalf("Parse(%q): %v", src, err)
	}
	return d
}

func set(t *testing.T, d *Doc, k key, v any) {
	t.Helper()
	if err := d.Set(k, v); err != nil {
		t.Fatalf("Set(%s): %v", k, err)
	}
	checkValid(t, d)
}

func del(t *testing.T, d *Doc, k key) {
	t.Helper()
	if err := d.Delete(k); err != nil {
		t.Fatalf("Delete(%s): %v", k, err)
	}
	checkValid(t, d)
}

// checkValid parses the document with yaml.v3 alone, as CLIProxyAPI does.
func checkValid(t *testing.T, d *Doc) {
	t.Helper()
	var v any
	if err := yaml.Unmarshal(d.Bytes(), &v); err != nil {
		t.Fatalf("invalid YAML: %v\n%s", err, d.Bytes())
	}
}

func check(t *testing.T, d *Doc, want string) {
	t.Helper()
	if got := string(d.Bytes()); got != want {
		t.Errorf("got:\n%s\nwant:\n%s\ndiff (-want +got):\n%s", got, want, cmp.Diff(want, got))
	}
}

var roundTrip = []string{
	"",
	"\n",
	"# only a comment\n",
	"---\n",
	"a: 1",
	"a: 1\r\nb: [x, y]\r\n",
	"\ufeffport: 8317\n",
	cliproxy,
	"a: &anchor\n  b: 1\nc: *anchor\nd:\n  <<: *anchor\n  e: 2\n",
	"lit: |\n  line\n  # not a comment\nfold: >-\n  a\n  b\nplain: foo\n  bar\n",
	"k: 'it''s'   # c\nl: \"esc\\\"aped\"\n",
	"  indented: 1\n  root: 2\n",
	"seq:\n- a\n- b\nmap: {a: 1, b: [2, 3]}\n",
	"é: \"ü\"\nts: 2001-12-14\n",
}

func TestRoundTrip(t *testing.T) {
	for _, src := range roundTrip {
		d := parse(t, src)
		if got := string(d.Bytes()); got != src {
			t.Errorf("Bytes() = %q, want %q", got, src)
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ src, want string }{
		{"a: b: c\n", "line 1, column 5: mapping values are not allowed in this context"},
		{"port: 8317\n  auth-dir: x\n", "line 2, column 11: mapping values are not allowed in this context"},
		{"a: 1\nb: \"unterminated\nc: 2\n", "line 2, column 4: found unexpected end of stream"},
		{"a:\n\t- x\n", "line 2"},
		{"a: [1, 2\n", "line 1"},
		{"a: *nope\n", "line 1, column 4: unknown anchor 'nope' referenced"},
		{"- 1\n- 2\n", "line 1, column 1: the top level is a list"},
		{"just text\n", "line 1, column 1: the top level is a string"},
		{"a: 1\na: 2\n", `line 2, column 1: key "a" is defined twice (first at line 1)`},
		{"a: 1\n---\nb: 2\n", "line 2: a second YAML document starts here"},
		{"a: 1\n...\nb: 2\n", "line 2: did not find expected <document start>"},
		{"a: !!int x\n", "line 1, column 4: cannot decode !!str `x` as a !!int"},
	}
	for _, tt := range tests {
		_, err := Parse([]byte(tt.src))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Parse(%q) error = %v, want %q", tt.src, err, tt.want)
		}
		if err != nil && !strings.HasPrefix(err.Error(), "line ") {
			t.Errorf("Parse(%q) error %q does not start with its position", tt.src, err)
		}
	}
}

func TestGet(t *testing.T) {
	d := parse(t, cliproxy+"n: 1\nf: 1.5\nb: true\nnil:\nts: 2001-12-14\nbig: 0x10\nanch: &x {a: 1}\nref: *x\nm:\n  <<: *x\n  b: 2\n")
	tests := []struct {
		key  key
		want any
		ok   bool
	}{
		{key{"port"}, int64(8317), true},
		{key{"host"}, "", true},
		{key{"api-keys"}, []any{"sk-client-1", "sk-client-2"}, true},
		{key{"routing"}, map[string]any{"strategy": "round-robin"}, true},
		{key{"openai-compatibility", targets.Select("name", "openrouter"), "base-url"}, "https://openrouter.ai/api/v1", true},
		{key{"openai-compatibility", targets.Select("name", "openrouter"), "models"}, []any{map[string]any{"name": "moonshotai/kimi-k2:free", "alias": "kimi-k2"}}, true},
		{key{"openai-compatibility", relay, "base-url"}, nil, false},
		{key{"openai-compatibility", "name"}, nil, false},
		{key{"port", "x"}, nil, false},
		{key{"claude-api-key", claude, "api-key"}, nil, false},
		{key{"n"}, int64(1), true},
		{key{"f"}, 1.5, true},
		{key{"b"}, true, true},
		{key{"nil"}, nil, true},
		{key{"ts"}, "2001-12-14", true},
		{key{"big"}, int64(16), true},
		{key{"ref", "a"}, int64(1), true},
		{key{"m"}, map[string]any{"a": int64(1), "b": int64(2)}, true},
		{key{"missing"}, nil, false},
	}
	for _, tt := range tests {
		got, ok := d.Get(tt.key)
		if ok != tt.ok || !cmp.Equal(got, tt.want) {
			t.Errorf("Get(%s) = %#v, %v; want %#v, %v", tt.key, got, ok, tt.want, tt.ok)
		}
	}
	if v, ok := parse(t, "").Get(key{"a"}); ok || v != nil {
		t.Errorf("Get on an empty document = %v, %v", v, ok)
	}
}

func TestMarkers(t *testing.T) {
	src := `claude-api-key:
  - api-key: "user"
  # hub:one
  - api-key: "k1"
  - api-key: "k2" # hub:two
  -   # hub:three
    api-key: "k3"
  # hub:not-this-one

  - api-key: "k4"
lit: |
  # hub:four
list:
  - api-key: "k5"
`
	d := parse(t, src)
	for m, want := range map[string]any{"one": "k1", "two": "k2", "three": "k3", "not-this-one": nil, "four": nil} {
		got, _ := d.Get(key{"claude-api-key", targets.Marked(m), "api-key"})
		if got != want {
			t.Errorf("marker %s selects %v, want %v", m, got, want)
		}
	}
}

func TestSetScalar(t *testing.T) {
	d := parse(t, cliproxy)
	set(t, d, key{"port"}, int64(8318))
	set(t, d, key{"remote-management", "secret-key"}, "s3cret")
	set(t, d, key{"routing", "strategy"}, "fill-first")
	set(t, d, key{"auth-dir"}, "/var/lib/cpa")
	set(t, d, key{"openai-compatibility", targets.Select("name", "openrouter"), "base-url"}, "https://openrouter.ai/api/v2")
	want := strings.NewReplacer(
		"port: 8317", "port: 8318",
		`secret-key: ""  # set`, `secret-key: "s3cret"  # set`,
		`strategy: "round-robin" # or`, `strategy: "fill-first" # or`,
		`auth-dir: "~/.cli-proxy-api"`, `auth-dir: "/var/lib/cpa"`,
		"openrouter.ai/api/v1", "openrouter.ai/api/v2",
	).Replace(cliproxy)
	check(t, d, want)

	// Quoting follows the old value, plain where it can.
	d = parse(t, "a: plain # c\nb: 'single'\nc: x\nd: |\n  block\ne: 1\n")
	set(t, d, key{"a"}, "still plain")
	set(t, d, key{"b"}, "it's")
	set(t, d, key{"c"}, "123")
	set(t, d, key{"d"}, "inline now")
	set(t, d, key{"e"}, "x: y")
	check(t, d, "a: still plain # c\nb: 'it''s'\nc: \"123\"\nd: inline now\ne: \"x: y\"\n")
}

func TestCreate(t *testing.T) {
	tests := []struct {
		name, src string
		key       key
		val       any
		want      string
	}{
		{"empty file", "", key{"a", "b"}, "x", "a:\n  b: x\n"},
		{"comment only", "# c\n", key{"a"}, "x", "# c\n\na: x\n"},
		{"no final newline", "a: 1", key{"b"}, "x", "a: 1\n\nb: x"},
		{"ends with blank line", "a: 1\n\n", key{"b"}, "x", "a: 1\n\nb: x\n"},
		{"crlf", "a: 1\r\n", key{"b", "c"}, "x", "a: 1\r\n\r\nb:\r\n  c: x\r\n"},
		{"nested after last key", "a:\n  b: 1\n  # about c\n  c:\n    d: 2\ne: 3\n", key{"a", "f"}, true,
			"a:\n  b: 1\n  # about c\n  c:\n    d: 2\n  f: true\ne: 3\n"},
		{"four-space file", "a:\n    b: 1\n", key{"c", "d"}, "x", "a:\n    b: 1\n\nc:\n    d: x\n"},
		{"null value", "a:\nb: 1\n", key{"a", "c"}, "x", "a:\n  c: x\nb: 1\n"},
		{"null value with comment", "a: # soon\nb: 1\n", key{"a", "c"}, "x", "a: # soon\n  c: x\nb: 1\n"},
		{"empty flow list", "a: []\n", key{"a", relay, "k"}, "x", "a:\n  - name: relay\n    k: x\n"},
		{"select in new list", "p: 1\n", key{"oc", relay, "base-url"}, "https://r.example.com/v1",
			"p: 1\n\noc:\n  - name: relay\n    base-url: https://r.example.com/v1\n"},
		{"select appends", "oc:\n- name: a\n  k: 1 # c\n# trailing\nz: 1\n", key{"oc", relay, "k"}, int64(2),
			"oc:\n- name: a\n  k: 1 # c\n- name: relay\n  k: 2\n# trailing\nz: 1\n"},
		{"into selected element", "oc:\n  - name: relay\n    k: 1\n", key{"oc", relay, "models"}, []any{map[string]any{"name": "m", "alias": "m"}},
			"oc:\n  - name: relay\n    k: 1\n    models:\n      - name: m\n        alias: m\n"},
		{"marked in new list", "", key{"c", claude, "api-key"}, "sk", "c:\n  # hub:claude\n  - api-key: sk\n"},
		{"marked appends", "c:\n  - api-key: mine\n", key{"c", claude, "api-key"}, "sk",
			"c:\n  - api-key: mine\n  # hub:claude\n  - api-key: sk\n"},
		{"quoted file", "a: \"x\"\nb: \"y\"\n", key{"c", relay, "k"}, "v", "a: \"x\"\nb: \"y\"\n\nc:\n  - name: \"relay\"\n    k: \"v\"\n"},
		{"list value", "a: 1\n", key{"l"}, []any{"x", int64(1), []any{"z"}, map[string]any{}}, "a: 1\n\nl:\n  - x\n  - 1\n  - [z]\n  - {}\n"},
		{"map value", "a: 1\n", key{"m"}, map[string]any{"z": "1", "name": "x", "b": map[string]any{"c": nil}}, "a: 1\n\nm:\n  name: x\n  b:\n    c: null\n  z: \"1\"\n"},
		{"empty values", "a: 1\n", key{"e"}, []any{}, "a: 1\n\ne: []\n"},
		{"indented root", "  a: 1\n", key{"b"}, "x", "  a: 1\n\n  b: x\n"},
		{"flow root empty", "{}\n", key{"a"}, "x", "a: x\n"},
		{"in flow mapping value", "a: {b: 1}\n", key{"a", "b"}, "two", "a: {b: two}\n"},
		{"flow value replaced", "a: [1, 2]\n", key{"a"}, []any{"x, y", int64(3)}, "a: [\"x, y\", 3]\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := parse(t, tt.src)
			set(t, d, tt.key, tt.val)
			check(t, d, tt.want)
			// Setting it again changes nothing.
			set(t, d, tt.key, tt.val)
			check(t, d, tt.want)
		})
	}
}

func TestReplaceCollections(t *testing.T) {
	src := `oc:
  - name: relay
    models:
      # the fast one
      - name: a   # keep me
        alias: a
      - name: b
        alias: b
    api-key-entries:
      - api-key: k1 # monthly
    headers:
      X-A: "1" # mine
      X-B: "2"
`
	d := parse(t, src)
	m := func(n string) map[string]any { return map[string]any{"name": n, "alias": n} }
	set(t, d, key{"oc", relay, "models"}, []any{m("a"), m("c"), m("b")})
	set(t, d, key{"oc", relay, "api-key-entries"}, []any{map[string]any{"api-key": "k2"}})
	set(t, d, key{"oc", relay, "headers"}, map[string]any{"X-A": "1", "X-C": "3"})
	check(t, d, `oc:
  - name: relay
    models:
      # the fast one
      - name: a   # keep me
        alias: a
      - name: c
        alias: c
      - name: b
        alias: b
    api-key-entries:
      - api-key: k2 # monthly
    headers:
      X-A: "1" # mine
      X-C: "3"
`)
	set(t, d, key{"oc", relay, "models"}, []any{m("b")})
	set(t, d, key{"oc", relay, "headers"}, "none")
	set(t, d, key{"oc", relay, "api-key-entries"}, []any{})
	check(t, d, `oc:
  - name: relay
    models:
      # the fast one
      - name: b
        alias: b
    api-key-entries: []
    headers: none
`)
	set(t, d, key{"oc", relay, "headers"}, map[string]any{"X": "1"})
	set(t, d, key{"oc", relay, "models"}, map[string]any{"x": int64(1)})
	check(t, d, `oc:
  - name: relay
    models:
      x: 1
    api-key-entries: []
    headers:
      X: "1"
`)
}

func TestDelete(t *testing.T) {
	tests := []struct {
		name, src string
		key       key
		want      string
	}{
		{"scalar", "a: 1 # c\nb: 2\n", key{"a"}, "b: 2\n"},
		{"absent", "a: 1\n", key{"b", "c"}, "a: 1\n"},
		{"through a scalar", "a: 1\n", key{"a", "c"}, "a: 1\n"},
		{"keeps comment lines", "# about a\na: 1\n# about b\nb: 2\n", key{"a"}, "# about a\n# about b\nb: 2\n"},
		{"block value", "a:\n  b:\n    - 1\n    # inside\n    - 2\n  c: 3\n", key{"a", "b"}, "a:\n  c: 3\n"},
		{"empties parent", "a:\n  b: 1\nc: 2\n", key{"a", "b"}, "c: 2\n"},
		{"last root key", "# c\na: 1\n", key{"a"}, "# c\n"},
		{"section with blank lines", "x: 1\n\na:\n  b: 1\n\ny: 2\n", key{"a"}, "x: 1\n\ny: 2\n"},
		{"last section", "x: 1\n\na: 1\n", key{"a"}, "x: 1\n"},
		{"no final newline", "x: 1\na: 1", key{"a"}, "x: 1"},
		{"selected element", "oc:\n  - name: a\n    k: 1\n  - name: relay\n    k: 2\n    m: 3\n", key{"oc", relay, "k"}, "oc:\n  - name: a\n    k: 1\n  - name: relay\n    m: 3\n"},
		{"element left with its name", "oc:\n  - name: a\n  - name: relay\n    k: 2\nz: 1\n", key{"oc", relay, "k"}, "oc:\n  - name: a\nz: 1\n"},
		{"user field stays", "oc:\n  - name: relay\n    mine: 1\n    k: 2\n", key{"oc", relay, "k"}, "oc:\n  - name: relay\n    mine: 1\n"},
		{"list emptied", "a: 1\noc:\n  - name: relay\n    k: 2\nz: 1\n", key{"oc", relay, "k"}, "a: 1\nz: 1\n"},
		{"first key of element", "c:\n  # hub:claude\n  - api-key: k\n    base-url: u\n", key{"c", claude, "api-key"}, "c:\n  # hub:claude\n  - base-url: u\n"},
		{"marked element", "c:\n  - api-key: mine\n  # hub:claude\n  - api-key: k\n", key{"c", claude, "api-key"}, "c:\n  - api-key: mine\n"},
		{"marker on the line", "c:\n  - api-key: k # hub:claude\n    base-url: u\n  - x: 1\n", key{"c", claude, "api-key"}, "c:\n  - # hub:claude\n    base-url: u\n  - x: 1\n"},
		{"flow entry", "a: {b: 1, c: 2}\n", key{"a", "b"}, "a: {c: 2}\n"},
		{"flow last entry", "a: {b: 1, c: 2}\n", key{"a", "c"}, "a: {b: 1}\n"},
		{"flow root", "{a: 1}\n", key{"a"}, "{}\n"},
		{"list element in flow", "a: [{name: relay, k: 1}, {name: x}]\n", key{"a", relay, "k"}, "a: [{name: x}]\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := parse(t, tt.src)
			del(t, d, tt.key)
			check(t, d, tt.want)
			if _, ok := d.Get(tt.key); ok {
				t.Errorf("%s still there", tt.key)
			}
		})
	}
}

func TestRefused(t *testing.T) {
	tests := []struct {
		name, src string
		key       key
		want      string
	}{
		{"alias", "a: &x {b: 1}\nc: *x\n", key{"c", "b"}, "c is a YAML alias (*x, line 2, column 4)"},
		{"anchor", "a: &x\n  b: 1\nc: *x\n", key{"a", "b"}, "a has a YAML anchor (&x, line 1, column 4)"},
		{"flow mapping", "a: {b: 1}\n", key{"a", "c"}, "a is written in flow style ({...} or [...], line 1, column 4)"},
		{"flow list", "oc: [{name: x}]\n", key{"oc", relay, "k"}, "oc is written in flow style"},
		{"scalar parent", "a: 1\n", key{"a", "b"}, "a is a number (line 1, column 4), not a mapping"},
		{"mapping for list", "oc:\n  name: relay\n", key{"oc", relay, "k"}, "oc is a mapping (line 2, column 3), not a list"},
		{"document end", "a: 1\n...\n", key{"b"}, "line 2: a document marker"},
		{"selector first", "", key{relay, "k"}, "cannot start with a selector"},
		{"selector last", "", key{"oc", relay}, "a selector must be followed by a name"},
		{"empty key", "", nil, "empty key"},
		{"bad utf8 key", "", key{"a\xff"}, "not valid UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := parse(t, tt.src)
			err := d.Set(tt.key, "v")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Set error = %v, want %q", err, tt.want)
			}
			if got := string(d.Bytes()); got != tt.src {
				t.Errorf("a refused Set changed the file to %q", got)
			}
		})
	}
	d := parse(t, "a: 1\n")
	for _, bad := range []any{"\xff", []byte("x"), map[int]any{1: 2}, uint64(math.MaxUint64), struct{}{}} {
		if err := d.Set(key{"k"}, bad); err == nil || !strings.HasPrefix(err.Error(), "set k: ") {
			t.Errorf("Set(%#v) error = %v, want one naming the key", bad, err)
		}
	}
}

func TestValues(t *testing.T) {
	values := []any{
		"plain", "", " lead", "trail ", "123", "1.5", "true", "yes", "on", "null", "~", "2001-12-14",
		"a: b", "a #b", "#a", "- a", "? a", "@a", "`a", "*a", "&a", "!a", "%a", "|a", ">a", "'q'", "\"q\"",
		"a'b", "a\"b", "multi\nline", "tab\there", "ctl\x01", "del\x7f", "é ✓ 日本", "\u2028", "<<", "=",
		"https://relay.example.com/v1", "a,b", "[a]", "{a}", "sk-test-0001",
		true, false, int64(0), int64(-7), int64(math.MaxInt64), 1.5, 2.0, 1e21, 1e-7, nil,
		[]any{"a", int64(1), []any{}}, map[string]any{"k": "v"}, []any{map[string]any{"a,b": "c"}},
	}
	for _, quoted := range []bool{false, true} {
		for _, v := range values {
			src := "x: 1\n"
			if quoted {
				src = "x: \"1\"\ny: \"2\"\n"
			}
			d := parse(t, src)
			set(t, d, key{"v"}, v)
			set(t, d, key{"l"}, []any{v})
			set(t, d, key{"f"}, map[string]any{"v": v})
			for _, k := range []key{{"v"}, {"l"}, {"f"}} {
				got, _ := d.Get(k)
				want, _ := normalize(v)
				switch k[0] {
				case "l":
					want = []any{want}
				case "f":
					want = map[string]any{"v": want}
				}
				if !equal(got, want) {
					t.Errorf("%#v written as\n%s\nreads back %#v", v, d.Bytes(), got)
				}
			}
		}
	}
	if got := scalarText(math.Inf(-1), 0, false); got != "-.inf" {
		t.Errorf("-Inf = %s", got)
	}
}

// hubOps is what the cliproxyapi target sets.
var hubOps = []struct {
	key key
	val any
}{
	{key{"openai-compatibility", relay, "base-url"}, "https://relay.example.com/v1"},
	{key{"openai-compatibility", relay, "api-key-entries"}, []any{map[string]any{"api-key": "sk-test-1"}}},
	{key{"openai-compatibility", relay, "models"}, []any{map[string]any{"name": "m", "alias": "m"}}},
	{key{"claude-api-key", claude, "api-key"}, "sk-test-2"},
	{key{"claude-api-key", claude, "base-url"}, "https://api.anthropic.com"},
	{key{"codex-api-key", targets.Marked("openai"), "api-key"}, "sk-test-3"},
	{key{"codex-api-key", targets.Marked("openai"), "base-url"}, "https://api.openai.com/v1"},
	{key{"routing", "hub"}, true},
}

// TestSetDeleteRoundTrip sets what hub adds and deletes it again, in both
// orders, expecting the original bytes back.
func TestSetDeleteRoundTrip(t *testing.T) {
	files := map[string]string{
		"cliproxy":   cliproxy,
		"empty":      "",
		"blank":      "\n",
		"blanks":     "\n\n\n",
		"comment":    "# c\n",
		"no newline": "port: 8317",
		"crlf":       strings.ReplaceAll(cliproxy, "\n", "\r\n"),
		"indentless": "api-keys:\n- a\nopenai-compatibility:\n- name: x\n  base-url: y\n  models:\n  - name: m\nclaude-api-key:\n- api-key: k\nrouting:\n    strategy: x\n",
		"bom":        "\ufeffport: 1\n",
	}
	for name, src := range files {
		t.Run(name, func(t *testing.T) {
			for _, backward := range []bool{false, true} {
				d := parse(t, src)
				var added []key
				for _, o := range hubOps {
					if _, ok := d.Get(o.key); !ok {
						set(t, d, o.key, o.val)
						added = append(added, o.key)
					}
				}
				for i := range added {
					k := added[i]
					if backward {
						k = added[len(added)-1-i]
					}
					del(t, d, k)
				}
				check(t, d, src)
			}
		})
	}
}

func TestIdempotent(t *testing.T) {
	for _, src := range []string{cliproxy, "", "a: 1"} {
		d := parse(t, src)
		for _, o := range hubOps {
			set(t, d, o.key, o.val)
		}
		once := string(d.Bytes())
		for _, o := range hubOps {
			set(t, d, o.key, o.val)
		}
		check(t, d, once)
	}
}

// TestCLIProxyAPIConfig shows what hub adds to a real config.
func TestCLIProxyAPIConfig(t *testing.T) {
	d := parse(t, cliproxy)
	for _, o := range hubOps[:5] {
		set(t, d, o.key, o.val)
	}
	check(t, d, strings.Replace(strings.Replace(cliproxy, `        alias: "kimi-k2"
`, `        alias: "kimi-k2"
  - name: "relay"
    base-url: "https://relay.example.com/v1"
    api-key-entries:
      - api-key: "sk-test-1"
    models:
      - name: "m"
        alias: "m"
`, 1), `  - api-key: "sk-ant-mine" # official key, no base-url
`, `  - api-key: "sk-ant-mine" # official key, no base-url
  # hub:claude
  - api-key: "sk-test-2"
    base-url: "https://api.anthropic.com"
`, 1))
}
