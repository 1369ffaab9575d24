package claudecode_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/hubctl/hub/targets"
	"github.com/hubctl/hub/targets/targettest"
)

// realSettings is a settings.json as users have it (see
// testdata/realistic_settings.txtar), holding a relay's env.
const realSettings = `{
  "$schema": "https://json.schemastore.org/claude-code-settings.json",
  "permissions": {
    "allow": [
      "Bash(npm run lint)",
      "Read(~/.zshrc)"
    ],
    "defaultMode": "acceptEdits"
  },
  "env": {
    "DISABLE_TELEMETRY": "1",
    "ANTHROPIC_BASE_URL": "https://relay.example.com/api",
    "ANTHROPIC_AUTH_TOKEN": "sk-test-claude-import-0001",
    "ANTHROPIC_MODEL": "claude-sonnet-4-5",
    "ANTHROPIC_DEFAULT_HAIKU_MODEL": "claude-haiku-4-5"
  },
  "statusLine": {
    "type": "command",
    "command": "~/.claude/statusline.sh"
  },
  "includeCoAuthoredBy": false
}
`

func TestImportRelay(t *testing.T) {
	home := t.TempDir()
	targettest.WriteFiles(t, home, map[string]string{".claude/settings.json": realSettings})
	src, found := targettest.Import(t, "claude_code", home, nil)
	if len(found) != 1 || found[0].NoBlock || len(found[0].Warnings) > 0 {
		t.Fatalf("found %+v", found)
	}
	targettest.CheckCreds(t, found[0].Credentials, targettest.WantCred{APIType: "anthropic", BaseURL: "https://relay.example.com/api", Key: "sk-test-claude-import-0001"})
	targettest.GoldenFile(t, "testdata/import/relay.hcl", src)
}

func TestImportAPIKeyConfigDir(t *testing.T) {
	home := t.TempDir()
	dir := filepath.Join(home, "claude-work")
	targettest.WriteFiles(t, dir, map[string]string{"settings.json": `{
  "env": {
    "ANTHROPIC_BASE_URL": "https://api.anthropic.com",
    "ANTHROPIC_API_KEY": "sk-test-claude-import-0002",
    "ANTHROPIC_DEFAULT_OPUS_MODEL": "claude-opus-4-1",
    "ANTHROPIC_DEFAULT_SONNET_MODEL": "claude-sonnet-4-5"
  }
}
`})
	src, found := targettest.Import(t, "claude_code", home, map[string]string{"CLAUDE_CONFIG_DIR": dir})
	if len(found) != 1 || found[0].NoBlock {
		t.Fatalf("found %+v", found)
	}
	targettest.CheckCreds(t, found[0].Credentials, targettest.WantCred{APIType: "anthropic", BaseURL: "https://api.anthropic.com", Key: "sk-test-claude-import-0002"})
	targettest.GoldenFile(t, "testdata/import/api_key.hcl", src)
}

func importDirect(t *testing.T, files map[string]string) ([]targets.Imported, error) {
	t.Helper()
	home := t.TempDir()
	targettest.WriteFiles(t, home, files)
	return targettest.ImportOnly(t, "claude_code", home, nil)
}

func TestImportNothing(t *testing.T) {
	for name, files := range map[string]map[string]string{
		"no file": nil,
		// A login: Claude Code keeps OAuth tokens elsewhere, settings.json
		// has no key.
		"oauth": {".claude/settings.json": `{"model": "opus", "env": {"DISABLE_TELEMETRY": "1"}}`},
	} {
		found, err := importDirect(t, files)
		if err != nil || len(found) != 0 {
			t.Errorf("%s: %+v, %v; want nothing", name, found, err)
		}
	}
}

func TestImportBroken(t *testing.T) {
	_, err := importDirect(t, map[string]string{".claude/settings.json": "{\n  \"env\": {\n    \"A\": \"1\",,\n  }\n}\n"})
	if err == nil || !strings.Contains(err.Error(), "settings.json: line 3, column 14") {
		t.Fatalf("error %v; want one naming settings.json:3:14", err)
	}
}

func TestImportInexact(t *testing.T) {
	for name, c := range map[string]struct{ settings, warn string }{
		"trailing slash": {`{"env": {"ANTHROPIC_BASE_URL": "https://relay.example.com/", "ANTHROPIC_AUTH_TOKEN": "sk-test-claude-import-0003"}}`,
			"env.ANTHROPIC_BASE_URL in"},
		"no base URL": {`{"env": {"ANTHROPIC_API_KEY": "sk-test-claude-import-0003"}}`, "has no env.ANTHROPIC_BASE_URL"},
		"both keys": {`{"env": {"ANTHROPIC_BASE_URL": "https://relay.example.com", "ANTHROPIC_AUTH_TOKEN": "sk-test-claude-import-0003", "ANTHROPIC_API_KEY": ""}}`,
			"holds both"},
	} {
		found, err := importDirect(t, map[string]string{".claude/settings.json": c.settings})
		if err != nil || len(found) != 1 {
			t.Fatalf("%s: %+v, %v", name, found, err)
		}
		f := found[0]
		if !f.NoBlock || len(f.Attrs) > 0 || len(f.Credentials) != 1 || f.Credentials[0].Key.Reveal() != "sk-test-claude-import-0003" {
			t.Errorf("%s: want the credential alone, got NoBlock=%v attrs=%v", name, f.NoBlock, f.Attrs)
		}
		if !strings.Contains(strings.Join(f.Warnings, "\n"), c.warn) {
			t.Errorf("%s: warnings %q, want %q", name, f.Warnings, c.warn)
		}
	}
}

// hub's own CLAUDE_CODE_DISABLE_LEGACY_MODEL_REMAP = "1" comes back as
// keep_legacy_models, which then adopts it; any other value is the user's.
func TestImportKeepLegacyModels(t *testing.T) {
	home := t.TempDir()
	targettest.WriteFiles(t, home, map[string]string{".claude/settings.json": `{
  "env": {
    "ANTHROPIC_BASE_URL": "https://relay.example.com",
    "ANTHROPIC_AUTH_TOKEN": "sk-test-claude-import-0004",
    "ANTHROPIC_MODEL": "claude-opus-4-1",
    "CLAUDE_CODE_DISABLE_LEGACY_MODEL_REMAP": "1"
  }
}
`})
	src, found := targettest.Import(t, "claude_code", home, nil)
	if len(found) != 1 || found[0].NoBlock {
		t.Fatalf("found %+v", found)
	}
	targettest.GoldenFile(t, "testdata/import/keep_legacy_models.hcl", src)

	found, err := importDirect(t, map[string]string{".claude/settings.json": `{"env": {"ANTHROPIC_BASE_URL": "https://relay.example.com",
  "ANTHROPIC_AUTH_TOKEN": "sk-test-claude-import-0004", "CLAUDE_CODE_DISABLE_LEGACY_MODEL_REMAP": "true"}}`})
	if err != nil || len(found) != 1 {
		t.Fatalf("%+v, %v", found, err)
	}
	for _, a := range found[0].Attrs {
		if a.Name == "keep_legacy_models" {
			t.Errorf("a value hub never writes (\"true\") became keep_legacy_models")
		}
	}
}
