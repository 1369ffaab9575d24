package fakerelay

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

const oaiTestKey = "sk-test-fake-openai-routes-0001"

// oaiDo sends one request to s with the test key as Bearer (plus extra
// headers) and returns the status and body.
func oaiDo(t *testing.T, s *Server, method, path, body string, hdr ...string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, s.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+oaiTestKey)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestOpenAIRoutes checks the fake against the documented shapes, so the
// provider tests that use it test against the facts, not against the fake's
// own habits.
func TestOpenAIRoutes(t *testing.T) {
	codex := `{"model":"gpt-5-codex","instructions":"","input":[{"role":"user","content":"hi"}],"stream":true,"store":false}`
	for _, tc := range []struct {
		name       string
		flavor     Flavor
		fault      Fault
		method     string
		path, body string
		hdr        []string
		status     int
		contains   []string
		absent     []string
	}{
		{"new api list", NewAPI, FaultNone, "GET", "/v1/models", "", nil, 200,
			[]string{`"success":true`, `"object":"list"`, `"supported_endpoint_types"`, `"id":"gpt-4o-mini"`}, nil},
		{"old new api list has no object", OldNewAPI, FaultNone, "GET", "/v1/models", "", nil, 200,
			[]string{`"success":true`, `"id":"gpt-4o-mini"`}, []string{`"object":"list"`}},
		{"one api list", OneAPI, FaultNone, "GET", "/v1/models", "", nil, 200,
			[]string{`"object":"list"`, `"root":"gpt-4o-mini"`, `"permission"`}, []string{`"success"`}},
		{"sub2api fixed list", Sub2API, FaultNone, "GET", "/v1/models", "", nil, 200,
			[]string{`"object":"list"`, `"type":"model"`, `claude-sonnet-4-5-20250929`}, []string{"gpt-4o-mini"}},
		{"new api anthropic list", NewAPI, FaultNone, "GET", "/v1/models", "", []string{"x-api-key", oaiTestKey, "anthropic-version", "2023-06-01"}, 200,
			[]string{`"has_more":false`, `"first_id":"gpt-4o-mini"`, `"display_name"`}, []string{`"object"`}},
		{"new api unknown model is 200 with error", NewAPI, FaultNone, "GET", "/v1/models/gpt-9", "", nil, 200,
			[]string{`"code":"model_not_found"`, `The model 'gpt-9' does not exist`}, nil},
		{"new api known model", NewAPI, FaultNone, "GET", "/v1/models/o3-mini", "", nil, 200, []string{`"id":"o3-mini"`}, []string{`"error"`}},
		{"openai reasoning refuses max_tokens", OpenAI, FaultNone, "POST", "/v1/chat/completions", `{"model":"o3-mini","messages":[],"max_tokens":1}`, nil, 400,
			[]string{`"code":"unsupported_parameter"`, `"param":"max_tokens"`}, nil},
		{"openai reasoning takes max_completion_tokens", OpenAI, FaultNone, "POST", "/v1/chat/completions",
			`{"model":"o3-mini","messages":[{"role":"user","content":"Reply with exactly: OK"}],"max_completion_tokens":1}`, nil, 200,
			[]string{`"content":"OK"`, `"finish_reason":"stop"`}, nil},
		{"relay passes max_tokens", NewAPI, FaultNone, "POST", "/v1/chat/completions", `{"model":"o3-mini","messages":[],"max_tokens":1}`, nil, 200,
			[]string{`"choices"`, `"finish_reason":"length"`}, nil},
		{"forced tool call", OneAPI, FaultNone, "POST", "/v1/chat/completions",
			`{"model":"gpt-4o-mini","messages":[],"tools":[{"type":"function","function":{"name":"verify_tool"}}],"tool_choice":{"type":"function","function":{"name":"verify_tool"}}}`, nil, 200,
			[]string{`"tool_calls":[{`, `"name":"verify_tool"`, `"arguments":"{}"`, `"finish_reason":"tool_calls"`}, nil},
		{"json schema", NewAPI, FaultNone, "POST", "/v1/chat/completions", `{"model":"gpt-4o-mini","messages":[],"response_format":{"type":"json_schema"}}`, nil, 200,
			[]string{`"content":"{\"ok\":true}"`}, nil},
		{"chat stream", OpenAI, FaultNone, "POST", "/v1/chat/completions", `{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Reply with exactly: OK"}],"stream":true}`, nil, 200,
			[]string{"data: {", `"object":"chat.completion.chunk"`, `"content":"OK"`, "data: [DONE]"}, nil},
		{"one api no channel", OneAPI, FaultNone, "POST", "/v1/chat/completions", `{"model":"gpt-9","messages":[]}`, nil, 503,
			[]string{"当前分组 default 下对于模型 gpt-9 无可用渠道", `"one_api_error"`}, nil},
		{"sub2api codex stream", Sub2API, FaultNone, "POST", "/v1/responses", codex, nil, 200,
			[]string{"event: response.created\ndata: {", "event: response.output_text.delta", `"type":"response.completed"`}, nil},
		{"sub2api wants stream", Sub2API, FaultNone, "POST", "/v1/responses", strings.Replace(codex, `"stream":true`, `"stream":false`, 1), nil, 400,
			[]string{"Stream must be set to true"}, nil},
		{"sub2api refuses max_output_tokens", Sub2API, FaultNone, "POST", "/v1/responses", strings.Replace(codex, `"store":false`, `"store":false,"max_output_tokens":64`, 1), nil, 400,
			[]string{"Unsupported parameter: max_output_tokens"}, nil},
		{"sub2api wants store false", Sub2API, FaultNone, "POST", "/v1/responses", strings.Replace(codex, `"store":false`, `"store":true`, 1), nil, 400,
			[]string{"Store must be set to false"}, nil},
		{"openai responses not streamed", OpenAI, FaultNone, "POST", "/v1/responses", `{"model":"gpt-4o-mini","input":"Reply with exactly: OK","max_output_tokens":16}`, nil, 200,
			[]string{`"object":"response"`, `"status":"completed"`, `"text":"OK"`}, nil},
		{"openai max_output_tokens minimum", OpenAI, FaultNone, "POST", "/v1/responses", `{"model":"gpt-4o-mini","input":"hi","max_output_tokens":1}`, nil, 400,
			[]string{"integer below minimum value"}, nil},
		{"responses forced tool", NewAPI, FaultNone, "POST", "/v1/responses",
			`{"model":"gpt-4o-mini","input":"hi","stream":true,"tools":[{"type":"function","name":"verify_tool"}],"tool_choice":"required"}`, nil, 200,
			[]string{`"type":"function_call"`, `"name":"verify_tool"`, "event: response.completed"}, nil},
		{"responses stream error", OpenAI, FaultStreamError, "POST", "/v1/responses", codex, nil, 200,
			[]string{"event: response.failed", `"code":"server_error"`}, []string{"response.completed"}},
		{"exhausted before streaming", Sub2API, FaultExhausted, "POST", "/v1/responses", codex, nil, 403,
			[]string{"INSUFFICIENT_BALANCE"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := New(tc.flavor, &Key{Value: oaiTestKey, Models: []string{"gpt-4o-mini", "o3-mini", "gpt-5-codex"}, Fault: tc.fault})
			defer s.Close()
			status, body := oaiDo(t, s, tc.method, tc.path, tc.body, tc.hdr...)
			if status != tc.status {
				t.Errorf("status = %d, want %d; body %s", status, tc.status, body)
			}
			for _, c := range tc.contains {
				if !strings.Contains(body, c) {
					t.Errorf("body lacks %q:\n%s", c, body)
				}
			}
			for _, c := range tc.absent {
				if strings.Contains(body, c) {
					t.Errorf("body has %q:\n%s", c, body)
				}
			}
			if strings.HasPrefix(strings.TrimSpace(body), "{") && !json.Valid([]byte(body)) {
				t.Errorf("body is not valid JSON: %s", body)
			}
		})
	}
}
