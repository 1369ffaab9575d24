// Package ccr is the claude_code_router target: Claude Code Router's
// config.json (npm @musistudio/claude-code-router 1.x and 2.x, command ccr).
//
// File: config.json in the block's config_dir, else ~/.claude-code-router
// (CCR takes the directory from the home directory alone; it reads no
// variable naming it). Takes credentials = [...]: each credential is one
// entry of the Providers list, named by the credential id, in which hub owns
// api_base_url, api_key, models and, where needed, transformer; the entry
// itself appears with hub's first field and goes with its last. With a router
// block hub also owns the Router keys it gives. Everything else is kept as
// the user wrote it: PORT, HOST, APIKEY, LOG, transformers, StatusLine, the
// user's own providers and router keys, comments and layout.
//
// How CCR talks to each kind of credential (it receives Anthropic Messages
// requests from Claude Code and, unless a transformer says otherwise,
// converts them to OpenAI chat completions):
//
//   - openai-compatible, openai: api_base_url is the full endpoint,
//     {base}/v1/chat/completions ({base}/chat/completions when the base URL
//     already ends in a version such as /api/coding/v3); Bearer key.
//   - anthropic: transformer {"use": ["Anthropic"]}, with which CCR passes
//     requests through unchanged to api_base_url = {base}/v1/messages, sending
//     the key both as x-api-key and as a Bearer token.
//   - google: transformer {"use": ["gemini"]}, with which CCR converts to the
//     Gemini API at {base}/v1beta/models/{model}:generateContent (the
//     api_base_url is {base}/v1beta/models/) with x-goog-api-key.
//
// Keys are written inline, or with key_mode = "env" as "$VAR", which CCR
// replaces with the variable's value when it reads the file (an unset
// variable is left as it is and sent as the key).
//
// CCR 2.x reads config.json with JSON5. hub edits JSON with comments and
// trailing commas byte for byte; a file using other JSON5 syntax (unquoted
// keys, single quotes, hexadecimal numbers) is refused with the place to fix.
// CCR reads the file only when its service starts: `ccr restart` is needed,
// which hub runs itself with restart = true.
//
// Checked with @musistudio/claude-code-router 2.0.0 (its source at tag v2.0.0
// and the npm package, run with `ccr start` against a recording upstream on
// loopback): for each of the three kinds above the upstream saw the request
// described, with keys from "$VAR" and "${VAR}" and a file with comments and
// trailing commas; `ccr restart` stops the service named by its pid file and
// starts a new one in the background (or just starts one), then exits.
// CCR 3.x keeps its configuration in SQLite and reads config.json only once,
// to migrate it; this target is not for 3.x.
package ccr

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"

	"github.com/hubctl/hub/credential"
	"github.com/hubctl/hub/targets"
	"github.com/hubctl/hub/targets/internal/jsonedit"
)

// Type is the target type label.
const Type = "claude_code_router"

func init() {
	targets.Register(targets.Info{
		Type:  Type,
		Doc:   "Claude Code Router 1.x/2.x: Providers and Router in ~/.claude-code-router/config.json",
		New:   func() targets.Target { return &Target{} },
		Multi: true,
	})
}

// Target is the claude_code_router block.
type Target struct {
	ConfigDir string `hcl:"config_dir,optional"`
	// Models lists, per credential id, the models CCR may route to through
	// it, where the credential's own models are not the right list.
	Models map[string][]string `hcl:"models,optional"`
	// Transformers gives, per credential id, the entry's transformer object
	// as CCR spells it: { relay = { use = ["deepseek"] } }.
	Transformers cty.Value `hcl:"transformers,optional"`
	// KeyMode is "inline" (the key in config.json) or "env" ("$VAR").
	KeyMode string `hcl:"key_mode,optional"`
	// KeyEnv names, per credential id, the variable for key_mode = "env";
	// the default is <ID>_API_KEY.
	KeyEnv map[string]string `hcl:"key_env,optional"`
	Router *Router           `hcl:"router,block"`
	// Restart runs `ccr restart` after config.json was written.
	Restart bool `hcl:"restart,optional"`
}

