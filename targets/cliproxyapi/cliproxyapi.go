// Package cliproxyapi is the cliproxyapi target: the provider lists of a
// CLIProxyAPI server (github.com/router-for-me/CLIProxyAPI), written into
// its config.yaml (file mode) or through its management API (management
// mode, a management block instead of config_file).
//
// # File mode
//
// File: config_file, the file the server runs with (its --config flag, else
// config.yaml in the directory it starts in; CLIProxyAPI has no per-user
// default), relative to the configuration directory, ~ allowed; or
// config.yaml in config_dir.
//
// Each credential of the block's credentials list becomes an entry in the
// list for its API type, and hub owns these fields of it:
//
//   - openai-compatible: the openai-compatibility entry whose name is the
//     credential id; base-url (the base URL + /v1), api-key-entries
//     ([{api-key: KEY}]) and models ([{name: M, alias: M}] for each of the
//     credential's models, which CLIProxyAPI needs to route any request).
//   - anthropic: a claude-api-key entry, openai: a codex-api-key entry,
//     google: a gemini-api-key entry. These entries have no name, so hub
//     marks its own with a "# hub:<credential id>" comment line above it and
//     owns its api-key, base-url and, when the credential lists models,
//     models. base-url is what each of CLIProxyAPI's executors appends its
//     path to: the base URL as it is for Claude (+ /v1/messages) and Gemini
//     (+ /v1beta/models/...), the base URL + /v1 for Codex (+ /responses).
//
// Everything else (port, auth-dir, api-keys, remote-management, routing, the
// user's own entries in the same lists, comments, order) is kept byte for
// byte, by targets/internal/yamledit.
//
// CLIProxyAPI watches config.yaml and reloads it within a second or two of a
// change. It watches the file itself, though, so a file replaced by rename
// (hub's usual atomic write) ends hot reload until the server restarts: this
// target asks the engine to rewrite the file in place (targets.InPlace).
//
// # Management mode
//
// With management { url = ..., key = ... }, hub never touches a file: the
// document is the management API at url + /v0/management (Files returns
// that URL; the target is a targets.Remote, and IsRemote tells the engine
// that names which are http(s) URLs are remote, file paths not). Fetch reads the four lists
// above with GET /v0/management/<list> and hands Open one JSON object
// {"openai-compatibility": [...], "claude-api-key": [...], ...}, edited with
// targets/internal/jsonedit; Push PUTs each list that changed, whole, since
// the API has no way to add one entry. hub owns the same fields of the
// same entries as in file mode, with one difference: JSON has no comments
// to mark an entry with, so the entry for an anthropic, openai or google
// credential is the one holding its key, selected by
// targets.SelectSecret("api-key", key, credential id) (the key appears in
// plans and state only as a digest salted with the credential id). Rotating
// such a key therefore removes the old entry and adds a new one at the end
// of the list. The user's own entries, and everything else in the server's
// configuration, are sent back as the server gave them; the server saves
// config.yaml keeping its comments (not its blank lines or quoting), and
// applies the change at once.
//
// The key (the server's remote-management.secret-key) is a secret of the
// block (targets.SecretHolder), redacted from all output. Requests go
// straight to url (no HTTP proxy, no redirect followed), with a 10 s
// timeout each; plain http only to this machine unless insecure = true.
// Every status the management middleware answers with becomes an error
// saying what to change; a refused key counts towards CLIProxyAPI's ban of
// the IP (five failures, 30 minutes), so hub stops at the first one.
//
// Checked with CLIProxyAPI v6.10.0 (Go module
// github.com/router-for-me/CLIProxyAPI/v6): its config structs
// (internal/config/config.go), executors, management handlers
// (internal/api/handlers/management: handler.go, config_lists.go,
// config_auth_index.go) and, in realserver_test.go, the real server picking
// up a key rotation written by hub while it runs, through the file and
// through the management API.
package cliproxyapi

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/hubctl/hub/credential"
	"github.com/hubctl/hub/targets"
	"github.com/hubctl/hub/targets/internal/jsonedit"
	"github.com/hubctl/hub/targets/internal/yamledit"
)

// Type is the target type label.
const Type = "cliproxyapi"

func init() {
	targets.Register(targets.Info{
		Type:  Type,
		Doc:   "CLIProxyAPI: provider entries in the server's config.yaml, or through its management API",
		New:   func() targets.Target { return &Target{} },
		Multi: true,
	})
}

