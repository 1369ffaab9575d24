// Package usage reads a credential's balance and usage with the methods a
// usage block names: newapi (New API's /api/usage/token/), sub2api
// (Sub2API's /v1/usage), openai_billing (the OpenAI-compatible dashboard
// billing pair), custom (a read-only endpoint the user maps with dot paths),
// auto (the first three in All API Hub's order) and disabled. Each registers
// itself with providers.RegisterUsage; import this package for its effect.
//
// Every reader fills Usage.Source, Usage.Attempts (one per endpoint called)
// and Usage.Requests. A failure is a *providers.Failure, or ctx.Err() when
// the context ended; the Usage returned beside a failure, when not nil, still
// lists the attempts made, so the caller can show what was tried.
package usage

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/hubctl/hub/credential"
	"github.com/hubctl/hub/providers"
	"github.com/hubctl/hub/secret"
)

// The method names, as a usage block writes them.
const (
	MethodAuto          = "auto"
	MethodNewAPI        = "newapi"
	MethodSub2API       = "sub2api"
	MethodOpenAIBilling = "openai_billing"
	MethodCustom        = "custom"
	MethodDisabled      = "disabled"
)

// The statuses of an Attempt.
const (
	StatusSuccess     = "success"
	StatusUnsupported = "unsupported"
	StatusError       = "error"
)

func init() {
	providers.RegisterUsage(MethodNewAPI, newAPIReader{single{MethodNewAPI, readNewAPI}})
	providers.RegisterUsage(MethodSub2API, single{MethodSub2API, readSub2API})
	providers.RegisterUsage(MethodOpenAIBilling, single{MethodOpenAIBilling, readBilling})
	providers.RegisterUsage(MethodCustom, single{MethodCustom, readCustom})
	providers.RegisterUsage(MethodAuto, auto{})
	providers.RegisterUsage(MethodDisabled, disabled{})
}

// A readFunc reads usage with one method into u, recording its calls.
type readFunc func(ctx context.Context, r *run) error

// single is a reader of one method.
type single struct {
	source string
	read   readFunc
}

func (s single) ReadUsage(ctx context.Context, cl *providers.Client, c *credential.Credential) (*providers.Usage, error) {
	r := &run{cl: cl, c: c, u: &providers.Usage{Source: s.source}}
	if err := s.read(ctx, r); err != nil {
		return r.u, err
	}
	return r.u, nil
}

// disabled reads nothing: the user turned usage reading off.
type disabled struct{}

func (disabled) ReadUsage(context.Context, *providers.Client, *credential.Credential) (*providers.Usage, error) {
	return nil, nil
}

// auto tries New API's token usage, then Sub2API's usage, then the billing
// pair, the order All API Hub uses: billing comes last because gateways
// answer it with made-up limits. An endpoint that is not there (404, 405,
// Invalid URL, an HTML page, a refusal of secret keys, an answer of another
// shape) sends it on to the next; anything that says something about the key
// or the connection (invalid key, quota, rate limit, TLS, network, timeout,
// a bot check, cancellation) stops it, since the next endpoint would only
// say the same; but a rate limit on New API's token usage goes on to the
// billing pair, which that limit does not cover.
type auto struct{}

var autoOrder = []struct {
	source string
	read   readFunc
}{
	{MethodNewAPI, readNewAPI},
	{MethodSub2API, readSub2API},
	{MethodOpenAIBilling, readBilling},
}

func (auto) ReadUsage(ctx context.Context, cl *providers.Client, c *credential.Credential) (*providers.Usage, error) {
	all := &providers.Usage{}
	var limited error
	for _, m := range autoOrder {
		r := &run{cl: cl, c: c, u: &providers.Usage{Source: m.source}}
		err := m.read(ctx, r)
		all.Attempts = append(all.Attempts, r.u.Attempts...)
		all.Requests += r.u.Requests
		if err == nil {
			r.u.Attempts, r.u.Requests = all.Attempts, all.Requests
			return r.u, nil
		}
		f, ok := providers.AsFailure(err)
		if ok && m.source == MethodNewAPI && f.Class == providers.ClassRateLimited {
			// New API guards /api/usage/token/ with its per-IP critical
			// limit (20 calls per 20 minutes by default): with many keys of
			// one site the rest are refused there, but the billing pair,
			// under the normal limits, still tells the balance.
			limited = err
			continue
		}
		if !ok || !f.Unsupported() {
			return all, err
		}
	}
	if limited != nil {
		return all, limited
	}
	tried := make([]string, len(all.Attempts))
	for i, a := range all.Attempts {
		tried[i] = a.Endpoint
	}
	return all, &providers.Failure{Class: providers.ClassUnsupported,
		Message: fmt.Sprintf("no usage endpoint answered (tried %s); if the panel has another read-only endpoint, set usage { method = \"custom\" }, else method = \"disabled\"", strings.Join(tried, ", "))}
}

// run is one reading: the client, the credential and the Usage it fills.
type run struct {
	cl *providers.Client
	c  *credential.Credential
	u  *providers.Usage
}

