package export

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/hubctl/hub/credential"
)

func init() {
	Register(Format{
		Name:  "cc-switch",
		Short: "a ccswitch:// deep link that adds the credential as a CC Switch provider",
		Long: `Print a ccswitch://v1/import deep link, the import path CC Switch supports:
opening it (--open) brings up CC Switch's confirmation dialog, which adds the
provider to the app named by --app. The link is built as All API Hub builds it:
resource=provider, app, name, homepage, endpoint, apiKey, then model and notes
when there are any, form-encoded.

--app is the CC Switch app (default claude): one of
` + strings.Join(ccSwitchApps, ", ") + `.
The endpoint is the base URL; for codex hub appends /v1 only when the base
URL has no path (https://relay.example.com becomes .../v1, a base with a path
such as /api stays as it is), All API Hub's rule when it has no model
discovery to confirm the path, and hub discovers nothing at export time:
check the endpoint in CC Switch's dialog. For hermes the name becomes a slug
(lower-case letters, digits and dashes), as CC Switch's Hermes form requires.
opencode and openclaw may need an adjustment in CC Switch after the import.

There is no default model: --model sets it, else CC Switch's own default is
used. Notes are the credential's notes. --enable adds enabled=true, which
makes CC Switch switch to the provider and write the app's live config at
once.

The app must speak a protocol the credential serves: claude sends Anthropic
Messages requests, codex OpenAI Responses, gemini the Gemini API, opencode,
openclaw and hermes OpenAI chat completions. An openai-compatible credential
(a relay) goes anywhere; an openai, anthropic or google credential only to
an app of its own protocol. grokbuild is not checked.

Checked against CC Switch's deep-link parser (farion1231/cc-switch
src-tauri/src/deeplink/parser.rs, 2026) and All API Hub's ccSwitch.ts
(qixing-jk/all-api-hub @634f28b, 2026-08).`,
		Example: `  hub export cc-switch relay --open
  hub export cc-switch relay --app codex --model gpt-5 --enable --open`,
		Link:  true,
		Flags: []string{"app", "model", "enable"},
		Write: writeCCSwitch,
	})
}

// ccSwitchApps are the apps CC Switch's deep link accepts, in its order.
var ccSwitchApps = []string{"claude", "codex", "gemini", "grokbuild", "hermes", "opencode", "openclaw"}

// ccSwitchRefuses says which first-party API types an app cannot use: the
// app speaks another protocol, which only a relay (openai-compatible)
// might also serve.
var ccSwitchRefuses = map[string][]string{
	"claude":   {credential.OpenAI, credential.Google},
	"codex":    {credential.Anthropic, credential.Google},
	"gemini":   {credential.OpenAI, credential.Anthropic},
	"opencode": {credential.Anthropic, credential.Google},
	"openclaw": {credential.Anthropic, credential.Google},
	"hermes":   {credential.Anthropic, credential.Google},
}

var ccSwitchProtocol = map[string]string{
	"claude":   "the Anthropic Messages API",
	"codex":    "the OpenAI Responses API",
	"gemini":   "the Gemini API",
	"opencode": "OpenAI chat completions",
	"openclaw": "OpenAI chat completions",
	"hermes":   "OpenAI chat completions",
}

func writeCCSwitch(creds []*credential.Credential, o Options) ([]byte, error) {
	if len(creds) != 1 {
		return nil, errors.New("a CC Switch link carries one credential")
	}
	c := creds[0]
	app := o.App
	if app == "" {
		app = "claude"
	}
	if !slices.Contains(ccSwitchApps, app) {
		return nil, fmt.Errorf("no CC Switch app %q (apps: %s)", app, strings.Join(ccSwitchApps, ", "))
	}
	if slices.Contains(ccSwitchRefuses[app], c.APIType) {
		return nil, fmt.Errorf("credential %s has api_type %q, but CC Switch's %s app speaks %s, which that does not serve; use an openai-compatible credential (a relay that serves it) or another --app", c.ID, c.APIType, app, ccSwitchProtocol[app])
	}
	if c.Key.Reveal() == "" {
		return nil, fmt.Errorf("credential %s has no key; CC Switch refuses a link without apiKey", c.ID)
	}
	base, err := httpURL(c.BaseURL)
	if err != nil {
		return nil, fmt.Errorf("credential %s: %w", c.ID, err)
	}
	if strings.Contains(base, ",") {
		return nil, fmt.Errorf("credential %s: base URL %s holds a comma, which CC Switch reads as a second endpoint", c.ID, base)
	}
	endpoint := base
	if app == "codex" {
		if u, _ := url.Parse(base); u.Path == "" {
			endpoint = base + "/v1"
		}
	}
	name := strings.TrimSpace(c.Name)
	if name == "" {
		name = c.ID
	}
	if app == "hermes" {
		name = hermesName(name, endpoint)
	}
	pairs := [][2]string{
		{"resource", "provider"},
		{"app", app},
		{"name", name},
		{"homepage", base},
		{"endpoint", endpoint},
		{"apiKey", c.Key.Reveal()},
	}
	if o.Model != "" {
		pairs = append(pairs, [2]string{"model", o.Model})
	}
	if c.Notes != "" {
		pairs = append(pairs, [2]string{"notes", c.Notes})
	}
	if o.Enable {
		pairs = append(pairs, [2]string{"enabled", "true"})
	}
	return []byte("ccswitch://v1/import?" + formEncode(pairs) + "\n"), nil
}

// hermesName is the slug CC Switch's Hermes form accepts
// (^[a-z0-9]+(-[a-z0-9]+)*$): from the name, else the endpoint's host,
// else "provider".
func hermesName(name, endpoint string) string {
	if s := slugRuns(strings.ToLower(strings.TrimSpace(name))); s != "" {
		return s
	}
	if u, err := url.Parse(endpoint); err == nil {
		if s := slugRuns(strings.ToLower(u.Hostname())); s != "" {
			return s
		}
	}
	return "provider"
}
