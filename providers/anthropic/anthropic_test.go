package anthropic

import (
	"context"
	"encoding/json"
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
	goodKey = "sk-test-anthropic-good-0001"
	badKey  = "sk-test-anthropic-unknown-0002"
)

var claudeModels = []string{"claude-sonnet-4-5-20250929", "claude-opus-4-5-20251101", "claude-haiku-4-5-20251001", "claude-3-7-sonnet-20250219", "claude-3-5-haiku-20241022"}

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
	return &credential.Credential{ID: "claude-test", APIType: credential.Anthropic, BaseURL: s.URL, Key: secret.New(key)}
}

// noKeyIn fails the test when err's text holds the key.
func noKeyIn(t *testing.T, err error, key string) {
	t.Helper()
	if err != nil && strings.Contains(err.Error(), key) {
		t.Errorf("error text holds the key: %v", err)
	}
}

func class(err error) providers.Class {
	if f, ok := providers.AsFailure(err); ok {
		return f.Class
	}
	return ""
}

// auth says which scheme a recorded request used.
func auth(r fakerelay.Request) string {
	switch {
	case r.Header.Get("x-api-key") != "" && r.Header.Get("Authorization") != "":
		return "both"
	case r.Header.Get("x-api-key") != "":
		return "x-api-key"
	case r.Header.Get("Authorization") != "":
		return "bearer"
	}
	return "none"
}

func TestRegistered(t *testing.T) {
	f, err := providers.Lookup(credential.Anthropic)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := f.(Family); !ok {
		t.Errorf("Lookup(anthropic) = %T, want anthropic.Family", f)
	}
}

func TestModelsPages(t *testing.T) {
	s := fake(t, fakerelay.Anthropic, &fakerelay.Key{Value: goodKey, Models: claudeModels})
	s.PageSize = 2
	list, err := Family{}.Models(context.Background(), client(5*time.Second), cred(s, goodKey))
	if err != nil {
		t.Fatal(err)
	}
	if got := list.IDs(); !slices.Equal(got, claudeModels) {
		t.Errorf("models = %v, want %v", got, claudeModels)
	}
	if list.Requests != 3 || list.Endpoint != s.URL+"/v1/models" {
		t.Errorf("Requests, Endpoint = %d, %q; want 3, %q", list.Requests, list.Endpoint, s.URL+"/v1/models")
	}
	if list.Models[0].DisplayName != "Claude Sonnet 4 5" {
		t.Errorf("display name = %q", list.Models[0].DisplayName)
	}
	var queries []string
	for _, r := range s.Requests() {
		queries = append(queries, r.Method+" "+r.Path+"?"+r.Query)
		if r.Header.Get("x-api-key") != goodKey || r.Header.Get("anthropic-version") != "2023-06-01" || r.Header.Get("Authorization") != "" {
			t.Errorf("%s %s: x-api-key %t, anthropic-version %q, Authorization %t; want the key in x-api-key with 2023-06-01 only",
				r.Method, r.Path, r.Header.Get("x-api-key") == goodKey, r.Header.Get("anthropic-version"), r.Header.Get("Authorization") != "")
		}
	}
	want := []string{
		"GET /v1/models?limit=200",
		"GET /v1/models?after_id=" + claudeModels[1] + "&limit=200",
		"GET /v1/models?after_id=" + claudeModels[3] + "&limit=200",
	}
	if !slices.Equal(queries, want) {
		t.Errorf("page requests:\n got %q\nwant %q", queries, want)
	}
}

func TestModelsStopAfterTwentyPages(t *testing.T) {
	var many []string
	for i := range 30 {
		many = append(many, "claude-fake-"+string(rune('a'+i/26))+string(rune('a'+i%26)))
	}
	s := fake(t, fakerelay.Anthropic, &fakerelay.Key{Value: goodKey, Models: many})
	s.PageSize = 1
	list, err := Family{}.Models(context.Background(), client(5*time.Second), cred(s, goodKey))
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Models) != 20 || list.Requests != 20 || len(s.Requests()) != 20 {
		t.Errorf("got %d models in %d requests (%d served); want 20 in 20", len(list.Models), list.Requests, len(s.Requests()))
	}
}

