// Package newapichannels is the newapi_channels target: each credential of
// the block becomes one channel of a self-hosted New API panel
// (QuantumNous/new-api), written through the panel's admin API.
//
// # The document
//
// The target is a targets.Remote whose one document is the panel's channel
// API (url + /api/channel). Fetch lists every channel and keeps hub's own:
// those whose remark is hub's marker, "hub:<credential id> key=<digest>".
// It hands Open one JSON object, {"channels": [{"hub": "<credential id>",
// "id": N, "name": ..., ...}]}, edited with targets/internal/jsonedit, so
// the engine plans items (channels[hub=relay].models, ...), records them in
// the state and reports drift as it does for a file. Channels without the
// marker (the user's own) never enter the document: hub cannot touch them.
//
// hub owns these fields of its channel for a credential: name (the
// credential's name), type (1 OpenAI for openai and openai-compatible, 14
// Anthropic, 24 Gemini), base_url (the credential's, without /v1; left to
// the panel's default when the credential has none), key, models (the
// block's models, else the credential's), group, priority, weight,
// model_mapping (when the block gives one) and tag ("hub" unless the block
// says otherwise). Status is left to the panel (enable and disable there).
//
// # Keys are write-only
//
// New API never gives a channel's key back to an API client (lists show "").
// So hub writes, beside the key, a digest of it into the remark
// (targets.SecretDigest, salted with the credential id: 12 hex digits,
// useless to recover a high-entropy key), and the document's key field holds
// that digest: a key rotated in the configuration shows as an update of the
// key, and the key itself is never in a plan, the state or the document. A
// key changed in the panel by hand leaves the remark as it was, so hub
// cannot see it.
//
// # Guarantees from the API's behaviour
//
//   - Create answers no id: hub finds its channel by the marker in the remark
//     (and after creating, lists again to check it is there exactly once), so
//     re-applying never duplicates a channel. Two channels with the same
//     marker (a channel copied in the panel) stop hub with an error naming
//     both ids.
//   - Updates are partial: hub sends only the fields that changed.
//   - An ordinary admin (role 10) cannot create or delete channels, nor change
//     a key or base URL: Push asks the panel who the token belongs to first
//     and, if the change needs root, stops before any request that changes
//     something.
//   - Answers of HTTP 200 with success: false are errors, with the panel's
//     message (printable, without the token or a key).
//
// The access token is a secret of the block (targets.SecretHolder). Requests
// go straight to url (no HTTP proxy, no redirect followed), 10 s each, plain
// http only to this machine unless insecure = true.
package newapichannels

import (
	"errors"
	"fmt"
	"net/url"
	"path"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/hubctl/hub/credential"
	"github.com/hubctl/hub/targets"
	"github.com/hubctl/hub/targets/internal/jsonedit"
)

// Type is the target type label.
const Type = "newapi_channels"

func init() {
	targets.Register(targets.Info{
		Type:  Type,
		Doc:   "New API panel: one channel per credential, through the panel's admin API",
		New:   func() targets.Target { return &Target{} },
		Multi: true,
	})
}

