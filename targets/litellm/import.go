package litellm

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/hubctl/hub/credential"
	"github.com/hubctl/hub/secret"
	"github.com/hubctl/hub/targets"
	"github.com/hubctl/hub/targets/internal/adopt"
	"github.com/hubctl/hub/targets/internal/yamledit"
)

var _ targets.Importer = (*Target)(nil)

// Places is where Import looks for config.yaml when the block names no
// file. LiteLLM has no default (litellm --config FILE), so these are
// conventions, relative to HOME.
var Places = []string{"litellm/config.yaml", ".litellm/config.yaml", ".config/litellm/config.yaml"}

// Import implements targets.Importer: the model_list entries of the
// proxy's config.yaml (the receiver's config_file or config_dir, else each
// of Places that exists, one block each, the first named "default"). The
// entries with the same route kind, api_base and api_key become one
// credential whose models are their models, in the file's order; the
// block gets prefix_models or model_names where the entries' model_name is
// not the model id, and key_mode = "env" for os.environ/ keys. An entry is
// imported only if Desired, given what was read back, asks for exactly
// what it holds.
func (t *Target) Import(env targets.Env, read func(path string) ([]byte, error)) ([]targets.Imported, error) {
	return adopt.ConfigFiles(env, t.ConfigFile, t.ConfigDir, "config.yaml", Places, read, func(path string, data []byte, name string) (*targets.Imported, error) {
		return importFile(path, data, name, env)
	})
}

// An entry is one model_list entry read back.
type entry struct {
	name, model string // model_name, model id
	keyVar      string // os.environ/ variable, or ""
}

// A group is the entries that make one credential.
type group struct {
	c       *credential.Credential
	rawKey  string // api_key as written, to group by
	entries []entry
}

func importFile(path string, data []byte, name string, env targets.Env) (*targets.Imported, error) {
	d, err := yamledit.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	imp := &targets.Imported{Name: name, Files: []string{path}}
	warn := func(format string, a ...any) { imp.Warnings = append(imp.Warnings, fmt.Sprintf(format, a...)) }
	v, _ := d.Get(targets.Key{"model_list"})
	list, _ := v.([]any)

	// One key_mode for the block: the one most of the entries use.
	refs, inline := 0, 0
	for _, e := range list {
		m, _ := e.(map[string]any)
		p, _ := m["litellm_params"].(map[string]any)
		route, _ := adopt.String(p, "model")
		if kind, _, _ := strings.Cut(route, "/"); kind != "openai" && kind != "anthropic" && kind != "gemini" {
			continue // not imported anyway
		}
		if k, ok := adopt.String(p, "api_key"); ok && strings.HasPrefix(k, "os.environ/") {
			refs++
		} else if ok {
			inline++
		}
	}
	envMode := refs > inline

	var groups []*group
	seenName := map[string]bool{}
	for i, e := range list {
		m, _ := e.(map[string]any)
		mn, _ := adopt.String(m, "model_name")
		what := fmt.Sprintf("model_list entry %q", mn)
		if mn == "" {
			what = fmt.Sprintf("model_list entry %d", i+1)
		}
		if seenName[mn] {
			warn("%s: %s (number %d) is not imported: an entry before it has the same model_name, and hub finds its entry by model_name", path, what, i+1)
			continue
		}
		seenName[mn] = true
		c, ent, raw, why := readEntry(m, mn, env, envMode)
		if why != "" {
			warn("%s: %s is not imported: %s", path, what, why)
			continue
		}
		var g *group
		for _, x := range groups {
			if x.c.APIType == c.APIType && x.c.BaseURL == c.BaseURL && x.rawKey == raw {
				g = x
			}
		}
		if g == nil {
			g = &group{c: c, rawKey: raw}
			groups = append(groups, g)
		}
		dup := false
		for _, x := range g.entries {
			dup = dup || x.model == ent.model
		}
		if dup {
			warn("%s: %s is not imported: another entry of the same credential serves model %q, and a credential lists a model once", path, what, ent.model)
			continue
		}
		g.entries = append(g.entries, ent)
		g.c.Models = append(g.c.Models, ent.model)
	}
	if len(groups) == 0 {
		if len(imp.Warnings) == 0 {
			return nil, nil
		}
		return imp, nil
	}

	// Ids: only where the file needs one (a model_name that is not the
	// model id, a variable that is not <ID>_API_KEY); else hub import names
	// the credential.
	used := map[string]bool{}
	prefixed := true
	for _, g := range groups {
		id, plain := "", true
		for _, e := range g.entries {
			if p, ok := strings.CutSuffix(e.name, "/"+e.model); ok && adopt.ValidID(p) && (id == "" || id == p) {
				id = p
			} else {
				prefixed = false
			}
			plain = plain && e.name == e.model
		}
		if g.entries[0].keyVar != "" {
			if s, ok := strings.CutSuffix(g.entries[0].keyVar, "_API_KEY"); ok && adopt.ValidID(strings.ToLower(s)) && id == "" {
				id = strings.ToLower(s)
			}
		}
		if id == "" && (!plain || g.entries[0].keyVar != "") {
			id = hostID(g.c.BaseURL)
		}
		if id != "" {
			base, n := id, 2
			for used[id] {
				id = fmt.Sprintf("%s-%d", base, n)
				n++
			}
			used[id] = true
		}
		g.c.ID, g.c.Name = id, ""
	}
	block := func(gs []*group) *Target {
		t := &Target{ConfigFile: path}
		if envMode {
			t.KeyMode = "env"
		}
		for _, g := range gs {
			if v := g.entries[0].keyVar; v != "" && v != targets.KeyEnvName(g.c.ID) {
				if t.KeyEnv == nil {
					t.KeyEnv = map[string]string{}
				}
				t.KeyEnv[g.c.ID] = v
			}
			for _, e := range g.entries {
				if prefixed {
					t.PrefixModels = true
				} else if e.name != e.model {
					if t.ModelNames == nil {
						t.ModelNames = map[string]string{}
					}
					t.ModelNames[g.c.ID+"/"+e.model] = e.name
				}
			}
		}
		return t
	}
	check := func(gs []*group) string {
		t := block(gs)
		in := &targets.Input{Address: "import"}
		for i, g := range gs {
			c := *g.c
			if c.ID == "" { // named by hub import; unique here
				c.ID = fmt.Sprintf("unnamed-%d", i+1)
			}
			in.Credentials = append(in.Credentials, &c)
		}
		if errs := t.Validate(in); len(errs) > 0 {
			return errs[0].Error()
		}
		spec, err := t.Desired(path, in)
		if err != nil {
			return err.Error()
		}
		return adopt.Mismatch(d, spec)
	}
	var kept []*group
	for _, g := range groups {
		if why := check([]*group{g}); why != "" {
			names := make([]string, len(g.entries))
			for i, e := range g.entries {
				names[i] = fmt.Sprintf("%q", e.name)
			}
			warn("%s: model_list entries %s are not imported: %s", path, strings.Join(names, ", "), why)
			continue
		}
		kept = append(kept, g)
	}
	if len(kept) == 0 {
		return imp, nil
	}
	if why := check(kept); why != "" {
		warn("%s: nothing imported: %s", path, why)
		return imp, nil
	}
	for _, g := range kept {
		imp.Credentials = append(imp.Credentials, g.c)
	}
	t := block(kept)
	if t.KeyMode != "" {
		imp.Attrs = append(imp.Attrs, targets.Attr{Name: "key_mode", Value: t.KeyMode})
	}
	if len(t.KeyEnv) > 0 {
		imp.Attrs = append(imp.Attrs, targets.Attr{Name: "key_env", Value: t.KeyEnv})
	}
	if t.PrefixModels {
		imp.Attrs = append(imp.Attrs, targets.Attr{Name: "prefix_models", Value: true})
	}
	if len(t.ModelNames) > 0 {
		imp.Attrs = append(imp.Attrs, targets.Attr{Name: "model_names", Value: t.ModelNames})
	}
	return imp, nil
}

