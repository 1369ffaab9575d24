// Package fakerelay is an upstream for tests: one httptest server on
// 127.0.0.1 that plays a relay panel (New API, One API, Sub2API) or an
// official API (OpenAI, Anthropic, Gemini), with the endpoints, auth rules,
// units and error shapes of ../shared/specs/provider-apis.md, and faults a
// test can switch on per key (exhausted, rate limited, model not found, 200
// with an error body, HTML challenge, slow answers).
//
// The upstream AI APIs cannot run here, so this is the one fake hub's tests
// use; everything it answers follows the documented facts, not hub's code.
package fakerelay

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"
)

// Flavor is which server the fake plays.
type Flavor string

// The flavors.
const (
	NewAPI    Flavor = "newapi"     // QuantumNous/new-api, recent: /api/usage/token/, billing pair, /api/status
	OldNewAPI Flavor = "newapi-old" // New API before /api/usage/token (404 "Invalid URL"), billing pair
	OneAPI    Flavor = "oneapi"     // songquanpeng/one-api: Bearer only, billing pair, one_api_error
	Sub2API   Flavor = "sub2api"    // Wei-Shaw/sub2api: /v1/usage, fixed model list, {"code","message"} errors
	OpenAI    Flavor = "openai"     // api.openai.com: models, chat, responses; billing refuses secret keys
	Anthropic Flavor = "anthropic"  // api.anthropic.com: paged models, messages
	Gemini    Flavor = "gemini"     // generativelanguage.googleapis.com: paged models, generateContent
)

// Fault is something wrong with one key, answered in the flavor's own shape.
type Fault string

// The faults.
const (
	FaultNone          Fault = ""
	FaultExhausted     Fault = "exhausted"       // quota used up
	FaultRateLimited   Fault = "rate_limited"    // 429 on every call
	FaultModelNotFound Fault = "model_not_found" // completions: no channel / unknown model
	FaultSuccessFalse  Fault = "success_false"   // HTTP 200 with an error body
	FaultChallenge     Fault = "challenge"       // an HTML bot-check page
	FaultSlow          Fault = "slow"            // answers after Server.SlowDelay
	FaultDisabled      Fault = "disabled"        // a disabled or expired token
	FaultStreamError   Fault = "stream_error"    // streamed calls: 200, then an error event mid-stream
)

// A Key is one API key the fake knows.
type Key struct {
	Value  string
	Models []string
	Fault  Fault
	// New API / One API token quota, in raw quota units.
	QuotaUsed, QuotaRemain int64
	Unlimited              bool
	ExpiresAt              int64 // unix seconds, 0 = never
	// Sub2API wallet and today's figures, in USD and counts.
	Balance                 float64
	TodayCost               float64
	TodayRequests           int64
	TodayInput, TodayOutput int64
	// Custom is returned as is by /custom/usage (a user-mapped endpoint).
	Custom map[string]any
	// Logs are the key's New API log rows (/api/log/token), newest first
	// as the server returns them.
	Logs []Log
}

// A Log is one New API log row. Its time is At, or, when At is zero, Ago
// before the moment it is asked for (so "today" rows stay today's).
type Log struct {
	At                       time.Time
	Ago                      time.Duration
	Type                     int // 2 consume; 1 top-up, 3 manage, 4 system, 5 error, 6 refund
	Model                    string
	Quota                    int64
	PromptTokens, Completion int64
}

// A Request is what the fake recorded of one call. Header values holding a
// key are kept so tests can prove where keys went.
type Request struct {
	Method, Path, Query string
	Header              http.Header
	Body                []byte
}