// Router is the router block: the Router keys hub owns, spelled as in CCR.
// Routes are "<provider>,<model>", the provider being a credential id.
type Router struct {
	Default              string `hcl:"default,optional"`
	Background           string `hcl:"background,optional"`
	Think                string `hcl:"think,optional"`
	LongContext          string `hcl:"longContext,optional"`
	LongContextThreshold *int64 `hcl:"longContextThreshold,optional"`
	WebSearch            string `hcl:"webSearch,optional"`
	Image                string `hcl:"image,optional"`
}

var (
	_ targets.Target    = (*Target)(nil)
	_ targets.Validator = (*Target)(nil)
	_ targets.Noter     = (*Target)(nil)
	_ targets.Reloader  = (*Target)(nil)
)

// routes lists the router's route keys that are set, in CCR's order.
func (r *Router) routes() []struct{ key, value string } {
	if r == nil {
		return nil
	}
	var out []struct{ key, value string }
	for _, kv := range []struct{ key, value string }{
		{"default", r.Default},
		{"background", r.Background},
		{"think", r.Think},
		{"longContext", r.LongContext},
		{"webSearch", r.WebSearch},
		{"image", r.Image},
	} {
		if kv.value != "" {
			out = append(out, kv)
		}
	}
	return out
}

// keys is the block's key_mode and key_env.
func (t *Target) keys() targets.KeyMode {
	return targets.KeyMode{Mode: t.KeyMode, Vars: t.KeyEnv,
		InlineDoc: "the key in config.json", EnvDoc: "config.json names a variable you export"}
}

// keyRef is how config.json refers to a variable: $VAR where CCR's pattern
// for that form ($ and [A-Z_][A-Z0-9_]*) covers the name, else ${VAR}.
func keyRef(name string) string {
	if bareVar.MatchString(name) {
		return "$" + name
	}
	return "${" + name + "}"
}

var (
	bareVar = regexp.MustCompile(`^[A-Z_][A-Z0-9_]*$`)
)

// models is the list CCR gets for a credential.
func (t *Target) models(c *credential.Credential) []string {
	if m, ok := t.Models[c.ID]; ok {
		return m
	}
	return c.Models
}

// requiredTransformer is the transformer a credential's API needs, if any.
func requiredTransformer(apiType string) string {
	switch apiType {
	case credential.Anthropic:
		return "Anthropic"
	case credential.Google:
		return "gemini"
	}
	return ""
}

// Files implements targets.Target.
func (t *Target) Files(env targets.Env) ([]string, error) {
	dir, err := env.ConfigDir(t.ConfigDir, "", ".claude-code-router")
	if err != nil {
		return nil, err
	}
	return []string{filepath.Join(dir, "config.json")}, nil
}

// Open implements targets.Target. CCR parses config.json as JSON5.
func (t *Target) Open(_ string, data []byte) (targets.Doc, error) { return jsonedit.ParseJSON5(data) }

