package providers

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hubctl/hub/credential"
	"github.com/hubctl/hub/secret"
)

// Auth says how a request carries a credential.
type Auth int

// The ways to send a key. Each family uses its own; relays accept several.
const (
	AuthNone    Auth = iota
	AuthBearer       // Authorization: Bearer <key>
	AuthXAPIKey      // x-api-key: <key> and anthropic-version
	AuthGoog         // x-goog-api-key: <key>
	AuthToken        // Authorization: Bearer <usage token>, for a cross-origin usage endpoint
)

// AnthropicVersion is the anthropic-version header every Anthropic call sends.
const AnthropicVersion = "2023-06-01"

// A Request is one upstream call.
type Request struct {
	Method string // GET when empty
	URL    string
	Auth   Auth
	// Body is sent as JSON when not nil.
	Body any
	// Header holds extra headers (never the key: Auth adds it).
	Header http.Header
	// Raw keeps a 2xx answer unclassified even if its body looks like an
	// error, for endpoints whose shape the user maps (custom usage).
	Raw bool
	// Critical marks a call that counts against the site's critical budget
	// (SiteLimits.Critical): New API's /api/usage/token/ and /api/log/token.
	Critical bool
}

// A Response is an upstream answer that was not classified as a failure.
type Response struct {
	Status   int
	Header   http.Header
	Body     []byte
	Endpoint string // method and URL, no query
}

// ClientOptions configure a Client.
type ClientOptions struct {
	// Timeout bounds each request, retries apart. Zero means 30 s.
	Timeout time.Duration
	// Transport is the HTTP transport; nil means a pooled default sized for
	// MaxConnsPerHost.
	Transport http.RoundTripper
	// MaxConnsPerHost sizes the default transport's idle pool, so a refresh
	// over many credentials of one relay reuses its connections.
	MaxConnsPerHost int
	// UserAgent is sent on every request.
	UserAgent string
	// RetryDelay is the pause before the one retry; zero means 300 ms.
	RetryDelay time.Duration
	// Sites bounds the requests per site; the zero value bounds nothing
	// (hub's commands use DefaultSiteLimits).
	Sites SiteLimits
	// Now is the clock (the site budgets, the local day of today's
	// figures, in its Location); time.Now when nil.
	Now func() time.Time
}

// A Client makes upstream calls for every provider: it attaches keys only for
// the credential's own origin, never follows a redirect to another origin
// with a key, bounds each request in time, retries safe requests once, and
// classifies every failure. It is safe for concurrent use.
type Client struct {
	http       *http.Client
	timeout    time.Duration
	userAgent  string
	retryDelay time.Duration
	requests   atomic.Int64
	now        func() time.Time
	sites      *sites
}

// maxBody bounds what is read of an answer: model lists of big relays are a
// few hundred KiB.
const maxBody = 16 << 20

// NewClient returns a Client.
func NewClient(o ClientOptions) *Client {
	if o.Timeout <= 0 {
		o.Timeout = 30 * time.Second
	}
	if o.RetryDelay <= 0 {
		o.RetryDelay = 300 * time.Millisecond
	}
	if o.UserAgent == "" {
		o.UserAgent = "hub"
	}
	tr := o.Transport
	if tr == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		if o.MaxConnsPerHost > 0 {
			t.MaxIdleConnsPerHost = o.MaxConnsPerHost
			t.MaxIdleConns = max(t.MaxIdleConns, 4*o.MaxConnsPerHost)
		}
		tr = t
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	c := &Client{timeout: o.Timeout, userAgent: o.UserAgent, retryDelay: o.RetryDelay, now: o.Now,
		sites: &sites{limits: o.Sites, now: o.Now, by: map[string]*site{}}}
	c.http = &http.Client{Transport: tr, CheckRedirect: checkRedirect}
	return c
}

// Now returns the client's clock: today's figures are of its local day.
func (c *Client) Now() time.Time { return c.now() }

// Requests returns how many HTTP requests the client has sent.
func (c *Client) Requests() int64 { return c.requests.Load() }

// errCrossOrigin ends a redirect chain that leaves the first request's origin.
var errCrossOrigin = errors.New("redirected to another origin")

// checkRedirect follows redirects only within the origin of the first
// request: keys travel in headers Go would copy to another host (x-api-key,
// x-goog-api-key), and a usage token belongs to its own endpoint.
func checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= 5 {
		return errors.New("stopped after 5 redirects")
	}
	if credential.Origin(req.URL) != credential.Origin(via[0].URL) {
		return fmt.Errorf("%w %s; not followed, so the key is not sent there", errCrossOrigin, credential.Origin(req.URL))
	}
	return nil
}