// Target is the newapi_channels block.
type Target struct {
	// URL is the panel's address (https://panel.example.com).
	URL string `hcl:"url"`
	// AccessToken is the admin's access token (the panel's Personal
	// Settings, "system access token"): a secret, redacted everywhere.
	AccessToken string `hcl:"access_token"`
	// UserID is the token's user, sent as New-Api-User (older versions
	// require it; current ones ignore it).
	UserID int64 `hcl:"user_id,optional"`
	// Group is the channels' group list, comma-separated ("default").
	Group string `hcl:"group,optional"`
	// Priority and Weight are the channels' routing priority and weight.
	Priority int64 `hcl:"priority,optional"`
	Weight   int64 `hcl:"weight,optional"`
	// Models, if set, are every channel's models; else each credential's.
	Models []string `hcl:"models,optional"`
	// SyncModels makes each channel serve what its key's upstream offers:
	// the models the last hub refresh listed for the credential, kept by
	// ModelsInclude and ModelsExclude (shell patterns, "gpt-*"), as All API
	// Hub's model sync does. A new model reaches the panel with the next
	// refresh and apply.
	SyncModels    bool     `hcl:"sync_models,optional"`
	ModelsInclude []string `hcl:"models_include,optional"`
	ModelsExclude []string `hcl:"models_exclude,optional"`
	// ModelMapping maps a model name clients ask for to the upstream's.
	ModelMapping map[string]string `hcl:"model_mapping,optional"`
	// Tag is the channels' tag ("hub"), to find them in the panel.
	Tag string `hcl:"tag,optional"`
	// Insecure allows plain http to another host, which sends the token
	// unencrypted.
	Insecure bool `hcl:"insecure,optional"`

	// keys maps a key's digest to the key, remembered by Desired so that
	// Push can send the key the document only holds the digest of.
	mu   sync.Mutex
	keys map[string]string
}

var (
	_ targets.Target       = (*Target)(nil)
	_ targets.Validator    = (*Target)(nil)
	_ targets.Noter        = (*Target)(nil)
	_ targets.Remote       = (*Target)(nil)
	_ targets.SecretHolder = (*Target)(nil)
)

// channelTypes is the New API channel type for each API type.
var channelTypes = map[string]int64{
	credential.OpenAICompatible: 1,
	credential.OpenAI:           1,
	credential.Anthropic:        14,
	credential.Google:           24,
}

// apiPath is where the channel API lives; the document's name is the
// panel's base URL followed by it.
const apiPath = "/api/channel"

// base returns the panel's URL: scheme, host and any path prefix of a
// reverse proxy, without a trailing slash.
func (t *Target) base() (string, error) {
	raw := strings.TrimSpace(t.URL)
	if raw == "" {
		return "", errors.New("url is required: the New API panel's address, such as https://panel.example.com")
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return "", fmt.Errorf("url %q is not an http:// or https:// URL with a host, such as https://panel.example.com", raw)
	}
	if u.User != nil {
		return "", fmt.Errorf("url %q holds a user name or password; give the admin's access token as access_token instead", u.Redacted())
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("url %q has a query or fragment; give the panel's address, such as https://panel.example.com", raw)
	}
	if u.Scheme == "http" && !t.Insecure && !credential.IsLoopback(u.Hostname()) {
		return "", fmt.Errorf("url %q is plain http to another host, which would send the access token and the channels' keys unencrypted; use https, or set insecure = true if the network is trusted", raw)
	}
	p := strings.TrimRight(u.Path, "/")
	p = strings.TrimSuffix(p, apiPath)
	return u.Scheme + "://" + u.Host + p, nil
}

// IsRemote reports whether name is a channel API (every document of this
// target is).
func (t *Target) IsRemote(name string) bool {
	return strings.HasPrefix(name, "http://") || strings.HasPrefix(name, "https://")
}

// Secrets implements targets.SecretHolder: the access token.
func (t *Target) Secrets() []string {
	if t.AccessToken == "" {
		return nil
	}
	return []string{t.AccessToken}
}

// Files implements targets.Target: the panel's channel API.
func (t *Target) Files(targets.Env) ([]string, error) {
	b, err := t.base()
	if err != nil {
		return nil, err
	}
	return []string{b + apiPath}, nil
}

// Open implements targets.Target: the channels Fetch returns.
func (t *Target) Open(_ string, data []byte) (targets.Doc, error) {
	if data == nil {
		data = []byte("{\"channels\": []}\n")
	}
	return jsonedit.Parse(data)
}