// Server is a running fake.
type Server struct {
	*httptest.Server
	Flavor Flavor
	// Latency is added to every answer (the refresh benchmark uses 50 ms).
	Latency time.Duration
	// SlowDelay is how long FaultSlow keys wait; default 5 s.
	SlowDelay time.Duration
	// QuotaPerUnit is what /api/status reports (New API family); 500000 by default.
	QuotaPerUnit float64
	// StatusOmitted makes /api/status answer 404, as some forks do.
	StatusOmitted bool
	// PageSize is the page size of paged model lists (Anthropic, Gemini).
	PageSize int
	// CriticalLimit, when positive, is how many /api/usage/token/ and
	// /api/log/token calls (together) New API's CriticalRateLimit lets
	// through (20 per 20 minutes per IP by default); later ones get its
	// bare 429 with an empty body.
	CriticalLimit int
	critical      int
	// InvalidTokenOnly plays New API since upstream 59c582d1 (2026-04-12):
	// every unusable token (exhausted, expired, disabled) gets 401 "Invalid
	// token" on the relay routes and the billing pair, while
	// /api/usage/token/ still answers (newapi-real.md). Off, the fake
	// answers as older versions do, naming the reason.
	InvalidTokenOnly bool
	// DisplayType is New API's quota_display_type (USD, CNY, TOKENS), the
	// unit of the billing pair; USD when empty. USDExchangeRate is its
	// usd_exchange_rate, 7.3 by default.
	DisplayType     string
	USDExchangeRate float64

	mu       sync.Mutex
	keys     map[string]*Key
	requests []Request
	record   bool
}

var (
	routesMu sync.Mutex
	routeSet []func(s *Server, mux *http.ServeMux)
)

// addRoutes registers a set of routes; each file of this package adds the
// endpoints of its family, deciding by s.Flavor which exist.
func addRoutes(f func(s *Server, mux *http.ServeMux)) {
	routesMu.Lock()
	defer routesMu.Unlock()
	routeSet = append(routeSet, f)
}

// New starts a fake of the given flavor on 127.0.0.1. Close it when done.
func New(flavor Flavor, keys ...*Key) *Server {
	s := &Server{Flavor: flavor, keys: map[string]*Key{}, SlowDelay: 5 * time.Second, QuotaPerUnit: 500000, PageSize: 2, record: true, USDExchangeRate: 7.3}
	for _, k := range keys {
		s.keys[k.Value] = k
	}
	mux := http.NewServeMux()
	routesMu.Lock()
	for _, f := range routeSet {
		f(s, mux)
	}
	routesMu.Unlock()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(fmt.Sprintf("fakerelay: listen: %v", err))
	}
	s.Server = &httptest.Server{Listener: ln, Config: &http.Server{Handler: s.wrap(mux)}}
	s.Start()
	return s
}

// AddKey adds or replaces a key.
func (s *Server) AddKey(k *Key) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keys[k.Value] = k
}

// Key returns the key with value v, or nil.
func (s *Server) Key(v string) *Key {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.keys[v]
}

// Record turns request recording on or off (off for benchmarks).
func (s *Server) Record(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.record = on
}

// Requests returns the calls recorded so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// Paths returns "METHOD /path" of the calls recorded so far.
func (s *Server) Paths() []string {
	var out []string
	for _, r := range s.Requests() {
		out = append(out, r.Method+" "+r.Path)
	}
	return out
}

func (s *Server) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body []byte
		if r.Body != nil {
			body, _ = readAll(r)
		}
		s.mu.Lock()
		if s.record {
			s.requests = append(s.requests, Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Header: r.Header.Clone(), Body: body})
		}
		lat := s.Latency
		s.mu.Unlock()
		if lat > 0 {
			select {
			case <-time.After(lat):
			case <-r.Context().Done():
				return
			}
		}
		r.Body = nopBody(body)
		h.ServeHTTP(w, r)
	})
}

