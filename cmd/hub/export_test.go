package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestExportWhereTheKeyGoes: hub export's output holds a key, so it goes
// to a new 0600 file, a pipe, or a terminal only with --reveal; the
// refusal names the flags. The key is written whole (not redacted) where
// it is meant to go, and nowhere else.
func TestExportWhereTheKeyGoes(t *testing.T) {
	h := newHubEnv(t)
	h.env["RELAY_API_KEY"] = "sk-test-export-cli-5f4e3d2c1b"
	h.write("cfg/hub.hcl", strings.Replace(basicHCL, `target "codex"`, `credential "other" {
  api_type = "anthropic"
  base_url = "https://other.example.com"
  api_key  = env("RELAY_API_KEY")
}

target "codex"`, 1))

	r := h.runStreams(streams{outTerminal: true}, "", "export", "env", "relay")
	r.want(t, 1, "refusing to print a key to the terminal", "--out FILE", "--reveal")
	if strings.Contains(r.stdout+r.stderr, "sk-test-export-cli") {
		t.Fatal("the refusal printed the key")
	}
	r = h.runStreams(streams{outTerminal: true}, "", "export", "env", "relay", "--reveal")
	r.want(t, 0, "export OPENAI_API_KEY='sk-test-export-cli-5f4e3d2c1b'")

	// A pipe: the key whole.
	h.run("export", "env", "relay").want(t, 0, "export OPENAI_BASE_URL='https://relay.example.com/v1'", "sk-test-export-cli-5f4e3d2c1b")

	out := filepath.Join(h.root, "relay.env")
	r = h.run("export", "env", "relay", "--out", out)
	r.want(t, 0, "wrote")
	if strings.Contains(r.stdout+r.stderr, "sk-test-export-cli") {
		t.Fatal("--out printed the key")
	}
	fi, err := os.Stat(out)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v, %v", fi.Mode(), err)
	}
	h.run("export", "env", "relay", "--out", out).want(t, 1, "already exists", "--force")
	os.Chmod(out, 0o644)
	h.run("export", "env", "other", "--out", out, "--force").want(t, 0)
	b, _ := os.ReadFile(out)
	fi, _ = os.Stat(out)
	if !strings.Contains(string(b), "ANTHROPIC_AUTH_TOKEN") || fi.Mode().Perm() != 0o600 {
		t.Fatalf("--force: mode %v:\n%s", fi.Mode(), b)
	}

	h.run("export", "env", "relay", "other").want(t, 1, "takes one credential")
	h.run("export", "env", "nope").want(t, 1, `no credential "nope"`)
	h.run("export", "bogus", "relay").want(t, 1)
}
