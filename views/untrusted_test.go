package views

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hubctl/hub/engine/config"
	"github.com/hubctl/hub/engine/telemetry"
	"github.com/hubctl/hub/providers"
	"github.com/hubctl/hub/providers/fakerelay"
)

// TestUpstreamTextIsSanitized: what an upstream said (a failure's text, a
// model id, a usage message) reaches neither the terminal nor a JSON line
// with its escape sequences, in verify, refresh, status and models, human
// or JSON.
func TestUpstreamTextIsSanitized(t *testing.T) {
	esc := fakerelay.HostileEscapes
	c := &config.Credential{ID: "relay", APIType: "openai-compatible", BaseURL: "https://relay.example.com/v1"}
	list := &providers.ModelList{Endpoint: "GET https://relay.example.com/v1/models", Models: []providers.Model{{ID: "gpt-" + esc}, {ID: "plain"}}}
	fail := errors.New("invalid key: " + esc)
	ver := &telemetry.Verification{ID: "relay", Models: list, Model: "gpt-" + esc, ModelFrom: "suggested",
		Checks: []telemetry.Check{{Name: "models", Detail: "2 models"}, {Name: "text", Err: fail}}}
	res := &telemetry.Result{ID: "relay", ModelsErr: fail, UsageErr: errors.New("usage: " + esc)}
	rec := &telemetry.Record{Models: []string{"gpt-" + esc}, LastError: esc, LastRefresh: time.Unix(0, 0),
		Health: telemetry.Health{Status: telemetry.Error, Reason: esc}}
	for _, asJSON := range []bool{false, true} {
		v, out, errb := testView()
		NewVerify(v, asJSON, "").Verified(c, ver)
		NewRefresh(v, asJSON).Refreshed(c, res, rec)
		NewStatus(v, asJSON).Status([]StatusRow{{Credential: c, Record: rec}})
		NewModels(v, asJSON).Models("relay", list)
		all := out.String() + errb.String()
		if strings.ContainsAny(all, "\x1b\x07\u009b\u202e") || strings.Contains(all, `\u001b`) || strings.Contains(all, `\u0007`) {
			t.Errorf("json=%v: control characters printed:\n%q", asJSON, all)
		}
		if !strings.Contains(all, `\x1b[2J`) {
			t.Errorf("json=%v: the escape is not shown as text:\n%s", asJSON, all)
		}
	}
}
