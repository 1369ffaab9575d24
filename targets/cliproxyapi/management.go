package cliproxyapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/hubctl/hub/targets/internal/remotedoc"

	"github.com/hubctl/hub/targets"
)

// Management is the management block: write through the server's
// management API instead of its config.yaml.
type Management struct {
	// URL is where the server listens (http://127.0.0.1:8317 by default);
	// /v0/management is appended unless the URL ends in it already.
	URL string `hcl:"url,optional"`
	// Key is the server's remote-management.secret-key (or the
	// MANAGEMENT_PASSWORD it runs with). It is a secret: hub redacts it from
	// all output and never puts it in an error.
	Key string `hcl:"key"`
	// Insecure allows plain http to a host other than this one, which sends
	// the key unencrypted.
	Insecure bool `hcl:"insecure,optional"`
}

const (
	// defaultURL is where CLIProxyAPI listens unless its config.yaml says
	// otherwise (port 8317).
	defaultURL = "http://127.0.0.1:8317"
	// apiPath is the management API's route group.
	apiPath = "/v0/management"
	// maxBody bounds what hub reads of one answer.
	maxBody = 32 << 20
)

// requestTimeout bounds each request hub makes to the management API, from
// dialing to the end of the answer (a variable for tests).
var requestTimeout = 10 * time.Second

// managedLists are the lists hub may touch, in the order it reads and
// writes them: the lists of lists, and nothing else of the server's
// configuration.
var managedLists = []string{"openai-compatibility", "claude-api-key", "codex-api-key", "gemini-api-key"}

// IsRemote reports whether a document of this target is a management API
// (its base URL) rather than a config.yaml; it decides from the name, so a
// zero Target (a block the configuration no longer has) answers too.
// The engine reads and writes remote documents through Fetch and Push.
func (t *Target) IsRemote(name string) bool {
	return strings.HasPrefix(name, "http://") || strings.HasPrefix(name, "https://")
}

// Secrets implements targets.SecretHolder: the management key.
func (t *Target) Secrets() []string {
	if t.Management == nil || t.Management.Key == "" {
		return nil
	}
	return []string{t.Management.Key}
}

// base returns the management API's base URL: scheme and host, any path
// prefix of a reverse proxy, then /v0/management, without a trailing slash.
func (m *Management) base() (string, error) {
	raw := strings.TrimSpace(m.URL)
	if raw == "" {
		raw = defaultURL
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return "", fmt.Errorf("management url %q is not an http:// or https:// URL with a host, such as %s", raw, defaultURL)
	}
	if u.User != nil {
		return "", fmt.Errorf("management url %q holds a user name or password; give the management key as key instead", u.Redacted())
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("management url %q has a query or fragment; give the server's address, such as %s", raw, defaultURL)
	}
	if u.Scheme == "http" && !m.Insecure && !loopback(u.Hostname()) {
		return "", fmt.Errorf("management url %q is plain http to another host, which would send the management key unencrypted; use https, or set insecure = true in the management block if the network is trusted", raw)
	}
	p := strings.TrimRight(u.Path, "/")
	if !strings.HasSuffix(p, apiPath) {
		p += apiPath
	}
	return u.Scheme + "://" + u.Host + p, nil
}

