// Package aisdk holds what the opencode and kilo targets share. Kilo v7 is a
// fork of opencode and both read custom providers from the same entry in a
// JSON or JSONC file:
//
//	"provider": {
//	  "<credential id>": {
//	    "npm": "@ai-sdk/openai-compatible",      // the Vercel AI SDK package that speaks the API
//	    "name": "<credential name>",
//	    "options": {"baseURL": "<base URL>/v1", "apiKey": "<key or {env:VAR}>"},
//	    "models": {"<model id>": {"name": "<model id>"}}
//	  }
//	},
//	"model": "<credential id>/<model id>"
//
// Adapters must not import each other, so the entry, the file choice and the
// checks live here once and each adapter is a thin block around a Tool.
//
// Checked with opencode-ai 1.18.33 and @kilocode/cli 7.7.7 against a
// recording upstream on loopback: @ai-sdk/openai-compatible with
// baseURL BASE/v1 sends POST /v1/chat/completions (Authorization: Bearer),
// @ai-sdk/openai POST /v1/responses (Bearer), @ai-sdk/anthropic with BASE/v1
// POST /v1/messages (x-api-key), @ai-sdk/google with BASE/v1beta POST
// /v1beta/models/M:streamGenerateContent (x-goog-api-key); "{env:VAR}" in
// apiKey is replaced by $VAR when the file is read.
package aisdk

import (
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"

	"github.com/hubctl/hub/credential"
	"github.com/hubctl/hub/targets"
	"github.com/hubctl/hub/targets/internal/jsonedit"
)

// A Tool describes one tool that reads the opencode provider format.
type Tool struct {
	// Name is the tool as the user knows it, for messages: "opencode".
	Name string
	// Dir is the tool's directory under $XDG_CONFIG_HOME (default ~/.config).
	Dir string
	// Candidates are the file names in Dir that the tool merges, in its
	// order: a later file overrides an earlier one.
	Candidates []string
	// Default is the file created when none of the candidates exists: the
	// one the tool creates itself on first start.
	Default string
	// SmallModel says the block may set the top-level small_model.
	SmallModel bool
	// Restart is the note telling the user how the tool picks up a change.
	Restart string
}

// Settings are the block attributes both adapters share.
type Settings struct {
	ConfigDir  string
	Model      string
	SmallModel string
	KeyMode    string            // "inline" (default) or "env"
	KeyEnv     map[string]string // credential id -> variable, for key_mode = "env"
}

// keys is the block's key_mode and key_env, worded for tool tl.
func (s Settings) keys(tl Tool) targets.KeyMode {
	return targets.KeyMode{Mode: s.KeyMode, Vars: s.KeyEnv,
		InlineDoc: "the keys in " + tl.Name + "'s config file", EnvDoc: "the file names a variable you export, as {env:VAR}"}
}

// Files returns the candidate files in the tool's directory: the block's
// config_dir, else $XDG_CONFIG_HOME/<Dir>, else ~/.config/<Dir> (also on
// macOS and Windows, where both tools use xdg-basedir's fallback).
func (tl Tool) Files(env targets.Env, configDir string) ([]string, error) {
	var dir string
	if configDir != "" {
		d, err := env.Path(configDir)
		if err != nil {
			return nil, err
		}
		dir = d
	} else {
		base, err := env.ConfigDir("", "XDG_CONFIG_HOME", ".config")
		if err != nil {
			return nil, err
		}
		dir = filepath.Join(base, tl.Dir)
	}
	out := make([]string, len(tl.Candidates))
	for i, name := range tl.Candidates {
		out[i] = filepath.Join(dir, name)
	}
	return out, nil
}

// Choose returns, among files (the candidates from Files), the one hub
// writes to: the last one the tool merges that exists, so that hub's values
// are not overridden by another file and the user's own file is edited
// rather than joined by a second one; if none exists, the Default.
func (tl Tool) Choose(files []string, exists func(path string) bool) string {
	for i := len(files) - 1; i >= 0; i-- {
		if exists(files[i]) {
			return files[i]
		}
	}
	for _, f := range files {
		if filepath.Base(f) == tl.Default {
			return f
		}
	}
	return ""
}

