// Package litellm is the litellm target: the config.yaml of a LiteLLM proxy
// (github.com/BerriAI/litellm, `litellm --config config.yaml`).
//
// File: config_file, the file the proxy runs with (its --config flag; the
// proxy has no per-user default), relative to the configuration directory,
// ~ allowed; or config.yaml in config_dir.
//
// Each (credential, model) pair of the block's credentials becomes one
// entry of model_list, found by its model_name: the model id, or
// "<credential id>/<model id>" with prefix_models, or the name model_names
// gives the pair. hub owns these fields of the entry's litellm_params:
//
//   - model: the provider route LiteLLM dispatches on, "openai/<id>" for
//     openai-compatible and openai credentials (LiteLLM's OpenAI client,
//     POST {api_base}/chat/completions), "anthropic/<id>" (POST
//     {api_base}/v1/messages, key in x-api-key), "gemini/<id>" (POST
//     {api_base}/models/<id>:generateContent, key in x-goog-api-key).
//   - api_base: the credential's base URL + /v1 for the OpenAI client
//     (unless it already ends in a version segment such as /v3), as it is
//     for Anthropic (LiteLLM appends /v1/messages), + /v1beta for a Gemini
//     relay; none for Google's own host, where LiteLLM's default URL is
//     right in every version (releases before BerriAI/litellm#14604,
//     September 2025, built custom Gemini URLs as "{api_base}:{endpoint}").
//   - api_key: the key (key_mode = "inline", the default), or
//     "os.environ/<VAR>" (key_mode = "env"), which LiteLLM resolves from its
//     environment when it loads the file.
//
// The entry's model_name is its selector, and model_info, rpm, tpm and any
// other field the user adds to it are theirs and kept while hub's entry is
// there. When hub removes its entry (the credential or model is gone), the
// whole entry goes, fields the user added with it: LiteLLM does not start
// with an entry that has no litellm_params.model. The user's own
// model_list entries, litellm_settings, router_settings, general_settings
// (master_key, database_url), environment_variables, comments and order are
// kept, by targets/internal/yamledit.
//
// LiteLLM reads config.yaml when the proxy starts and does not watch it: the
// proxy must be restarted to serve a change.
//
// Facts from LiteLLM's docs (docs.litellm.ai/docs/proxy/configs,
// providers/openai_compatible, providers/anthropic, providers/gemini) and
// its source on main after BerriAI/litellm#14604 (September 2025):
// litellm/llms/anthropic get_complete_url, litellm/llms/vertex_ai/
// vertex_llm_base.py _check_custom_proxy, secret resolution of
// "os.environ/". LiteLLM is a Python package that could not be installed
// where this target was written, so these facts are not yet checked against
// a running proxy.
package litellm

import (
	"errors"
	"fmt"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/hubctl/hub/credential"
	"github.com/hubctl/hub/targets"
	"github.com/hubctl/hub/targets/internal/yamledit"
)

// Type is the target type label.
const Type = "litellm"

func init() {
	targets.Register(targets.Info{
		Type:  Type,
		Doc:   "LiteLLM proxy: model_list entries in the proxy's config.yaml",
		New:   func() targets.Target { return &Target{} },
		Multi: true,
	})
}

// Target is the litellm block.
type Target struct {
	// ConfigFile is the proxy's config.yaml.
	ConfigFile string `hcl:"config_file,optional"`
	// ConfigDir is the directory holding config.yaml, instead of ConfigFile.
	ConfigDir string `hcl:"config_dir,optional"`
	// KeyMode is "inline" (the key in config.yaml) or "env"
	// ("os.environ/VAR").
	KeyMode string `hcl:"key_mode,optional"`
	// KeyEnv names, per credential id, the variable for key_mode = "env";
	// the default is <ID>_API_KEY.
	KeyEnv map[string]string `hcl:"key_env,optional"`
	// PrefixModels names every entry "<credential id>/<model id>", for
	// credentials that serve the same models.
	PrefixModels bool `hcl:"prefix_models,optional"`
	// ModelNames renames single entries: "<credential id>/<model id>" =
	// "<model_name>".
	ModelNames map[string]string `hcl:"model_names,optional"`
}

var (
	_ targets.Target    = (*Target)(nil)
	_ targets.Validator = (*Target)(nil)
	_ targets.Noter     = (*Target)(nil)
)

// errNoFile is the error for a block that names no file.
var errNoFile = errors.New("config_file is required: the config.yaml your LiteLLM proxy runs with (litellm --config <file>); LiteLLM has no default location")

