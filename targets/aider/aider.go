// Package aider is the aider target: aider's YAML config file.
//
// File: the block's config_file, else .aider.conf.yml in its config_dir,
// else ~/.aider.conf.yml (%USERPROFILE%\.aider.conf.yml on Windows, Python's
// Path.home()). aider also reads .aider.conf.yml in the git root and in the
// current directory, each overriding the one before key by key, and AIDER_*
// environment variables and command-line options override every file
// (aider/main.py, configargparse).
//
// Takes one credential. Owns:
//
//   - model (and weak-model, editor-model when set): the model with the
//     litellm prefix aider needs: openai/<model> for openai and
//     openai-compatible credentials (always, so that a relay's id such as
//     deepseek/deepseek-chat reaches the relay), anthropic/<model>,
//     gemini/<model>. Without a model attribute, the credential's first model.
//   - openai and openai-compatible: openai-api-base (the base URL + /v1) and
//     openai-api-key, which aider puts in OPENAI_API_BASE and OPENAI_API_KEY.
//   - anthropic: anthropic-api-key (ANTHROPIC_API_KEY) and, for a base URL
//     other than https://api.anthropic.com, set-env: [ANTHROPIC_API_BASE=<base
//     URL>] (litellm appends /v1/messages).
//   - google, on Google's own endpoint only: api-key: [gemini=<key>], which
//     aider turns into GEMINI_API_KEY. litellm's handling of another Gemini
//     base URL differs between its code paths, so other hosts are refused.
//
// set-env and api-key are lists whose entries hold their value in their
// text, with no name hub could select an entry by without putting a key in
// the item's identity. hub owns such a list whole, and only where it holds
// nothing but hub's entry: if the user's list has other entries, the plan
// stops with what to move; and if the user adds entries to a list hub owns,
// removing it keeps theirs (the plan still shows the whole list removed).
//
// Comments (such as the commented-out sample file aider ships) and every
// other setting are kept byte for byte. hub's new top-level keys go together
// at the end of the file, after one blank line.
//
// Checked against aider's source at 5dc9490 (0.86.3.dev, 2026-05-22;
// aider/main.py, aider/args.py) and the litellm source it pins (1.82.3).
// aider itself was not run (no PyPI here): the golden files were read with
// aider's own get_parser (args.py at that commit, under configargparse 1.5.3
// and PyYAML 6.0.3) and main.py's handling of set-env, api-key and the key
// options, giving the model, keys and base URLs above; a project file's
// set-env list replaces this file's whole list there. Docs:
// https://aider.chat/docs/config/aider_conf.html,
// https://aider.chat/docs/config/api-keys.html,
// https://aider.chat/docs/llms/openai-compat.html
package aider

import (
	"fmt"
	"net/url"
	"path/filepath"
	"reflect"
	"strings"

	"github.com/hubctl/hub/credential"
	"github.com/hubctl/hub/targets"
	"github.com/hubctl/hub/targets/internal/yamledit"
)

// Type is the target type label.
const Type = "aider"

// FileName is the name aider looks for.
const FileName = ".aider.conf.yml"

const (
	anthropicBase = "https://api.anthropic.com"
	googleHost    = "generativelanguage.googleapis.com"
)

func init() {
	targets.Register(targets.Info{
		Type: Type,
		Doc:  "aider: model, endpoint and key in ~/.aider.conf.yml",
		New:  func() targets.Target { return &Target{} },
	})
}

// Target is the aider block.
type Target struct {
	ConfigDir  string `hcl:"config_dir,optional"`
	ConfigFile string `hcl:"config_file,optional"`
	// Model, WeakModel and EditorModel are model ids as the credential's
	// endpoint knows them; hub adds the litellm prefix.
	Model       string `hcl:"model,optional"`
	WeakModel   string `hcl:"weak_model,optional"`
	EditorModel string `hcl:"editor_model,optional"`
}

var (
	_ targets.Target    = (*Target)(nil)
	_ targets.Validator = (*Target)(nil)
	_ targets.Noter     = (*Target)(nil)
)

// Files implements targets.Target.
func (t *Target) Files(env targets.Env) ([]string, error) {
	if t.ConfigFile != "" {
		p, err := env.Path(t.ConfigFile)
		if err != nil {
			return nil, err
		}
		return []string{p}, nil
	}
	dir, err := env.ConfigDir(t.ConfigDir, "", "")
	if err != nil {
		return nil, err
	}
	return []string{filepath.Join(dir, FileName)}, nil
}