// readEntry reads one model_list entry: its credential (without models),
// the entry, and the api_key as written.
func readEntry(m map[string]any, name string, env targets.Env, envMode bool) (c *credential.Credential, e entry, raw, why string) {
	p, _ := m["litellm_params"].(map[string]any)
	route, _ := adopt.String(p, "model")
	kind, model, _ := strings.Cut(route, "/")
	var apiType string
	switch kind {
	case "openai":
		apiType = credential.OpenAICompatible
	case "anthropic":
		apiType = credential.Anthropic
	case "gemini":
		apiType = credential.Google
	default:
		return nil, e, "", fmt.Sprintf("its litellm_params.model %q is not a route hub writes (openai/, anthropic/ or gemini/)", route)
	}
	if model == "" {
		return nil, e, "", "its litellm_params.model names no model"
	}
	rawBase, _ := adopt.String(p, "api_base")
	if rawBase == "" {
		if apiType != credential.Google {
			return nil, e, "", "it has no api_base, and hub writes the credential's base URL there"
		}
		rawBase = "https://" + googleHost
	}
	base, insecure, err := adopt.BaseURL(apiType, rawBase)
	if err != nil {
		return nil, e, "", err.Error()
	}
	raw, _ = adopt.String(p, "api_key")
	if raw == "" {
		return nil, e, "", "it has no api_key"
	}
	key := raw
	if v, ok := strings.CutPrefix(raw, "os.environ/"); ok {
		if !envMode {
			return nil, e, "", fmt.Sprintf("its key is read from $%s while most entries here hold theirs in the file, and a block has one key_mode", v)
		}
		if !targets.ValidEnvName(v) {
			return nil, e, "", "its api_key names a variable hub cannot write"
		}
		e.keyVar, key = v, env.Get(v)
		if key == "" {
			return nil, e, "", fmt.Sprintf("its key is read from $%s, which is not set here", v)
		}
	} else if envMode {
		return nil, e, "", "its key is in the file while most entries here read theirs from os.environ/, and a block has one key_mode"
	}
	e.name, e.model = name, model
	return &credential.Credential{APIType: apiType, BaseURL: base, Insecure: insecure, Key: secret.New(key)}, e, raw, ""
}

// hostID is an id made from a base URL's host, for a credential the file
// names: relay.example.com gives relay.
func hostID(base string) string {
	u, err := url.Parse(base)
	if err == nil {
		for _, label := range strings.Split(u.Hostname(), ".") {
			if label != "api" && label != "www" && adopt.ValidID(label) {
				return label
			}
		}
	}
	return "imported"
}
