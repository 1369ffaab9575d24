package ccswitch

import (
	"context"
	"database/sql"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hubctl/hub/credential"
	"github.com/hubctl/hub/engine"
	"github.com/hubctl/hub/engine/config"
	importccswitch "github.com/hubctl/hub/engine/importer/ccswitch"
	"github.com/hubctl/hub/engine/states"
	"github.com/hubctl/hub/engine/system"
	"github.com/hubctl/hub/internal/ccswitchdb"
	"github.com/hubctl/hub/secret"
	"github.com/hubctl/hub/targets"
	"github.com/hubctl/hub/views"
)

var (
	credRelay = &credential.Credential{ID: "relay", Name: "Relay", APIType: credential.Anthropic, BaseURL: "https://relay.example.com",
		Key: secret.New("sk-test-ccs-relay-00000000001"), Models: []string{"claude-sonnet-4-5"}}
	credOAI = &credential.Credential{ID: "oai", Name: "OAI", APIType: credential.OpenAICompatible, BaseURL: "https://oai.example.com",
		Key: secret.New("sk-test-ccs-oai-000000000002"), Models: []string{"gpt-5"}}
	credGem = &credential.Credential{ID: "gem", Name: "Gem", APIType: credential.Google, BaseURL: "https://gem.example.com",
		Key: secret.New("sk-test-ccs-gem-000000000003"), Models: []string{"gemini-2.5-pro"}}
)

const userRows = `
INSERT INTO providers (id, app_type, name, settings_config, website_url, category, created_at, sort_index, notes, icon, icon_color, meta, is_current, in_failover_queue) VALUES
 ('my-relay-1760000000000', 'claude', 'My Relay', '{"env":{"ANTHROPIC_AUTH_TOKEN":"sk-test-user-claude-0000001","ANTHROPIC_BASE_URL":"https://user.example.com","ANTHROPIC_MODEL":"claude-opus-4-1"}}', 'https://user.example.com', 'custom', 1760000000000, 0, NULL, NULL, NULL, '{}', 1, 0),
 ('hub-mirror-1760000000001', 'claude', 'Hub Mirror', '{"env":{"ANTHROPIC_AUTH_TOKEN":"sk-test-user-mirror-000002","ANTHROPIC_BASE_URL":"https://mirror.example.com"}}', NULL, 'custom', 1760000000001, 1, NULL, NULL, NULL, '{}', 0, 0),
 ('3f2b6c1e-9a4d-4c1b-8e2f-0a1b2c3d4e5f', 'codex', 'Own Codex', '{"auth":{"OPENAI_API_KEY":"sk-test-user-codex-0000003"},"config":"model_provider = \"own\"\nmodel = \"gpt-5\"\n\n[model_providers.own]\nname = \"own\"\nbase_url = \"https://own.example.com/v1\"\nwire_api = \"responses\"\n"}', NULL, 'custom', 1760000000002, 2, 'mine', NULL, NULL, '{"apiFormat":"responses"}', 1, 0);
INSERT INTO provider_endpoints (provider_id, app_type, url, added_at) VALUES
 ('my-relay-1760000000000', 'claude', 'https://user2.example.com', 1760000000000),
 ('hub-mirror-1760000000001', 'claude', 'https://mirror2.example.com', 1760000000001);
INSERT INTO settings (key, value) VALUES ('official_providers_seeded', 'true');
`

// newDB creates CC Switch's database at version with the user's rows, as
// the app and its deep-link importer write them.
func newDB(t *testing.T, path string, version int) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", path+"?_pragma=foreign_keys(1)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range []string{ccswitchdb.SchemaV17, userRows, "PRAGMA user_version = " + itoa(version)} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

