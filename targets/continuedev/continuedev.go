// Package continuedev is the continue target: models in Continue's global
// config.yaml (the VS Code and JetBrains extensions and the cn CLI share it).
//
// Directory: the block's config_dir, else $CONTINUE_GLOBAL_DIR (which Continue
// itself honours), else ~/.continue (%USERPROFILE%\.continue on Windows). In
// it hub writes:
//
//   - config.yaml: one entry of the models list per (credential, model) pair,
//     selected by its name "<credential name> / <model>". In each entry hub
//     owns provider (openai for openai and openai-compatible credentials,
//     anthropic, gemini), model, apiBase (the credential's base URL plus /v1/,
//     /v1beta/ for Google: Continue resolves paths against it, and only the
//     exact "https://api.openai.com/v1/" turns on its official-OpenAI
//     handling), apiKey and, when the block sets roles, roles. apiKey holds
//     the key (key_mode = "inline", the default) or, with key_mode = "env",
//     the reference ${{ secrets.NAME }}.
//   - .env (key_mode = "env" only): NAME=<key> for each credential. Continue
//     resolves ${{ secrets.NAME }} in a local config.yaml from this file
//     (core/config/yaml/LocalPlatformClient.ts; the cn CLI looks at its own
//     environment first, extensions/cli/src/CLIPlatformClient.ts).
//
// Everything else is kept byte for byte: the user's own models, context,
// rules, prompts, docs, mcpServers, data, comments and layout.
//
// Continue requires the top-level name and version (schema: v1 by
// convention). When hub adds its models to a config.yaml that lacks them (a
// new file, say), it adds name: Main Config, version: 1.0.0 and schema: v1 too,
// the values Continue writes into a config.yaml it creates
// (core/config/default.ts). These are not items hub owns: it never changes or
// removes them, so the user's own name is never overwritten and the file stays
// valid after hub's models are gone.
//
// When the directory has the legacy config.json but no config.yaml, Continue
// reads config.json; a config.yaml hub created would silently replace it, so
// hub refuses until the user converts config.json.
//
// Checked with @continuedev/cli 1.5.47 (npm), run as cn -p against a
// recording server on loopback with the golden files' config.yaml and .env
// (base URLs pointed at it): for openai entries it sent POST
// {apiBase}chat/completions with Authorization: Bearer KEY, for anthropic
// ones POST {apiBase}messages with x-api-key: KEY; it read the key from
// ${{ secrets.NAME }} and .env with no such variable in its environment,
// found the directory through $CONTINUE_GLOBAL_DIR, and loaded the files hub
// added name, version and schema to. The rest is from continuedev/continue
// at d0a3c0b (2026-06-18) and @continuedev/config-yaml 1.42.0: the schema
// (packages/config-yaml/src/schemas), the IDE's secret lookup, Gemini chat
// going through @google/genai, which ignores apiBase (hence the google
// restriction in Validate), and reloading: the VS Code extension polls
// config.yaml every second (extensions/vscode/src/extension/VsCodeExtension.ts),
// JetBrains reloads on the IDE's file-change events, and neither watches
// .env. Docs: https://docs.continue.dev/reference
package continuedev

import (
	"fmt"
	"maps"
	"net/url"
	"path/filepath"
	"reflect"
	"slices"
	"strings"

	"github.com/hubctl/hub/credential"
	"github.com/hubctl/hub/targets"
	"github.com/hubctl/hub/targets/internal/dotenv"
	"github.com/hubctl/hub/targets/internal/yamledit"
)

// Type is the target type label.
const Type = "continue"

const (
	configFile = "config.yaml"
	legacyFile = "config.json"
	envFile    = ".env"
)

func init() {
	targets.Register(targets.Info{
		Type:  Type,
		Doc:   "Continue (VS Code, JetBrains, cn): models in ~/.continue/config.yaml",
		New:   func() targets.Target { return &Target{} },
		Multi: true,
	})
}

// Target is the continue block.
type Target struct {
	ConfigDir string `hcl:"config_dir,optional"`
	// Models lists, per credential id, the models to add where the
	// credential's own list is not the right one.
	Models map[string][]string `hcl:"models,optional"`
	// Roles, when set, is the roles list of every entry hub writes
	// (Continue's default is chat, edit, apply, summarize).
	Roles []string `hcl:"roles,optional"`
	// KeyMode is "inline" (the key in config.yaml) or "env" (a secret in
	// .env, referred to from config.yaml).
	KeyMode string `hcl:"key_mode,optional"`
	// KeyEnv names, per credential id, the secret for key_mode = "env";
	// the default is <ID>_API_KEY.
	KeyEnv map[string]string `hcl:"key_env,optional"`

	// dir is Continue's directory, resolved by Files (which the engine
	// calls before Notes) for the notes to name.
	dir string
}

