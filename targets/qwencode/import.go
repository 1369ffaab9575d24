package qwencode

import (
	"errors"
	"fmt"
	"strings"

	"github.com/hubctl/hub/credential"
	"github.com/hubctl/hub/targets"
	"github.com/hubctl/hub/targets/internal/readback"
)

var _ targets.Importer = (*Target)(nil)

// Import implements targets.Importer. The block is the provider
// settings.json starts with: model.name and model.baseUrl select a
// modelProviders.openai entry named as hub names them ("<model>
// (<credential name>)"); its envKey names the key's variable, in .env
// (key_mode "dotenv") or else the environment (key_mode "env"). The
// credential's models are the entries of that name, base URL and variable.
// A Qwen OAuth login is no block.
func (t *Target) Import(env targets.Env, read func(string) ([]byte, error)) ([]targets.Imported, error) {
	files, err := (&Target{}).Files(env)
	if err != nil {
		return nil, err
	}
	settingsPath, envPath := files[0], files[1]
	var errs []error
	settings, err := readback.Open(read, settingsPath, t.Open)
	if err != nil {
		errs = append(errs, err)
	}
	dot, err := readback.Open(read, envPath, t.Open)
	if err != nil {
		errs = append(errs, err)
	}
	imp := targets.Imported{Name: "default", Files: []string{settingsPath, envPath}}
	warn := func(format string, a ...any) []targets.Imported {
		imp.NoBlock = true
		imp.Warnings = append(imp.Warnings, fmt.Sprintf(format, a...))
		return []targets.Imported{imp}
	}
	if settings == nil {
		return nil, errors.Join(errs...)
	}
	if _, legacy := settings.Get(targets.Key{"selectedAuthType"}); legacy {
		return warn("%s is in Qwen Code's first, flat format: run qwen once so that it migrates the file, then import again", settingsPath), errors.Join(errs...)
	}
	if sel, _ := readback.String(settings, "security", "auth", "selectedType"); sel != protocol {
		return nil, errors.Join(errs...) // a Qwen OAuth login, or nothing chosen
	}
	model, _ := readback.String(settings, "model", "name")
	base, _ := readback.String(settings, "model", "baseUrl")
	entries, _ := get(settings, "modelProviders", protocol).([]any)
	var entry map[string]any
	for _, e := range entries {
		if m, ok := e.(map[string]any); ok && m["id"] == model && m["baseUrl"] == base && model != "" {
			entry = m
			break
		}
	}
	if entry == nil {
		return warn("%s: model.name and model.baseUrl select no modelProviders.openai entry (Qwen Code then reads OPENAI_* variables, which hub does not write); not imported", settingsPath), errors.Join(errs...)
	}
	v, _ := entry["envKey"].(string)
	name, _ := entry["name"].(string)
	credName, ok := strings.CutPrefix(name, model+" (")
	credName, ok2 := strings.CutSuffix(credName, ")")
	key, inDotenv := readback.String(dot, v)
	if !inDotenv || key == "" {
		inDotenv = false
		key = env.Get(v)
	}
	if v == "" {
		return warn("%s: the modelProviders.openai entry %q has no envKey; not imported", settingsPath, model), errors.Join(errs...)
	}
	if key == "" {
		return warn("%s: the modelProviders.openai entry %q reads its key from $%s, which is set neither in %s nor here; not imported (set it and import again)", settingsPath, model, v, envPath), errors.Join(errs...)
	}
	c, err := readback.Cred(readback.OpenAIType(base), credName, base, key)
	if err != nil {
		return warn("%s: model.baseUrl: %v; not imported", settingsPath, err), errors.Join(errs...)
	}
	imp.Credentials = []*credential.Credential{c}
	switch {
	case !ok || !ok2 || credName == "":
		c.Name = ""
		warn("%s: the modelProviders.openai entry %q is named %q, not \"<model> (<credential name>)\" as hub names its entries; the key is imported as a credential, without a target (the first apply would change the file)", settingsPath, model, name)
	case BaseURL(c.BaseURL) != base:
		warn("%s", readback.Inexact("model.baseUrl", settingsPath, readback.Show(base), BaseURL(c.BaseURL)))
	}
	if imp.NoBlock {
		return []targets.Imported{imp}, errors.Join(errs...)
	}
	for _, e := range entries {
		m, _ := e.(map[string]any)
		id, _ := m["id"].(string)
		if id != "" && m["baseUrl"] == base && m["envKey"] == v && m["name"] == id+" ("+credName+")" && !contains(c.Models, id) {
			c.Models = append(c.Models, id)
		}
	}
	imp.Attrs = append(imp.Attrs, targets.Attr{Name: "model", Value: model})
	if !inDotenv {
		imp.Attrs = append(imp.Attrs, targets.Attr{Name: "key_mode", Value: "env"})
	}
	imp.Attrs = append(imp.Attrs, targets.Attr{Name: "key_env", Value: v})
	return []targets.Imported{imp}, errors.Join(errs...)
}

func get(d targets.Doc, key ...string) any {
	v, _ := d.Get(targets.Key(key))
	return v
}
