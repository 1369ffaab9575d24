package ccr

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hubctl/hub/credential"
	"github.com/hubctl/hub/secret"
	"github.com/hubctl/hub/targets"
)

// TestRealCCR writes config.json as hub does, runs `ccr restart` through
// Reload, and sends Claude Code's kind of request to the service, against a
// recording upstream on loopback, with HOME in a temporary directory. It
// needs Claude Code Router 2.0.0 installed and is skipped unless
// HUB_TEST_CCR_BIN names the directory holding its ccr command:
//
//	npm install --prefix /tmp/ccr @musistudio/claude-code-router@2.0.0
//	HUB_TEST_CCR_BIN=/tmp/ccr/node_modules/.bin go test -run TestRealCCR ./targets/ccr/
func TestRealCCR(t *testing.T) {
	bin := os.Getenv("HUB_TEST_CCR_BIN")
	if bin == "" {
		t.Skip("HUB_TEST_CCR_BIN is not set")
	}
	type request struct{ Path, Auth, XAPIKey, GoogKey, Model string }
	var mu sync.Mutex
	var seen []request
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Model string `json:"model"`
		}
		_ = json.NewDecoder(r.Body).Decode(&body)
		mu.Lock()
		seen = append(seen, request{r.URL.Path, r.Header.Get("Authorization"), r.Header.Get("X-Api-Key"), r.Header.Get("X-Goog-Api-Key"), body.Model})
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		switch {
		case strings.HasSuffix(r.URL.Path, "/chat/completions"):
			fmt.Fprintf(w, `{"id":"x","object":"chat.completion","created":1,"model":%q,"choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}`, body.Model)
		case strings.HasSuffix(r.URL.Path, "/messages"):
			fmt.Fprintf(w, `{"id":"msg_1","type":"message","role":"assistant","model":%q,"content":[{"type":"text","text":"hi"}],"stop_reason":"end_turn","usage":{"input_tokens":1,"output_tokens":1}}`, body.Model)
		case strings.HasSuffix(r.URL.Path, ":generateContent"):
			fmt.Fprint(w, `{"candidates":[{"content":{"role":"model","parts":[{"text":"hi"}]},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":1,"candidatesTokenCount":1,"totalTokenCount":2}}`)
		default:
			http.NotFound(w, r)
		}
	}))
	defer up.Close()

	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	t.Setenv("RELAY_API_KEY", "sk-test-real-relay")
	port := freePort(t)

	tg := &Target{KeyMode: "env", Restart: true, Router: &Router{Default: "relay,gpt-4.1"}}
	in := &targets.Input{Address: Type + ".real", Credentials: []*credential.Credential{
		{ID: "relay", APIType: "openai-compatible", BaseURL: up.URL, Key: secret.New("unused"), Models: []string{"gpt-4.1"}},
		{ID: "claude", APIType: "anthropic", BaseURL: up.URL, Key: secret.New("sk-ant-test-real"), Models: []string{"claude-sonnet-4-5"}},
		{ID: "gem", APIType: "google", BaseURL: up.URL, Key: secret.New("sk-test-real-gem"), Models: []string{"gemini-2.5-pro"}},
	}}
	tg.KeyEnv = map[string]string{"claude": "CLAUDE_KEY", "gem": "GEM_KEY"}
	t.Setenv("CLAUDE_KEY", "sk-ant-test-real")
	t.Setenv("GEM_KEY", "sk-test-real-gem")
	files, err := tg.Files(targets.Env{Vars: map[string]string{"HOME": home}})
	if err != nil {
		t.Fatal(err)
	}
	path := files[0]
	// The user's file: comments, their own port and no logging.
	user := fmt.Sprintf("// mine\n{\n  \"PORT\": %d, // not the default\n  \"LOG\": false,\n  \"Providers\": [],\n}\n", port)
	doc, err := tg.Open(path, []byte(user))
	if err != nil {
		t.Fatal(err)
	}
	spec, err := tg.Desired(path, in)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range spec.Items {
		if err := doc.Set(it.Key, it.Value); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, doc.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Logf("config.json:\n%s", doc.Bytes())

	if err := tg.Reload(context.Background(), in); err != nil {
		t.Fatal(err)
	}
	defer func() {
		out, err := exec.Command("ccr", "stop").CombinedOutput()
		t.Logf("ccr stop: %s %v", out, err)
	}()
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	deadline := time.Now().Add(20 * time.Second)
	for {
		if c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port)); err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the service did not start")
		}
		time.Sleep(200 * time.Millisecond)
	}
	for _, model := range []string{"claude-sonnet-4-5-20250929", "claude,claude-sonnet-4-5", "gem,gemini-2.5-pro"} {
		body := fmt.Sprintf(`{"model":%q,"max_tokens":10,"messages":[{"role":"user","content":"say hi"}]}`, model)
		resp, err := http.Post(base+"/v1/messages", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(b), "hi") {
			t.Errorf("%s: %d %s", model, resp.StatusCode, b)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	want := []request{
		{"/v1/chat/completions", "Bearer sk-test-real-relay", "", "", "gpt-4.1"},
		{"/v1/messages", "Bearer sk-ant-test-real", "sk-ant-test-real", "", "claude-sonnet-4-5"},
		{"/v1beta/models/gemini-2.5-pro:generateContent", "", "", "sk-test-real-gem", ""},
	}
	if fmt.Sprint(seen) != fmt.Sprint(want) {
		t.Errorf("upstream saw\n%v\nwant\n%v", seen, want)
	}
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