// Validate implements targets.Validator.
func (t *Target) Validate(in *targets.Input) []error {
	var errs []error
	errs = append(errs, t.keys().Validate()...)
	errs = append(errs, t.keys().ValidateVars(in)...)
	ids := map[string]*credential.Credential{}
	var idList []string
	for _, c := range in.Credentials {
		ids[c.ID] = c
		idList = append(idList, c.ID)
	}
	for _, id := range slices.Sorted(maps.Keys(t.Models)) {
		if err := targets.NotACredential("models", id, in); err != nil {
			errs = append(errs, err)
		}
	}
	transformers, err := t.transformers()
	if err != nil {
		errs = append(errs, err)
	}
	for _, id := range slices.Sorted(maps.Keys(transformers)) {
		if err := targets.NotACredential("transformers", id, in); err != nil {
			errs = append(errs, err)
		}
	}
	for _, c := range in.Credentials {
		switch c.APIType {
		case credential.OpenAICompatible, credential.OpenAI, credential.Anthropic, credential.Google:
		default:
			errs = append(errs, fmt.Errorf("credential %q has api_type %q, which Claude Code Router cannot use; it takes openai-compatible, openai, anthropic or google credentials", c.ID, c.APIType))
		}
		if len(t.models(c)) == 0 {
			errs = append(errs, fmt.Errorf("credential %q lists no models, and Claude Code Router routes only to models its providers list; give the credential models = [...], or this target models = { %s = [...] }", c.ID, c.ID))
		}
		for _, m := range t.models(c) {
			if m == "" || strings.Contains(m, ",") {
				errs = append(errs, fmt.Errorf("credential %q has the model %q; Claude Code Router needs model names that are not empty and hold no comma (routes are \"<provider>,<model>\")", c.ID, m))
			}
		}
		if need := requiredTransformer(c.APIType); need != "" && transformers[c.ID] != nil && !uses(transformers[c.ID], need) {
			errs = append(errs, fmt.Errorf("transformers for %q must use %q: credential %q is %s, and without that transformer Claude Code Router would send it OpenAI chat requests", c.ID, need, c.ID, c.APIType))
		}
	}
	if r := t.Router; r != nil {
		for _, rt := range r.routes() {
			if err := t.checkRoute(rt.key, rt.value, ids, idList); err != nil {
				errs = append(errs, err)
			}
		}
		if r.LongContextThreshold != nil && *r.LongContextThreshold <= 0 {
			errs = append(errs, fmt.Errorf("router.longContextThreshold is %d; it must be a positive number of tokens", *r.LongContextThreshold))
		}
	}
	return errs
}

// checkRoute checks that a route names one of the target's credentials and
// one of its models.
func (t *Target) checkRoute(key, route string, ids map[string]*credential.Credential, idList []string) error {
	provider, model, ok := strings.Cut(route, ",")
	if !ok || provider == "" || model == "" {
		return fmt.Errorf("router.%s is %q; it must be \"<credential id>,<model>\", such as %q", key, route, example(idList, ids, t))
	}
	c := ids[provider]
	if c == nil {
		return fmt.Errorf("router.%s routes to %q, which is not one of this target's credentials (%s)", key, provider, strings.Join(idList, ", "))
	}
	if ms := t.models(c); len(ms) > 0 && !slices.Contains(ms, model) {
		return fmt.Errorf("router.%s routes to model %q, which credential %q does not list (%s); add it to the credential's models, or to this target's models = { %s = [...] }",
			key, model, c.ID, strings.Join(ms, ", "), c.ID)
	}
	return nil
}

func example(idList []string, ids map[string]*credential.Credential, t *Target) string {
	if len(idList) == 0 {
		return "relay,gpt-4.1"
	}
	model := "<model>"
	if ms := t.models(ids[idList[0]]); len(ms) > 0 {
		model = ms[0]
	}
	return idList[0] + "," + model
}

// transformers decodes the transformers attribute: credential id to the
// entry's transformer object, as JSON-like values.
func (t *Target) transformers() (map[string]map[string]any, error) {
	v := t.Transformers
	if v == cty.NilVal || v.IsNull() {
		return nil, nil
	}
	bad := errors.New(`transformers must map credential ids to transformer objects as Claude Code Router spells them, such as transformers = { relay = { use = ["deepseek"] } }`)
	if !v.IsWhollyKnown() || !(v.Type().IsObjectType() || v.Type().IsMapType()) {
		return nil, bad
	}
	b, err := ctyjson.Marshal(v, v.Type())
	if err != nil {
		return nil, fmt.Errorf("transformers: %w", err)
	}
	var out map[string]map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, bad
	}
	for id, tr := range out {
		if len(tr) == 0 {
			return nil, fmt.Errorf("transformers for %q is empty; give at least use = [...]", id)
		}
		for k, x := range tr {
			list := x
			if k != "use" {
				// A model's own transformers: { use = [...] }.
				m, ok := x.(map[string]any)
				if !ok {
					return nil, fmt.Errorf("transformers for %q: %q must be the list use = [...], or a model's { use = [...] }", id, k)
				}
				list = m["use"]
			}
			if _, ok := list.([]any); !ok {
				return nil, fmt.Errorf("transformers for %q: use must be a list of transformer names (or [name, { options }])", id)
			}
		}
	}
	return out, nil
}

