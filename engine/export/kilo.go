package export

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strings"

	"golang.org/x/text/unicode/norm"

	"github.com/google/uuid"

	"github.com/hubctl/hub/credential"
)

// Kilo's settings import takes files of at most 1 MiB (Kilo-Org/kilocode
// packages/kilo-vscode/webview-ui/src/components/settings/settings-io.ts
// MAX_IMPORT_SIZE, which All API Hub's kiloCodeExportPolicy.ts checks too).
const kiloMaxImport = 1 << 20

func init() {
	Register(Format{
		Name:  "kilo",
		Short: "a kilo-settings.json for Kilo Code 7 (About Kilo Code → Import)",
		Long: `Write a Kilo Code 7 settings file (kilo-settings.json), the one All API Hub's
Kilo export downloads: one custom provider per credential, with its AI SDK
package (@ai-sdk/openai-compatible for openai-compatible, @ai-sdk/openai for
openai, @ai-sdk/anthropic for anthropic, @ai-sdk/google for google), its base
URL with /v1 (/v1beta for google; a base URL that already ends in a version,
/api/coding/v3, is kept), its key, and its models (the configured ones and
the ones hub refresh found, sorted); and the default model. Open it in Kilo
Code with About Kilo Code → Import: Kilo shows the providers for review
before it saves them.

Every credential needs a model: give models = [...] in its block or run hub
refresh first. --model picks the default model ("MODEL", or
"CREDENTIAL/MODEL" when several have it); without it the first model of the
first credential (in id order) is the default, as All API Hub does. Kilo refuses files
over 1 MiB; so does hub.

--legacy writes the older format Roo Code and Kilo Code 5.x import
(kilo-code-settings.json: providerProfiles.apiConfigs, one OpenAI-compatible
profile per credential, with --model or the credential's first model);
it carries openai-compatible and openai credentials only.

Checked against All API Hub's kiloCodeExport.ts and Kilo Code 7.7.7.`,
		Example: `  hub export kilo relay work --out kilo-settings.json
  hub export kilo --tag work --model relay/gpt-5 --out kilo-settings.json
  hub export kilo relay --legacy --model gpt-5 --out kilo-code-settings.json`,
		Multi: true,
		Flags: []string{"model", "legacy"},
		Write: writeKilo,
	})
}

// kiloNPM is the AI SDK package that speaks each API type, as the kilo
// target writes it (All API Hub's protocols: openai-compatible,
// openai-responses, anthropic-messages; Kilo 7 reads @ai-sdk/google too).
var kiloNPM = map[string]string{
	credential.OpenAICompatible: "@ai-sdk/openai-compatible",
	credential.OpenAI:           "@ai-sdk/openai",
	credential.Anthropic:        "@ai-sdk/anthropic",
	credential.Google:           "@ai-sdk/google",
}

type kiloFile struct {
	Meta     kiloMeta                `json:"_meta"`
	Provider map[string]kiloProvider `json:"provider"`
	Model    string                  `json:"model"`
}

type kiloMeta struct {
	Version    int    `json:"version"`
	ExportedAt string `json:"exportedAt"`
}

type kiloProvider struct {
	Name    string                   `json:"name"`
	NPM     string                   `json:"npm"`
	Models  map[string]kiloModelName `json:"models"`
	Options kiloOptions              `json:"options"`
}

type kiloModelName struct {
	Name string `json:"name"`
}

type kiloOptions struct {
	APIKey  string `json:"apiKey"`
	BaseURL string `json:"baseURL"`
}

