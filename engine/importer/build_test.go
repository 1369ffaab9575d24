package importer

import (
	"strings"
	"testing"

	"github.com/hubctl/hub/credential"
	"github.com/hubctl/hub/secret"
	"github.com/hubctl/hub/targets"
	_ "github.com/hubctl/hub/targets/all"
)

func cred(name, typ, url, key string, tags ...string) *credential.Credential {
	return &credential.Credential{Name: name, APIType: typ, BaseURL: url, Key: secret.New(key), Tags: tags}
}

func TestBuildDeduplicatesAndNames(t *testing.T) {
	existing := Existing{
		Credentials: map[string]*credential.Credential{"relay": cred("Relay", "openai-compatible", "https://relay.example.com", "sk-test-build-existing-01")},
		Targets:     map[string][]string{"claude_code.default": {"/home/u/.claude/settings.json"}},
	}
	results := []Result{
		{Source: "all-api-hub", Found: []Found{
			{Source: "profile Relay", Credential: cred("Relay", "openai-compatible", "https://relay.example.com", "sk-test-build-existing-01")},
			{Source: "profile My Relay!", Credential: cred("My Relay!", "openai-compatible", "https://two.example.com", "sk-test-build-two-0002", "work")},
			{Source: "profile Copy", Credential: cred("Copy", "openai-compatible", "https://two.example.com", "sk-test-build-two-0002", "home")},
			{Source: "profile Google", Credential: cred("Google", "google", "https://g.example.com", "sk-test-build-g-0003")},
			{Source: "profile 42", Credential: cred("42", "anthropic", "https://x.example.com", "sk-test-build-x-0004")},
		}, Skipped: []Skipped{{Source: "account a", Why: "a site login, not an API key"}}},
		{Source: "codex", Targets: []Target{{Type: "codex", Imported: targetsImported("default", "/home/u/.codex/config.toml", cred("relay", "openai-compatible", "https://two.example.com", "sk-test-build-two-0002"))}}},
		{Source: "claude_code", Targets: []Target{{Type: "claude_code", Imported: targetsImported("default", "/home/u/.claude/settings.json", cred("", "anthropic", "https://z.example.com", "sk-test-build-z-0005"))}}},
	}
	out := Build(results, existing, Filter{}, func(id string) string { return `secret("` + id + `")` })
	var ids []string
	for _, c := range out.Creds {
		ids = append(ids, c.ID)
	}
	if got := strings.Join(ids, ","); got != "my-relay,google,key-42" {
		t.Fatalf("ids = %s", got)
	}
	if tags := out.Creds[0].C.Tags; strings.Join(tags, ",") != "work,home" {
		t.Errorf("merged tags = %v", tags)
	}
	if len(out.Blocks) != 1 || out.Blocks[0].Type != "codex" || out.Blocks[0].Creds[0] != "my-relay" {
		t.Fatalf("blocks = %+v", out.Blocks)
	}
	s := out.Summaries
	if s[0].Found != 5 || s[0].Imported != 3 || s[0].Merged != 2 || s[0].Skipped != 1 {
		t.Errorf("all-api-hub summary = %+v", s[0])
	}
	if s[2].Targets != 0 || s[2].Skipped != 1 || !strings.Contains(strings.Join(s[2].Notes, "\n"), "claude_code.default already manages") {
		t.Errorf("claude_code summary = %+v", s[2])
	}
	src, err := WriteHCL(out.Creds, out.Blocks)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(src), "sk-test-build") {
		t.Fatal("a key in the HCL")
	}
	for _, want := range []string{`credential "my-relay" {`, `name     = "My Relay!"`, `api_key  = secret("my-relay")`, `tags     = ["work", "home"]`, `target "codex" "default" {`, `credential = credential.my-relay`, "# From profile My Relay!"} {
		if !strings.Contains(string(src), want) {
			t.Errorf("HCL lacks %q:\n%s", want, src)
		}
	}
	// Filters.
	out = Build(results[:1], Existing{}, Filter{Tag: "work"}, func(id string) string { return `env("X")` })
	if len(out.Creds) != 1 || out.Creds[0].ID != "my-relay" {
		t.Errorf("tag filter: %+v", out.Creds)
	}
	out = Build(results[:1], Existing{}, Filter{Search: "G.EXAMPLE"}, func(id string) string { return `env("X")` })
	if len(out.Creds) != 1 || out.Creds[0].ID != "google" {
		t.Errorf("search filter: %+v", out.Creds)
	}
}

func targetsImported(name, file string, c *credential.Credential) targets.Imported {
	return targets.Imported{Name: name, Files: []string{file}, Credentials: []*credential.Credential{c}}
}
