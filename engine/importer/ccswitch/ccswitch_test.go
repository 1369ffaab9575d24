package ccswitch

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hubctl/hub/engine/importer"
)

// Test keys: fake, and each checked to appear in no text Read returns.
const (
	keyRelay     = "sk-test-relay-000000000001"
	keyCodex     = "sk-test-codex-000000000002"
	keyGemini    = "sk-test-gemini-00000000003"
	keyUniversal = "sk-test-universal-0000004"
	keyOC        = "sk-test-opencode-00000005"
	keyLAN       = "sk-test-openclaw-00000006"
	keyBroken    = "sk-test-broken-0000000007"
	keyPi        = "sk-test-pi-00000000000008"
)

var allKeys = []string{keyRelay, keyCodex, keyGemini, keyUniversal, keyOC, keyLAN, keyBroken, keyPi}

// codexConfig is the config.toml text CC Switch's deep link writes.
func codexConfig(name, model, endpoint string) string {
	return `model_provider = "custom"
model = "` + model + `"
model_reasoning_effort = "high"
disable_response_storage = true

[model_providers.custom]
name = "` + name + `"
base_url = "` + endpoint + `"
wire_api = "responses"
requires_openai_auth = true
`
}

type env = map[string]any

// fixture is a database as CC Switch leaves it after the official seeds,
// deep-link imports for each app, a universal provider synced to Claude
// only, and a row whose JSON was broken by hand.
func fixture() ([]row, any) {
	rows := []row{
		{id: "claude-official", app: "claude", name: "Claude Official", category: "official", sort: 0,
			website: "https://www.anthropic.com/claude-code", settings: env{"env": env{}}},
		{id: "relay-1760000000001", app: "claude", name: "Relay", sort: 1,
			website: "https://relay.example.com", notes: "team relay",
			settings: env{"env": env{
				"ANTHROPIC_AUTH_TOKEN":          keyRelay,
				"ANTHROPIC_BASE_URL":            "https://relay.example.com",
				"ANTHROPIC_MODEL":               "claude-sonnet-4-5",
				"ANTHROPIC_DEFAULT_HAIKU_MODEL": "claude-haiku-4-5",
			}},
			endpoints: []string{"https://relay-backup.example.com", "https://relay.example.com/v1"}},
		{id: "universal-claude-u1", app: "claude", name: "Shared Relay", category: "aggregator", sort: 2,
			website: "https://shared.example.com", notes: "shared",
			settings: env{"env": env{
				"ANTHROPIC_BASE_URL":             "https://shared.example.com",
				"ANTHROPIC_AUTH_TOKEN":           keyUniversal,
				"ANTHROPIC_MODEL":                "claude-opus-4-1",
				"ANTHROPIC_DEFAULT_HAIKU_MODEL":  "claude-opus-4-1",
				"ANTHROPIC_DEFAULT_SONNET_MODEL": "claude-opus-4-1",
				"ANTHROPIC_DEFAULT_OPUS_MODEL":   "claude-opus-4-1",
			}}},
		{id: "broken-1760000000009", app: "claude", name: "Broken", sort: 3,
			settings: `{"env": {"ANTHROPIC_AUTH_TOKEN": "` + keyBroken + `",
  "ANTHROPIC_BASE_URL": "https://broken.example.com",, }}`},
		{id: "codex-official", app: "codex", name: "OpenAI Official", category: "official", sort: 0,
			website: "https://chatgpt.com/codex", settings: env{"auth": env{}, "config": ""}},
		{id: "codex-relay-1760000000002", app: "codex", name: "Codex Relay", sort: 1,
			website: "https://codex.example.com",
			settings: env{"auth": env{"OPENAI_API_KEY": keyCodex},
				"config": codexConfig("Codex Relay", "gpt-5-codex", "https://codex.example.com/v1")}},
		{id: "gemini-official", app: "gemini", name: "Google Official", category: "official", sort: 0,
			website: "https://ai.google.dev/", settings: env{"env": env{}, "config": env{}}},
		{id: "gemini-relay-1760000000003", app: "gemini", name: "Gemini Relay", sort: 1,
			settings: env{"env": env{
				"GEMINI_API_KEY":         keyGemini,
				"GOOGLE_GEMINI_BASE_URL": "https://gemini.example.com",
				"GEMINI_MODEL":           "gemini-2.5-pro",
			}}},
		{id: "lan-box-1760000000004", app: "openclaw", name: "LAN box",
			settings: env{"baseUrl": "http://192.168.1.20:3000/v1", "apiKey": keyLAN, "api": "openai-completions",
				"models": []any{env{"id": "llama3", "name": "llama3"}}}},
		{id: "oc-1760000000005", app: "opencode", name: "OC",
			settings: env{"npm": "@ai-sdk/openai-compatible",
				"options": env{"baseURL": "https://oc.example.com/v1", "apiKey": keyOC},
				"models":  env{"qwen3-coder": env{"name": "qwen3-coder"}}}},
		{id: "pi-1", app: "pi", name: "Pi thing", settings: env{"apiKey": keyPi, "baseUrl": "https://pi.example.com"}},
	}
	universal := map[string]any{"u1": env{
		"id": "u1", "name": "Shared Relay", "providerType": "newapi",
		"apps":    env{"claude": true, "codex": true, "gemini": false},
		"baseUrl": "https://shared.example.com", "apiKey": keyUniversal,
		"models":     env{"claude": env{"model": "claude-opus-4-1"}, "codex": env{"model": "gpt-5"}},
		"websiteUrl": "https://shared.example.com", "notes": "shared",
	}}
	return rows, universal
}

