package views

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hubctl/hub/credential"
	"github.com/hubctl/hub/engine/config"
	"github.com/hubctl/hub/engine/telemetry"
	"github.com/hubctl/hub/providers"
)

// expiryRows are four credentials around a fixed now (2026-12-07 15:00
// UTC): one without an expiry, one far off, one in three days, one expired
// yesterday, in that (configuration) order.
func expiryRows(t *testing.T) ([]StatusRow, func() time.Time) {
	t.Helper()
	now := time.Date(2026, 12, 7, 15, 0, 0, 0, time.UTC)
	day := func(s string) credential.Expiry {
		e, err := credential.ParseExpiry(s, time.UTC)
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	rec := &telemetry.Record{Health: telemetry.Health{Status: telemetry.Healthy}, LastRefresh: now.Add(-time.Hour)}
	mk := func(id, exp string) StatusRow {
		c := &config.Credential{ID: id, Name: id, APIType: "openai-compatible", BaseURL: "https://" + id + ".example.com"}
		if exp != "" {
			c.Expires = day(exp)
		}
		return StatusRow{Credential: c, Record: rec, ExpiryWarning: 7 * 24 * time.Hour}
	}
	return []StatusRow{mk("plain", ""), mk("later", "2027-06-30"), mk("soon", "2026-12-10"), mk("gone", "2026-12-06")}, func() time.Time { return now }
}

func TestStatusExpiryHuman(t *testing.T) {
	v, out, _ := testView()
	rows, now := expiryRows(t)
	v.Now = now
	NewStatus(v, false).Status(rows)
	want := `CREDENTIAL  TYPE               BASE URL                   HEALTH                      EXPIRES     BALANCE  TODAY  REQUESTS  TOKENS  MODELS  REFRESHED  LAST ERROR
gone        openai-compatible  https://gone.example.com   healthy, expired yesterday  2026-12-06  -        -      -         -       0       1h ago     
soon        openai-compatible  https://soon.example.com   healthy, expires in 3 days  2026-12-10  -        -      -         -       0       1h ago     
plain       openai-compatible  https://plain.example.com  healthy                     -           -        -      -         -       0       1h ago     
later       openai-compatible  https://later.example.com  healthy                     2027-06-30  -        -      -         -       0       1h ago     
`
	if out.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", out, want)
	}

	// No key with an expiry: no column.
	out.Reset()
	NewStatus(v, false).Status(rows[:1])
	if strings.Contains(out.String(), "EXPIRES") {
		t.Errorf("an EXPIRES column without expiries:\n%s", out)
	}
}

func TestStatusExpiryJSON(t *testing.T) {
	v, out, _ := testView()
	rows, now := expiryRows(t)
	v.Now = now
	NewStatus(v, true).Status(rows)
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != 4 {
		t.Fatalf("%d lines:\n%s", len(lines), out)
	}
	for i, want := range []string{
		`"@level":"warn","@message":"gone: healthy, expired yesterday"`,
		`"@level":"warn","@message":"soon: healthy, expires in 3 days"`,
		`"@level":"info","@message":"plain: healthy"`,
		`"@level":"info","@message":"later: healthy"`,
	} {
		if !strings.Contains(lines[i], want) {
			t.Errorf("line %d: %s\nwant %s", i+1, lines[i], want)
		}
	}
	for i, want := range []string{
		`"expires":"2026-12-06","expiry":{"expired":true,"from_upstream":false,"message":"expired yesterday","soon":true}`,
		`"expires":"2026-12-10","expiry":{"expired":false,"from_upstream":false,"message":"expires in 3 days","soon":true}`,
		``,
		`"expires":"2027-06-30","expiry":{"expired":false,"from_upstream":false,"message":"expires in 205 days","soon":false}`,
	} {
		if want == "" {
			if strings.Contains(lines[i], `"expires"`) {
				t.Errorf("line %d has an expiry: %s", i+1, lines[i])
			}
			continue
		}
		if !strings.Contains(lines[i], want) {
			t.Errorf("line %d: %s\nwant %s", i+1, lines[i], want)
		}
	}
}