// Open parses a config file: JSON with comments and trailing commas.
func Open(data []byte) (targets.Doc, error) { return jsonedit.Parse(data) }

// NPM returns the AI SDK package that speaks apiType.
func NPM(apiType string) (string, bool) {
	switch apiType {
	case credential.OpenAICompatible:
		return "@ai-sdk/openai-compatible", true
	case credential.OpenAI:
		return "@ai-sdk/openai", true // Responses API
	case credential.Anthropic:
		return "@ai-sdk/anthropic", true
	case credential.Google:
		return "@ai-sdk/google", true
	}
	return "", false
}

// BaseURL is options.baseURL for a credential: each AI SDK package appends
// only the endpoint (/chat/completions, /responses, /messages,
// /models/M:generateContent) to it, and defaults to the official URL with its
// version (https://api.anthropic.com/v1,
// https://generativelanguage.googleapis.com/v1beta), so hub adds /v1, or
// /v1beta for Google, unless the base URL already ends in a version segment
// (Zhipu's /api/paas/v4, say).
func BaseURL(apiType, base string) string {
	if credential.HasVersion(base) {
		return base
	}
	if apiType == credential.Google {
		return base + "/v1beta"
	}
	return base + "/v1"
}

// EnvRef is the tool's reference to an environment variable, replaced by its
// value when the config is read.
func EnvRef(name string) string { return "{env:" + name + "}" }

// splitModel splits "<provider>/<model>" at the first slash, as the tools do
// (model ids may contain slashes themselves).
func splitModel(s string) (provider, model string, ok bool) {
	provider, model, ok = strings.Cut(s, "/")
	return provider, model, ok && provider != "" && model != ""
}

func ids(in *targets.Input) []string {
	var out []string
	for _, c := range in.Credentials {
		out = append(out, c.ID)
	}
	return out
}

func (tl Tool) find(in *targets.Input, id string) *credential.Credential {
	for _, c := range in.Credentials {
		if c.ID == id {
			return c
		}
	}
	return nil
}

// Validate checks the block against its credentials.
func (tl Tool) Validate(s Settings, in *targets.Input) []error {
	var errs []error
	errs = append(errs, s.keys(tl).Validate()...)
	// Not KeyMode.ValidateVars: opencode and kilo word an entry key_env["id"].
	for _, id := range slices.Sorted(maps.Keys(s.KeyEnv)) {
		if tl.find(in, id) == nil {
			errs = append(errs, fmt.Errorf("key_env names credential %q, which is not among this target's credentials (%s)", id, strings.Join(ids(in), ", ")))
		}
		if v := s.KeyEnv[id]; !targets.ValidEnvName(v) {
			errs = append(errs, fmt.Errorf("key_env[%q] is %q, which is not a valid environment variable name", id, v))
		}
	}
	seen := map[string]bool{}
	for _, c := range in.Credentials {
		if seen[c.ID] {
			errs = append(errs, fmt.Errorf("credential %q is listed twice in credentials", c.ID))
		}
		seen[c.ID] = true
		if _, ok := NPM(c.APIType); !ok {
			errs = append(errs, fmt.Errorf("credential %q has api_type %q, for which %s has no provider package; use openai-compatible, openai, anthropic or google", c.ID, c.APIType, tl.Name))
		}
	}
	check := func(attr, value string) {
		if value == "" {
			return
		}
		p, _, ok := splitModel(value)
		if !ok {
			errs = append(errs, fmt.Errorf("%s is %q; write it as \"<credential id>/<model>\", such as %q", attr, value, example(in)))
			return
		}
		if tl.find(in, p) == nil {
			errs = append(errs, fmt.Errorf("%s is %q, but %q is not among this target's credentials (%s); the part before the first / names the provider, which hub names after the credential", attr, value, p, strings.Join(ids(in), ", ")))
		}
	}
	check("model", s.Model)
	if tl.SmallModel {
		check("small_model", s.SmallModel)
	}
	return errs
}