// dump is every row of providers and provider_endpoints, one per line.
func dump(t *testing.T, path string) (user, hub []string) {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT id, app_type, name, settings_config, IFNULL(website_url,''), IFNULL(category,''), IFNULL(created_at,0), IFNULL(sort_index,-1), IFNULL(notes,''), meta, is_current, in_failover_queue FROM providers ORDER BY id, app_type`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, app, name, sc, web, cat, notes, meta string
		var created, sortIdx, cur, fail int64
		if err := rows.Scan(&id, &app, &name, &sc, &web, &cat, &created, &sortIdx, &notes, &meta, &cur, &fail); err != nil {
			t.Fatal(err)
		}
		line := strings.Join([]string{id, app, name, sc, web, cat, itoa(int(sortIdx)), notes, meta, itoa(int(cur)), itoa(int(fail))}, " | ")
		if hubRow(id, app) {
			hub = append(hub, line)
		} else {
			user = append(user, line+" | "+itoa(int(created)))
		}
	}
	eps, err := db.Query(`SELECT provider_id, app_type, url FROM provider_endpoints ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer eps.Close()
	for eps.Next() {
		var id, app, u string
		if err := eps.Scan(&id, &app, &u); err != nil {
			t.Fatal(err)
		}
		user = append(user, "endpoint "+id+" "+app+" "+u)
	}
	return user, hub
}

func setup(t *testing.T, tg *Target, creds ...*credential.Credential) (*engine.Engine, *config.Config, string) {
	t.Helper()
	home := t.TempDir()
	busyTimeout = 300 * time.Millisecond
	now = func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }
	t.Cleanup(func() { busyTimeout = 3 * time.Second; now = time.Now })
	eng := &engine.Engine{Sys: system.OS{}, Env: targets.Env{Vars: map[string]string{"HOME": home}, Dir: home}, Host: "test"}
	return eng, configure(tg, creds...), filepath.Join(home, ".cc-switch", DBName)
}

func configure(tg *Target, creds ...*credential.Credential) *config.Config {
	info, _ := targets.Lookup(Type)
	in := &targets.Input{Address: "cc_switch.mine", Credentials: creds}
	return &config.Config{Targets: []*config.Target{{Type: info.Type, Name: "mine", Info: info, Impl: tg, Input: in}}}
}

type planError struct{ errs []string }

func (e *planError) Error() string { return strings.Join(e.errs, "; ") }

