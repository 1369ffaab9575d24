package ccswitch

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"

	"github.com/pelletier/go-toml/v2"

	"github.com/hubctl/hub/credential"
)

// An entry is what a provider's settings_config says: the API, where,
// with which key, and the models it names; or why it cannot be imported.
type entry struct {
	apiType string
	base    string // as written; "" when none
	key     string
	models  []string
	skip    string // why the provider is left out
	warn    string // a problem to report (a position in text that does not parse)
}

// The tools' own APIs, where a provider with a key and no base URL sends it.
const (
	anthropicAPI = "https://api.anthropic.com"
	openaiAPI    = "https://api.openai.com"
	googleAPI    = "https://generativelanguage.googleapis.com"
)

// extract reads one provider's settings_config for its app.
func extract(p provider) entry {
	settings := p.parsed
	if settings == nil {
		if err := json.Unmarshal([]byte(p.settings), &settings); err != nil {
			return entry{skip: "its settings_config is not valid JSON", warn: "settings_config is not valid JSON" + jsonPos([]byte(p.settings), err)}
		}
		if settings == nil {
			settings = map[string]any{}
		}
	}
	var meta map[string]any
	_ = json.Unmarshal([]byte(p.meta), &meta) // CC Switch itself takes a bad meta as empty
	if m, ok := settings["meta"].(map[string]any); ok && meta == nil {
		meta = m
	}
	var e entry
	switch p.app {
	case "claude", "claude-desktop":
		e = claude(settings, meta)
	case "codex":
		e = codex(settings)
	case "gemini":
		e = gemini(settings)
	case "opencode":
		e = opencode(settings)
	case "openclaw":
		e = openclaw(settings)
	case "hermes":
		e = hermes(settings)
	case "grokbuild":
		e = grokbuild(settings)
	default:
		return entry{skip: fmt.Sprintf("CC Switch app %q is not one hub import reads", p.app)}
	}
	if e.skip != "" || e.warn != "" {
		return e
	}
	switch pt := str(meta, "providerType"); {
	case e.key == "" && (pt == "github_copilot" || pt == "codex_oauth" || pt == "xai_oauth"):
		e.skip = "signs in with an account (" + pt + "), not an API key"
	case e.key == "" && p.category == "official":
		e.skip = "an official provider that signs in with the tool's own login, not an API key"
	case e.key == "":
		e.skip = "no API key in its settings"
	case strings.TrimSpace(e.base) == "":
		e.skip = "no base URL in its settings"
	}
	return e
}

func claude(s, meta map[string]any) entry {
	env, _ := s["env"].(map[string]any)
	e := entry{apiType: credential.Anthropic}
	keys := []string{"ANTHROPIC_AUTH_TOKEN", "ANTHROPIC_API_KEY"}
	if f := str(meta, "apiKeyField"); f == "ANTHROPIC_API_KEY" {
		slices.Reverse(keys)
	}
	for _, k := range keys {
		if e.key = str(env, k); e.key != "" {
			break
		}
	}
	e.base = str(env, "ANTHROPIC_BASE_URL")
	if e.base == "" && e.key != "" {
		e.base = anthropicAPI
	}
	e.models = []string{str(env, "ANTHROPIC_MODEL"), str(env, "ANTHROPIC_DEFAULT_HAIKU_MODEL"),
		str(env, "ANTHROPIC_DEFAULT_SONNET_MODEL"), str(env, "ANTHROPIC_DEFAULT_OPUS_MODEL"),
		str(env, "ANTHROPIC_SMALL_FAST_MODEL")}
	// CC Switch's proxy converts Claude's requests for an upstream of
	// OpenAI's format; the key and base URL are then that upstream's.
	format := str(meta, "apiFormat")
	for _, k := range []string{"apiFormat", "api_format"} {
		if f := str(s, k); f != "" {
			format = f
		}
	}
	if strings.HasPrefix(format, "openai") {
		e.apiType = credential.OpenAICompatible
	}
	return e
}

func codex(s map[string]any) entry {
	auth, _ := s["auth"].(map[string]any)
	e := entry{apiType: credential.OpenAICompatible, key: str(auth, "OPENAI_API_KEY")}
	text, _ := s["config"].(string)
	var cfg map[string]any
	if err := toml.Unmarshal([]byte(text), &cfg); err != nil {
		return entry{skip: "its config (config.toml text) does not parse", warn: "config (config.toml text) does not parse" + tomlPos(err)}
	}
	e.models = []string{str(cfg, "model")}
	name := str(cfg, "model_provider")
	if name == "" || name == "openai" {
		if e.key != "" {
			e.apiType, e.base = credential.OpenAI, openaiAPI
		}
		return e
	}
	providers, _ := cfg["model_providers"].(map[string]any)
	mp, ok := providers[name].(map[string]any)
	if !ok {
		e.skip = fmt.Sprintf("config.toml selects model_provider %q, which it does not define", name)
		return e
	}
	e.base = str(mp, "base_url")
	if e.key == "" {
		e.key = str(mp, "experimental_bearer_token")
	}
	if v := str(mp, "env_key"); e.key == "" && v != "" {
		e.skip = fmt.Sprintf("its key is read from the environment variable %s, which CC Switch does not hold", v)
	}
	if n, err := credential.NormalizeBaseURL(credential.OpenAI, e.base, true); err == nil && n == openaiAPI {
		e.apiType = credential.OpenAI
	}
	return e
}