var (
	_ targets.Target    = (*Target)(nil)
	_ targets.Validator = (*Target)(nil)
	_ targets.Noter     = (*Target)(nil)
	_ targets.Chooser   = (*Target)(nil)
)

// roles is Continue's modelRolesSchema (packages/config-yaml/src/schemas/models.ts).
var roles = []string{"chat", "autocomplete", "embed", "rerank", "edit", "apply", "summarize", "subagent"}

// googleHost is the Gemini API host; Continue sends Gemini chat requests
// there whatever apiBase says.
const googleHost = "generativelanguage.googleapis.com"

// keys is the block's key_mode and key_env. In env mode the variable is a
// Continue secret: .env defines it and config.yaml refers to it.
func (t *Target) keys() targets.KeyMode {
	return targets.KeyMode{Mode: t.KeyMode, Vars: t.KeyEnv, InlineDoc: "the key in config.yaml",
		EnvDoc: "the key in ~/.continue/.env, config.yaml referring to it as ${{ secrets.NAME }}"}
}

// secretRef is how config.yaml refers to a secret.
func secretRef(name string) string { return "${{ secrets." + name + " }}" }

// models is the list of models hub adds for a credential.
func (t *Target) models(c *credential.Credential) []string {
	if m, ok := t.Models[c.ID]; ok {
		return m
	}
	return c.Models
}

// EntryName is the name of hub's models entry for a credential's model: it
// is what Continue shows in its model picker, and what selects the entry.
func EntryName(c *credential.Credential, model string) string { return c.Name + " / " + model }

// Files implements targets.Target: config.yaml, .env in env mode, and
// config.json, which Choose uses to tell whether Continue reads the legacy
// file.
func (t *Target) Files(env targets.Env) ([]string, error) {
	dir, err := env.ConfigDir(t.ConfigDir, "CONTINUE_GLOBAL_DIR", ".continue")
	if err != nil {
		return nil, err
	}
	t.dir = dir
	files := []string{filepath.Join(dir, configFile)}
	if t.keys().Env() {
		files = append(files, filepath.Join(dir, envFile))
	}
	return append(files, filepath.Join(dir, legacyFile)), nil
}

// Choose implements targets.Chooser. Continue reads config.yaml if it
// exists, else config.json; hub writes config.yaml, except where that would
// make Continue drop an existing config.json: there it plans config.json
// alone, for which Desired returns the error.
func (t *Target) Choose(files []string, exists func(path string) bool) []string {
	var out []string
	var yaml, legacy string
	for _, f := range files {
		switch filepath.Base(f) {
		case configFile:
			yaml = f
		case legacyFile:
			legacy = f
			continue
		}
		out = append(out, f)
	}
	if yaml != "" && legacy != "" && !exists(yaml) && exists(legacy) {
		return []string{legacy}
	}
	return out
}

// Open implements targets.Target.
func (t *Target) Open(path string, data []byte) (targets.Doc, error) {
	switch filepath.Base(path) {
	case envFile:
		return dotenv.Parse(data)
	case legacyFile:
		return nil, fmt.Errorf("hub does not edit Continue's legacy config.json")
	}
	d, err := yamledit.Parse(data)
	if err != nil {
		return nil, err
	}
	return &configDoc{Doc: d}, nil
}

