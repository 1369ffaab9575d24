package cliproxyapi

import (
	"fmt"

	"github.com/hubctl/hub/credential"
	"github.com/hubctl/hub/secret"
	"github.com/hubctl/hub/targets"
	"github.com/hubctl/hub/targets/internal/adopt"
	"github.com/hubctl/hub/targets/internal/yamledit"
)

var _ targets.Importer = (*Target)(nil)

// Places is where Import looks for config.yaml when the block names no
// file. CLIProxyAPI has no default (it reads config.yaml in the directory it
// starts in, or --config), so these are conventions, relative to HOME:
// ~/.cli-proxy-api (its default auth-dir, where installers such as
// codex-claudecode-proxy put config.yaml too), ~/cliproxyapi (the Linux
// installer's directory) and ~/CLIProxyAPI (a clone of its repository).
var Places = []string{".cli-proxy-api/config.yaml", "cliproxyapi/config.yaml", "CLIProxyAPI/config.yaml"}

// Import implements targets.Importer for config.yaml (file mode only; a
// management API is not read): the block's config_file or config_dir if the
// receiver has them, else each of Places that exists, one block each (the
// first named "default", which then holds config_file). List by list
// (openai-compatibility, claude-api-key, codex-api-key, gemini-api-key), each
// openai-compatibility entry, and each claude-api-key, codex-api-key and
// gemini-api-key entry marked "# hub:<id>", becomes a credential when
// Desired, given it, asks for exactly what the entry holds. Unmarked
// entries of those lists, and the lists hub does not write, are named in
// warnings.
func (t *Target) Import(env targets.Env, read func(path string) ([]byte, error)) ([]targets.Imported, error) {
	return adopt.ConfigFiles(env, t.ConfigFile, t.ConfigDir, "config.yaml", Places, read, importFile)
}

// unmanaged are the provider lists of config.yaml hub has no API type for.
var unmanaged = []string{"vertex-api-key", "xai-api-key", "interactions-api-key"}

func importFile(path string, data []byte, name string) (*targets.Imported, error) {
	d, err := yamledit.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	imp := &targets.Imported{Name: name, Files: []string{path}}
	warn := func(format string, a ...any) { imp.Warnings = append(imp.Warnings, fmt.Sprintf(format, a...)) }
	seen := map[string]bool{}
	try := func(what string, c *credential.Credential) {
		if seen[c.ID] {
			warn("%s: %s is not imported: an entry before it has the name %q too, and a block lists a credential once", path, what, c.ID)
			return
		}
		in := &targets.Input{Address: "import", Credentials: []*credential.Credential{c}}
		if errs := (&Target{ConfigFile: path}).Validate(in); len(errs) > 0 {
			warn("%s: %s is not imported: %v", path, what, errs[0])
			return
		}
		spec, err := (&Target{}).Desired(path, in)
		if err != nil {
			warn("%s: %s is not imported: %v", path, what, err)
			return
		}
		if why := adopt.Mismatch(d, spec); why != "" {
			warn("%s: %s is not imported: %s", path, what, why)
			return
		}
		seen[c.ID] = true
		imp.Credentials = append(imp.Credentials, c)
	}
	for _, apiType := range []string{credential.OpenAICompatible, credential.Anthropic, credential.OpenAI, credential.Google} {
		list := lists[apiType]
		v, _ := d.Get(targets.Key{list})
		entries, _ := v.([]any)
		markers := d.Markers(targets.Key{list})
		for i, e := range entries {
			m, _ := e.(map[string]any)
			if apiType == credential.OpenAICompatible {
				id, _ := adopt.String(m, "name")
				what := fmt.Sprintf("openai-compatibility entry %q", id)
				c, why := compatEntry(m, id)
				if why != "" {
					warn("%s: %s is not imported: %s", path, what, why)
					continue
				}
				try(what, c)
				continue
			}
			id := ""
			if i < len(markers) {
				id = markers[i]
			}
			if id == "" {
				warn("%s: %s entry %d is not imported: hub knows its entries of this list by a \"# hub:<credential id>\" comment line above them; add one to import it", path, list, i+1)
				continue
			}
			what := fmt.Sprintf("%s entry %q", list, id)
			c, note, why := keyEntry(m, id, apiType)
			if why != "" {
				warn("%s: %s is not imported: %s", path, what, why)
				continue
			}
			try(what, c)
			if note != "" && seen[id] && imp.Credentials[len(imp.Credentials)-1] == c {
				warn("%s: %s: %s", path, what, note)
			}
		}
	}
	for _, list := range unmanaged {
		if v, _ := d.Get(targets.Key{list}); v != nil {
			if entries, _ := v.([]any); len(entries) > 0 {
				warn("%s: %s (%d entries) is not imported: hub has no API type for it", path, list, len(entries))
			}
		}
	}
	if len(imp.Credentials) == 0 && len(imp.Warnings) == 0 {
		return nil, nil
	}
	return imp, nil
}

