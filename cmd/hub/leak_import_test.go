package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"

	"github.com/hubctl/hub/engine/vault"
)

// TestImportLeaksNoKey: the keys hub import reads from the user's tools,
// which hub never knew before, appear in no output (dry run, JSON, every
// source), no HCL file, no state, no plan: only in the tools' own files,
// the secrets (encrypted) and, with --keys env, the 0600 file hub names.
func TestImportLeaksNoKey(t *testing.T) {
	h := newHubEnv(t)
	c := &leakChecker{t: t}
	h.write("home/.claude/settings.json", `{"env": {"ANTHROPIC_BASE_URL": "https://relay.example.com", "ANTHROPIC_AUTH_TOKEN": "`+canary+`"}}`)
	h.write("home/.codex/config.toml", "model_provider = \"relay\"\n\n[model_providers.relay]\nname = \"Relay\"\nbase_url = \"https://relay.example.com/v1\"\nwire_api = \"responses\"\nexperimental_bearer_token = \""+handKey+"\"\n")
	h.write("home/.cc-switch/config.json", `{"version": 2, "claude": {"providers": {"r": {"id": "r", "name": "R", "settingsConfig": {"env": {"ANTHROPIC_AUTH_TOKEN": "`+canary+`", "ANTHROPIC_BASE_URL": "https://cc.example.com"}}}}}}`)
	id, _ := age.GenerateX25519Identity()
	h.write("home/.config/hub/identity.txt", id.String()+"\n")
	if _, err := (vault.Repo{Root: h.cfg}).AddRecipients([]string{id.Recipient().String()}, "me"); err != nil {
		t.Fatal(err)
	}
	plan := filepath.Join(h.root, "after.plan")
	c.check(h.run("import", "--dry-run")).want(t, 0, `target "codex" "default"`)
	c.check(h.run("import", "--dry-run", "--json")).want(t, 0, `"type":"import_hcl"`)
	c.check(h.run("import", "cc-switch", "--dry-run")).want(t, 0, "cc-switch")
	c.check(h.run("import")).want(t, 0, "Wrote")
	c.check(h.run("import", "cc-switch", "--out", "ccswitch.hcl", "--json")).want(t, 0, "import_complete")
	c.check(h.run("plan", "--out", plan)).want(t, 0, "No changes")
	c.check(h.run("secret", "list")).want(t, 0, "relay")
	envDir := filepath.Join(h.root, "cfg-env")
	os.MkdirAll(envDir, 0o755)
	r := c.check(h.run("--chdir", envDir, "import", "--keys", "env"))
	r.want(t, 0, "The keys are in")

	// Only the tools' files and the env file hold a key in the clear.
	err := filepath.WalkDir(h.root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(h.root, path)
		switch {
		case rel == "home/.claude/settings.json", rel == "home/.codex/config.toml", rel == "home/.cc-switch/config.json",
			strings.HasPrefix(rel, "home/.config/hub/import-cfg-env-"):
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, s := range append(append([]string(nil), canaryParts...), handKey, "HANDWRITTEN") {
			if strings.Contains(string(b), s) {
				t.Errorf("LEAK: %s holds %q", rel, s)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if c.runs < 8 {
		t.Fatalf("only %d runs checked", c.runs)
	}
}