// Relays answer /v1/models in their own shapes: New API in Anthropic's when
// asked with x-api-key and anthropic-version, Sub2API an OpenAI-style list
// of its fixed Claude models.
func TestModelsRelays(t *testing.T) {
	for _, flavor := range []fakerelay.Flavor{fakerelay.NewAPI, fakerelay.Sub2API} {
		t.Run(string(flavor), func(t *testing.T) {
			s := fake(t, flavor, &fakerelay.Key{Value: goodKey, Models: claudeModels[:2]})
			list, err := Family{}.Models(context.Background(), client(5*time.Second), cred(s, goodKey))
			if err != nil {
				t.Fatal(err)
			}
			if len(list.Models) == 0 || !strings.HasPrefix(list.Models[0].ID, "claude") || list.Requests != 1 {
				t.Errorf("models = %v in %d requests, want Claude models in 1", list.IDs(), list.Requests)
			}
		})
	}
}

// The Bearer fallback is shown on an old New API: it copies x-api-key into
// Authorization on /v1/messages only, so its /v1/models answers x-api-key
// with 401 "未提供令牌" and Bearer with the (OpenAI-shaped) list. The scheme
// is then remembered for the base URL: the next call sends Bearer at once.
func TestBearerFallback(t *testing.T) {
	s := fake(t, fakerelay.OldNewAPI, &fakerelay.Key{Value: goodKey, Models: claudeModels[:2]})
	cl, c := client(5*time.Second), cred(s, goodKey)
	list, err := Family{}.Models(context.Background(), cl, c)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(list.IDs(), claudeModels[:2]) || list.Requests != 2 {
		t.Errorf("models = %v in %d requests, want %v in 2", list.IDs(), list.Requests, claudeModels[:2])
	}
	if err := (Family{}).Probe(context.Background(), cl, c, providers.ProbeText, claudeModels[0]); err != nil {
		t.Fatalf("text probe after the fallback: %v", err)
	}
	var got []string
	for _, r := range s.Requests() {
		got = append(got, r.Method+" "+r.Path+" "+auth(r))
		if auth(r) == "bearer" && (r.Header.Get("Authorization") != "Bearer "+goodKey || r.Header.Get("anthropic-version") != "2023-06-01") {
			t.Errorf("%s %s: Bearer request without the key or anthropic-version", r.Method, r.Path)
		}
	}
	want := []string{"GET /v1/models x-api-key", "GET /v1/models bearer", "POST /v1/messages bearer"}
	if !slices.Equal(got, want) {
		t.Errorf("requests:\n got %q\nwant %q", got, want)
	}
}

// A key Anthropic refuses is tried once more with Bearer (Anthropic reads
// only x-api-key, so it fails again), and nothing is remembered.
func TestInvalidKeyTriesBearerOnce(t *testing.T) {
	s := fake(t, fakerelay.Anthropic, &fakerelay.Key{Value: goodKey, Models: claudeModels})
	cl, c := client(5*time.Second), cred(s, badKey)
	for range 2 {
		err := Family{}.Probe(context.Background(), cl, c, providers.ProbeText, claudeModels[0])
		if class(err) != providers.ClassInvalidKey {
			t.Fatalf("Probe = %v, want invalid key", err)
		}
		noKeyIn(t, err, badKey)
		if f, _ := providers.AsFailure(err); f.Status != 401 || f.Code != "authentication_error" {
			t.Errorf("failure status %d code %q, want the x-api-key answer (401 authentication_error)", f.Status, f.Code)
		}
	}
	var got []string
	for _, r := range s.Requests() {
		got = append(got, auth(r))
	}
	if want := []string{"x-api-key", "bearer", "x-api-key", "bearer"}; !slices.Equal(got, want) {
		t.Errorf("schemes = %v, want %v", got, want)
	}
}

func TestModelsFailures(t *testing.T) {
	for _, tc := range []struct {
		name     string
		flavor   fakerelay.Flavor
		key      *fakerelay.Key
		send     string
		want     providers.Class
		requests int
	}{
		{"invalid key", fakerelay.Anthropic, nil, badKey, providers.ClassInvalidKey, 2},
		{"rate limited", fakerelay.Anthropic, &fakerelay.Key{Value: goodKey, Fault: fakerelay.FaultRateLimited}, goodKey, providers.ClassRateLimited, 1},
		{"HTML challenge", fakerelay.Anthropic, &fakerelay.Key{Value: goodKey, Fault: fakerelay.FaultChallenge}, goodKey, providers.ClassBlocked, 1},
		{"relay exhausted token", fakerelay.NewAPI, &fakerelay.Key{Value: goodKey, Models: claudeModels, Fault: fakerelay.FaultExhausted}, goodKey, providers.ClassQuota, 1},
		{"relay invalid key", fakerelay.Sub2API, nil, badKey, providers.ClassInvalidKey, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var keys []*fakerelay.Key
			if tc.key != nil {
				keys = append(keys, tc.key)
			}
			s := fake(t, tc.flavor, keys...)
			list, err := Family{}.Models(context.Background(), client(5*time.Second), cred(s, tc.send))
			if class(err) != tc.want {
				t.Fatalf("Models = %v, %v; want %s", list, err, tc.want)
			}
			noKeyIn(t, err, tc.send)
			if n := len(s.Requests()); n != tc.requests {
				t.Errorf("%d requests, want %d", n, tc.requests)
			}
		})
	}
}

