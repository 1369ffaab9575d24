// Package ccswitch is the cc_switch target: CC Switch's provider list
// (~/.cc-switch/cc-switch.db, SQLite) kept as code. Each credential of the
// block becomes one provider row per app it fits, in the shape CC Switch's
// own deep-link importer writes; the user's own rows are never touched.
//
// # Documents
//
// The database is not a text file, so the target is a targets.Remote for it
// (as cliproxyapi is for its management API): Fetch reads hub's rows into a
// JSON document, {"providers": [{"id", "app_type", "name", "category",
// "notes", "settings_config": {...}}]}, edited with jsonedit, so the engine
// plans items per row and field (providers[id=hub-relay-claude].
// settings_config.env.ANTHROPIC_AUTH_TOKEN), records hashes of the keys and
// reports a row edited in CC Switch as drift, as it does for a file. Push
// writes the difference in one transaction (db.go). settings.json beside
// the database, where current = true sets currentProvider<App>, is an
// ordinary file (targets.RemoteDocs tells the two apart by name).
//
// hub's rows have the id "hub-<credential>-<app>"; only rows whose id has
// that form for their app_type enter the document, so no other row can be
// changed or deleted by hub. CC Switch's own ids are UUIDs, and its deep
// link's are "<name>-<13-digit time>".
package ccswitch

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/hubctl/hub/credential"
	"github.com/hubctl/hub/targets"
	"github.com/hubctl/hub/targets/internal/jsonedit"
	"github.com/hubctl/hub/targets/internal/toolmodels"
)

// Type is the target type label.
const Type = "cc_switch"

func init() {
	targets.Register(targets.Info{
		Type:  Type,
		Doc:   "CC Switch: one provider row per credential and app in ~/.cc-switch/cc-switch.db",
		New:   func() targets.Target { return &Target{} },
		Multi: true,
	})
}

// Target is the cc_switch block.
type Target struct {
	// Apps are the CC Switch apps hub's providers are for: claude, codex,
	// gemini. Each credential goes to those its API type fits (claude:
	// anthropic; codex: openai, openai-compatible; gemini: google); by
	// default all three.
	Apps []string `hcl:"apps,optional"`
	// Current makes each app's first provider of this block the current one,
	// in settings.json's currentProvider<App> as CC Switch keeps it; by
	// default which provider is current is left to the user.
	Current bool `hcl:"current,optional"`
	// ConfigDir is CC Switch's data directory (~/.cc-switch).
	ConfigDir string `hcl:"config_dir,optional"`
}

var (
	_ targets.Target        = (*Target)(nil)
	_ targets.Validator     = (*Target)(nil)
	_ targets.Noter         = (*Target)(nil)
	_ targets.StandingNoter = (*Target)(nil)
	_ targets.Remote        = (*Target)(nil)
	_ targets.RemoteDocs    = (*Target)(nil)
)

const (
	// DBName and SettingsName are CC Switch's files in its data directory.
	DBName       = "cc-switch.db"
	SettingsName = "settings.json"
	// idPrefix starts the id of every row hub owns.
	idPrefix = "hub-"
)

// apps are the CC Switch apps hub writes, in order, with the API types
// each takes and its key in settings.json.
var apps = []struct {
	name, currentKey string
	types            []string
}{
	{"claude", "currentProviderClaude", []string{credential.Anthropic}},
	{"codex", "currentProviderCodex", []string{credential.OpenAI, credential.OpenAICompatible}},
	{"gemini", "currentProviderGemini", []string{credential.Google}},
}

// RowID is the providers id hub gives its row for a credential and app.
func RowID(cred, app string) string { return idPrefix + cred + "-" + app }

// rowIDRE matches an id of RowID's form; hubRow checks its app.
var rowIDRE = regexp.MustCompile(`^hub-[A-Za-z0-9_][A-Za-z0-9_-]*$`)

// hubRow reports whether a row is hub's: its id is RowID(cred, app_type).
func hubRow(id, app string) bool {
	return rowIDRE.MatchString(id) && strings.HasSuffix(id, "-"+app) && len(id) > len(idPrefix)+len(app)+1
}

func (t *Target) apps() []string {
	if len(t.Apps) == 0 {
		return []string{"claude", "codex", "gemini"}
	}
	return t.Apps
}

func knownApp(name string) bool {
	for _, a := range apps {
		if a.name == name {
			return true
		}
	}
	return false
}

// fits reports whether app takes credentials of apiType.
func fits(app, apiType string) bool {
	for _, a := range apps {
		if a.name == app {
			return slices.Contains(a.types, apiType)
		}
	}
	return false
}

