package codex_test

import (
	"strings"
	"testing"

	"github.com/hubctl/hub/targets/targettest"
)

// A config.toml as in testdata/realistic_config.txtar, with the relay as
// the active provider (key inline), a second provider reading its key from
// the environment, and a ChatGPT login in auth.json (no API key).
const realConfig = `# Codex config - mine
model = "gpt-5-codex"            # default model
approval_policy = "on-request"
sandbox_mode = "workspace-write"
model_provider = "relay"

[mcp_servers.docs]
command = "npx"
args = ["-y", "mcp-docs"]   # docs server

# Azure deployment for work
[model_providers.azure]
name = "Azure"
base_url = "https://example.openai.azure.com/openai"
env_key = "AZURE_OPENAI_API_KEY"
query_params = { api-version = "2025-04-01-preview" }

[model_providers.relay]
name = "Company relay"
base_url = "https://relay.example.com/v1"
wire_api = "responses"
experimental_bearer_token = "sk-test-codex-import-0001"

[profiles.fast]
model = "gpt-5-mini"

[projects."/home/me/src/app"]
trust_level = "trusted"
`

const chatGPTLogin = `{
  "OPENAI_API_KEY": null,
  "tokens": {
    "id_token": "eyJ.test.id",
    "access_token": "eyJ.test.access",
    "refresh_token": "rt-test",
    "account_id": "acc-test"
  },
  "last_refresh": "2026-11-30T10:00:00Z"
}
`

func TestImportRelay(t *testing.T) {
	home := t.TempDir()
	targettest.WriteFiles(t, home, map[string]string{".codex/config.toml": realConfig, ".codex/auth.json": chatGPTLogin})
	src, found := targettest.Import(t, "codex", home, map[string]string{"AZURE_OPENAI_API_KEY": "sk-test-codex-import-0002"})
	if len(found) != 2 || found[0].NoBlock || !found[1].NoBlock {
		t.Fatalf("found %+v", found)
	}
	targettest.CheckCreds(t, found[0].Credentials, targettest.WantCred{APIType: "openai-compatible", BaseURL: "https://relay.example.com", Name: "Company relay", Key: "sk-test-codex-import-0001"})
	targettest.CheckCreds(t, found[1].Credentials, targettest.WantCred{APIType: "openai-compatible", BaseURL: "https://example.openai.azure.com/openai", Name: "Azure", Key: "sk-test-codex-import-0002"})
	targettest.Warned(t, found[1].Warnings, "[model_providers.azure] is not the active provider")
	targettest.GoldenFile(t, "testdata/import/relay.hcl", src)
}

func TestImportEnvKey(t *testing.T) {
	home := t.TempDir()
	targettest.WriteFiles(t, home, map[string]string{"codex-home/config.toml": `approval_policy = "never"
model_provider = "my-relay"

[model_providers.my-relay]
name = "my-relay"
base_url = "https://relay.example.com/api/coding/v3"
wire_api = "responses"
env_key = "MY_RELAY_API_KEY"
`})
	env := map[string]string{"CODEX_HOME": home + "/codex-home", "MY_RELAY_API_KEY": "sk-test-codex-import-0003"}
	src, found := targettest.Import(t, "codex", home, env)
	if len(found) != 1 || found[0].NoBlock {
		t.Fatalf("found %+v", found)
	}
	targettest.CheckCreds(t, found[0].Credentials, targettest.WantCred{APIType: "openai-compatible", BaseURL: "https://relay.example.com/api/coding/v3", Name: "my-relay", Key: "sk-test-codex-import-0003"})
	targettest.GoldenFile(t, "testdata/import/env_key.hcl", src)

	// The variable unset: nothing to import, and a warning naming it.
	delete(env, "MY_RELAY_API_KEY")
	got, err := targettest.ImportOnly(t, "codex", home, env)
	if err != nil || len(got) != 1 || !got[0].NoBlock || len(got[0].Credentials) > 0 {
		t.Fatalf("found %+v, %v; want a warning alone", got, err)
	}
	targettest.Warned(t, got[0].Warnings, "$MY_RELAY_API_KEY, which is not set")
}