func TestSlowAnswerTimesOut(t *testing.T) {
	s := fake(t, fakerelay.Anthropic, &fakerelay.Key{Value: goodKey, Models: claudeModels, Fault: fakerelay.FaultSlow})
	cl, c := client(50*time.Millisecond), cred(s, goodKey)
	_, err := Family{}.Models(context.Background(), cl, c)
	if class(err) != providers.ClassTimeout {
		t.Errorf("Models = %v, want timeout", err)
	}
	err = Family{}.Probe(context.Background(), cl, c, providers.ProbeClaude, claudeModels[0])
	if class(err) != providers.ClassTimeout {
		t.Errorf("Probe = %v, want timeout", err)
	}
}

func TestProbesPass(t *testing.T) {
	kinds := append(Family{}.Probes(), providers.ProbeClaude)
	for _, flavor := range []fakerelay.Flavor{fakerelay.Anthropic, fakerelay.NewAPI, fakerelay.OldNewAPI, fakerelay.Sub2API} {
		for _, kind := range kinds {
			t.Run(string(flavor)+"/"+string(kind), func(t *testing.T) {
				s := fake(t, flavor, &fakerelay.Key{Value: goodKey, Models: claudeModels})
				if err := (Family{}).Probe(context.Background(), client(5*time.Second), cred(s, goodKey), kind, claudeModels[0]); err != nil {
					t.Fatalf("Probe: %v", err)
				}
				reqs := s.Requests()
				if len(reqs) != 1 || reqs[0].Method+" "+reqs[0].Path != "POST /v1/messages" || auth(reqs[0]) != "x-api-key" ||
					reqs[0].Header.Get("anthropic-version") != "2023-06-01" {
					t.Fatalf("requests = %v, want one POST /v1/messages with x-api-key and anthropic-version", s.Paths())
				}
				var body struct {
					Model      string `json:"model"`
					MaxTokens  int    `json:"max_tokens"`
					Stream     bool   `json:"stream"`
					ToolChoice struct {
						Type, Name string
					} `json:"tool_choice"`
					Tools []struct {
						Name        string         `json:"name"`
						InputSchema map[string]any `json:"input_schema"`
					} `json:"tools"`
				}
				if err := json.Unmarshal(reqs[0].Body, &body); err != nil {
					t.Fatal(err)
				}
				if body.Model != claudeModels[0] {
					t.Errorf("model = %q", body.Model)
				}
				switch kind {
				case providers.ProbeText:
					if body.MaxTokens != 1 || body.Stream || len(body.Tools) != 0 {
						t.Errorf("text probe body = %s", reqs[0].Body)
					}
				case providers.ProbeClaude:
					if body.MaxTokens != 1 || !body.Stream || reqs[0].Header.Get("Accept") != "text/event-stream" {
						t.Errorf("claude probe body = %s, Accept %q", reqs[0].Body, reqs[0].Header.Get("Accept"))
					}
				case providers.ProbeTools, providers.ProbeStructured:
					if len(body.Tools) != 1 || body.ToolChoice.Type != "tool" || body.ToolChoice.Name != body.Tools[0].Name {
						t.Errorf("%s probe does not force its one tool: %s", kind, reqs[0].Body)
					}
				}
			})
		}
	}
}

