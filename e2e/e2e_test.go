//go:build !windows

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hubctl/hub/targets/claudecode"
	"github.com/hubctl/hub/targets/geminicli"
)

// runTimeout bounds one tool run. A prompt answered by a local fake takes a
// few seconds; the margin is for a slow CI machine's first start of a tool.
const runTimeout = 4 * time.Minute

// TestRealTools runs each tool against what hub apply wrote. The subtests
// run in parallel: each has its own HOME, upstream and guard.
func TestRealTools(t *testing.T) {
	s := newSuite(t)
	for _, tc := range []struct {
		name string
		fn   func(*testing.T, *suite)
	}{
		{"claude_code", testClaudeCode},
		{"claude_code_legacy_models", testClaudeCodeLegacyModels},
		{"codex", testCodex},
		{"gemini_cli", testGeminiCLI},
		{"gemini_cli_model_rewrites", testGeminiCLIModelRewrites},
		{"opencode", testOpencode},
		{"claude_code_router", testClaudeCodeRouter},
		{"kilo", testKilo},
		{"qwen_code", testQwenCode},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.fn(t, s)
		})
	}
}

// Claude Code 2.1.328: settings.json env → POST /v1/messages?beta=true with
// Authorization: Bearer KEY, streaming. The key comes from an age-encrypted
// secret (secret("relay")), as in a cloned credential repository.
func testClaudeCode(t *testing.T, s *suite) {
	w := newWorld(t, s, "claude")
	const model = "claude-e2e-sonnet"
	settings := `{
  "$schema": "https://json.schemastore.org/claude-code-settings.json",
  "env": {
    "BASH_DEFAULT_TIMEOUT_MS": "60000"
  },
  "permissions": {
    "allow": ["Bash(git status)", "Read(~/notes/**)"],
    "deny": ["Read(./.env)"]
  },
  "hooks": {
    "PostToolUse": [
      {
        "matcher": "Edit|Write",
        "hooks": [{ "type": "command", "command": "echo edited >> ~/hook.log" }]
      }
    ]
  },
  "statusLine": { "type": "command", "command": "echo e2e-status" },
  "includeCoAuthoredBy": false
}
`
	w.write(".claude/settings.json", settings)
	if !w.apply("claude_code", fmt.Sprintf(`
credential "relay" {
  name     = "E2E relay"
  api_type = "anthropic"
  base_url = %q
  api_key  = %s
}

target "claude_code" "default" {
  credential = credential.relay
  model      = %q
}
`, w.up.URL(), w.secretKey("relay"), model)) {
		t.Skip("no hand-written configuration for this tool")
	}
	w.keepsJSON(".claude/settings.json", settings)

	changed := w.watch(".claude/settings.json")
	r := w.run(runTimeout, "claude", "-p", "say hi")
	changed()
	w.expectCalls("POST", "/v1/messages", model, w.bearer)
	if r.code != 0 {
		t.Errorf("claude -p exited %d", r.code)
	}
	if !contains(r.stdout, reply) {
		t.Errorf("claude -p did not print the upstream's reply %q", reply)
	}
	w.keepsJSON(".claude/settings.json", settings)
	w.importsBack("claude_code")
}