func apply(t *testing.T, eng *engine.Engine, cfg *config.Config, st *states.State) (*states.State, string, error) {
	t.Helper()
	planned, err := eng.Plan(context.Background(), cfg, st, engine.PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var shown strings.Builder
	views.WritePlan(&shown, planned.Plan, views.Style{})
	flat := strings.Join(strings.Fields(shown.String()), " ")
	if errs := views.TargetErrors(planned.Plan); len(errs) > 0 {
		return st, flat, &planError{errs}
	}
	res, err := eng.Apply(context.Background(), planned, st)
	if err != nil {
		t.Fatal(err)
	}
	if res.Err() != nil {
		return st, flat, res.Err()
	}
	return res.State, flat, nil
}

func noLeak(t *testing.T, what, s string) {
	t.Helper()
	if strings.Contains(s, "sk-test-") {
		t.Errorf("%s holds a key:\n%s", what, s)
	}
}

func stateText(t *testing.T, st *states.State) string {
	t.Helper()
	b, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func sameLines(t *testing.T, what string, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("%s:\n got: %s\nwant: %s", what, strings.Join(got, "\n      "), strings.Join(want, "\n      "))
	}
}

// wantHub is hub's rows after the first apply, golden.
var wantHub = []string{
	`hub-gem-gemini | gemini | Gem | {"env":{"GEMINI_API_KEY":"sk-test-ccs-gem-000000000003","GEMINI_MODEL":"gemini-2.5-pro","GOOGLE_GEMINI_BASE_URL":"https://gem.example.com"}} |  | custom | -1 | Managed by hub (cc_switch.mine); edit it in hub's configuration. | {} | 0 | 0`,
	`hub-oai-codex | codex | OAI | {"auth":{"OPENAI_API_KEY":"sk-test-ccs-oai-000000000002"},"config":"model_provider = \"custom\"\nmodel = \"gpt-5\"\nmodel_reasoning_effort = \"high\"\ndisable_response_storage = true\n\n[model_providers.custom]\nname = \"OAI\"\nbase_url = \"https://oai.example.com/v1\"\nwire_api = \"responses\"\nrequires_openai_auth = true\n"} |  | custom | -1 | Managed by hub (cc_switch.mine); edit it in hub's configuration. | {} | 0 | 0`,
	`hub-relay-claude | claude | Relay | {"env":{"ANTHROPIC_AUTH_TOKEN":"sk-test-ccs-relay-00000000001","ANTHROPIC_BASE_URL":"https://relay.example.com","ANTHROPIC_MODEL":"claude-sonnet-4-5"}} |  | custom | -1 | Managed by hub (cc_switch.mine); edit it in hub's configuration. | {} | 0 | 0`,
}

// TestStory: create, re-apply (no change), a row edited in CC Switch
// (drift), a credential removed (only hub's row deleted); the user's rows
// and endpoints untouched throughout, one backup, nothing secret in plans
// or the state; then hub import reads back the same credentials.
func TestStory(t *testing.T) {
	eng, cfg, db := setup(t, &Target{}, credRelay, credOAI, credGem)
	newDB(t, db, ccswitchdb.SchemaVersion)
	userBefore, _ := dump(t, db)

	st, shown, err := apply(t, eng, cfg, states.New())
	if err != nil {
		t.Fatal(err)
	}
	noLeak(t, "plan", shown)
	for _, want := range []string{
		`+ providers[id=hub-relay-claude].settings_config.env.ANTHROPIC_AUTH_TOKEN = (sensitive value)`,
		`+ providers[id=hub-relay-claude].settings_config.env.ANTHROPIC_BASE_URL = "https://relay.example.com"`,
		`+ providers[id=hub-oai-codex].settings_config.auth.OPENAI_API_KEY = (sensitive value)`,
		`+ providers[id=hub-gem-gemini].settings_config.env.GEMINI_API_KEY = (sensitive value)`,
		`restart CC Switch`,
	} {
		if !strings.Contains(shown, want) {
			t.Errorf("plan lacks %q:\n%s", want, shown)
		}
	}
	noLeak(t, "state", stateText(t, st))
	user, hub := dump(t, db)
	sameLines(t, "user rows", user, userBefore)
	sameLines(t, "hub rows", hub, wantHub)
	backups, _ := filepath.Glob(BackupGlob(db))
	if len(backups) != 1 || filepath.Base(backups[0]) != "cc-switch.db.hub-backup-20260102T030405Z" {
		t.Fatalf("backups = %v", backups)
	}
	if bu, bh := dump(t, backups[0]); len(bh) != 0 || strings.Join(bu, "\n") != strings.Join(userBefore, "\n") {
		t.Errorf("the backup is not the database before hub's change:\n%v\n%v", bu, bh)
	}

	// Re-applying changes nothing.
	st, shown, err = apply(t, eng, cfg, st)
	if err != nil || !strings.Contains(shown, "No changes") {
		t.Fatalf("re-apply: %v\n%s", err, shown)
	}

	// Edited in CC Switch: drift, put back.
	exec(t, db, `UPDATE providers SET settings_config = json_set(settings_config, '$.env.ANTHROPIC_BASE_URL', 'https://edited.example.com', '$.env.EXTRA', 'kept') WHERE id = 'hub-relay-claude'`)
	st, shown, err = apply(t, eng, cfg, st)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(shown, "providers[id=hub-relay-claude].settings_config.env.ANTHROPIC_BASE_URL: changed outside hub") {
		t.Errorf("no drift shown:\n%s", shown)
	}
	_, hub = dump(t, db)
	if !strings.Contains(hub[2], `"ANTHROPIC_BASE_URL":"https://relay.example.com"`) || !strings.Contains(hub[2], `"EXTRA":"kept"`) {
		t.Errorf("drift not put back, or the user's extra setting lost: %s", hub[2])
	}

	// A credential removed: only its row goes.
	now = func() time.Time { return time.Date(2026, 2, 2, 3, 4, 5, 0, time.UTC) }
	cfg = configure(&Target{}, credRelay, credOAI)
	st, shown, err = apply(t, eng, cfg, st)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(shown, "- providers[id=hub-gem-gemini].settings_config.env.GEMINI_API_KEY") {
		t.Errorf("removal not planned:\n%s", shown)
	}
	user, hub = dump(t, db)
	sameLines(t, "user rows after removal", user, userBefore)
	if len(hub) != 2 || strings.HasPrefix(hub[0], "hub-gem") {
		t.Errorf("hub rows after removal: %v", hub)
	}
	if backups, _ := filepath.Glob(BackupGlob(db)); len(backups) != 1 {
		t.Errorf("a second backup: %v", backups)
	}
	noLeak(t, "state", stateText(t, st))

	// hub import gives back the credentials.
	res, err := importccswitch.Read(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]*credential.Credential{}
	for _, f := range res.Found {
		got[f.Credential.Key.Reveal()] = f.Credential
	}
	for _, c := range []*credential.Credential{credRelay, credOAI} {
		g := got[c.Key.Reveal()]
		if g == nil {
			t.Errorf("import lost %s: %+v", c.ID, res.Found)
			continue
		}
		if g.APIType != c.APIType || g.BaseURL != c.BaseURL || g.Name != c.Name || len(g.Models) == 0 || g.Models[0] != c.Models[0] {
			t.Errorf("import of %s = %s %s %s %v", c.ID, g.APIType, g.BaseURL, g.Name, g.Models)
		}
	}
}

func exec(t *testing.T, path, q string) {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(q); err != nil {
		t.Fatal(err)
	}
}

// TestLocked: CC Switch holding a write transaction makes apply fail with a
// clear error after the busy timeout; nothing is written, no backup made.
func TestLocked(t *testing.T) {
	eng, cfg, db := setup(t, &Target{}, credRelay)
	newDB(t, db, ccswitchdb.SchemaVersion)
	userBefore, _ := dump(t, db)
	other, err := sql.Open("sqlite", db)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	conn, err := other.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(context.Background(), "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(context.Background(), "UPDATE providers SET sort_index = 5 WHERE id = 'my-relay-1760000000000'"); err != nil {
		t.Fatal(err)
	}
	_, _, err = apply(t, eng, cfg, states.New())
	if err == nil || !strings.Contains(err.Error(), "is locked") || !strings.Contains(err.Error(), "nothing was written") {
		t.Fatalf("apply on a locked database: %v", err)
	}
	noLeak(t, "error", err.Error())
	if _, err := conn.ExecContext(context.Background(), "ROLLBACK"); err != nil {
		t.Fatal(err)
	}
	user, hub := dump(t, db)
	sameLines(t, "user rows", user, userBefore)
	if len(hub) != 0 {
		t.Errorf("hub wrote to a locked database: %v", hub)
	}
	if backups, _ := filepath.Glob(BackupGlob(db)); len(backups) != 0 {
		t.Errorf("a backup of a database hub did not change: %v", backups)
	}
}

// TestSchemaVersion: a database of another schema version is refused by
// the plan, saying which version hub was tested with.
func TestSchemaVersion(t *testing.T) {
	for _, v := range []int{16, 18} {
		eng, cfg, db := setup(t, &Target{}, credRelay)
		newDB(t, db, v)
		_, _, err := apply(t, eng, cfg, states.New())
		if err == nil || !strings.Contains(err.Error(), "schema version "+itoa(v)) || !strings.Contains(err.Error(), "tested with, 17") {
			t.Errorf("version %d: %v", v, err)
		}
		if _, hub := dump(t, db); len(hub) != 0 {
			t.Errorf("version %d: written: %v", v, hub)
		}
	}
}

// TestMissing: hub does not create CC Switch's database.
func TestMissing(t *testing.T) {
	eng, cfg, db := setup(t, &Target{}, credRelay)
	_, _, err := apply(t, eng, cfg, states.New())
	if err == nil || !strings.Contains(err.Error(), "start CC Switch once") {
		t.Fatalf("missing database: %v", err)
	}
	if _, err := os.Stat(db); !os.IsNotExist(err) {
		t.Errorf("the database was created: %v", err)
	}
}

// TestChangedSincePlan: a row of hub's edited between plan and apply stops
// the write (the transaction checks hub's rows are as planned).
func TestChangedSincePlan(t *testing.T) {
	tg := &Target{}
	_, _, db := setup(t, tg, credRelay)
	newDB(t, db, ccswitchdb.SchemaVersion)
	before, err := tg.Fetch(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	exec(t, db, `INSERT INTO providers (id, app_type, name, settings_config) VALUES ('hub-relay-claude', 'claude', 'Sneaky', '{}')`)
	after := []byte(`{"providers": [{"id": "hub-relay-claude", "app_type": "claude", "name": "Relay", "settings_config": {}}]}`)
	err = tg.Push(context.Background(), db, before, after)
	if err == nil || !strings.Contains(err.Error(), "changed since the plan") {
		t.Fatalf("push over a changed row: %v", err)
	}
	if _, hub := dump(t, db); len(hub) != 1 || !strings.Contains(hub[0], "Sneaky") {
		t.Errorf("written anyway: %v", hub)
	}
}

// TestCurrent: current = true names each app's first provider of the block
// in settings.json, keeping the rest of the file; false leaves it alone.
func TestCurrent(t *testing.T) {
	eng, cfg, db := setup(t, &Target{Current: true, Apps: []string{"claude", "codex"}}, credRelay, credOAI, credGem)
	newDB(t, db, ccswitchdb.SchemaVersion)
	settings := filepath.Join(filepath.Dir(db), SettingsName)
	if err := os.WriteFile(settings, []byte("{\n  \"language\": \"en\",\n  \"currentProviderClaude\": \"my-relay-1760000000000\"\n}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tg := cfg.Targets[0].Impl.(*Target)
	if errs := tg.Validate(cfg.Targets[0].Input); len(errs) != 1 || !strings.Contains(errs[0].Error(), `credential "gem" (api_type "google") fits none of the apps claude, codex`) {
		t.Errorf("Validate = %v", errs)
	}
	cfg = configure(&Target{Current: true, Apps: []string{"claude", "codex"}}, credRelay, credOAI)
	st, shown, err := apply(t, eng, cfg, states.New())
	if err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(settings)
	want := "{\n  \"language\": \"en\",\n  \"currentProviderClaude\": \"hub-relay-claude\",\n  \"currentProviderCodex\": \"hub-oai-codex\"\n}\n"
	if string(got) != want {
		t.Errorf("settings.json:\n%s\nwant:\n%s\nplan: %s", got, want, shown)
	}
	if _, hub := dump(t, db); len(hub) != 2 {
		t.Errorf("hub rows: %v", hub)
	}
	// current = false: hub's keys leave settings.json (CC Switch falls
	// back to its database's is_current).
	cfg = configure(&Target{Apps: []string{"claude", "codex"}}, credRelay, credOAI)
	if st, _, err = apply(t, eng, cfg, st); err != nil {
		t.Fatal(err)
	}
	got, _ = os.ReadFile(settings)
	if string(got) != "{\n  \"language\": \"en\"\n}\n" {
		t.Errorf("settings.json after current = false:\n%s", got)
	}
	// The block removed from the configuration: hub's rows go, the
	// user's stay.
	userBefore, _ := dump(t, db)
	if _, _, err = apply(t, eng, &config.Config{}, st); err != nil {
		t.Fatal(err)
	}
	user, hub := dump(t, db)
	sameLines(t, "user rows", user, userBefore)
	if len(hub) != 0 {
		t.Errorf("hub rows left after the block was removed: %v", hub)
	}
}

// TestModelNotes: a provider row whose model the tool it is for will send
// as another id (the measured tables of targets/internal/toolmodels) gets a
// note naming the row, the tool and its version; other rows none.
func TestModelNotes(t *testing.T) {
	tg := &Target{}
	creds := []*credential.Credential{
		{ID: "old", APIType: credential.Anthropic, Key: secret.New("sk-test-ccs-old-0001"), Models: []string{"claude-opus-4-1"}},
		{ID: "new", APIType: credential.Anthropic, Key: secret.New("sk-test-ccs-new-0002"), Models: []string{"claude-sonnet-4-5"}},
		{ID: "gem", APIType: credential.Google, Key: secret.New("sk-test-ccs-gem-0003"), Models: []string{"gemini-3-pro-preview"}},
		{ID: "oai", APIType: credential.OpenAI, Key: secret.New("sk-test-ccs-oai-0004"), Models: []string{"gpt-5"}},
	}
	got := tg.StandingNotes(&targets.Input{Address: "cc_switch.mine", Credentials: creds})
	want := []string{
		`provider hub-old-claude: Claude Code 2.1.328 sends ANTHROPIC_MODEL = "claude-opus-4-1" as "claude-opus-5-5". To keep the id, set CLAUDE_CODE_DISABLE_LEGACY_MODEL_REMAP = "1" in that provider's env in CC Switch.`,
		`provider hub-gem-gemini: Gemini CLI 0.61.0 sends GEMINI_MODEL = "gemini-3-pro-preview" as "gemini-3.1-pro-preview". No setting turns that off: make sure the relay serves it, or give the credential the model you want sent first.`,
	}
	sameLines(t, "model notes", got, want)
}
