package google

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hubctl/hub/credential"
	"github.com/hubctl/hub/providers"
	"github.com/hubctl/hub/providers/fakerelay"
	"github.com/hubctl/hub/secret"
)

const (
	goodKey = "sk-test-gemini-good-0001"
	badKey  = "sk-test-gemini-unknown-0002"
)

// gemini-2.5-flash is a thinking model: given one output token it answers
// MAX_TOKENS with no text. gemini-2.0-flash answers "OK".
var geminiModels = []string{"gemini-2.0-flash", "gemini-2.5-flash", "gemini-2.5-pro", "gemma-3-27b-it", "gemini-2.0-flash-lite"}

func client(timeout time.Duration) *providers.Client {
	return providers.NewClient(providers.ClientOptions{Timeout: timeout, RetryDelay: time.Millisecond})
}

// fake starts a fake and forgets, when the test ends, any scheme learnt for
// its base URL (a later fake may get the same port).
func fake(t *testing.T, flavor fakerelay.Flavor, keys ...*fakerelay.Key) *fakerelay.Server {
	t.Helper()
	s := fakerelay.New(flavor, keys...)
	t.Cleanup(func() {
		s.Close()
		keyAuth.Forget(s.URL)
	})
	return s
}

func cred(s *fakerelay.Server, key string) *credential.Credential {
	return &credential.Credential{ID: "gemini-test", APIType: credential.Google, BaseURL: s.URL, Key: secret.New(key)}
}

func noKeyIn(t *testing.T, err error, key string) {
	t.Helper()
	if err != nil && key != "" && strings.Contains(err.Error(), key) {
		t.Errorf("error text holds the key: %v", err)
	}
}

func class(err error) providers.Class {
	if f, ok := providers.AsFailure(err); ok {
		return f.Class
	}
	return ""
}

// auth says how a recorded request carried the key; "query" when ?key= was
// used, which hub must never do.
func auth(r fakerelay.Request) string {
	q, _ := url.ParseQuery(r.Query)
	switch {
	case q.Has("key"):
		return "query"
	case r.Header.Get("x-goog-api-key") != "" && r.Header.Get("Authorization") != "":
		return "both"
	case r.Header.Get("x-goog-api-key") != "":
		return "x-goog-api-key"
	case r.Header.Get("Authorization") != "":
		return "bearer"
	}
	return "none"
}

func TestRegistered(t *testing.T) {
	f, err := providers.Lookup(credential.Google)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := f.(Family); !ok {
		t.Errorf("Lookup(google) = %T, want google.Family", f)
	}
}

// Five models and the embedding model in pages of two: three requests, the
// second and third carrying the token the page before handed out, and the
// embedding model dropped because it cannot generateContent.
func TestModelsPages(t *testing.T) {
	s := fake(t, fakerelay.Gemini, &fakerelay.Key{Value: goodKey, Models: geminiModels})
	s.PageSize = 2
	list, err := Family{}.Models(context.Background(), client(5*time.Second), cred(s, goodKey))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(list.IDs(), geminiModels) {
		t.Errorf("models = %v, want %v", list.IDs(), geminiModels)
	}
	if list.Requests != 3 || list.Endpoint != s.URL+"/v1beta/models" {
		t.Errorf("Requests, Endpoint = %d, %q; want 3, %q", list.Requests, list.Endpoint, s.URL+"/v1beta/models")
	}
	reqs := s.Requests()
	if len(reqs) != 3 {
		t.Fatalf("requests = %v", s.Paths())
	}
	var tokens []string
	for _, r := range reqs {
		q, _ := url.ParseQuery(r.Query)
		if r.Method+" "+r.Path != "GET /v1beta/models" || q.Get("pageSize") != "1000" {
			t.Errorf("page request %s %s?%s", r.Method, r.Path, r.Query)
		}
		if auth(r) != "x-goog-api-key" || r.Header.Get("x-goog-api-key") != goodKey {
			t.Errorf("page request sent the key by %s, want the x-goog-api-key header only", auth(r))
		}
		tokens = append(tokens, q.Get("pageToken"))
	}
	if tokens[0] != "" || tokens[1] == "" || tokens[2] == "" || tokens[1] == tokens[2] {
		t.Errorf("page tokens = %q, want none, then two different ones", tokens)
	}
}

func TestModelsStopAfterTwentyPages(t *testing.T) {
	var many []string
	for i := range 30 {
		many = append(many, fmt.Sprintf("gemini-fake-%02d", i))
	}
	s := fake(t, fakerelay.Gemini, &fakerelay.Key{Value: goodKey, Models: many})
	s.PageSize = 1
	list, err := Family{}.Models(context.Background(), client(5*time.Second), cred(s, goodKey))
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Models) != 20 || list.Requests != 20 || len(s.Requests()) != 20 {
		t.Errorf("got %d models in %d requests (%d served); want 20 in 20", len(list.Models), list.Requests, len(s.Requests()))
	}
}