// keys is the block's key_mode and key_env.
func (t *Target) keys() targets.KeyMode {
	return targets.KeyMode{Mode: t.KeyMode, Vars: t.KeyEnv,
		InlineDoc: "the key in config.yaml", EnvDoc: "config.yaml names a variable the proxy's environment holds"}
}

var (
	yamlName = regexp.MustCompile(`(?i)\.ya?ml$`)
)

// A pair is one model_list entry hub manages.
type pair struct {
	c     *credential.Credential
	model string
	name  string // model_name
}

// pairKey is how model_names addresses a pair.
func pairKey(c *credential.Credential, model string) string { return c.ID + "/" + model }

// pairs lists the block's entries in credential and model order.
func (t *Target) pairs(in *targets.Input) []pair {
	var out []pair
	for _, c := range in.Credentials {
		for _, m := range c.Models {
			name := m
			if t.PrefixModels {
				name = pairKey(c, m)
			}
			if n, ok := t.ModelNames[pairKey(c, m)]; ok {
				name = n
			}
			out = append(out, pair{c: c, model: m, name: name})
		}
	}
	return out
}

// Files implements targets.Target.
func (t *Target) Files(env targets.Env) ([]string, error) {
	p, err := env.ConfigFile(t.ConfigFile, t.ConfigDir, "config.yaml")
	if err != nil {
		return nil, err
	}
	if p == "" {
		return nil, errNoFile
	}
	return []string{p}, nil
}

// Open implements targets.Target.
func (t *Target) Open(_ string, data []byte) (targets.Doc, error) {
	d, err := yamledit.Parse(data)
	if err != nil {
		return nil, err
	}
	return &doc{d}, nil
}

// doc is config.yaml with one rule on top of yamledit: a model_list entry
// left without litellm_params.model by a removal goes as a whole. LiteLLM
// reads model["litellm_params"]["model"] of every entry when it starts and
// stops with a KeyError on an entry without one, so fields the user added to
// an entry hub made (model_info, rpm) cannot be kept once hub's are gone.
type doc struct{ *yamledit.Doc }

// Delete implements targets.Doc.
func (d *doc) Delete(key targets.Key) error {
	if err := d.Doc.Delete(key); err != nil {
		return err
	}
	if len(key) < 3 || key[0] != "model_list" || key[2] != "litellm_params" {
		return nil
	}
	field, _, marker, ok := targets.ParseSelector(key[1])
	if !ok || marker != "" {
		return nil
	}
	entry := key[:2]
	v, present := d.Doc.Get(entry)
	if !present {
		return nil
	}
	m, _ := v.(map[string]any)
	if p, _ := m["litellm_params"].(map[string]any); p != nil && p["model"] != nil {
		return nil
	}
	// Removing every field but the selected one removes the entry.
	for _, name := range slices.Sorted(maps.Keys(m)) {
		if name == field {
			continue
		}
		if err := d.Doc.Delete(append(entry[:2:2], name)); err != nil {
			return err
		}
	}
	return nil
}

