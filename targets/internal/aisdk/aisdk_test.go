package aisdk

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hubctl/hub/credential"
	"github.com/hubctl/hub/secret"
	"github.com/hubctl/hub/targets"
)

func TestBaseURL(t *testing.T) {
	tests := []struct{ apiType, base, want string }{
		{"openai-compatible", "https://relay.example.com", "https://relay.example.com/v1"},
		{"openai-compatible", "https://relay.example.com/api", "https://relay.example.com/api/v1"},
		{"openai-compatible", "https://open.bigmodel.cn/api/paas/v4", "https://open.bigmodel.cn/api/paas/v4"},
		{"openai-compatible", "https://ark.cn-beijing.volces.com/api/coding/v3", "https://ark.cn-beijing.volces.com/api/coding/v3"},
		{"openai", "https://api.openai.com", "https://api.openai.com/v1"},
		{"anthropic", "https://api.anthropic.com", "https://api.anthropic.com/v1"},
		{"anthropic", "http://127.0.0.1:8080", "http://127.0.0.1:8080/v1"},
		{"google", "https://generativelanguage.googleapis.com", "https://generativelanguage.googleapis.com/v1beta"},
		{"google", "https://relay.example.com/gemini/v1", "https://relay.example.com/gemini/v1"},
		// A path segment that only looks like a version is not one.
		{"openai-compatible", "https://relay.example.com/v1x", "https://relay.example.com/v1x/v1"},
	}
	for _, tt := range tests {
		if got := BaseURL(tt.apiType, tt.base); got != tt.want {
			t.Errorf("BaseURL(%q, %q) = %q, want %q", tt.apiType, tt.base, got, tt.want)
		}
	}
}

func TestNPM(t *testing.T) {
	for typ, want := range map[string]string{
		"openai-compatible": "@ai-sdk/openai-compatible",
		"openai":            "@ai-sdk/openai",
		"anthropic":         "@ai-sdk/anthropic",
		"google":            "@ai-sdk/google",
	} {
		if got, ok := NPM(typ); !ok || got != want {
			t.Errorf("NPM(%q) = %q, %v; want %q", typ, got, ok, want)
		}
	}
	if _, ok := NPM("bedrock"); ok {
		t.Error("NPM(bedrock) is known")
	}
}

var tool = Tool{Name: "opencode", Dir: "opencode", Candidates: []string{"a.json", "a.jsonc", "b.json"}, Default: "a.jsonc", SmallModel: true}

func TestChoose(t *testing.T) {
	files := []string{"/d/a.json", "/d/a.jsonc", "/d/b.json"}
	tests := []struct {
		exist []string
		want  string
	}{
		{nil, "/d/a.jsonc"},
		{[]string{"/d/a.json"}, "/d/a.json"},
		{[]string{"/d/a.jsonc"}, "/d/a.jsonc"},
		{[]string{"/d/a.json", "/d/a.jsonc"}, "/d/a.jsonc"},
		{[]string{"/d/a.json", "/d/b.json"}, "/d/b.json"},
	}
	for _, tt := range tests {
		got := tool.Choose(files, func(p string) bool { return slices.Contains(tt.exist, p) })
		if got != tt.want {
			t.Errorf("Choose with %v = %q, want %q", tt.exist, got, tt.want)
		}
	}
}

func TestFiles(t *testing.T) {
	env := targets.Env{Vars: map[string]string{"HOME": "/h"}, Dir: "/cfg"}
	got, err := tool.Files(env, "")
	if err != nil || !slices.Equal(got, []string{"/h/.config/opencode/a.json", "/h/.config/opencode/a.jsonc", "/h/.config/opencode/b.json"}) {
		t.Errorf("Files = %v, %v", got, err)
	}
	env.Vars["XDG_CONFIG_HOME"] = "/x"
	if got, _ := tool.Files(env, ""); got[0] != filepath.FromSlash("/x/opencode/a.json") {
		t.Errorf("with XDG_CONFIG_HOME: %v", got)
	}
	if got, _ := tool.Files(env, "oc"); got[0] != filepath.FromSlash("/cfg/oc/a.json") {
		t.Errorf("with config_dir: %v", got)
	}
	if _, err := tool.Files(targets.Env{}, ""); err == nil {
		t.Error("no HOME: no error")
	}
}

