// Package codex is the codex target: Codex CLI's config.toml.
//
// File: config.toml in the block's config_dir, else $CODEX_HOME, else ~/.codex.
// Owns the top-level model_provider and (when set) model, and in the table
// [model_providers.<credential id>] the keys name, base_url (the credential's
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
}

var (
	_ targets.Target    = (*Target)(nil)
	_ targets.Validator = (*Target)(nil)
	_ targets.Noter     = (*Target)(nil)
)

func (t *Target) mode() string {
	if t.KeyMode == "" {
		return "inline"
	}
	return t.KeyMode
}

// keyEnv is the variable codex reads the key from in env mode.
func (t *Target) keyEnv(c *credential.Credential) string {
	if t.KeyEnv != "" {
		return t.KeyEnv
	}
	return targets.KeyEnvName(c.ID)
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
	switch t.mode() {
	case "inline", "env":
	default:
		errs = append(errs, fmt.Errorf("key_mode is %q; it must be \"inline\" (the key in config.toml) or \"env\" (config.toml names a variable you export)", t.KeyMode))
	}
	if t.KeyEnv != "" && t.mode() != "env" {
		errs = append(errs, fmt.Errorf("key_env is set but key_mode is %q; set key_mode = \"env\" too, or remove key_env", t.mode()))
	}
	if t.KeyEnv != "" && !targets.ValidEnvName(t.KeyEnv) {
		errs = append(errs, fmt.Errorf("key_env %q is not a valid environment variable name", t.KeyEnv))
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
	p := func(k string) targets.Key { return targets.Key{"model_providers", c.ID, k} }
	items := []targets.Item{{Key: targets.Key{"model_provider"}, Value: c.ID}}
	if it, ok := targets.ModelItem(targets.Key{"model"}, t.Model, c, credential.FamilyGPT); ok {
		items = append(items, it)
	}
	items = append(items,
		targets.Item{Key: p("name"), Value: c.Name},
		targets.Item{Key: p("base_url"), Value: BaseURL(c.BaseURL)},
		targets.Item{Key: p("wire_api"), Value: "responses"},
	)
	if t.mode() == "env" {
		items = append(items, targets.Item{Key: p("env_key"), Value: t.keyEnv(c)})
	} else {
		items = append(items, targets.Item{Key: p("experimental_bearer_token"), Value: c.Key.Reveal(), Sensitive: true})
	}
	other := "env_key"
	if t.mode() == "env" {
		other = "experimental_bearer_token"
	}
	return &targets.Spec{Items: items, Conflicts: []targets.Conflict{{
		Key:    p(other),
		Reason: fmt.Sprintf("codex would have two ways to find the key; remove %s from [model_providers.%s], or change key_mode", other, c.ID),
	}}}, nil
}

// Notes implements targets.Noter.
func (t *Target) Notes(in *targets.Input) []string {
	c := in.Credential()
	if c == nil {
		return nil
	}
	if t.mode() == "env" {
		return []string{fmt.Sprintf("codex reads the key of credential %q from $%s: export it in the shell that runs codex (the key is not written to config.toml).", c.ID, t.keyEnv(c))}
	}
	return []string{"the key is written into config.toml; set key_mode = \"env\" to keep it out of the file."}
}
