package views

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/hubctl/hub/engine/config"
	"github.com/hubctl/hub/engine/telemetry"
	"github.com/hubctl/hub/providers"
)

func verifiedAs() (*config.Credential, *telemetry.Verification) {
	c := &config.Credential{ID: "anth", APIType: "anthropic", BaseURL: "https://relay.example.com"}
	ver := &telemetry.Verification{ID: "anth", As: "openai", SavedType: "anthropic", Model: "gpt-4o-mini", ModelFrom: "suggested from the model list",
		Models: &providers.ModelList{Endpoint: "GET https://relay.example.com/v1/models", Models: []providers.Model{{ID: "gpt-4o-mini"}}},
		Checks: []telemetry.Check{{Name: "models", Detail: "1 model"}, {Name: "text"},
			{Name: "tools", Err: &providers.Failure{Class: providers.ClassModelNotFound, Message: "no channel"}}}}
	return c, ver
}

// With --as, every line says the key was probed as another type, for this
// run only: the header with the saved type, each check, the model line and
// the count.
func TestVerifyAsHuman(t *testing.T) {
	v, out, _ := testView()
	c, ver := verifiedAs()
	view := NewVerify(v, false, "openai")
	view.Verified(c, ver)
	view.Verifications(1, 1)
	want := `✗ anth  as openai, temporary: the saved type is anthropic  https://relay.example.com
    ✓ models     1 model from GET https://relay.example.com/v1/models  [as openai]
    model for probes: gpt-4o-mini (suggested from the model list)  [as openai]
    ✓ text         [as openai]
    ✗ tools      model not found: no channel  [as openai]

1 credential verified as openai (temporary: the saved API types and the state are unchanged): 0 ok, 1 failing.
`
	if out.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", out, want)
	}
	for i, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		if line != "" && !strings.Contains(line, "as openai") {
			t.Errorf("line %d does not name the override: %q", i+1, line)
		}
	}
	// Without --as: no label anywhere.
	v, out, _ = testView()
	ver.As, ver.SavedType = "", ""
	NewVerify(v, false, "").Verified(c, ver)
	if strings.Contains(out.String(), "as openai") || !strings.HasPrefix(out.String(), "✗ anth  anthropic  https://") {
		t.Errorf("no override:\n%s", out)
	}
}

func TestVerifyAsJSON(t *testing.T) {
	v, out, _ := testView()
	c, ver := verifiedAs()
	NewVerify(v, true, "openai").Verified(c, ver)
	var m struct {
		Message string         `json:"@message"`
		APIType string         `json:"api_type"`
		As      map[string]any `json:"as"`
		Checks  []struct {
			Name, As string
		} `json:"checks"`
	}
	if err := json.Unmarshal(out.Bytes(), &m); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if m.Message != "anth: tools: model not found: no channel (as openai, temporary: the saved type is anthropic)" || m.APIType != "openai" {
		t.Errorf("message %q, api_type %q", m.Message, m.APIType)
	}
	if m.As["api_type"] != "openai" || m.As["saved_api_type"] != "anthropic" || m.As["temporary"] != true {
		t.Errorf("as = %v", m.As)
	}
	if len(m.Checks) != 3 {
		t.Fatalf("checks: %+v", m.Checks)
	}
	for _, ck := range m.Checks {
		if ck.As != "openai" {
			t.Errorf("check %s without the override: %q", ck.Name, ck.As)
		}
	}
}
