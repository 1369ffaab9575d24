//go:build !windows

package e2e

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// These check the harness itself and run without HUB_E2E: a harness that
// passes anything would make the real-tool suite worthless.

func TestMissing(t *testing.T) {
	parse := func(s string) any {
		var v any
		if err := json.Unmarshal([]byte(s), &v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, tc := range []struct{ want, got, path string }{
		{`{"a":1,"b":{"c":[1,2]}}`, `{"a":1,"b":{"c":[1,2,3],"d":true},"e":"hub"}`, ""},
		{`{"a":1}`, `{"a":2}`, "$.a"},
		{`{"b":{"c":"x"}}`, `{"b":{}}`, "$.b.c"},
		{`{"p":[{"name":"ollama","k":1}]}`, `{"p":[{"name":"relay"},{"name":"ollama","k":1}]}`, ""},
		{`{"p":[{"name":"ollama","k":1}]}`, `{"p":[{"name":"ollama","k":2}]}`, "$.p[0]"},
		{`{"n":5000}`, `{"n":5000}`, ""},
	} {
		if got := missing(parse(tc.want), parse(tc.got), "$"); got != tc.path {
			t.Errorf("missing(%s, %s) = %q, want %q", tc.want, tc.got, got, tc.path)
		}
	}
	// TOML integers against JSON numbers.
	if p := missing(map[string]any{"n": int64(3)}, map[string]any{"n": int64(3)}, "$"); p != "" {
		t.Errorf("int64: %q", p)
	}
}

func TestUpstream(t *testing.T) {
	u := newUpstream(t)
	post := func(path, body string, h ...string) (int, string) {
		req, _ := http.NewRequest("POST", u.URL()+path, strings.NewReader(body))
		for i := 0; i+1 < len(h); i += 2 {
			req.Header.Set(h[i], h[i+1])
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := post("/v1/messages?beta=true", `{"model":"m1","stream":true}`, "Authorization", "Bearer k1"); code != 200 ||
		!strings.Contains(body, "event: message_stop") || !strings.Contains(body, `"text":"Hi `) {
		t.Errorf("messages stream: %d %s", code, body)
	}
	if code, body := post("/v1/responses", `{"model":"m2","stream":true}`); code != 200 ||
		!strings.Contains(body, "event: response.completed") || !strings.Contains(body, `"total_tokens":21`) {
		t.Errorf("responses: %d %s", code, body)
	}
	if code, body := post("/v1/chat/completions", `{"model":"m3","stream":true,"stream_options":{"include_usage":true}}`); code != 200 ||
		!strings.HasSuffix(body, "data: [DONE]\n\n") || !strings.Contains(body, `"usage"`) {
		t.Errorf("chat: %d %s", code, body)
	}
	if code, body := post("/v1beta/models/g1:streamGenerateContent?alt=sse", `{}`, "X-Goog-Api-Key", "k4"); code != 200 ||
		!strings.Contains(body, `"finishReason":"STOP"`) {
		t.Errorf("gemini: %d %s", code, body)
	}
	req, _ := http.NewRequest("HEAD", u.URL()+"/api/hello", nil)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 404 {
		t.Errorf("HEAD /api/hello: %v %v", resp, err)
	}
	log := u.requests()
	if len(log) != 5 {
		t.Fatalf("logged %d requests, want 5: %v", len(log), log)
	}
	if r := log[0]; r.Path != "/v1/messages" || r.Query != "beta=true" || r.Authorization != "Bearer k1" || r.Model != "m1" || !r.Stream {
		t.Errorf("log[0] = %s", r)
	}
	if r := log[3]; r.Model != "g1" || r.XGoogAPIKey != "k4" {
		t.Errorf("log[3] = %s", r)
	}
}

func TestGuard(t *testing.T) {
	g := newGuard(t)
	u := newUpstream(t)
	proxy, _ := url.Parse(g.URL())
	client := &http.Client{Transport: &http.Transport{Proxy: http.ProxyURL(proxy)}}
	resp, err := client.Get("http://example.invalid/telemetry")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("non-loopback through the guard: %d, want 403", resp.StatusCode)
	}
	resp, err = client.Post(u.URL()+"/v1/chat/completions", "application/json", strings.NewReader(`{"model":"m"}`))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(b), reply) {
		t.Errorf("loopback through the guard: %d %s", resp.StatusCode, b)
	}
	if got := g.refused(); len(got) != 1 || got[0] != "example.invalid" {
		t.Errorf("refused = %v", got)
	}
}