// uses reports whether a transformer object uses the named transformer for
// all models.
func uses(tr map[string]any, name string) bool {
	list, _ := tr["use"].([]any)
	for _, u := range list {
		if u == name {
			return true
		}
		if pair, ok := u.([]any); ok && len(pair) > 0 && pair[0] == name {
			return true
		}
	}
	return false
}

// apiBaseURL is the full endpoint CCR posts to for a credential.
func apiBaseURL(c *credential.Credential) string {
	switch c.APIType {
	case credential.Anthropic:
		return c.BaseURL + "/v1/messages"
	case credential.Google:
		return c.BaseURL + "/v1beta/models/"
	}
	if credential.HasVersion(c.BaseURL) {
		return c.BaseURL + "/chat/completions"
	}
	return c.BaseURL + "/v1/chat/completions"
}

// Desired implements targets.Target.
func (t *Target) Desired(_ string, in *targets.Input) (*targets.Spec, error) {
	if len(in.Credentials) == 0 {
		return nil, fmt.Errorf("%s has no credentials", in.Address)
	}
	transformers, err := t.transformers()
	if err != nil {
		return nil, err
	}
	var items []targets.Item
	for _, c := range in.Credentials {
		p := func(k string) targets.Key { return targets.Key{"Providers", targets.Select("name", c.ID), k} }
		items = append(items, targets.Item{Key: p("api_base_url"), Value: apiBaseURL(c)})
		items = append(items, t.keys().Item(p("api_key"), c, keyRef))
		var models []any
		for _, m := range t.models(c) {
			models = append(models, m)
		}
		items = append(items, targets.Item{Key: p("models"), Value: models})
		if tr := transformers[c.ID]; tr != nil {
			items = append(items, targets.Item{Key: p("transformer"), Value: tr})
		} else if need := requiredTransformer(c.APIType); need != "" {
			items = append(items, targets.Item{Key: p("transformer"), Value: map[string]any{"use": []any{need}}})
		}
	}
	if r := t.Router; r != nil {
		for _, rt := range r.routes() {
			items = append(items, targets.Item{Key: targets.Key{"Router", rt.key}, Value: rt.value})
		}
		if r.LongContextThreshold != nil {
			items = append(items, targets.Item{Key: targets.Key{"Router", "longContextThreshold"}, Value: *r.LongContextThreshold})
		}
	}
	return &targets.Spec{Items: items, Conflicts: []targets.Conflict{{
		Key: targets.Key{"providers"},
		Reason: "config.json has a lowercase providers list, and Claude Code Router reads only Providers when both are there, " +
			"so hub's entries would hide yours; rename providers to Providers (keeping its entries) and run hub again",
	}}}, nil
}

