package ccr

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2/gohcl"
	"github.com/hashicorp/hcl/v2/hclparse"

	"github.com/hubctl/hub/credential"
	"github.com/hubctl/hub/secret"
	"github.com/hubctl/hub/targets"
)

const testKey = "sk-test-ccr-unit-0100"

func input(creds ...*credential.Credential) *targets.Input {
	return &targets.Input{Address: Type + ".test", Credentials: creds}
}

func cred(id, apiType string, models ...string) *credential.Credential {
	return &credential.Credential{ID: id, Name: id, APIType: apiType, BaseURL: "https://" + id + ".example.com", Key: secret.New(testKey), Models: models}
}

// decode decodes a block body the way the engine does.
func decode(t *testing.T, src string) *Target {
	t.Helper()
	f, diags := hclparse.NewParser().ParseHCL([]byte(src), "target.hcl")
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	tg := &Target{}
	if diags := gohcl.DecodeBody(f.Body, nil, tg); diags.HasErrors() {
		t.Fatal(diags)
	}
	return tg
}

func TestValidate(t *testing.T) {
	relay := cred("relay", "openai-compatible", "gpt-4.1")
	claude := cred("claude", "anthropic", "claude-sonnet-4-5")
	gem := cred("gem", "google", "gemini-2.5-pro")
	tests := []struct {
		name, hcl string
		creds     []*credential.Credential
		want      []string // substrings, one per error; none for valid
	}{
		{"minimal", ``, []*credential.Credential{relay}, nil},
		{"all types", `router { default = "gem,gemini-2.5-pro" }`, []*credential.Credential{relay, claude, gem, cred("oa", "openai", "o3")}, nil},
		{"bad key_mode", `key_mode = "file"`, []*credential.Credential{relay},
			[]string{`key_mode is "file"; it must be "inline" (the key in config.json) or "env"`}},
		{"key_env without env mode", `key_env = { relay = "X" }`, []*credential.Credential{relay},
			[]string{`key_env is set but key_mode is "inline"`}},
		{"key_env unknown credential and bad name", `
key_mode = "env"
key_env = { other = "X", relay = "1BAD" }`, []*credential.Credential{relay},
			[]string{`key_env names "other", which is not one of this target's credentials (relay)`, `key_env for "relay" is "1BAD", which is not a valid environment variable name`}},
		{"models override", `models = { relay = ["a", "b"] }
router { default = "relay,b" }`, []*credential.Credential{cred("relay", "openai")}, nil},
		{"models for unknown credential", `models = { nope = ["a"] }`, []*credential.Credential{relay},
			[]string{`models names "nope", which is not one of this target's credentials (relay)`}},
		{"empty models override", `models = { relay = [] }`, []*credential.Credential{relay},
			[]string{`credential "relay" lists no models`}},
		{"model with comma", `models = { relay = ["a,b"] }`, []*credential.Credential{relay},
			[]string{`credential "relay" has the model "a,b"; Claude Code Router needs model names that are not empty and hold no comma`}},
		{"transformers ok", `transformers = {
  relay  = { use = ["openrouter", ["maxtoken", { max_tokens = 100 }]], "gpt-4.1" = { use = ["tooluse"] } }
  claude = { use = ["Anthropic", "cleancache"] }
}`, []*credential.Credential{relay, claude}, nil},
		{"transformers for anthropic without Anthropic", `transformers = { claude = { use = ["cleancache"] } }`, []*credential.Credential{claude},
			[]string{`transformers for "claude" must use "Anthropic": credential "claude" is anthropic, and without that transformer Claude Code Router would send it OpenAI chat requests`}},
		{"transformers for google as a pair", `transformers = { gem = { use = [["gemini", {}]] } }`, []*credential.Credential{gem}, nil},
		{"transformers not an object", `transformers = ["deepseek"]`, []*credential.Credential{relay},
			[]string{`transformers must map credential ids to transformer objects`}},
		{"transformers use not a list", `transformers = { relay = { use = "deepseek" } }`, []*credential.Credential{relay},
			[]string{`transformers for "relay": use must be a list of transformer names`}},
		{"transformers model not an object", `transformers = { relay = { "gpt-4.1" = "x" } }`, []*credential.Credential{relay},
			[]string{`transformers for "relay": "gpt-4.1" must be the list use = [...], or a model's { use = [...] }`}},
		{"transformers empty", `transformers = { relay = {} }`, []*credential.Credential{relay},
			[]string{`transformers for "relay" is empty`}},
		{"transformers unknown credential", `transformers = { other = { use = ["x"] } }`, []*credential.Credential{relay},
			[]string{`transformers names "other"`}},
		{"threshold", `router {
  longContextThreshold = 0
}`, []*credential.Credential{relay}, []string{`router.longContextThreshold is 0; it must be a positive number of tokens`}},
		{"unknown api type", ``, []*credential.Credential{cred("az", "azure", "m")},
			[]string{`credential "az" has api_type "azure", which Claude Code Router cannot use`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			errs := decode(t, tc.hcl).Validate(input(tc.creds...))
			if len(errs) != len(tc.want) {
				t.Fatalf("Validate = %v, want %d errors", errs, len(tc.want))
			}
			for i, err := range errs {
				if !strings.Contains(err.Error(), tc.want[i]) {
					t.Errorf("error %d: %q does not contain %q", i, err, tc.want[i])
				}
				if strings.Contains(err.Error(), testKey) {
					t.Errorf("error %d shows the key", i)
				}
			}
		})
	}
}

