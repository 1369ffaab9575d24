package cliproxyapi_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hubctl/hub/engine/config"
	"github.com/hubctl/hub/targets/cliproxyapi"
)

// TestManagementConfig loads a configuration with a management block, as
// hub does: the block decodes, and its key joins the secrets hub redacts
// from all output.
func TestManagementConfig(t *testing.T) {
	const hcl = `
credential "claude" {
  api_type = "anthropic"
  base_url = "https://api.anthropic.com"
  api_key  = env("CLAUDE_KEY")
}
target "cliproxyapi" "server" {
  credentials = [credential.claude]
  management {
    url = "http://127.0.0.1:8317"
    key = env("CPA_MANAGEMENT_KEY")
  }
}
`
	env := map[string]string{"CLAUDE_KEY": "sk-ant-test-cfg-0001", "CPA_MANAGEMENT_KEY": "sk-test-mgmt-cfg-0001"}
	cfg := loadConfig(t, hcl, env, "")
	impl := cfg.Targets[0].Impl.(*cliproxyapi.Target)
	if impl.Management == nil || impl.Management.Key != "sk-test-mgmt-cfg-0001" || impl.Management.URL != "http://127.0.0.1:8317" {
		t.Fatalf("management = %+v", impl.Management)
	}
	found := false
	for _, s := range cfg.Secrets {
		found = found || s == "sk-test-mgmt-cfg-0001"
	}
	if !found {
		t.Errorf("the management key is not among the secrets hub redacts")
	}

	// Both a file and a management block; a plain-http remote server.
	bad := strings.Replace(hcl, "  management {", "  config_file = \"config.yaml\"\n  management {", 1)
	loadConfig(t, bad, env, "a management block and config_file (or config_dir) are both set")
	bad = strings.Replace(hcl, "http://127.0.0.1:8317", "http://cpa.lan:8317", 1)
	loadConfig(t, bad, env, `management url "http://cpa.lan:8317" is plain http to another host`)
	bad = strings.Replace(hcl, `    key = env("CPA_MANAGEMENT_KEY")`+"\n", "", 1)
	loadConfig(t, bad, env, `The argument "key" is required`)
}

// loadConfig loads hcl; with wantErr, it expects an error containing it and
// no key in any diagnostic.
func loadConfig(t *testing.T, hcl string, env map[string]string, wantErr string) *config.Config {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "hub.hcl"), []byte(hcl), 0o644); err != nil {
		t.Fatal(err)
	}
	env["HOME"] = dir
	cfg, diags := config.Load(config.Options{Dir: dir, Env: env})
	if wantErr == "" {
		if diags.HasErrors() {
			t.Fatal(diags)
		}
		return cfg
	}
	if !diags.HasErrors() || !strings.Contains(diags.Error(), wantErr) {
		t.Errorf("diagnostics %v, want %q", diags, wantErr)
	}
	for _, v := range env {
		if strings.HasPrefix(v, "sk-") && strings.Contains(diags.Error(), v) {
			t.Errorf("a diagnostic shows a key: %v", diags)
		}
	}
	return cfg
}
