package config_test

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"

	"github.com/hubctl/hub/engine/config"
	_ "github.com/hubctl/hub/targets/all"
)

func load(t *testing.T, files map[string]string, opts config.Options) (*config.Config, hcl.Diagnostics) {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	opts.Dir = dir
	if opts.Env == nil {
		opts.Env = map[string]string{"HOME": dir}
	}
	for i, f := range opts.VarFiles {
		opts.VarFiles[i] = filepath.Join(dir, f)
	}
	return config.Load(opts)
}

const good = `
variable "model" { default = "claude-sonnet-4-5" }
locals {
  base  = "https://relay.example.com/v1/"
  tags2 = concat(local.tags1, ["b"])
  tags1 = ["a"]
}
credential "relay" {
  name     = "Relay"
  api_type = "openai-compatible"
  base_url = local.base
  api_key  = env("RELAY_KEY")
  tags     = local.tags2
  models   = [var.model]
  usage { method = "newapi" }
}
target "claude_code" "default" {
  credential = credential.relay
  model      = upper(var.model)
}
`

func TestLoadGood(t *testing.T) {
	cfg, diags := load(t, map[string]string{"hub.hcl": good}, config.Options{Env: map[string]string{"RELAY_KEY": "sk-test-config-1234"}})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	c := cfg.Credentials["relay"]
	if c == nil || c.BaseURL != "https://relay.example.com" || c.Key.Reveal() != "sk-test-config-1234" || strings.Join(c.Tags, ",") != "a,b" || c.Usage.Method != "newapi" {
		t.Fatalf("credential = %+v", c)
	}
	if len(cfg.Targets) != 1 || cfg.Targets[0].Address() != "claude_code.default" || cfg.Targets[0].Input.Credential().ID != "relay" {
		t.Fatalf("targets = %+v", cfg.Targets)
	}
	if len(cfg.Secrets) != 1 || cfg.Secrets[0] != "sk-test-config-1234" {
		t.Fatalf("secrets = %v", cfg.Secrets)
	}
}

func TestVariablePrecedence(t *testing.T) {
	files := map[string]string{
		"hub.hcl": `variable "m" { default = "default" }
variable "n" { type = number }
variable "k" { sensitive = true }
credential "c" {
  api_type = "openai"
  base_url = "https://api.openai.com"
  api_key  = var.k
  notes    = "${var.m} ${var.n}"
}`,
		"a.vars": "m = \"file\"\nn = 2\n",
	}
	for _, tc := range []struct {
		name     string
		env      map[string]string
		varFiles []string
		vars     []string
		want     string
	}{
		{"env", map[string]string{"HUB_VAR_m": "env", "HUB_VAR_n": "1", "HUB_VAR_k": "sk-test-var-key"}, nil, nil, "env 1"},
		{"file beats env", map[string]string{"HUB_VAR_m": "env", "HUB_VAR_n": "1", "HUB_VAR_k": "sk-test-var-key"}, []string{"a.vars"}, nil, "file 2"},
		{"flag beats file", map[string]string{"HUB_VAR_k": "sk-test-var-key"}, []string{"a.vars"}, []string{"m=flag", "n=3"}, "flag 3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, diags := load(t, files, config.Options{Env: tc.env, VarFiles: tc.varFiles, Vars: tc.vars})
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			if got := cfg.Credentials["c"].Notes; got != tc.want {
				t.Errorf("notes = %q, want %q", got, tc.want)
			}
			if strings.Join(cfg.Secrets, ",") != "sk-test-var-key" {
				t.Errorf("secrets = %v", cfg.Secrets)
			}
		})
	}
}

func TestFileFunction(t *testing.T) {
	cfg, diags := load(t, map[string]string{
		"keys/relay.txt": "sk-test-from-file\n",
		"hub.hcl": `credential "c" {
  api_type = "openai"
  base_url = "https://api.openai.com"
  api_key  = file("keys/relay.txt")
}`}, config.Options{})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	if got := cfg.Credentials["c"].Key.Reveal(); got != "sk-test-from-file" {
		t.Errorf("key = %q", got)
	}
	if len(cfg.FileNames) != 2 {
		t.Errorf("FileNames = %v, want hub.hcl and the key file", cfg.FileNames)
	}
}