func TestAPIBaseURL(t *testing.T) {
	for _, tc := range []struct{ apiType, base, want string }{
		{"openai-compatible", "https://relay.example.com", "https://relay.example.com/v1/chat/completions"},
		{"openai-compatible", "https://openrouter.ai/api", "https://openrouter.ai/api/v1/chat/completions"},
		{"openai-compatible", "https://ark.cn-beijing.volces.com/api/v3", "https://ark.cn-beijing.volces.com/api/v3/chat/completions"},
		{"openai-compatible", "https://open.bigmodel.cn/api/paas/v4", "https://open.bigmodel.cn/api/paas/v4/chat/completions"},
		{"openai", "https://api.openai.com", "https://api.openai.com/v1/chat/completions"},
		{"anthropic", "https://api.anthropic.com", "https://api.anthropic.com/v1/messages"},
		{"anthropic", "https://relay.example.com/claude", "https://relay.example.com/claude/v1/messages"},
		{"google", "https://generativelanguage.googleapis.com", "https://generativelanguage.googleapis.com/v1beta/models/"},
	} {
		if got := apiBaseURL(&credential.Credential{APIType: tc.apiType, BaseURL: tc.base}); got != tc.want {
			t.Errorf("apiBaseURL(%s, %s) = %s, want %s", tc.apiType, tc.base, got, tc.want)
		}
	}
}

func TestKeyRef(t *testing.T) {
	for name, want := range map[string]string{
		"RELAY_API_KEY": "$RELAY_API_KEY",
		"_X1":           "$_X1",
		"my_key":        "${my_key}",
		"Key":           "${Key}",
	} {
		if got := keyRef(name); got != want {
			t.Errorf("keyRef(%s) = %s, want %s", name, got, want)
		}
	}
	tg := &Target{KeyMode: "env", KeyEnv: map[string]string{"b": "MINE"}}
	if got := tg.keys().EnvVar(cred("my-relay_2", "openai")); got != "MY_RELAY_2_API_KEY" {
		t.Errorf("keyEnv = %s", got)
	}
	if got := tg.keys().EnvVar(cred("b", "openai")); got != "MINE" {
		t.Errorf("keyEnv = %s", got)
	}
}