// rows are the (credential, app) pairs the block asks for, in order.
func (t *Target) rows(in *targets.Input) []row {
	var out []row
	for _, c := range in.Credentials {
		for _, app := range t.apps() {
			if fits(app, c.APIType) {
				out = append(out, row{c, app})
			}
		}
	}
	return out
}

type row struct {
	c   *credential.Credential
	app string
}

func (t *Target) dir(env targets.Env) (string, error) {
	return env.ConfigDir(t.ConfigDir, "", ".cc-switch")
}

// Files implements targets.Target: the database and settings.json.
func (t *Target) Files(env targets.Env) ([]string, error) {
	d, err := t.dir(env)
	if err != nil {
		return nil, err
	}
	return []string{filepath.Join(d, DBName), filepath.Join(d, SettingsName)}, nil
}

// IsRemote implements targets.RemoteDocs: the database is, settings.json
// is a file.
func (t *Target) IsRemote(name string) bool { return strings.HasSuffix(name, ".db") }

// Open implements targets.Target.
func (t *Target) Open(name string, data []byte) (targets.Doc, error) {
	if t.IsRemote(name) && len(bytes.TrimSpace(data)) == 0 {
		data = []byte("{\"providers\": []}\n")
	}
	return jsonedit.Parse(data)
}

// Validate implements targets.Validator.
func (t *Target) Validate(in *targets.Input) []error {
	var errs []error
	seenApp := map[string]bool{}
	for _, a := range t.Apps {
		if !knownApp(a) {
			errs = append(errs, fmt.Errorf("apps: %q is not an app hub writes CC Switch providers for; use claude, codex or gemini", a))
		}
		if seenApp[a] {
			errs = append(errs, fmt.Errorf("apps: %q is listed twice", a))
		}
		seenApp[a] = true
	}
	seen := map[string]bool{}
	for _, c := range in.Credentials {
		if seen[c.ID] {
			errs = append(errs, fmt.Errorf("credential %q is listed twice", c.ID))
		}
		seen[c.ID] = true
		if c.Key.Reveal() == "" {
			errs = append(errs, fmt.Errorf("credential %q has no key, and a CC Switch provider needs one", c.ID))
		}
		if !slices.ContainsFunc(t.apps(), func(a string) bool { return fits(a, c.APIType) }) {
			errs = append(errs, fmt.Errorf("credential %q (api_type %q) fits none of the apps %s (claude takes anthropic, codex openai and openai-compatible, gemini google)", c.ID, c.APIType, strings.Join(t.apps(), ", ")))
		}
		if c.APIType == credential.OpenAICompatible && c.BaseURL == "" {
			errs = append(errs, fmt.Errorf("credential %q (openai-compatible) has no base_url, which its Codex provider needs", c.ID))
		}
	}
	return errs
}

// Desired implements targets.Target.
func (t *Target) Desired(name string, in *targets.Input) (*targets.Spec, error) {
	spec := &targets.Spec{}
	if !t.IsRemote(name) {
		if !t.Current {
			return spec, nil
		}
		done := map[string]bool{}
		for _, r := range t.rows(in) {
			if done[r.app] {
				continue
			}
			done[r.app] = true
			for _, a := range apps {
				if a.name == r.app {
					spec.Items = append(spec.Items, targets.Item{Key: targets.Key{a.currentKey}, Value: RowID(r.c.ID, r.app)})
				}
			}
		}
		return spec, nil
	}
	for _, r := range t.rows(in) {
		c := r.c
		p := func(k ...string) targets.Key {
			return append(targets.Key{"providers", targets.Select("id", RowID(c.ID, r.app))}, k...)
		}
		add := func(it targets.Item) { spec.Items = append(spec.Items, it) }
		name := c.Name
		if name == "" {
			name = c.ID
		}
		add(targets.Item{Key: p("app_type"), Value: r.app})
		add(targets.Item{Key: p("name"), Value: name})
		add(targets.Item{Key: p("category"), Value: "custom"})
		add(targets.Item{Key: p("notes"), Value: "Managed by hub (" + in.Address + "); edit it in hub's configuration."})
		key := c.Key.Reveal()
		switch r.app {
		case "claude":
			env := func(k string) targets.Key { return p("settings_config", "env", k) }
			if c.BaseURL != "" {
				add(targets.Item{Key: env("ANTHROPIC_BASE_URL"), Value: c.BaseURL})
			}
			add(targets.Item{Key: env("ANTHROPIC_AUTH_TOKEN"), Value: key, Sensitive: true})
			if it, ok := targets.ModelItem(env("ANTHROPIC_MODEL"), "", c, credential.FamilyClaude); ok {
				add(it)
			}
		case "codex":
			add(targets.Item{Key: p("settings_config", "auth", "OPENAI_API_KEY"), Value: key, Sensitive: true})
			add(targets.Item{Key: p("settings_config", "config"), Value: CodexConfig(name, c)})
		case "gemini":
			env := func(k string) targets.Key { return p("settings_config", "env", k) }
			add(targets.Item{Key: env("GEMINI_API_KEY"), Value: key, Sensitive: true})
			if c.BaseURL != "" {
				add(targets.Item{Key: env("GOOGLE_GEMINI_BASE_URL"), Value: geminiBase.ReplaceAllString(c.BaseURL, "")})
			}
			if it, ok := targets.ModelItem(env("GEMINI_MODEL"), "", c, credential.FamilyGemini); ok {
				add(it)
			}
		}
	}
	return spec, nil
}

