package openai

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hubctl/hub/credential"
	"github.com/hubctl/hub/providers"
	"github.com/hubctl/hub/providers/fakerelay"
	"github.com/hubctl/hub/secret"
)

const (
	goodKey    = "sk-test-openai-good-7f3a9c2e41d84b06"
	unknownKey = "sk-test-openai-unknown-5d1e8b7a9c3f"
)

// relayFlavors are the flavors that serve chat completions.
var relayFlavors = []fakerelay.Flavor{fakerelay.NewAPI, fakerelay.OldNewAPI, fakerelay.OneAPI, fakerelay.OpenAI}

// apiType is the API type a user gives a server of this flavor.
func apiType(fl fakerelay.Flavor) string {
	if fl == fakerelay.OpenAI {
		return credential.OpenAI
	}
	return credential.OpenAICompatible
}

func lookup(t *testing.T, fl fakerelay.Flavor) providers.Family {
	t.Helper()
	f, err := providers.Lookup(apiType(fl))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func client() *providers.Client {
	return providers.NewClient(providers.ClientOptions{Timeout: 20 * time.Second, RetryDelay: time.Millisecond})
}

func cred(base, key string, fl fakerelay.Flavor) *credential.Credential {
	return &credential.Credential{ID: "test_cred", APIType: apiType(fl), BaseURL: base, Key: secret.New(key)}
}

// serve starts a fake with one key carrying models and fault.
func serve(t *testing.T, fl fakerelay.Flavor, fault fakerelay.Fault, models ...string) *fakerelay.Server {
	t.Helper()
	if models == nil {
		models = []string{"gpt-4o-mini", "o3-mini", "gpt-5"}
	}
	s := fakerelay.New(fl, &fakerelay.Key{Value: goodKey, Models: models, Fault: fault})
	t.Cleanup(s.Close)
	return s
}

// wantFailure checks that err is a Failure of class and never shows a key.
func wantFailure(t *testing.T, err error, class providers.Class) *providers.Failure {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want a %s failure", class)
	}
	t.Log(err)
	f, ok := providers.AsFailure(err)
	if !ok {
		t.Fatalf("error %v (%T) is not a *providers.Failure", err, err)
	}
	if f.Class != class {
		t.Errorf("class = %s, want %s; error: %v", f.Class, class, err)
	}
	for _, k := range []string{goodKey, unknownKey} {
		if strings.Contains(err.Error(), k) {
			t.Errorf("error shows the key: %v", err)
		}
	}
	return f
}

// body decodes a recorded request body.
func body(t *testing.T, r fakerelay.Request) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		t.Fatalf("request body %q: %v", r.Body, err)
	}
	return m
}

func TestRegistered(t *testing.T) {
	for _, typ := range []string{credential.OpenAI, credential.OpenAICompatible} {
		f, err := providers.Lookup(typ)
		if err != nil {
			t.Fatal(err)
		}
		want := []providers.ProbeKind{providers.ProbeText, providers.ProbeTools, providers.ProbeStructured}
		if got := f.Probes(); !slices.Equal(got, want) {
			t.Errorf("%s Probes() = %v, want %v", typ, got, want)
		}
	}
}

