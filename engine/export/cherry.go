package export

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/hubctl/hub/credential"
)

func init() {
	Register(Format{
		Name:  "cherry-studio",
		Short: "a cherrystudio:// deep link that adds the key to a Cherry Studio provider",
		Long: `Print a cherrystudio://providers/api-keys deep link, Cherry Studio's import
path: opening it (--open) brings up Cherry Studio's confirmation, which adds
a provider with the credential's id, name, base URL and key. If a provider
with that id exists already, Cherry Studio appends the key to its keys and
replaces its host. No models are sent: fetch or add them in Cherry Studio.

The data parameter is the JSON {"id","baseUrl","apiKey","name"} in UTF-8,
standard base64 (+, / and = as they are, not URL-encoded), as All API Hub
sends it. The base URL has no /v1: Cherry Studio appends it. An anthropic
credential adds "type":"anthropic" and a google one "type":"gemini", so
Cherry Studio speaks their protocol; without a type it is "openai".
Cherry Studio turns every ' into " and drops ( and ) before it parses the
JSON, so hub writes those characters as \u escapes, which survive.

Checked against Cherry Studio's handle-providers.ts (CherryHQ/cherry-studio
@1bf0721) and All API Hub's cherryStudio.ts (qixing-jk/all-api-hub
@634f28b, 2026-08).`,
		Example: `  hub export cherry-studio relay --open`,
		Link:    true,
		Write:   writeCherry,
	})
}

// cherryTypes are Cherry Studio provider types for API types that are not
// its default, openai.
var cherryTypes = map[string]string{
	credential.Anthropic: "anthropic",
	credential.Google:    "gemini",
}

type cherryData struct {
	ID      string `json:"id"`
	BaseURL string `json:"baseUrl"`
	APIKey  string `json:"apiKey"`
	Name    string `json:"name"`
	Type    string `json:"type,omitempty"`
}

// cherryEscapes hides the characters Cherry Studio rewrites before
// JSON.parse; they occur in the JSON only inside strings.
var cherryEscapes = strings.NewReplacer(`'`, `\u0027`, `(`, `\u0028`, `)`, `\u0029`)

func writeCherry(creds []*credential.Credential, _ Options) ([]byte, error) {
	if len(creds) != 1 {
		return nil, errors.New("a Cherry Studio link carries one credential")
	}
	c := creds[0]
	if c.Key.Reveal() == "" {
		return nil, fmt.Errorf("credential %s has no key; Cherry Studio requires apiKey", c.ID)
	}
	base, err := httpURL(c.BaseURL)
	if err != nil {
		return nil, fmt.Errorf("credential %s: %w", c.ID, err)
	}
	name := strings.TrimSpace(c.Name)
	if name == "" {
		name = c.ID
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // as JSON.stringify writes it
	d := cherryData{ID: c.ID, BaseURL: base, APIKey: c.Key.Reveal(), Name: name, Type: cherryTypes[c.APIType]}
	if err := enc.Encode(d); err != nil {
		return nil, fmt.Errorf("credential %s: encode the Cherry Studio data: %w", c.ID, err)
	}
	js := cherryEscapes.Replace(strings.TrimSuffix(buf.String(), "\n"))
	return []byte("cherrystudio://providers/api-keys?v=1&data=" + base64.StdEncoding.EncodeToString([]byte(js)) + "\n"), nil
}
