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

	"github.com/hubctl/hub/providers/fakerelay"
	"github.com/hubctl/hub/secret"
	"github.com/hubctl/hub/views/report"
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
		{"report"}, {"report", "--out", filepath.Join(h.root, "report.html"), "--cny-rate", "7.2"},
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
		b = withReportData(b)
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

// TestHostileUpstreamCannotLeakOrPaint points one credential per hostile
// mode and length at fakerelay.Hostile: the key echoed so that hub's
// message cut falls at every position inside it, by prefix and suffix of
// every length, split by tabs and newlines, as model ids, and wrapped in
// escape sequences. No output of verify (plain, --json, --deep, --cli),
// models, refresh or status, and no file hub wrote (the state goes to
// WebDAV), holds a run of secret.FragmentLen characters of the key or a
// raw escape sequence.
func TestHostileUpstreamCannotLeakOrPaint(t *testing.T) {
	hs := fakerelay.NewHostile()
	defer hs.Close()
	h := newHubEnv(t)
	h.env["RELAY_API_KEY"] = canary
	var hcl strings.Builder
	var ids []string
	add := func(mode fakerelay.HostileMode, n int, apiType string) {
		id := fmt.Sprintf("%s_%d_%s", mode, n, strings.ReplaceAll(apiType, "-", "_"))
		ids = append(ids, id)
		fmt.Fprintf(&hcl, "credential %q {\n  api_type = %q\n  base_url = %q\n  api_key  = env(\"RELAY_API_KEY\")\n}\n\n", id, apiType, hs.BaseURL(mode, n))
	}
	cuts := 0
	for n := 1; n <= len(canary); n++ {
		for _, mode := range []fakerelay.HostileMode{fakerelay.EchoCut, fakerelay.EchoPlainCut, fakerelay.EchoPrefix, fakerelay.EchoSuffix} {
			add(mode, n, "openai-compatible")
			cuts++
		}
	}
	for _, n := range []int{1, 3, 7} {
		add(fakerelay.EchoTabs, n, "openai-compatible")
		add(fakerelay.EchoNewlines, n, "anthropic")
		add(fakerelay.EchoModels, n, "openai-compatible")
	}
	for _, typ := range []string{"openai-compatible", "anthropic", "google"} {
		add(fakerelay.Escapes, 0, typ)
		if typ != "openai-compatible" {
			add(fakerelay.EchoCut, 20, typ)
		}
	}
	h.write("cfg/hub.hcl", hcl.String())
	bad := func(s string) string {
		flat := strings.Join(strings.Fields(s), "")
		for i := 0; i+secret.FragmentLen <= len(canary); i++ {
			if strings.Contains(flat, canary[i:i+secret.FragmentLen]) {
				return canary[i : i+secret.FragmentLen]
			}
		}
		// The canary's middle word cannot show without a longer run; its
		// 8-character tail (canaryParts) may, as "…7f3a9b2c": shorter than
		// FragmentLen, it is what a key's owner is shown of it anyway.
		if strings.Contains(flat, "LEAKCANARY") {
			return "LEAKCANARY"
		}
		if strings.ContainsAny(s, "\x1b\x07\u009b\u202e") {
			return "an escape sequence"
		}
		return ""
	}
	runs := 0
	for _, args := range [][]string{
		{"verify"}, {"verify", "--json"}, {"verify", "--deep", "--cli", "claude,codex,gemini"},
		{"verify", "--deep", "--json"}, {"refresh"}, {"refresh", "--json"}, {"status"}, {"status", "--json"},
		{"models", "models_1_openai_compatible"}, {"models", "models_7_openai_compatible", "--json"},
		{"models", "escapes_0_openai_compatible"}, {"models", "cut_20_anthropic"},
		{"report"}, {"report", "--out", filepath.Join(h.root, "report.html")},
	} {
		r := h.run(args...)
		runs++
		if what := bad(r.stdout + r.stderr); what != "" {
			t.Errorf("LEAK: %q printed by hub %s:\n%s", what, strings.Join(args, " "), r)
		}
		if r.code != 0 && r.code != 1 {
			t.Errorf("exit %d:\n%s", r.code, r)
		}
	}
	// The upstream did get the key, and the models answer came back.
	if r := h.run("models", "models_1_openai_compatible"); !strings.Contains(r.stdout, "gpt-echo") {
		t.Fatalf("models did not answer:\n%s", r)
	}
	err := filepath.WalkDir(h.root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if what := bad(string(withReportData(b))); what != "" {
			t.Errorf("LEAK: %q in %s", what, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d credentials (%d cut, prefix, suffix and plain-cut positions over a %d-character key), %d runs: no fragment of %d characters, no escape sequence", len(ids), cuts, len(canary), runs, secret.FragmentLen)
}

// withReportData is a file's bytes, and, when it is a page of hub report,
// the data the page carries compressed too (a key in it would not show in
// the page's bytes).
func withReportData(b []byte) []byte {
	if d, err := report.Decode(b); err == nil {
		return append(append(b, '\n'), d...)
	}
	return b
}