// Open implements targets.Target.
func (t *Target) Open(_ string, data []byte) (targets.Doc, error) {
	d, err := yamledit.Parse(data)
	if err != nil {
		return nil, err
	}
	return &confDoc{Doc: d}, nil
}

// Validate implements targets.Validator.
func (t *Target) Validate(in *targets.Input) []error {
	var errs []error
	if t.ConfigDir != "" && t.ConfigFile != "" {
		errs = append(errs, fmt.Errorf("config_dir and config_file are both set; set config_file for a file of any name, or config_dir for %s in that directory", FileName))
	}
	for _, m := range []struct{ attr, v string }{{"model", t.Model}, {"weak_model", t.WeakModel}, {"editor_model", t.EditorModel}} {
		if m.v != "" && strings.TrimSpace(m.v) != m.v {
			errs = append(errs, fmt.Errorf("%s %q has blanks around it", m.attr, m.v))
		}
	}
	c := in.Credential()
	if c == nil {
		return errs
	}
	switch c.APIType {
	case credential.OpenAICompatible, credential.OpenAI, credential.Anthropic:
	case credential.Google:
		if u, err := url.Parse(c.BaseURL); err != nil || u.Host != googleHost {
			errs = append(errs, fmt.Errorf("credential %q is a google credential with the base URL %s; hub writes aider's Gemini settings only for Google's own endpoint (%s), as litellm does not treat another Gemini base URL the same way in every request; use an openai-compatible credential for the relay's OpenAI endpoint", c.ID, c.BaseURL, googleHost))
		}
	default:
		errs = append(errs, fmt.Errorf("credential %q has api_type %q, which hub cannot write for aider; it takes openai-compatible, openai, anthropic or google credentials", c.ID, c.APIType))
	}
	return errs
}

// OpenAIBase is openai-api-base for a credential: its base URL with /v1,
// unless it already ends in a version segment.
func OpenAIBase(base string) string {
	if credential.HasVersion(base) {
		return base
	}
	return base + "/v1"
}

// ModelName is the model name aider passes to litellm for a model of a
// credential of apiType.
func ModelName(apiType, model string) string {
	switch apiType {
	case credential.OpenAICompatible:
		// Always: a relay's own ids may hold a slash.
		return "openai/" + model
	case credential.Anthropic:
		return withPrefix("anthropic/", model)
	case credential.Google:
		return withPrefix("gemini/", model)
	}
	return withPrefix("openai/", model)
}

func withPrefix(p, model string) string {
	if strings.HasPrefix(model, p) {
		return model
	}
	return p + model
}

// model is the main model: the block's, else the credential's first.
func (t *Target) model(c *credential.Credential) string {
	if t.Model != "" {
		return t.Model
	}
	if len(c.Models) > 0 {
		return c.Models[0]
	}
	return ""
}

// Desired implements targets.Target.
func (t *Target) Desired(_ string, in *targets.Input) (*targets.Spec, error) {
	c := in.Credential()
	if c == nil {
		return nil, fmt.Errorf("%s has no credential", in.Address)
	}
	var items []targets.Item
	for _, m := range []struct{ key, v string }{{"model", t.model(c)}, {"weak-model", t.WeakModel}, {"editor-model", t.EditorModel}} {
		if m.v != "" {
			items = append(items, targets.Item{Key: targets.Key{m.key}, Value: ModelName(c.APIType, m.v)})
		}
	}
	key := c.Key.Reveal()
	switch c.APIType {
	case credential.Anthropic:
		items = append(items, targets.Item{Key: targets.Key{"anthropic-api-key"}, Value: key, Sensitive: true})
		if c.BaseURL != anthropicBase {
			items = append(items, targets.Item{Key: targets.Key{"set-env"}, Value: []any{anthropicBaseVar + c.BaseURL}})
		}
	case credential.Google:
		items = append(items, targets.Item{Key: targets.Key{"api-key"}, Value: []any{geminiKeyEntry + key}, Sensitive: true})
	default:
		items = append(items,
			targets.Item{Key: targets.Key{"openai-api-base"}, Value: OpenAIBase(c.BaseURL)},
			targets.Item{Key: targets.Key{"openai-api-key"}, Value: key, Sensitive: true},
		)
	}
	return &targets.Spec{Items: items}, nil
}

// Notes implements targets.Noter.
func (t *Target) Notes(in *targets.Input) []string {
	notes := []string{
		"aider reads its config when it starts: restart running aider sessions. A .aider.conf.yml in the git root or the current directory overrides this file key by key, and AIDER_* variables and command-line options override both.",
		"the key is written into the config file (aider has no way to name a variable there instead).",
	}
	if c := in.Credential(); c != nil && t.model(c) == "" {
		notes = append(notes, fmt.Sprintf("credential %q lists no models and this target sets no model: aider chooses its default model for the key it finds, which the endpoint may not serve; set model = \"...\".", c.ID))
	}
	return notes
}