// flat is a Found without its key, to compare and print.
type flat struct {
	Source, Name, APIType, BaseURL string
	Models                         []string
	Notes                          string
	Insecure                       bool
}

func flatten(t *testing.T, fs []importer.Found) ([]flat, map[string]string) {
	t.Helper()
	var out []flat
	keys := map[string]string{}
	for _, f := range fs {
		c := f.Credential
		if c.ID != "" {
			t.Errorf("%s: ID %q, want none (import names it)", f.Source, c.ID)
		}
		out = append(out, flat{f.Source, c.Name, c.APIType, c.BaseURL, c.Models, c.Notes, c.Insecure})
		keys[f.Source] = c.Key.Reveal()
	}
	return out, keys
}

// checkKeys compares the keys found, naming only the sources.
func checkKeys(t *testing.T, got, want map[string]string) {
	t.Helper()
	for src, k := range want {
		if got[src] != k {
			t.Errorf("%s: the key is not the one CC Switch holds", src)
		}
	}
}

// noKeys checks that no key is in any text of res or err.
func noKeys(t *testing.T, res importer.Result, err error) {
	t.Helper()
	texts := []string{res.Source}
	for _, f := range res.Found {
		texts = append(texts, f.Source, f.Credential.Name, f.Credential.Notes, f.Credential.BaseURL)
	}
	for _, s := range res.Skipped {
		texts = append(texts, s.Source, s.Why)
	}
	texts = append(texts, res.Warnings...)
	if err != nil {
		texts = append(texts, err.Error())
	}
	for i, s := range texts {
		for _, k := range allKeys {
			if strings.Contains(s, k) || strings.Contains(s, k[8:]) {
				t.Errorf("text %d of the result holds a key", i)
			}
		}
	}
}

