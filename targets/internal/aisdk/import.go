package aisdk

import (
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/hubctl/hub/credential"
	"github.com/hubctl/hub/secret"
	"github.com/hubctl/hub/targets"
	"github.com/hubctl/hub/targets/internal/adopt"
	"github.com/hubctl/hub/targets/internal/jsonedit"
)

// envRefPattern matches what EnvRef writes.
var envRefPattern = regexp.MustCompile(`^\{env:([A-Za-z_][A-Za-z0-9_]*)\}$`)

// APIType is the inverse of NPM.
func APIType(npm string) (string, bool) {
	for _, t := range credential.APITypes {
		if p, ok := NPM(t); ok && p == npm {
			return t, true
		}
	}
	return "", false
}

// Import reads back the block for the tool's default directory (see
// targets.Importer): the providers of the file hub would write (Choose), in
// the file's order, each imported only if Desired, given the credential read
// back, asks for exactly what the entry holds. Providers it cannot
// reproduce, and those in the tool's other files, are named in warnings.
func (tl Tool) Import(env targets.Env, read func(path string) ([]byte, error)) ([]targets.Imported, error) {
	files, err := tl.Files(env, "")
	if err != nil {
		return nil, err
	}
	data := map[string][]byte{}
	for _, f := range files {
		b, err := adopt.Read(read, f)
		if err != nil {
			return nil, err
		}
		if b != nil {
			data[f] = b
		}
	}
	if len(data) == 0 {
		return nil, nil
	}
	path := tl.Choose(files, func(p string) bool { return data[p] != nil })
	d, err := jsonedit.Parse(data[path])
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	imp := targets.Imported{Name: "default", Files: []string{path}}
	warn := func(format string, a ...any) { imp.Warnings = append(imp.Warnings, fmt.Sprintf(format, a...)) }
	ids := d.Keys(targets.Key{"provider"})

	// One key_mode for the block: the one most of the providers use.
	refs, inline := 0, 0
	for _, id := range ids {
		if k, _ := d.Get(targets.Key{"provider", id, "options", "apiKey"}); k != nil {
			if s, ok := k.(string); ok && envRefPattern.MatchString(s) {
				refs++
			} else {
				inline++
			}
		}
	}
	s := Settings{}
	if refs > inline {
		s.KeyMode = "env"
	}
	for _, id := range ids {
		c, keyVar, odd, why := tl.importProvider(d, id, env, s.KeyMode == "env")
		if why != "" {
			warn("%s: provider %q is not imported: %s", path, id, why)
			continue
		}
		one := s
		if keyVar != "" && keyVar != targets.KeyEnvName(id) {
			one.KeyEnv = map[string]string{id: keyVar}
		}
		spec, err := tl.Desired(one, &targets.Input{Address: "import", Credentials: []*credential.Credential{c}})
		if err != nil {
			warn("%s: provider %q is not imported: %v", path, id, err)
			continue
		}
		if why := adopt.Mismatch(d, spec); why != "" {
			warn("%s: provider %q is not imported: %s", path, id, why)
			continue
		}
		if one.KeyEnv != nil {
			if s.KeyEnv == nil {
				s.KeyEnv = map[string]string{}
			}
			s.KeyEnv[id] = keyVar
		}
		imp.Credentials = append(imp.Credentials, c)
		if len(odd) > 0 {
			warn("%s: provider %q: models %s are not imported with it (hub writes a model's name as its id, and these have a name of their own or none); they stay in the file as they are", path, id, strings.Join(odd, ", "))
		}
	}
	for _, f := range files {
		if f == path || data[f] == nil {
			continue
		}
		other, err := jsonedit.Parse(data[f])
		if err != nil {
			warn("%s: not read (%v); %s reads %s after it, and hub writes only that one", f, err, tl.Name, filepath.Base(path))
			continue
		}
		for _, id := range other.Keys(targets.Key{"provider"}) {
			if !slices.Contains(ids, id) {
				warn("%s: provider %q is not imported: %s reads %s after it, and hub writes only that one", f, id, tl.Name, filepath.Base(path))
			}
		}
	}
	if len(imp.Credentials) == 0 {
		if len(imp.Warnings) == 0 {
			return nil, nil
		}
		return []targets.Imported{imp}, nil
	}
	in := &targets.Input{Address: "import", Credentials: imp.Credentials}
	for _, attr := range []struct {
		name string
		set  *string
		ok   bool
	}{{"model", &s.Model, true}, {"small_model", &s.SmallModel, tl.SmallModel}} {
		v, _ := d.Get(targets.Key{attr.name})
		m, _ := v.(string)
		if !attr.ok || m == "" {
			continue
		}
		if p, _, ok := splitModel(m); ok && tl.find(in, p) != nil {
			*attr.set = m
		}
	}
	if errs := tl.Validate(s, in); len(errs) > 0 {
		return nil, fmt.Errorf("%s: the block read back is not valid: %w", path, errs[0])
	}
	if s.Model != "" {
		imp.Attrs = append(imp.Attrs, targets.Attr{Name: "model", Value: s.Model})
	}
	if s.SmallModel != "" {
		imp.Attrs = append(imp.Attrs, targets.Attr{Name: "small_model", Value: s.SmallModel})
	}
	if s.KeyMode != "" {
		imp.Attrs = append(imp.Attrs, targets.Attr{Name: "key_mode", Value: s.KeyMode})
	}
	if len(s.KeyEnv) > 0 {
		imp.Attrs = append(imp.Attrs, targets.Attr{Name: "key_env", Value: s.KeyEnv})
	}
	return []targets.Imported{imp}, nil
}

