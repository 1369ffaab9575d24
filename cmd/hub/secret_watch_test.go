package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"

	"github.com/hubctl/hub/engine/vault"
)

// setSecret encrypts value as secret name of h's configuration to the
// recipients of its recipients file, replacing the file by a rename as
// git pull does.
func setSecret(t *testing.T, h *hubEnv, name, value string) {
	t.Helper()
	repo := vault.Repo{Root: h.cfg}
	rs, err := repo.Recipients()
	if err != nil {
		t.Fatal(err)
	}
	data, err := vault.Encrypt(value, rs)
	if err != nil {
		t.Fatal(err)
	}
	tmp := filepath.Join(h.cfg, "pull.tmp")
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(repo.SecretsDir(), 0o755)
	if err := os.Rename(tmp, repo.Path(name)); err != nil {
		t.Fatal(err)
	}
}

// withIdentity gives h an age identity in the default place and makes it
// the configuration's only recipient.
func withIdentity(t *testing.T, h *hubEnv) {
	t.Helper()
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	h.write("home/.config/hub/identity.txt", id.String()+"\n")
	if _, err := (vault.Repo{Root: h.cfg}).AddRecipients([]string{id.Recipient().String()}, "test"); err != nil {
		t.Fatal(err)
	}
}

// TestWatchSecretChange: a secret's file replaced (a git pull) re-plans
// and rewrites every tool that uses it; the keys are never printed.
func TestWatchSecretChange(t *testing.T) {
	h := newHubEnv(t)
	withIdentity(t, h)
	setSecret(t, h, "relay", "sk-test-secret-watch-one-0123456789")
	h.write("cfg/hub.hcl", strings.Replace(basicHCL, `env("RELAY_API_KEY")`, `secret("relay")`, 1))
	settings := "home/.claude/settings.json"
	has := func(s string) func() bool {
		return func() bool { return strings.Contains(h.read(settings), s) }
	}
	r := startWatch(t, h, "warn")
	r.until("the first apply", has("sk-test-secret-watch-one-0123456789"))
	setSecret(t, h, "relay", "sk-test-secret-watch-two-0123456789")
	r.until("the rotated key", has("sk-test-secret-watch-two-0123456789"))
	if codex := h.read("home/.codex/config.toml"); !strings.Contains(codex, "sk-test-secret-watch-two") {
		t.Errorf("codex was not rotated:\n%s", codex)
	}
	r.stop()
	if out := r.out.String() + r.errb.String(); strings.Contains(out, "sk-test-secret-watch") {
		t.Fatalf("a key was printed:\n%s", out)
	}
}
