package continuedev

import (
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"

	"github.com/hubctl/hub/credential"
	"github.com/hubctl/hub/targets"
	"github.com/hubctl/hub/targets/internal/readback"
)

var _ targets.Importer = (*Target)(nil)

// secretPattern matches an apiKey that refers to a Continue secret.
var secretPattern = regexp.MustCompile(`^\$\{\{\s*secrets\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}$`)

// defaultBase is the apiBase Continue uses without one, per provider.
var defaultBase = map[string]string{
	"openai":    "https://api.openai.com/v1/",
	"anthropic": "https://api.anthropic.com/v1/",
	"gemini":    "https://" + googleHost + "/v1beta/",
}

// found is one credential read from config.yaml's models.
type found struct {
	c      *credential.Credential
	secret string // the .env secret apiKey refers to; "" for an inline key
	roles  any
}

// Import implements targets.Importer. config.yaml's models entries that
// hub would write as they are ("<name> / <model>", provider openai,
// anthropic or gemini, apiBase as hub writes it, the key inline or as
// ${{ secrets.NAME }} from .env) become the block's credentials, one per
// name, base URL and key, their models the entries' models. The keys of
// other entries are credentials without a block.
func (t *Target) Import(env targets.Env, read func(string) ([]byte, error)) ([]targets.Imported, error) {
	files, err := (&Target{}).Files(env)
	if err != nil {
		return nil, err
	}
	cfgPath := files[0]
	dir := filepath.Dir(cfgPath)
	envPath := filepath.Join(dir, envFile)
	doc, err := readback.Open(read, cfgPath, t.Open)
	if err != nil {
		return nil, err
	}
	if doc == nil {
		if _, ok, _ := readback.Read(read, filepath.Join(dir, legacyFile)); ok {
			return []targets.Imported{{Name: "default", NoBlock: true, Files: []string{filepath.Join(dir, legacyFile)},
				Warnings: []string{fmt.Sprintf("%s is Continue's legacy format, which hub does not read; convert it to config.yaml (https://docs.continue.dev/reference/yaml-migration) and import again", filepath.Join(dir, legacyFile))}}}, nil
		}
		return nil, nil
	}
	var errs []error
	dot, err := readback.Open(read, envPath, t.Open)
	if err != nil {
		errs = append(errs, err)
	}
	block := targets.Imported{Name: "default", Files: []string{cfgPath}}
	extra := targets.Imported{Name: "default", Files: []string{cfgPath}, NoBlock: true}
	var creds []found
	first := true
	var mode string // "inline" or "env", from the first entry taken
	var roles any
	v, _ := doc.Get(targets.Key{"models"})
	list, _ := v.([]any)
	names := map[string]bool{}
	for _, e := range list {
		m, ok := e.(map[string]any)
		if !ok {
			continue
		}
		name, _ := m["name"].(string)
		model, _ := m["model"].(string)
		provider, _ := m["provider"].(string)
		apiKey, _ := m["apiKey"].(string)
		where := fmt.Sprintf("%s: the model %q", cfgPath, name)
		if apiKey == "" {
			continue // a local model, or one without a key
		}
		key, secretName := apiKey, ""
		s := secretPattern.FindStringSubmatch(apiKey)
		if s == nil && strings.Contains(apiKey, "${{") {
			extra.Warnings = append(extra.Warnings, fmt.Sprintf("%s takes its key from %s, which hub does not read; not imported", where, apiKey))
			continue
		}
		if s != nil {
			secretName = s[1]
			if key, _ = readback.String(dot, secretName); key == "" {
				extra.Warnings = append(extra.Warnings, fmt.Sprintf("%s refers to the secret %s, which %s does not hold; not imported", where, secretName, envPath))
				continue
			}
		}
		var apiType string
		base, hasBase := m["apiBase"].(string)
		switch provider {
		case "openai":
			if !hasBase {
				base = defaultBase[provider]
			}
			apiType = readback.OpenAIType(base)
		case "anthropic":
			apiType = credential.Anthropic
		case "gemini":
			apiType = credential.Google
		default:
			extra.Warnings = append(extra.Warnings, fmt.Sprintf("%s has provider %q; hub reads openai, anthropic and gemini entries; not imported", where, provider))
			continue
		}
		if !hasBase {
			base = defaultBase[provider]
		}
		credName, _ := strings.CutSuffix(name, " / "+model)
		c, err := readback.Cred(apiType, credName, base, key)
		if err != nil {
			extra.Warnings = append(extra.Warnings, fmt.Sprintf("%s: apiBase: %v; not imported", where, err))
			continue
		}
		entryMode := "inline"
		if secretName != "" {
			entryMode = "env"
		}
		why := ""
		switch {
		case model == "" || credName == name || credName == "":
			why = "is not named \"<credential name> / <model>\" as hub names its entries"
		case !hasBase:
			why = "has no apiBase, which hub writes"
		case APIBase(c) != base:
			why = fmt.Sprintf("has apiBase %s, which hub would write as %s", readback.Show(base), APIBase(c))
		case apiType == credential.Google && readback.Host(base) != googleHost:
			why = "is a gemini entry for another host than Google's, which hub does not write"
		case secretName != "" && apiKey != secretRef(secretName):
			why = fmt.Sprintf("refers to its secret as %q, which hub would write as %q", apiKey, secretRef(secretName))
		case names[name]:
			why = "has the name of an entry before it"
		case !first && entryMode != mode:
			why = "keeps its key in another way (key_mode) than the entries before it"
		case !first && !reflect.DeepEqual(m["roles"], roles):
			why = "has other roles than the entries before it (hub writes one roles list for all)"
		case m["roles"] != nil && !validRoles(m["roles"]):
			why = "has roles hub does not write"
		}
		names[name] = true
		if why != "" {
			c.Name = ""
			extra.Credentials = appendCred(extra.Credentials, c)
			extra.Warnings = append(extra.Warnings, where+" "+why+"; its key is imported as a credential, without a target")
			continue
		}
		if first {
			first, mode, roles = false, entryMode, m["roles"]
		}
		i := slices.IndexFunc(creds, func(f found) bool {
			return f.c.Name == c.Name && f.c.APIType == c.APIType && f.c.BaseURL == c.BaseURL && f.c.Key.Reveal() == key && f.secret == secretName
		})
		if i < 0 {
			creds = append(creds, found{c: c, secret: secretName})
			i = len(creds) - 1
		}
		creds[i].c.Models = append(creds[i].c.Models, model)
	}
	var out []targets.Imported
	if len(creds) > 0 {
		var keyEnv targets.PerCredential
		for _, f := range creds {
			block.Credentials = append(block.Credentials, f.c)
			keyEnv = append(keyEnv, f.secret)
		}
		if mode == "env" {
			block.Files = append(block.Files, envPath)
			block.Attrs = append(block.Attrs, targets.Attr{Name: "key_mode", Value: "env"}, targets.Attr{Name: "key_env", Value: keyEnv})
		}
		if rs, ok := roles.([]any); ok {
			var ss []string
			for _, r := range rs {
				ss = append(ss, r.(string))
			}
			block.Attrs = append(block.Attrs, targets.Attr{Name: "roles", Value: ss})
		}
		out = append(out, block)
	}
	if len(extra.Credentials) > 0 || len(extra.Warnings) > 0 {
		out = append(out, extra)
	}
	return out, errors.Join(errs...)
}

// validRoles reports whether v is a list of Continue's roles.
func validRoles(v any) bool {
	rs, ok := v.([]any)
	if !ok || len(rs) == 0 {
		return false
	}
	for _, r := range rs {
		if s, ok := r.(string); !ok || !slices.Contains(roles, s) {
			return false
		}
	}
	return true
}

// appendCred adds c unless a credential of the same type, base URL and key
// is there.
func appendCred(list []*credential.Credential, c *credential.Credential) []*credential.Credential {
	for _, o := range list {
		if o.APIType == c.APIType && o.BaseURL == c.BaseURL && o.Key.Reveal() == c.Key.Reveal() {
			return list
		}
	}
	return append(list, c)
}
