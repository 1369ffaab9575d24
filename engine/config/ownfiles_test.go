package config_test

import (
	"strings"
	"testing"

	"github.com/hubctl/hub/engine/config"
)

const ownCred = `credential "relay" {
  api_type = "openai-compatible"
  base_url = "https://relay.example.com"
  api_key  = "sk-test-own-0123456789"
}
`

// A target may not write hub's own files: its state, lock, cache or
// journal in .hub/, nor a backup or temporary file; validate says so.
func TestTargetOnHubsOwnFiles(t *testing.T) {
	for name, body := range map[string]string{
		"state": `target "aider" "x" {
  credential = credential.relay
  config_file = ".hub/state.json"
}`,
		"hubdir": `target "codex" "x" {
  credential = credential.relay
  config_dir = ".hub"
}`,
		"backup": `target "aider" "x" {
  credential = credential.relay
  config_file = "c.yaml.hub-backup-20260101T000000Z"
}`,
	} {
		t.Run(name, func(t *testing.T) {
			_, diags := load(t, map[string]string{"hub.hcl": ownCred + body}, config.Options{})
			found := false
			for _, d := range diags {
				found = found || strings.Contains(d.Detail, "which hub manages itself")
			}
			if !found {
				t.Fatalf("diags = %v", diags)
			}
		})
	}
	// Beside .hub is fine.
	_, diags := load(t, map[string]string{"hub.hcl": ownCred + `target "codex" "x" {
  credential = credential.relay
  config_dir = ".hubby"
}`}, config.Options{})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
}

// force_readonly is a target-level attribute of every target type.
func TestForceReadOnly(t *testing.T) {
	cfg, diags := load(t, map[string]string{"hub.hcl": ownCred + `target "codex" "x" {
  credential     = credential.relay
  force_readonly = true
}
target "codex" "y" {
  credential = credential.relay
  config_dir = "y"
}`}, config.Options{})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	if !cfg.Targets[0].ForceReadOnly || cfg.Targets[1].ForceReadOnly {
		t.Errorf("force_readonly = %v, %v", cfg.Targets[0].ForceReadOnly, cfg.Targets[1].ForceReadOnly)
	}
}