func gemini(s map[string]any) entry {
	env, _ := s["env"].(map[string]any)
	e := entry{apiType: credential.Google, key: str(env, "GEMINI_API_KEY"), base: str(env, "GOOGLE_GEMINI_BASE_URL")}
	if e.key == "" {
		e.key = str(env, "GOOGLE_API_KEY")
	}
	if e.base == "" && e.key != "" {
		e.base = googleAPI
	}
	e.models = []string{str(env, "GEMINI_MODEL")}
	return e
}

// envRef is opencode's reference to an environment variable.
var envRef = regexp.MustCompile(`^\{env:([A-Za-z_][A-Za-z0-9_]*)\}$`)

func opencode(s map[string]any) entry {
	opts, _ := s["options"].(map[string]any)
	e := entry{apiType: credential.OpenAICompatible, base: str(opts, "baseURL"), key: str(opts, "apiKey")}
	switch str(s, "npm") {
	case "@ai-sdk/anthropic":
		e.apiType = credential.Anthropic
	case "@ai-sdk/google":
		e.apiType = credential.Google
	}
	if m := envRef.FindStringSubmatch(e.key); m != nil {
		e.skip = fmt.Sprintf("its key is read from the environment variable %s, which CC Switch does not hold", m[1])
	}
	if ms, ok := s["models"].(map[string]any); ok {
		for id := range ms {
			e.models = append(e.models, id)
		}
		slices.Sort(e.models)
	}
	return e
}

func openclaw(s map[string]any) entry {
	e := entry{apiType: credential.OpenAICompatible, base: str(s, "baseUrl"), key: str(s, "apiKey"), models: modelIDs(s["models"])}
	switch api := str(s, "api"); {
	case strings.HasPrefix(api, "anthropic"):
		e.apiType = credential.Anthropic
	case strings.HasPrefix(api, "google"):
		e.apiType = credential.Google
	}
	return e
}

func hermes(s map[string]any) entry {
	e := entry{apiType: credential.OpenAICompatible, base: str(s, "base_url"), key: str(s, "api_key"), models: modelIDs(s["models"])}
	if strings.HasPrefix(str(s, "api_mode"), "anthropic") {
		e.apiType = credential.Anthropic
	}
	return e
}

func grokbuild(s map[string]any) entry {
	text, _ := s["config"].(string)
	var cfg map[string]any
	if err := toml.Unmarshal([]byte(text), &cfg); err != nil {
		return entry{skip: "its config (TOML text) does not parse", warn: "config (TOML text) does not parse" + tomlPos(err)}
	}
	e := entry{apiType: credential.OpenAICompatible}
	ms, _ := cfg["models"].(map[string]any)
	def := str(ms, "default")
	all, _ := cfg["model"].(map[string]any)
	m, _ := all[def].(map[string]any)
	e.base, e.key = str(m, "base_url"), str(m, "api_key")
	e.models = []string{str(m, "model")}
	if strings.Contains(str(m, "api_backend"), "anthropic") {
		e.apiType = credential.Anthropic
	}
	return e
}

// modelIDs reads a list of models given as {"id": ...} objects or names.
func modelIDs(v any) []string {
	list, _ := v.([]any)
	var out []string
	for _, m := range list {
		switch m := m.(type) {
		case string:
			out = append(out, m)
		case map[string]any:
			out = append(out, str(m, "id"))
		}
	}
	return out
}

// str is m[k] when it is a string, trimmed; else "".
func str(m map[string]any, k string) string {
	s, _ := m[k].(string)
	return strings.TrimSpace(s)
}

// jsonPos says where in text a JSON error is: " at line L, column C: why".
func jsonPos(text []byte, err error) string { return jsonPosIn(text, text, err) }

// jsonPosIn is jsonPos for an error in part, a piece of whole (a value
// decoded on its own), with the position in whole.
func jsonPosIn(whole, part []byte, err error) string {
	base := int64(max(bytes.Index(whole, part), 0))
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return " at " + lineCol(whole, base+syn.Offset-1) + ": " + syn.Error()
	case errors.As(err, &typ):
		what := typ.Field
		if what != "" {
			what += ": "
		}
		return fmt.Sprintf(" at %s: %sa %s where %s was expected", lineCol(whole, base+typ.Offset), what, typ.Value, expected(typ.Type))
	}
	return ": " + err.Error()
}

// expected names the JSON a Go type decodes.
func expected(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Map, reflect.Struct:
		return "an object"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	}
	return "a number"
}

// lineCol is "line L, column C" of the byte at offset off (columns count
// bytes, as encoding/json's offsets do).
func lineCol(text []byte, off int64) string {
	off = min(max(off, 0), int64(len(text)))
	line, col := 1, 1
	for _, b := range text[:off] {
		if b == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return fmt.Sprintf("line %d, column %d", line, col)
}

// tomlPos says where a TOML error is, without the text around it (which
// could hold a key).
func tomlPos(err error) string {
	var de *toml.DecodeError
	if errors.As(err, &de) {
		row, col := de.Position()
		return fmt.Sprintf(" at line %d, column %d: %s", row, col, de.Error())
	}
	return ": " + err.Error()
}
