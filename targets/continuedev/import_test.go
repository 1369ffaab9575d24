package continuedev_test

import (
	"strings"
	"testing"

	"github.com/hubctl/hub/targets/targettest"
)

// A config.yaml as in testdata/realistic_config.txtar with hub-shaped
// entries for two credentials (roles set), the user's own Anthropic entry
// (its key in .env) and a local autocomplete model.
const realConfig = `# My Continue config
name: My Config
version: 0.0.2
schema: v1

models:
  - name: Claude Sonnet (Anthropic)
    provider: anthropic
    model: claude-sonnet-4-20250514
    apiKey: ${{ secrets.ANTHROPIC_API_KEY }}
    roles:
      - chat
      - edit
  # local autocomplete
  - name: Qwen2.5-Coder 1.5B
    provider: ollama
    model: qwen2.5-coder:1.5b-base
    roles:
      - autocomplete
  - name: Relay / deepseek-chat
    provider: openai
    model: deepseek-chat
    apiBase: https://relay.example.com/v1/
    apiKey: sk-test-cont-import-0001
    roles: [chat, edit, apply]
  - name: Relay / qwen3-coder
    provider: openai
    model: qwen3-coder
    apiBase: https://relay.example.com/v1/
    apiKey: sk-test-cont-import-0001
    roles: [chat, edit, apply]
  - name: Claude / claude-sonnet-4-5
    provider: anthropic
    model: claude-sonnet-4-5
    apiBase: https://api.anthropic.com/v1/
    apiKey: sk-ant-test-cont-import-0002
    roles: [chat, edit, apply]

context:
  - provider: code
  - provider: codebase

rules:
  - Always give concise responses
`

func TestImportTwoCredentials(t *testing.T) {
	home := t.TempDir()
	targettest.WriteFiles(t, home, map[string]string{".continue/config.yaml": realConfig, ".continue/.env": "# Continue secrets\nANTHROPIC_API_KEY=sk-ant-test-cont-mine-0003\n"})
	src, found := targettest.Import(t, "continue", home, nil)
	if len(found) != 2 || found[0].NoBlock || !found[1].NoBlock {
		t.Fatalf("found %+v", found)
	}
	targettest.CheckCreds(t, found[0].Credentials,
		targettest.WantCred{APIType: "openai-compatible", BaseURL: "https://relay.example.com", Name: "Relay", Key: "sk-test-cont-import-0001", Models: []string{"deepseek-chat", "qwen3-coder"}},
		targettest.WantCred{APIType: "anthropic", BaseURL: "https://api.anthropic.com", Name: "Claude", Key: "sk-ant-test-cont-import-0002", Models: []string{"claude-sonnet-4-5"}})
	// The user's own entry, named their way: its key, alone.
	targettest.CheckCreds(t, found[1].Credentials, targettest.WantCred{APIType: "anthropic", BaseURL: "https://api.anthropic.com", Key: "sk-ant-test-cont-mine-0003"})
	targettest.Warned(t, found[1].Warnings, `"Claude Sonnet (Anthropic)" is not named "<credential name> / <model>"`)
	targettest.GoldenFile(t, "testdata/import/two_credentials.hcl", src)
}

func TestImportSecrets(t *testing.T) {
	// key_mode = "env": the keys in .env, config.yaml referring to them;
	// Continue's directory from CONTINUE_GLOBAL_DIR.
	home := t.TempDir()
	targettest.WriteFiles(t, home, map[string]string{
		"cont/config.yaml": `name: Main Config
version: 1.0.0
schema: v1
models:
  - name: Relay / deepseek-chat
    provider: openai
    model: deepseek-chat
    apiBase: https://relay.example.com/v1/
    apiKey: ${{ secrets.RELAY_KEY }}
  - name: Gemini / gemini-2.5-pro
    provider: gemini
    model: gemini-2.5-pro
    apiBase: https://generativelanguage.googleapis.com/v1beta/
    apiKey: ${{ secrets.GEMINI_API_KEY }}
`,
		"cont/.env": "RELAY_KEY=sk-test-cont-import-0004\nGEMINI_API_KEY=sk-test-cont-import-0005\n",
	})
	env := map[string]string{"CONTINUE_GLOBAL_DIR": home + "/cont"}
	src, found := targettest.Import(t, "continue", home, env)
	if len(found) != 1 || found[0].NoBlock {
		t.Fatalf("found %+v", found)
	}
	targettest.CheckCreds(t, found[0].Credentials,
		targettest.WantCred{APIType: "openai-compatible", BaseURL: "https://relay.example.com", Name: "Relay", Key: "sk-test-cont-import-0004", Models: []string{"deepseek-chat"}},
		targettest.WantCred{APIType: "google", BaseURL: "https://generativelanguage.googleapis.com", Name: "Gemini", Key: "sk-test-cont-import-0005", Models: []string{"gemini-2.5-pro"}})
	targettest.GoldenFile(t, "testdata/import/secrets.hcl", src)

	// A secret .env does not hold: a warning naming it.
	targettest.WriteFiles(t, home, map[string]string{"cont/.env": "GEMINI_API_KEY=sk-test-cont-import-0005\n"})
	got, err := targettest.ImportOnly(t, "continue", home, env)
	if err != nil || len(got) != 2 || len(got[0].Credentials) != 1 {
		t.Fatalf("found %+v, %v", got, err)
	}
	targettest.Warned(t, got[1].Warnings, "the secret RELAY_KEY")
}

func TestImportNothing(t *testing.T) {
	for name, files := range map[string]map[string]string{
		"no files":     nil,
		"local models": {".continue/config.yaml": "name: c\nversion: 1.0.0\nmodels:\n  - name: Qwen\n    provider: ollama\n    model: qwen2.5-coder\n"},
	} {
		home := t.TempDir()
		targettest.WriteFiles(t, home, files)
		found, err := targettest.ImportOnly(t, "continue", home, nil)
		if err != nil || len(found) != 0 {
			t.Errorf("%s: %+v, %v; want nothing", name, found, err)
		}
	}
}

func TestImportLegacy(t *testing.T) {
	home := t.TempDir()
	targettest.WriteFiles(t, home, map[string]string{".continue/config.json": `{"models": [{"title": "GPT-4o", "provider": "openai", "model": "gpt-4o", "apiKey": "sk-test-cont-legacy-0006"}]}`})
	found, err := targettest.ImportOnly(t, "continue", home, nil)
	if err != nil || len(found) != 1 || !found[0].NoBlock || len(found[0].Credentials) > 0 {
		t.Fatalf("found %+v, %v; want a warning alone", found, err)
	}
	targettest.Warned(t, found[0].Warnings, "legacy format")
}

func TestImportBroken(t *testing.T) {
	home := t.TempDir()
	targettest.WriteFiles(t, home, map[string]string{".continue/config.yaml": "name: c\nmodels:\n  - name: [x\n"})
	_, err := targettest.ImportOnly(t, "continue", home, nil)
	if err == nil || !strings.Contains(err.Error(), "config.yaml: ") || !strings.Contains(err.Error(), "line") {
		t.Fatalf("error %v; want one naming config.yaml and the line", err)
	}
}
