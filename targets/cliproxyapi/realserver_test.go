package cliproxyapi_test

// The real-server tests: hub writes config.yaml for a running CLIProxyAPI
// (the real server, built by build-server.sh), or writes through its
// management API, and the server must use what hub wrote, including a key
// rotated while it runs. They need HUB_E2E=1 and, the first time, the Go
// module proxy (to build the server):
//
//	HUB_E2E=1 go test -run TestRealServer -v -timeout 20m ./targets/cliproxyapi/
//
// Everything it starts listens on 127.0.0.1, and the server is given a proxy
// on a closed loopback port for anything else, so nothing leaves the machine.

import (
	"bytes"
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
	"github.com/hubctl/hub/engine"
	"github.com/hubctl/hub/engine/config"
	"github.com/hubctl/hub/engine/states"
	"github.com/hubctl/hub/engine/system"
	"github.com/hubctl/hub/secret"
	"github.com/hubctl/hub/targets"
	"github.com/hubctl/hub/targets/cliproxyapi"
	"github.com/hubctl/hub/views"
)

const (
	clientKey = "sk-client-e2e-0001"
	model     = "e2e-model"
)

// upstream is a fake OpenAI-compatible API that records what it is sent.
type upstream struct {
	mu   sync.Mutex
	seen []request
}

type request struct {
	Path, Auth, Model string
	Stream            bool
}

func (u *upstream) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPost && r.URL.Path == "/v1/messages" {
		u.messages(w, r)
		return
	}
	if r.Method != http.MethodPost || r.URL.Path != "/v1/chat/completions" {
		http.NotFound(w, r)
		return
	}
	var body struct {
		Model  string `json:"model"`
		Stream bool   `json:"stream"`
	}
	_ = json.NewDecoder(r.Body).Decode(&body)
	u.mu.Lock()
	u.seen = append(u.seen, request{Path: r.URL.Path, Auth: r.Header.Get("Authorization"), Model: body.Model, Stream: body.Stream})
	u.mu.Unlock()
	if body.Stream {
		w.Header().Set("Content-Type", "text/event-stream")
		for _, chunk := range []string{
			`{"id":"c1","object":"chat.completion.chunk","created":1,"model":"` + body.Model + `","choices":[{"index":0,"delta":{"role":"assistant","content":"hi"},"finish_reason":null}]}`,
			`{"id":"c1","object":"chat.completion.chunk","created":1,"model":"` + body.Model + `","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}`,
			`[DONE]`,
		} {
			fmt.Fprintf(w, "data: %s\n\n", chunk)
			w.(http.Flusher).Flush()
		}
		return
	}
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"id":"c1","object":"chat.completion","created":1,"model":%q,"choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}`, body.Model)
}