func writeKilo(creds []*credential.Credential, o Options) ([]byte, error) {
	if len(creds) == 0 {
		return nil, errors.New("no credential to export")
	}
	if o.Legacy {
		return writeKiloLegacy(creds, o)
	}
	names := uniqueNames(creds)
	f := kiloFile{
		Meta:     kiloMeta{Version: 1, ExportedAt: o.Time().UTC().Format("2006-01-02T15:04:05.000Z")},
		Provider: map[string]kiloProvider{},
	}
	ids := make([]string, len(creds))
	models := make([][]string, len(creds))
	for i, c := range creds {
		npm, ok := kiloNPM[c.APIType]
		if !ok {
			return nil, fmt.Errorf("credential %s: Kilo has no provider package for api_type %q", c.ID, c.APIType)
		}
		models[i] = kiloModels(c)
		if len(models[i]) == 0 {
			return nil, fmt.Errorf("credential %s has no models, and Kilo needs at least one per provider: add models = [...] to its block, or run hub refresh to find them", c.ID)
		}
		ids[i] = kiloProviderID(c, names[i])
		if _, dup := f.Provider[ids[i]]; dup {
			return nil, fmt.Errorf("credential %s: provider id %s is taken twice", c.ID, ids[i])
		}
		p := kiloProvider{
			Name:    names[i],
			NPM:     npm,
			Models:  map[string]kiloModelName{},
			Options: kiloOptions{APIKey: c.Key.Reveal(), BaseURL: aiSDKBaseURL(c.APIType, c.BaseURL)},
		}
		for _, m := range models[i] {
			p.Models[m] = kiloModelName{Name: m}
		}
		f.Provider[ids[i]] = p
	}
	i, model, err := pickDefault(creds, models, o.Model)
	if err != nil {
		return nil, err
	}
	f.Model = ids[i] + "/" + model
	return kiloJSON(f)
}

// kiloModels are a credential's configured and discovered models, trimmed,
// without duplicates, in code point order (All API Hub's
// normalizeProviderCatalogModelIds: discovered plus manual ids).
func kiloModels(c *credential.Credential) []string {
	var out []string
	for _, m := range slices.Concat(c.Models, c.Discovered) {
		if m = strings.TrimSpace(m); m != "" && !slices.Contains(out, m) {
			out = append(out, m)
		}
	}
	sort.Strings(out) // UTF-8 byte order is code point order
	return out
}

// pickDefault returns the default model and the index of its credential:
// --model ("MODEL" or "CREDENTIAL/MODEL") when given, else the first model
// of the first credential (reconcileKiloCodeV7DefaultSelection).
func pickDefault(creds []*credential.Credential, models [][]string, want string) (int, string, error) {
	want = strings.TrimSpace(want)
	if want == "" {
		return 0, models[0][0], nil
	}
	if id, m, ok := strings.Cut(want, "/"); ok {
		for i, c := range creds {
			if c.ID == id {
				if !slices.Contains(models[i], m) {
					return 0, "", fmt.Errorf("--model %s: credential %s has no model %q (it has %s)", want, id, m, strings.Join(models[i], ", "))
				}
				return i, m, nil
			}
		}
	}
	for i := range creds {
		if slices.Contains(models[i], want) {
			return i, want, nil
		}
	}
	return 0, "", fmt.Errorf("--model %s is not a model of the exported credentials; give one of their models (hub models lists them), or CREDENTIAL/MODEL", want)
}

// aiSDKBaseURL is options.baseURL, as the kilo target writes it: the base
// URL with /v1 (/v1beta for google), unless it already ends in a version.
func aiSDKBaseURL(apiType, base string) string {
	if apiType == credential.Google {
		return credential.APIRoot(base, "v1beta")
	}
	return credential.APIRoot(base, "v1")
}

// kiloProviderID is All API Hub's provider id: a slug of the provider's
// name and an FNV-1a digest of what identifies it (for hub, the credential
// id and its base URL), so it matches ^[a-z0-9][a-z0-9-]*$ and is the same
// on every export.
func kiloProviderID(c *credential.Credential, name string) string {
	return slugify(name) + "-" + fnv1a(c.ID+"\x00"+aiSDKBaseURL(c.APIType, c.BaseURL))
}

// slugify is All API Hub's slugifyProviderName (Kilo provider ids, the
// Cursor++ id): NFKD (accents come apart from their letters), lower case,
// runs of anything but a-z and 0-9 as one "-", "provider" when nothing is
// left.
func slugify(s string) string {
	if out := slugRuns(strings.ToLower(norm.NFKD.String(s))); out != "" {
		return out
	}
	return "provider"
}

// fnv1a is All API Hub's hashProviderCatalogValue: 32-bit FNV-1a over the
// first UTF-16 unit of each code point, as 8 hex digits.
func fnv1a(s string) string {
	h := uint32(0x811c9dc5)
	for _, r := range s {
		u := uint32(r)
		if r > 0xffff {
			u = 0xd800 + (uint32(r)-0x10000)>>10 // the high surrogate
		}
		h ^= u
		h *= 16777619
	}
	return fmt.Sprintf("%08x", h)
}