// Validate implements targets.Validator.
func (t *Target) Validate(in *targets.Input) []error {
	var errs []error
	keys := t.keys()
	errs = append(errs, keys.Validate()...)
	// key_env's names are checked below, per credential, as secret names.
	for _, attr := range []struct {
		name string
		keys []string
	}{{"key_env", slices.Sorted(maps.Keys(t.KeyEnv))}, {"models", slices.Sorted(maps.Keys(t.Models))}} {
		for _, id := range attr.keys {
			if err := targets.NotACredential(attr.name, id, in); err != nil {
				errs = append(errs, err)
			}
		}
	}
	for _, r := range t.Roles {
		if !slices.Contains(roles, r) {
			errs = append(errs, fmt.Errorf("roles has %q; Continue's roles are %s", r, strings.Join(roles, ", ")))
		}
	}
	if len(t.Roles) == 0 && t.Roles != nil {
		errs = append(errs, fmt.Errorf("roles is empty, which would leave Continue no use for hub's models; list roles such as [\"chat\", \"edit\", \"apply\"], or remove roles for Continue's default"))
	}
	names := map[string]string{}
	secrets := map[string]string{}
	for _, c := range in.Credentials {
		switch c.APIType {
		case credential.OpenAICompatible, credential.OpenAI, credential.Anthropic:
		case credential.Google:
			if u, err := url.Parse(c.BaseURL); err != nil || u.Host != googleHost {
				errs = append(errs, fmt.Errorf("credential %q is a google credential with the base URL %s, but Continue's gemini provider sends chat requests to %s whatever apiBase says (it would send this key there); use an openai-compatible credential for the relay's OpenAI endpoint", c.ID, c.BaseURL, googleHost))
			}
		default:
			errs = append(errs, fmt.Errorf("credential %q has api_type %q, which hub cannot write for Continue; it takes openai-compatible, openai, anthropic or google credentials", c.ID, c.APIType))
		}
		ms := t.models(c)
		if len(ms) == 0 {
			errs = append(errs, fmt.Errorf("credential %q lists no models, and each Continue model entry names one; give the credential models = [...], or this target models = { %s = [...] }", c.ID, c.ID))
		}
		for _, m := range ms {
			if strings.TrimSpace(m) == "" || strings.TrimSpace(m) != m {
				errs = append(errs, fmt.Errorf("credential %q has the model %q; model names must not be empty or have blanks around them", c.ID, m))
				continue
			}
			n := EntryName(c, m)
			if other, dup := names[n]; dup {
				errs = append(errs, fmt.Errorf("credentials %q and %q would both add the Continue model %q; give one of them another name", other, c.ID, n))
			}
			names[n] = c.ID
		}
		if keys.Env() {
			s := keys.EnvVar(c)
			if !targets.ValidEnvName(s) {
				errs = append(errs, fmt.Errorf("key_env for %q is %q; it must be a variable name (letters, digits and _, not starting with a digit)", c.ID, s))
			}
			if other, dup := secrets[s]; dup {
				errs = append(errs, fmt.Errorf("credentials %q and %q would both keep their key in the secret %s; give one of them another key_env", other, c.ID, s))
			}
			secrets[s] = c.ID
		}
	}
	return errs
}

// Provider is Continue's provider name for a credential's API type.
func Provider(apiType string) string {
	switch apiType {
	case credential.Anthropic:
		return "anthropic"
	case credential.Google:
		return "gemini"
	}
	return "openai"
}

// APIBase is the apiBase Continue needs for a credential: its base URL with
// the API version, ending in a slash as Continue's own defaults do.
func APIBase(c *credential.Credential) string {
	switch {
	case c.APIType == credential.Google:
		return c.BaseURL + "/v1beta/"
	case credential.HasVersion(c.BaseURL):
		// Such as Volcengine's /api/coding/v3.
		return c.BaseURL + "/"
	}
	return c.BaseURL + "/v1/"
}

// Desired implements targets.Target.
func (t *Target) Desired(path string, in *targets.Input) (*targets.Spec, error) {
	if len(in.Credentials) == 0 {
		return nil, fmt.Errorf("%s has no credentials", in.Address)
	}
	switch filepath.Base(path) {
	case legacyFile:
		return nil, fmt.Errorf("Continue reads this legacy config.json because there is no config.yaml beside it; "+
			"a config.yaml written by hub would replace it, and Continue would drop every setting in config.json. "+
			"Convert it to %s first (https://docs.continue.dev/reference/yaml-migration), then run hub again", filepath.Join(filepath.Dir(path), configFile))
	case envFile:
		spec := &targets.Spec{}
		for _, c := range in.Credentials {
			spec.Items = append(spec.Items, targets.Item{Key: targets.Key{t.keys().EnvVar(c)}, Value: c.Key.Reveal(), Sensitive: true})
		}
		return spec, nil
	}
	var rolesValue []any
	for _, r := range t.Roles {
		rolesValue = append(rolesValue, r)
	}
	spec := &targets.Spec{}
	for _, c := range in.Credentials {
		for _, m := range t.models(c) {
			p := func(k string) targets.Key {
				return targets.Key{"models", targets.Select("name", EntryName(c, m)), k}
			}
			spec.Items = append(spec.Items,
				targets.Item{Key: p("provider"), Value: Provider(c.APIType)},
				targets.Item{Key: p("model"), Value: m},
				targets.Item{Key: p("apiBase"), Value: APIBase(c)},
			)
			spec.Items = append(spec.Items, t.keys().Item(p("apiKey"), c, secretRef))
			if rolesValue != nil {
				spec.Items = append(spec.Items, targets.Item{Key: p("roles"), Value: rolesValue})
			}
		}
	}
	return spec, nil
}