// Validate implements targets.Validator.
func (t *Target) Validate(in *targets.Input) []error {
	var errs []error
	switch {
	case t.ConfigFile == "" && t.ConfigDir == "":
		errs = append(errs, errNoFile)
	case t.ConfigFile != "" && t.ConfigDir != "":
		errs = append(errs, errors.New("config_file and config_dir are both set; give config_file, the file the proxy runs with"))
	case t.ConfigFile != "" && !yamlName.MatchString(t.ConfigFile):
		errs = append(errs, fmt.Errorf("config_file %q does not name a YAML file; give the config.yaml your LiteLLM proxy runs with (litellm --config <file>)", t.ConfigFile))
	}
	errs = append(errs, t.keys().Validate()...)
	ids := map[string]*credential.Credential{}
	for _, c := range in.Credentials {
		if ids[c.ID] != nil {
			errs = append(errs, fmt.Errorf("credential %q is listed twice", c.ID))
		}
		ids[c.ID] = c
	}
	errs = append(errs, t.keys().ValidateVars(in)...)
	for _, c := range in.Credentials {
		switch c.APIType {
		case credential.OpenAICompatible, credential.OpenAI, credential.Anthropic, credential.Google:
		default:
			errs = append(errs, fmt.Errorf("credential %q has api_type %q, which LiteLLM has no route for here; use openai-compatible, openai, anthropic or google", c.ID, c.APIType))
		}
		if len(c.Models) == 0 {
			errs = append(errs, fmt.Errorf("credential %q lists no models, and hub adds one model_list entry per model (LiteLLM serves only the model_names its model_list holds); add models = [...] to the credential", c.ID))
		}
		seen := map[string]bool{}
		for _, m := range c.Models {
			if strings.TrimSpace(m) == "" || strings.TrimSpace(m) != m {
				errs = append(errs, fmt.Errorf("credential %q has the model %q; LiteLLM needs model ids that are not empty and have no blanks around them", c.ID, m))
			}
			if seen[m] {
				errs = append(errs, fmt.Errorf("credential %q lists the model %q twice", c.ID, m))
			}
			seen[m] = true
		}
	}
	known := map[string]bool{}
	for _, p := range t.pairs(in) {
		known[pairKey(p.c, p.model)] = true
	}
	for _, k := range slices.Sorted(maps.Keys(t.ModelNames)) {
		if !known[k] {
			errs = append(errs, fmt.Errorf("model_names has %q, which is not \"<credential id>/<model id>\" for a model of this target's credentials", k))
		}
		if n := t.ModelNames[k]; strings.TrimSpace(n) == "" || strings.TrimSpace(n) != n {
			errs = append(errs, fmt.Errorf("model_names gives %q the name %q; a model_name must not be empty or have blanks around it", k, n))
		}
	}
	byName := map[string]pair{}
	for _, p := range t.pairs(in) {
		q, dup := byName[p.name]
		if !dup {
			byName[p.name] = p
			continue
		}
		switch {
		case q.c == p.c && q.model == p.model:
			continue // the same model twice, reported above
		case q.c == p.c:
			errs = append(errs, fmt.Errorf("the models %q and %q of credential %q would both get the model_list entry %q, and hub tells its entries apart by model_name; give them different names in model_names",
				q.model, p.model, p.c.ID, p.name))
			continue
		}
		errs = append(errs, fmt.Errorf("credentials %q and %q would both get the model_list entry %q, and hub tells its entries apart by model_name; "+
			"set prefix_models = true (names become \"<credential>/<model>\"), or rename one with model_names = { %q = \"%s-%s\" }",
			q.c.ID, p.c.ID, p.name, pairKey(p.c, p.model), p.name, p.c.ID))
	}
	return errs
}

// Route is litellm_params.model for a model of a credential: the provider
// prefix LiteLLM dispatches on, then the model id.
func Route(c *credential.Credential, model string) string {
	switch c.APIType {
	case credential.Anthropic:
		return "anthropic/" + model
	case credential.Google:
		return "gemini/" + model
	}
	return "openai/" + model
}

// googleHost is the Gemini API's own host, for which LiteLLM needs no
// api_base.
const googleHost = "generativelanguage.googleapis.com"

// APIBase is litellm_params.api_base for a credential, or "" for none.
func APIBase(c *credential.Credential) string {
	switch c.APIType {
	case credential.Anthropic:
		return c.BaseURL
	case credential.Google:
		if u, err := url.Parse(c.BaseURL); err == nil && strings.EqualFold(u.Host, googleHost) && strings.Trim(u.Path, "/") == "" {
			return ""
		}
		return c.BaseURL + "/v1beta"
	}
	if credential.HasVersion(c.BaseURL) {
		return c.BaseURL
	}
	return c.BaseURL + "/v1"
}

// keyRef is LiteLLM's way of naming an environment variable in config.yaml.
func keyRef(name string) string { return "os.environ/" + name }

// Desired implements targets.Target.
func (t *Target) Desired(_ string, in *targets.Input) (*targets.Spec, error) {
	spec := &targets.Spec{}
	for _, p := range t.pairs(in) {
		k := func(name string) targets.Key {
			return targets.Key{"model_list", targets.Select("model_name", p.name), "litellm_params", name}
		}
		spec.Items = append(spec.Items, targets.Item{Key: k("model"), Value: Route(p.c, p.model)})
		if base := APIBase(p.c); base != "" {
			spec.Items = append(spec.Items, targets.Item{Key: k("api_base"), Value: base})
		}
		spec.Items = append(spec.Items, t.keys().Item(k("api_key"), p.c, keyRef))
	}
	return spec, nil
}

// Notes implements targets.Noter.
func (t *Target) Notes(in *targets.Input) []string {
	notes := []string{"LiteLLM reads config.yaml only when the proxy starts: restart it (litellm --config <file>, or its container) to serve the new entries."}
	keys := t.keys()
	if !keys.Env() {
		return append(notes, "the keys are written into config.yaml; set key_mode = \"env\" to keep them out of the file.")
	}
	for _, c := range in.Credentials {
		v := keys.EnvVar(c)
		notes = append(notes, fmt.Sprintf("config.yaml refers to the key of credential %q as %s: set %s in the environment the proxy runs in (its shell, .env or container), or it cannot call that provider.", c.ID, keyRef(v), v))
	}
	return notes
}