func TestReadDatabase(t *testing.T) {
	path := dbPath(t)
	rows, universal := fixture()
	newDB(t, path, SchemaVersion, rows, universal)
	before, _ := os.ReadFile(path)

	res, err := Read(context.Background(), path)
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	noKeys(t, res, err)
	if res.Source != "cc-switch "+path {
		t.Errorf("Source = %q", res.Source)
	}
	got, keys := flatten(t, res.Found)
	want := []flat{
		{Source: "cc-switch claude/Relay", Name: "Relay", APIType: "anthropic", BaseURL: "https://relay.example.com",
			Models: []string{"claude-sonnet-4-5", "claude-haiku-4-5"}, Notes: "team relay\nWebsite: https://relay.example.com"},
		{Source: "cc-switch claude/Shared Relay", Name: "Shared Relay", APIType: "anthropic", BaseURL: "https://shared.example.com",
			Models: []string{"claude-opus-4-1"}, Notes: "shared\nWebsite: https://shared.example.com"},
		{Source: "cc-switch codex/Codex Relay", Name: "Codex Relay", APIType: "openai-compatible", BaseURL: "https://codex.example.com",
			Models: []string{"gpt-5-codex"}, Notes: "Website: https://codex.example.com"},
		{Source: "cc-switch gemini/Gemini Relay", Name: "Gemini Relay", APIType: "google", BaseURL: "https://gemini.example.com",
			Models: []string{"gemini-2.5-pro"}},
		{Source: "cc-switch openclaw/LAN box", Name: "LAN box", APIType: "openai-compatible", BaseURL: "http://192.168.1.20:3000",
			Models: []string{"llama3"}, Insecure: true},
		{Source: "cc-switch opencode/OC", Name: "OC", APIType: "openai-compatible", BaseURL: "https://oc.example.com",
			Models: []string{"qwen3-coder"}},
		{Source: "cc-switch universal/Shared Relay (codex)", Name: "Shared Relay", APIType: "openai-compatible", BaseURL: "https://shared.example.com",
			Models: []string{"gpt-5"}, Notes: "shared\nWebsite: https://shared.example.com"},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("Found (-want +got):\n%s", d)
	}
	checkKeys(t, keys, map[string]string{
		"cc-switch claude/Relay": keyRelay, "cc-switch claude/Shared Relay": keyUniversal,
		"cc-switch codex/Codex Relay": keyCodex, "cc-switch gemini/Gemini Relay": keyGemini,
		"cc-switch openclaw/LAN box": keyLAN, "cc-switch opencode/OC": keyOC,
		"cc-switch universal/Shared Relay (codex)": keyUniversal,
	})
	wantSkipped := []importer.Skipped{
		{Source: "cc-switch claude/Claude Official", Why: "an official provider that signs in with the tool's own login, not an API key"},
		{Source: "cc-switch claude/Broken", Why: "its settings_config is not valid JSON"},
		{Source: "cc-switch codex/OpenAI Official", Why: "an official provider that signs in with the tool's own login, not an API key"},
		{Source: "cc-switch gemini/Google Official", Why: "an official provider that signs in with the tool's own login, not an API key"},
		{Source: "cc-switch pi/Pi thing", Why: `CC Switch app "pi" is not one hub import reads`},
	}
	if d := cmp.Diff(wantSkipped, res.Skipped); d != "" {
		t.Errorf("Skipped (-want +got):\n%s", d)
	}
	wantWarnings := []string{
		"cc-switch claude/Relay: 1 other endpoint not imported (https://relay-backup.example.com): a credential has one base URL; change base_url to use another",
		"cc-switch claude/Broken: settings_config is not valid JSON at line 2, column 54: invalid character ',' looking for beginning of object key string",
		"cc-switch openclaw/LAN box: its base URL http://192.168.1.20:3000 is plain http (the key travels unencrypted); imported with insecure = true",
	}
	if d := cmp.Diff(wantWarnings, res.Warnings); d != "" {
		t.Errorf("Warnings (-want +got):\n%s", d)
	}
	if len(res.Targets) != 0 {
		t.Errorf("Targets = %d, want none (CC Switch is not a target)", len(res.Targets))
	}
	after, _ := os.ReadFile(path)
	if !bytes.Equal(before, after) {
		t.Error("Read changed the database file")
	}
	for _, suffix := range []string{"-journal", "-wal", "-shm"} {
		if _, err := os.Stat(path + suffix); err == nil {
			t.Errorf("Read left %s behind", filepath.Base(path+suffix))
		}
	}
}

