// Package opencode is the opencode target: custom providers in opencode's
// global config file.
//
// File: in the block's config_dir, else $XDG_CONFIG_HOME/opencode, else
// ~/.config/opencode (on macOS and Windows too), opencode reads config.json,
// opencode.json and opencode.jsonc, each overriding the one before. hub
// writes to opencode.jsonc if it exists (opencode 1.18.33 creates it on first
// start), else to opencode.json if that exists, else creates opencode.jsonc:
// always the file read last, so hub's values win, and never a second file
// beside the user's. See Target.Choose for how the engine picks among them.
//
// Owns, for each credential, in provider.<credential id>: npm (the AI SDK
// package for its API type), name, options.baseURL, options.apiKey (the key,
// or "{env:VAR}" with key_mode = "env") and models.<model>.name for each of
// its models; and the top-level model and small_model when set. Comments,
// trailing commas, the user's own providers and every other key (mcp, agent,
// theme, ...) are kept as they are.
//
// Checked with opencode-ai 1.18.33 (see package aisdk for the requests each
// provider package sends). Docs: https://opencode.ai/docs/config and
// https://opencode.ai/docs/providers
package opencode

import (
	"github.com/hubctl/hub/targets"
	"github.com/hubctl/hub/targets/internal/aisdk"
)

// Type is the target type label.
const Type = "opencode"

// Tool is what hub knows of opencode's files.
var Tool = aisdk.Tool{
	Name:       "opencode",
	Dir:        "opencode",
	Candidates: []string{"opencode.json", "opencode.jsonc"},
	Default:    "opencode.jsonc",
	SmallModel: true,
	Restart:    "opencode reads its config when it starts: restart running opencode sessions (and opencode serve) to use the change.",
}

func init() {
	targets.Register(targets.Info{
		Type:  Type,
		Doc:   "opencode: custom providers in ~/.config/opencode/opencode.json(c)",
		New:   func() targets.Target { return &Target{} },
		Multi: true,
	})
}

// Target is the opencode block.
type Target struct {
	ConfigDir string `hcl:"config_dir,optional"`
	// Model and SmallModel are "<credential id>/<model>".
	Model      string `hcl:"model,optional"`
	SmallModel string `hcl:"small_model,optional"`
	// KeyMode is "inline" (the key in the file) or "env" ("{env:VAR}").
	KeyMode string `hcl:"key_mode,optional"`
	// KeyEnv maps credential ids to the variable holding their key in env
	// mode; default <ID>_API_KEY.
	KeyEnv map[string]string `hcl:"key_env,optional"`
}

var (
	_ targets.Target    = (*Target)(nil)
	_ targets.Validator = (*Target)(nil)
	_ targets.Noter     = (*Target)(nil)
	_ targets.Chooser   = (*Target)(nil)
)

func (t *Target) settings() aisdk.Settings {
	return aisdk.Settings{ConfigDir: t.ConfigDir, Model: t.Model, SmallModel: t.SmallModel, KeyMode: t.KeyMode, KeyEnv: t.KeyEnv}
}

// Files implements targets.Target: every file opencode may read in its
// directory; Choose says which one hub writes.
func (t *Target) Files(env targets.Env) ([]string, error) { return Tool.Files(env, t.ConfigDir) }

// Choose implements targets.Chooser: the one file hub writes, given which
// exist: the last one opencode merges that exists, else its default. hub's
// items in a candidate it no longer chooses are removed.
func (t *Target) Choose(files []string, exists func(path string) bool) []string {
	if p := Tool.Choose(files, exists); p != "" {
		return []string{p}
	}
	return nil
}

// Open implements targets.Target.
func (t *Target) Open(_ string, data []byte) (targets.Doc, error) { return aisdk.Open(data) }

// Validate implements targets.Validator.
func (t *Target) Validate(in *targets.Input) []error { return Tool.Validate(t.settings(), in) }

// Desired implements targets.Target; the engine asks only for the chosen file.
func (t *Target) Desired(_ string, in *targets.Input) (*targets.Spec, error) {
	return Tool.Desired(t.settings(), in)
}

// Notes implements targets.Noter.
func (t *Target) Notes(in *targets.Input) []string { return Tool.Notes(t.settings(), in) }

var _ targets.Importer = (*Target)(nil)

// Import implements targets.Importer: the providers of the file hub would
// write in the default directory (see aisdk.Tool.Import).
func (t *Target) Import(env targets.Env, read func(path string) ([]byte, error)) ([]targets.Imported, error) {
	return Tool.Import(env, read)
}