// lookup returns the key a request carries, read the way the flavor reads
// it (provider-apis.md §1.1: New API takes Authorization, x-api-key on
// /v1/messages and /v1/models, and x-goog-api-key or ?key= on its model
// routes (/v1/models*, /v1beta/models*); old New API x-api-key only on
// /v1/messages; One API only Authorization; Sub2API
// Authorization, x-api-key, x-goog-api-key; Anthropic x-api-key; Gemini
// x-goog-api-key or ?key=). present is false when no key was sent at all.
func (s *Server) lookup(r *http.Request) (k *Key, present bool) {
	v := s.keyFrom(r)
	if v == "" {
		return nil, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.keys[v], true
}

func (s *Server) keyFrom(r *http.Request) string {
	bearer := func() string {
		a := r.Header.Get("Authorization")
		if a == "" {
			return ""
		}
		if len(a) > 7 && strings.EqualFold(a[:7], "bearer ") {
			return strings.TrimSpace(a[7:])
		}
		return strings.TrimSpace(a)
	}
	switch s.Flavor {
	case NewAPI, OldNewAPI:
		if v := bearer(); v != "" {
			return v
		}
		p := r.URL.Path
		if strings.Contains(p, "/v1/messages") || s.Flavor == NewAPI && strings.Contains(p, "/v1/models") {
			if v := r.Header.Get("x-api-key"); v != "" {
				return v
			}
		}
		if s.Flavor == NewAPI && (strings.HasPrefix(p, "/v1/models") || strings.HasPrefix(p, "/v1beta/models") || strings.HasPrefix(p, "/v1beta/openai/models")) {
			if v := r.Header.Get("x-goog-api-key"); v != "" {
				return v
			}
			return r.URL.Query().Get("key")
		}
		return ""
	case OneAPI, OpenAI:
		return bearer()
	case Sub2API:
		if v := bearer(); v != "" {
			return v
		}
		if v := r.Header.Get("x-api-key"); v != "" {
			return v
		}
		return r.Header.Get("x-goog-api-key")
	case Anthropic:
		return r.Header.Get("x-api-key")
	case Gemini:
		if v := r.Header.Get("x-goog-api-key"); v != "" {
			return v
		}
		return r.URL.Query().Get("key")
	}
	return bearer()
}

// Set changes the server's settings (Latency, SlowDelay, QuotaPerUnit, ...)
// while it serves: under the lock its handlers read them with.
func (s *Server) Set(change func(s *Server)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	change(s)
}

// delay sleeps for a FaultSlow key; false when the client gave up first.
func (s *Server) delay(r *http.Request, k *Key) bool {
	if k == nil || k.Fault != FaultSlow {
		return true
	}
	s.mu.Lock()
	wait := s.SlowDelay
	s.mu.Unlock()
	select {
	case <-time.After(wait):
		return true
	case <-r.Context().Done():
		return false
	}
}

// writeJSON writes v with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// challengePage is what a WAF in front of a relay answers a plain client.
const challengePage = `<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title>` +
	`<meta http-equiv="refresh" content="360"></head><body><div id="challenge-platform">` +
	`Checking your browser before accessing the site.</div><script src="/cdn-cgi/challenge-platform/h/b/orchestrate/chl_page/v1"></script></body></html>`

// spaPage is the index.html a New API site serves for unknown non-API paths.
const spaPage = `<!doctype html><html lang="zh"><head><meta charset="utf-8"><title>New API</title></head><body><div id="root"></div></body></html>`

// writeChallenge answers with the HTML challenge page (403, as Cloudflare does).
func writeChallenge(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/html; charset=UTF-8")
	w.Header().Set("Server", "cloudflare")
	w.WriteHeader(http.StatusForbidden)
	_, _ = w.Write([]byte(challengePage))
}

// writeSPA answers 200 text/html, as New API's NoRoute does for non-API paths.
func writeSPA(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte(spaPage))
}

// errorStyle is the error body shape of a flavor's relay routes.
func (s *Server) openAIError(w http.ResponseWriter, status int, message, typ, code string) {
	errType := typ
	if errType == "" {
		switch s.Flavor {
		case NewAPI, OldNewAPI:
			errType = "new_api_error"
		case OneAPI:
			errType = "one_api_error"
		default:
			errType = "invalid_request_error"
		}
	}
	if s.Flavor == NewAPI || s.Flavor == OldNewAPI || s.Flavor == OneAPI {
		message += " (request id: 20261130000000000000001)"
	}
	e := map[string]any{"message": message, "type": errType, "param": nil, "code": nil}
	if code != "" {
		e["code"] = code
	}
	writeJSON(w, status, map[string]any{"error": e})
}

