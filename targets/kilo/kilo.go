// Package kilo is the kilo target: custom providers in the global config of
// Kilo Code v7 and the Kilo CLI, which are forks of opencode and read the same
// provider entry. (Kilo 4.x/5.x, a Roo Code fork, keeps providers in VS
// Code's secret storage, which no file edit reaches.)
//
// File: in the block's config_dir, else $XDG_CONFIG_HOME/kilo, else
// ~/.config/kilo (on macOS and Windows too), Kilo reads config.json,
// kilo.json, kilo.jsonc, opencode.json and opencode.jsonc, each overriding the
// ones before. hub writes to the last of kilo.json, kilo.jsonc, opencode.json
// and opencode.jsonc that exists, else creates kilo.jsonc (which Kilo 7.7.7
// creates itself on first start): always the file read last, so hub's values
// win, and never a second file beside the user's. See Target.Choose.
//
// Owns, for each credential, in provider.<credential id>: npm (the AI SDK
// package for its API type), name, options.baseURL, options.apiKey (the key,
// or "{env:VAR}" with key_mode = "env") and models.<model>.name for each of
// its models; and the top-level model when set. Kilo declares its schema
// strict about top-level keys (7.7.7 drops unknown ones without a word), so
// hub never writes one other than provider and model: not small_model, not
// even $schema, which Kilo inserts itself. Comments, trailing commas, the
// user's own providers and every other key are kept as they are.
//
// Checked with @kilocode/cli 7.7.7 (see package aisdk for the requests each
// provider package sends). Source: Kilo-Org/kilocode packages/opencode.
package kilo

import (
	"github.com/hubctl/hub/targets"
	"github.com/hubctl/hub/targets/internal/aisdk"
)

// Type is the target type label.
const Type = "kilo"

// Tool is what hub knows of Kilo's files.
var Tool = aisdk.Tool{
	Name:       "Kilo",
	Dir:        "kilo",
	Candidates: []string{"kilo.json", "kilo.jsonc", "opencode.json", "opencode.jsonc"},
	Default:    "kilo.jsonc",
	Restart:    "Kilo reads its config when it starts: restart Kilo (the kilo CLI, or the editor running the Kilo Code extension) to use the change.",
}

func init() {
	targets.Register(targets.Info{
		Type:  Type,
		Doc:   "Kilo Code v7 / Kilo CLI: custom providers in ~/.config/kilo/kilo.json(c)",
		New:   func() targets.Target { return &Target{} },
		Multi: true,
	})
}

// Target is the kilo block.
type Target struct {
	ConfigDir string `hcl:"config_dir,optional"`
	// Model is "<credential id>/<model>".
	Model string `hcl:"model,optional"`
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
	return aisdk.Settings{ConfigDir: t.ConfigDir, Model: t.Model, KeyMode: t.KeyMode, KeyEnv: t.KeyEnv}
}

// Files implements targets.Target: every file Kilo may read in its directory;
// Choose says which one hub writes.
func (t *Target) Files(env targets.Env) ([]string, error) { return Tool.Files(env, t.ConfigDir) }

// Choose implements targets.Chooser: the one file hub writes, given which
// exist: the last one Kilo merges that exists, else its default. hub's
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