// TestUniversalNotSynced: a universal provider CC Switch has not synced
// into any app's rows is found once per app it is enabled for, and once
// as openai-compatible when enabled for none.
func TestUniversalNotSynced(t *testing.T) {
	path := dbPath(t)
	newDB(t, path, SchemaVersion, nil, map[string]any{
		"a": env{"id": "a", "name": "All", "providerType": "newapi",
			"apps":    env{"claude": true, "codex": true, "gemini": true},
			"baseUrl": "https://all.example.com/", "apiKey": keyUniversal, "sortIndex": 0,
			"models": env{"gemini": env{"model": "gemini-2.5-flash"}}},
		"b": env{"id": "b", "name": "None", "providerType": "custom", "apps": env{},
			"baseUrl": "https://none.example.com/v1", "apiKey": keyRelay, "sortIndex": 1},
		"c": env{"id": "c", "name": "Keyless", "providerType": "custom", "apps": env{"claude": true},
			"baseUrl": "https://keyless.example.com", "apiKey": "", "sortIndex": 2},
	})
	res, err := Read(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	noKeys(t, res, err)
	got, keys := flatten(t, res.Found)
	want := []flat{
		{Source: "cc-switch universal/All (claude)", Name: "All", APIType: "anthropic", BaseURL: "https://all.example.com"},
		{Source: "cc-switch universal/All (codex)", Name: "All", APIType: "openai-compatible", BaseURL: "https://all.example.com"},
		{Source: "cc-switch universal/All (gemini)", Name: "All", APIType: "google", BaseURL: "https://all.example.com", Models: []string{"gemini-2.5-flash"}},
		{Source: "cc-switch universal/None", Name: "None", APIType: "openai-compatible", BaseURL: "https://none.example.com"},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("Found (-want +got):\n%s", d)
	}
	checkKeys(t, keys, map[string]string{"cc-switch universal/All (claude)": keyUniversal, "cc-switch universal/None": keyRelay})
	wantSkipped := []importer.Skipped{{Source: "cc-switch universal/Keyless (claude)", Why: "no API key"}}
	if d := cmp.Diff(wantSkipped, res.Skipped); d != "" {
		t.Errorf("Skipped (-want +got):\n%s", d)
	}
}

// TestProviderShapes covers the other shapes a provider's settings take.
func TestProviderShapes(t *testing.T) {
	path := dbPath(t)
	newDB(t, path, SchemaVersion, []row{
		// A key and no base URL: the tool's own API.
		{id: "anthropic-key", app: "claude", name: "Anthropic key", settings: env{"env": env{"ANTHROPIC_API_KEY": keyRelay}}},
		// CC Switch converts to an OpenAI-format upstream.
		{id: "oai-format", app: "claude", name: "OpenAI format", meta: `{"apiFormat":"openai_chat"}`,
			settings: env{"env": env{"ANTHROPIC_AUTH_TOKEN": keyCodex, "ANTHROPIC_BASE_URL": "https://oai.example.com/v1"}}},
		{id: "bearer", app: "codex", name: "Bearer", settings: env{"auth": env{},
			"config": "model_provider = \"r\"\nmodel = \"gpt-5\"\n[model_providers.r]\nbase_url = \"https://r.example.com/v1\"\nexperimental_bearer_token = \"" + keyGemini + "\"\n"}},
		{id: "envkey", app: "codex", name: "Env key", settings: env{"auth": env{},
			"config": "model_provider = \"r\"\n[model_providers.r]\nbase_url = \"https://r.example.com/v1\"\nenv_key = \"R_KEY\"\n"}},
		{id: "badtoml", app: "codex", name: "Bad TOML", settings: env{"auth": env{"OPENAI_API_KEY": keyBroken},
			"config": "model_provider = \"r\"\n[model_providers.r\nbase_url = \"" + keyBroken + "\"\n"}},
		{id: "gemini-key", app: "gemini", name: "Gemini key", settings: env{"env": env{"GEMINI_API_KEY": keyOC}}},
		{id: "grok", app: "grokbuild", name: "Grok relay", settings: env{"config": "[models]\ndefault = \"grok-4.5\"\n\n[model.\"grok-4.5\"]\nmodel = \"grok-4.5\"\nbase_url = \"https://grok.example.com/v1\"\nname = \"Grok relay\"\napi_key = \"" + keyLAN + "\"\napi_backend = \"responses\"\ncontext_window = 500000\n"}},
		{id: "grokbuild-official", app: "grokbuild", name: "Grok Official", category: "official", settings: env{"config": ""}},
		{id: "hermes", app: "hermes", name: "Hermes", settings: env{"name": "Hermes", "base_url": "https://h.example.com/v1",
			"api_key": keyPi, "api_mode": "chat_completions", "models": []any{env{"id": "m1", "name": "m1"}}}},
		{id: "nobase", app: "hermes", name: "No base", settings: env{"api_key": keyPi, "api_mode": "chat_completions"}},
		{id: "ocenv", app: "opencode", name: "OC env", settings: env{"npm": "@ai-sdk/anthropic",
			"options": env{"baseURL": "https://a.example.com", "apiKey": "{env:OC_KEY}"}}},
		{id: "copilot", app: "claude", name: "Copilot", meta: `{"providerType":"github_copilot"}`,
			settings: env{"env": env{"ANTHROPIC_BASE_URL": "https://api.githubcopilot.com"}}},
	}, nil)
	res, err := Read(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	noKeys(t, res, err)
	got, keys := flatten(t, res.Found)
	want := []flat{
		{Source: "cc-switch claude/Anthropic key", Name: "Anthropic key", APIType: "anthropic", BaseURL: "https://api.anthropic.com"},
		{Source: "cc-switch claude/OpenAI format", Name: "OpenAI format", APIType: "openai-compatible", BaseURL: "https://oai.example.com"},
		{Source: "cc-switch codex/Bearer", Name: "Bearer", APIType: "openai-compatible", BaseURL: "https://r.example.com", Models: []string{"gpt-5"}},
		{Source: "cc-switch gemini/Gemini key", Name: "Gemini key", APIType: "google", BaseURL: "https://generativelanguage.googleapis.com"},
		{Source: "cc-switch grokbuild/Grok relay", Name: "Grok relay", APIType: "openai-compatible", BaseURL: "https://grok.example.com", Models: []string{"grok-4.5"}},
		{Source: "cc-switch hermes/Hermes", Name: "Hermes", APIType: "openai-compatible", BaseURL: "https://h.example.com", Models: []string{"m1"}},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("Found (-want +got):\n%s", d)
	}
	checkKeys(t, keys, map[string]string{
		"cc-switch claude/Anthropic key": keyRelay, "cc-switch claude/OpenAI format": keyCodex,
		"cc-switch codex/Bearer": keyGemini, "cc-switch gemini/Gemini key": keyOC,
		"cc-switch grokbuild/Grok relay": keyLAN, "cc-switch hermes/Hermes": keyPi,
	})
	wantSkipped := []importer.Skipped{
		{Source: "cc-switch claude/Copilot", Why: "signs in with an account (github_copilot), not an API key"},
		{Source: "cc-switch codex/Bad TOML", Why: "its config (config.toml text) does not parse"},
		{Source: "cc-switch codex/Env key", Why: "its key is read from the environment variable R_KEY, which CC Switch does not hold"},
		{Source: "cc-switch grokbuild/Grok Official", Why: "an official provider that signs in with the tool's own login, not an API key"},
		{Source: "cc-switch hermes/No base", Why: "no base URL in its settings"},
		{Source: "cc-switch opencode/OC env", Why: "its key is read from the environment variable OC_KEY, which CC Switch does not hold"},
	}
	if d := cmp.Diff(wantSkipped, res.Skipped); d != "" {
		t.Errorf("Skipped (-want +got):\n%s", d)
	}
	if len(res.Warnings) != 1 || !strings.HasPrefix(res.Warnings[0], "cc-switch codex/Bad TOML: config (config.toml text) does not parse at line 2, column ") {
		t.Errorf("Warnings = %q, want one naming Bad TOML and the position", res.Warnings)
	}
}

func TestSchemaVersions(t *testing.T) {
	rows, _ := fixture()
	t.Run("newer", func(t *testing.T) {
		path := dbPath(t)
		newDB(t, path, SchemaVersion+1, rows, nil)
		_, err := Read(context.Background(), path)
		want := "cc-switch: " + path + " has schema version 18, newer than this hub knows (it reads versions up to 17); update hub"
		if err == nil || err.Error() != want {
			t.Errorf("Read = %v\nwant %s", err, want)
		}
	})
	t.Run("older with the columns", func(t *testing.T) {
		path := dbPath(t)
		newDB(t, path, 5, rows, nil)
		res, err := Read(context.Background(), path)
		if err != nil || len(res.Found) != 6 {
			t.Errorf("Read = %d found, %v; want 6 found", len(res.Found), err)
		}
	})
	t.Run("older without the columns", func(t *testing.T) {
		path := dbPath(t)
		db, err := openRW(path)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec("CREATE TABLE providers (id TEXT NOT NULL, app_type TEXT NOT NULL, name TEXT NOT NULL, PRIMARY KEY (id, app_type))"); err != nil {
			t.Fatal(err)
		}
		db.Close()
		_, err = Read(context.Background(), path)
		want := "cc-switch: " + path + " (schema version 0) has no column settings_config in its providers table: too old for this hub, which reads versions up to 17; open it once in a current CC Switch to migrate it"
		if err == nil || err.Error() != want {
			t.Errorf("Read = %v\nwant %s", err, want)
		}
	})
	t.Run("no providers table", func(t *testing.T) {
		path := dbPath(t)
		db, err := openRW(path)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec("CREATE TABLE other (x)"); err != nil {
			t.Fatal(err)
		}
		db.Close()
		_, err = Read(context.Background(), path)
		if err == nil || !strings.Contains(err.Error(), "has no providers table") {
			t.Errorf("Read = %v, want an error saying there is no providers table", err)
		}
	})
}

// TestLocked: while another connection holds the database's exclusive
// lock (CC Switch committing), Read waits its busy timeout and says so;
// while one only has a write pending (a reserved lock), Read reads what
// was committed.
func TestLocked(t *testing.T) {
	defer func(d time.Duration) { busyTimeout = d }(busyTimeout)
	busyTimeout = 200 * time.Millisecond
	path := dbPath(t)
	rows, universal := fixture()
	newDB(t, path, SchemaVersion, rows, universal)

	db, err := openRW(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	writer, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer writer.Close()

	if _, err := writer.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	if _, err := writer.ExecContext(ctx, "DELETE FROM providers"); err != nil {
		t.Fatal(err)
	}
	res, err := Read(ctx, path)
	if err != nil || len(res.Found) != 7 {
		t.Errorf("Read beside a pending write = %d found, %v; want the 7 committed", len(res.Found), err)
	}
	if _, err := writer.ExecContext(ctx, "ROLLBACK"); err != nil {
		t.Fatal(err)
	}

	if _, err := writer.ExecContext(ctx, "BEGIN EXCLUSIVE"); err != nil {
		t.Fatal(err)
	}
	defer writer.ExecContext(ctx, "ROLLBACK") //nolint:errcheck
	start := time.Now()
	_, err = Read(ctx, path)
	want := "cc-switch: " + path + " is locked (still busy after 200ms): CC Switch may be writing to it; try again"
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("Read of a locked database = %v\nwant %s", err, want)
	}
	if waited := time.Since(start); waited < busyTimeout {
		t.Errorf("Read gave up after %s, before its busy timeout", waited)
	}
}

func TestNotADatabase(t *testing.T) {
	dir := t.TempDir()
	for name, data := range map[string]string{
		"garbage.db": "hello, not a database at all",
		"empty.db":   "",
	} {
		path := filepath.Join(dir, name)
		os.WriteFile(path, []byte(data), 0o600)
		_, err := Read(context.Background(), path)
		want := "cc-switch: " + path + " is neither a SQLite database (it does not start with the SQLite header) nor a CC Switch config.json"
		if err == nil || err.Error() != want {
			t.Errorf("%s: Read = %v\nwant %s", name, err, want)
		}
	}
	// The header, then garbage: SQLite itself refuses it.
	path := filepath.Join(dir, "corrupt.db")
	os.WriteFile(path, append([]byte(sqliteHeader), bytes.Repeat([]byte{0xff}, 4096)...), 0o600)
	before, _ := os.ReadFile(path)
	_, err := Read(context.Background(), path)
	if err == nil || !(strings.Contains(err.Error(), path+" is not a SQLite database") || strings.Contains(err.Error(), path+" is corrupted")) {
		t.Errorf("corrupt.db: Read = %v, want an error naming the file as not a database or corrupted", err)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
		t.Error("Read changed a corrupted file")
	}
	// A directory.
	if _, err := Read(context.Background(), dir); err == nil || !strings.Contains(err.Error(), "is not a regular file") {
		t.Errorf("Read of a directory = %v", err)
	}
}

func TestMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cc-switch.db")
	_, err := Read(context.Background(), path)
	if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), path) {
		t.Errorf("Read = %v, want a not-exist error naming the file", err)
	}
	// The driver, opened as Read opens it, creates nothing either.
	db, err := openDB(path)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Ping()
	db.Close()
	if err == nil {
		t.Error("a read-only open of a missing database succeeded")
	}
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the missing database was created: %v", err)
	}
}