// uniqueNames are the credentials' display names, made unique as All API
// Hub's buildUniqueKiloCodeProviderNames does: a name several share gets
// " (host)", and one still shared " #n" in a stable order.
func uniqueNames(creds []*credential.Credential) []string {
	base := make([]string, len(creds))
	count := map[string]int{}
	for i, c := range creds {
		base[i] = strings.TrimSpace(c.Name)
		if base[i] == "" {
			base[i] = c.ID
		}
		count[base[i]]++
	}
	names := make([]string, len(creds))
	groups := map[string][]int{}
	for i, c := range creds {
		names[i] = base[i]
		if count[base[i]] > 1 {
			host := c.BaseURL
			if u, err := url.Parse(c.BaseURL); err == nil && u.Host != "" {
				host = u.Host
			}
			names[i] += " (" + host + ")"
		}
		groups[names[i]] = append(groups[names[i]], i)
	}
	for name, g := range groups {
		if len(g) < 2 {
			continue
		}
		key := func(i int) string { return base[i] + "\x00" + creds[i].BaseURL + "\x00" + creds[i].ID }
		sort.SliceStable(g, func(a, b int) bool { return key(g[a]) < key(g[b]) })
		for n, i := range g {
			names[i] = fmt.Sprintf("%s #%d", name, n+1)
		}
	}
	return names
}

// kiloLegacyFile is the Roo Code / Kilo Code 5.x settings file.
type kiloLegacyFile struct {
	ProviderProfiles kiloProfiles `json:"providerProfiles"`
}

type kiloProfiles struct {
	CurrentAPIConfigName string                   `json:"currentApiConfigName"`
	APIConfigs           map[string]kiloAPIConfig `json:"apiConfigs"`
}

type kiloAPIConfig struct {
	ID            string `json:"id"`
	APIProvider   string `json:"apiProvider"`
	OpenAIBaseURL string `json:"openAiBaseUrl"`
	OpenAIAPIKey  string `json:"openAiApiKey"`
	OpenAIModelID string `json:"openAiModelId,omitempty"`
}

// kiloConfigNS makes the legacy profiles' ids: the same credential gets the
// same id on every export (the extension draws a random UUID).
var kiloConfigNS = uuid.MustParse("6f1c3a52-4b8e-4d0a-9c1e-2a7d5b3e8f10")

func writeKiloLegacy(creds []*credential.Credential, o Options) ([]byte, error) {
	names := uniqueNames(creds)
	f := kiloLegacyFile{ProviderProfiles: kiloProfiles{APIConfigs: map[string]kiloAPIConfig{}}}
	for i, c := range creds {
		if c.APIType != credential.OpenAICompatible && c.APIType != credential.OpenAI {
			return nil, fmt.Errorf("credential %s has api_type %q; the legacy Kilo/Roo format holds OpenAI-compatible profiles only (openai-compatible, openai): leave out --legacy for Kilo Code 7", c.ID, c.APIType)
		}
		model := strings.TrimSpace(o.Model)
		if model == "" {
			if ms := kiloModels(c); len(ms) > 0 {
				model = ms[0]
			}
		}
		f.ProviderProfiles.APIConfigs[names[i]] = kiloAPIConfig{
			ID:            uuid.NewSHA1(kiloConfigNS, []byte(c.ID+"\x00"+c.BaseURL)).String(),
			APIProvider:   "openai",
			OpenAIBaseURL: credential.APIRoot(c.BaseURL, "v1"),
			OpenAIAPIKey:  c.Key.Reveal(),
			OpenAIModelID: model,
		}
	}
	// The extension selects the first profile name in sorted order.
	sorted := slices.Clone(names)
	sort.Strings(sorted)
	f.ProviderProfiles.CurrentAPIConfigName = sorted[0]
	return kiloJSON(f)
}

// kiloJSON is the file as the extension writes it (JSON.stringify with two
// spaces), refused over Kilo's import limit.
func kiloJSON(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("encode the settings: %w", err)
	}
	if b.Len() > kiloMaxImport {
		return nil, fmt.Errorf("the settings file would be %d bytes, more than the 1 MiB (%d bytes) Kilo imports; export fewer credentials, or give them fewer models", b.Len(), kiloMaxImport)
	}
	return b.Bytes(), nil
}