// Claude Code 2.1.328 does not always send ANTHROPIC_MODEL as written: it
// replaces legacy Opus ids with the latest Opus. For each id below (the
// remapped ones of claudecode.LegacyRemap's table and their neighbours),
// the real tool sends what the table says, and hub's plan has a note naming
// the id the relay will see exactly when that is not the id as written.
// Then keep_legacy_models = true writes CLAUDE_CODE_DISABLE_LEGACY_MODEL_REMAP
// into the same env block, the note says the remap is off, and the relay
// sees the id as written; hub import reads the attribute back.
func testClaudeCodeLegacyModels(t *testing.T, s *suite) {
	w := newWorld(t, s, "claude-legacy")
	key := w.secretKey("relay")
	config := func(model string, keep bool) string {
		extra := ""
		if keep {
			extra = "\n  keep_legacy_models = true"
		}
		return fmt.Sprintf(`
credential "relay" {
  name     = "E2E relay"
  api_type = "anthropic"
  base_url = %q
  api_key  = %s
}

target "claude_code" "default" {
  credential = credential.relay
  model      = %q%s
}
`, w.up.URL(), key, model, extra)
	}
	// sent runs claude -p and returns the models of its requests.
	sent := func() []string {
		before := len(w.up.requests())
		r := w.run(runTimeout, "claude", "-p", "say hi")
		if r.code != 0 || !contains(r.stdout, reply) {
			t.Errorf("claude -p exited %d without the upstream's reply", r.code)
		}
		var models []string
		for _, q := range w.up.requests()[before:] {
			if q.Method == "POST" && q.Path == "/v1/messages" {
				models = append(models, q.Model)
			}
		}
		if len(models) == 0 {
			t.Errorf("claude -p sent no POST /v1/messages")
		}
		return models
	}

	for _, id := range []string{
		"claude-opus-4-1", "claude-opus-4-1-20250805", "claude-opus-4-0", "claude-opus-4-20250514",
		"CLAUDE-OPUS-4-0", "claude-opus-4-1-20250805[1m]", "claude-opus-4-0[1M]",
		"claude-opus-4", "claude-opus-4-1-thinking", "claude-opus-4-1-20250806", "anthropic/claude-opus-4-1",
		"claude-opus-4-5", "claude-sonnet-4-0", "claude-sonnet-4-20250514", "claude-3-opus-20240229",
	} {
		notes := w.planNotes(config(id, false))
		w.apply("claude_code", config(id, false))
		to, remapped := claudecode.LegacyRemap(id)
		if !remapped {
			to = id
		}
		models := sent()
		for _, m := range models {
			if m != to {
				t.Errorf("model %q: Claude Code %s sent %q; claudecode.LegacyRemap says %q (update the table in targets/internal/toolmodels)",
					id, claudecode.RemapCheckedVersion, m, to)
			}
		}
		note := strings.Join(notes, "\n")
		switch {
		case remapped && !strings.Contains(note, fmt.Sprintf("sends model %q as %q", id, to)):
			t.Errorf("model %q is sent as %q, but the plan does not say so:\n%s", id, to, note)
		case remapped && !strings.Contains(note, "keep_legacy_models = true"):
			t.Errorf("model %q: the plan's note does not name keep_legacy_models:\n%s", id, note)
		case !remapped && strings.Contains(note, claudecode.DisableRemapEnv):
			t.Errorf("model %q is sent as written, but the plan notes a remap:\n%s", id, note)
		}
	}

	const legacy = "claude-opus-4-1"
	notes := strings.Join(w.planNotes(config(legacy, true)), "\n")
	if !strings.Contains(notes, "turns that off, so it is sent as written") {
		t.Errorf("with keep_legacy_models the plan does not say the remap is off:\n%s", notes)
	}
	w.apply("claude_code", config(legacy, true))
	var settings struct{ Env map[string]string }
	if err := json.Unmarshal([]byte(w.read(".claude/settings.json")), &settings); err != nil {
		t.Fatal(err)
	}
	if v := settings.Env[claudecode.DisableRemapEnv]; v != "1" {
		t.Errorf("settings.json env.%s = %q, want \"1\"", claudecode.DisableRemapEnv, v)
	}
	for _, m := range sent() {
		if m != legacy {
			t.Errorf("with keep_legacy_models, Claude Code sent %q, want %q as written", m, legacy)
		}
	}
	w.importsBack("claude_code")
	if src, _ := os.ReadFile(filepath.Join(w.root, "reimport", "imported.hcl")); !strings.Contains(string(src), "keep_legacy_models = true") {
		t.Errorf("hub import did not read keep_legacy_models back:\n%s", src)
	}
}

