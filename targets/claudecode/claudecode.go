// Package claudecode is the claude_code target: Claude Code's settings.json.
//
// File: settings.json in the block's config_dir, else $CLAUDE_CONFIG_DIR, else
// ~/.claude. Owns, under "env": ANTHROPIC_BASE_URL, the key variable
// (ANTHROPIC_AUTH_TOKEN, sent as a bearer token as relays expect, or
// ANTHROPIC_API_KEY with key_env), and when set ANTHROPIC_MODEL and
// ANTHROPIC_DEFAULT_{SONNET,OPUS,HAIKU}_MODEL. Every other key (hooks,
// permissions, statusLine, enabledPlugins, the user's own env entries) and the
// file's order and indentation are kept.
//
// Checked with @anthropic-ai/claude-code 2.1.328: with these settings it sends
// POST {ANTHROPIC_BASE_URL}/v1/messages with Authorization: Bearer KEY.
// Docs: https://docs.anthropic.com/en/docs/claude-code/settings
package claudecode

import (
	"fmt"
	"path/filepath"

	"github.com/hubctl/hub/credential"
	"github.com/hubctl/hub/targets"
	"github.com/hubctl/hub/targets/internal/jsonedit"
)

// Type is the target type label.
const Type = "claude_code"

const (
	authToken = "ANTHROPIC_AUTH_TOKEN"
	apiKey    = "ANTHROPIC_API_KEY"
)

func init() {
	targets.Register(targets.Info{
		Type: Type,
		Doc:  "Claude Code: env in ~/.claude/settings.json",
		New:  func() targets.Target { return &Target{} },
	})
}

// Target is the claude_code block.
type Target struct {
	ConfigDir   string `hcl:"config_dir,optional"`
	Model       string `hcl:"model,optional"`
	SonnetModel string `hcl:"sonnet_model,optional"`
	OpusModel   string `hcl:"opus_model,optional"`
	HaikuModel  string `hcl:"haiku_model,optional"`
	// KeyEnv is the variable the key goes in: ANTHROPIC_AUTH_TOKEN (default,
	// a bearer token) or ANTHROPIC_API_KEY (x-api-key, for official keys).
	KeyEnv string `hcl:"key_env,optional"`
}

var (
	_ targets.Target    = (*Target)(nil)
	_ targets.Validator = (*Target)(nil)
	_ targets.Noter     = (*Target)(nil)
)

func (t *Target) keyEnv() string {
	if t.KeyEnv == "" {
		return authToken
	}
	return t.KeyEnv
}

// Files implements targets.Target.
func (t *Target) Files(env targets.Env) ([]string, error) {
	dir, err := env.ConfigDir(t.ConfigDir, "CLAUDE_CONFIG_DIR", ".claude")
	if err != nil {
		return nil, err
	}
	return []string{filepath.Join(dir, "settings.json")}, nil
}

// Open implements targets.Target.
func (t *Target) Open(_ string, data []byte) (targets.Doc, error) { return jsonedit.Parse(data) }

// Validate implements targets.Validator.
func (t *Target) Validate(in *targets.Input) []error {
	var errs []error
	if k := t.keyEnv(); k != authToken && k != apiKey {
		errs = append(errs, fmt.Errorf("key_env is %q; it must be %q (bearer token, what relays expect) or %q (official Anthropic keys)", k, authToken, apiKey))
	}
	if c := in.Credential(); c != nil && (c.APIType == credential.OpenAI || c.APIType == credential.Google) {
		errs = append(errs, fmt.Errorf("credential %q has api_type %q, but Claude Code speaks the Anthropic Messages API, which that does not serve; use an anthropic or openai-compatible credential (a relay that serves /v1/messages)", c.ID, c.APIType))
	}
	return errs
}

// Desired implements targets.Target.
func (t *Target) Desired(_ string, in *targets.Input) (*targets.Spec, error) {
	c := in.Credential()
	if c == nil {
		return nil, fmt.Errorf("%s has no credential", in.Address)
	}
	env := func(name string) targets.Key { return targets.Key{"env", name} }
	spec := &targets.Spec{Items: []targets.Item{
		{Key: env("ANTHROPIC_BASE_URL"), Value: c.BaseURL},
		{Key: env(t.keyEnv()), Value: c.Key.Reveal(), Sensitive: true},
	}}
	if it, ok := targets.ModelItem(env("ANTHROPIC_MODEL"), t.Model, c, credential.FamilyClaude); ok {
		spec.Items = append(spec.Items, it)
	}
	for _, m := range []struct{ name, value string }{
		{"ANTHROPIC_DEFAULT_SONNET_MODEL", t.SonnetModel},
		{"ANTHROPIC_DEFAULT_OPUS_MODEL", t.OpusModel},
		{"ANTHROPIC_DEFAULT_HAIKU_MODEL", t.HaikuModel},
	} {
		if m.value != "" {
			spec.Items = append(spec.Items, targets.Item{Key: env(m.name), Value: m.value})
		}
	}
	other := apiKey
	if t.keyEnv() == apiKey {
		other = authToken
	}
	spec.Conflicts = []targets.Conflict{{
		Key: env(other),
		Reason: fmt.Sprintf("Claude Code would then have two keys (%s and %s) and complain or pick the wrong one; remove env.%s from the file, or set key_env = %q so that hub manages that variable instead",
			other, t.keyEnv(), other, other),
	}}
	return spec, nil
}

// Notes implements targets.Noter.
func (t *Target) Notes(*targets.Input) []string {
	return []string{"Claude Code reads settings.json when it starts: restart running sessions to use the new values."}
}