// Do sends req for credential cred. A failure, an answer classified as one
// included, is returned as a *Failure whose text never holds the key; a
// cancelled context is returned as ctx.Err().
func (c *Client) Do(ctx context.Context, cred *credential.Credential, req Request) (*Response, error) {
	if req.Method == "" {
		req.Method = http.MethodGet
	}
	u, err := url.Parse(req.URL)
	if err != nil || u.Host == "" {
		return nil, &Failure{Class: ClassWrongURL, Message: fmt.Sprintf("cannot parse URL %q", secret.RedactURL(req.URL))}
	}
	endpoint := req.Method + " " + secret.RedactURL(req.URL)
	var secretValue string
	switch req.Auth {
	case AuthBearer, AuthXAPIKey, AuthGoog:
		if credential.Origin(u) != credential.OriginOf(cred.BaseURL) {
			return nil, fmt.Errorf("credential %s: refusing to send its key to %s, which is not its own origin %s", cred.ID, credential.Origin(u), credential.OriginOf(cred.BaseURL))
		}
		secretValue = cred.Key.Reveal()
	case AuthToken:
		secretValue = cred.Usage.Token.Reveal()
	}
	var body []byte
	if req.Body != nil {
		if body, err = json.Marshal(req.Body); err != nil {
			return nil, fmt.Errorf("%s: encode request: %w", endpoint, err)
		}
	}
	red := credentialRedactor(cred)
	redact := func(s string) string { return Printable(red.Redact(s)) }
	idempotent := req.Method == http.MethodGet || req.Method == http.MethodHead
	origin := credential.Origin(u)
	for attempt := 0; ; attempt++ {
		release, err := c.sites.acquire(ctx, origin, endpoint, req.Critical && attempt == 0)
		if err != nil {
			return nil, err
		}
		resp, err := c.once(ctx, u.String(), req, body, secretValue)
		release()
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			var f *Failure
			if errors.Is(err, errCrossOrigin) {
				f = &Failure{Class: ClassWrongURL, Message: transportMessage(err), Err: err}
			} else {
				te := ClassifyTransport(err)
				if !errors.As(te, &f) {
					return nil, te
				}
			}
			f.Endpoint, f.Message = endpoint, redact(f.Message)
			if idempotent && attempt == 0 && f.Class != ClassTLS && f.Class != ClassWrongURL && c.pause(ctx) {
				continue
			}
			return nil, f
		}
		// The answer is redacted before anything reads it (classifying,
		// cutting a message short, decoding model ids): a key echoed in it,
		// cut or respaced later, could no longer be recognised.
		resp.Body = []byte(red.Redact(string(resp.Body)))
		f := Classify(resp.Status, resp.Header.Get("Content-Type"), resp.Body)
		if f != nil && req.Raw && resp.Status >= 200 && resp.Status < 300 && !IsHTML(resp.Header.Get("Content-Type"), resp.Body) {
			f = nil
		}
		if f == nil {
			resp.Endpoint = endpoint
			return resp, nil
		}
		f.Endpoint, f.Message = endpoint, redact(f.Message)
		if req.Critical && isTooMany(f) {
			c.sites.spent(origin)
		}
		retryable := resp.Status == http.StatusBadGateway || resp.Status == http.StatusGatewayTimeout ||
			resp.Status == http.StatusServiceUnavailable && f.Class != ClassModelNotFound
		if idempotent && attempt == 0 && retryable && c.pause(ctx) {
			continue
		}
		return nil, f
	}
}

// pause waits before the one retry; false when the context ended.
func (c *Client) pause(ctx context.Context) bool {
	t := time.NewTimer(c.retryDelay)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

func (c *Client) once(ctx context.Context, rawURL string, req Request, body []byte, secretValue string) (*Response, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	hr, err := http.NewRequestWithContext(ctx, req.Method, rawURL, rd)
	if err != nil {
		return nil, err
	}
	for k, vs := range req.Header {
		hr.Header[k] = vs
	}
	hr.Header.Set("User-Agent", c.userAgent)
	hr.Header.Set("Accept-Language", "en")
	if hr.Header.Get("Accept") == "" {
		hr.Header.Set("Accept", "application/json")
	}
	if body != nil {
		hr.Header.Set("Content-Type", "application/json")
	}
	switch req.Auth {
	case AuthBearer, AuthToken:
		if secretValue != "" {
			hr.Header.Set("Authorization", "Bearer "+secretValue)
		}
	case AuthXAPIKey:
		hr.Header.Set("x-api-key", secretValue)
		hr.Header.Set("anthropic-version", AnthropicVersion)
	case AuthGoog:
		hr.Header.Set("x-goog-api-key", secretValue)
	}
	c.requests.Add(1)
	resp, err := c.http.Do(hr)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return nil, err
	}
	return &Response{Status: resp.StatusCode, Header: resp.Header, Body: b}, nil
}

// credentialRedactor knows the secrets a request for cred may carry: its
// key and its usage token.
func credentialRedactor(cred *credential.Credential) *secret.Redactor {
	r := &secret.Redactor{}
	r.Add(cred.Key.Reveal(), cred.Usage.Token.Reveal())
	return r
}