// fakeCCR puts a ccr script first on PATH that runs body.
func fakeCCR(t *testing.T, body string) string {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("the fake ccr is a shell script")
	}
	dir := t.TempDir()
	script := "#!/bin/sh\necho \"$@\" >> " + filepath.Join(dir, "calls") + "\n" + body + "\n"
	if err := os.WriteFile(filepath.Join(dir, "ccr"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	return filepath.Join(dir, "calls")
}

func calls(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return string(b)
}

func TestReload(t *testing.T) {
	in := input(cred("relay", "openai-compatible", "m"))
	t.Run("runs ccr restart", func(t *testing.T) {
		log := fakeCCR(t, `echo "claude code router service has been stopped."; echo "Service started successfully in the background."`)
		if err := (&Target{Restart: true}).Reload(context.Background(), in); err != nil {
			t.Fatal(err)
		}
		if got := calls(t, log); got != "restart\n" {
			t.Errorf("ccr called with %q", got)
		}
	})
	t.Run("off without restart", func(t *testing.T) {
		log := fakeCCR(t, `exit 1`)
		if err := (&Target{}).Reload(context.Background(), in); err != nil {
			t.Fatal(err)
		}
		if got := calls(t, log); got != "" {
			t.Errorf("ccr called with %q", got)
		}
	})
	t.Run("failure shows the tail of the output, never a key", func(t *testing.T) {
		var lines strings.Builder
		for i := range 200 {
			fmt.Fprintf(&lines, "echo 'line %d: %s'\n", i, strings.Repeat("x", 40))
		}
		fakeCCR(t, lines.String()+`echo "using key `+testKey+`" >&2; echo "Failed to start service: boom"; exit 3`)
		err := (&Target{Restart: true}).Reload(context.Background(), in)
		if err == nil {
			t.Fatal("no error")
		}
		msg := err.Error()
		for _, want := range []string{"ccr restart: exit status 3", "Failed to start service: boom", "using key (key)"} {
			if !strings.Contains(msg, want) {
				t.Errorf("error %q does not contain %q", msg, want)
			}
		}
		if strings.Contains(msg, testKey) || strings.Contains(msg, "line 100") || len(msg) > 400 {
			t.Errorf("error shows a key or too much: %q", msg)
		}
	})
	t.Run("timeout", func(t *testing.T) {
		fakeCCR(t, `exec sleep 30`)
		old := restartTimeout
		restartTimeout = 200 * time.Millisecond
		defer func() { restartTimeout = old }()
		start := time.Now()
		err := (&Target{Restart: true}).Reload(context.Background(), in)
		if err == nil || !strings.Contains(err.Error(), "did not finish within 200ms") {
			t.Errorf("error %v", err)
		}
		if d := time.Since(start); d > 10*time.Second {
			t.Errorf("took %v", d)
		}
	})
	t.Run("service keeps the pipes", func(t *testing.T) {
		// ccr starts the service in the background and exits; a service
		// holding our output open must not keep Reload waiting.
		fakeCCR(t, `sleep 5 & echo started`)
		start := time.Now()
		if err := (&Target{Restart: true}).Reload(context.Background(), in); err != nil {
			t.Errorf("error %v", err)
		}
		if d := time.Since(start); d > 10*time.Second {
			t.Errorf("took %v", d)
		}
	})
	t.Run("not on PATH", func(t *testing.T) {
		t.Setenv("PATH", t.TempDir())
		err := (&Target{Restart: true}).Reload(context.Background(), in)
		if err == nil || !strings.Contains(err.Error(), "restart = true, but ccr is not on PATH") {
			t.Errorf("error %v", err)
		}
	})
}

func TestTailBuffer(t *testing.T) {
	var w tailBuffer
	// A key cut in half by the buffer's limit must not show up in part.
	fmt.Fprintf(&w, "start %s\n", testKey)
	w.Write([]byte(strings.Repeat("y", tailMax-len(testKey)/2-1) + "\nlast line\n"))
	if got := w.tail([]string{testKey}); got != "last line" {
		t.Errorf("tail = %q", got)
	}
	var e tailBuffer
	if got := e.tail(nil); got != "" {
		t.Errorf("empty tail = %q", got)
	}
}

func TestNotes(t *testing.T) {
	in := input(cred("relay", "openai-compatible", "gpt-4.1"))
	notes := strings.Join((&Target{Router: &Router{Default: "relay,gpt-4.1"}}).Notes(in), "\n")
	if !strings.Contains(notes, "run `ccr restart`") || strings.Contains(notes, "Router.default") {
		t.Errorf("notes:\n%s", notes)
	}
	notes = strings.Join((&Target{KeyMode: "env"}).Notes(in), "\n")
	for _, want := range []string{"$RELAY_API_KEY", "`ccr start` or `ccr restart`", `router { default = "relay,gpt-4.1" }`} {
		if !strings.Contains(notes, want) {
			t.Errorf("notes do not say %q:\n%s", want, notes)
		}
	}
}

// TestZeroValueOpens checks that the zero target the engine uses for removed
// blocks opens files.
func TestZeroValueOpens(t *testing.T) {
	tg := &Target{}
	if _, err := tg.Open("/x/config.json", []byte(`{"Providers": []}`)); err != nil {
		t.Fatal(err)
	}
	files, err := tg.Files(targets.Env{Vars: map[string]string{"HOME": "/home/u"}})
	if err != nil || len(files) != 1 || files[0] != filepath.Join("/home/u", ".claude-code-router", "config.json") {
		t.Errorf("Files = %v, %v", files, err)
	}
	if _, err := tg.Files(targets.Env{}); err == nil {
		t.Error("Files without HOME succeeded")
	}
}