func TestProbeFailures(t *testing.T) {
	model := claudeModels[0]
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
		{"invalid key", fakerelay.Anthropic, "", badKey, providers.ProbeText, model, providers.ClassInvalidKey, "authentication_error"},
		{"credit too low", fakerelay.Anthropic, fakerelay.FaultExhausted, goodKey, providers.ProbeText, model, providers.ClassQuota, "invalid_request_error"},
		{"rate limited", fakerelay.Anthropic, fakerelay.FaultRateLimited, goodKey, providers.ProbeTools, model, providers.ClassRateLimited, "rate_limit_error"},
		{"unknown model", fakerelay.Anthropic, "", goodKey, providers.ProbeText, "claude-nope", providers.ClassModelNotFound, "not_found_error"},
		{"model fault", fakerelay.Anthropic, fakerelay.FaultModelNotFound, goodKey, providers.ProbeStructured, model, providers.ClassModelNotFound, "not_found_error"},
		{"HTML challenge", fakerelay.Anthropic, fakerelay.FaultChallenge, goodKey, providers.ProbeText, model, providers.ClassBlocked, ""},
		{"stream breaks", fakerelay.Anthropic, fakerelay.FaultStreamError, goodKey, providers.ProbeClaude, model, providers.ClassOverloaded, "overloaded_error"},
		{"other family's probe", fakerelay.Anthropic, "", goodKey, providers.ProbeCodex, model, providers.ClassUnsupported, ""},
		{"New API no channel", fakerelay.NewAPI, "", goodKey, providers.ProbeText, "claude-nope", providers.ClassModelNotFound, "new_api_error"},
		{"New API token exhausted", fakerelay.NewAPI, fakerelay.FaultExhausted, goodKey, providers.ProbeText, model, providers.ClassQuota, "new_api_error"},
		{"New API invalid token", fakerelay.NewAPI, "", badKey, providers.ProbeClaude, model, providers.ClassInvalidKey, "new_api_error"},
		{"Sub2API no balance", fakerelay.Sub2API, fakerelay.FaultExhausted, goodKey, providers.ProbeText, model, providers.ClassQuota, "INSUFFICIENT_BALANCE"},
		{"Sub2API unknown model", fakerelay.Sub2API, "", goodKey, providers.ProbeText, "claude-nope", providers.ClassModelNotFound, "not_found_error"},
		{"Sub2API rate limited", fakerelay.Sub2API, fakerelay.FaultRateLimited, goodKey, providers.ProbeText, model, providers.ClassRateLimited, "rate_limit_error"},
		{"Sub2API stream breaks", fakerelay.Sub2API, fakerelay.FaultStreamError, goodKey, providers.ProbeClaude, model, providers.ClassOverloaded, "overloaded_error"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := fake(t, tc.flavor, &fakerelay.Key{Value: goodKey, Models: claudeModels, Fault: tc.fault})
			err := Family{}.Probe(context.Background(), client(5*time.Second), cred(s, tc.send), tc.kind, tc.model)
			f, ok := providers.AsFailure(err)
			if !ok || f.Class != tc.want || f.Code != tc.code {
				t.Fatalf("Probe = %v (%#v); want class %s, code %q", err, f, tc.want, tc.code)
			}
			noKeyIn(t, err, tc.send)
		})
	}
}

// A stream that breaks after its 200 fails the Claude Code wire check, while
// the plain call on the same key passes: only the streamed probe sees it.
func TestStreamErrorOnlyInStream(t *testing.T) {
	s := fake(t, fakerelay.Anthropic, &fakerelay.Key{Value: goodKey, Models: claudeModels, Fault: fakerelay.FaultStreamError})
	cl, c := client(5*time.Second), cred(s, goodKey)
	if err := (Family{}).Probe(context.Background(), cl, c, providers.ProbeText, claudeModels[0]); err != nil {
		t.Errorf("text probe: %v", err)
	}
	err := Family{}.Probe(context.Background(), cl, c, providers.ProbeClaude, claudeModels[0])
	if f, ok := providers.AsFailure(err); !ok || f.Status != 200 || f.Message != "Overloaded" || f.Endpoint != "POST "+s.URL+"/v1/messages" {
		t.Errorf("claude probe = %v, want the stream's overloaded error", err)
	}
}

func TestNoModel(t *testing.T) {
	s := fake(t, fakerelay.Anthropic)
	err := Family{}.Probe(context.Background(), client(time.Second), cred(s, goodKey), providers.ProbeText, "")
	if err == nil || !strings.Contains(err.Error(), "claude-test") || len(s.Requests()) != 0 {
		t.Errorf("Probe with no model = %v after %d requests, want an error naming the credential and no request", err, len(s.Requests()))
	}
}

func TestSuggestModel(t *testing.T) {
	for _, tc := range []struct {
		ids  []string
		want string
	}{
		{[]string{"gpt-4o", "claude-sonnet-4-5", "claude-opus-4-5"}, "claude-sonnet-4-5"},
		{[]string{"gpt-4o", "Claude-Haiku"}, "Claude-Haiku"},
		{[]string{"kimi-k2", "glm-4.6"}, "kimi-k2"},
		{nil, ""},
	} {
		if got := (Family{}).SuggestModel(tc.ids); got != tc.want {
			t.Errorf("SuggestModel(%v) = %q, want %q", tc.ids, got, tc.want)
		}
	}
}
