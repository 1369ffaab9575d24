package aider

import (
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/hubctl/hub/credential"
	"github.com/hubctl/hub/targets"
	"github.com/hubctl/hub/targets/internal/readback"
)

var _ targets.Importer = (*Target)(nil)

// Import implements targets.Importer: the key the main model uses
// (openai-api-key with openai-api-base, anthropic-api-key with set-env's
// ANTHROPIC_API_BASE, or api-key's gemini= entry) and the models, without
// their litellm prefix. Keys for other providers in the file are
// credentials without a block.
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
	str := func(k string) string { s, _ := readback.String(doc, k); return s }
	model := str("model")
	keys := map[string]string{
		credential.OpenAICompatible: str("openai-api-key"),
		credential.Anthropic:        str("anthropic-api-key"),
		credential.Google:           geminiKey(doc),
	}
	// The main model's provider decides which key the block is for.
	order := []string{credential.OpenAICompatible, credential.Anthropic, credential.Google}
	switch {
	case strings.HasPrefix(model, "anthropic/") || strings.HasPrefix(model, "claude-"):
		order = []string{credential.Anthropic, credential.OpenAICompatible, credential.Google}
	case strings.HasPrefix(model, "gemini/"):
		order = []string{credential.Google, credential.OpenAICompatible, credential.Anthropic}
	}
	order = slices.DeleteFunc(order, func(k string) bool { return keys[k] == "" })
	if len(order) == 0 {
		return nil, nil
	}
	imp := targets.Imported{Name: "default", Files: []string{path}}
	extra := targets.Imported{Name: "default", Files: []string{path}, NoBlock: true}
	for i, kind := range order {
		c, exact := credOf(doc, path, kind, keys[kind])
		if c == nil {
			extra.Warnings = append(extra.Warnings, exact)
			continue
		}
		if i > 0 {
			extra.Credentials = append(extra.Credentials, c)
			extra.Warnings = append(extra.Warnings, fmt.Sprintf("%s: the %s key is not the one aider's model uses; imported as a credential, without a target", path, kind))
			continue
		}
		imp.Credentials = []*credential.Credential{c}
		if exact != "" {
			imp.NoBlock = true
			imp.Warnings = append(imp.Warnings, exact)
			continue
		}
		for _, m := range []struct{ key, attr string }{{"model", "model"}, {"weak-model", "weak_model"}, {"editor-model", "editor_model"}} {
			v := str(m.key)
			if v == "" {
				continue
			}
			id, ok := modelID(c.APIType, v)
			if !ok {
				imp.Warnings = append(imp.Warnings, fmt.Sprintf("%s: %s is %q, which hub would write as %q; left out (it stays as it is)", path, m.key, v, ModelName(c.APIType, v)))
				continue
			}
			imp.Attrs = append(imp.Attrs, targets.Attr{Name: m.attr, Value: id})
		}
	}
	var out []targets.Imported
	if len(imp.Credentials) > 0 {
		out = append(out, imp)
	}
	if len(extra.Credentials) > 0 || len(extra.Warnings) > 0 {
		out = append(out, extra)
	}
	return out, nil
}

// geminiKey returns the key of api-key's gemini= entry.
func geminiKey(doc targets.Doc) string {
	v, _ := doc.Get(targets.Key{"api-key"})
	list, ok := v.([]any)
	if !ok {
		list = []any{v}
	}
	for _, e := range list {
		if s, ok := e.(string); ok && strings.HasPrefix(s, geminiKeyEntry) {
			return strings.TrimPrefix(s, geminiKeyEntry)
		}
	}
	return ""
}

// credOf returns the credential of a kind of key in the file, and why a
// block would not reproduce the file ("" if it would).
func credOf(doc targets.Doc, path, kind, key string) (*credential.Credential, string) {
	var raw string
	var why string
	switch kind {
	case credential.Anthropic:
		raw = anthropicBase
		v, _ := doc.Get(targets.Key{"set-env"})
		list, _ := v.([]any)
		for _, e := range list {
			if s, ok := e.(string); ok && strings.HasPrefix(s, anthropicBaseVar) {
				raw = strings.TrimPrefix(s, anthropicBaseVar)
				if len(list) > 1 && strings.TrimRight(raw, "/") != anthropicBase {
					why = fmt.Sprintf("%s: set-env holds other entries beside ANTHROPIC_API_BASE, and hub owns the whole list; the key is imported as a credential, without a target", path)
				}
			}
		}
	case credential.Google:
		raw = "https://" + googleHost
		if v, _ := doc.Get(targets.Key{"api-key"}); !reflect.DeepEqual(asList(v), []any{geminiKeyEntry + key}) {
			why = fmt.Sprintf("%s: api-key holds other entries beside gemini=, and hub owns the whole list; the key is imported as a credential, without a target", path)
		}
	default:
		r, ok := readback.String(doc, "openai-api-base")
		raw = r
		if !ok {
			raw = "https://api.openai.com"
			why = fmt.Sprintf("%s has no openai-api-base, which hub writes; the key is imported as a credential of %s, without a target", path, raw)
		}
		kind = readback.OpenAIType(raw)
	}
	c, err := readback.Cred(kind, "", raw, key)
	if err != nil {
		return nil, fmt.Sprintf("%s: the %s base URL: %v; not imported", path, kind, err)
	}
	if why != "" {
		return c, why
	}
	switch {
	case kind == credential.Anthropic && c.BaseURL != anthropicBase && c.BaseURL != raw:
		return c, readback.Inexact("ANTHROPIC_API_BASE in set-env", path, readback.Show(raw), c.BaseURL)
	case kind != credential.Anthropic && kind != credential.Google && OpenAIBase(c.BaseURL) != raw:
		return c, readback.Inexact("openai-api-base", path, readback.Show(raw), OpenAIBase(c.BaseURL))
	}
	return c, ""
}

func asList(v any) []any {
	if l, ok := v.([]any); ok {
		return l
	}
	return []any{v}
}

// modelID is the model id hub writes as name for a credential of apiType.
func modelID(apiType, name string) (string, bool) {
	for _, p := range []string{"openai/", "anthropic/", "gemini/"} {
		if id, ok := strings.CutPrefix(name, p); ok && ModelName(apiType, id) == name {
			return id, true
		}
	}
	return "", false
}