// Codex CLI 0.169.0: config.toml provider table → POST /v1/responses with
// Authorization: Bearer KEY, SSE. The key comes from an age-encrypted secret.
func testCodex(t *testing.T, s *suite) {
	w := newWorld(t, s, "codex")
	const model = "gpt-e2e-codex"
	config := `# My Codex settings. Hand-edited: keep these comments.
approval_policy = "never"  # exec never asks anyway
sandbox_mode = "read-only"

# Docs server for work; off while travelling.
[mcp_servers.docs]
command = "docs-mcp"
args = ["--stdio"]
enabled = false

[profiles.fast]
model = "gpt-5-mini"
model_reasoning_effort = "low"
`
	w.write(".codex/config.toml", config)
	if !w.apply("codex", fmt.Sprintf(`
credential "relay" {
  name     = "E2E relay"
  api_type = "openai-compatible"
  base_url = %q
  api_key  = %s
}

target "codex" "default" {
  credential = credential.relay
  model      = %q
}
`, w.up.URL(), w.secretKey("relay"), model)) {
		t.Skip("no hand-written configuration for this tool")
	}
	comments := []string{"# My Codex settings. Hand-edited: keep these comments.",
		`approval_policy = "never"  # exec never asks anyway`, "# Docs server for work; off while travelling."}
	w.keepsTOML(".codex/config.toml", config, comments...)

	changed := w.watch(".codex/config.toml")
	r := w.run(runTimeout, "codex", "exec", "--skip-git-repo-check", "say hi")
	changed()
	w.expectCalls("POST", "/v1/responses", model, w.bearer)
	if r.code != 0 {
		t.Errorf("codex exec exited %d", r.code)
	}
	if !contains(r.stdout, reply) {
		t.Errorf("codex exec did not print the upstream's reply %q", reply)
	}
	w.keepsTOML(".codex/config.toml", config, comments...)
	w.importsBack("codex")
}

// Gemini CLI 0.61.0: ~/.gemini/.env (read only in a trusted folder) and
// settings.json → POST /v1beta/models/MODEL:streamGenerateContent?alt=sse
// with x-goog-api-key: KEY.
func testGeminiCLI(t *testing.T, s *suite) {
	w := newWorld(t, s, "gemini")
	const model = "gemini-e2e-flash"
	settings := `{
  "general": { "vimMode": true, "enableAutoUpdate": false, "enableAutoUpdateNotification": false },
  "privacy": { "usageStatisticsEnabled": false },
  "ui": { "theme": "GitHub" },
  "mcpServers": {
    "notes": { "command": "notes-mcp", "args": ["--stdio"], "timeout": 5000 }
  }
}
`
	w.write(".gemini/settings.json", settings)
	other := filepath.Join(w.home, "work")
	trusted := fmt.Sprintf("{\n  %q: \"TRUST_FOLDER\"\n}\n", other)
	w.write(".gemini/trustedFolders.json", trusted)
	if !w.apply("gemini_cli", fmt.Sprintf(`
credential "gem" {
  name     = "E2E Gemini relay"
  api_type = "google"
  base_url = %q
  api_key  = %q
}

target "gemini_cli" "default" {
  credential      = credential.gem
  model           = %q
  trusted_folders = [%q]
}
`, w.up.URL(), w.key, model, w.work)) {
		// real-clients.md, by hand.
		w.write(".gemini/.env", fmt.Sprintf("GEMINI_API_KEY=%s\nGOOGLE_GEMINI_BASE_URL=%s\nGEMINI_MODEL=%s\n", w.key, w.up.URL(), model))
		w.mergeJSON(".gemini/settings.json", map[string]any{"security": map[string]any{"auth": map[string]any{"selectedType": "gemini-api-key"}}})
		w.mergeJSON(".gemini/trustedFolders.json", map[string]any{w.work: "TRUST_FOLDER"})
	}
	w.keepsJSON(".gemini/settings.json", settings)
	w.keepsJSON(".gemini/trustedFolders.json", trusted)

	changed := w.watch(".gemini/settings.json", ".gemini/.env", ".gemini/trustedFolders.json")
	r := w.run(runTimeout, "gemini", "-p", "say hi")
	changed()
	w.expectCalls("POST", "/v1beta/models/"+model+":streamGenerateContent", model,
		func(r seen) bool { return r.XGoogAPIKey == w.key })
	if r.code != 0 {
		t.Errorf("gemini -p exited %d", r.code)
	}
	if !contains(r.stdout, reply) {
		t.Errorf("gemini -p did not print the upstream's reply %q", reply)
	}
	w.keepsJSON(".gemini/settings.json", settings)
}