// The entries hub writes in aider's value lists, up to their value.
const (
	anthropicBaseVar = "ANTHROPIC_API_BASE="
	geminiKeyEntry   = "gemini="
)

// listEntry says, per list hub may own, what its entry starts with and how
// to tell the user where their other entries can go.
var listEntry = map[string]struct{ prefix, instead string }{
	"set-env": {anthropicBaseVar, "set those variables in your shell or a .env file aider reads"},
	"api-key": {geminiKeyEntry, "put those keys in a .env file aider reads (PROVIDER_API_KEY=...) or your shell"},
}

// confDoc is .aider.conf.yml. It guards the lists hub owns whole (set-env,
// api-key): hub may replace such a list only when it holds nothing but hub's
// kind of entry, and removing hub's entry keeps the user's. And it keeps
// hub's new top-level keys together: the YAML editor puts a blank line
// before each key it adds at the end of a file, which confDoc removes
// between two keys added one after the other.
type confDoc struct {
	*yamledit.Doc
	// appended is set when the last Set added a top-level key at the end.
	appended bool
}

// Set implements targets.Doc.
func (d *confDoc) Set(key targets.Key, value any) error {
	if len(key) == 1 {
		if le, ok := listEntry[key[0]]; ok {
			if others := d.foreign(key[0], le.prefix); len(others) > 0 {
				return fmt.Errorf("%s already has entries of yours (%s); hub owns the whole %s list when it needs one, and would drop them: %s, remove them from %s, and run hub again",
					key[0], strings.Join(others, ", "), key[0], le.instead, key[0])
			}
		}
	}
	_, existed := d.Get(key[:1])
	before := d.Bytes()
	if err := d.Doc.Set(key, value); err != nil {
		return err
	}
	added := !existed && len(key) == 1
	if added && d.appended {
		d.join(before)
	}
	d.appended = added
	return nil
}

// join removes the blank line the editor put between the end of before and
// the key it appended, if the result reads the same. (After a last line
// without a line break, the editor puts two line breaks before the key.)
func (d *confDoc) join(before []byte) {
	rest, ok := strings.CutPrefix(string(d.Bytes()), string(before))
	if !ok {
		return
	}
	eol := "\n"
	if strings.HasPrefix(rest, "\r\n") {
		eol = "\r\n"
	}
	blank := eol
	if !strings.HasSuffix(string(before), "\n") {
		blank = eol + eol
	}
	if !strings.HasPrefix(rest, blank) {
		return
	}
	nd, err := yamledit.Parse([]byte(string(before) + rest[len(eol):]))
	if err != nil {
		return
	}
	want, _ := d.Get(targets.Key{})
	if got, _ := nd.Get(targets.Key{}); reflect.DeepEqual(got, want) {
		d.Doc = nd
	}
}

// Delete implements targets.Doc. Removing an owned list that the user has
// since added entries to removes only hub's entry.
func (d *confDoc) Delete(key targets.Key) error {
	d.appended = false
	if len(key) == 1 {
		if le, ok := listEntry[key[0]]; ok {
			if keep := d.keep(key[0], le.prefix); len(keep) > 0 {
				return d.Doc.Set(key, keep)
			}
		}
	}
	return d.Doc.Delete(key)
}

// foreign describes the entries of the list name that are not hub's kind:
// by the part before "=" (a provider or variable name, never a value).
func (d *confDoc) foreign(name, prefix string) []string {
	var out []string
	for _, e := range d.keep(name, prefix) {
		s, ok := e.(string)
		n, _, hasEq := strings.Cut(s, "=")
		switch {
		case !ok || !hasEq || strings.TrimSpace(n) == "":
			out = append(out, "an entry that is not NAME=value")
		default:
			out = append(out, strings.TrimSpace(n))
		}
	}
	return out
}

// keep returns the entries of the list name that are not hub's kind. A
// single value (name: x) counts as a list of one, as aider reads it.
func (d *confDoc) keep(name, prefix string) []any {
	v, ok := d.Get(targets.Key{name})
	if !ok || v == nil {
		return nil
	}
	list, isList := v.([]any)
	if !isList {
		list = []any{v}
	}
	var out []any
	for _, e := range list {
		if s, ok := e.(string); ok && strings.HasPrefix(s, prefix) {
			continue
		}
		out = append(out, e)
	}
	return out
}