// DecodeJSON decodes a response body into v, or returns a bad-answer Failure.
func DecodeJSON(r *Response, v any) error {
	if err := json.Unmarshal(r.Body, v); err != nil {
		return &Failure{Class: ClassBadAnswer, Status: r.Status, Endpoint: r.Endpoint, Message: "the answer is not the JSON expected: " + shorten(err.Error(), 120)}
	}
	return nil
}

// An Event is one server-sent event.
type Event struct {
	Name string // the event: field, empty when absent
	Data string // data: lines joined by \n
}

// SSE splits a text/event-stream body into events. Probes read whole
// streams: a one-token answer is a few events long.
func SSE(body []byte) []Event {
	var (
		out []Event
		cur Event
		buf []string
	)
	flush := func() {
		if len(buf) > 0 || cur.Name != "" {
			cur.Data = strings.Join(buf, "\n")
			out = append(out, cur)
		}
		cur, buf = Event{}, nil
	}
	sc := bufio.NewScanner(bytes.NewReader(body))
	sc.Buffer(make([]byte, 64<<10), maxBody)
	for sc.Scan() {
		line := strings.TrimSuffix(sc.Text(), "\r")
		switch {
		case line == "":
			flush()
		case strings.HasPrefix(line, ":"):
		case strings.HasPrefix(line, "event:"):
			cur.Name = strings.TrimSpace(line[len("event:"):])
		case strings.HasPrefix(line, "data:"):
			buf = append(buf, strings.TrimPrefix(line[len("data:"):], " "))
		}
	}
	flush()
	return out
}

// StreamError returns the failure carried inside a stream that began with a
// 200: an SSE error event, or a data line holding an error body.
func StreamError(r *Response, events []Event) *Failure {
	for _, e := range events {
		if e.Name == "error" || strings.HasSuffix(e.Name, ".failed") || strings.Contains(e.Data, `"error"`) {
			if info, ok := ParseError([]byte(e.Data)); ok || e.Name == "error" {
				f := Classify(r.Status, "application/json", []byte(e.Data))
				if f == nil || !ok {
					f = &Failure{Class: ClassBadAnswer, Message: shorten(e.Data, 200)}
				}
				f.Status, f.Endpoint = r.Status, r.Endpoint
				if info.Message != "" {
					f.Message = shorten(requestID.ReplaceAllString(info.Message, ""), 300)
				}
				return f
			}
		}
	}
	return nil
}

// BearerFallback sends requests with a family's own key header (x-api-key,
// x-goog-api-key) and, once, with Authorization: Bearer when a 401 calls the
// key invalid: gateways made for Claude Code's ANTHROPIC_AUTH_TOKEN and
// relays that read only Authorization take that instead. A base URL that
// answered Bearer is remembered for the process, as All API Hub remembers
// the working scheme for its session. One value serves all credentials.
type BearerFallback struct {
	// Adjust edits the Bearer request (Anthropic keeps anthropic-version).
	Adjust func(*Request)
	known  sync.Map // base URL → struct{}
}

// Do sends req (whose Auth is the family's own) and returns how many
// requests it made. When both schemes are refused, the first failure is
// returned: it is the official answer.
func (b *BearerFallback) Do(ctx context.Context, cl *Client, c *credential.Credential, req Request) (*Response, int, error) {
	bearer := req
	bearer.Auth = AuthBearer
	if b.Adjust != nil {
		bearer.Header = req.Header.Clone()
		if bearer.Header == nil {
			bearer.Header = http.Header{}
		}
		b.Adjust(&bearer)
	}
	if _, ok := b.known.Load(c.BaseURL); ok {
		resp, err := cl.Do(ctx, c, bearer)
		return resp, 1, err
	}
	resp, err := cl.Do(ctx, c, req)
	f, ok := AsFailure(err)
	if !ok || f.Status != http.StatusUnauthorized || f.Class != ClassInvalidKey {
		return resp, 1, err
	}
	resp2, err2 := cl.Do(ctx, c, bearer)
	if err2 == nil {
		b.known.Store(c.BaseURL, struct{}{})
		return resp2, 2, nil
	}
	f2, ok := AsFailure(err2)
	if !ok {
		return nil, 2, err2
	}
	if f2.Class == ClassInvalidKey || f2.Status == 0 {
		return nil, 2, err
	}
	// Bearer got past authentication and failed later (no such model, no
	// credit): that is the scheme this base takes, and the real answer.
	if f2.Class.KeyWorks() || f2.Class == ClassQuota {
		b.known.Store(c.BaseURL, struct{}{})
	}
	return nil, 2, err2
}

// Forget drops what was learnt of a base URL (tests reuse loopback ports).
func (b *BearerFallback) Forget(baseURL string) { b.known.Delete(baseURL) }