// Gemini CLI 0.61.0 with an API key sends some older Gemini 3 ids as newer
// ones. For each id below (geminicli.ModelRewrite's table and controls) the
// real tool sends what the table says, and hub's plan notes the id the relay
// will see exactly when it is not the id as written.
func testGeminiCLIModelRewrites(t *testing.T, s *suite) {
	w := newWorld(t, s, "gemini-models")
	for _, id := range []string{
		"gemini-3-pro-preview", "gemini-3-flash", "gemini-3.5-flash", "gemini-3.1-flash-lite",
		"gemini-2.5-pro", "gemini-3-flash-preview", "gemini-3.1-pro-preview",
	} {
		config := fmt.Sprintf(`
credential "gem" {
  name     = "E2E Gemini relay"
  api_type = "google"
  base_url = %q
  api_key  = %q
}

target "gemini_cli" "default" {
  credential      = credential.gem
  model           = %q
  trusted_folders = [%q]
}
`, w.up.URL(), w.key, id, w.work)
		notes := strings.Join(w.planNotes(config), "\n")
		w.apply("gemini_cli", config)
		to, rewritten := geminicli.ModelRewrite(id)
		if !rewritten {
			to = id
		}
		before := len(w.up.requests())
		r := w.run(runTimeout, "gemini", "-p", "say hi")
		if r.code != 0 || !contains(r.stdout, reply) {
			t.Errorf("model %q: gemini -p exited %d without the upstream's reply", id, r.code)
		}
		n := 0
		for _, q := range w.up.requests()[before:] {
			if strings.HasSuffix(q.Path, ":streamGenerateContent") {
				n++
				if q.Model != to {
					t.Errorf("model %q: Gemini CLI %s sent %q; geminicli.ModelRewrite says %q (update the table in targets/internal/toolmodels)",
						id, geminicli.ModelsCheckedVersion, q.Model, to)
				}
			}
		}
		if n == 0 {
			t.Errorf("model %q: gemini -p sent no streamGenerateContent request", id)
		}
		switch {
		case rewritten && !strings.Contains(notes, fmt.Sprintf("sends model %q as %q", id, to)):
			t.Errorf("model %q is sent as %q, but the plan does not say so:\n%s", id, to, notes)
		case !rewritten && strings.Contains(notes, "promotes"):
			t.Errorf("model %q is sent as written, but the plan notes a rewrite:\n%s", id, notes)
		}
	}
}

// opencode 1.18.33: opencode.json provider with @ai-sdk/openai-compatible →
// POST /v1/chat/completions with Authorization: Bearer KEY, streaming.
func testOpencode(t *testing.T, s *suite) {
	w := newWorld(t, s, "opencode")
	const model = "oc-e2e-model"
	// What opencode installs into its config directory on first run (see
	// setup.sh): a user who has run it has these files there too, and
	// without them each run waits on an install attempt that cannot work.
	warm := filepath.Join(s.cache, "opencode-config")
	if _, err := os.Stat(filepath.Join(warm, "node_modules")); err != nil {
		t.Fatalf("no %s: run e2e/setup.sh", warm)
	}
	if err := copyTree(warm, w.path(".config/opencode")); err != nil {
		t.Fatal(err)
	}
	config := `{
  "$schema": "https://opencode.ai/config.json",
  "theme": "tokyonight",
  "autoupdate": false,
  "share": "disabled",
  "provider": {
    "ollama": {
      "npm": "@ai-sdk/openai-compatible",
      "name": "Ollama (local)",
      "options": { "baseURL": "http://127.0.0.1:11434/v1" },
      "models": { "qwen2.5-coder:7b": { "name": "Qwen 2.5 Coder 7B" } }
    }
  }
}
`
	w.write(".config/opencode/opencode.json", config)
	if !w.apply("opencode", fmt.Sprintf(`
credential "relay" {
  name     = "E2E relay"
  api_type = "openai-compatible"
  base_url = %q
  api_key  = %q
  models   = [%q]
}

target "opencode" "default" {
  credentials = [credential.relay]
  model       = "relay/%s"
}
`, w.up.URL(), w.key, model, model)) {
		w.mergeJSON(".config/opencode/opencode.json", map[string]any{
			"provider": map[string]any{"relay": map[string]any{
				"npm": "@ai-sdk/openai-compatible", "name": "Relay",
				"options": map[string]any{"baseURL": w.up.URL() + "/v1", "apiKey": w.key},
				"models":  map[string]any{model: map[string]any{"name": model}},
			}},
			"model": "relay/" + model,
		})
	}
	w.keepsJSON(".config/opencode/opencode.json", config)

	// --print-logs: its log goes to stderr, shown when the test fails.
	changed := w.watch(".config/opencode/opencode.json")
	r := w.run(runTimeout, "opencode", "run", "--print-logs", "say hi")
	changed()
	w.expectCalls("POST", "/v1/chat/completions", model, w.bearer)
	if r.code != 0 {
		t.Errorf("opencode run exited %d", r.code)
	}
	if !contains(r.stdout, reply) {
		t.Errorf("opencode run did not print the upstream's reply %q", reply)
	}
	w.keepsJSON(".config/opencode/opencode.json", config)
}