// New API lists Gemini models without "models/" and without methods, which
// must not drop them; Sub2API in the official shape.
func TestModelsRelays(t *testing.T) {
	for _, flavor := range []fakerelay.Flavor{fakerelay.NewAPI, fakerelay.Sub2API} {
		t.Run(string(flavor), func(t *testing.T) {
			s := fake(t, flavor, &fakerelay.Key{Value: goodKey, Models: geminiModels[:3]})
			list, err := Family{}.Models(context.Background(), client(5*time.Second), cred(s, goodKey))
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(list.IDs(), geminiModels[:3]) || list.Requests != 1 {
				t.Errorf("models = %v in %d requests, want %v in 1", list.IDs(), list.Requests, geminiModels[:3])
			}
		})
	}
}

// The Bearer fallback is shown on an old New API, which reads the key only
// from Authorization on /v1beta: x-goog-api-key gets 401 "未提供令牌", Bearer
// the list. The next call to that base sends Bearer at once.
func TestBearerFallback(t *testing.T) {
	s := fake(t, fakerelay.OldNewAPI, &fakerelay.Key{Value: goodKey, Models: geminiModels[:2]})
	cl, c := client(5*time.Second), cred(s, goodKey)
	list, err := Family{}.Models(context.Background(), cl, c)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(list.IDs(), geminiModels[:2]) || list.Requests != 2 {
		t.Errorf("models = %v in %d requests, want %v in 2", list.IDs(), list.Requests, geminiModels[:2])
	}
	if err := (Family{}).Probe(context.Background(), cl, c, providers.ProbeGemini, geminiModels[0]); err != nil {
		t.Fatalf("gemini probe after the fallback: %v", err)
	}
	var got []string
	for _, r := range s.Requests() {
		got = append(got, r.Method+" "+r.Path+" "+auth(r))
		if auth(r) == "bearer" && r.Header.Get("Authorization") != "Bearer "+goodKey {
			t.Errorf("%s %s: Bearer request without the key", r.Method, r.Path)
		}
	}
	want := []string{"GET /v1beta/models x-goog-api-key", "GET /v1beta/models bearer",
		"POST /v1beta/models/" + geminiModels[0] + ":streamGenerateContent bearer"}
	if !slices.Equal(got, want) {
		t.Errorf("requests:\n got %q\nwant %q", got, want)
	}
}

func TestModelsFailures(t *testing.T) {
	for _, tc := range []struct {
		name     string
		flavor   fakerelay.Flavor
		fault    fakerelay.Fault
		send     string
		want     providers.Class
		code     string
		requests int
	}{
		// Google answers a bad key with 400, so no Bearer retry.
		{"invalid key", fakerelay.Gemini, "", badKey, providers.ClassInvalidKey, "API_KEY_INVALID", 1},
		{"no key", fakerelay.Gemini, "", "", providers.ClassPermission, "PERMISSION_DENIED", 1},
		{"rate limited", fakerelay.Gemini, fakerelay.FaultRateLimited, goodKey, providers.ClassRateLimited, "RESOURCE_EXHAUSTED", 1},
		{"HTML challenge", fakerelay.Gemini, fakerelay.FaultChallenge, goodKey, providers.ClassBlocked, "", 1},
		{"relay invalid token", fakerelay.NewAPI, "", badKey, providers.ClassInvalidKey, "new_api_error", 2},
		{"relay exhausted token", fakerelay.NewAPI, fakerelay.FaultExhausted, goodKey, providers.ClassQuota, "new_api_error", 1},
		{"Sub2API invalid key", fakerelay.Sub2API, "", badKey, providers.ClassInvalidKey, "INVALID_API_KEY", 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := fake(t, tc.flavor, &fakerelay.Key{Value: goodKey, Models: geminiModels, Fault: tc.fault})
			list, err := Family{}.Models(context.Background(), client(5*time.Second), cred(s, tc.send))
			f, ok := providers.AsFailure(err)
			if !ok || f.Class != tc.want || f.Code != tc.code {
				t.Fatalf("Models = %v, %v; want class %s code %q", list, err, tc.want, tc.code)
			}
			noKeyIn(t, err, tc.send)
			if n := len(s.Requests()); n != tc.requests {
				t.Errorf("%d requests, want %d", n, tc.requests)
			}
		})
	}
}

