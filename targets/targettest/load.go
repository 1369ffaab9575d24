package targettest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"

	"github.com/hubctl/hub/engine/config"
	"github.com/hubctl/hub/targets"
)

// A Cred is one credential of a case, as credentials.json lists it.
type Cred struct {
	ID      string   `json:"id"`
	Name    string   `json:"name"`
	APIType string   `json:"api_type"`
	BaseURL string   `json:"base_url"`
	Key     string   `json:"key"`
	Models  []string `json:"models"`
}

// Load evaluates a case the way hub evaluates a configuration, through
// config.Load: each credential becomes a credential block (so its base URL
// is normalized and its key joins the secrets), and block, the target's
// attributes, goes into a target "<typ>" "test" block that refers to them.
// So a golden exercises the loader's decoding, SecretHolder included, and
// cfg.Secrets are what the output must never show.
//
// A block its target's Validate refuses is not a failure: invalid holds
// Validate's errors, for the case to compare. Any other problem fails t.
func Load(t testing.TB, typ string, block []byte, creds []Cred, env map[string]string) (cfg *config.Config, tg *config.Target, invalid []error) {
	t.Helper()
	info, err := targets.Lookup(typ)
	if err != nil {
		t.Fatal(err)
	}
	if !info.Multi && len(creds) > 1 {
		t.Fatalf("a %s target takes one credential; the case lists %d", typ, len(creds))
	}
	f := hclwrite.NewEmptyFile()
	refs := make([]string, len(creds))
	for i, c := range creds {
		b := f.Body().AppendNewBlock("credential", []string{c.ID}).Body()
		if c.Name != "" {
			b.SetAttributeValue("name", cty.StringVal(c.Name))
		}
		b.SetAttributeValue("api_type", cty.StringVal(c.APIType))
		b.SetAttributeValue("base_url", cty.StringVal(c.BaseURL))
		b.SetAttributeValue("api_key", cty.StringVal(c.Key))
		if c.Models != nil {
			ms := make([]cty.Value, len(c.Models))
			for j, m := range c.Models {
				ms[j] = cty.StringVal(m)
			}
			b.SetAttributeValue("models", cty.ListVal(ms))
		}
		refs[i] = "credential." + c.ID
	}
	var src strings.Builder
	src.Write(f.Bytes())
	src.WriteString("target \"" + typ + "\" \"test\" {\n")
	switch {
	case info.Multi:
		src.WriteString("credentials = [" + strings.Join(refs, ", ") + "]\n")
	case len(refs) == 1:
		src.WriteString("credential = " + refs[0] + "\n")
	}
	src.Write(block)
	src.WriteString("\n}\n")

	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "hub.hcl"), []byte(src.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, diags := config.Load(config.Options{Dir: dir, Env: env})
	if len(cfg.Targets) == 1 {
		tg = cfg.Targets[0]
	}
	if !diags.HasErrors() {
		return cfg, tg, nil
	}
	// The loader reports Validate's errors as diagnostics; the case compares
	// the errors themselves, so they are asked for again (Validate is pure).
	// A case may also give an API type hub does not know, to show how the
	// target refuses one (a type a later hub adds, say): the loader's own
	// refusal is then expected.
	for _, d := range diags {
		if d.Severity == hcl.DiagError && d.Summary != "Invalid "+typ+" target" && d.Summary != "Unknown API type" {
			t.Fatalf("loading the case: %s", diags.Error())
		}
	}
	if v, ok := tg.Impl.(targets.Validator); ok {
		if errs := v.Validate(tg.Input); len(errs) > 0 {
			return cfg, tg, errs
		}
	}
	t.Fatalf("loading the case: %s", diags.Error())
	return nil, nil, nil
}

// ReadCreds decodes a credentials.json section.
func ReadCreds(t testing.TB, b []byte) []Cred {
	t.Helper()
	var cs []Cred
	if err := json.Unmarshal(b, &cs); err != nil {
		t.Fatalf("credentials.json: %v", err)
	}
	return cs
}