// Qwen Code 0.24.4: ~/.qwen/settings.json modelProviders entry and the key in
// ~/.qwen/.env → POST /v1/chat/completions with Authorization: Bearer KEY,
// even with OPENAI_* variables for another tool exported.
func testQwenCode(t *testing.T, s *suite) {
	w := newWorld(t, s, "qwen")
	const model = "qwen-e2e-coder"
	settings := `{
  "ui": { "theme": "GitHub" },
  "mcpServers": {
    "notes": { "command": "notes-mcp", "args": ["--stdio"], "timeout": 5000 }
  }
}
`
	w.write(".qwen/settings.json", settings)
	dotenv := "# mine\nMY_TOOL_TOKEN=abc123\n"
	w.write(".qwen/.env", dotenv)
	if !w.apply("qwen_code", fmt.Sprintf(`
credential "relay" {
  name     = "E2E relay"
  api_type = "openai-compatible"
  base_url = %q
  api_key  = %q
  models   = [%q]
}

target "qwen_code" "default" {
  credential = credential.relay
  model      = %q
}
`, w.up.URL(), w.key, model, model)) {
		t.Skip("no hand-written configuration for this tool")
	}
	w.keepsJSON(".qwen/settings.json", settings)
	if got := w.read(".qwen/.env"); !strings.HasPrefix(got, dotenv) {
		t.Errorf("the user's .env lines are gone:\n%s", got)
	}

	changed := w.watch(".qwen/settings.json", ".qwen/.env")
	r := w.run(runTimeout, "qwen", "-p", "say hi")
	changed()
	w.expectCalls("POST", "/v1/chat/completions", model, w.bearer)
	if r.code != 0 {
		t.Errorf("qwen -p exited %d", r.code)
	}
	if !contains(r.stdout, reply) {
		t.Errorf("qwen -p did not print the upstream's reply %q", reply)
	}
	w.keepsJSON(".qwen/settings.json", settings)
}

// Kilo CLI 7.7.7 (an opencode fork): kilo.jsonc provider with
// @ai-sdk/openai-compatible → POST /v1/chat/completions with
// Authorization: Bearer KEY, streaming.
func testKilo(t *testing.T, s *suite) {
	w := newWorld(t, s, "kilo")
	const model = "kilo-e2e-model"
	// As Kilo leaves it after a first start ($schema, permission), plus the
	// user's comments, trailing commas, own provider, MCP server and agent.
	config := `// Kilo global config
{
  "$schema": "https://app.kilo.ai/config.json",
  "provider": {
    // LM Studio on the laptop.
    "lmstudio": {
      "npm": "@ai-sdk/openai-compatible",
      "name": "LM Studio",
      "options": { "baseURL": "http://127.0.0.1:1234/v1", },
      "models": { "qwen/qwen3-coder-30b": {}, },
    },
  },
  "mcp": {
    "playwright": { "type": "local", "command": ["npx", "@playwright/mcp@latest"], "enabled": false, },
  },
  "agent": {
    "docs": { "description": "Writes docs", "mode": "subagent", },
  },
  "permission": {
    "bash": "allow"
  }, // trailing
}
`
	w.write(".config/kilo/kilo.jsonc", config)
	if !w.apply("kilo", fmt.Sprintf(`
credential "relay" {
  name     = "E2E relay"
  api_type = "openai-compatible"
  base_url = %q
  api_key  = %q
  models   = [%q]
}

target "kilo" "default" {
  credentials = [credential.relay]
  model       = "relay/%s"
}
`, w.up.URL(), w.key, model, model)) {
		t.Skip("no hand-written configuration for this tool")
	}
	w.keepsJSON(".config/kilo/kilo.jsonc", config)

	changed := w.watch(".config/kilo/kilo.jsonc")
	r := w.run(runTimeout, "kilo", "run", "--print-logs", "say hi")
	changed()
	w.expectCalls("POST", "/v1/chat/completions", model, w.bearer)
	if r.code != 0 {
		t.Errorf("kilo run exited %d", r.code)
	}
	if !contains(r.stdout, reply) {
		t.Errorf("kilo run did not print the upstream's reply %q", reply)
	}
	w.keepsJSON(".config/kilo/kilo.jsonc", config)
}

