package export

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/hubctl/hub/credential"
)

func init() {
	Register(Format{
		Name:  "cursor-plus",
		Short: "a Cursor++ provider object to merge into ~/.ccursor/providers.json",
		Long: `Print one Cursor++ provider object, as All API Hub exports it: merge it by
hand into the providers array of ~/.ccursor/providers.json (Cursor++ picks up
changes to it while Cursor runs).

  {"id": "<name slug>-<hash>", "name", "type", "baseUrl",
   "auth": {"kind": "apiKey", "value": KEY},
   "models": [{"id", "apiModel", "defaultOn": true}, ...]}

The id is the name as a slug (NFKD, lower-case, runs of anything but a-z and
0-9 as one dash; "provider" when nothing is left) and the 32-bit FNV-1a of the
credential id in 8 hex digits, so it stays the same when the key or the
models change. type is openai-chat for openai and openai-compatible
credentials, anthropic for anthropic, gemini for google. baseUrl is the base
URL with /v1 (kept as it is when it already ends in a version such as /v3),
All API Hub's default for every type; edit it in Cursor++ if your endpoint
wants another path. The models are --model, else the credential's models
(trimmed, deduplicated, sorted); at least one is required.

Checked against All API Hub's cursorPlusExport.ts (qixing-jk/all-api-hub
@634f28b, 2026-08), written for Cursor++ 0.0.13.`,
		Example: `  hub export cursor-plus relay --model gpt-5 --out relay-cursor.json`,
		Flags:   []string{"model"},
		Write:   writeCursorPlus,
	})
}

// cursorPlusTypes are Cursor++ provider types by API type.
var cursorPlusTypes = map[string]string{
	credential.OpenAICompatible: "openai-chat",
	credential.OpenAI:           "openai-chat",
	credential.Anthropic:        "anthropic",
	credential.Google:           "gemini",
}

type cursorPlusProvider struct {
	ID      string            `json:"id"`
	Name    string            `json:"name"`
	Type    string            `json:"type"`
	BaseURL string            `json:"baseUrl"`
	Auth    cursorPlusAuth    `json:"auth"`
	Models  []cursorPlusModel `json:"models"`
}

type cursorPlusAuth struct {
	Kind  string `json:"kind"`
	Value string `json:"value"`
}

type cursorPlusModel struct {
	ID        string `json:"id"`
	APIModel  string `json:"apiModel"`
	DefaultOn bool   `json:"defaultOn"`
}

func writeCursorPlus(creds []*credential.Credential, o Options) ([]byte, error) {
	if len(creds) != 1 {
		return nil, errors.New("a Cursor++ provider holds one credential")
	}
	c := creds[0]
	typ, ok := cursorPlusTypes[c.APIType]
	if !ok {
		return nil, fmt.Errorf("credential %s: no Cursor++ provider type for api_type %q", c.ID, c.APIType)
	}
	if strings.TrimSpace(c.Key.Reveal()) == "" {
		return nil, fmt.Errorf("credential %s has no key; Cursor++ needs one", c.ID)
	}
	models := c.Models
	if o.Model != "" {
		models = []string{o.Model}
	}
	models = modelIDs(models)
	if len(models) == 0 {
		return nil, fmt.Errorf("credential %s names no models; give --model, or list models in the credential (Cursor++ needs at least one)", c.ID)
	}
	base, err := httpURL(c.BaseURL)
	if err != nil {
		return nil, fmt.Errorf("credential %s: %w", c.ID, err)
	}
	name := strings.TrimSpace(c.Name)
	if name == "" {
		name = c.ID
	}
	p := cursorPlusProvider{
		ID:      slugify(name) + "-" + fnv1a(c.ID),
		Name:    name,
		Type:    typ,
		BaseURL: credential.APIRoot(base, "v1"),
		Auth:    cursorPlusAuth{Kind: "apiKey", Value: c.Key.Reveal()},
	}
	for _, m := range models {
		p.Models = append(p.Models, cursorPlusModel{ID: m, APIModel: m, DefaultOn: true})
	}
	out, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("credential %s: encode the Cursor++ provider: %w", c.ID, err)
	}
	return append(out, '\n'), nil
}

// modelIDs trims, drops empty and duplicate ids, and sorts by code point
// (Go's byte order on UTF-8 is code-point order).
func modelIDs(in []string) []string {
	var out []string
	for _, m := range in {
		if m = strings.TrimSpace(m); m != "" && !slices.Contains(out, m) {
			out = append(out, m)
		}
	}
	slices.Sort(out)
	return out
}
