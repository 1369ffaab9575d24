package main

import (
	"context"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"

	"github.com/hubctl/hub/engine/states"
	"github.com/hubctl/hub/engine/states/crypt"
	"github.com/hubctl/hub/engine/states/webdav"
)

// TestWebDAVLockUnlockAndKeys: a lock left by a dead run stops apply with its
// ID; hub state unlock refuses another ID and breaks that one; the state on
// the server is encrypted to the configured age recipient; nothing secret is
// printed.
func TestWebDAVLockUnlockAndKeys(t *testing.T) {
	srv, user, pass := newDAV()
	defer srv.Close()
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	h := newHubEnv(t)
	keyFile := h.write("key.txt", id.String()+"\n")
	h.env["RELAY_API_KEY"] = "sk-test-webdav-cli-0001"
	h.env["DAV_PASSWORD"] = pass
	h.write("cfg/hub.hcl", `hub {
  state "webdav" {
    url          = "`+srv.URL+`"
    username     = "`+user+`"
    password     = env("DAV_PASSWORD")
    lock_timeout = "0s"
    encrypt {
      recipients    = ["`+id.Recipient().String()+`"]
      identity_file = "`+filepath.ToSlash(keyFile)+`"
    }
  }
}

credential "relay" {
  api_type = "openai-compatible"
  base_url = "https://relay.example.com"
  api_key  = env("RELAY_API_KEY")
}

target "claude_code" "default" {
  credential = credential.relay
}
`)
	noSecrets := func(r runResult) {
		t.Helper()
		for _, s := range []string{pass, "sk-test-webdav-cli-0001", id.String()} {
			if strings.Contains(r.stdout+r.stderr, s) {
				t.Errorf("%v printed a secret:\n%s", r.args, r)
			}
		}
	}
	r := h.run("apply", "--auto-approve")
	noSecrets(r)
	r.want(t, 0, "Apply complete!")

	// The document on the server is age-encrypted.
	req, _ := http.NewRequest("GET", srv.URL+"/"+webdav.DefaultPath, nil)
	req.SetBasicAuth(user, pass)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !crypt.LooksEncrypted(body) || strings.Contains(string(body), "claude_code") {
		t.Errorf("state on the server is readable:\n%.200s", body)
	}

	// A run that died left its lock.
	store, err := webdav.New(webdav.Options{URL: srv.URL, Username: user, Password: pass})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.Lock(context.Background(), states.LockInfo{ID: "dead-run-7", Operation: "apply", Who: "ghost@laptop"}); err != nil {
		t.Fatal(err)
	}
	h.env["RELAY_API_KEY"] = "sk-test-webdav-cli-0002"
	r = h.run("apply", "--auto-approve")
	noSecrets(r)
	r.want(t, 1, "dead-run-7", "ghost@laptop", "hub state unlock")
	r = h.run("state", "unlock", "someone-else")
	r.want(t, 1, "dead-run-7")
	r = h.run("state", "unlock", "dead-run-7")
	noSecrets(r)
	r.want(t, 0, "Removed lock dead-run-7")
	r = h.run("apply", "--auto-approve")
	noSecrets(r)
	r.want(t, 0, "Apply complete!")
}
