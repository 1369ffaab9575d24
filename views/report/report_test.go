package report_test

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hubctl/hub/credential"
	"github.com/hubctl/hub/engine/telemetry"
	"github.com/hubctl/hub/views/report"
	"github.com/hubctl/hub/views/report/reporttest"
)

type pageData struct {
	Days      []string `json:"days"`
	Currency  string   `json:"currency"`
	CNYPerUSD float64  `json:"cnyPerUsd"`
	Creds     []struct {
		ID, Type, URL, Health, Reason, H string
		Exp, ExpNote                     string
		Expired                          bool
		Tags                             []string
		Stale, Unl                       bool
		Bal, Cost                        *float64
		Req                              *int64
		B, C                             []*float64
		R                                []*int64
		Why                              [][2]any
	} `json:"creds"`
}

func write(t *testing.T, creds []report.Credential, opt report.Options) (pageData, []byte) {
	t.Helper()
	var buf bytes.Buffer
	if err := report.Write(&buf, creds, opt); err != nil {
		t.Fatal(err)
	}
	raw, err := report.Decode(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	var d pageData
	if err := json.Unmarshal(raw, &d); err != nil {
		t.Fatalf("%v\n%s", err, raw)
	}
	return d, buf.Bytes()
}

// The page's data: failing credentials first, one entry per window day
// (null where refresh did not run, "." in the health), health changes with
// their reasons, figures of a stale record left out, base URLs without
// user info or query, and every outside text through Scrub.
func TestWriteData(t *testing.T) {
	loc := time.FixedZone("UTC+8", 8*3600)
	now := time.Date(2026, 12, 7, 20, 0, 0, 0, loc)
	fx, err := reporttest.Build(15, 30, now, loc)
	if err != nil {
		t.Fatal(err)
	}
	creds := fx.Creds
	creds[2].Credential.BaseURL = "https://user:pass@relay2.example.com/v1?token=sk-test-query-000000000000"
	creds[3].Stale = true
	creds[4].Credential.Expires = credential.Expiry{At: time.Date(2026, 12, 9, 0, 0, 0, 0, loc), DateOnly: true}
	creds[6].Credential.Expires = credential.Expiry{At: time.Date(2026, 12, 1, 0, 0, 0, 0, loc), DateOnly: true}
	creds[8].Credential.Expires = credential.Expiry{At: time.Date(2027, 6, 1, 0, 0, 0, 0, loc), DateOnly: true}
	scrubbed := 0
	d, page := write(t, creds, report.Options{Now: now, Location: loc, Days: 30, CNYPerUSD: 7.2, Currency: "CNY",
		Scrub: func(s string) string { scrubbed++; return strings.ReplaceAll(s, "unavailable", "[scrubbed]") }})
	if len(d.Days) != 30 || d.Days[0] != "2026-11-08" || d.Days[29] != "2026-12-07" || d.Currency != "CNY" || d.CNYPerUSD != 7.2 {
		t.Errorf("window %v..., currency %s %v", d.Days[:1], d.Currency, d.CNYPerUSD)
	}
	if scrubbed == 0 || !strings.Contains(string(mustDecode(t, page)), "[scrubbed]") {
		t.Error("the reasons did not go through Scrub")
	}
	if bytes.Contains(page, []byte("sk-test")) || bytes.Contains(mustDecode(t, page), []byte("sk-test")) || bytes.Contains(mustDecode(t, page), []byte("pass@")) {
		t.Error("a key or a password is in the page")
	}
	var order []string
	for _, c := range d.Creds {
		order = append(order, c.ID)
	}
	// Failing or expired, then warnings or expiring, then unknown.
	if got := strings.Join(order, " "); !strings.HasPrefix(got, "cred-0000 cred-0006 cred-0007 cred-0004 cred-0011 cred-0014 cred-0001") {
		t.Errorf("order: %s", got)
	}
	for _, c := range d.Creds {
		switch c.ID {
		case "cred-0004":
			if c.Exp != "2026-12-09" || c.ExpNote != "expires in 2 days" || c.Expired {
				t.Errorf("expiring: %q %q %v", c.Exp, c.ExpNote, c.Expired)
			}
		case "cred-0006":
			if c.ExpNote != "expired 6 days ago" || !c.Expired {
				t.Errorf("expired: %q %v", c.ExpNote, c.Expired)
			}
		case "cred-0008":
			if c.Exp != "2027-06-01" || c.ExpNote != "" {
				t.Errorf("far expiry: %q %q", c.Exp, c.ExpNote)
			}
		case "cred-0002":
			if c.URL != "https://relay2.example.com/v1" {
				t.Errorf("url %s", c.URL)
			}
		case "cred-0003":
			if !c.Stale || c.Bal != nil || c.B != nil || c.H != "" {
				t.Errorf("stale credential kept its figures: %+v", c)
			}
		case "cred-0005": // missed every 9th day
			if len(c.B) != 30 || c.B[29-18] != nil || c.H[29-18] != '.' || c.C[29-18] != nil || c.B[29] == nil {
				t.Errorf("gaps: %v %s", c.B, c.H)
			}
		case "cred-0007": // failing for the last three days
			if !strings.HasSuffix(c.H, "heee") || len(c.Why) != 1 || c.Why[0][0] != float64(27) || !strings.Contains(c.Why[0][1].(string), "quota exhausted") {
				t.Errorf("health %s, why %v", c.H, c.Why)
			}
		case "cred-0013": // unlimited
			if !c.Unl || c.Bal != nil || c.B[29] != nil || c.C[29] == nil {
				t.Errorf("unlimited: %+v", c)
			}
		case "cred-0014": // never refreshed
			if c.Health != telemetry.Unknown || c.Reason != "never refreshed" || c.B != nil {
				t.Errorf("never refreshed: %+v", c)
			}
		}
	}
	// --json gives the page's own data.
	var js bytes.Buffer
	opt := report.Options{Now: now, Location: loc, Days: 30, Scrub: func(s string) string { return s }}
	if err := report.WriteJSON(&js, creds, opt); err != nil {
		t.Fatal(err)
	}
	_, page2 := write(t, creds, opt)
	var a, b any
	if json.Unmarshal(js.Bytes(), &a) != nil || json.Unmarshal(mustDecode(t, page2), &b) != nil || !reflect.DeepEqual(a, b) {
		t.Error("hub report --json differs from the page's data")
	}
	if _, err := report.Decode([]byte("<html>not ours</html>")); err == nil {
		t.Error("another page decoded")
	}
}

func mustDecode(t *testing.T, page []byte) []byte {
	t.Helper()
	d, err := report.Decode(page)
	if err != nil {
		t.Fatal(err)
	}
	return d
}