// get makes one GET and records it as an attempt: failed ones here, with
// their status; answered ones are recorded by the caller through done, once
// it knows whether the answer was of the expected shape.
func (r *run) get(ctx context.Context, source, rawURL string, auth providers.Auth, raw bool) (*providers.Response, error) {
	return r.do(ctx, source, providers.Request{URL: rawURL, Auth: auth, Raw: raw})
}

// do is get with a whole Request (a critical one, for New API's budget).
func (r *run) do(ctx context.Context, source string, req providers.Request) (*providers.Response, error) {
	r.u.Requests++
	resp, err := r.cl.Do(ctx, r.c, req)
	if err != nil {
		r.fail(source, endpointOf(req.URL), err)
		return nil, err
	}
	return resp, nil
}

// fail records a failed attempt.
func (r *run) fail(source, endpoint string, err error) {
	status := StatusError
	if f, ok := providers.AsFailure(err); ok {
		if f.Unsupported() {
			status = StatusUnsupported
		}
		if f.Endpoint != "" {
			endpoint = f.Endpoint
		}
	}
	r.u.Attempts = append(r.u.Attempts, providers.Attempt{Source: source, Endpoint: endpoint, Status: status, Message: err.Error()})
}

// done records an answered attempt.
func (r *run) done(source string, resp *providers.Response, message string) {
	r.u.Attempts = append(r.u.Attempts, providers.Attempt{Source: source, Endpoint: resp.Endpoint, Status: StatusSuccess, Message: message})
}

// wrongShape records and returns the failure for a 2xx answer that is not
// the API expected: some other service lives at that path, so for auto it
// is not there.
func (r *run) wrongShape(source string, resp *providers.Response, what string) error {
	f := &providers.Failure{Class: providers.ClassUnsupported, Status: resp.Status, Endpoint: resp.Endpoint,
		Message: "the answer is not " + what}
	r.fail(source, resp.Endpoint, f)
	return f
}

// shaped returns the object of an answer that holds one of fields, at the
// top or under "data"; any other answer is a wrongShape.
func (r *run) shaped(source string, resp *providers.Response, what string, fields ...string) (map[string]any, error) {
	m, ok := decodeObject(resp.Body)
	if ok {
		if obj, ok := payload(m, fields...); ok {
			return obj, nil
		}
	}
	return nil, r.wrongShape(source, resp, what)
}

// endpointOf is "GET <url>" without query or fragment, for attempts.
func endpointOf(raw string) string {
	if _, err := url.Parse(raw); err != nil {
		return "GET (unparsable URL)"
	}
	return "GET " + secret.RedactURL(raw)
}

// decodeObject decodes a JSON object keeping numbers exact, or returns
// false when the body is not one.
func decodeObject(body []byte) (map[string]any, bool) {
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber()
	var m map[string]any
	if d.Decode(&m) != nil || m == nil {
		return nil, false
	}
	return m, true
}

// payload unwraps a {"success","data"} or {"code","data"} envelope: it
// returns m itself when m holds any of the fields, else m["data"] when that
// is an object holding one of them.
func payload(m map[string]any, fields ...string) (map[string]any, bool) {
	for _, f := range fields {
		if _, ok := m[f]; ok {
			return m, true
		}
	}
	if d, ok := m["data"].(map[string]any); ok {
		for _, f := range fields {
			if _, ok := d[f]; ok {
				return d, true
			}
		}
	}
	return nil, false
}

// number reads a JSON number or a numeric string.
func number(v any) (float64, bool) {
	var f float64
	switch x := v.(type) {
	case json.Number:
		var err error
		if f, err = x.Float64(); err != nil {
			return 0, false
		}
	case string:
		var err error
		if f, err = strconv.ParseFloat(strings.TrimSpace(x), 64); err != nil {
			return 0, false
		}
	case float64:
		f = x
	default:
		return 0, false
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}

// field reads m[key] as a number.
func field(m map[string]any, key string) (float64, bool) {
	if m == nil {
		return 0, false
	}
	return number(m[key])
}

// object reads m[key] as an object.
func object(m map[string]any, key string) map[string]any {
	if m == nil {
		return nil
	}
	o, _ := m[key].(map[string]any)
	return o
}

// expiry reads an expiry time: unix seconds or milliseconds (values from
// 1e12 up are milliseconds, as All API Hub reads them) or an RFC 3339
// string; zero, negative or absent means it never expires.
func expiry(v any) *time.Time {
	if s, ok := v.(string); ok {
		if t, err := time.Parse(time.RFC3339, strings.TrimSpace(s)); err == nil {
			return &t
		}
	}
	f, ok := number(v)
	if !ok || f <= 0 {
		return nil
	}
	var t time.Time
	if f >= 1e12 {
		t = time.UnixMilli(int64(f)).UTC()
	} else {
		t = time.Unix(int64(f), 0).UTC()
	}
	return &t
}

func ptr[T any](v T) *T { return &v }
