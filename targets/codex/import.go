package codex

import (
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"slices"

	"github.com/hubctl/hub/credential"
	"github.com/hubctl/hub/secret"
	"github.com/hubctl/hub/targets"
	"github.com/hubctl/hub/targets/internal/jsonedit"
	"github.com/hubctl/hub/targets/internal/readback"
)

var _ targets.Importer = (*Target)(nil)

// openAIBase is the built-in openai provider's endpoint, which auth.json's
// OPENAI_API_KEY is for.
const openAIBase = "https://api.openai.com"

// Import implements targets.Importer. The block is the provider
// config.toml's model_provider selects, when it is a [model_providers.X]
// table as hub writes one (name, base_url, wire_api = "responses", and
// experimental_bearer_token or env_key, whose variable must be set). The
// other providers' keys, and auth.json's OPENAI_API_KEY (used by Codex's
// built-in openai provider), are credentials without a block.
func (t *Target) Import(env targets.Env, read func(string) ([]byte, error)) ([]targets.Imported, error) {
	files, err := (&Target{}).Files(env)
	if err != nil {
		return nil, err
	}
	cfgPath := files[0]
	authPath := filepath.Join(filepath.Dir(cfgPath), "auth.json")
	var errs []error
	doc, err := readback.Open(read, cfgPath, t.Open)
	if err != nil {
		errs = append(errs, err)
	}
	auth, err := readback.Open(read, authPath, func(_ string, b []byte) (targets.Doc, error) { return jsonedit.Parse(b) })
	if err != nil {
		errs = append(errs, err)
	}
	authKey, _ := readback.String(auth, "OPENAI_API_KEY")

	block := targets.Imported{Name: "default", Files: []string{cfgPath}}
	extra := targets.Imported{Name: "default", NoBlock: true}
	active, hasActive := readback.String(doc, "model_provider")
	providers := readback.Map(doc, "model_providers")
	usesAuth := false
	if doc != nil {
		if p, ok := providers[active].(map[string]any); ok && hasActive {
			usesAuth = p["requires_openai_auth"] == true && p["experimental_bearer_token"] == nil && p["env_key"] == nil
			t.importActive(env, cfgPath, doc, active, p, authKey, &block)
		} else if hasActive && active != "openai" {
			block.Warnings = append(block.Warnings, fmt.Sprintf("%s: model_provider is %q, a provider of Codex's own (no [model_providers.%s] table), which hub's codex target does not write; not imported", cfgPath, active, active))
		}
		for _, id := range slices.Sorted(maps.Keys(providers)) {
			p, ok := providers[id].(map[string]any)
			if !ok || id == active && hasActive {
				continue
			}
			c, warn := providerCred(env, cfgPath, id, p, "")
			if warn != "" {
				extra.Warnings = append(extra.Warnings, warn)
			}
			if c != nil {
				extra.Credentials = append(extra.Credentials, c)
				extra.Warnings = append(extra.Warnings, fmt.Sprintf("%s: [model_providers.%s] is not the active provider (model_provider); its key is imported as a credential, without a target", cfgPath, id))
				extra.Files = appendOnce(extra.Files, cfgPath)
			}
		}
	}
	if authKey != "" && !usesAuth {
		extra.Credentials = append(extra.Credentials, &credential.Credential{Name: "OpenAI", APIType: credential.OpenAI, BaseURL: openAIBase, Key: secret.New(authKey)})
		extra.Files = appendOnce(extra.Files, authPath)
		if !hasActive || active == "openai" {
			extra.Warnings = append(extra.Warnings, fmt.Sprintf("%s: OPENAI_API_KEY is used by Codex's built-in openai provider, which hub's codex target does not write (it writes a [model_providers] table); imported as a credential, without a target", authPath))
		}
	}
	var out []targets.Imported
	if len(block.Credentials) > 0 || len(block.Warnings) > 0 {
		if len(block.Credentials) == 0 {
			block.NoBlock = true
		}
		out = append(out, block)
	}
	if len(extra.Credentials) > 0 || len(extra.Warnings) > 0 {
		out = append(out, extra)
	}
	return out, errors.Join(errs...)
}