// Target is the cliproxyapi block.
type Target struct {
	// ConfigFile is the server's config.yaml.
	ConfigFile string `hcl:"config_file,optional"`
	// ConfigDir is the directory holding config.yaml, instead of ConfigFile.
	ConfigDir string `hcl:"config_dir,optional"`
	// Management, instead of a file, writes through the server's
	// management API.
	Management *Management `hcl:"management,block"`
}

var (
	_ targets.Target    = (*Target)(nil)
	_ targets.Validator = (*Target)(nil)
	_ targets.Noter     = (*Target)(nil)
	_ targets.InPlace   = (*Target)(nil)
)

// errNoFile is the error for a block that names no file.
var errNoFile = errors.New("config_file is required: the config.yaml your CLIProxyAPI server runs with (its --config flag, or config.yaml in the directory it starts in); " +
	"or, to write through the server's management API instead, a management block: management { url = \"http://127.0.0.1:8317\", key = env(\"CPA_MANAGEMENT_KEY\") }")

// Files implements targets.Target: config.yaml, or in management mode the
// management API's base URL.
func (t *Target) Files(env targets.Env) ([]string, error) {
	switch {
	case t.Management != nil:
		b, err := t.Management.base()
		if err != nil {
			return nil, err
		}
		return []string{b}, nil
	}
	p, err := env.ConfigFile(t.ConfigFile, t.ConfigDir, "config.yaml")
	if err != nil {
		return nil, err
	}
	if p == "" {
		return nil, errNoFile
	}
	return []string{p}, nil
}

// Open implements targets.Target: config.yaml with yamledit, the lists
// Fetch returns with jsonedit.
func (t *Target) Open(path string, data []byte) (targets.Doc, error) {
	if t.IsRemote(path) {
		return jsonedit.Parse(data)
	}
	return yamledit.Parse(data)
}

// WritesInPlace implements targets.InPlace: CLIProxyAPI's watcher follows
// the file, and loses it when it is replaced by rename.
func (t *Target) WritesInPlace(string) bool { return true }

// Validate implements targets.Validator.
func (t *Target) Validate(in *targets.Input) []error {
	var errs []error
	switch {
	case t.Management != nil && (t.ConfigFile != "" || t.ConfigDir != ""):
		errs = append(errs, errors.New("a management block and config_file (or config_dir) are both set; give one: config_file to edit the server's config.yaml, or management to write through its management API"))
	case t.Management != nil:
		if _, err := t.Management.base(); err != nil {
			errs = append(errs, err)
		}
		if t.Management.Key == "" {
			errs = append(errs, errors.New("the management key is empty: give the server's remote-management.secret-key, such as key = env(\"CPA_MANAGEMENT_KEY\")"))
		}
	case t.ConfigFile == "" && t.ConfigDir == "":
		errs = append(errs, errNoFile)
	case t.ConfigFile != "" && t.ConfigDir != "":
		errs = append(errs, errors.New("config_file and config_dir are both set; give config_file, the file the server runs with"))
	case t.ConfigFile != "" && !yamlName.MatchString(t.ConfigFile):
		errs = append(errs, fmt.Errorf("config_file %q does not name a YAML file; give the config.yaml your CLIProxyAPI server runs with (not its auth-dir)", t.ConfigFile))
	}
	seen := map[string]bool{}
	byKey := map[string]string{} // list + key -> credential id, for management mode
	for _, c := range in.Credentials {
		if seen[c.ID] {
			errs = append(errs, fmt.Errorf("credential %q is listed twice", c.ID))
		}
		seen[c.ID] = true
		if list, ok := lists[c.APIType]; ok && t.Management != nil && c.APIType != credential.OpenAICompatible && c.Key.Reveal() != "" {
			k := list + "\x00" + c.Key.Reveal()
			if other, dup := byKey[k]; dup {
				errs = append(errs, fmt.Errorf("credentials %q and %q have the same key, and entries of CLIProxyAPI's %s are known by their key in management mode; list one of them", other, c.ID, list))
			}
			byKey[k] = c.ID
		}
		switch c.APIType {
		case credential.OpenAICompatible:
			if len(c.Models) == 0 {
				errs = append(errs, fmt.Errorf("credential %q (openai-compatible) lists no models, and CLIProxyAPI routes only the models an openai-compatibility entry lists; add models = [...] to the credential", c.ID))
			}
			if c.BaseURL == "" {
				errs = append(errs, fmt.Errorf("credential %q (openai-compatible) has no base_url; CLIProxyAPI drops openai-compatibility entries without one", c.ID))
			}
		case credential.OpenAI:
			if c.BaseURL == "" {
				errs = append(errs, fmt.Errorf("credential %q (openai) has no base_url; CLIProxyAPI drops codex-api-key entries without one", c.ID))
			}
		case credential.Anthropic, credential.Google:
		default:
			errs = append(errs, fmt.Errorf("credential %q has api_type %q, which CLIProxyAPI has no list for; use openai-compatible, openai, anthropic or google", c.ID, c.APIType))
		}
	}
	return errs
}