// A target's warnings go to stderr as warnings for people, and are
// target_warning messages at level warn in JSON.
func TestPlanWarnings(t *testing.T) {
	p := samplePlan()
	p.Targets[0].Warnings = []string{`claude_code.default is about to be written with the key of credential.relay, which expires in 3 days (expires = "2026-12-10")`}
	v, out, errb := testView()
	NewPlan(v, false).Plan(p, "plan")
	if !strings.Contains(errb.String(), `hub: warning: claude_code.default is about to be written with the key of credential.relay, which expires in 3 days (expires = "2026-12-10")`+"\n") {
		t.Errorf("stderr: %q", errb)
	}
	if strings.Contains(out.String(), "expires") {
		t.Errorf("the warning in the plan's stdout: %s", out)
	}
	v, out, errb = testView()
	NewApply(v, true).Plan(p, "apply")
	if !strings.Contains(out.String(), `{"@level":"warn","@message":"claude_code.default is about to be written with the key of credential.relay, which expires in 3 days (expires = \"2026-12-10\")","@timestamp":"1970-01-01T00:00:00Z","target":"claude_code.default","type":"target_warning"`) {
		t.Errorf("JSON: %s", out)
	}
	if errb.Len() != 0 {
		t.Errorf("stderr with --json: %q", errb)
	}
}

// A key the configuration gives no expiry shows the one its upstream
// reported at the last refresh, marked as the upstream's, and is warned
// about in the same way; a stale record's is not used.
func TestStatusUpstreamExpiry(t *testing.T) {
	v, out, _ := testView()
	rows, now := expiryRows(t)
	v.Now = now
	at := time.Date(2026, 12, 9, 10, 0, 0, 0, time.UTC)
	rec := &telemetry.Record{Health: telemetry.Health{Status: telemetry.Healthy}, LastRefresh: now().Add(-time.Hour), UsageAt: now().Add(-time.Hour),
		Usage: &providers.Usage{Source: "newapi", ExpiresAt: &at}}
	plain := rows[0]
	plain.Record = rec
	NewStatus(v, false).Status([]StatusRow{rows[1], plain})
	if !regexp.MustCompile(`plain +openai-compatible +https://plain\.example\.com +healthy, expires in 43 hours +2026-12-09 \(upstream\)`).MatchString(out.String()) ||
		!strings.HasPrefix(strings.SplitN(out.String(), "\n", 3)[1], "plain ") {
		t.Errorf("upstream expiry:\n%s", out)
	}
	out.Reset()
	plain.Stale = true
	NewStatus(v, false).Status([]StatusRow{plain})
	if strings.Contains(out.String(), "EXPIRES") {
		t.Errorf("a stale record's expiry:\n%s", out)
	}
}

// hub refresh says when the upstream's expiry and the configured one
// name different days, human and JSON; not when they agree.
func TestRefreshExpiryDisagreement(t *testing.T) {
	rows, now := expiryRows(t)
	c := rows[2].Credential // expires = "2026-12-10"
	for at, want := range map[time.Time]string{
		time.Date(2027, 1, 15, 0, 0, 0, 0, time.UTC):   `the upstream says the key expires on 2027-01-15 (newapi), the configuration says 2026-12-10 (expires = "2026-12-10"); update expires if the upstream is right`,
		time.Date(2026, 12, 10, 23, 0, 0, 0, time.UTC): "",
	} {
		rec := &telemetry.Record{Health: telemetry.Health{Status: telemetry.Healthy}, Usage: &providers.Usage{Source: "newapi", ExpiresAt: &at}}
		v, out, _ := testView()
		v.Now = now
		NewRefresh(v, false).Refreshed(c, &telemetry.Result{}, rec)
		NewRefresh(v, true).Refreshed(c, &telemetry.Result{}, rec)
		if want == "" {
			if strings.Contains(out.String(), "expiry") {
				t.Errorf("%s agrees, yet:\n%s", at, out)
			}
			continue
		}
		if !strings.Contains(out.String(), "    ! expiry: "+want+"\n") {
			t.Errorf("human:\n%s\nwant %s", out, want)
		}
		if !strings.Contains(out.String(), `"@level":"warn","@message":"soon: healthy; expiry: the upstream says`) || !strings.Contains(out.String(), `"expiry_disagreement":"the upstream says`) {
			t.Errorf("JSON:\n%s", out)
		}
	}
}
