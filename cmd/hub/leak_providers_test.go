package main

import (
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// usageCanary is the token of a custom usage endpoint: a secret too.
const usageCanary = "tok-test-USAGECANARY-5e2d"

// echoServer is a hostile upstream: every answer quotes back whatever key
// or token the request carried, in error messages, HTML pages, model ids
// and usage fields, so only hub's own discipline keeps them out of its
// output and state.
func echoServer(t *testing.T) *httptest.Server {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &httptest.Server{Listener: ln, Config: &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got := r.Header.Get("Authorization") + r.Header.Get("x-api-key") + r.Header.Get("x-goog-api-key")
		w.Header().Set("Content-Type", "application/json")
		switch {
		case strings.HasSuffix(r.URL.Path, "/models") && strings.Contains(r.URL.RawQuery, "page"):
			fmt.Fprintf(w, `{"models":[{"name":"models/gemini-%s","supportedGenerationMethods":["generateContent"]}]}`, got)
		case strings.HasSuffix(r.URL.Path, "/models"):
			fmt.Fprintf(w, `{"object":"list","data":[{"id":"gpt-echo"},{"id":"claude-echo"},{"id":"gemini-echo"}],"note":%q}`, got)
		case strings.Contains(r.URL.Path, "/usage/token"):
			w.WriteHeader(401)
			fmt.Fprintf(w, `{"success":false,"message":"Invalid token %s"}`, got)
		case strings.Contains(r.URL.Path, "custom"):
			fmt.Fprintf(w, `{"data":{"balance":"3.5","who":%q}}`, got)
		case strings.Contains(r.URL.Path, "html"):
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprintf(w, "<html><title>%s</title></html>", got)
		default:
			w.WriteHeader(400)
			fmt.Fprintf(w, `{"error":{"message":"Incorrect API key provided: %s","type":"invalid_request_error","code":"invalid_api_key"}}`, got)
		}
	})}}
	srv.Start()
	t.Cleanup(srv.Close)
	return srv
}

// TestNoKeyInProviderOutput runs verify, models, refresh and status against
// an upstream that echoes keys, in every output mode, and checks no byte of
// output, the state or any other file hub wrote holds a key or usage token.
func TestNoKeyInProviderOutput(t *testing.T) {
	srv := echoServer(t)
	h := newHubEnv(t)
	h.env["RELAY_API_KEY"] = canary
	h.env["USAGE_TOKEN"] = usageCanary
	h.env["ECHO_URL"] = srv.URL
	other := echoServer(t)
	h.env["OTHER_URL"] = other.URL
	h.write("cfg/hub.hcl", `credential "relay" {
  api_type = "openai-compatible"
  base_url = env("ECHO_URL")
  api_key  = env("RELAY_API_KEY")
}

credential "anth" {
  api_type = "anthropic"
  base_url = env("ECHO_URL")
  api_key  = env("RELAY_API_KEY")
}

credential "gem" {
  api_type = "google"
  base_url = env("ECHO_URL")
  api_key  = env("RELAY_API_KEY")
}

credential "html" {
  api_type = "openai-compatible"
  base_url = "${env("ECHO_URL")}/html"
  api_key  = env("RELAY_API_KEY")
}

credential "custom" {
  api_type = "openai-compatible"
  base_url = env("ECHO_URL")
  api_key  = env("RELAY_API_KEY")
  usage {
    method   = "custom"
    endpoint = "${env("OTHER_URL")}/custom"
    token    = env("USAGE_TOKEN")
    balance  = "data.balance"
  }
}

target "claude_code" "default" {
  credential = credential.anth
}
`)
	c := &leakChecker{t: t}
	check := func(r runResult) {
		t.Helper()
		c.check(r)
		if strings.Contains(r.stdout+r.stderr, "USAGECANARY") {
			t.Errorf("LEAK: usage token printed by:\n%s", r)
		}
		if r.code != 0 && r.code != 1 {
			t.Errorf("exit %d:\n%s", r.code, r)
		}
	}
	for _, args := range [][]string{
		{"verify"}, {"verify", "--json"}, {"verify", "--deep", "--cli", "claude,codex,gemini"},
		{"verify", "--deep", "--cli", "claude,codex,gemini", "--json"}, {"verify", "relay", "--model", "gpt-echo", "--deep"},
		{"models", "relay"}, {"models", "anth", "--json"}, {"models", "gem"}, {"models", "html"},
		{"refresh"}, {"refresh", "--json"}, {"status"}, {"status", "--json"}, {"plan"}, {"plan", "--json"},
	} {
		check(h.run(args...))
	}
	if c.runs < 15 {
		t.Fatalf("only %d runs", c.runs)
	}
	// The upstream did get the key (else this test proves nothing).
	r := h.run("models", "relay")
	if !strings.Contains(r.stdout, "gpt-echo") {
		t.Fatalf("models did not answer:\n%s", r)
	}
	err := filepath.WalkDir(h.root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		rel, _ := filepath.Rel(h.root, path)
		if strings.HasPrefix(rel, "home/.claude/settings.json") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, s := range append(canaryParts, "USAGECANARY") {
			if strings.Contains(string(b), s) {
				t.Errorf("LEAK: %q in %s", s, rel)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(h.cfg, ".hub", "state.json")); err != nil {
		t.Errorf("refresh wrote no state: %v", err)
	}
}
