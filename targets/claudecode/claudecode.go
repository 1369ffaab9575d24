// Package claudecode is the claude_code target: Claude Code's settings.json.
//
// File: settings.json in the block's config_dir, else $CLAUDE_CONFIG_DIR, else
// ~/.claude. Owns, under "env": ANTHROPIC_BASE_URL, the key variable
// (ANTHROPIC_AUTH_TOKEN, sent as a bearer token as relays expect, or
// ANTHROPIC_API_KEY with key_env), and when set ANTHROPIC_MODEL and
// ANTHROPIC_DEFAULT_{SONNET,OPUS,HAIKU}_MODEL, and with keep_legacy_models
// CLAUDE_CODE_DISABLE_LEGACY_MODEL_REMAP. Every other key (hooks,
// permissions, statusLine, enabledPlugins, the user's own env entries) and the
// file's order and indentation are kept.
//
// Checked with @anthropic-ai/claude-code 2.1.328: with these settings it sends
// POST {ANTHROPIC_BASE_URL}/v1/messages with Authorization: Bearer KEY. It
// does not always send ANTHROPIC_MODEL as written: it replaces the legacy
// Opus 4.0 and 4.1 ids with the latest Opus (targets/internal/toolmodels has the measured
// table), which the plan notes, and which keep_legacy_models turns off.
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
	// KeepLegacyModels writes CLAUDE_CODE_DISABLE_LEGACY_MODEL_REMAP = "1",
	// so that Claude Code sends a legacy model id (claude-opus-4-1) as
	// written instead of replacing it with the latest Opus: for a relay that
	// serves, or bills, the old model and not the new one.
	KeepLegacyModels bool `hcl:"keep_legacy_models,optional"`
}

var (
	_ targets.Target        = (*Target)(nil)
	_ targets.Validator     = (*Target)(nil)
	_ targets.Noter         = (*Target)(nil)
	_ targets.StandingNoter = (*Target)(nil)
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
	if t.KeepLegacyModels {
		spec.Items = append(spec.Items, targets.Item{Key: env(DisableRemapEnv), Value: "1"})
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
func (t *Target) Notes(in *targets.Input) []string {
	var notes []string
	if n := t.remapNote(in); n != "" && t.KeepLegacyModels {
		notes = append(notes, n)
	}
	return append(notes, "Claude Code reads settings.json when it starts: restart running sessions to use the new values.")
}

// StandingNotes implements targets.StandingNoter: a model Claude Code will
// send as another id is worth saying on every plan, not only when the file
// changes (a hub or Claude Code upgrade finds it in a file already written).
func (t *Target) StandingNotes(in *targets.Input) []string {
	if n := t.remapNote(in); n != "" && !t.KeepLegacyModels {
		return []string{n}
	}
	return nil
}

// remapNote says what Claude Code will send for the ANTHROPIC_MODEL hub
// writes, when that is not the id as written (see toolmodels.ClaudeCodeRemap), or "". The
// other model variables are sent as written, so they need no note.
func (t *Target) remapNote(in *targets.Input) string {
	c := in.Credential()
	if c == nil {
		return ""
	}
	it, ok := targets.ModelItem(targets.Key{"env", "ANTHROPIC_MODEL"}, t.Model, c, credential.FamilyClaude)
	if !ok {
		return ""
	}
	model, _ := it.Value.(string)
	to, remapped := LegacyRemap(model)
	if !remapped {
		return ""
	}
	what := fmt.Sprintf("model %q", model)
	if it.Origin != "" {
		what += " (" + it.Origin + ")"
	}
	if t.KeepLegacyModels {
		return fmt.Sprintf("Claude Code %s would send %s as %q (it remaps legacy Opus ids); keep_legacy_models = true writes env.%s = \"1\", which turns that off, so it is sent as written.",
			RemapCheckedVersion, what, to, DisableRemapEnv)
	}
	return fmt.Sprintf("Claude Code %s sends %s as %q unless %s is set: it remaps legacy Opus ids to the latest Opus, and says so only on stderr. To send %q as written (a relay that serves or bills the old model), set keep_legacy_models = true on this target: hub then writes env.%s = \"1\".",
		RemapCheckedVersion, what, to, DisableRemapEnv, model, DisableRemapEnv)
}