// Validate implements targets.Validator.
func (t *Target) Validate(in *targets.Input) []error {
	var errs []error
	if _, err := t.base(); err != nil {
		errs = append(errs, err)
	}
	if t.AccessToken == "" {
		errs = append(errs, errors.New("access_token is empty: give the panel admin's access token (Personal Settings, system access token), such as access_token = secret(\"newapi-admin\")"))
	}
	if t.UserID < 0 {
		errs = append(errs, fmt.Errorf("user_id %d is negative: give the id of the token's user (1 for the first root user)", t.UserID))
	}
	if t.Priority < 0 || t.Weight < 0 {
		errs = append(errs, errors.New("priority and weight cannot be negative"))
	}
	for from, to := range t.ModelMapping {
		if from == "" || to == "" {
			errs = append(errs, fmt.Errorf("model_mapping %q = %q: both names must be given", from, to))
		}
	}
	if hasEmpty(t.Models) {
		errs = append(errs, errors.New("models holds an empty name"))
	}
	if t.SyncModels && len(t.Models) > 0 {
		errs = append(errs, errors.New("give models or sync_models = true, not both"))
	}
	if (len(t.ModelsInclude) > 0 || len(t.ModelsExclude) > 0) && !t.SyncModels {
		errs = append(errs, errors.New("models_include and models_exclude filter what sync_models = true takes; set it, or list models"))
	}
	for _, p := range append(append([]string(nil), t.ModelsInclude...), t.ModelsExclude...) {
		if _, err := path.Match(p, ""); err != nil {
			errs = append(errs, fmt.Errorf("the model pattern %q is malformed: %v", p, err))
		}
	}
	seen := map[string]bool{}
	for _, c := range in.Credentials {
		if seen[c.ID] {
			errs = append(errs, fmt.Errorf("credential %q is listed twice", c.ID))
		}
		seen[c.ID] = true
		if _, ok := channelTypes[c.APIType]; !ok {
			errs = append(errs, fmt.Errorf("credential %q has api_type %q, which hub has no New API channel type for; use openai-compatible, openai, anthropic or google", c.ID, c.APIType))
		}
		if c.Key.Reveal() == "" {
			errs = append(errs, fmt.Errorf("credential %q has no key, and New API refuses a channel without one", c.ID))
		}
		if c.APIType == credential.OpenAICompatible && c.BaseURL == "" {
			errs = append(errs, fmt.Errorf("credential %q (openai-compatible) has no base_url, which its channel needs", c.ID))
		}
		if (c.APIType == credential.OpenAICompatible || c.APIType == credential.OpenAI) && credential.HasVersion(c.BaseURL) {
			errs = append(errs, fmt.Errorf("credential %q has base_url %s, which ends in an API version; New API appends /v1/... to a channel's base URL, so requests would go to %s/v1/...", c.ID, c.BaseURL, c.BaseURL))
		}
		if !t.SyncModels && len(t.models(c)) == 0 {
			errs = append(errs, fmt.Errorf("credential %q lists no models and the block gives none; a New API channel serves only the models it lists: add models = [...] to the credential or the block, or sync_models = true to take what hub refresh finds", c.ID))
		}
	}
	return errs
}

func hasEmpty(ms []string) bool { return slices.Contains(ms, "") }

// models are a credential's channel's models: the block's, else with
// sync_models what hub refresh found (filtered), else the credential's.
func (t *Target) models(c *credential.Credential) []string {
	switch {
	case len(t.Models) > 0:
		return t.Models
	case t.SyncModels:
		return t.filter(c.Discovered)
	}
	return c.Models
}

// filter keeps the models that match an include pattern (any, when there
// are none) and no exclude pattern.
func (t *Target) filter(models []string) []string {
	match := func(ps []string, m string) bool {
		for _, p := range ps {
			if ok, _ := path.Match(p, m); ok {
				return true
			}
		}
		return false
	}
	var out []string
	for _, m := range models {
		if (len(t.ModelsInclude) == 0 || match(t.ModelsInclude, m)) && !match(t.ModelsExclude, m) {
			out = append(out, m)
		}
	}
	return out
}

func (t *Target) group() string {
	if g := strings.TrimSpace(t.Group); g != "" {
		return g
	}
	return "default"
}