// loopback reports whether host names this machine.
func loopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// client talks to management APIs: directly (no HTTP proxy from the
// environment, which would see the key), and following no redirect, so the
// key goes nowhere but to the url given; a PUT turned into a GET by a
// redirect would also look like success.
// Each request's context carries its timeout.
var client = &http.Client{
	Transport: &http.Transport{
		Proxy:               nil,
		MaxIdleConnsPerHost: 2,
		IdleConnTimeout:     30 * time.Second,
		ForceAttemptHTTP2:   true,
	},
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// api returns the management block and base URL for the document name,
// which the plan took from Files.
func (t *Target) api(name string) (*Management, string, error) {
	if !t.IsRemote(name) {
		return nil, "", fmt.Errorf("%s is a file, not a management API, yet hub read it as remote: the engine must ask targets.RemoteDocs.IsRemote (a bug in hub)", name)
	}
	if t.Management != nil {
		if b, err := t.Management.base(); err == nil && b == name {
			return t.Management, b, nil
		}
	}
	return nil, "", fmt.Errorf("hub owns entries in the lists of the CLIProxyAPI at %s, but no cliproxyapi block manages that server any more, so hub has no management key to remove them with; "+
		"put a block with management { url = %q, ... } and credentials = [] back, apply, then remove it", name, name)
}

// Fetch implements targets.Remote: it reads the lists hub may touch and
// returns them as one JSON object, {"openai-compatibility": [...], ...},
// which Open parses. The server adds an auth-index to entries it has
// loaded; that is runtime state, not configuration (a PUT ignores it, and it
// changes when the server reloads), so it is left out.
func (t *Target) Fetch(ctx context.Context, name string) ([]byte, error) {
	m, base, err := t.api(name)
	if err != nil {
		return nil, err
	}
	doc := map[string]any{}
	// One list after the other, stopping at the first failure: a refused
	// key counts towards the server's ban once, not four times.
	for _, list := range managedLists {
		body, err := m.do(ctx, base, http.MethodGet, list, nil)
		if err != nil {
			return nil, err
		}
		entries, err := decodeList(list, body)
		if err != nil {
			return nil, fmt.Errorf("CLIProxyAPI at %s answered GET %s with %v; is url the address of a CLIProxyAPI server?", base, list, err)
		}
		doc[list] = entries
	}
	return remotedoc.Encode(doc)
}

// decodeList reads a GET answer, {"<list>": [...]} (or, from other
// versions, the bare array), without auth-index fields.
func decodeList(list string, body []byte) ([]any, error) {
	var v any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return nil, errors.New("something other than JSON")
	}
	if obj, ok := v.(map[string]any); ok {
		x, found := obj[list]
		if !found {
			return nil, fmt.Errorf("an object without %q", list)
		}
		v = x
	}
	if v == nil {
		return []any{}, nil
	}
	entries, ok := v.([]any)
	if !ok {
		return nil, errors.New("something other than a list")
	}
	for _, e := range entries {
		obj, ok := e.(map[string]any)
		if !ok {
			continue
		}
		delete(obj, "auth-index")
		if keys, ok := obj["api-key-entries"].([]any); ok {
			for _, k := range keys {
				if ko, ok := k.(map[string]any); ok {
					delete(ko, "auth-index")
				}
			}
		}
	}
	return entries, nil
}

// Push implements targets.Remote: each list that differs between before and
// after is replaced whole with a PUT, the only way the management API
// offers to add an entry. The engine has just fetched the lists again and
// found them as before.
func (t *Target) Push(ctx context.Context, name string, before, after []byte) error {
	m, base, err := t.api(name)
	if err != nil {
		return err
	}
	var b, a map[string]json.RawMessage
	if err := json.Unmarshal(before, &b); err != nil {
		return fmt.Errorf("lists of CLIProxyAPI at %s as planned: %v (a bug in hub)", base, err)
	}
	if err := json.Unmarshal(after, &a); err != nil {
		return fmt.Errorf("lists of CLIProxyAPI at %s to write: %v (a bug in hub)", base, err)
	}
	var done []string
	for _, list := range managedLists {
		old, err := canonical(b[list])
		if err != nil {
			return fmt.Errorf("%s of CLIProxyAPI at %s as planned: %v (a bug in hub)", list, base, err)
		}
		body, err := canonical(a[list])
		if err != nil {
			return fmt.Errorf("%s of CLIProxyAPI at %s to write: %v (a bug in hub)", list, base, err)
		}
		if bytes.Equal(old, body) {
			continue
		}
		if _, err := m.do(ctx, base, http.MethodPut, list, body); err != nil {
			if len(done) > 0 {
				return fmt.Errorf("%w (%s were written already)", err, strings.Join(done, ", "))
			}
			return err
		}
		done = append(done, list)
	}
	return nil
}

// canonical is a list as the compact JSON array a PUT sends; an absent or
// null list is empty.
func canonical(raw json.RawMessage) ([]byte, error) {
	var v any
	if len(raw) > 0 {
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
	}
	if v == nil {
		v = []any{}
	}
	if _, ok := v.([]any); !ok {
		return nil, errors.New("not a list")
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// do makes one request to the management API and returns the body of a 200
// answer; any other outcome is an error that says what to do, and never
// holds the key.
func (m *Management) do(ctx context.Context, base, method, list string, body []byte) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, requestTimeout)
	defer cancel()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, base+"/"+list, rd)
	if err != nil {
		return nil, fmt.Errorf("management url %s: %v", base, err)
	}
	req.Header.Set("Authorization", "Bearer "+m.Key)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, m.scrub(netError(ctx, base, method, list, err))
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return nil, m.scrub(netError(ctx, base, method, list, err))
	}
	if resp.StatusCode == http.StatusOK {
		return data, nil
	}
	return nil, m.scrub(statusError(base, method, list, resp, data))
}

