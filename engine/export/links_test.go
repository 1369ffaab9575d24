package export

import (
	"encoding/base64"
	"encoding/json"
	"flag"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/hubctl/hub/credential"
	"github.com/hubctl/hub/secret"
)

var update = flag.Bool("update", false, "rewrite testdata golden files")

func relay() *credential.Credential {
	return &credential.Credential{
		ID:      "relay",
		Name:    "Relay Work",
		APIType: credential.OpenAICompatible,
		BaseURL: "https://relay.example.com",
		Key:     secret.New("sk-test-relay-1234"),
		Models:  []string{"gpt-5", " claude-sonnet-4 ", "gpt-5"},
		Notes:   "team key & more",
	}
}

func write(t *testing.T, name string, creds []*credential.Credential, o Options) string {
	t.Helper()
	f, err := Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	b, err := f.Write(creds, o)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return string(b)
}

func golden(t *testing.T, file, got string) {
	t.Helper()
	path := filepath.Join("testdata", file)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("%s differs:\ngot  %s\nwant %s", file, got, want)
	}
}

// ccSwitchParse reads a link as CC Switch's parser does: scheme ccswitch,
// host v1, path /import, form-decoded query pairs.
func ccSwitchParse(t *testing.T, link string) url.Values {
	t.Helper()
	u, err := url.Parse(strings.TrimSpace(link))
	if err != nil {
		t.Fatal(err)
	}
	if u.Scheme != "ccswitch" || u.Host != "v1" || u.Path != "/import" {
		t.Fatalf("link %s: want ccswitch://v1/import", u.Redacted())
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		t.Fatal(err)
	}
	return q
}

func TestCCSwitchGolden(t *testing.T) {
	golden(t, "cc-switch-claude.txt", write(t, "cc-switch", []*credential.Credential{relay()}, Options{}))
	golden(t, "cc-switch-codex.txt", write(t, "cc-switch", []*credential.Credential{relay()}, Options{App: "codex", Model: "gpt-5", Enable: true}))
}

