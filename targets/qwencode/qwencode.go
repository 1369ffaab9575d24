// Package qwencode is the qwen_code target: Qwen Code's settings.json and
// .env (@qwen-code/qwen-code, the Gemini CLI fork).
//
// Directory: the block's config_dir, else $QWEN_HOME (Qwen Code's global
// directory itself, not a home holding .qwen), else ~/.qwen. In it hub owns:
//
//   - settings.json: a modelProviders.openai entry per model of the
//     credential (and the block's model), selected by its id, with name,
//     baseUrl (the credential's base URL + /v1, where the OpenAI SDK appends
//     /chat/completions) and envKey (the variable holding the key); then
//     model.name and model.baseUrl (the model Qwen Code starts with, and
//     which provider entry serves it), and security.auth.selectedType =
//     "openai". Every other setting (mcpServers, ui, tools, the user's own
//     modelProviders entries, security.folderTrust, comments) is kept.
//   - .env: <envKey>=KEY (key_mode = "dotenv", the default). With
//     key_mode = "env" hub writes no key and the user exports the variable.
//
// Why modelProviders and not OPENAI_API_KEY / OPENAI_BASE_URL /
// OPENAI_MODEL: a modelProviders entry's baseUrl and envKey come before
// those variables, so an OPENAI_API_KEY exported in the shell for other
// tools is neither sent to the relay nor overrides the key in .env (a shell
// variable always wins over .env); and settings' model.name wins over
// OPENAI_MODEL, so a model picked once with /model would hide it.
//
// Folder trust does not need settings here, unlike Gemini CLI: Qwen Code
// reads the user-level .env files (~/.env, $QWEN_HOME/.env, ~/.qwen/.env)
// whether or not the working folder is trusted, and folder trust is off by
// default.
//
// Qwen Code adds "$version": 4 to a settings.json that lacks it when it
// starts (keeping comments), and migrates files in its first, flat format
// (settings version 1); hub refuses to write into one of those (top-level
// selectedAuthType) until Qwen Code has migrated it.
//
// Checked with @qwen-code/qwen-code 0.24.4 (`qwen -p` against a loopback
// upstream): with these files it sends POST {baseUrl}/chat/completions with
// Authorization: Bearer KEY and the model; with OPENAI_API_KEY,
// OPENAI_BASE_URL and OPENAI_MODEL exported to other values it still uses
// these; in a folder marked DO_NOT_TRUST with folder trust on it still reads
// ~/.qwen/.env; with QWEN_HOME it reads $QWEN_HOME/settings.json and .env.
// Source read: packages/cli/src/config/environment.ts (findEnvFiles),
// settings.ts (loadSettings, migrations), packages/cli/src/utils/
// modelConfigUtils.ts, packages/core/src/models (resolveModelConfig). Docs:
// https://qwenlm.github.io/qwen-code-docs/en/users/configuration/model-providers/
package qwencode

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/hubctl/hub/credential"
	"github.com/hubctl/hub/targets"
	"github.com/hubctl/hub/targets/internal/dotenv"
	"github.com/hubctl/hub/targets/internal/jsonedit"
)

// Type is the target type label.
const Type = "qwen_code"

const (
	envFile      = ".env"
	settingsFile = "settings.json"

	// protocol is Qwen Code's auth type and modelProviders key for the
	// OpenAI-compatible Chat Completions API.
	protocol = "openai"
)

func init() {
	targets.Register(targets.Info{
		Type: Type,
		Doc:  "Qwen Code: a model provider in ~/.qwen/settings.json, its key in ~/.qwen/.env",
		New:  func() targets.Target { return &Target{} },
	})
}

// Target is the qwen_code block.
type Target struct {
	ConfigDir string `hcl:"config_dir,optional"`
	// Model is the model Qwen Code starts with; default the credential's
	// first model.
	Model string `hcl:"model,optional"`
	// KeyMode is "dotenv" (the key in the directory's .env) or "env" (the
	// user exports the variable).
	KeyMode string `hcl:"key_mode,optional"`
	// KeyEnv names the variable; default <ID>_API_KEY.
	KeyEnv string `hcl:"key_env,optional"`

	// dir is the directory Files resolved, for Notes.
	dir string
}

var (
	_ targets.Target    = (*Target)(nil)
	_ targets.Validator = (*Target)(nil)
	_ targets.Noter     = (*Target)(nil)
)

// keys is the block's key_mode and key_env. key_env names the variable in
// both modes: settings.json's envKey, and the .env entry in dotenv mode.
func (t *Target) keys() targets.KeyMode {
	return targets.KeyMode{Mode: t.KeyMode, Var: t.KeyEnv, Inline: "dotenv", AnyMode: true,
		InlineDoc: "the key in Qwen Code's .env", EnvDoc: "you export the variable settings.json names"}
}

// model is the model Qwen Code starts with.
func (t *Target) model(c *credential.Credential) string {
	if t.Model != "" || len(c.Models) == 0 {
		return t.Model
	}
	return c.Models[0]
}