// importActive fills block from the active provider's table p.
func (t *Target) importActive(env targets.Env, path string, doc targets.Doc, id string, p map[string]any, authKey string, block *targets.Imported) {
	c, warn := providerCred(env, path, id, p, authKey)
	if warn != "" {
		block.Warnings = append(block.Warnings, warn)
	}
	if c == nil {
		return
	}
	block.Credentials = []*credential.Credential{c}
	inexact := func(format string, a ...any) {
		block.NoBlock = true
		block.Warnings = append(block.Warnings, fmt.Sprintf("%s: [model_providers.%s] ", path, id)+fmt.Sprintf(format, a...)+"; its key is imported as a credential, without a target (the first apply would change the file)")
	}
	raw, _ := p["base_url"].(string)
	if BaseURL(c.BaseURL) != raw {
		inexact("has base_url = %s, which hub would write as %s", readback.Show(raw), BaseURL(c.BaseURL))
	}
	if n, ok := p["name"].(string); !ok || n == "" {
		inexact("has no name, which hub writes")
	}
	if w, _ := p["wire_api"].(string); w != "responses" {
		inexact("has no wire_api = \"responses\", which hub writes")
	}
	token, hasToken := p["experimental_bearer_token"]
	envKey, hasEnvKey := p["env_key"].(string)
	switch {
	case hasToken && hasEnvKey:
		inexact("has both experimental_bearer_token and env_key; hub writes one of them")
	case !hasToken && !hasEnvKey:
		inexact("takes its key from auth.json (requires_openai_auth), not from the table, as hub writes it")
	case token == "":
		inexact("has an empty experimental_bearer_token")
	}
	if _, ok := p["auth"]; ok {
		inexact("gets its key from a command ([model_providers.%s.auth]), which hub does not write", id)
	}
	if block.NoBlock {
		return
	}
	block.Attrs = append(block.Attrs, targets.Attr{Name: "provider", Value: id})
	if m, ok := readback.String(doc, "model"); ok && m != "" {
		block.Attrs = append(block.Attrs, targets.Attr{Name: "model", Value: m})
	}
	if hasEnvKey {
		block.Attrs = append(block.Attrs, targets.Attr{Name: "key_mode", Value: "env"}, targets.Attr{Name: "key_env", Value: envKey})
	}
}

// providerCred returns the credential of the provider table p: its key
// from experimental_bearer_token, from the variable env_key names, or
// (requires_openai_auth) authKey. nil and a warning when it has none.
func providerCred(env targets.Env, path, id string, p map[string]any, authKey string) (*credential.Credential, string) {
	where := fmt.Sprintf("%s: [model_providers.%s]", path, id)
	var key string
	switch {
	case p["experimental_bearer_token"] != nil:
		key, _ = p["experimental_bearer_token"].(string)
	case p["env_key"] != nil:
		v, _ := p["env_key"].(string)
		if key = env.Get(v); key == "" {
			return nil, fmt.Sprintf("%s reads its key from $%s, which is not set here; not imported (set it and import again)", where, v)
		}
	case p["requires_openai_auth"] == true && authKey != "":
		key = authKey
	}
	if key == "" {
		return nil, ""
	}
	raw, _ := p["base_url"].(string)
	if raw == "" {
		return nil, fmt.Sprintf("%s has no base_url; not imported", where)
	}
	name, _ := p["name"].(string)
	if name == "" {
		name = id
	}
	c, err := readback.Cred(readback.OpenAIType(raw), name, raw, key)
	if err != nil {
		return nil, fmt.Sprintf("%s: base_url: %v; not imported", where, err)
	}
	return c, ""
}

func appendOnce(list []string, s string) []string {
	if slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}