func TestCCSwitchFields(t *testing.T) {
	c := relay()
	c.Name = "Relay Work ✓"
	q := ccSwitchParse(t, write(t, "cc-switch", []*credential.Credential{c}, Options{App: "codex", Model: "gpt-5", Enable: true}))
	want := map[string]string{
		"resource": "provider", "app": "codex", "name": "Relay Work ✓",
		"homepage": "https://relay.example.com", "endpoint": "https://relay.example.com/v1",
		"apiKey": "sk-test-relay-1234", "model": "gpt-5", "notes": "team key & more", "enabled": "true",
	}
	for k, v := range want {
		if got := q.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	if len(q) != len(want) {
		t.Errorf("params %v, want exactly %v", q, want)
	}

	// Defaults: app claude, no model, no enabled, endpoint the base.
	c.Notes = ""
	q = ccSwitchParse(t, write(t, "cc-switch", []*credential.Credential{c}, Options{}))
	if q.Get("app") != "claude" || q.Has("model") || q.Has("enabled") || q.Has("notes") || q.Get("endpoint") != "https://relay.example.com" {
		t.Errorf("defaults: %v", q)
	}

	// Codex keeps a base with a path as it is.
	c.BaseURL = "https://relay.example.com/api"
	if q = ccSwitchParse(t, write(t, "cc-switch", []*credential.Credential{c}, Options{App: "codex"})); q.Get("endpoint") != "https://relay.example.com/api" {
		t.Errorf("codex endpoint with a path = %q", q.Get("endpoint"))
	}
}

func TestCCSwitchHermesName(t *testing.T) {
	for _, tc := range []struct{ name, base, want string }{
		{"Relay Work!", "https://relay.example.com", "relay-work"},
		{"--My__Relay 2--", "https://relay.example.com", "my-relay-2"},
		{"中转", "https://Relay.Example.com:8443", "relay-example-com"},
		{"中转", "https://[::1]:8443", "1"},
	} {
		c := relay()
		c.Name, c.BaseURL = tc.name, tc.base
		q := ccSwitchParse(t, write(t, "cc-switch", []*credential.Credential{c}, Options{App: "hermes"}))
		if got := q.Get("name"); got != tc.want {
			t.Errorf("hermes name of %q at %s = %q, want %q", tc.name, tc.base, got, tc.want)
		}
	}
}

func TestCCSwitchRefuses(t *testing.T) {
	f, _ := Lookup("cc-switch")
	_, err := f.Write([]*credential.Credential{relay()}, Options{App: "cursor"})
	if err == nil || !strings.Contains(err.Error(), "claude, codex, gemini, grokbuild, hermes, opencode, openclaw") {
		t.Errorf("unknown app: %v", err)
	}
	for _, tc := range []struct{ apiType, app string }{
		{credential.OpenAI, "claude"}, {credential.Google, "claude"},
		{credential.Anthropic, "codex"}, {credential.Anthropic, "gemini"},
		{credential.Google, "opencode"},
	} {
		c := relay()
		c.APIType = tc.apiType
		_, err := f.Write([]*credential.Credential{c}, Options{App: tc.app})
		if err == nil || !strings.Contains(err.Error(), "api_type") {
			t.Errorf("%s for %s: %v, want a refusal", tc.apiType, tc.app, err)
		}
		if err != nil && strings.Contains(err.Error(), "sk-test") {
			t.Errorf("error holds the key: %v", err)
		}
	}
	for _, tc := range []struct{ apiType, app string }{
		{credential.Anthropic, "claude"}, {credential.OpenAI, "codex"}, {credential.Google, "gemini"},
		{credential.OpenAICompatible, "gemini"}, {credential.Anthropic, "grokbuild"},
	} {
		c := relay()
		c.APIType = tc.apiType
		if _, err := f.Write([]*credential.Credential{c}, Options{App: tc.app}); err != nil {
			t.Errorf("%s for %s: %v", tc.apiType, tc.app, err)
		}
	}
}

// cherryDecode reads a link as Cherry Studio's handle-providers.ts does:
// + and / in the query become _ and -, URLSearchParams takes data, _ and -
// turn back into + and /, standard base64 decodes it, every ' becomes "
// and ( ) go, then JSON.parse.
func cherryDecode(t *testing.T, link string) map[string]string {
	t.Helper()
	u, err := url.Parse(strings.TrimSpace(link))
	if err != nil {
		t.Fatal(err)
	}
	if u.Scheme != "cherrystudio" || u.Host != "providers" || u.Path != "/api-keys" {
		t.Fatalf("want cherrystudio://providers/api-keys, got %s://%s%s", u.Scheme, u.Host, u.Path)
	}
	raw := strings.NewReplacer("+", "_", "/", "-").Replace(u.RawQuery)
	q, err := url.ParseQuery(raw)
	if err != nil {
		t.Fatal(err)
	}
	if q.Get("v") != "1" {
		t.Errorf("v = %q", q.Get("v"))
	}
	data := strings.NewReplacer("_", "+", "-", "/").Replace(q.Get("data"))
	js, err := base64.StdEncoding.DecodeString(data)
	if err != nil {
		t.Fatalf("data is not base64: %v", err)
	}
	s := strings.NewReplacer("'", `"`, "(", "", ")", "").Replace(string(js))
	var m map[string]string
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatalf("Cherry Studio could not parse the data: %v", err)
	}
	return m
}

func TestCherryGolden(t *testing.T) {
	golden(t, "cherry-studio.txt", write(t, "cherry-studio", []*credential.Credential{relay()}, Options{}))
}

func TestCherryDecode(t *testing.T) {
	c := relay()
	// "é>?" puts + and / into the base64; the quote and brackets are what
	// Cherry Studio rewrites.
	c.Name = "Bob's Relay (work) é>?"
	c.Key = secret.New("sk-test-a'b(c)")
	link := write(t, "cherry-studio", []*credential.Credential{c}, Options{})
	data := strings.TrimSpace(link)[strings.Index(link, "data=")+5:]
	if !strings.ContainsAny(data, "+/") {
		t.Fatalf("data %s has no + or /: the test does not cover them", data)
	}
	// Standard base64, not URL-encoded.
	js, err := base64.StdEncoding.DecodeString(data)
	if err != nil {
		t.Fatalf("data is not standard base64: %v", err)
	}
	var std map[string]string
	if err := json.Unmarshal(js, &std); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"id": "relay", "baseUrl": "https://relay.example.com", "apiKey": "sk-test-a'b(c)", "name": "Bob's Relay (work) é>?"}
	if !reflect.DeepEqual(std, want) {
		t.Errorf("decoded %v, want %v", std, want)
	}
	if got := cherryDecode(t, link); !reflect.DeepEqual(got, want) {
		t.Errorf("as Cherry Studio reads it: %v, want %v", got, want)
	}

	c = relay()
	c.APIType, c.BaseURL = credential.Google, "https://generativelanguage.googleapis.com"
	if got := cherryDecode(t, write(t, "cherry-studio", []*credential.Credential{c}, Options{})); got["type"] != "gemini" {
		t.Errorf("google type = %q, want gemini", got["type"])
	}
	c.APIType = credential.Anthropic
	if got := cherryDecode(t, write(t, "cherry-studio", []*credential.Credential{c}, Options{})); got["type"] != "anthropic" {
		t.Errorf("anthropic type = %q", got["type"])
	}
}

