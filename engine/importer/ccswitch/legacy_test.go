package ccswitch

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hubctl/hub/engine/importer"
)

// legacyV2 is a config.json as CC Switch 3.x wrote it before 3.7 (a
// MultiAppConfig), with one provider entry of the wrong shape.
const legacyV2 = `{
  "version": 2,
  "claude": {
    "providers": {
      "claude-official": {"id": "claude-official", "name": "Claude Official", "category": "official",
        "settingsConfig": {"env": {}}, "websiteUrl": "https://www.anthropic.com/claude-code", "sortIndex": 0},
      "relay": {"id": "relay", "name": "Relay", "sortIndex": 1, "notes": "team relay",
        "settingsConfig": {"env": {"ANTHROPIC_AUTH_TOKEN": "` + keyRelay + `", "ANTHROPIC_BASE_URL": "https://relay.example.com/"}},
        "meta": {"custom_endpoints": {"https://relay2.example.com": {"url": "https://relay2.example.com", "addedAt": 1}}}},
      "odd": {"id": "odd", "name": "Odd", "settingsConfig": "not an object"}
    },
    "current": "relay"
  },
  "codex": {
    "providers": {
      "c": {"id": "c", "name": "Codex Relay",
        "settingsConfig": {"auth": {"OPENAI_API_KEY": "` + keyCodex + `"}, "config": "model_provider = \"custom\"\nmodel = \"gpt-5-codex\"\n\n[model_providers.custom]\nname = \"Codex Relay\"\nbase_url = \"https://codex.example.com/v1\"\nwire_api = \"responses\"\nrequires_openai_auth = true\n"}}
    },
    "current": "c"
  },
  "mcp": {"claude": {"servers": {}}, "codex": {"servers": {}}},
  "prompts": {},
  "common_config_snippets": {}
}`

func writeFile(t *testing.T, name, data string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestReadLegacy(t *testing.T) {
	path := writeFile(t, "config.json", legacyV2)
	res, err := Read(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	noKeys(t, res, err)
	got, keys := flatten(t, res.Found)
	want := []flat{
		{Source: "cc-switch claude/Relay", Name: "Relay", APIType: "anthropic", BaseURL: "https://relay.example.com", Notes: "team relay"},
		{Source: "cc-switch codex/Codex Relay", Name: "Codex Relay", APIType: "openai-compatible", BaseURL: "https://codex.example.com", Models: []string{"gpt-5-codex"}},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("Found (-want +got):\n%s", d)
	}
	checkKeys(t, keys, map[string]string{"cc-switch claude/Relay": keyRelay, "cc-switch codex/Codex Relay": keyCodex})
	wantSkipped := []importer.Skipped{{Source: "cc-switch claude/Claude Official", Why: "an official provider that signs in with the tool's own login, not an API key"}}
	if d := cmp.Diff(wantSkipped, res.Skipped); d != "" {
		t.Errorf("Skipped (-want +got):\n%s", d)
	}
	wantWarnings := []string{
		"cc-switch claude/odd: not read: its entry in " + path + " has the wrong shape at line 10, column 76: settingsConfig: a string where an object was expected",
		"cc-switch claude/Relay: 1 other endpoint not imported (https://relay2.example.com): a credential has one base URL; change base_url to use another",
	}
	if d := cmp.Diff(wantWarnings, res.Warnings); d != "" {
		t.Errorf("Warnings (-want +got):\n%s", d)
	}
}

// TestReadLegacyV1: the first config.json held Claude's providers at the top.
func TestReadLegacyV1(t *testing.T) {
	path := writeFile(t, "config.json", `{"providers": {"a": {"id": "a", "name": "A",
		"settingsConfig": {"env": {"ANTHROPIC_AUTH_TOKEN": "`+keyRelay+`", "ANTHROPIC_BASE_URL": "https://a.example.com"}}}}, "current": "a"}`)
	res, err := Read(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := flatten(t, res.Found)
	want := []flat{{Source: "cc-switch claude/A", Name: "A", APIType: "anthropic", BaseURL: "https://a.example.com"}}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("Found (-want +got):\n%s", d)
	}
}

func TestReadLegacyMalformed(t *testing.T) {
	path := writeFile(t, "config.json", "{\n  \"version\": 2,\n  \"claude\": {\"providers\": {\"r\": {\"settingsConfig\": {\"env\": {\"ANTHROPIC_AUTH_TOKEN\": \""+keyRelay+"\"}}}}\n  \"codex\": {}\n}")
	res, err := Read(context.Background(), path)
	want := "cc-switch: " + path + " is not valid JSON at line 4, column 3: invalid character '\"' after object key:value pair"
	if err == nil || err.Error() != want {
		t.Errorf("Read = %v\nwant %s", err, want)
	}
	noKeys(t, res, err)
	// An empty .json file is malformed JSON, not "not a database".
	path = writeFile(t, "config.json", "")
	if _, err := Read(context.Background(), path); err == nil || !strings.Contains(err.Error(), "is not valid JSON") {
		t.Errorf("Read of an empty config.json = %v", err)
	}
}
