package cliproxyapi_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/hubctl/hub/targets/targettest"
)

// TestRealServerImport lets the real CLIProxyAPI take a config.yaml in
// ~/.cli-proxy-api and rewrite it (it hashes a plaintext
// remote-management.secret-key and saves the file back, keeping comments),
// serves a request through hub's openai-compatibility entry, and then
// imports from the file as the server left it: every entry must be adopted
// as it is, the marked claude-api-key entry included.
func TestRealServerImport(t *testing.T) {
	if os.Getenv("HUB_E2E") != "1" {
		t.Skip("set HUB_E2E=1 to run CLIProxyAPI itself (built with the Go module proxy the first time)")
	}
	bin := buildServer(t)
	up := &upstream{}
	fake := httptest.NewServer(up) // listens on 127.0.0.1
	defer fake.Close()

	home := t.TempDir()
	dir := filepath.Join(home, ".cli-proxy-api")
	if err := os.MkdirAll(filepath.Join(dir, "auth"), 0o700); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "config.yaml")
	port := freePort(t)
	cfg := fmt.Sprintf(`# CLIProxyAPI config for hub's import test
host: "127.0.0.1"
port: %d

remote-management:
  allow-remote: false
  # hashed and saved back by the server when it starts
  secret-key: "sk-test-mgmt-import-0001"
  disable-control-panel: true

auth-dir: %q

api-keys:
  - %q

logging-to-file: false
usage-statistics-enabled: false
request-retry: 0

claude-api-key:
  # hub:claude
  - api-key: "sk-ant-test-cpa-import-0001"
    base-url: "https://claude-relay.example.com"

openai-compatibility:
  - name: "relay"
    base-url: "%s/v1"
    api-key-entries:
      - api-key: "sk-test-cpa-import-0002"
    models:
      - name: %q
        alias: %q
`, port, filepath.Join(dir, "auth"), clientKey, fake.URL, model, model)
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}

	var logs lockedBuffer
	srv := exec.Command(bin, "-config", path, "-local-model")
	srv.Dir = dir
	srv.Env = append(os.Environ(), "HOME="+home, "HTTP_PROXY=http://127.0.0.1:9", "HTTPS_PROXY=http://127.0.0.1:9",
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
	served := waitFor(30*time.Second, func() bool {
		code, _, err := chat(port, false)
		r, ok := up.last()
		return err == nil && code == http.StatusOK && ok && r.Auth == "Bearer sk-test-cpa-import-0002"
	})
	if !served {
		t.Fatal("the server did not serve through the relay entry")
	}
	rewritten := waitFor(10*time.Second, func() bool {
		b, _ := os.ReadFile(path)
		return !bytes.Contains(b, []byte("sk-test-mgmt-import-0001"))
	})
	after, _ := os.ReadFile(path)
	if rewritten {
		shown := after
		for _, k := range []string{"sk-ant-test-cpa-import-0001", "sk-test-cpa-import-0002", clientKey} {
			shown = bytes.ReplaceAll(shown, []byte(k), []byte("(key)"))
		}
		t.Logf("config.yaml as the server saved it:\n%s", shown)
	} else {
		t.Log("the server did not rewrite config.yaml; importing it as written")
	}

	src, found := targettest.Import(t, "cliproxyapi", home, nil)
	if len(found) != 1 || len(found[0].Credentials) != 2 {
		t.Fatalf("imported %+v, want one block with relay and claude\n%s", found, src)
	}
	for i, want := range []struct{ id, apiType, base, key string }{
		{"relay", "openai-compatible", fake.URL, "sk-test-cpa-import-0002"},
		{"claude", "anthropic", "https://claude-relay.example.com", "sk-ant-test-cpa-import-0001"},
	} {
		c := found[0].Credentials[i]
		if c.ID != want.id || c.APIType != want.apiType || c.BaseURL != want.base {
			t.Errorf("credential %d: %s %s %s, want %s %s %s", i, c.ID, c.APIType, c.BaseURL, want.id, want.apiType, want.base)
		}
		if c.Key.Reveal() != want.key {
			t.Errorf("credential %d (%s): the key differs", i, c.ID)
		}
	}
}
