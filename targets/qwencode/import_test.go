package qwencode_test

import (
	"strings"
	"testing"

	"github.com/hubctl/hub/targets/targettest"
)

// A ~/.qwen as in testdata/realistic.txtar: comments, "$version", MCP
// servers, the user's own DashScope entry beside a relay's two entries
// (named "<model> (<name>)"), the relay's model picked, and its key in
// .env beside the user's own variables.
const realSettings = `{
  "$version": 4,
  // MCP
  "mcpServers": {
    "github": {
      "command": "npx",
      "args": ["-y", "@modelcontextprotocol/server-github"]
    }
  },
  "modelProviders": {
    "openai": [
      {
        "id": "qwen3-coder-plus",
        "name": "Qwen3 Coder Plus",
        "baseUrl": "https://dashscope.aliyuncs.com/compatible-mode/v1",
        "envKey": "DASHSCOPE_API_KEY"
      },
      {
        "id": "kimi-k2",
        "name": "kimi-k2 (Company relay)",
        "baseUrl": "https://relay.example.com/v1",
        "envKey": "RELAY_API_KEY"
      },
      {
        "id": "glm-4.6",
        "name": "glm-4.6 (Company relay)",
        "baseUrl": "https://relay.example.com/v1",
        "envKey": "RELAY_API_KEY"
      }
    ]
  },
  "model": {
    "name": "glm-4.6", // picked with /model
    "baseUrl": "https://relay.example.com/v1"
  },
  "security": {
    "auth": {
      "selectedType": "openai"
    }
  }
}
`

const realEnv = `# mine
DASHSCOPE_API_KEY=sk-test-qwen-dashscope-0009
OPENAI_API_KEY="sk-test-qwen-other-0008"
RELAY_API_KEY=sk-test-qwen-import-0001
`

func TestImportRelay(t *testing.T) {
	home := t.TempDir()
	targettest.WriteFiles(t, home, map[string]string{".qwen/settings.json": realSettings, ".qwen/.env": realEnv})
	src, found := targettest.Import(t, "qwen_code", home, nil)
	if len(found) != 1 || found[0].NoBlock || len(found[0].Warnings) > 0 {
		t.Fatalf("found %+v", found)
	}
	targettest.CheckCreds(t, found[0].Credentials, targettest.WantCred{APIType: "openai-compatible", BaseURL: "https://relay.example.com", Name: "Company relay",
		Key: "sk-test-qwen-import-0001", Models: []string{"kimi-k2", "glm-4.6"}})
	targettest.GoldenFile(t, "testdata/import/relay.hcl", src)
}

func TestImportKeyFromEnvironment(t *testing.T) {
	// QWEN_HOME, and the key exported rather than in .env: key_mode = "env".
	home := t.TempDir()
	targettest.WriteFiles(t, home, map[string]string{"qwen/settings.json": realSettings})
	env := map[string]string{"QWEN_HOME": home + "/qwen", "RELAY_API_KEY": "sk-test-qwen-import-0002"}
	src, found := targettest.Import(t, "qwen_code", home, env)
	if len(found) != 1 || found[0].NoBlock {
		t.Fatalf("found %+v", found)
	}
	targettest.CheckCreds(t, found[0].Credentials, targettest.WantCred{APIType: "openai-compatible", BaseURL: "https://relay.example.com", Name: "Company relay",
		Key: "sk-test-qwen-import-0002", Models: []string{"kimi-k2", "glm-4.6"}})
	targettest.GoldenFile(t, "testdata/import/env.hcl", src)

	delete(env, "RELAY_API_KEY")
	got, err := targettest.ImportOnly(t, "qwen_code", home, env)
	if err != nil || len(got) != 1 || !got[0].NoBlock || len(got[0].Credentials) > 0 {
		t.Fatalf("found %+v, %v; want a warning alone", got, err)
	}
	targettest.Warned(t, got[0].Warnings, "$RELAY_API_KEY, which is set neither")
}

func TestImportNothing(t *testing.T) {
	for name, files := range map[string]map[string]string{
		"no files":   nil,
		"qwen oauth": {".qwen/settings.json": `{"$version": 4, "security": {"auth": {"selectedType": "qwen-oauth"}}}`, ".qwen/.env": realEnv},
	} {
		home := t.TempDir()
		targettest.WriteFiles(t, home, files)
		found, err := targettest.ImportOnly(t, "qwen_code", home, nil)
		if err != nil || len(found) != 0 {
			t.Errorf("%s: %+v, %v; want nothing", name, found, err)
		}
	}
}

func TestImportInexact(t *testing.T) {
	// The user's own entry, named their way: its key is a credential, alone.
	home := t.TempDir()
	settings := strings.Replace(realSettings, `"name": "glm-4.6", // picked with /model
    "baseUrl": "https://relay.example.com/v1"`, `"name": "qwen3-coder-plus",
    "baseUrl": "https://dashscope.aliyuncs.com/compatible-mode/v1"`, 1)
	targettest.WriteFiles(t, home, map[string]string{".qwen/settings.json": settings, ".qwen/.env": realEnv})
	found, err := targettest.ImportOnly(t, "qwen_code", home, nil)
	if err != nil || len(found) != 1 || !found[0].NoBlock || len(found[0].Attrs) > 0 {
		t.Fatalf("found %+v, %v; want the credential alone", found, err)
	}
	targettest.CheckCreds(t, found[0].Credentials, targettest.WantCred{APIType: "openai-compatible", BaseURL: "https://dashscope.aliyuncs.com/compatible-mode", Key: "sk-test-qwen-dashscope-0009"})
	targettest.Warned(t, found[0].Warnings, `is named "Qwen3 Coder Plus"`)

	// The first, flat format.
	targettest.WriteFiles(t, home, map[string]string{".qwen/settings.json": `{"selectedAuthType": "openai", "theme": "Default"}`})
	found, err = targettest.ImportOnly(t, "qwen_code", home, nil)
	if err != nil || len(found) != 1 || !found[0].NoBlock || len(found[0].Credentials) > 0 {
		t.Fatalf("found %+v, %v; want a warning alone", found, err)
	}
	targettest.Warned(t, found[0].Warnings, "run qwen once")
}

func TestImportBroken(t *testing.T) {
	home := t.TempDir()
	targettest.WriteFiles(t, home, map[string]string{".qwen/settings.json": "{\n  \"ui\": {}\n  \"model\": {}\n}\n", ".qwen/.env": realEnv})
	_, err := targettest.ImportOnly(t, "qwen_code", home, nil)
	if err == nil || !strings.Contains(err.Error(), "settings.json: line 3, column 3") {
		t.Fatalf("error %v; want one naming settings.json:3:3", err)
	}
}