func TestSlowAnswerTimesOut(t *testing.T) {
	s := fake(t, fakerelay.Gemini, &fakerelay.Key{Value: goodKey, Models: geminiModels, Fault: fakerelay.FaultSlow})
	cl, c := client(50*time.Millisecond), cred(s, goodKey)
	if _, err := (Family{}).Models(context.Background(), cl, c); class(err) != providers.ClassTimeout {
		t.Errorf("Models = %v, want timeout", err)
	}
	if err := (Family{}).Probe(context.Background(), cl, c, providers.ProbeText, geminiModels[0]); class(err) != providers.ClassTimeout {
		t.Errorf("Probe = %v, want timeout", err)
	}
}

func TestProbesPass(t *testing.T) {
	kinds := append(Family{}.Probes(), providers.ProbeGemini)
	for _, tc := range []struct {
		flavor fakerelay.Flavor
		model  string
	}{
		{fakerelay.Gemini, "gemini-2.0-flash"},
		{fakerelay.Gemini, "gemini-2.5-flash"},        // MAX_TOKENS, no text: still a pass
		{fakerelay.Gemini, "models/gemini-2.0-flash"}, // a listed name as the model
		{fakerelay.NewAPI, "gemini-2.5-pro"},
		{fakerelay.Sub2API, "gemini-2.0-flash"},
	} {
		for _, kind := range kinds {
			t.Run(string(tc.flavor)+"/"+tc.model+"/"+string(kind), func(t *testing.T) {
				s := fake(t, tc.flavor, &fakerelay.Key{Value: goodKey, Models: geminiModels})
				if err := (Family{}).Probe(context.Background(), client(5*time.Second), cred(s, goodKey), kind, tc.model); err != nil {
					t.Fatalf("Probe: %v", err)
				}
				reqs := s.Requests()
				if len(reqs) != 1 {
					t.Fatalf("requests = %v, want one", s.Paths())
				}
				r := reqs[0]
				method := "generateContent"
				if kind == providers.ProbeGemini {
					method = "streamGenerateContent"
					if r.Query != "alt=sse" || r.Header.Get("Accept") != "text/event-stream" {
						t.Errorf("gemini probe query %q, Accept %q; want alt=sse and text/event-stream", r.Query, r.Header.Get("Accept"))
					}
				}
				if want := "POST /v1beta/models/" + strings.TrimPrefix(tc.model, "models/") + ":" + method; r.Method+" "+r.Path != want {
					t.Errorf("request %s %s, want %s", r.Method, r.Path, want)
				}
				if auth(r) != "x-goog-api-key" || r.Header.Get("x-goog-api-key") != goodKey {
					t.Errorf("the key went by %s, want the x-goog-api-key header only", auth(r))
				}
				var body struct {
					GenerationConfig struct {
						MaxOutputTokens  int            `json:"maxOutputTokens"`
						ResponseMimeType string         `json:"responseMimeType"`
						ResponseSchema   map[string]any `json:"responseSchema"`
					} `json:"generationConfig"`
					Tools []struct {
						FunctionDeclarations []map[string]any `json:"functionDeclarations"`
					} `json:"tools"`
					ToolConfig struct {
						FunctionCallingConfig struct {
							Mode                 string   `json:"mode"`
							AllowedFunctionNames []string `json:"allowedFunctionNames"`
						} `json:"functionCallingConfig"`
					} `json:"toolConfig"`
				}
				if err := json.Unmarshal(r.Body, &body); err != nil {
					t.Fatal(err)
				}
				gc, fc := body.GenerationConfig, body.ToolConfig.FunctionCallingConfig
				switch kind {
				case providers.ProbeText, providers.ProbeGemini:
					if gc.MaxOutputTokens != 1 || len(body.Tools) != 0 {
						t.Errorf("%s probe body = %s", kind, r.Body)
					}
				case providers.ProbeTools:
					if len(body.Tools) != 1 || fc.Mode != "ANY" || !slices.Equal(fc.AllowedFunctionNames, []string{"verify_tool"}) {
						t.Errorf("tools probe body = %s", r.Body)
					}
				case providers.ProbeStructured:
					if gc.ResponseMimeType != "application/json" || gc.ResponseSchema["type"] != "OBJECT" {
						t.Errorf("structured probe body = %s", r.Body)
					}
				}
			})
		}
	}
}