func TestImportAuthJSON(t *testing.T) {
	// codex login --with-api-key: the built-in openai provider, no
	// provider table hub could own. The key is a credential, alone.
	home := t.TempDir()
	targettest.WriteFiles(t, home, map[string]string{
		".codex/config.toml": "model = \"gpt-5\"\n",
		".codex/auth.json":   `{"auth_mode": "apikey", "OPENAI_API_KEY": "sk-test-codex-import-0004", "tokens": null, "last_refresh": null}`,
	})
	src, found := targettest.Import(t, "codex", home, nil)
	if len(found) != 1 || !found[0].NoBlock {
		t.Fatalf("found %+v", found)
	}
	targettest.CheckCreds(t, found[0].Credentials, targettest.WantCred{APIType: "openai", BaseURL: "https://api.openai.com", Name: "OpenAI", Key: "sk-test-codex-import-0004"})
	targettest.Warned(t, found[0].Warnings, "built-in openai provider")
	if strings.Contains(src, "target") {
		t.Errorf("a target block was written:\n%s", src)
	}
}

func TestImportNothing(t *testing.T) {
	for name, files := range map[string]map[string]string{
		"no files":       nil,
		"chatgpt login":  {".codex/config.toml": "model = \"gpt-5\"\n", ".codex/auth.json": chatGPTLogin},
		"only mcp setup": {".codex/config.toml": "[mcp_servers.docs]\ncommand = \"npx\"\n"},
	} {
		home := t.TempDir()
		targettest.WriteFiles(t, home, files)
		found, err := targettest.ImportOnly(t, "codex", home, nil)
		if err != nil || len(found) != 0 {
			t.Errorf("%s: %+v, %v; want nothing", name, found, err)
		}
	}
}

func TestImportInexact(t *testing.T) {
	for name, c := range map[string]struct{ table, warn string }{
		"no version":  {"name = \"R\"\nbase_url = \"https://relay.example.com/openai\"\nwire_api = \"responses\"\nexperimental_bearer_token = \"sk-test-codex-import-0005\"\n", "hub would write as https://relay.example.com/openai/v1"},
		"no wire_api": {"name = \"R\"\nbase_url = \"https://relay.example.com/v1\"\nexperimental_bearer_token = \"sk-test-codex-import-0005\"\n", "wire_api"},
	} {
		home := t.TempDir()
		targettest.WriteFiles(t, home, map[string]string{".codex/config.toml": "model_provider = \"r\"\n\n[model_providers.r]\n" + c.table})
		found, err := targettest.ImportOnly(t, "codex", home, nil)
		if err != nil || len(found) != 1 || !found[0].NoBlock || len(found[0].Credentials) != 1 || len(found[0].Attrs) > 0 {
			t.Fatalf("%s: found %+v, %v; want the credential alone", name, found, err)
		}
		targettest.Warned(t, found[0].Warnings, c.warn)
	}
}

func TestImportBroken(t *testing.T) {
	// A broken config.toml is an error naming it and the position; the
	// key in auth.json is still found.
	home := t.TempDir()
	targettest.WriteFiles(t, home, map[string]string{
		".codex/config.toml": "model = \"gpt-5\"\napproval_policy = on-request\n",
		".codex/auth.json":   `{"OPENAI_API_KEY": "sk-test-codex-import-0006"}`,
	})
	found, err := targettest.ImportOnly(t, "codex", home, nil)
	if err == nil || !strings.Contains(err.Error(), "config.toml: line 2, column 19") {
		t.Fatalf("error %v; want one naming config.toml:2:19", err)
	}
	if len(found) != 1 || len(found[0].Credentials) != 1 {
		t.Fatalf("found %+v; want auth.json's key", found)
	}

	targettest.WriteFiles(t, home, map[string]string{".codex/config.toml": "", ".codex/auth.json": "{\n  \"OPENAI_API_KEY\": \"sk-test-codex-import-0006\"\n  \"tokens\": null\n}"})
	if _, err := targettest.ImportOnly(t, "codex", home, nil); err == nil || !strings.Contains(err.Error(), "auth.json: line 3") {
		t.Fatalf("error %v; want one naming auth.json:3", err)
	}
}