// scrub removes the key from an error, should a server or proxy ever echo
// it: a second line of defence behind hub's redaction of all output.
func (m *Management) scrub(err error) error {
	if m.Key == "" || !strings.Contains(err.Error(), m.Key) {
		return err
	}
	return errors.New(strings.ReplaceAll(err.Error(), m.Key, "(management key)"))
}

// netError explains a request that got no answer.
func netError(ctx context.Context, base, method, list string, err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	var ne net.Error
	switch {
	case errors.Is(context.Cause(ctx), context.Canceled):
		return fmt.Errorf("%s %s of CLIProxyAPI at %s: interrupted", method, list, base)
	case errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()):
		return fmt.Errorf("CLIProxyAPI at %s did not answer %s %s within %v; is the server up, and is url its address?", base, method, list, requestTimeout)
	}
	return fmt.Errorf("cannot reach CLIProxyAPI at %s: %v; is the server running, and is url its address?", base, err)
}

// statusError explains an answer other than 200, from CLIProxyAPI's
// management middleware (handlers/management/handler.go: 401 for a missing
// or wrong key, 403 when remote access is off, the key is not set or the IP
// is banned) and route registration (404 for every route while no
// secret-key is set).
func statusError(base, method, list string, resp *http.Response, body []byte) error {
	msg := serverMessage(body)
	quoted := ""
	if msg != "" {
		quoted = ": " + msg
	}
	lower := strings.ToLower(msg)
	code := resp.StatusCode
	switch {
	case code >= 300 && code < 400:
		loc := resp.Header.Get("Location")
		return fmt.Errorf("CLIProxyAPI at %s answered %s %s with a redirect (%d) to %q, which hub does not follow with the management key; set url to the address the management API answers at", base, method, list, code, loc)
	case code == http.StatusUnauthorized:
		return fmt.Errorf("CLIProxyAPI at %s refused the management key (401%s); set key to the server's remote-management.secret-key (or its MANAGEMENT_PASSWORD). "+
			"After five refused keys CLIProxyAPI bans this IP for 30 minutes", base, quoted)
	case code == http.StatusForbidden && strings.Contains(lower, "banned"):
		return fmt.Errorf("CLIProxyAPI at %s has banned this IP after five refused management keys (403%s); correct key, then wait for the ban to end or restart the server", base, quoted)
	case code == http.StatusForbidden && strings.Contains(lower, "remote management disabled"):
		return fmt.Errorf("CLIProxyAPI at %s takes management requests only from its own host (403%s); set remote-management.allow-remote: true in its config.yaml to manage it from here", base, quoted)
	case code == http.StatusForbidden && strings.Contains(lower, "key not set"):
		return fmt.Errorf("remote management is disabled on CLIProxyAPI at %s (403%s): set remote-management.secret-key in its config.yaml", base, quoted)
	case code == http.StatusForbidden:
		return fmt.Errorf("CLIProxyAPI at %s refused %s %s (403%s)", base, method, list, quoted)
	case code == http.StatusNotFound:
		return fmt.Errorf("CLIProxyAPI at %s has no management API (404 for %s %s): remote management is disabled until remote-management.secret-key is set in its config.yaml (or MANAGEMENT_PASSWORD in its environment); "+
			"if it is, check that url is the CLIProxyAPI server's address", base, method, list)
	case code >= 500:
		return fmt.Errorf("CLIProxyAPI at %s failed %s %s (%d%s); see the server's log", base, method, list, code, quoted)
	}
	return fmt.Errorf("CLIProxyAPI at %s answered %s %s with %d%s", base, method, list, code, quoted)
}

// serverMessage is the error a management answer gives ({"error": "..."}),
// or the start of a plain-text body.
func serverMessage(body []byte) string {
	var e struct {
		Error string `json:"error"`
	}
	msg := ""
	if json.Unmarshal(body, &e) == nil {
		msg = e.Error
	} else if !bytes.HasPrefix(bytes.TrimSpace(body), []byte("<")) {
		msg = string(body)
	}
	msg = strings.Join(strings.Fields(msg), " ")
	if r := []rune(msg); len(r) > 200 {
		msg = string(r[:200]) + "..."
	}
	return msg
}

// Management mode makes the target a remote one with a secret of its own.
var (
	_ targets.Remote       = (*Target)(nil)
	_ targets.SecretHolder = (*Target)(nil)
)