var yamlName = regexp.MustCompile(`(?i)\.ya?ml$`)

// lists holds the config.yaml list each API type's credentials go in.
var lists = map[string]string{
	credential.OpenAICompatible: "openai-compatibility",
	credential.OpenAI:           "codex-api-key",
	credential.Anthropic:        "claude-api-key",
	credential.Google:           "gemini-api-key",
}

// versioned is the base URL with /v1, unless it already ends in a version
// segment (Volcengine's /api/coding/v3): openai-compatibility and
// codex-api-key base URLs are those /chat/completions and /responses follow.
func versioned(base string) string {
	if base == "" || credential.HasVersion(base) {
		return base
	}
	return base + "/v1"
}

// Desired implements targets.Target.
func (t *Target) Desired(path string, in *targets.Input) (*targets.Spec, error) {
	remote := t.IsRemote(path)
	spec := &targets.Spec{}
	add := func(k targets.Key, v any, sensitive bool) {
		spec.Items = append(spec.Items, targets.Item{Key: k, Value: v, Sensitive: sensitive})
	}
	for _, c := range in.Credentials {
		list, ok := lists[c.APIType]
		if !ok {
			return nil, fmt.Errorf("credential %q has api_type %q, which CLIProxyAPI has no list for", c.ID, c.APIType)
		}
		if c.APIType == credential.OpenAICompatible {
			p := func(name string) targets.Key { return targets.Key{list, targets.Select("name", c.ID), name} }
			add(p("base-url"), versioned(c.BaseURL), false)
			add(p("api-key-entries"), []any{map[string]any{"api-key": c.Key.Reveal()}}, true)
			add(p("models"), models(c.Models), false)
			continue
		}
		// An entry without a name: marked by a comment in config.yaml; known
		// by its key through the API, where api-key, set first, creates it.
		sel := targets.Marked(c.ID)
		if remote {
			sel = targets.SelectSecret("api-key", c.Key.Reveal(), c.ID)
		}
		p := func(name string) targets.Key { return targets.Key{list, sel, name} }
		add(p("api-key"), c.Key.Reveal(), true)
		base := c.BaseURL
		if c.APIType == credential.OpenAI {
			base = versioned(base)
		}
		if base != "" {
			add(p("base-url"), base, false)
		}
		if len(c.Models) > 0 {
			add(p("models"), models(c.Models), false)
		}
	}
	return spec, nil
}

// models maps each model to itself: CLIProxyAPI offers clients the alias
// and sends the upstream the name.
func models(ms []string) []any {
	out := make([]any, len(ms))
	for i, m := range ms {
		out[i] = map[string]any{"name": m, "alias": m}
	}
	return out
}

// Notes implements targets.Noter.
func (t *Target) Notes(in *targets.Input) []string {
	if t.Management != nil {
		return t.managementNotes(in)
	}
	notes := []string{"a running CLIProxyAPI reloads config.yaml by itself within a second or two; hub rewrites the file in place, as its file watcher needs, so there is nothing to restart."}
	var ids []string
	for _, c := range in.Credentials {
		if c.APIType != credential.OpenAICompatible {
			ids = append(ids, c.ID)
		}
	}
	if len(ids) > 0 {
		notes = append(notes, fmt.Sprintf("hub marks its entries for %s with a \"# hub:<credential>\" comment line: keep that line if you edit the entry.", strings.Join(ids, ", ")))
	}
	return notes
}

func (t *Target) managementNotes(in *targets.Input) []string {
	where := "the server's management API"
	if b, err := t.Management.base(); err == nil {
		where = b
	}
	notes := []string{fmt.Sprintf("hub writes through %s, replacing each list it changes whole; CLIProxyAPI applies the change at once and saves its config.yaml keeping comments, so there is nothing to restart.", where)}
	var ids []string
	for _, c := range in.Credentials {
		if c.APIType != credential.OpenAICompatible {
			ids = append(ids, c.ID)
		}
	}
	if len(ids) > 0 {
		notes = append(notes, fmt.Sprintf("the entries for %s are known by their key: a new key replaces the entry (at the end of its list), and an entry whose key you change by hand is no longer hub's.", strings.Join(ids, ", ")))
	}
	return notes
}
