package claudecode

import (
	"fmt"

	"github.com/hubctl/hub/credential"
	"github.com/hubctl/hub/targets"
	"github.com/hubctl/hub/targets/internal/readback"
)

var _ targets.Importer = (*Target)(nil)

// Import implements targets.Importer: settings.json's env holds the base URL
// and the key (ANTHROPIC_AUTH_TOKEN, or ANTHROPIC_API_KEY: key_env), the
// models, and CLAUDE_CODE_DISABLE_LEGACY_MODEL_REMAP = "1" (keep_legacy_models).
// A login (OAuth, no key in env) is no block.
func (t *Target) Import(env targets.Env, read func(string) ([]byte, error)) ([]targets.Imported, error) {
	files, err := (&Target{}).Files(env)
	if err != nil {
		return nil, err
	}
	path := files[0]
	doc, err := readback.Open(read, path, t.Open)
	if err != nil || doc == nil {
		return nil, err
	}
	get := func(name string) (string, bool) { return readback.String(doc, "env", name) }
	token, hasToken := get(authToken)
	key, hasKey := get(apiKey)
	imp := targets.Imported{Name: "default", Files: []string{path}}
	keyEnv := authToken
	switch {
	case token != "":
		key = token
	case key != "":
		keyEnv = apiKey
	default:
		return nil, nil // a login, or no key at all
	}
	if hasToken && hasKey {
		imp.NoBlock = true
		imp.Warnings = append(imp.Warnings, fmt.Sprintf("%s holds both env.%s and env.%s; hub manages one of them: remove the other, then import again", path, authToken, apiKey))
	}
	raw, hasBase := get("ANTHROPIC_BASE_URL")
	if !hasBase {
		raw = "https://api.anthropic.com"
		imp.NoBlock = true
		imp.Warnings = append(imp.Warnings, fmt.Sprintf("%s has no env.ANTHROPIC_BASE_URL, which hub always writes; the key is imported as a credential of https://api.anthropic.com, without a target", path))
	}
	c, err := readback.Cred(credential.Anthropic, "", raw, key)
	if err != nil {
		return []targets.Imported{{Name: "default", Files: []string{path}, NoBlock: true,
			Warnings: []string{fmt.Sprintf("%s: env.ANTHROPIC_BASE_URL: %v; not imported", path, err)}}}, nil
	}
	if hasBase && c.BaseURL != raw {
		imp.NoBlock = true
		imp.Warnings = append(imp.Warnings, readback.Inexact("env.ANTHROPIC_BASE_URL", path, readback.Show(raw), c.BaseURL))
	}
	imp.Credentials = []*credential.Credential{c}
	if keyEnv != authToken {
		imp.Attrs = append(imp.Attrs, targets.Attr{Name: "key_env", Value: keyEnv})
	}
	for _, m := range []struct{ env, attr string }{
		{"ANTHROPIC_MODEL", "model"},
		{"ANTHROPIC_DEFAULT_SONNET_MODEL", "sonnet_model"},
		{"ANTHROPIC_DEFAULT_OPUS_MODEL", "opus_model"},
		{"ANTHROPIC_DEFAULT_HAIKU_MODEL", "haiku_model"},
	} {
		if v, ok := get(m.env); ok && v != "" {
			imp.Attrs = append(imp.Attrs, targets.Attr{Name: m.attr, Value: v})
		}
	}
	// Only hub's own value: any other is the user's, which hub leaves alone.
	if v, _ := get(DisableRemapEnv); v == "1" {
		imp.Attrs = append(imp.Attrs, targets.Attr{Name: "keep_legacy_models", Value: true})
	}
	if imp.NoBlock {
		imp.Attrs = nil
	}
	return []targets.Imported{imp}, nil
}