// importProvider reads provider.<id> back into a credential, or says why it
// cannot be one. keyVar is the variable its key is read from in env mode.
func (tl Tool) importProvider(d *jsonedit.Doc, id string, env targets.Env, envMode bool) (c *credential.Credential, keyVar string, odd []string, why string) {
	v, _ := d.Get(targets.Key{"provider", id})
	p, ok := v.(map[string]any)
	if !ok {
		return nil, "", nil, "it is not an object"
	}
	if !adopt.ValidID(id) {
		return nil, "", nil, "its name cannot be a credential id (a letter, then letters, digits, _ or -), and hub names the provider after the credential"
	}
	npm, _ := adopt.String(p, "npm")
	apiType, ok := APIType(npm)
	if !ok {
		if npm == "" {
			return nil, "", nil, "it has no npm package (an override of a built-in provider, which hub does not write)"
		}
		return nil, "", nil, fmt.Sprintf("its npm package %q is not one hub writes (@ai-sdk/openai-compatible, @ai-sdk/openai, @ai-sdk/anthropic, @ai-sdk/google)", npm)
	}
	name, _ := adopt.String(p, "name")
	if name == "" {
		return nil, "", nil, "it has no name, and hub writes the credential's name there"
	}
	opts, _ := p["options"].(map[string]any)
	raw, _ := adopt.String(opts, "baseURL")
	if raw == "" {
		return nil, "", nil, "it has no options.baseURL"
	}
	base, insecure, err := adopt.BaseURL(apiType, raw)
	if err != nil {
		return nil, "", nil, err.Error()
	}
	key, ok := adopt.String(opts, "apiKey")
	if !ok || key == "" {
		return nil, "", nil, "it has no options.apiKey"
	}
	if m := envRefPattern.FindStringSubmatch(key); m != nil {
		if !envMode {
			return nil, "", nil, fmt.Sprintf("its key is read from $%s while most providers here hold theirs in the file, and a block has one key_mode", m[1])
		}
		keyVar = m[1]
		key = env.Get(keyVar)
		if key == "" {
			return nil, "", nil, fmt.Sprintf("its key is read from $%s, which is not set here", keyVar)
		}
	} else if envMode {
		return nil, "", nil, "its key is in the file while most providers here read theirs from a variable ({env:VAR}), and a block has one key_mode"
	} else if strings.Contains(key, "{env:") || strings.Contains(key, "{file:") {
		return nil, "", nil, "its key is a reference hub does not write"
	}
	var models []string
	for _, m := range d.Keys(targets.Key{"provider", id, "models"}) {
		mv, _ := d.Get(targets.Key{"provider", id, "models", m})
		mm, _ := mv.(map[string]any)
		if n, _ := adopt.String(mm, "name"); n == m {
			models = append(models, m)
		} else {
			odd = append(odd, m)
		}
	}
	return &credential.Credential{ID: id, Name: name, APIType: apiType, BaseURL: base, Insecure: insecure,
		Key: secret.New(key), Models: models}, keyVar, odd, ""
}