func TestProbeFailures(t *testing.T) {
	model := geminiModels[0]
	for _, tc := range []struct {
		name   string
		flavor fakerelay.Flavor
		fault  fakerelay.Fault
		send   string
		kind   providers.ProbeKind
		model  string
		want   providers.Class
		code   string
	}{
		{"invalid key", fakerelay.Gemini, "", badKey, providers.ProbeText, model, providers.ClassInvalidKey, "API_KEY_INVALID"},
		{"daily quota", fakerelay.Gemini, fakerelay.FaultExhausted, goodKey, providers.ProbeText, model, providers.ClassQuota, "RESOURCE_EXHAUSTED"},
		{"rate limited", fakerelay.Gemini, fakerelay.FaultRateLimited, goodKey, providers.ProbeTools, model, providers.ClassRateLimited, "RESOURCE_EXHAUSTED"},
		{"unknown model", fakerelay.Gemini, "", goodKey, providers.ProbeText, "gemini-nope", providers.ClassModelNotFound, "NOT_FOUND"},
		{"embedding model", fakerelay.Gemini, "", goodKey, providers.ProbeText, "text-embedding-004", providers.ClassModelNotFound, "NOT_FOUND"},
		{"model fault", fakerelay.Gemini, fakerelay.FaultModelNotFound, goodKey, providers.ProbeGemini, model, providers.ClassModelNotFound, "NOT_FOUND"},
		{"HTML challenge", fakerelay.Gemini, fakerelay.FaultChallenge, goodKey, providers.ProbeStructured, model, providers.ClassBlocked, ""},
		{"stream breaks", fakerelay.Gemini, fakerelay.FaultStreamError, goodKey, providers.ProbeGemini, model, providers.ClassOverloaded, "UNAVAILABLE"},
		{"other family's probe", fakerelay.Gemini, "", goodKey, providers.ProbeClaude, model, providers.ClassUnsupported, ""},
		{"New API no channel", fakerelay.NewAPI, "", goodKey, providers.ProbeText, "gemini-nope", providers.ClassModelNotFound, "model_not_found"},
		{"New API token exhausted", fakerelay.NewAPI, fakerelay.FaultExhausted, goodKey, providers.ProbeGemini, model, providers.ClassQuota, "new_api_error"},
		{"Sub2API no balance", fakerelay.Sub2API, fakerelay.FaultExhausted, goodKey, providers.ProbeText, model, providers.ClassQuota, "INSUFFICIENT_BALANCE"},
		{"Sub2API stream breaks", fakerelay.Sub2API, fakerelay.FaultStreamError, goodKey, providers.ProbeGemini, model, providers.ClassOverloaded, "UNAVAILABLE"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := fake(t, tc.flavor, &fakerelay.Key{Value: goodKey, Models: geminiModels, Fault: tc.fault})
			err := Family{}.Probe(context.Background(), client(5*time.Second), cred(s, tc.send), tc.kind, tc.model)
			f, ok := providers.AsFailure(err)
			if !ok || f.Class != tc.want || f.Code != tc.code {
				t.Fatalf("Probe = %v (%#v); want class %s, code %q", err, f, tc.want, tc.code)
			}
			noKeyIn(t, err, tc.send)
		})
	}
}

// A stream that breaks after its 200 fails the Gemini CLI wire check, while
// the plain call on the same key passes.
func TestStreamErrorOnlyInStream(t *testing.T) {
	s := fake(t, fakerelay.Gemini, &fakerelay.Key{Value: goodKey, Models: geminiModels, Fault: fakerelay.FaultStreamError})
	cl, c := client(5*time.Second), cred(s, goodKey)
	if err := (Family{}).Probe(context.Background(), cl, c, providers.ProbeText, geminiModels[0]); err != nil {
		t.Errorf("text probe: %v", err)
	}
	err := Family{}.Probe(context.Background(), cl, c, providers.ProbeGemini, geminiModels[0])
	want := "POST " + s.URL + "/v1beta/models/" + geminiModels[0] + ":streamGenerateContent"
	if f, ok := providers.AsFailure(err); !ok || f.Status != 200 || !strings.Contains(f.Message, "overloaded") || f.Endpoint != want {
		t.Errorf("gemini probe = %v, want the stream's error from %s", err, want)
	}
}

func TestNoModel(t *testing.T) {
	s := fake(t, fakerelay.Gemini)
	err := Family{}.Probe(context.Background(), client(time.Second), cred(s, goodKey), providers.ProbeText, "")
	if err == nil || !strings.Contains(err.Error(), "gemini-test") || len(s.Requests()) != 0 {
		t.Errorf("Probe with no model = %v after %d requests, want an error naming the credential and no request", err, len(s.Requests()))
	}
}

func TestSuggestModel(t *testing.T) {
	for _, tc := range []struct {
		ids  []string
		want string
	}{
		{[]string{"gemma-3-27b-it", "gemini-2.5-flash", "gemini-2.5-pro"}, "gemini-2.5-flash"},
		{[]string{"learnlm-2.0", "Gemini-Exp"}, "Gemini-Exp"},
		{[]string{"gemma-3-27b-it"}, "gemma-3-27b-it"},
		{nil, ""},
	} {
		if got := (Family{}).SuggestModel(tc.ids); got != tc.want {
			t.Errorf("SuggestModel(%v) = %q, want %q", tc.ids, got, tc.want)
		}
	}
}