func (t *Target) tag() string {
	if t.Tag != "" {
		return t.Tag
	}
	return "hub"
}

// Desired implements targets.Target. It also remembers each key by its
// digest, for Push: the document holds only digests.
func (t *Target) Desired(_ string, in *targets.Input) (*targets.Spec, error) {
	spec := &targets.Spec{}
	keys := map[string]string{}
	for _, c := range in.Credentials {
		typ, ok := channelTypes[c.APIType]
		if !ok {
			return nil, fmt.Errorf("credential %q has api_type %q, which hub has no New API channel type for", c.ID, c.APIType)
		}
		key := c.Key.Reveal()
		digest := targets.SecretDigest(key, c.ID)
		keys[digest] = key
		p := func(name string) targets.Key { return targets.Key{"channels", targets.Select("hub", c.ID), name} }
		add := func(name string, v any, sensitive bool) {
			spec.Items = append(spec.Items, targets.Item{Key: p(name), Value: v, Sensitive: sensitive})
		}
		name := c.Name
		if name == "" {
			name = c.ID
		}
		add("name", name, false)
		add("type", typ, false)
		if c.BaseURL != "" {
			add("base_url", c.BaseURL, false)
		}
		add("key", digest, true)
		models := t.models(c)
		if len(models) == 0 {
			if len(c.Discovered) == 0 {
				return nil, fmt.Errorf("credential %q: sync_models takes the models hub refresh finds, and there is no refresh of this key yet; run hub refresh %s first", c.ID, c.ID)
			}
			return nil, fmt.Errorf("credential %q: none of the %d models hub refresh found passes models_include/models_exclude; a channel needs at least one", c.ID, len(c.Discovered))
		}
		add("models", list(models), false)
		add("group", t.group(), false)
		add("priority", t.Priority, false)
		add("weight", t.Weight, false)
		if len(t.ModelMapping) > 0 {
			m := map[string]any{}
			for k, v := range t.ModelMapping {
				m[k] = v
			}
			add("model_mapping", m, false)
		}
		add("tag", t.tag(), false)
	}
	t.mu.Lock()
	t.keys = keys
	t.mu.Unlock()
	return spec, nil
}

func list(ms []string) []any {
	out := make([]any, len(ms))
	for i, m := range ms {
		out[i] = m
	}
	return out
}

// Notes implements targets.Noter.
func (t *Target) Notes(in *targets.Input) []string {
	where := "the panel"
	if b, err := t.base(); err == nil {
		where = b
	}
	ids := make([]string, 0, len(in.Credentials))
	for _, c := range in.Credentials {
		ids = append(ids, c.ID)
	}
	sort.Strings(ids)
	notes := []string{fmt.Sprintf("hub's channels on %s carry the remark \"hub:<credential> key=<digest>\": keep it, it is how hub finds them (New API gives a new channel no id).", where)}
	if t.SyncModels {
		for _, c := range in.Credentials {
			if c.DiscoveredFrom != "" {
				notes = append(notes, fmt.Sprintf("channel %s serves %d of the %d models %s.", c.ID, len(t.models(c)), len(c.Discovered), c.DiscoveredFrom))
			}
		}
	}
	if len(ids) > 0 {
		notes = append(notes, "New API never shows a channel's key: a key changed in the panel by hand is not seen by hub (hub rewrites a key only when the credential's key changes).")
	}
	return notes
}

// marker is the remark hub gives its channel for a credential.
func marker(id, digest string) string { return "hub:" + id + " key=" + digest }

// markerRE parses a remark hub wrote.
var markerRE = regexp.MustCompile(`^hub:(\S+) key=([0-9a-f]{12})$`)

// parseMarker returns the credential id and key digest of hub's remark.
func parseMarker(remark string) (id, digest string, ok bool) {
	m := markerRE.FindStringSubmatch(strings.TrimSpace(remark))
	if m == nil {
		return "", "", false
	}
	return m[1], m[2], true
}