// Notes implements targets.Noter.
func (t *Target) Notes(in *targets.Input) []string {
	var notes []string
	if t.Restart {
		notes = append(notes, "hub runs `ccr restart` after writing config.json, so that Claude Code Router reads it (this starts the service if it was not running).")
	} else {
		notes = append(notes, "Claude Code Router reads config.json when its service starts: run `ccr restart` to use the new values, or set restart = true.")
	}
	if keys := t.keys(); keys.Env() {
		for _, c := range in.Credentials {
			where := "the shell that runs `ccr start` or `ccr restart`"
			if t.Restart {
				where = "the shell that runs hub apply (its `ccr restart` passes that environment on to the service)"
			}
			notes = append(notes, fmt.Sprintf("config.json refers to the key of credential %q as %s: export %s in %s; an unset variable is sent to the provider as it is.",
				c.ID, keyRef(keys.EnvVar(c)), keys.EnvVar(c), where))
		}
	} else {
		notes = append(notes, "the keys are written into config.json; set key_mode = \"env\" to keep them out of the file.")
	}
	if t.Router == nil || t.Router.Default == "" {
		ids := make(map[string]*credential.Credential, len(in.Credentials))
		var idList []string
		for _, c := range in.Credentials {
			ids[c.ID] = c
			idList = append(idList, c.ID)
		}
		notes = append(notes, fmt.Sprintf("hub does not set Router.default: unless config.json has one, Claude Code Router refuses requests that name no provider (\"Missing model in request body\"; and with no Router at all, 2.0.0 fails every request); set router { default = %q } to route to one of these credentials.",
			example(idList, ids, t)))
	}
	return notes
}

// restartTimeout bounds `ccr restart`, which takes about a second.
var restartTimeout = time.Minute

// Reload implements targets.Reloader: with restart = true it runs
// `ccr restart`, found on PATH, so that the service reads the new file.
func (t *Target) Reload(ctx context.Context, in *targets.Input) error {
	if !t.Restart {
		return nil
	}
	path, err := exec.LookPath("ccr")
	if err != nil {
		return fmt.Errorf("restart = true, but ccr is not on PATH (%w); install Claude Code Router, or run ccr restart yourself", err)
	}
	ctx, cancel := context.WithTimeout(ctx, restartTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, "restart")
	var out tailBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	// The service it starts must not keep Run waiting on our pipes.
	cmd.WaitDelay = 2 * time.Second
	err = cmd.Run()
	if err == nil || errors.Is(err, exec.ErrWaitDelay) {
		// (ErrWaitDelay: ccr exited well, only its service kept our pipes.)
		return nil
	}
	if ctx.Err() == context.DeadlineExceeded {
		err = fmt.Errorf("it did not finish within %v", restartTimeout)
	}
	var keys []string
	for _, c := range in.Credentials {
		keys = append(keys, c.Key.Reveal())
	}
	if tail := out.tail(keys); tail != "" {
		return fmt.Errorf("ccr restart: %w; its output ended with: %s", err, tail)
	}
	return fmt.Errorf("ccr restart: %w", err)
}

// tailBuffer keeps the last bytes written to it.
type tailBuffer struct {
	b   []byte
	cut bool // bytes before b were dropped
}

const tailMax = 4096

func (w *tailBuffer) Write(p []byte) (int, error) {
	w.b = append(w.b, p...)
	if len(w.b) > tailMax {
		w.b, w.cut = w.b[len(w.b)-tailMax:], true
	}
	return len(p), nil
}

// tail returns the last few lines written, on one line, without any of keys
// (ccr prints none, but its output is no place to trust with them).
func (w *tailBuffer) tail(keys []string) string {
	b := w.b
	if w.cut {
		// The first line is cut, and with it maybe a key no longer whole.
		_, b, _ = bytes.Cut(b, []byte("\n"))
	}
	s := string(bytes.ToValidUTF8(b, []byte("?")))
	for _, k := range keys {
		if k != "" {
			s = strings.ReplaceAll(s, k, "(key)")
		}
	}
	lines := strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == '\r' })
	if len(lines) > 3 {
		lines = lines[len(lines)-3:]
	}
	r := []rune(strings.Join(lines, " | "))
	if len(r) > 300 {
		r = append([]rune("..."), r[len(r)-300:]...)
	}
	return strings.TrimSpace(string(r))
}