// anthropicError writes the Claude error shape.
func anthropicError(w http.ResponseWriter, status int, typ, message string) {
	writeJSON(w, status, map[string]any{"type": "error", "error": map[string]any{"type": typ, "message": message}, "request_id": "req_fake"})
}

// googleError writes the Google error shape.
func googleError(w http.ResponseWriter, status int, gstatus, message, reason string) {
	e := map[string]any{"code": status, "message": message, "status": gstatus}
	if reason != "" {
		e["details"] = []any{map[string]any{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": reason, "domain": "googleapis.com"}}
	}
	writeJSON(w, status, map[string]any{"error": e})
}

// sub2Error writes Sub2API's middleware error shape.
func sub2Error(w http.ResponseWriter, status int, code, message string) {
	writeJSON(w, status, map[string]any{"code": code, "message": message})
}

// keyError answers a missing, unknown or faulty key in the flavor's own
// words and shape, and reports whether it did (the handler then stops).
// Faults that only completions show (model not found) pass through.
func (s *Server) keyError(w http.ResponseWriter, r *http.Request, k *Key, present bool) bool {
	if k != nil && k.Fault == FaultChallenge {
		writeChallenge(w)
		return true
	}
	if k == nil {
		switch s.Flavor {
		case NewAPI, OldNewAPI:
			msg := "Invalid token"
			if !present {
				msg = "未提供令牌"
			}
			s.openAIError(w, http.StatusUnauthorized, msg, "", "")
		case OneAPI:
			s.openAIError(w, http.StatusUnauthorized, "无效的令牌", "", "")
		case Sub2API:
			if !present {
				sub2Error(w, http.StatusUnauthorized, "API_KEY_REQUIRED", "API key is required")
			} else {
				sub2Error(w, http.StatusUnauthorized, "INVALID_API_KEY", "Invalid API key")
			}
		case OpenAI:
			s.openAIError(w, http.StatusUnauthorized, "Incorrect API key provided: sk-test***. You can find your API key at https://platform.openai.com/account/api-keys.", "invalid_request_error", "invalid_api_key")
		case Anthropic:
			anthropicError(w, http.StatusUnauthorized, "authentication_error", "invalid x-api-key")
		case Gemini:
			if !present {
				googleError(w, http.StatusForbidden, "PERMISSION_DENIED", "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.", "")
			} else {
				googleError(w, http.StatusBadRequest, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.", "API_KEY_INVALID")
			}
		}
		return true
	}
	if !s.delay(r, k) {
		return true
	}
	if s.Flavor == NewAPI && s.invalidTokenOnly() && (k.Fault == FaultDisabled || k.Fault == FaultExhausted || k.expired()) {
		s.openAIError(w, http.StatusUnauthorized, "Invalid token", "", "")
		return true
	}
	fault := k.Fault
	if fault == FaultNone && k.expired() {
		fault = FaultDisabled
	}
	switch fault {
	case FaultDisabled:
		switch s.Flavor {
		case NewAPI, OldNewAPI:
			s.openAIError(w, http.StatusUnauthorized, "This token has expired", "", "")
		case OneAPI:
			s.openAIError(w, http.StatusUnauthorized, "该令牌已过期", "", "")
		case Sub2API:
			sub2Error(w, http.StatusUnauthorized, "API_KEY_DISABLED", "API key is disabled")
		default:
			return s.keyError(w, r, nil, true)
		}
		return true
	case FaultRateLimited:
		switch s.Flavor {
		case NewAPI, OldNewAPI, OneAPI:
			s.openAIError(w, http.StatusTooManyRequests, "You have reached the request limit: 60 requests per minute", "", "")
		case Sub2API:
			anthropicError(w, http.StatusTooManyRequests, "rate_limit_error", "Rate limit exceeded")
		case OpenAI:
			s.openAIError(w, http.StatusTooManyRequests, "Rate limit reached for requests per min (RPM): Limit 3, Used 3, Requested 1.", "requests", "rate_limit_exceeded")
		case Anthropic:
			anthropicError(w, http.StatusTooManyRequests, "rate_limit_error", "Number of request tokens has exceeded your per-minute rate limit")
		case Gemini:
			googleError(w, http.StatusTooManyRequests, "RESOURCE_EXHAUSTED", "Resource has been exhausted (e.g. check quota).", "")
		}
		return true
	case FaultSuccessFalse:
		w.Header().Set("Content-Type", "application/json")
		writeJSON(w, http.StatusOK, map[string]any{"success": false, "message": "无权进行此操作，access token 无效"})
		return true
	}
	return false
}

// exhausted answers an exhausted key on a route that checks quota, in the
// flavor's shape, and reports whether it did.
func (s *Server) exhausted(w http.ResponseWriter, k *Key) bool {
	if k == nil || k.Fault != FaultExhausted {
		return false
	}
	switch s.Flavor {
	case NewAPI, OldNewAPI:
		s.openAIError(w, http.StatusUnauthorized, "This token quota is exhausted TokenStatusExhausted[sk-tes***xyz]", "", "")
	case OneAPI:
		s.openAIError(w, http.StatusUnauthorized, "令牌 hub（#12）额度已用尽", "", "")
	case Sub2API:
		sub2Error(w, http.StatusForbidden, "INSUFFICIENT_BALANCE", "Insufficient account balance")
	case OpenAI:
		s.openAIError(w, http.StatusTooManyRequests, "You exceeded your current quota, please check your plan and billing details.", "insufficient_quota", "insufficient_quota")
	case Anthropic:
		anthropicError(w, http.StatusBadRequest, "invalid_request_error", "Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits.")
	case Gemini:
		googleError(w, http.StatusTooManyRequests, "RESOURCE_EXHAUSTED", "You exceeded your current quota, please check your plan and billing details. Quota exceeded for metric: generate_content_free_tier_requests, limit: 0 quotaId: GenerateRequestsPerDayPerProjectPerModel-FreeTier", "")
	}
	return true
}

// expired reports whether the key's expiry has passed.
func (k *Key) expired() bool { return k.ExpiresAt > 0 && k.ExpiresAt <= time.Now().Unix() }

func (s *Server) invalidTokenOnly() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.InvalidTokenOnly
}

// hasModel reports whether the key may use model.
func (k *Key) hasModel(model string) bool {
	for _, m := range k.Models {
		if m == model {
			return true
		}
	}
	return false
}

func readAll(r *http.Request) ([]byte, error) {
	defer r.Body.Close()
	return io.ReadAll(io.LimitReader(r.Body, 4<<20))
}

func nopBody(b []byte) io.ReadCloser { return io.NopCloser(bytes.NewReader(b)) }

// The catch-all: what each flavor answers for a path it does not serve.
// New API and One API answer 404 "Invalid URL (METHOD /path)" under /v1 and
// /api and their web app's index.html (200 text/html) elsewhere; the
// official APIs and Sub2API answer a plain 404 in their error shape.
func init() {
	addRoutes(func(s *Server, mux *http.ServeMux) {
		mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
			invalid := fmt.Sprintf("Invalid URL (%s %s)", r.Method, r.URL.Path)
			switch s.Flavor {
			case NewAPI, OldNewAPI, OneAPI:
				if strings.HasPrefix(r.URL.Path, "/v1") || strings.HasPrefix(r.URL.Path, "/api") || strings.HasPrefix(r.URL.Path, "/assets") {
					typ := "invalid_request_error"
					s.openAIError(w, http.StatusNotFound, invalid, typ, "")
					return
				}
				writeSPA(w)
			case Anthropic:
				anthropicError(w, http.StatusNotFound, "not_found_error", "Not Found")
			case Gemini:
				googleError(w, http.StatusNotFound, "NOT_FOUND", "Requested entity was not found.", "")
			case Sub2API:
				writeJSON(w, http.StatusNotFound, map[string]any{"code": "NOT_FOUND", "message": "Not Found"})
			default:
				s.openAIError(w, http.StatusNotFound, invalid, "invalid_request_error", "unknown_url")
			}
		})
	})
}