func TestCursorPlusGolden(t *testing.T) {
	golden(t, "cursor-plus.json", write(t, "cursor-plus", []*credential.Credential{relay()}, Options{}))
}

func TestCursorPlusShape(t *testing.T) {
	out := write(t, "cursor-plus", []*credential.Credential{relay()}, Options{Model: "gpt-5"})
	if !strings.HasSuffix(out, "}\n") {
		t.Errorf("no trailing newline: %q", out)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"id": "relay-work-" + fnv1a("relay"), "name": "Relay Work", "type": "openai-chat",
		"baseUrl": "https://relay.example.com/v1",
		"auth":    map[string]any{"kind": "apiKey", "value": "sk-test-relay-1234"},
		"models":  []any{map[string]any{"id": "gpt-5", "apiModel": "gpt-5", "defaultOn": true}},
	}
	if !reflect.DeepEqual(m, want) {
		t.Errorf("got %v\nwant %v", m, want)
	}

	for apiType, typ := range map[string]string{credential.OpenAI: "openai-chat", credential.Anthropic: "anthropic", credential.Google: "gemini"} {
		c := relay()
		c.APIType = apiType
		c.BaseURL = "https://relay.example.com/api/coding/v3"
		if err := json.Unmarshal([]byte(write(t, "cursor-plus", []*credential.Credential{c}, Options{})), &m); err != nil {
			t.Fatal(err)
		}
		if m["type"] != typ || m["baseUrl"] != "https://relay.example.com/api/coding/v3" {
			t.Errorf("%s: type %v baseUrl %v", apiType, m["type"], m["baseUrl"])
		}
	}
}

// TestCursorPlusID pins All API Hub's own test vector
// (tests/services/cursorPlusExport.test.ts) and its UTF-16 reading.
func TestCursorPlusID(t *testing.T) {
	if got := fnv1a("account-token:example-account:7"); got != "7df7c1ad" {
		t.Errorf("fnv1a = %s, want 7df7c1ad", got)
	}
	if got := slugify(" Example Provider "); got != "example-provider" {
		t.Errorf("slug = %s", got)
	}
	if got := slugify("示例提供商"); got != "provider" {
		t.Errorf("slug of a non-Latin name = %s, want provider", got)
	}
	if got := slugify("Café Ｒelay"); got != "cafe-relay" {
		t.Errorf("NFKD slug = %s, want cafe-relay", got)
	}
	// U+1F600 is the surrogate pair D83D DE00; only D83D is hashed.
	if fnv1a("a\U0001F600") != fnv1a("a\U0001F601") {
		t.Error("astral code points: want only the high surrogate hashed")
	}
}

func TestCursorPlusRefuses(t *testing.T) {
	f, _ := Lookup("cursor-plus")
	c := relay()
	c.Models = nil
	_, err := f.Write([]*credential.Credential{c}, Options{})
	if err == nil || !strings.Contains(err.Error(), "--model") {
		t.Errorf("no models: %v", err)
	}
	c.Models = []string{"  "}
	if _, err := f.Write([]*credential.Credential{c}, Options{}); err == nil {
		t.Error("blank model accepted")
	}
	c = relay()
	c.APIType = "bedrock"
	if _, err := f.Write([]*credential.Credential{c}, Options{}); err == nil || !strings.Contains(err.Error(), "bedrock") {
		t.Errorf("unknown api_type: %v", err)
	}
	if _, err := f.Write([]*credential.Credential{relay(), relay()}, Options{}); err == nil {
		t.Error("two credentials accepted")
	}
}
