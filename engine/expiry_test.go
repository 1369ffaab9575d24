package engine_test

import (
	"strings"
	"testing"
	"time"

	"github.com/hubctl/hub/credential"
	"github.com/hubctl/hub/engine"
)

// A target about to be written with a key that has expired, or expires
// within the window, carries a warning naming the credential; one with
// nothing to write, or a key far from its expiry, does not. The fixture's
// clock is 2026-11-29 12:00 UTC.
func TestPlanWarnsOfExpiry(t *testing.T) {
	f := newFixture(t)
	cfg := f.config(`target "claude_code" "default" { credential = credential.relay }`)
	day := func(s string) credential.Expiry {
		e, err := credential.ParseExpiry(s, time.UTC)
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	warnings := func(e credential.Expiry, window time.Duration, opts engine.PlanOptions) []string {
		cfg.Credentials["relay"].Expires, cfg.ExpiryWarning = e, window
		return f.plan(cfg, opts).Plan.Targets[0].Warnings
	}
	week := 7 * 24 * time.Hour
	if w := warnings(day("2026-12-02"), week, engine.PlanOptions{}); len(w) != 1 ||
		w[0] != `claude_code.default is about to be written with the key of credential.relay, which expires in 3 days (expires = "2026-12-02")` {
		t.Errorf("expiring in 3 days: %q", w)
	}
	if w := warnings(day("2026-11-29"), week, engine.PlanOptions{}); len(w) != 1 ||
		!strings.Contains(w[0], `which expired today; renew it, or point the target at another credential (expires = "2026-11-29")`) {
		t.Errorf("expired: %q", w)
	}
	if w := warnings(credential.Expiry{At: time.Date(2026, 11, 29, 17, 0, 0, 0, time.UTC)}, week, engine.PlanOptions{}); len(w) != 1 ||
		!strings.Contains(w[0], `which expires in 5 hours (expires = "2026-11-29T17:00:00Z")`) {
		t.Errorf("an instant within the window: %q", w)
	}
	for _, tc := range []struct {
		e      credential.Expiry
		window time.Duration
	}{{day("2026-12-07"), week}, {day("2026-12-02"), 0}, {credential.Expiry{}, week}} {
		if w := warnings(tc.e, tc.window, engine.PlanOptions{}); len(w) != 0 {
			t.Errorf("%s outside a window of %s: %q", tc.e, tc.window, w)
		}
	}

	// Once written, the plan has nothing to do for the target: no warning.
	f.apply(f.plan(cfg, engine.PlanOptions{}))
	if w := warnings(day("2026-11-28"), week, engine.PlanOptions{}); len(w) != 0 {
		t.Errorf("no changes, yet: %q", w)
	}
	if w := warnings(day("2026-11-28"), week, engine.PlanOptions{Destroy: true}); len(w) != 0 {
		t.Errorf("destroy: %q", w)
	}
}
