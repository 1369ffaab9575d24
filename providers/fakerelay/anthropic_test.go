package fakerelay

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// wireDo sends one request with headers given as name, value pairs and
// returns the status and body.
func wireDo(t *testing.T, s *Server, method, path, body string, hdr ...string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, s.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// The Anthropic and Gemini wires' rules that hub's providers do not exercise
// (they always send what the rule asks for), so they are checked here.
func TestAnthropicAndGeminiWires(t *testing.T) {
	const key = "sk-test-wire-0001"
	msg := `{"model":"claude-x","max_tokens":1,"messages":[{"role":"user","content":"hi"}]}`
	gen := `{"contents":[{"role":"user","parts":[{"text":"hi"}]}]}`
	servers := map[Flavor]*Server{}
	for _, f := range []Flavor{Anthropic, Gemini, NewAPI, OldNewAPI} {
		servers[f] = New(f, &Key{Value: key, Models: []string{"claude-x", "gemini-2.0-flash"}})
		defer servers[f].Close()
	}
	for _, tc := range []struct {
		name               string
		flavor             Flavor
		method, path, body string
		hdr                []string
		wantStatus         int
		wantIn             string
	}{
		{"Anthropic wants anthropic-version", Anthropic, "POST", "/v1/messages", msg, []string{"x-api-key", key}, 400, "anthropic-version: header is required"},
		{"Anthropic reads x-api-key only", Anthropic, "POST", "/v1/messages", msg, []string{"Authorization", "Bearer " + key, "anthropic-version", "2023-06-01"}, 401, "authentication_error"},
		{"Anthropic message", Anthropic, "POST", "/v1/messages", msg, []string{"x-api-key", key, "anthropic-version", "2023-06-01"}, 200, `"stop_reason":"max_tokens"`},
		{"old New API: x-api-key on /v1/messages", OldNewAPI, "POST", "/v1/messages", msg, []string{"x-api-key", key}, 200, `"type":"message"`},
		{"old New API: not on /v1/models", OldNewAPI, "GET", "/v1/models", "", []string{"x-api-key", key}, 401, "未提供令牌"},
		{"New API: x-goog-api-key on /v1beta/models", NewAPI, "GET", "/v1beta/models", "", []string{"x-goog-api-key", key}, 200, `"name":"gemini-2.0-flash"`},
		{"Gemini takes ?key= too", Gemini, "GET", "/v1beta/models?key=" + key, "", nil, 200, `"name":"models/gemini-2.0-flash"`},
		{"Gemini stream without alt=sse is a JSON array", Gemini, "POST", "/v1beta/models/gemini-2.0-flash:streamGenerateContent", gen, []string{"x-goog-api-key", key}, 200, `[{"candidates"`},
		{"Gemini refuses an empty OBJECT schema", Gemini, "POST", "/v1beta/models/gemini-2.0-flash:generateContent",
			`{"contents":[{"parts":[{"text":"hi"}]}],"tools":[{"functionDeclarations":[{"name":"f","parameters":{"type":"OBJECT","properties":{}}}]}]}`,
			[]string{"x-goog-api-key", key}, 400, "should be non-empty for OBJECT type"},
		{"Gemini unknown method", Gemini, "POST", "/v1beta/models/gemini-2.0-flash:embedContent", gen, []string{"x-goog-api-key", key}, 404, "NOT_FOUND"},
		{"Gemini bad page token", Gemini, "GET", "/v1beta/models?pageToken=zzz", "", []string{"x-goog-api-key", key}, 400, "Invalid page token"},
	} {
		status, body := wireDo(t, servers[tc.flavor], tc.method, tc.path, tc.body, tc.hdr...)
		if status != tc.wantStatus || !strings.Contains(body, tc.wantIn) {
			t.Errorf("%s: %d %s; want %d with %q", tc.name, status, body, tc.wantStatus, tc.wantIn)
		}
	}
}
