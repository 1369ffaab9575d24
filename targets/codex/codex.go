// Package codex is the codex target: Codex CLI's config.toml.
//
// File: config.toml in the block's config_dir, else $CODEX_HOME, else ~/.codex.
// Owns the top-level model_provider and (when set) model, and in the table
// [model_providers.<provider>] (provider: default the credential id) the keys name, base_url (the credential's
// base URL + /v1), wire_api = "responses", and the key: inline as
// experimental_bearer_token (key_mode = "inline", the default) or as
// env_key = "VAR" (key_mode = "env": the key stays out of the file and the
// user exports VAR). Never touches auth.json. Comments, other tables
// (mcp_servers, profiles, projects, other providers) and their order are kept.
//
// Checked with @openai/codex 0.169.0: it sends POST {base_url}/responses with
// Authorization: Bearer KEY. Docs: https://developers.openai.com/codex/config-advanced
package codex

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/hubctl/hub/credential"
	"github.com/hubctl/hub/targets"
	"github.com/hubctl/hub/targets/internal/tomledit"
)

// Type is the target type label.
const Type = "codex"

func init() {
	targets.Register(targets.Info{
		Type: Type,
		Doc:  "Codex CLI: a model provider in ~/.codex/config.toml",
		New:  func() targets.Target { return &Target{} },
	})
}

// Target is the codex block.
type Target struct {
	ConfigDir string `hcl:"config_dir,optional"`
	Model     string `hcl:"model,optional"`
	// KeyMode is "inline" (experimental_bearer_token) or "env" (env_key).
	KeyMode string `hcl:"key_mode,optional"`
	// KeyEnv names the variable for key_mode = "env"; default <ID>_API_KEY.
	KeyEnv string `hcl:"key_env,optional"`
	// Provider is the id of the [model_providers.<id>] table and the
	// model_provider value; default the credential id. hub import sets it
	// to keep the table a user already has.
	Provider string `hcl:"provider,optional"`
}

// provider is the id of hub's model_providers table.
func (t *Target) provider(c *credential.Credential) string {
	if t.Provider != "" {
		return t.Provider
	}
	return c.ID
}

var (
	_ targets.Target    = (*Target)(nil)
	_ targets.Validator = (*Target)(nil)
	_ targets.Noter     = (*Target)(nil)
)

// keys is the block's key_mode and key_env: in env mode config.toml's
// env_key names the variable instead of experimental_bearer_token holding
// the key.
func (t *Target) keys() targets.KeyMode {
	return targets.KeyMode{Mode: t.KeyMode, Var: t.KeyEnv,
		InlineDoc: "the key in config.toml", EnvDoc: "config.toml names a variable you export"}
}

// Files implements targets.Target.
func (t *Target) Files(env targets.Env) ([]string, error) {
	dir, err := env.ConfigDir(t.ConfigDir, "CODEX_HOME", ".codex")
	if err != nil {
		return nil, err
	}
	return []string{filepath.Join(dir, "config.toml")}, nil
}

// Open implements targets.Target.
func (t *Target) Open(_ string, data []byte) (targets.Doc, error) { return tomledit.Parse(data) }

// Validate implements targets.Validator.
func (t *Target) Validate(in *targets.Input) []error {
	var errs []error
	errs = append(errs, t.keys().Validate()...)
	if t.Provider != "" && strings.TrimSpace(t.Provider) != t.Provider {
		errs = append(errs, fmt.Errorf("provider %q has blanks around it", t.Provider))
	}
	if c := in.Credential(); c != nil && (c.APIType == credential.Anthropic || c.APIType == credential.Google) {
		errs = append(errs, fmt.Errorf("credential %q has api_type %q, but Codex speaks the OpenAI Responses API, which that does not serve; use an openai or openai-compatible credential", c.ID, c.APIType))
	}
	return errs
}

// BaseURL is what codex needs: the credential's base URL with /v1, unless it
// already ends in a version segment (such as Volcengine's /api/coding/v3).
func BaseURL(base string) string {
	if credential.HasVersion(base) {
		return base
	}
	return base + "/v1"
}

// Desired implements targets.Target.
func (t *Target) Desired(_ string, in *targets.Input) (*targets.Spec, error) {
	c := in.Credential()
	if c == nil {
		return nil, fmt.Errorf("%s has no credential", in.Address)
	}
	id := t.provider(c)
	p := func(k string) targets.Key { return targets.Key{"model_providers", id, k} }
	items := []targets.Item{{Key: targets.Key{"model_provider"}, Value: id}}
	if it, ok := targets.ModelItem(targets.Key{"model"}, t.Model, c, credential.FamilyGPT); ok {
		items = append(items, it)
	}
	items = append(items,
		targets.Item{Key: p("name"), Value: c.Name},
		targets.Item{Key: p("base_url"), Value: BaseURL(c.BaseURL)},
		targets.Item{Key: p("wire_api"), Value: "responses"},
	)
	// The key and the variable go under different names, so a key_mode
	// change removes the other one.
	keys, other := t.keys(), "env_key"
	if keys.Env() {
		items = append(items, keys.Item(p("env_key"), c, func(name string) string { return name }))
		other = "experimental_bearer_token"
	} else {
		items = append(items, keys.Item(p("experimental_bearer_token"), c, nil))
	}
	return &targets.Spec{Items: items, Conflicts: []targets.Conflict{{
		Key:    p(other),
		Reason: fmt.Sprintf("codex would have two ways to find the key; remove %s from [model_providers.%s], or change key_mode", other, id),
	}}}, nil
}

// Notes implements targets.Noter.
func (t *Target) Notes(in *targets.Input) []string {
	c := in.Credential()
	if c == nil {
		return nil
	}
	if keys := t.keys(); keys.Env() {
		return []string{fmt.Sprintf("codex reads the key of credential %q from $%s: export it in the shell that runs codex (the key is not written to config.toml).", c.ID, keys.EnvVar(c))}
	}
	return []string{"the key is written into config.toml; set key_mode = \"env\" to keep it out of the file."}
}