var geminiBase = regexp.MustCompile(`(?i)/v1beta$`)

// CodexConfig is the config.toml text CC Switch keeps for a Codex
// provider, as its deep link generates it: a custom model provider with
// the credential's base URL (with /v1) on the Responses API, and the
// credential's first GPT model (else gpt-5-codex).
func CodexConfig(name string, c *credential.Credential) string {
	base := c.BaseURL
	if base == "" {
		base = "https://api.openai.com"
	}
	if !credential.HasVersion(base) {
		base += "/v1"
	}
	model, _ := c.PickModel(credential.FamilyGPT)
	if model == "" {
		model = "gpt-5-codex"
	}
	return fmt.Sprintf(`model_provider = "custom"
model = %s
model_reasoning_effort = "high"
disable_response_storage = true

[model_providers.custom]
name = %s
base_url = %s
wire_api = "responses"
requires_openai_auth = true
`, tomlString(model), tomlString(name), tomlString(base))
}

// tomlString quotes s as a TOML basic string (JSON's escapes are TOML's).
func tomlString(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		return `""`
	}
	return strings.TrimSpace(b.String())
}

// Notes implements targets.Noter.
func (t *Target) Notes(in *targets.Input) []string {
	notes := []string{
		"CC Switch reads its database when it starts: restart CC Switch to see the change.",
		"Before hub first changes cc-switch.db it copies it beside it (cc-switch.db.hub-backup-TIME); hub writes only rows whose id starts with \"hub-\", in one transaction.",
	}
	if t.Current {
		notes = append(notes, "current = true: settings.json's currentProvider<App> names hub's provider; CC Switch writes the tool's own config (~/.claude/settings.json, ...) when you switch in its window.")
	} else {
		notes = append(notes, "Which provider is current is left to you: pick hub's in CC Switch (or set current = true).")
	}
	return notes
}

// StandingNotes implements targets.StandingNoter: per provider row, when
// the tool CC Switch hands the row to will send its model as another id
// (toolmodels' measured tables), on every plan.
func (t *Target) StandingNotes(in *targets.Input) []string {
	var notes []string
	for _, r := range t.rows(in) {
		var key, tool, version string
		var rewrite func(string) (string, bool)
		var family string
		switch r.app {
		case "claude":
			key, tool, version, rewrite, family = "ANTHROPIC_MODEL", "Claude Code", toolmodels.ClaudeCodeVersion, toolmodels.ClaudeCodeRemap, credential.FamilyClaude
		case "gemini":
			key, tool, version, rewrite, family = "GEMINI_MODEL", "Gemini CLI", toolmodels.GeminiCLIVersion, toolmodels.GeminiCLIRewrite, credential.FamilyGemini
		default:
			continue
		}
		it, ok := targets.ModelItem(targets.Key{key}, "", r.c, family)
		if !ok {
			continue
		}
		model, _ := it.Value.(string)
		to, ok := rewrite(model)
		if !ok {
			continue
		}
		note := fmt.Sprintf("provider %s: %s %s sends %s = %q as %q.", RowID(r.c.ID, r.app), tool, version, key, model, to)
		if r.app == "claude" {
			note += fmt.Sprintf(" To keep the id, set %s = \"1\" in that provider's env in CC Switch.", toolmodels.DisableRemapEnv)
		} else {
			note += " No setting turns that off: make sure the relay serves it, or give the credential the model you want sent first."
		}
		notes = append(notes, note)
	}
	return notes
}

// errNoDB explains a missing database.
var errNoDB = errors.New("CC Switch creates its database when it first starts, and hub does not create it: start CC Switch once, then plan again")