// Claude Code Router 2.0.0: config.json Providers entry (api_base_url is the
// full endpoint) and Router.default → a client's POST /v1/messages to ccr
// becomes POST /v1/chat/completions upstream with Authorization: Bearer KEY.
func testClaudeCodeRouter(t *testing.T, s *suite) {
	w := newWorld(t, s, "ccr")
	const model = "ccr-e2e-model"
	port := freePort(t)
	config := fmt.Sprintf(`{
  "PORT": %d,
  "HOST": "127.0.0.1",
  "LOG": true,
  "LOG_LEVEL": "info",
  "API_TIMEOUT_MS": 120000,
  "Providers": [
    {
      "name": "ollama",
      "api_base_url": "http://127.0.0.1:11434/v1/chat/completions",
      "api_key": "ollama",
      "models": ["qwen2.5-coder:7b"]
    }
  ],
  "Router": {
    "background": "ollama,qwen2.5-coder:7b"
  }
}
`, port)
	w.write(".claude-code-router/config.json", config)
	if !w.apply("claude_code_router", fmt.Sprintf(`
credential "relay" {
  name     = "E2E relay"
  api_type = "openai-compatible"
  base_url = %q
  api_key  = %q
  models   = [%q]
}

target "claude_code_router" "default" {
  credentials = [credential.relay]
  router {
    default = "relay,%s"
  }
}
`, w.up.URL(), w.key, model, model)) {
		w.mergeJSON(".claude-code-router/config.json", map[string]any{
			"Router": map[string]any{"default": "relay," + model},
		})
		cfg := w.read(".claude-code-router/config.json")
		cfg = strings.Replace(cfg, `"Providers": [`, fmt.Sprintf(`"Providers": [
    {"name": "relay", "api_base_url": %q, "api_key": %q, "models": [%q]},`,
			w.up.URL()+"/v1/chat/completions", w.key, model), 1)
		w.write(".claude-code-router/config.json", cfg)
	}
	w.keepsJSON(".claude-code-router/config.json", config)

	// ccr start runs the server; it stays up until ccr stop.
	ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
	defer cancel()
	changed := w.watch(".claude-code-router/config.json")
	server := w.start(ctx, "ccr-start", "ccr", "start")
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	if err := waitHTTP(base+"/", 60*time.Second, server.done); err != nil {
		server.stop()
		t.Fatalf("ccr start: %v\n%s", err, server.collect())
	}

	body := `{"model":"claude-sonnet-4-5","max_tokens":256,"stream":false,` +
		`"messages":[{"role":"user","content":"say hi"}]}`
	req, _ := http.NewRequest("POST", base+"/v1/messages", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Anthropic-Version", "2023-06-01")
	req.Header.Set("X-Api-Key", "sk-test-e2e-client")
	resp, err := (&http.Client{Timeout: 60 * time.Second}).Do(req)
	var answer string
	status := 0
	if err == nil {
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		answer, status = string(b), resp.StatusCode
	}

	stop := w.run(60*time.Second, "ccr", "stop")
	select {
	case <-server.done:
	case <-time.After(15 * time.Second):
		t.Errorf("ccr start still running 15s after ccr stop")
		server.stop()
	}
	t.Logf("ccr start: %s", server.collect())
	changed()

	if err != nil {
		t.Fatalf("POST /v1/messages to ccr: %v", err)
	}
	t.Logf("ccr answered %d: %s", status, answer)
	w.expectCalls("POST", "/v1/chat/completions", model, w.bearer)
	if status != http.StatusOK || !strings.Contains(answer, reply) {
		t.Errorf("ccr's answer is not the upstream's reply %q: %d %s", reply, status, answer)
	}
	if stop.code != 0 {
		t.Errorf("ccr stop exited %d", stop.code)
	}
	w.keepsJSON(".claude-code-router/config.json", config)
}

// waitHTTP waits until url answers anything, the process exits, or timeout.
func waitHTTP(url string, timeout time.Duration, exited <-chan struct{}) error {
	deadline := time.Now().Add(timeout)
	client := &http.Client{Timeout: 2 * time.Second}
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return fmt.Errorf("exited before serving")
		default:
		}
		if resp, err := client.Get(url); err == nil {
			resp.Body.Close()
			return nil
		}
		time.Sleep(200 * time.Millisecond)
	}
	return fmt.Errorf("%s did not answer within %s", url, timeout)
}