func TestModels(t *testing.T) {
	listed := []string{"gpt-4o-mini", "models/gemini-2.5-flash", "o3-mini", "gpt-4o-mini", "claude-sonnet-4-5"}
	dedup := []string{"gpt-4o-mini", "gemini-2.5-flash", "o3-mini", "claude-sonnet-4-5"}
	for _, tc := range []struct {
		flavor fakerelay.Flavor
		models []string
		want   []string
	}{
		{fakerelay.NewAPI, listed, dedup},
		{fakerelay.OldNewAPI, listed, dedup},
		{fakerelay.OneAPI, listed, dedup},
		{fakerelay.OpenAI, listed, dedup},
		// Sub2API answers its fixed default list whatever the key may use.
		{fakerelay.Sub2API, listed, []string{"claude-opus-4-5-20251101", "claude-sonnet-4-5-20250929", "claude-haiku-4-5-20251001"}},
		// A token limited to nothing lists nothing: not an error.
		{fakerelay.NewAPI, []string{}, []string{}},
	} {
		t.Run(string(tc.flavor), func(t *testing.T) {
			s := serve(t, tc.flavor, fakerelay.FaultNone, tc.models...)
			l, err := lookup(t, tc.flavor).Models(context.Background(), client(), cred(s.URL, goodKey, tc.flavor))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, l.IDs()); diff != "" {
				t.Errorf("ids (-want +got):\n%s", diff)
			}
			if l.Endpoint != s.URL+"/v1/models" || l.Requests != 1 {
				t.Errorf("Endpoint, Requests = %q, %d; want %q, 1", l.Endpoint, l.Requests, s.URL+"/v1/models")
			}
			reqs := s.Requests()
			if len(reqs) != 1 || reqs[0].Method != "GET" || reqs[0].Path != "/v1/models" {
				t.Fatalf("requests = %v, want one GET /v1/models", s.Paths())
			}
			if got := reqs[0].Header.Get("Authorization"); got != "Bearer "+goodKey {
				t.Errorf("Authorization = %q, want the key as Bearer", got)
			}
		})
	}
}

// TestModelsFallback plays a gateway whose base URL already carries its API
// prefix (/openai, in place of /v1): /openai/v1/models is a 404, and
// /openai/models is the list.
func TestModelsFallback(t *testing.T) {
	s := serve(t, fakerelay.OpenAI, fakerelay.FaultNone, "gpt-4o-mini")
	var (
		mu   sync.Mutex
		seen []string
	)
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Method+" "+r.URL.Path)
		mu.Unlock()
		if r.URL.Path == "/openai/models" {
			r.URL.Path = "/v1/models"
		}
		s.Config.Handler.ServeHTTP(w, r)
	}))
	defer front.Close()
	c := cred(front.URL+"/openai", goodKey, fakerelay.OpenAI)
	l, err := lookup(t, fakerelay.OpenAI).Models(context.Background(), client(), c)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(l.IDs(), []string{"gpt-4o-mini"}) || l.Endpoint != front.URL+"/openai/models" || l.Requests != 2 {
		t.Errorf("got %v from %q in %d requests; want [gpt-4o-mini] from %s/openai/models in 2", l.IDs(), l.Endpoint, l.Requests, front.URL)
	}
	mu.Lock()
	defer mu.Unlock()
	if want := []string{"GET /openai/v1/models", "GET /openai/models"}; !slices.Equal(seen, want) {
		t.Errorf("requests = %v, want %v", seen, want)
	}
}

// TestModelsNoFallback: the fallback is for a 404 or 405 only. An HTML page
// (a base URL at the web app) and a base that ends in a version are
// answered by the first request.
func TestModelsNoFallback(t *testing.T) {
	for _, tc := range []struct {
		name, suffix string
		class        providers.Class
		path         string
	}{
		{"SPA", "/console", providers.ClassWrongURL, "/console/v1/models"},
		{"versioned base", "/api/v3", providers.ClassWrongURL, "/api/v3/models"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := serve(t, fakerelay.NewAPI, fakerelay.FaultNone)
			_, err := lookup(t, fakerelay.NewAPI).Models(context.Background(), client(), cred(s.URL+tc.suffix, goodKey, fakerelay.NewAPI))
			wantFailure(t, err, tc.class)
			if want := []string{"GET " + tc.path}; !slices.Equal(s.Paths(), want) {
				t.Errorf("requests = %v, want %v", s.Paths(), want)
			}
		})
	}
}