// TestReadOnly: a connection opened as Read opens it refuses writes.
func TestReadOnly(t *testing.T) {
	path := dbPath(t)
	newDB(t, path, SchemaVersion, nil, nil)
	db, err := openDB(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec("INSERT INTO settings (key, value) VALUES ('x', 'y')"); err == nil {
		t.Error("a write through Read's connection succeeded")
	}
}

func TestContextCancelled(t *testing.T) {
	path := dbPath(t)
	rows, _ := fixture()
	newDB(t, path, SchemaVersion, rows, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Read(ctx, path); !errors.Is(err, context.Canceled) {
		t.Errorf("Read with a cancelled context = %v", err)
	}
}

func TestDefaultPaths(t *testing.T) {
	got := DefaultPaths("/home/u")
	want := []string{filepath.Join("/home/u", ".cc-switch", "cc-switch.db"), filepath.Join("/home/u", ".cc-switch", "config.json")}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("DefaultPaths (-want +got):\n%s", d)
	}
}

// TestBrokenUniversal: universal providers whose JSON does not parse are a
// warning with the position; the providers table is still read.
func TestBrokenUniversal(t *testing.T) {
	path := dbPath(t)
	rows, _ := fixture()
	newDB(t, path, SchemaVersion, rows, nil)
	db, err := openRW(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO settings (key, value) VALUES ('universal_providers', '{"u": {"apiKey": "` + keyUniversal + `",}}')`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	res, err := Read(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	noKeys(t, res, err)
	if len(res.Found) != 6 {
		t.Errorf("Found %d, want the 6 of the providers table", len(res.Found))
	}
	want := "cc-switch universal: not read: the universal_providers setting in " + path + " is not valid JSON at line 1, column 46: invalid character '}' looking for beginning of object key string"
	if len(res.Warnings) == 0 || res.Warnings[0] != want {
		t.Errorf("Warnings = %q\nwant first %q", res.Warnings, want)
	}
}

// TestOddPath: a path with characters a URI escapes (space, ?, #, %) is
// opened as itself.
func TestOddPath(t *testing.T) {
	path := dbPath(t)
	rows, _ := fixture()
	newDB(t, path, SchemaVersion, rows, nil)
	odd := filepath.Join(t.TempDir(), "my dir?#%41", "cc switch.db")
	if err := os.MkdirAll(filepath.Dir(odd), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(path, odd); err != nil {
		t.Fatal(err)
	}
	res, err := Read(context.Background(), odd)
	if err != nil || len(res.Found) != 6 {
		t.Errorf("Read = %d found, %v; want 6", len(res.Found), err)
	}
}