// compatEntry reads an openai-compatibility entry back into a credential.
func compatEntry(m map[string]any, id string) (*credential.Credential, string) {
	if m == nil {
		return nil, "it is not a mapping"
	}
	if !adopt.ValidID(id) {
		return nil, "its name cannot be a credential id (a letter, then letters, digits, _ or -), and hub finds its entry by the credential id"
	}
	raw, _ := adopt.String(m, "base-url")
	if raw == "" {
		return nil, "it has no base-url"
	}
	base, insecure, err := adopt.BaseURL(credential.OpenAICompatible, raw)
	if err != nil {
		return nil, err.Error()
	}
	keys, _ := m["api-key-entries"].([]any)
	if len(keys) != 1 {
		return nil, fmt.Sprintf("it has %d api-key-entries, and a credential has one key", len(keys))
	}
	k, _ := keys[0].(map[string]any)
	key, _ := adopt.String(k, "api-key")
	if key == "" {
		return nil, "its api-key-entries hold no api-key"
	}
	models, why := entryModels(m)
	if why != "" {
		return nil, why
	}
	return &credential.Credential{ID: id, Name: id, APIType: credential.OpenAICompatible, BaseURL: base, Insecure: insecure,
		Key: secret.New(key), Models: models}, ""
}

// keyEntry reads a marked claude-api-key, codex-api-key or gemini-api-key
// entry back into a credential. Models whose alias is not their name stay
// the user's: the credential then lists none, and hub does not own them.
func keyEntry(m map[string]any, id, apiType string) (c *credential.Credential, note, why string) {
	if m == nil {
		return nil, "", "it is not a mapping"
	}
	if !adopt.ValidID(id) {
		return nil, "", "its marker cannot be a credential id (a letter, then letters, digits, _ or -)"
	}
	key, _ := adopt.String(m, "api-key")
	if key == "" {
		return nil, "", "it has no api-key"
	}
	raw, _ := adopt.String(m, "base-url")
	if raw == "" {
		return nil, "", "it has no base-url (CLIProxyAPI then uses the official API), and hub writes a credential's base URL there"
	}
	base, insecure, err := adopt.BaseURL(apiType, raw)
	if err != nil {
		return nil, "", err.Error()
	}
	models, bad := entryModels(m)
	if bad != "" {
		models, note = nil, "its models are not imported with it ("+bad+"); they stay in the file as they are"
	}
	return &credential.Credential{ID: id, Name: id, APIType: apiType, BaseURL: base, Insecure: insecure,
		Key: secret.New(key), Models: models}, note, ""
}

// entryModels returns the names of an entry's models if hub writes them as
// they are ({name: M, alias: M}), or why not.
func entryModels(m map[string]any) ([]string, string) {
	list, _ := m["models"].([]any)
	var out []string
	for _, x := range list {
		mm, _ := x.(map[string]any)
		n, _ := adopt.String(mm, "name")
		a, _ := adopt.String(mm, "alias")
		if n == "" || a != n || len(mm) != 2 {
			return nil, "hub writes each model as {name: M, alias: M}, and " + fmt.Sprintf("%q", n) + " is not written so"
		}
		out = append(out, n)
	}
	return out, ""
}
