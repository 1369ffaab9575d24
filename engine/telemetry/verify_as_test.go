package telemetry

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hubctl/hub/credential"
	"github.com/hubctl/hub/providers"
)

// --as probes a copy of the credential as another API type: the other
// family's model list and probes, the override named in the result, and
// the credential itself left as it was.
func TestVerifyAs(t *testing.T) {
	register()
	fam.models = map[string][]string{"x": {"gpt-own"}}
	famB.models = map[string][]string{"x": {"gpt-other"}}
	defer func() { fam.models, famB.models = nil, nil }()
	famB.mu.Lock()
	famB.probed = nil
	famB.mu.Unlock()
	c := cred("x")
	res := Verify(context.Background(), []*credential.Credential{c}, VerifyOptions{Deep: true, As: "test-other"}, Options{})
	v := res[0]
	if v.As != "test-other" || v.SavedType != "test-family" || v.Model != "gpt-other" || !v.OK() {
		t.Errorf("as test-other: %+v", v)
	}
	famB.mu.Lock()
	probed := strings.Join(famB.probed, " ")
	famB.mu.Unlock()
	if probed != "x:text:gpt-other x:tools:gpt-other" {
		t.Errorf("probes of the other family: %q", probed)
	}
	if c.APIType != "test-family" {
		t.Errorf("the credential's type changed to %q", c.APIType)
	}
	// --as its own type is no override.
	res = Verify(context.Background(), []*credential.Credential{c}, VerifyOptions{As: "test-family"}, Options{})
	if res[0].As != "" || res[0].SavedType != "" || res[0].Models.Models[0].ID != "gpt-own" {
		t.Errorf("as its own type: %+v", res[0])
	}
}

// A configured expiry is a check of its own, after the others: passing
// with the time left, failing once the day has come. A key refused as
// invalid whose day has come is named expired.
func TestVerifyExpiry(t *testing.T) {
	register()
	fam.models = map[string][]string{"soon": {"gpt-a"}, "gone": {"gpt-a"}}
	fam.fail = map[string]error{"refused": &providers.Failure{Class: providers.ClassInvalidKey, Status: 401, Endpoint: "GET https://refused.example/v1/models", Message: "Invalid token"}}
	defer func() { fam.models, fam.fail = nil, nil }()
	now := time.Date(2026, 12, 7, 15, 0, 0, 0, time.UTC)
	day := func(id, s string) *credential.Credential {
		c := cred(id)
		e, err := credential.ParseExpiry(s, time.UTC)
		if err != nil {
			t.Fatal(err)
		}
		c.Expires = e
		return c
	}
	creds := []*credential.Credential{day("soon", "2026-12-10"), day("gone", "2026-12-06"), day("refused", "2026-12-01"), cred("plain")}
	fam.models["plain"] = []string{"gpt-a"}
	res := Verify(context.Background(), creds, VerifyOptions{Deep: true}, Options{Now: func() time.Time { return now }})
	last := func(v Verification) Check { return v.Checks[len(v.Checks)-1] }
	if v := res[0]; !v.OK() || last(v).Name != "expiry" || last(v).Detail != `expires in 3 days (expires = "2026-12-10")` || len(v.Checks) != 4 {
		t.Errorf("soon: %+v", v.Checks)
	}
	if v := res[1]; v.OK() || last(v).Name != "expiry" ||
		last(v).Err.Error() != `key expired: expires = "2026-12-06" (expired yesterday), though the upstream still accepts the key; if it was renewed, update expires` {
		t.Errorf("gone: %+v", v.Checks)
	}
	v := res[2]
	if len(v.Checks) != 2 || v.Checks[0].Err.Error() != `key expired (HTTP 401 from GET https://refused.example/v1/models): expires = "2026-12-01" (expired 6 days ago); the upstream answered: Invalid token` ||
		v.Checks[1].Err.Error() != `key expired: expires = "2026-12-01" (expired 6 days ago)` {
		t.Errorf("refused: %+v", v.Checks)
	}
	if v := res[3]; !v.OK() || last(v).Name == "expiry" {
		t.Errorf("no expiry, yet: %+v", v.Checks)
	}
}
