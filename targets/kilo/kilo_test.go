package kilo_test

import (
	"testing"

	"github.com/hashicorp/hcl/v2/gohcl"
	"github.com/hashicorp/hcl/v2/hclparse"

	"github.com/hubctl/hub/credential"
	"github.com/hubctl/hub/secret"
	"github.com/hubctl/hub/targets"
	"github.com/hubctl/hub/targets/kilo"
	"github.com/hubctl/hub/targets/targettest"
)

func TestGolden(t *testing.T) { targettest.Golden(t, "kilo") }

// Kilo's schema is strict about top-level keys: whatever the block says, hub
// wants nothing at the top level but provider and model, and the block has no
// small_model to set.
func TestTopLevelKeys(t *testing.T) {
	info, err := targets.Lookup(kilo.Type)
	if err != nil {
		t.Fatal(err)
	}
	creds := []*credential.Credential{
		{ID: "relay", Name: "Relay", APIType: "openai-compatible", BaseURL: "https://relay.example.com", Key: secret.New("sk-test-kilo-top-1"), Models: []string{"gpt-5"}},
		{ID: "claude", Name: "Claude", APIType: "anthropic", BaseURL: "https://api.anthropic.com", Key: secret.New("sk-test-kilo-top-2")},
		{ID: "gemini", Name: "Gemini", APIType: "google", BaseURL: "https://generativelanguage.googleapis.com", Key: secret.New("sk-test-kilo-top-3"), Models: []string{"gemini-2.5-pro"}},
	}
	blocks := []string{
		``,
		`model = "relay/gpt-5"`,
		"key_mode = \"env\"\nmodel = \"gemini/gemini-2.5-pro\"",
		"key_mode = \"env\"\nkey_env = { claude = \"ANTHROPIC_API_KEY\" }\nconfig_dir = \"/tmp/k\"",
	}
	env := targets.Env{Vars: map[string]string{"HOME": "/home/user"}, Dir: "/home/user/creds"}
	for _, src := range blocks {
		impl := decode(t, info, src)
		in := &targets.Input{Address: "kilo.t", Credentials: creds}
		if errs := impl.(targets.Validator).Validate(in); len(errs) > 0 {
			t.Fatalf("%q: %v", src, errs)
		}
		files, err := impl.Files(env)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			spec, err := impl.Desired(f, in)
			if err != nil {
				t.Fatal(err)
			}
			if spec == nil {
				continue
			}
			for _, it := range spec.Items {
				if top := it.Key[0]; top != "provider" && top != "model" {
					t.Errorf("%q: hub wants top-level key %q in %s", src, top, f)
				}
			}
		}
	}
	f, _ := hclparse.NewParser().ParseHCL([]byte(`small_model = "relay/gpt-5"`), "t.hcl")
	if diags := gohcl.DecodeBody(f.Body, nil, info.New()); !diags.HasErrors() {
		t.Error("small_model is accepted in a kilo block")
	}
}

func decode(t *testing.T, info targets.Info, src string) targets.Target {
	t.Helper()
	f, diags := hclparse.NewParser().ParseHCL([]byte(src), "t.hcl")
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	impl := info.New()
	if diags := gohcl.DecodeBody(f.Body, nil, impl); diags.HasErrors() {
		t.Fatal(diags)
	}
	return impl
}

func TestImport(t *testing.T) { targettest.ImportGolden(t, "kilo") }
