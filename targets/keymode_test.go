package targets

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hubctl/hub/credential"
	"github.com/hubctl/hub/secret"
)

func TestKeyMode(t *testing.T) {
	relay := &credential.Credential{ID: "my-relay", Key: secret.New("sk-test-keymode-1")}
	ref := func(name string) string { return "$" + name }

	inline := KeyMode{}
	if inline.Name() != "inline" || inline.Env() {
		t.Errorf("default mode = %q", inline.Name())
	}
	if it := inline.Item(Key{"k"}, relay, ref); it.Value != "sk-test-keymode-1" || !it.Sensitive {
		t.Errorf("inline item = %+v", it)
	}
	env := KeyMode{Mode: "env", Vars: map[string]string{"other": "X"}}
	if it := env.Item(Key{"k"}, relay, ref); it.Value != "$MY_RELAY_API_KEY" || it.Sensitive {
		t.Errorf("env item = %+v", it)
	}
	if v := (KeyMode{Mode: "env", Vars: map[string]string{"my-relay": "MINE"}}).EnvVar(relay); v != "MINE" {
		t.Errorf("key_env entry: %s", v)
	}
	if v := (KeyMode{Var: "ONE"}).EnvVar(relay); v != "ONE" {
		t.Errorf("single key_env: %s", v)
	}
	if n := (KeyMode{Inline: "dotenv"}).Name(); n != "dotenv" {
		t.Errorf("dotenv default: %s", n)
	}

	in := &Input{Credentials: []*credential.Credential{relay}}
	for _, tc := range []struct {
		k    KeyMode
		want []string
	}{
		{KeyMode{Mode: "file", InlineDoc: "in the file", EnvDoc: "exported"}, []string{`key_mode is "file"; it must be "inline" (in the file) or "env" (exported)`}},
		{KeyMode{Var: "X"}, []string{`key_env is set but key_mode is "inline"; set key_mode = "env" too, or remove key_env`}},
		{KeyMode{Var: "X", Inline: "dotenv", AnyMode: true}, nil},
		{KeyMode{Mode: "env", Var: "1X"}, []string{`key_env "1X" is not a valid environment variable name`}},
		{KeyMode{Mode: "env", Vars: map[string]string{"nope": "A", "my-relay": "B-C"}}, []string{
			`key_env for "my-relay" is "B-C", which is not a valid environment variable name`,
			`key_env names "nope", which is not one of this target's credentials (my-relay)`}},
	} {
		got := fmt.Sprint(append(tc.k.Validate(), tc.k.ValidateVars(in)...))
		if len(tc.want) == 0 && got != "[]" {
			t.Errorf("%+v: unexpected %s", tc.k, got)
		}
		for _, w := range tc.want {
			if !strings.Contains(got, w) {
				t.Errorf("%+v: %s lacks %q", tc.k, got, w)
			}
		}
	}
}
