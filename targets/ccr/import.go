package ccr

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/zclconf/go-cty/cty"

	"github.com/hubctl/hub/credential"
	"github.com/hubctl/hub/secret"
	"github.com/hubctl/hub/targets"
	"github.com/hubctl/hub/targets/internal/adopt"
)

var _ targets.Importer = (*Target)(nil)

// varRef matches what keyRef writes, $VAR or ${VAR}.
var varRef = regexp.MustCompile(`^\$(?:([A-Za-z_][A-Za-z0-9_]*)|\{([A-Za-z_][A-Za-z0-9_]*)\})$`)

// Import implements targets.Importer: the Providers entries of
// ~/.claude-code-router/config.json, in order. Each becomes a credential
// named after the entry (hub finds its entry by that name) when Desired,
// given it, asks for exactly the entry's api_base_url, api_key, models and
// transformer; a transformer other than the one its API needs becomes the
// block's transformers. The Router stays the user's: it is a block, which
// an import does not write.
func (t *Target) Import(env targets.Env, read func(path string) ([]byte, error)) ([]targets.Imported, error) {
	files, err := (&Target{}).Files(env)
	if err != nil {
		return nil, err
	}
	path := files[0]
	data, err := adopt.Read(read, path)
	if err != nil || data == nil {
		return nil, err
	}
	d, err := (&Target{}).Open(path, data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	imp := targets.Imported{Name: "default", Files: []string{path}}
	warn := func(format string, a ...any) { imp.Warnings = append(imp.Warnings, fmt.Sprintf(format, a...)) }
	if _, lower := d.Get(targets.Key{"providers"}); lower {
		warn("%s: nothing imported: config.json has a lowercase providers list, and hub refuses to add Providers beside it; rename it to Providers", path)
		return []targets.Imported{imp}, nil
	}
	v, _ := d.Get(targets.Key{"Providers"})
	entries, _ := v.([]any)

	// One key_mode for the block: the one most of the entries use.
	refs, inline := 0, 0
	for _, e := range entries {
		m, _ := e.(map[string]any)
		if k, ok := adopt.String(m, "api_key"); ok && varRef.MatchString(k) {
			refs++
		} else if ok {
			inline++
		}
	}
	block := &Target{}
	if refs > inline {
		block.KeyMode = "env"
	}
	transformers := map[string]any{}
	seen := map[string]bool{}
	for i, e := range entries {
		m, _ := e.(map[string]any)
		name, _ := adopt.String(m, "name")
		label := fmt.Sprintf("%q", name)
		if name == "" {
			label = fmt.Sprintf("number %d", i+1)
		}
		c, keyVar, why := importProvider(m, name, env, block.KeyMode == "env")
		if why == "" && seen[name] {
			why = "another entry before it has the same name, and hub finds its entry by name"
		}
		if why != "" {
			warn("%s: provider %s is not imported: %s", path, label, why)
			continue
		}
		one := &Target{KeyMode: block.KeyMode}
		if keyVar != "" && keyVar != targets.KeyEnvName(name) {
			one.KeyEnv = map[string]string{name: keyVar}
		}
		tr, hasTr := m["transformer"]
		if hasTr {
			if trm, ok := tr.(map[string]any); !ok || !equalJSON(trm, map[string]any{"use": []any{requiredTransformer(c.APIType)}}) {
				one.Transformers = cty.ObjectVal(map[string]cty.Value{name: toCty(tr)})
			}
		}
		in := &targets.Input{Address: "import", Credentials: []*credential.Credential{c}}
		if errs := one.Validate(in); len(errs) > 0 {
			warn("%s: provider %s is not imported: %v", path, label, errs[0])
			continue
		}
		spec, err := one.Desired(path, in)
		if err != nil {
			warn("%s: provider %s is not imported: %v", path, label, err)
			continue
		}
		if why := adopt.Mismatch(d, spec); why != "" {
			warn("%s: provider %s is not imported: %s", path, label, why)
			continue
		}
		seen[name] = true
		if one.KeyEnv != nil {
			if block.KeyEnv == nil {
				block.KeyEnv = map[string]string{}
			}
			block.KeyEnv[name] = keyVar
		}
		if one.Transformers != cty.NilVal {
			transformers[name] = tr
		}
		imp.Credentials = append(imp.Credentials, c)
	}
	if len(imp.Credentials) == 0 {
		if len(imp.Warnings) == 0 {
			return nil, nil
		}
		return []targets.Imported{imp}, nil
	}
	if len(transformers) > 0 {
		imp.Attrs = append(imp.Attrs, targets.Attr{Name: "transformers", Value: transformers})
	}
	if block.KeyMode != "" {
		imp.Attrs = append(imp.Attrs, targets.Attr{Name: "key_mode", Value: block.KeyMode})
	}
	if len(block.KeyEnv) > 0 {
		imp.Attrs = append(imp.Attrs, targets.Attr{Name: "key_env", Value: block.KeyEnv})
	}
	return []targets.Imported{imp}, nil
}

// importProvider reads a Providers entry back into a credential, or says why
// it cannot be one; keyVar is the variable of a "$VAR" key.
func importProvider(m map[string]any, name string, env targets.Env, envMode bool) (c *credential.Credential, keyVar, why string) {
	if m == nil {
		return nil, "", "it is not an object"
	}
	if !adopt.ValidID(name) {
		return nil, "", "its name cannot be a credential id (a letter, then letters, digits, _ or -), and hub finds its entry by the credential id"
	}
	url, _ := adopt.String(m, "api_base_url")
	uses := func(n string) bool {
		tr, _ := m["transformer"].(map[string]any)
		return tr != nil && uses(tr, n)
	}
	var apiType, raw string
	switch {
	case uses("Anthropic") && strings.HasSuffix(url, "/v1/messages"):
		apiType, raw = credential.Anthropic, strings.TrimSuffix(url, "/v1/messages")
	case uses("gemini") && strings.HasSuffix(url, "/v1beta/models/"):
		apiType, raw = credential.Google, strings.TrimSuffix(url, "/v1beta/models/")
	case strings.HasSuffix(url, "/chat/completions"):
		apiType, raw = credential.OpenAICompatible, strings.TrimSuffix(url, "/chat/completions")
	default:
		return nil, "", "its api_base_url is not an endpoint hub writes ({base}/v1/chat/completions; /v1/messages with the Anthropic transformer; /v1beta/models/ with the gemini transformer)"
	}
	base, insecure, err := adopt.BaseURL(apiType, raw)
	if err != nil {
		return nil, "", err.Error()
	}
	key, ok := adopt.String(m, "api_key")
	if !ok || key == "" {
		return nil, "", "it has no api_key"
	}
	if r := varRef.FindStringSubmatch(key); r != nil {
		keyVar = r[1] + r[2]
		if !envMode {
			return nil, "", fmt.Sprintf("its key is read from $%s while most providers here hold theirs in the file, and a block has one key_mode", keyVar)
		}
		key = env.Get(keyVar)
		if key == "" {
			return nil, "", fmt.Sprintf("its key is read from $%s, which is not set here", keyVar)
		}
	} else if envMode {
		return nil, "", "its key is in the file while most providers here read theirs from a variable ($VAR), and a block has one key_mode"
	}
	models, _ := adopt.Strings(m["models"])
	return &credential.Credential{ID: name, Name: name, APIType: apiType, BaseURL: base, Insecure: insecure,
		Key: secret.New(key), Models: models}, keyVar, ""
}

// equalJSON compares JSON-like values.
func equalJSON(a, b any) bool {
	ta, tb := toCty(a), toCty(b)
	return ta.RawEquals(tb)
}

// toCty converts a JSON-like value to cty, as the block's transformers
// attribute is decoded from HCL.
func toCty(v any) cty.Value {
	switch v := v.(type) {
	case string:
		return cty.StringVal(v)
	case bool:
		return cty.BoolVal(v)
	case float64:
		return cty.NumberFloatVal(v)
	case int64:
		return cty.NumberIntVal(v)
	case []any:
		if len(v) == 0 {
			return cty.EmptyTupleVal
		}
		vs := make([]cty.Value, len(v))
		for i, x := range v {
			vs[i] = toCty(x)
		}
		return cty.TupleVal(vs)
	case map[string]any:
		if len(v) == 0 {
			return cty.EmptyObjectVal
		}
		m := map[string]cty.Value{}
		for _, k := range slices.Sorted(maps.Keys(v)) {
			m[k] = toCty(v[k])
		}
		return cty.ObjectVal(m)
	}
	return cty.NullVal(cty.DynamicPseudoType)
}