// models lists the modelProviders entries: the credential's models, and
// the block's model if the credential does not list it.
func (t *Target) models(c *credential.Credential) []string {
	out := append([]string(nil), c.Models...)
	if m := t.model(c); m != "" && !contains(out, m) {
		out = append(out, m)
	}
	return out
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// BaseURL is what the OpenAI SDK needs: the credential's base URL with /v1,
// unless it already ends in a version segment (such as /api/coding/v3).
func BaseURL(base string) string {
	if credential.HasVersion(base) {
		return base
	}
	return base + "/v1"
}

// Files implements targets.Target.
func (t *Target) Files(env targets.Env) ([]string, error) {
	dir, err := env.ConfigDir(t.ConfigDir, "QWEN_HOME", ".qwen")
	if err != nil {
		return nil, err
	}
	t.dir = dir
	return []string{filepath.Join(dir, settingsFile), filepath.Join(dir, envFile)}, nil
}

// Open implements targets.Target. settings.json is JSON with comments (Qwen
// Code strips them before parsing); .env is read as the npm dotenv package
// Qwen Code uses reads it.
func (t *Target) Open(path string, data []byte) (targets.Doc, error) {
	if filepath.Base(path) == envFile {
		return dotenv.Parse(data)
	}
	return jsonedit.Parse(data)
}

// Validate implements targets.Validator.
func (t *Target) Validate(in *targets.Input) []error {
	var errs []error
	errs = append(errs, t.keys().Validate()...)
	if t.Model != "" && strings.TrimSpace(t.Model) != t.Model {
		errs = append(errs, fmt.Errorf("model %q has blanks around it", t.Model))
	}
	c := in.Credential()
	if c == nil {
		return errs
	}
	if c.APIType != credential.OpenAICompatible && c.APIType != credential.OpenAI {
		errs = append(errs, fmt.Errorf("credential %q has api_type %q, but this target sets up Qwen Code's OpenAI-compatible provider (POST /v1/chat/completions), which that does not serve; use an openai or openai-compatible credential", c.ID, c.APIType))
	}
	if t.model(c) == "" {
		errs = append(errs, fmt.Errorf("credential %q lists no models and the block sets no model; set model = \"<model id>\" (Qwen Code sends it to the relay, and would otherwise ask for its own default model)", c.ID))
	}
	for _, m := range c.Models {
		if strings.TrimSpace(m) == "" || strings.TrimSpace(m) != m {
			errs = append(errs, fmt.Errorf("credential %q has the model %q; Qwen Code needs model ids that are not empty and have no blanks around them", c.ID, m))
		}
	}
	return errs
}

// Desired implements targets.Target.
func (t *Target) Desired(path string, in *targets.Input) (*targets.Spec, error) {
	c := in.Credential()
	if c == nil {
		return nil, fmt.Errorf("%s has no credential", in.Address)
	}
	keys := t.keys()
	if filepath.Base(path) == envFile {
		if keys.Env() {
			return &targets.Spec{}, nil
		}
		return &targets.Spec{Items: []targets.Item{
			{Key: targets.Key{keys.EnvVar(c)}, Value: c.Key.Reveal(), Sensitive: true},
		}}, nil
	}
	base := BaseURL(c.BaseURL)
	spec := &targets.Spec{}
	add := func(v any, k ...string) { spec.Items = append(spec.Items, targets.Item{Key: k, Value: v}) }
	for _, m := range t.models(c) {
		sel := targets.Select("id", m)
		add(fmt.Sprintf("%s (%s)", m, c.Name), "modelProviders", protocol, sel, "name")
		add(base, "modelProviders", protocol, sel, "baseUrl")
		add(keys.EnvVar(c), "modelProviders", protocol, sel, "envKey")
	}
	add(t.model(c), "model", "name")
	add(base, "model", "baseUrl")
	add(protocol, "security", "auth", "selectedType")
	spec.Conflicts = []targets.Conflict{{
		Key: targets.Key{"selectedAuthType"},
		Reason: "settings.json is in Qwen Code's first, flat format (settings version 1), which Qwen Code migrates when it starts (and would then mix with what hub writes); " +
			"run qwen once so that it migrates the file, then apply again",
	}}
	return spec, nil
}

// Notes implements targets.Noter.
func (t *Target) Notes(in *targets.Input) []string {
	dir := t.dir
	if dir == "" {
		dir = "~/.qwen"
	}
	c := in.Credential()
	if c == nil {
		return nil
	}
	keys := t.keys()
	v := keys.EnvVar(c)
	notes := []string{fmt.Sprintf("Qwen Code reads %s and %s only when it starts: restart running sessions; /model then lists the credential's models.",
		filepath.Join(dir, settingsFile), filepath.Join(dir, envFile))}
	if keys.Env() {
		return append(notes, fmt.Sprintf("Qwen Code reads the key of credential %q from $%s: export it in the shell that runs qwen (the key is not written to %s).", c.ID, v, filepath.Join(dir, envFile)))
	}
	return append(notes, fmt.Sprintf("$%s exported in the shell wins over the key in %s, and so does %s in a .env of the project folder.", v, filepath.Join(dir, envFile), v))
}