// Every case is an invalid configuration; each wanted string must appear in
// some diagnostic's "file:line: summary detail".
func TestDiagnostics(t *testing.T) {
	cred := `credential "relay" {
  api_type = "openai-compatible"
  base_url = "https://relay.example.com"
  api_key  = "sk-test-literal"
}
`
	for _, tc := range []struct {
		name string
		src  string
		env  map[string]string
		want []string
	}{
		{"syntax", "credential \"x\" {\n  api_type = \n}\n", nil, []string{"hub.hcl:2:14: Invalid expression"}},
		{"unknown block", "credentail \"x\" {}\n", nil, []string{`Did you mean "credential"?`}},
		{"unknown target type", cred + "target \"claud_code\" \"x\" {\n  credential = credential.relay\n}\n", nil, []string{"hub.hcl:6:8: Unknown target type", `Did you mean "claude_code"?`}},
		{"undeclared credential", cred + "target \"codex\" \"x\" {\n  credential = credential.relya\n}\n", nil, []string{"hub.hcl:7:16: Reference to undeclared credential", `Did you mean "relay"?`}},
		{"undeclared variable", "variable \"relay_key\" {}\n" + strings.Replace(cred, `"sk-test-literal"`, "var.relay_kye", 1), map[string]string{"HUB_VAR_relay_key": "x"}, []string{"Reference to undeclared input variable", `Did you mean "relay_key"?`}},
		{"undeclared local", strings.Replace(cred, `"sk-test-literal"`, "local.key", 1), nil, []string{"Reference to undeclared local value"}},
		{"missing required", "credential \"x\" {\n  api_type = \"openai\"\n  base_url = \"https://a.example\"\n}\n", nil, []string{`Missing required argument`, `"api_key"`}},
		{"unset env", strings.Replace(cred, `"sk-test-literal"`, `env("NOPE_KEY")`, 1), nil, []string{"hub.hcl:4:", "Call to function \"env\" failed: environment variable NOPE_KEY is not set"}},
		{"bad api type", strings.Replace(cred, "openai-compatible", "openai-compatable", 1), nil, []string{"Unknown API type", `Did you mean "openai-compatible"?`}},
		{"http url", strings.Replace(cred, "https://", "http://", 1), nil, []string{"Invalid base URL", "insecure = true"}},
		{"duplicate credential", cred + cred, nil, []string{"Duplicate credential block", "hub.hcl:1:1"}},
		{"missing credential", cred + "target \"codex\" \"x\" {}\n", nil, []string{"needs the credential it writes"}},
		{"target validation", cred + "target \"codex\" \"x\" {\n  credential = credential.relay\n  key_mode = \"file\"\n}\n", nil, []string{`key_mode is "file"`}},
		{"unknown target attribute", cred + "target \"codex\" \"x\" {\n  credential = credential.relay\n  modle = \"gpt-5\"\n}\n", nil, []string{`Did you mean "model"?`}},
		{"variable without value", "variable \"k\" {}\n", nil, []string{"No value for required variable", "HUB_VAR_k"}},
		{"local cycle", "locals {\n  a = local.b\n  b = local.a\n}\n", nil, []string{"Cycle in local values"}},
		{"bad usage method", strings.Replace(cred, "}\n", "  usage { method = \"newap\" }\n}\n", 1), nil, []string{`Did you mean "newapi"?`}},
		{"several at once", "credentail \"x\" {}\n" + cred + "target \"codx\" \"y\" {}\n", nil, []string{"credential", `Did you mean "codex"?`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, diags := load(t, map[string]string{"hub.hcl": tc.src}, config.Options{Env: tc.env})
			if !diags.HasErrors() {
				t.Fatal("no error")
			}
			var all []string
			for _, d := range diags {
				s := d.Summary + " " + d.Detail
				if d.Subject != nil {
					s = filepath.Base(d.Subject.Filename) + ":" + strconv.Itoa(d.Subject.Start.Line) + ":" + strconv.Itoa(d.Subject.Start.Column) + ": " + s
				}
				all = append(all, s)
			}
			joined := strings.Join(all, "\n")
			for _, w := range tc.want {
				if !strings.Contains(joined, w) {
					t.Errorf("diagnostics do not contain %q:\n%s", w, joined)
				}
			}
		})
	}
}

func TestNoFiles(t *testing.T) {
	_, diags := load(t, nil, config.Options{})
	if !diags.HasErrors() || !strings.Contains(diags.Error(), "hub init") {
		t.Fatalf("diags = %v", diags)
	}
}