// messages is a fake Anthropic Messages API (what CLIProxyAPI's Claude
// executor calls for claude-api-key entries).
func (u *upstream) messages(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Model  string `json:"model"`
		Stream bool   `json:"stream"`
	}
	_ = json.NewDecoder(r.Body).Decode(&body)
	auth := r.Header.Get("Authorization")
	if auth == "" {
		auth = "x-api-key " + r.Header.Get("X-Api-Key")
	}
	u.mu.Lock()
	u.seen = append(u.seen, request{Path: r.URL.Path, Auth: auth, Model: body.Model, Stream: body.Stream})
	u.mu.Unlock()
	if body.Stream {
		w.Header().Set("Content-Type", "text/event-stream")
		for _, ev := range []struct{ name, data string }{
			{"message_start", `{"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"` + body.Model + `","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":1,"output_tokens":1}}}`},
			{"content_block_start", `{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}`},
			{"content_block_delta", `{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"hi"}}`},
			{"content_block_stop", `{"type":"content_block_stop","index":0}`},
			{"message_delta", `{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":1}}`},
			{"message_stop", `{"type":"message_stop"}`},
		} {
			fmt.Fprintf(w, "event: %s\ndata: %s\n\n", ev.name, ev.data)
			w.(http.Flusher).Flush()
		}
		return
	}
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"id":"msg_1","type":"message","role":"assistant","model":%q,"content":[{"type":"text","text":"hi"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":1,"output_tokens":1}}`, body.Model)
}

func (u *upstream) last() (request, bool) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if len(u.seen) == 0 {
		return request{}, false
	}
	return u.seen[len(u.seen)-1], true
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

// buildServer returns the path of the real server, built by build-server.sh.
func buildServer(t *testing.T) string {
	t.Helper()
	cmd := exec.Command("bash", "build-server.sh")
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("build-server.sh: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	return lines[len(lines)-1]
}

// hubApply plans and applies the cliproxyapi target for cred on the real
// filesystem, as hub apply does.
func hubApply(t *testing.T, dir, path string, cred *credential.Credential, st *states.State) *states.State {
	t.Helper()
	info, err := targets.Lookup(cliproxyapi.Type)
	if err != nil {
		t.Fatal(err)
	}
	in := &targets.Input{Address: "cliproxyapi.e2e", Credentials: []*credential.Credential{cred}}
	cfg := &config.Config{Targets: []*config.Target{{Type: info.Type, Name: "e2e", Info: info, Impl: &cliproxyapi.Target{ConfigFile: path}, Input: in}}}
	eng := &engine.Engine{Sys: system.OS{}, Env: targets.Env{Vars: map[string]string{"HOME": dir}, Dir: dir}, Host: "e2e"}
	planned, err := eng.Plan(context.Background(), cfg, st, engine.PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var shown strings.Builder
	views.WritePlan(&shown, planned.Plan, views.Style{})
	t.Logf("hub plan:\n%s", shown.String())
	res, err := eng.Apply(context.Background(), planned, st)
	if err != nil {
		t.Fatal(err)
	}
	if err := res.Err(); err != nil {
		t.Fatal(err)
	}
	return res.State
}

// chat sends one chat completion through the proxy and returns its status
// and body.
func chat(port int, stream bool) (int, string, error) {
	body := fmt.Sprintf(`{"model":%q,"messages":[{"role":"user","content":"say hi"}],"stream":%v}`, model, stream)
	req, _ := http.NewRequest(http.MethodPost, fmt.Sprintf("http://127.0.0.1:%d/v1/chat/completions", port), strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+clientKey)
	req.Header.Set("Content-Type", "application/json")
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{Proxy: nil}}
	resp, err := client.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), nil
}

// waitFor polls cond every 250ms until it holds or timeout passes.
func waitFor(timeout time.Duration, cond func() bool) bool {
	for end := time.Now().Add(timeout); time.Now().Before(end); time.Sleep(250 * time.Millisecond) {
		if cond() {
			return true
		}
	}
	return cond()
}

// lockedBuffer collects the server's output.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestRealServer(t *testing.T) {
	if os.Getenv("HUB_E2E") != "1" {
		t.Skip("set HUB_E2E=1 to run CLIProxyAPI itself (built with the Go module proxy the first time)")
	}
	bin := buildServer(t)

	up := &upstream{}
	fake := httptest.NewServer(up) // listens on 127.0.0.1
	defer fake.Close()

	dir := t.TempDir()
	path := filepath.Join(dir, "config.yaml")
	port := freePort(t)
	user := fmt.Sprintf(`# CLIProxyAPI config for hub's real-server test
host: "127.0.0.1"
port: %d

remote-management:
  allow-remote: false
  secret-key: ""
  disable-control-panel: true

auth-dir: %q

# keys the clients use
api-keys:
  - %q

logging-to-file: false
usage-statistics-enabled: false
request-retry: 0
`, port, filepath.Join(dir, "auth"), clientKey)
	if err := os.WriteFile(path, []byte(user), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "auth"), 0o700); err != nil {
		t.Fatal(err)
	}

	cred := &credential.Credential{ID: "relay", Name: "relay", APIType: "openai-compatible",
		BaseURL: fake.URL, Key: secret.New("sk-test-e2e-key-1"), Models: []string{model}}
	st := hubApply(t, dir, path, cred, states.New())
	written, _ := os.ReadFile(path)
	if !bytes.HasPrefix(written, []byte(user)) {
		t.Fatalf("hub changed the user's part of config.yaml:\n%s", written)
	}
	t.Logf("config.yaml:\n%s", bytes.ReplaceAll(written, []byte("sk-test-e2e-key-1"), []byte("KEY1")))

	var logs lockedBuffer
	srv := exec.Command(bin, "-config", path, "-local-model")
	srv.Dir = dir
	// Anything but loopback goes to a closed loopback port: the server checks
	// for updates at start, which must not leave the machine.
	srv.Env = append(os.Environ(), "HOME="+dir, "HTTP_PROXY=http://127.0.0.1:9", "HTTPS_PROXY=http://127.0.0.1:9",
		"http_proxy=http://127.0.0.1:9", "https_proxy=http://127.0.0.1:9", "NO_PROXY=", "no_proxy=")
	srv.Stdout, srv.Stderr = &logs, &logs
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		_ = srv.Process.Kill()
		_ = srv.Wait()
		if t.Failed() {
			t.Logf("server output:\n%s", logs.String())
		}
	}()

	// It serves once a chat completion reaches the upstream with hub's key.
	expect := func(key string, timeout time.Duration) bool {
		return waitFor(timeout, func() bool {
			code, _, err := chat(port, false)
			r, ok := up.last()
			return err == nil && code == http.StatusOK && ok && r.Auth == "Bearer "+key
		})
	}
	if !expect("sk-test-e2e-key-1", 30*time.Second) {
		r, _ := up.last()
		t.Fatalf("no request reached the upstream with the key hub wrote (last: %+v)", r)
	}
	r, _ := up.last()
	if r.Path != "/v1/chat/completions" || r.Model != model {
		t.Errorf("upstream saw %+v, want POST /v1/chat/completions for %s", r, model)
	}
	// This server has no remote-management.secret-key: management mode says
	// how to turn the API on.
	base := fmt.Sprintf("http://127.0.0.1:%d/v0/management", port)
	_, err := (&cliproxyapi.Target{Management: &cliproxyapi.Management{URL: base, Key: "sk-test-mgmt-none"}}).Fetch(context.Background(), base)
	if err == nil || !strings.Contains(err.Error(), "remote management is disabled until remote-management.secret-key is set in its config.yaml") {
		t.Errorf("management mode against a server without a secret-key: %v", err)
	} else {
		t.Logf("as expected: %v", err)
	}
	code, body, err := chat(port, true)
	if err != nil || code != http.StatusOK || !strings.Contains(body, "data:") {
		t.Errorf("streaming chat: %d %v\n%s", code, err, body)
	}
	if r, _ := up.last(); !r.Stream || r.Auth != "Bearer sk-test-e2e-key-1" {
		t.Errorf("streaming request reached the upstream as %+v", r)
	}

	// Rotate the key with the server running: hub rewrites config.yaml in
	// place, and the server's watcher picks it up.
	before, _ := os.Stat(path)
	cred.Key = secret.New("sk-test-e2e-key-2")
	hubApply(t, dir, path, cred, st)
	after, _ := os.Stat(path)
	if !os.SameFile(before, after) {
		t.Error("hub replaced config.yaml instead of rewriting it in place")
	}
	start := time.Now()
	if !expect("sk-test-e2e-key-2", 15*time.Second) {
		r, _ := up.last()
		t.Fatalf("the running server did not pick up the rotated key within 15s (last: %+v)", r)
	}
	t.Logf("the running server used the rotated key after %v", time.Since(start).Round(100*time.Millisecond))

	// What hub's usual atomic write (a new file renamed over the old one)
	// would have done: the server does not notice the new key, nor any change
	// after that, even one written in place.
	data, _ := os.ReadFile(path)
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, bytes.ReplaceAll(data, []byte("sk-test-e2e-key-2"), []byte("sk-test-e2e-key-3")), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
	if expect("sk-test-e2e-key-3", 5*time.Second) {
		t.Fatal("CLIProxyAPI picked up a rename-replaced config.yaml: the in-place write may no longer be needed; update the package documentation")
	}
	cred.Key = secret.New("sk-test-e2e-key-4")
	hubApply(t, dir, path, cred, st)
	if expect("sk-test-e2e-key-4", 5*time.Second) {
		t.Fatal("CLIProxyAPI picked up a change after a rename-replace: the trap is gone; update the package documentation")
	}
	t.Log("as documented: after config.yaml was replaced by rename, the server noticed neither that nor a later in-place write")
	if os.Getenv("HUB_E2E_LOGS") == "1" {
		t.Logf("server output:\n%s", logs.String())
	}
}