func TestModelsFailures(t *testing.T) {
	type tcase struct {
		flavor fakerelay.Flavor
		fault  fakerelay.Fault
		key    string
		class  providers.Class
	}
	var cases []tcase
	for _, fl := range []fakerelay.Flavor{fakerelay.NewAPI, fakerelay.OldNewAPI, fakerelay.OneAPI, fakerelay.Sub2API, fakerelay.OpenAI} {
		cases = append(cases,
			tcase{fl, fakerelay.FaultNone, unknownKey, providers.ClassInvalidKey},
			tcase{fl, fakerelay.FaultDisabled, goodKey, providers.ClassInvalidKey},
			tcase{fl, fakerelay.FaultRateLimited, goodKey, providers.ClassRateLimited},
			tcase{fl, fakerelay.FaultChallenge, goodKey, providers.ClassBlocked},
			// The 200 success:false body has no words hub knows, so it
			// is reported as an unexpected answer with its message.
			tcase{fl, fakerelay.FaultSuccessFalse, goodKey, providers.ClassInvalidKey},
		)
		if fl != fakerelay.OpenAI { // official OpenAI lists models for an account out of credit
			cases = append(cases, tcase{fl, fakerelay.FaultExhausted, goodKey, providers.ClassQuota})
		}
	}
	for _, tc := range cases {
		t.Run(string(tc.flavor)+"/"+string(tc.fault)+"/"+tc.key[len("sk-test-openai-"):], func(t *testing.T) {
			s := serve(t, tc.flavor, tc.fault)
			_, err := lookup(t, tc.flavor).Models(context.Background(), client(), cred(s.URL, tc.key, tc.flavor))
			f := wantFailure(t, err, tc.class)
			if f.Endpoint != "GET "+s.URL+"/v1/models" {
				t.Errorf("Endpoint = %q", f.Endpoint)
			}
		})
	}
}

func TestModelsTimeout(t *testing.T) {
	s := serve(t, fakerelay.NewAPI, fakerelay.FaultSlow)
	s.SlowDelay = time.Minute
	cl := providers.NewClient(providers.ClientOptions{Timeout: 150 * time.Millisecond, RetryDelay: time.Millisecond})
	_, err := lookup(t, fakerelay.NewAPI).Models(context.Background(), cl, cred(s.URL, goodKey, fakerelay.NewAPI))
	wantFailure(t, err, providers.ClassTimeout)
}

func TestCancelled(t *testing.T) {
	s := serve(t, fakerelay.OpenAI, fakerelay.FaultNone)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	f := lookup(t, fakerelay.OpenAI)
	c := cred(s.URL, goodKey, fakerelay.OpenAI)
	if _, err := f.Models(ctx, client(), c); !errors.Is(err, context.Canceled) {
		t.Errorf("Models error = %v, want context.Canceled", err)
	}
	for _, kind := range []providers.ProbeKind{providers.ProbeText, providers.ProbeCodex} {
		if err := f.Probe(ctx, client(), c, kind, "gpt-4o-mini"); !errors.Is(err, context.Canceled) {
			t.Errorf("%s probe error = %v, want context.Canceled", kind, err)
		}
	}
}

func TestSuggestModel(t *testing.T) {
	for _, tc := range []struct {
		ids  []string
		want string
	}{
		{nil, ""},
		{[]string{"claude-3", "deepseek-chat"}, "claude-3"},
		{[]string{"claude-3", "o3-mini", "gpt-4o"}, "o3-mini"},
		{[]string{"deepseek", "GPT-4o"}, "GPT-4o"},
		{[]string{"omni-moderation", "qwen"}, "omni-moderation"},
		{[]string{"qwen", "omni-moderation"}, "qwen"},
	} {
		if got := lookup(t, fakerelay.NewAPI).SuggestModel(tc.ids); got != tc.want {
			t.Errorf("SuggestModel(%v) = %q, want %q", tc.ids, got, tc.want)
		}
	}
}

