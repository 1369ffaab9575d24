package geminicli_test

import (
	"strings"
	"testing"

	"github.com/hubctl/hub/targets/targettest"
)

// A ~/.gemini as in testdata/realistic.txtar after "Use Gemini API key"
// with a relay's base URL: the user's own variables, comments and quoting
// in .env, a settings.json with comments and MCP servers.
const realEnv = `# Gemini CLI environment (mine)
export GOOGLE_CLOUD_PROJECT=my-project-123   # for Code Assist

GEMINI_API_KEY="sk-test-gemini-import-0001"
HTTPS_PROXY='http://127.0.0.1:3128'
GOOGLE_GEMINI_BASE_URL=https://gemini.relay.example.com
GEMINI_MODEL=gemini-2.5-flash
`

const realSettings = `{
  // UI
  "ui": {
    "theme": "GitHub"
  },
  "mcpServers": {
    "github": {
      "command": "npx",
      "args": ["-y", "@modelcontextprotocol/server-github"]
    }
  },
  "security": {
    "folderTrust": {
      "enabled": true
    },
    "auth": {
      "selectedType": "gemini-api-key"
    }
  }
}
`

func TestImportRelay(t *testing.T) {
	home := t.TempDir()
	targettest.WriteFiles(t, home, map[string]string{
		".gemini/.env":                realEnv,
		".gemini/settings.json":       realSettings,
		".gemini/trustedFolders.json": `{"/home/user/projects/website": "TRUST_FOLDER"}`,
	})
	src, found := targettest.Import(t, "gemini_cli", home, nil)
	if len(found) != 1 || found[0].NoBlock || len(found[0].Warnings) > 0 {
		t.Fatalf("found %+v", found)
	}
	targettest.CheckCreds(t, found[0].Credentials, targettest.WantCred{APIType: "google", BaseURL: "https://gemini.relay.example.com", Key: "sk-test-gemini-import-0001"})
	targettest.GoldenFile(t, "testdata/import/relay.hcl", src)
}

func TestImportGeminiCLIHome(t *testing.T) {
	home := t.TempDir()
	targettest.WriteFiles(t, home, map[string]string{
		"other/.gemini/.env":          "GEMINI_API_KEY=sk-test-gemini-import-0002\nGOOGLE_GEMINI_BASE_URL=https://generativelanguage.googleapis.com\n",
		"other/.gemini/settings.json": `{"security": {"auth": {"selectedType": "gemini-api-key"}}}`,
	})
	src, found := targettest.Import(t, "gemini_cli", home, map[string]string{"GEMINI_CLI_HOME": home + "/other"})
	if len(found) != 1 || found[0].NoBlock {
		t.Fatalf("found %+v", found)
	}
	targettest.CheckCreds(t, found[0].Credentials, targettest.WantCred{APIType: "google", BaseURL: "https://generativelanguage.googleapis.com", Key: "sk-test-gemini-import-0002"})
	targettest.GoldenFile(t, "testdata/import/official.hcl", src)
}

func TestImportNothing(t *testing.T) {
	for name, files := range map[string]map[string]string{
		"no files": nil,
		// A Google login: no key in .env.
		"oauth": {".gemini/settings.json": `{"security": {"auth": {"selectedType": "oauth-personal"}}}`, ".gemini/.env": "GOOGLE_CLOUD_PROJECT=p\n"},
	} {
		home := t.TempDir()
		targettest.WriteFiles(t, home, files)
		found, err := targettest.ImportOnly(t, "gemini_cli", home, nil)
		if err != nil || len(found) != 0 {
			t.Errorf("%s: %+v, %v; want nothing", name, found, err)
		}
	}
}

func TestImportInexact(t *testing.T) {
	for name, c := range map[string]struct{ env, settings, warn string }{
		"no base URL": {"GEMINI_API_KEY=sk-test-gemini-import-0003\n", `{"security": {"auth": {"selectedType": "gemini-api-key"}}}`, "has no GOOGLE_GEMINI_BASE_URL"},
		"login selected": {"GEMINI_API_KEY=sk-test-gemini-import-0003\nGOOGLE_GEMINI_BASE_URL=https://generativelanguage.googleapis.com\n",
			`{"security": {"auth": {"selectedType": "oauth-personal"}}}`, `selects "oauth-personal"`},
		"no settings": {"GEMINI_API_KEY=sk-test-gemini-import-0003\nGOOGLE_GEMINI_BASE_URL=https://generativelanguage.googleapis.com\n", "", "does not select the key"},
	} {
		home := t.TempDir()
		files := map[string]string{".gemini/.env": c.env}
		if c.settings != "" {
			files[".gemini/settings.json"] = c.settings
		}
		targettest.WriteFiles(t, home, files)
		found, err := targettest.ImportOnly(t, "gemini_cli", home, nil)
		if err != nil || len(found) != 1 || !found[0].NoBlock || len(found[0].Credentials) != 1 || len(found[0].Attrs) > 0 {
			t.Fatalf("%s: found %+v, %v; want the credential alone", name, found, err)
		}
		targettest.Warned(t, found[0].Warnings, c.warn)
	}
}

func TestImportBroken(t *testing.T) {
	// A missing comma: the error names the file and the place.
	home := t.TempDir()
	targettest.WriteFiles(t, home, map[string]string{
		".gemini/.env":          "GEMINI_API_KEY=sk-test-gemini-import-0004\nGOOGLE_GEMINI_BASE_URL=https://generativelanguage.googleapis.com\n",
		".gemini/settings.json": "{\n  \"ui\": {\"theme\": \"GitHub\"}\n  \"security\": {}\n}\n",
	})
	found, err := targettest.ImportOnly(t, "gemini_cli", home, nil)
	if err == nil || !strings.Contains(err.Error(), "settings.json: line 3") {
		t.Fatalf("error %v; want one naming settings.json:3", err)
	}
	if len(found) != 1 || !found[0].NoBlock || len(found[0].Credentials) != 1 {
		t.Fatalf("found %+v; want the key of .env alone", found)
	}
}