// hubApplyMgmt plans and applies the cliproxyapi target in management mode
// for creds, as hub apply does; no file may be written. It returns the new
// state and the plan shown.
func hubApplyMgmt(t *testing.T, url, key string, creds []*credential.Credential, st *states.State) (*states.State, string) {
	t.Helper()
	info, err := targets.Lookup(cliproxyapi.Type)
	if err != nil {
		t.Fatal(err)
	}
	impl := &cliproxyapi.Target{Management: &cliproxyapi.Management{URL: url, Key: key}}
	in := &targets.Input{Address: "cliproxyapi.e2e", Credentials: creds}
	if errs := impl.Validate(in); len(errs) > 0 {
		t.Fatal(errs)
	}
	cfg := &config.Config{Targets: []*config.Target{{Type: info.Type, Name: "e2e", Info: info, Impl: impl, Input: in}}}
	mem := system.NewMem(nil)
	eng := &engine.Engine{Sys: mem, Env: targets.Env{Vars: map[string]string{"HOME": "/nonexistent"}, Dir: "/nonexistent"}, Host: "e2e"}
	planned, err := eng.Plan(context.Background(), cfg, st, engine.PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var shown strings.Builder
	views.WritePlan(&shown, planned.Plan, views.Style{})
	if errs := views.TargetErrors(planned.Plan); len(errs) > 0 {
		t.Fatalf("plan: %v", errs)
	}
	for _, s := range append([]string{key}, keysOf(creds)...) {
		if strings.Contains(shown.String(), s) {
			t.Fatalf("the plan shows a key:\n%s", shown.String())
		}
	}
	t.Logf("hub plan:\n%s", shown.String())
	res, err := eng.Apply(context.Background(), planned, st)
	if err != nil {
		t.Fatal(err)
	}
	if err := res.Err(); err != nil {
		t.Fatal(err)
	}
	if len(mem.Names()) != 0 {
		t.Fatalf("management mode wrote files: %v", mem.Names())
	}
	// A second plan is empty: what the server gives back is what hub sent.
	again, err := eng.Plan(context.Background(), cfg, res.State, engine.PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if again.Plan.HasChanges() || again.Plan.HasDrift() || len(views.TargetErrors(again.Plan)) > 0 {
		var b strings.Builder
		views.WritePlan(&b, again.Plan, views.Style{})
		t.Fatalf("second plan is not empty:\n%s", b.String())
	}
	return res.State, shown.String()
}

func keysOf(creds []*credential.Credential) []string {
	var out []string
	for _, c := range creds {
		out = append(out, c.Key.Reveal())
	}
	return out
}

// mgmtGet reads a list with a plain request (X-Management-Key, the other
// header the server takes), as a user's script would.
func mgmtGet(t *testing.T, port int, key, list string) []map[string]any {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, fmt.Sprintf("http://127.0.0.1:%d/v0/management/%s", port, list), nil)
	req.Header.Set("X-Management-Key", key)
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{Proxy: nil}}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string][]map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %v", list, resp.StatusCode, err)
	}
	return body[list]
}