func TestProbesPass(t *testing.T) {
	for _, fl := range relayFlavors {
		for _, kind := range []providers.ProbeKind{providers.ProbeText, providers.ProbeTools, providers.ProbeStructured} {
			t.Run(string(fl)+"/"+string(kind), func(t *testing.T) {
				s := serve(t, fl, fakerelay.FaultNone)
				if err := lookup(t, fl).Probe(context.Background(), client(), cred(s.URL, goodKey, fl), kind, "gpt-4o-mini"); err != nil {
					t.Fatal(err)
				}
				reqs := s.Requests()
				if len(reqs) != 1 || reqs[0].Method != "POST" || reqs[0].Path != "/v1/chat/completions" {
					t.Fatalf("requests = %v, want one POST /v1/chat/completions", s.Paths())
				}
				if got := reqs[0].Header.Get("Authorization"); got != "Bearer "+goodKey {
					t.Errorf("Authorization = %q", got)
				}
				b := body(t, reqs[0])
				if b["model"] != "gpt-4o-mini" {
					t.Errorf("model = %v", b["model"])
				}
				switch kind {
				case providers.ProbeText:
					if b["max_tokens"] != float64(1) {
						t.Errorf("max_tokens = %v, want 1", b["max_tokens"])
					}
				case providers.ProbeTools:
					if got, _ := json.Marshal(b["tool_choice"]); string(got) != `{"function":{"name":"verify_tool"},"type":"function"}` {
						t.Errorf("tool_choice = %s", got)
					}
				case providers.ProbeStructured:
					if rf, _ := b["response_format"].(map[string]any); rf["type"] != "json_schema" {
						t.Errorf("response_format = %v", b["response_format"])
					}
				}
			})
		}
	}
}

// TestProbeMaxTokensRetry: official reasoning models refuse max_tokens; the
// probe retries once with max_completion_tokens.
func TestProbeMaxTokensRetry(t *testing.T) {
	for _, tc := range []struct {
		model string
		kind  providers.ProbeKind
		limit float64
	}{
		{"o3-mini", providers.ProbeText, textTokens},
		{"gpt-5", providers.ProbeTools, reasoningTokens},
		{"o3-mini", providers.ProbeStructured, reasoningTokens},
	} {
		t.Run(tc.model+"/"+string(tc.kind), func(t *testing.T) {
			s := serve(t, fakerelay.OpenAI, fakerelay.FaultNone)
			if err := lookup(t, fakerelay.OpenAI).Probe(context.Background(), client(), cred(s.URL, goodKey, fakerelay.OpenAI), tc.kind, tc.model); err != nil {
				t.Fatal(err)
			}
			reqs := s.Requests()
			if len(reqs) != 2 {
				t.Fatalf("requests = %v, want two", s.Paths())
			}
			first, second := body(t, reqs[0]), body(t, reqs[1])
			if _, ok := first["max_tokens"]; !ok {
				t.Errorf("first request has no max_tokens: %v", first)
			}
			if _, ok := second["max_tokens"]; ok || second["max_completion_tokens"] != tc.limit {
				t.Errorf("retry = %v, want max_completion_tokens %v and no max_tokens", second, tc.limit)
			}
		})
	}
}

func TestProbeFailures(t *testing.T) {
	for _, tc := range []struct {
		flavor fakerelay.Flavor
		fault  fakerelay.Fault
		key    string
		model  string
		class  providers.Class
		status int
	}{
		{fakerelay.NewAPI, fakerelay.FaultNone, goodKey, "gpt-4.1", providers.ClassModelNotFound, 503},
		{fakerelay.OldNewAPI, fakerelay.FaultNone, goodKey, "gpt-4.1", providers.ClassModelNotFound, 503},
		{fakerelay.OneAPI, fakerelay.FaultNone, goodKey, "gpt-4.1", providers.ClassModelNotFound, 503},
		{fakerelay.OpenAI, fakerelay.FaultNone, goodKey, "gpt-4.1", providers.ClassModelNotFound, 404},
		{fakerelay.NewAPI, fakerelay.FaultModelNotFound, goodKey, "gpt-4o-mini", providers.ClassModelNotFound, 503},
		{fakerelay.OpenAI, fakerelay.FaultExhausted, goodKey, "gpt-4o-mini", providers.ClassQuota, 429},
		{fakerelay.NewAPI, fakerelay.FaultExhausted, goodKey, "gpt-4o-mini", providers.ClassQuota, 401},
		{fakerelay.OneAPI, fakerelay.FaultNone, unknownKey, "gpt-4o-mini", providers.ClassInvalidKey, 401},
		{fakerelay.OpenAI, fakerelay.FaultNone, unknownKey, "gpt-4o-mini", providers.ClassInvalidKey, 401},
		{fakerelay.OpenAI, fakerelay.FaultRateLimited, goodKey, "gpt-4o-mini", providers.ClassRateLimited, 429},
		{fakerelay.NewAPI, fakerelay.FaultChallenge, goodKey, "gpt-4o-mini", providers.ClassBlocked, 403},
		{fakerelay.NewAPI, fakerelay.FaultSuccessFalse, goodKey, "gpt-4o-mini", providers.ClassInvalidKey, 200},
		// Sub2API serves no chat completions: a 404, as a wrong base URL.
		{fakerelay.Sub2API, fakerelay.FaultNone, goodKey, "gpt-4o-mini", providers.ClassWrongURL, 404},
	} {
		t.Run(string(tc.flavor)+"/"+string(tc.fault)+"/"+tc.model, func(t *testing.T) {
			s := serve(t, tc.flavor, tc.fault)
			err := lookup(t, tc.flavor).Probe(context.Background(), client(), cred(s.URL, tc.key, tc.flavor), providers.ProbeText, tc.model)
			f := wantFailure(t, err, tc.class)
			if f.Status != tc.status || f.Endpoint != "POST "+s.URL+"/v1/chat/completions" {
				t.Errorf("Status, Endpoint = %d, %q; want %d, POST …/v1/chat/completions", f.Status, f.Endpoint, tc.status)
			}
			if n := len(s.Requests()); n != 1 {
				t.Errorf("%d requests, want 1 (a POST is not retried)", n)
			}
		})
	}
}