func example(in *targets.Input) string {
	if c := in.Credential(); c != nil {
		if len(c.Models) > 0 {
			return c.ID + "/" + c.Models[0]
		}
		return c.ID + "/<model>"
	}
	return "relay/gpt-5"
}

// Desired lists the items hub owns: for each credential, provider.<id>'s npm,
// name, options.baseURL, options.apiKey and models.<model>.name, then the
// top-level model and small_model when set. Nothing else at the top level is
// ever written: Kilo declares its schema strict about top-level keys.
func (tl Tool) Desired(s Settings, in *targets.Input) (*targets.Spec, error) {
	if len(in.Credentials) == 0 {
		return nil, fmt.Errorf("%s has no credentials", in.Address)
	}
	var items []targets.Item
	for _, c := range in.Credentials {
		npm, ok := NPM(c.APIType)
		if !ok {
			return nil, fmt.Errorf("credential %q: api_type %q has no %s provider package", c.ID, c.APIType, tl.Name)
		}
		p := func(k ...string) targets.Key { return append(targets.Key{"provider", c.ID}, k...) }
		items = append(items,
			targets.Item{Key: p("npm"), Value: npm},
			targets.Item{Key: p("name"), Value: c.Name},
			targets.Item{Key: p("options", "baseURL"), Value: BaseURL(c.APIType, c.BaseURL)},
		)
		items = append(items, s.keys(tl).Item(p("options", "apiKey"), c, EnvRef))
		for _, m := range c.Models {
			items = append(items, targets.Item{Key: p("models", m, "name"), Value: m})
		}
	}
	if s.Model != "" {
		items = append(items, targets.Item{Key: targets.Key{"model"}, Value: s.Model})
	}
	if tl.SmallModel && s.SmallModel != "" {
		items = append(items, targets.Item{Key: targets.Key{"small_model"}, Value: s.SmallModel})
	}
	return &targets.Spec{Items: items}, nil
}

// Notes says how the tool picks up the change, which variables to export in
// env mode, and which chosen models the tool will not find.
func (tl Tool) Notes(s Settings, in *targets.Input) []string {
	notes := []string{tl.Restart}
	if keys := s.keys(tl); keys.Env() {
		var vars []string
		for _, c := range in.Credentials {
			vars = append(vars, fmt.Sprintf("$%s (credential %q)", keys.EnvVar(c), c.ID))
		}
		notes = append(notes, fmt.Sprintf("%s reads the keys from %s: export them where %s runs (the keys are not written to the file; an unset variable gives an empty key).", tl.Name, strings.Join(vars, ", "), tl.Name))
	} else {
		notes = append(notes, fmt.Sprintf("the keys are written into %s's config file; set key_mode = \"env\" to keep them out of it.", tl.Name))
	}
	for _, c := range in.Credentials {
		if len(c.Models) == 0 {
			notes = append(notes, fmt.Sprintf("credential %q lists no models, so %s offers none of its models (it knows a custom provider's models only from provider.%s.models): add models to the credential.", c.ID, tl.Name, c.ID))
		}
	}
	attrs := []struct{ name, value string }{{"model", s.Model}}
	if tl.SmallModel {
		attrs = append(attrs, struct{ name, value string }{"small_model", s.SmallModel})
	}
	for _, a := range attrs {
		p, m, ok := splitModel(a.value)
		c := tl.find(in, p)
		if !ok || c == nil || len(c.Models) == 0 || slices.Contains(c.Models, m) {
			continue
		}
		notes = append(notes, fmt.Sprintf("%s is %q, but credential %q does not list model %q, and %s answers \"Model not found\" for a model missing from provider.%s.models: add it to the credential's models.", a.name, a.value, c.ID, m, tl.Name, c.ID))
	}
	return notes
}