// TestKeyWithControlCharacters: a key holding a line break, a tab or an
// escape (pasted with one, or read from a file of two lines) is refused at
// validate, naming the credential and what to do, without printing the key;
// a usage token too. A tool's file would get it otherwise, and verify
// would blame the network.
func TestKeyWithControlCharacters(t *testing.T) {
	const hcl = `
credential "relay" {
  api_type = "openai-compatible"
  base_url = "https://relay.example.com"
  api_key  = env("RELAY_API_KEY")
  usage {
    method   = "custom"
    endpoint = "https://usage.example.com/u"
    token    = env("USAGE_TOKEN")
    balance  = "data.balance"
  }
}
`
	for _, tc := range []struct{ key, token, want string }{
		{"sk-test-CTRLCANARY-1\nsecond-line", "tok-test-fine-000", "api_key"},
		{"sk-test-CTRLCANARY-\t2", "tok-test-fine-000", "api_key"},
		{"sk-test-CTRLCANARY-\x1b[2J", "tok-test-fine-000", "api_key"},
		{"sk-test-CTRLCANARY-fine", "tok-test-CTRLCANARY\r\n", "token"},
	} {
		_, diags := load(t, map[string]string{"hub.hcl": hcl}, config.Options{Env: map[string]string{"RELAY_API_KEY": tc.key, "USAGE_TOKEN": tc.token}})
		if !diags.HasErrors() {
			t.Errorf("%q/%q accepted", tc.key, tc.token)
			continue
		}
		text := diags.Error()
		for _, d := range diags {
			text += d.Summary + d.Detail
		}
		if strings.Contains(text, "CTRLCANARY") {
			t.Errorf("the key is printed: %s", text)
		}
		for _, s := range []string{`"relay"`, tc.want, "control character", "trimspace"} {
			if !strings.Contains(text, s) {
				t.Errorf("%q/%q: the error lacks %q: %s", tc.key, tc.token, s, text)
			}
		}
	}
	// A key of ordinary characters passes.
	if _, diags := load(t, map[string]string{"hub.hcl": hcl}, config.Options{Env: map[string]string{"RELAY_API_KEY": "sk-test-fine-0123", "USAGE_TOKEN": "tok-test-fine-000"}}); diags.HasErrors() {
		t.Errorf("a clean key refused: %s", diags.Error())
	}
}

// TestSensitiveDefaultOfWrongTypeIsASecret: a sensitive variable's default
// that its type refuses is still known to the redactor.
func TestSensitiveDefaultOfWrongTypeIsASecret(t *testing.T) {
	cfg, diags := load(t, map[string]string{"hub.hcl": `
variable "relay_key" {
  type      = number
  sensitive = true
  default   = "sk-test-WRONGTYPE-0123"
}
`}, config.Options{})
	if !diags.HasErrors() {
		t.Fatal("a string default of a number variable accepted")
	}
	found := false
	for _, s := range cfg.Secrets {
		found = found || s == "sk-test-WRONGTYPE-0123"
	}
	if !found {
		t.Errorf("the default is not among the secrets: %d secrets", len(cfg.Secrets))
	}
}

// Text a credential puts into tools' files is bounded: a megabyte of name
// (or id, model id, tag) is refused at validate, without echoing it.
func TestCredentialLengthBounds(t *testing.T) {
	long := strings.Repeat("n", 1<<20)
	for what, body := range map[string]string{
		"name":  `name = "` + long + `"`,
		"model": `models = ["` + long + `"]`,
		"tag":   `tags = ["` + strings.Repeat("t", 65) + `"]`,
		"notes": `notes = "` + strings.Repeat("x", 4097) + `"`,
	} {
		_, diags := load(t, map[string]string{"hub.hcl": `credential "relay" {
  api_type = "openai-compatible"
  base_url = "https://relay.example.com"
  api_key  = "sk-test-length-0001"
  ` + body + `
}
`}, config.Options{})
		if !diags.HasErrors() || !strings.Contains(diags.Error(), "Value too long") || strings.Contains(diags.Error(), strings.Repeat("n", 300)) {
			t.Errorf("%s: diags = %.300s", what, diags.Error())
		}
	}
	_, diags := load(t, map[string]string{"hub.hcl": `credential "` + strings.Repeat("a", 65) + `" {
  api_type = "openai-compatible"
  base_url = "https://relay.example.com"
  api_key  = "sk-test-length-0001"
}
`}, config.Options{})
	if !diags.HasErrors() || !strings.Contains(diags.Error(), "at most 64") {
		t.Errorf("long id: %v", diags)
	}
	// At the bounds: accepted.
	_, diags = load(t, map[string]string{"hub.hcl": `credential "` + strings.Repeat("a", 64) + `" {
  name     = "` + strings.Repeat("n", 256) + `"
  api_type = "openai-compatible"
  base_url = "https://relay.example.com"
  api_key  = "sk-test-length-0001"
  tags     = ["` + strings.Repeat("t", 64) + `"]
}
`}, config.Options{})
	if diags.HasErrors() {
		t.Errorf("at the bounds: %v", diags)
	}
}