// claudeMessage sends one Messages API request through the proxy.
func claudeMessage(port int, model string) (int, string, error) {
	body := fmt.Sprintf(`{"model":%q,"max_tokens":16,"messages":[{"role":"user","content":"say hi"}]}`, model)
	req, _ := http.NewRequest(http.MethodPost, fmt.Sprintf("http://127.0.0.1:%d/v1/messages", port), strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+clientKey)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Anthropic-Version", "2023-06-01")
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{Proxy: nil}}
	resp, err := client.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), nil
}

// TestRealServerManagement writes through the management API of a running
// CLIProxyAPI (remote-management.secret-key set, localhost only): the
// server serves hub's entries, a rotated key replaces hub's entry and is
// served without a restart, the user's entries and the comments of
// config.yaml stay, and a wrong key gets the documented error.
func TestRealServerManagement(t *testing.T) {
	if os.Getenv("HUB_E2E") != "1" {
		t.Skip("set HUB_E2E=1 to run CLIProxyAPI itself (built with the Go module proxy the first time)")
	}
	bin := buildServer(t)

	up := &upstream{}
	fake := httptest.NewServer(up) // listens on 127.0.0.1
	defer fake.Close()

	const mgmtKey = "sk-test-mgmt-e2e-0001"
	const claudeModel = "e2e-claude"
	dir := t.TempDir()
	path := filepath.Join(dir, "config.yaml")
	port := freePort(t)
	user := fmt.Sprintf(`# CLIProxyAPI config for hub's management-mode test
host: "127.0.0.1"
port: %d

# management from this machine only, with a key
remote-management:
  allow-remote: false
  secret-key: %q # the server hashes it at start
  disable-control-panel: true

auth-dir: %q

# keys the clients use
api-keys:
  - %q

logging-to-file: false
usage-statistics-enabled: false
request-retry: 0

# my own provider, not hub's
openai-compatibility:
  - name: "mine" # keep me
    base-url: "https://mine.example.com/v1"
    api-key-entries:
      - api-key: "sk-test-user-e2e-0001"
    models:
      - name: "my-model"
        alias: "my-model"
`, port, mgmtKey, filepath.Join(dir, "auth"), clientKey)
	if err := os.WriteFile(path, []byte(user), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "auth"), 0o700); err != nil {
		t.Fatal(err)
	}

	var logs lockedBuffer
	srv := exec.Command(bin, "-config", path, "-local-model")
	srv.Dir = dir
	srv.Env = append(os.Environ(), "HOME="+dir, "HTTP_PROXY=http://127.0.0.1:9", "HTTPS_PROXY=http://127.0.0.1:9",
		"http_proxy=http://127.0.0.1:9", "https_proxy=http://127.0.0.1:9", "NO_PROXY=", "no_proxy=", "MANAGEMENT_PASSWORD=")
	srv.Stdout, srv.Stderr = &logs, &logs
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	pid := srv.Process.Pid
	defer func() {
		_ = srv.Process.Kill()
		_ = srv.Wait()
		if t.Failed() || os.Getenv("HUB_E2E_LOGS") == "1" {
			t.Logf("server output:\n%s", logs.String())
		}
	}()

	url := fmt.Sprintf("http://127.0.0.1:%d", port)
	base := url + "/v0/management"
	// Up once the management API answers hub with the key (connection
	// errors do not count towards the ban).
	var fetchErr error
	if !waitFor(30*time.Second, func() bool {
		_, fetchErr = (&cliproxyapi.Target{Management: &cliproxyapi.Management{URL: url, Key: mgmtKey}}).Fetch(context.Background(), base)
		return fetchErr == nil
	}) {
		t.Fatalf("the management API did not answer: %v", fetchErr)
	}

	// A wrong key: the documented error, without the key (one failure; the
	// next success resets the count).
	_, err := (&cliproxyapi.Target{Management: &cliproxyapi.Management{URL: url, Key: "sk-test-mgmt-wrong"}}).Fetch(context.Background(), base)
	if err == nil || !strings.Contains(err.Error(), "CLIProxyAPI at "+base+" refused the management key (401: invalid management key)") || strings.Contains(err.Error(), "sk-test-mgmt-wrong") {
		t.Errorf("wrong key: %v", err)
	} else {
		t.Logf("as expected: %v", err)
	}

	relay := &credential.Credential{ID: "relay", Name: "relay", APIType: "openai-compatible",
		BaseURL: fake.URL, Key: secret.New("sk-test-e2e-mkey-1"), Models: []string{model}}
	claude := &credential.Credential{ID: "claude", Name: "claude", APIType: "anthropic",
		BaseURL: fake.URL, Key: secret.New("sk-ant-test-e2e-mkey-1"), Models: []string{claudeModel}}
	creds := []*credential.Credential{relay, claude}
	st, _ := hubApplyMgmt(t, url, mgmtKey, creds, states.New())

	// The server holds hub's entries next to the user's.
	oc := mgmtGet(t, port, mgmtKey, "openai-compatibility")
	if len(oc) != 2 || oc[0]["name"] != "mine" || oc[1]["name"] != "relay" || oc[1]["base-url"] != fake.URL+"/v1" {
		t.Fatalf("openai-compatibility = %v", oc)
	}
	if ks, _ := oc[1]["api-key-entries"].([]any); len(ks) != 1 || ks[0].(map[string]any)["api-key"] != "sk-test-e2e-mkey-1" {
		t.Fatalf("relay api-key-entries = %v", oc[1]["api-key-entries"])
	}
	ck := mgmtGet(t, port, mgmtKey, "claude-api-key")
	if len(ck) != 1 || ck[0]["api-key"] != "sk-ant-test-e2e-mkey-1" || ck[0]["base-url"] != fake.URL {
		t.Fatalf("claude-api-key = %v", ck)
	}

	// The proxy uses them.
	expectChat := func(key string, timeout time.Duration) bool {
		return waitFor(timeout, func() bool {
			code, _, err := chat(port, false)
			r, ok := up.last()
			return err == nil && code == http.StatusOK && ok && r.Path == "/v1/chat/completions" && r.Auth == "Bearer "+key
		})
	}
	expectClaude := func(key string, timeout time.Duration) bool {
		return waitFor(timeout, func() bool {
			code, _, err := claudeMessage(port, claudeModel)
			r, ok := up.last()
			return err == nil && code == http.StatusOK && ok && r.Path == "/v1/messages" && r.Auth == "Bearer "+key
		})
	}
	if !expectChat("sk-test-e2e-mkey-1", 30*time.Second) {
		r, _ := up.last()
		t.Fatalf("no chat completion reached the upstream with the key hub wrote (last: %+v)", r)
	}
	if !expectClaude("sk-ant-test-e2e-mkey-1", 15*time.Second) {
		code, body, err := claudeMessage(port, claudeModel)
		r, _ := up.last()
		t.Fatalf("no Messages request reached the upstream with the Claude key hub wrote (last: %+v; proxy answered %d %v %s)", r, code, err, body)
	}

	// Rotate both keys with the server running.
	relay.Key = secret.New("sk-test-e2e-mkey-2")
	claude.Key = secret.New("sk-ant-test-e2e-mkey-2")
	start := time.Now()
	st, shown := hubApplyMgmt(t, url, mgmtKey, creds, st)
	if !strings.Contains(shown, "- claude-api-key[api-key~claude:") || !strings.Contains(shown, "+ claude-api-key[api-key~claude:") {
		t.Errorf("rotation plan does not replace the Claude entry:\n%s", shown)
	}
	if !expectChat("sk-test-e2e-mkey-2", 15*time.Second) {
		r, _ := up.last()
		t.Fatalf("the running server did not use the rotated key within 15s (last: %+v)", r)
	}
	if !expectClaude("sk-ant-test-e2e-mkey-2", 15*time.Second) {
		r, _ := up.last()
		t.Fatalf("the running server did not use the rotated Claude key within 15s (last: %+v)", r)
	}
	t.Logf("the running server used the rotated keys %v after hub apply began (its PUTs and check plan included), without a restart", time.Since(start).Round(100*time.Millisecond))
	if srv.ProcessState != nil || srv.Process.Pid != pid {
		t.Fatal("the server restarted")
	}
	ck = mgmtGet(t, port, mgmtKey, "claude-api-key")
	if len(ck) != 1 || ck[0]["api-key"] != "sk-ant-test-e2e-mkey-2" {
		t.Fatalf("claude-api-key after rotation = %v", ck)
	}

	// The server saved config.yaml keeping the user's comments and entry.
	saved, _ := os.ReadFile(path)
	shownFile := string(saved)
	for _, k := range []string{"sk-test-e2e-mkey-2", "sk-ant-test-e2e-mkey-2", "sk-test-user-e2e-0001"} {
		shownFile = strings.ReplaceAll(shownFile, k, "KEY")
	}
	t.Logf("config.yaml as the server saved it:\n%s", shownFile)
	for _, want := range []string{
		"# CLIProxyAPI config for hub's management-mode test",
		"# management from this machine only, with a key",
		"# keys the clients use",
		"# my own provider, not hub's",
		"# keep me",
		"sk-test-user-e2e-0001",
		"sk-test-e2e-mkey-2",
		"sk-ant-test-e2e-mkey-2",
	} {
		if !strings.Contains(string(saved), want) {
			t.Errorf("config.yaml lost %q", want)
		}
	}
	for _, gone := range []string{"sk-test-e2e-mkey-1", "sk-ant-test-e2e-mkey-1", mgmtKey} {
		if strings.Contains(string(saved), gone) {
			t.Errorf("config.yaml still holds %q", gone)
		}
	}

	// The credentials go: hub's entries go, the user's stay.
	hubApplyMgmt(t, url, mgmtKey, nil, st)
	oc = mgmtGet(t, port, mgmtKey, "openai-compatibility")
	ck = mgmtGet(t, port, mgmtKey, "claude-api-key")
	if len(oc) != 1 || oc[0]["name"] != "mine" || len(ck) != 0 {
		t.Errorf("after removing the credentials: openai-compatibility = %v, claude-api-key = %v", oc, ck)
	}
}
