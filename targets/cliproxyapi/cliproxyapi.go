// Package cliproxyapi is the cliproxyapi target: the config.yaml of a
// CLIProxyAPI server (github.com/router-for-me/CLIProxyAPI).
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
// Writing through CLIProxyAPI's management API instead of the file is not
// available yet.
//
// Checked with CLIProxyAPI v6.10.0 (Go module
// github.com/router-for-me/CLIProxyAPI/v6): its config structs
// (internal/config/config.go), executors, and, in realserver_test.go, the
// real server picking up a key rotation written by hub while it runs.
package cliproxyapi

import (
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/hubctl/hub/providers"
	"github.com/hubctl/hub/targets"
	"github.com/hubctl/hub/targets/internal/yamledit"
)

// Type is the target type label.
const Type = "cliproxyapi"

func init() {
	targets.Register(targets.Info{
		Type:  Type,
		Doc:   "CLIProxyAPI: provider entries in the server's config.yaml",
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
}

var (
	_ targets.Target    = (*Target)(nil)
	_ targets.Validator = (*Target)(nil)
	_ targets.Noter     = (*Target)(nil)
	_ targets.InPlace   = (*Target)(nil)
)

// errNoFile is the error for a block that names no file.
var errNoFile = errors.New("config_file is required: the config.yaml your CLIProxyAPI server runs with (its --config flag, or config.yaml in the directory it starts in); " +
	"writing through CLIProxyAPI's management API instead is not available yet")

// Files implements targets.Target.
func (t *Target) Files(env targets.Env) ([]string, error) {
	switch {
	case t.ConfigFile != "":
		p, err := env.Path(t.ConfigFile)
		if err != nil {
			return nil, err
		}
		return []string{p}, nil
	case t.ConfigDir != "":
		dir, err := env.Path(t.ConfigDir)
		if err != nil {
			return nil, err
		}
		return []string{filepath.Join(dir, "config.yaml")}, nil
	}
	return nil, errNoFile
}

// Open implements targets.Target.
func (t *Target) Open(_ string, data []byte) (targets.Doc, error) { return yamledit.Parse(data) }

// WritesInPlace implements targets.InPlace: CLIProxyAPI's watcher follows
// the file, and loses it when it is replaced by rename.
func (t *Target) WritesInPlace(string) bool { return true }

// Validate implements targets.Validator.
func (t *Target) Validate(in *targets.Input) []error {
	var errs []error
	switch {
	case t.ConfigFile == "" && t.ConfigDir == "":
		errs = append(errs, errNoFile)
	case t.ConfigFile != "" && t.ConfigDir != "":
		errs = append(errs, errors.New("config_file and config_dir are both set; give config_file, the file the server runs with"))
	case t.ConfigFile != "" && !yamlName.MatchString(t.ConfigFile):
		errs = append(errs, fmt.Errorf("config_file %q does not name a YAML file; give the config.yaml your CLIProxyAPI server runs with (not its auth-dir)", t.ConfigFile))
	}
	seen := map[string]bool{}
	for _, c := range in.Credentials {
		if seen[c.ID] {
			errs = append(errs, fmt.Errorf("credential %q is listed twice", c.ID))
		}
		seen[c.ID] = true
		switch c.APIType {
		case providers.OpenAICompatible:
			if len(c.Models) == 0 {
				errs = append(errs, fmt.Errorf("credential %q (openai-compatible) lists no models, and CLIProxyAPI routes only the models an openai-compatibility entry lists; add models = [...] to the credential", c.ID))
			}
			if c.BaseURL == "" {
				errs = append(errs, fmt.Errorf("credential %q (openai-compatible) has no base_url; CLIProxyAPI drops openai-compatibility entries without one", c.ID))
			}
		case providers.OpenAI:
			if c.BaseURL == "" {
				errs = append(errs, fmt.Errorf("credential %q (openai) has no base_url; CLIProxyAPI drops codex-api-key entries without one", c.ID))
			}
		case providers.Anthropic, providers.Google:
		default:
			errs = append(errs, fmt.Errorf("credential %q has api_type %q, which CLIProxyAPI has no list for; use openai-compatible, openai, anthropic or google", c.ID, c.APIType))
		}
	}
	return errs
}

var yamlName = regexp.MustCompile(`(?i)\.ya?ml$`)

// lists holds the config.yaml list each API type's credentials go in.
var lists = map[string]string{
	providers.OpenAICompatible: "openai-compatibility",
	providers.OpenAI:           "codex-api-key",
	providers.Anthropic:        "claude-api-key",
	providers.Google:           "gemini-api-key",
}

var versionSuffix = regexp.MustCompile(`/v\d+(beta\d*)?$`)

// versioned is the base URL with /v1, unless it already ends in a version
// segment (Volcengine's /api/coding/v3): openai-compatibility and
// codex-api-key base URLs are those /chat/completions and /responses follow.
func versioned(base string) string {
	if base == "" || versionSuffix.MatchString(base) {
		return base
	}
	return base + "/v1"
}

// Desired implements targets.Target.
func (t *Target) Desired(_ string, in *targets.Input) (*targets.Spec, error) {
	spec := &targets.Spec{}
	add := func(k targets.Key, v any, sensitive bool) {
		spec.Items = append(spec.Items, targets.Item{Key: k, Value: v, Sensitive: sensitive})
	}
	for _, c := range in.Credentials {
		list, ok := lists[c.APIType]
		if !ok {
			return nil, fmt.Errorf("credential %q has api_type %q, which CLIProxyAPI has no list for", c.ID, c.APIType)
		}
		if c.APIType == providers.OpenAICompatible {
			p := func(name string) targets.Key { return targets.Key{list, targets.Select("name", c.ID), name} }
			add(p("base-url"), versioned(c.BaseURL), false)
			add(p("api-key-entries"), []any{map[string]any{"api-key": c.Key.Reveal()}}, true)
			add(p("models"), models(c.Models), false)
			continue
		}
		p := func(name string) targets.Key { return targets.Key{list, targets.Marked(c.ID), name} }
		add(p("api-key"), c.Key.Reveal(), true)
		base := c.BaseURL
		if c.APIType == providers.OpenAI {
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
	notes := []string{"a running CLIProxyAPI reloads config.yaml by itself within a second or two; hub rewrites the file in place, as its file watcher needs, so there is nothing to restart."}
	var ids []string
	for _, c := range in.Credentials {
		if c.APIType != providers.OpenAICompatible {
			ids = append(ids, c.ID)
		}
	}
	if len(ids) > 0 {
		notes = append(notes, fmt.Sprintf("hub marks its entries for %s with a \"# hub:<credential>\" comment line: keep that line if you edit the entry.", strings.Join(ids, ", ")))
	}
	return notes
}
