package targets

import (
	"reflect"
	"strings"
	"testing"

	"github.com/hubctl/hub/credential"
)

func TestKeyRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		key  Key
		want string
	}{
		{Key{"env", "ANTHROPIC_BASE_URL"}, "env.ANTHROPIC_BASE_URL"},
		{Key{"model_providers", "a.b", "name"}, `model_providers."a.b".name`},
		{Key{"Providers", Select("name", "relay"), "api_key"}, "Providers[name=relay].api_key"},
		{Key{"Providers", Select("name", "a.b]c"), "models"}, `Providers[name="a.b]c"].models`},
		{Key{"claude-api-key", Marked("relay"), "base-url"}, "claude-api-key[#hub:relay].base-url"},
		{Key{"x", ""}, `x.""`},
		{Key{"odd[name]"}, `"odd[name]"`},
		{Key{"a", Select("k", ""), "b"}, `a[k=""].b`},
		{Key{"claude-api-key", SelectSecret("api-key", "sk-test-x", "relay"), "base-url"}, "claude-api-key[api-key~relay:" + SecretDigest("sk-test-x", "relay") + "].base-url"},
	} {
		if got := tc.key.String(); got != tc.want {
			t.Errorf("String(%q) = %s, want %s", []string(tc.key), got, tc.want)
		}
		back, err := ParseKey(tc.want)
		if err != nil || !reflect.DeepEqual(back, tc.key) {
			t.Errorf("ParseKey(%s) = %q, %v; want %q", tc.want, []string(back), err, []string(tc.key))
		}
	}
	for _, bad := range []string{`a."b`, "a[name=x", "a.", "a[x]", `a[name="x]`, "a[name=x]b"} {
		if k, err := ParseKey(bad); err == nil {
			t.Errorf("ParseKey(%s) = %q, want an error", bad, []string(k))
		}
	}
	if f, s, d, ok := ParseSecretSelector(SelectSecret("api-key", "sk-test-y", "c1")); !ok || f != "api-key" || s != "c1" || d != SecretDigest("sk-test-y", "c1") || strings.Contains(SelectSecret("api-key", "sk-test-y", "c1"), "sk-test-y") {
		t.Errorf("ParseSecretSelector = %q %q %q %v", f, s, d, ok)
	}
	if f, v, m, ok := ParseSelector(Select("name", `q"uote`)); !ok || f != "name" || v != `q"uote` || m != "" {
		t.Errorf("ParseSelector = %q %q %q %v", f, v, m, ok)
	}
}

func TestEnvHelpers(t *testing.T) {
	for id, want := range map[string]string{
		"relay":        "RELAY_API_KEY",
		"my-relay":     "MY_RELAY_API_KEY",
		"Work_Relay-2": "WORK_RELAY_2_API_KEY",
	} {
		if got := KeyEnvName(id); got != want || !ValidEnvName(got) {
			t.Errorf("KeyEnvName(%q) = %q, want %q", id, got, want)
		}
	}
	for _, bad := range []string{"", "1X", "A-B", "A B"} {
		if ValidEnvName(bad) {
			t.Errorf("ValidEnvName(%q) = true", bad)
		}
	}
	env := Env{Vars: map[string]string{"HOME": "/home/u"}, Dir: "/cfg"}
	for _, tc := range []struct{ file, dir, want string }{
		{"~/x/config.yaml", "", "/home/u/x/config.yaml"},
		{"", "srv", "/cfg/srv/config.yaml"},
		{"", "", ""},
	} {
		if got, err := env.ConfigFile(tc.file, tc.dir, "config.yaml"); err != nil || got != tc.want {
			t.Errorf("ConfigFile(%q, %q) = %q, %v", tc.file, tc.dir, got, err)
		}
	}
}

// PickModel's cases moved to package credential; ModelItem builds on it.
func TestModelItem(t *testing.T) {
	o := &credential.Credential{ID: "x", Discovered: []string{"o4-mini", "gpt-5"}, DiscoveredFrom: "found by hub refresh on 2026-11-30 10:00"}
	if it, ok := ModelItem(Key{"model"}, "gpt-5", o, credential.FamilyGPT); !ok || it.Value != "gpt-5" || it.Origin != "" {
		t.Errorf("a configured model wins and has no origin: %+v", it)
	}
	if it, ok := ModelItem(Key{"model"}, "", o, credential.FamilyGPT); !ok || it.Value != "o4-mini" || it.Origin == "" {
		t.Errorf("picked model: %+v", it)
	}
	if _, ok := ModelItem(Key{"model"}, "", o, credential.FamilyClaude); ok {
		t.Error("no claude model: the tool keeps its default, no item")
	}
}