func input(cs ...*credential.Credential) *targets.Input {
	return &targets.Input{Address: "opencode.t", Credentials: cs}
}

func cred(id, typ string, models ...string) *credential.Credential {
	return &credential.Credential{ID: id, Name: id, APIType: typ, BaseURL: "https://" + id + ".example.com", Key: secret.New("sk-test-aisdk-" + id), Models: models}
}

func TestValidate(t *testing.T) {
	in := input(cred("relay", "openai-compatible", "gpt-5"), cred("official", "anthropic"))
	ok := []Settings{
		{},
		{Model: "relay/gpt-5", SmallModel: "official/claude-haiku-4-5"},
		{Model: "relay/openai/gpt-5"}, // model ids may hold slashes
		{KeyMode: "env", KeyEnv: map[string]string{"official": "ANTHROPIC_API_KEY"}},
	}
	for _, s := range ok {
		if errs := tool.Validate(s, in); len(errs) > 0 {
			t.Errorf("Validate(%+v) = %v", s, errs)
		}
	}
	bad := []struct {
		s    Settings
		in   *targets.Input
		want string
	}{
		{Settings{Model: "gpt-5"}, in, `write it as "<credential id>/<model>", such as "relay/gpt-5"`},
		{Settings{Model: "relay/"}, in, `model is "relay/"`},
		{Settings{SmallModel: "other/x"}, in, `small_model is "other/x", but "other" is not among this target's credentials (relay, official)`},
		{Settings{KeyMode: "vault"}, in, `key_mode is "vault"`},
		{Settings{KeyEnv: map[string]string{"relay": "X"}}, in, `key_env is set but key_mode is "inline"`},
		{Settings{KeyMode: "env", KeyEnv: map[string]string{"relay": "MY-KEY"}}, in, `key_env["relay"] is "MY-KEY", which is not a valid environment variable name`},
		{Settings{}, input(cred("relay", "openai-compatible"), cred("relay", "openai-compatible")), `credential "relay" is listed twice`},
		{Settings{}, input(cred("x", "bedrock")), `api_type "bedrock"`},
	}
	for _, tt := range bad {
		errs := tool.Validate(tt.s, tt.in)
		var msgs []string
		for _, e := range errs {
			msgs = append(msgs, e.Error())
		}
		if !strings.Contains(strings.Join(msgs, "\n"), tt.want) {
			t.Errorf("Validate(%+v) = %q, want %q", tt.s, msgs, tt.want)
		}
		for _, m := range msgs {
			if strings.Contains(m, "sk-test-") {
				t.Errorf("error shows a key: %s", m)
			}
		}
	}
	// small_model is not checked (nor written) for a tool without it.
	noSmall := tool
	noSmall.SmallModel = false
	if errs := noSmall.Validate(Settings{SmallModel: "nope"}, in); len(errs) > 0 {
		t.Errorf("small_model checked for a tool without it: %v", errs)
	}
}

func TestDesiredEnvModeHasNoKey(t *testing.T) {
	in := input(cred("relay", "openai-compatible", "gpt-5"))
	spec, err := tool.Desired(Settings{KeyMode: "env"}, in)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range spec.Items {
		if s, _ := it.Value.(string); strings.Contains(s, "sk-test-") {
			t.Errorf("%s holds the key in env mode", it.Key)
		}
		if it.Key.String() == "provider.relay.options.apiKey" && it.Value != "{env:RELAY_API_KEY}" {
			t.Errorf("apiKey = %v", it.Value)
		}
	}
}

func TestNotes(t *testing.T) {
	in := input(cred("relay", "openai-compatible", "gpt-5"), cred("bare", "openai-compatible"))
	notes := strings.Join(tool.Notes(Settings{KeyMode: "env", Model: "relay/gpt-4o", SmallModel: "bare/x"}, in), "\n")
	for _, want := range []string{
		`$RELAY_API_KEY (credential "relay"), $BARE_API_KEY (credential "bare")`,
		`credential "bare" lists no models`,
		`model is "relay/gpt-4o", but credential "relay" does not list model "gpt-4o"`,
	} {
		if !strings.Contains(notes, want) {
			t.Errorf("notes lack %q:\n%s", want, notes)
		}
	}
	if strings.Contains(notes, "sk-test-") {
		t.Error("notes show a key")
	}
}