func TestProbeNoModelOrKind(t *testing.T) {
	f := lookup(t, fakerelay.NewAPI)
	c := cred("http://127.0.0.1:1", goodKey, fakerelay.NewAPI)
	wantFailure(t, f.Probe(context.Background(), client(), c, providers.ProbeClaude, "gpt-4o"), providers.ClassUnsupported)
	wantFailure(t, f.Probe(context.Background(), client(), c, providers.ProbeGemini, "gpt-4o"), providers.ClassUnsupported)
	wantFailure(t, f.Probe(context.Background(), client(), c, providers.ProbeText, ""), providers.ClassModelNotFound)
}

// TestProbeBadAnswers runs the probes against a server whose 200 answers
// are not what the probes ask for.
func TestProbeBadAnswers(t *testing.T) {
	for _, tc := range []struct {
		name   string
		kind   providers.ProbeKind
		answer string
	}{
		{"no choices", providers.ProbeText, `{"id":"chatcmpl-1","object":"chat.completion","choices":[]}`},
		{"not JSON", providers.ProbeText, `OK`},
		{"no tool call", providers.ProbeTools, `{"choices":[{"message":{"role":"assistant","content":"I cannot call tools"},"finish_reason":"stop"}]}`},
		{"other tool", providers.ProbeTools, `{"choices":[{"message":{"tool_calls":[{"type":"function","function":{"name":"other","arguments":"{}"}}]},"finish_reason":"tool_calls"}]}`},
		{"prose", providers.ProbeStructured, `{"choices":[{"message":{"content":"Sure! ok is true."},"finish_reason":"stop"}]}`},
		{"ok false", providers.ProbeStructured, `{"choices":[{"message":{"content":"{\"ok\":false}"},"finish_reason":"stop"}]}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write([]byte(tc.answer))
			}))
			defer srv.Close()
			err := lookup(t, fakerelay.NewAPI).Probe(context.Background(), client(), cred(srv.URL, goodKey, fakerelay.NewAPI), tc.kind, "gpt-4o-mini")
			f := wantFailure(t, err, providers.ClassBadAnswer)
			if f.Status != 200 || f.Endpoint != "POST "+srv.URL+"/v1/chat/completions" {
				t.Errorf("Status, Endpoint = %d, %q", f.Status, f.Endpoint)
			}
		})
	}
}

// TestProbeLenientAnswers: answers that are odd but right still pass.
func TestProbeLenientAnswers(t *testing.T) {
	for _, tc := range []struct {
		name   string
		kind   providers.ProbeKind
		answer string
	}{
		{"cut text", providers.ProbeText, `{"choices":[{"message":{"content":"O"},"finish_reason":"length"}]}`},
		{"legacy function_call", providers.ProbeTools, `{"choices":[{"message":{"function_call":{"name":"verify_tool","arguments":"{}"}}}]}`},
		{"fenced JSON", providers.ProbeStructured, "{\"choices\":[{\"message\":{\"content\":\"```json\\n{\\\"ok\\\": true}\\n```\"}}]}"},
		{"content parts", providers.ProbeStructured, `{"choices":[{"message":{"content":[{"type":"text","text":"{\"ok\":true}"}]}}]}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write([]byte(tc.answer))
			}))
			defer srv.Close()
			if err := lookup(t, fakerelay.NewAPI).Probe(context.Background(), client(), cred(srv.URL, goodKey, fakerelay.NewAPI), tc.kind, "gpt-4o-mini"); err != nil {
				t.Error(err)
			}
		})
	}
}

func TestCodexProbe(t *testing.T) {
	for _, fl := range []fakerelay.Flavor{fakerelay.NewAPI, fakerelay.Sub2API, fakerelay.OpenAI} {
		t.Run(string(fl), func(t *testing.T) {
			s := serve(t, fl, fakerelay.FaultNone, "gpt-5-codex")
			if err := lookup(t, fl).Probe(context.Background(), client(), cred(s.URL, goodKey, fl), providers.ProbeCodex, "gpt-5-codex"); err != nil {
				t.Fatal(err)
			}
			reqs := s.Requests()
			if len(reqs) != 1 || reqs[0].Method != "POST" || reqs[0].Path != "/v1/responses" {
				t.Fatalf("requests = %v, want one POST /v1/responses", s.Paths())
			}
			r := reqs[0]
			if r.Header.Get("Authorization") != "Bearer "+goodKey || r.Header.Get("Accept") != "text/event-stream" {
				t.Errorf("Authorization %q, Accept %q", r.Header.Get("Authorization"), r.Header.Get("Accept"))
			}
			want := map[string]any{"model": "gpt-5-codex", "instructions": "", "stream": true, "store": false,
				"input": []any{map[string]any{"role": "user", "content": "hi"}}}
			if diff := cmp.Diff(want, body(t, r)); diff != "" {
				t.Errorf("body (-want +got), must be Codex's shape with no max_output_tokens:\n%s", diff)
			}
		})
	}
}

func TestCodexProbeFailures(t *testing.T) {
	for _, tc := range []struct {
		flavor fakerelay.Flavor
		fault  fakerelay.Fault
		model  string
		class  providers.Class
		status int
	}{
		// 200, then the stream fails: response.failed with server_error.
		{fakerelay.OpenAI, fakerelay.FaultStreamError, "gpt-5-codex", providers.ClassServer, 200},
		{fakerelay.NewAPI, fakerelay.FaultStreamError, "gpt-5-codex", providers.ClassServer, 200},
		// 200, then an error event in the Claude error shape.
		{fakerelay.Sub2API, fakerelay.FaultStreamError, "gpt-5-codex", providers.ClassUpstream, 200},
		{fakerelay.NewAPI, fakerelay.FaultNone, "gpt-4.1", providers.ClassModelNotFound, 503},
		{fakerelay.OpenAI, fakerelay.FaultNone, "gpt-4.1", providers.ClassModelNotFound, 404},
		{fakerelay.Sub2API, fakerelay.FaultExhausted, "gpt-5-codex", providers.ClassQuota, 403},
		{fakerelay.OpenAI, fakerelay.FaultRateLimited, "gpt-5-codex", providers.ClassRateLimited, 429},
		// One API has no Responses API.
		{fakerelay.OneAPI, fakerelay.FaultNone, "gpt-5-codex", providers.ClassWrongURL, 404},
	} {
		t.Run(string(tc.flavor)+"/"+string(tc.fault)+"/"+tc.model, func(t *testing.T) {
			s := serve(t, tc.flavor, tc.fault, "gpt-5-codex")
			err := lookup(t, tc.flavor).Probe(context.Background(), client(), cred(s.URL, goodKey, tc.flavor), providers.ProbeCodex, tc.model)
			f := wantFailure(t, err, tc.class)
			if f.Status != tc.status || f.Endpoint != "POST "+s.URL+"/v1/responses" {
				t.Errorf("Status, Endpoint = %d, %q; want %d, POST …/v1/responses", f.Status, f.Endpoint, tc.status)
			}
		})
	}
}

func TestReadCodexStream(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		class      providers.Class // "" means pass
	}{
		{"completed without event lines", "data: {\"type\":\"response.created\"}\n\ndata: {\"type\":\"response.completed\",\"response\":{\"error\":null}}\n\n", ""},
		{"no completed", "event: response.created\ndata: {\"type\":\"response.created\"}\n\nevent: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\",\"delta\":\"hi\"}\n\n", providers.ClassBadAnswer},
		{"incomplete", "event: response.incomplete\ndata: {\"type\":\"response.incomplete\",\"response\":{\"incomplete_details\":{\"reason\":\"max_output_tokens\"}}}\n\n", providers.ClassBadAnswer},
		{"failed with rate limit", "event: response.failed\ndata: {\"type\":\"response.failed\",\"response\":{\"error\":{\"code\":\"rate_limit_exceeded\",\"message\":\"Rate limit reached\"}}}\n\n", providers.ClassRateLimited},
		{"failed without error", "event: response.failed\ndata: {\"type\":\"response.failed\",\"response\":{}}\n\n", providers.ClassServer},
		{"error event", "event: error\ndata: {\"type\":\"error\",\"code\":\"insufficient_quota\",\"message\":\"You exceeded your current quota\"}\n\n", providers.ClassQuota},
		{"bare error line", "data: {\"error\":{\"message\":\"No available channel for model x\",\"code\":\"model_not_found\"}}\n\n", providers.ClassModelNotFound},
		{"not a stream", `{"id":"resp_1","object":"response","status":"completed"}`, providers.ClassBadAnswer},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := readCodexStream(&providers.Response{Status: 200, Body: []byte(tc.body), Endpoint: "POST http://relay/v1/responses"})
			if tc.class == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			wantFailure(t, err, tc.class)
		})
	}
}

func TestParseModels(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		want       []string
		class      providers.Class
	}{
		{"bare array", `[{"id":"a"},{"id":"b"},{"id":"a"}]`, []string{"a", "b"}, ""},
		{"strings", `{"data":["x","models/y"]}`, []string{"x", "y"}, ""},
		{"anthropic shape", `{"data":[{"id":"claude-x","type":"model","display_name":"Claude X"}],"has_more":false}`, []string{"claude-x"}, ""},
		{"null data", `{"object":"list","data":null}`, []string{}, ""},
		{"no data", `{"object":"list","models":[]}`, nil, providers.ClassBadAnswer},
		{"not JSON", `models: a, b`, nil, providers.ClassBadAnswer},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ms, err := parseModels(&providers.Response{Status: 200, Body: []byte(tc.body)})
			if tc.class != "" {
				wantFailure(t, err, tc.class)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			l := providers.ModelList{Models: ms}
			if !slices.Equal(l.IDs(), tc.want) {
				t.Errorf("ids = %v, want %v", l.IDs(), tc.want)
			}
		})
	}
}

// TestModelsFallbackMissing: when the fallback is not there either, the
// failure shown is the canonical endpoint's.
func TestModelsFallbackMissing(t *testing.T) {
	s := serve(t, fakerelay.OpenAI, fakerelay.FaultNone)
	_, err := lookup(t, fakerelay.OpenAI).Models(context.Background(), client(), cred(s.URL+"/nothing", goodKey, fakerelay.OpenAI))
	f := wantFailure(t, err, providers.ClassWrongURL)
	if f.Endpoint != "GET "+s.URL+"/nothing/v1/models" {
		t.Errorf("Endpoint = %q, want the /nothing/v1/models one", f.Endpoint)
	}
	if want := []string{"GET /nothing/v1/models", "GET /nothing/models"}; !slices.Equal(s.Paths(), want) {
		t.Errorf("requests = %v, want %v", s.Paths(), want)
	}
}