// Notes implements targets.Noter.
func (t *Target) Notes(in *targets.Input) []string {
	dir := t.dir
	if dir == "" {
		dir = "~/.continue"
	}
	notes := []string{
		"Continue's VS Code extension reloads config.yaml within a second of a change, and JetBrains when the IDE notices the file changed; cn reads it when it starts: restart running cn sessions.",
	}
	if keys := t.keys(); keys.Env() {
		var names []string
		for _, c := range in.Credentials {
			names = append(names, keys.EnvVar(c))
		}
		notes = append(notes, fmt.Sprintf("config.yaml refers to the keys as ${{ secrets.NAME }}, which Continue resolves from %s (%s); cn prefers a variable of that name in its own environment. "+
			"A change to .env alone (a rotated key) is not noticed until Continue reloads config.yaml: save config.yaml or restart.", filepath.Join(dir, envFile), strings.Join(names, ", ")))
	} else {
		notes = append(notes, fmt.Sprintf("the keys are written into config.yaml; set key_mode = \"env\" to keep them in %s instead.", filepath.Join(dir, envFile)))
	}
	return notes
}

// seeds are the top-level keys Continue requires, with the values Continue
// writes into a new config.yaml (core/config/default.ts), in its order.
var seeds = []struct{ key, value string }{
	{"name", "Main Config"},
	{"version", "1.0.0"},
	{"schema", "v1"},
}

// configDoc is config.yaml. Before hub's first model goes in, it adds the
// required top-level keys the file lacks (see the package doc): an edit
// that is part of writing hub's items but is not an item itself, since hub
// must neither take over nor ever remove the user's name and version.
type configDoc struct {
	*yamledit.Doc
	seeded bool
}

// Set implements targets.Doc.
func (d *configDoc) Set(key targets.Key, value any) error {
	if !d.seeded && len(key) > 0 && key[0] == "models" {
		if err := d.seed(); err != nil {
			return err
		}
		d.seeded = true
	}
	return d.Doc.Set(key, value)
}

// seed adds name, version and schema where name or version is missing: the
// missing ones as a block of lines at the end of the file, after a blank
// line unless the file has no top-level keys. The result is parsed and
// checked to hold exactly the old top-level values plus the new ones; where
// it would not (an unusual layout), each key is added by the YAML editor.
func (d *configDoc) seed() error {
	_, hasName := d.Get(targets.Key{"name"})
	_, hasVersion := d.Get(targets.Key{"version"})
	if hasName && hasVersion {
		return nil
	}
	root, _ := d.Get(targets.Key{})
	old := asMap(root)
	want := map[string]any{}
	for k, v := range old {
		want[k] = v
	}
	data := string(d.Bytes())
	eol := "\n"
	if i := strings.IndexByte(data, '\n'); i > 0 && data[i-1] == '\r' {
		eol = "\r\n"
	}
	var block strings.Builder
	var missing []string
	for _, s := range seeds {
		if _, ok := old[s.key]; !ok {
			block.WriteString(s.key + ": " + s.value + eol)
			want[s.key] = s.value
			missing = append(missing, s.key)
		}
	}
	text := data
	if strings.TrimPrefix(text, "\ufeff") != "" && !strings.HasSuffix(text, "\n") {
		text += eol
	}
	if len(old) > 0 && !strings.HasSuffix(text, "\n"+eol) {
		text += eol
	}
	if nd, err := yamledit.Parse([]byte(text + block.String())); err == nil {
		if got, _ := nd.Get(targets.Key{}); reflect.DeepEqual(asMap(got), want) {
			d.Doc = nd
			return nil
		}
	}
	for _, k := range missing {
		for _, s := range seeds {
			if s.key == k {
				if err := d.Doc.Set(targets.Key{k}, s.value); err != nil {
					return fmt.Errorf("adding Continue's required %s: %w", k, err)
				}
			}
		}
	}
	return nil
}

func asMap(v any) map[string]any { m, _ := v.(map[string]any); return m }
