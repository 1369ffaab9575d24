package usage_test

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/hubctl/hub/providers"
	"github.com/hubctl/hub/providers/fakerelay"
)

// modelsRefusal is what the client makes of current New API's answer to an
// unusable key on a relay route.
func modelsRefusal(t *testing.T, cl *providers.Client, s *fakerelay.Server, k string) *providers.Failure {
	t.Helper()
	_, err := cl.Do(context.Background(), credFor(s, k), providers.Request{URL: s.URL + "/v1/models", Auth: providers.AuthBearer})
	f, ok := providers.AsFailure(err)
	if !ok || f.Class != providers.ClassInvalidKey || f.Status != 401 {
		t.Fatalf("relay route answered %v, want 401 invalid key", err)
	}
	return f
}

func explainer(t *testing.T) providers.Explainer {
	t.Helper()
	r, err := providers.LookupUsage("newapi")
	if err != nil {
		t.Fatal(err)
	}
	return r.(providers.Explainer)
}

func TestExplainUnusableKeys(t *testing.T) {
	past := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	s := fakerelay.New(fakerelay.NewAPI,
		&fakerelay.Key{Value: "sk-test-exhausted-01", Fault: fakerelay.FaultExhausted, QuotaUsed: 1000000},
		&fakerelay.Key{Value: "sk-test-expired-0002", QuotaRemain: 500000, ExpiresAt: past.Unix()},
		&fakerelay.Key{Value: "sk-test-disabled-003", Fault: fakerelay.FaultDisabled},
	)
	defer s.Close()
	s.Set(func(s *fakerelay.Server) { s.InvalidTokenOnly = true })
	cl := client()
	for _, tc := range []struct {
		key     string
		class   providers.Class
		text    string
		balance *float64
	}{
		{"sk-test-exhausted-01", providers.ClassQuota, "$0.00 left of $2.00 granted", ptr(0.0)},
		{"sk-test-expired-0002", providers.ClassExpired, "expired on 2026-05-01", ptr(1.0)},
		{"sk-test-disabled-003", providers.ClassDisabled, "disabled", nil},
		{"sk-test-unknown-0004", "", "", nil},
	} {
		t.Run(tc.key, func(t *testing.T) {
			refused := modelsRefusal(t, cl, s, tc.key)
			u, why, n := explainer(t).Explain(context.Background(), cl, credFor(s, tc.key), refused)
			if n == 0 {
				t.Fatal("no request made")
			}
			if tc.class == "" {
				if why != nil || u != nil {
					t.Fatalf("unknown key explained: %v %+v", why, u)
				}
				return
			}
			if why == nil || why.Class != tc.class || !strings.Contains(why.Error(), tc.text) || strings.Contains(why.Error(), tc.key) {
				t.Fatalf("why = %v, want %s with %q", why, tc.class, tc.text)
			}
			if tc.balance == nil {
				if u != nil {
					t.Errorf("usage %+v for a key that reads none", u)
				}
				return
			}
			if u == nil || !near(u.Balance, *tc.balance) {
				t.Fatalf("usage %+v, want balance %v (0 is a figure)", u, *tc.balance)
			}
		})
	}
}

// TestTodayFromLog reads today's rows of /api/log/token in the clock's
// local day, with the cost through quota_per_unit.
func TestTodayFromLog(t *testing.T) {
	zone := time.FixedZone("UTC+8", 8*3600)
	now := time.Date(2026, 12, 7, 9, 30, 0, 0, zone) // 01:30 UTC
	midnight := time.Date(2026, 12, 7, 0, 0, 0, 0, zone)
	k := &fakerelay.Key{Value: key, QuotaRemain: 1000000, QuotaUsed: 900000, Logs: []fakerelay.Log{
		{At: now.Add(-time.Minute), Type: 2, Quota: 250000, PromptTokens: 1000, Completion: 200},
		{At: midnight.Add(time.Second), Type: 2, Quota: 150000, PromptTokens: 300, Completion: 45},
		{At: midnight.Add(2 * time.Second), Type: 5, Quota: 999},                                    // an error row
		{At: midnight.Add(-time.Second), Type: 2, Quota: 500000, PromptTokens: 7000, Completion: 1}, // yesterday, local
	}}
	s := fakerelay.New(fakerelay.NewAPI, k)
	defer s.Close()
	s.Set(func(s *fakerelay.Server) { s.QuotaPerUnit = 1000000 })
	cl := providers.NewClient(providers.ClientOptions{Timeout: 10 * time.Second, Now: func() time.Time { return now }})
	u, err := read(t, cl, credFor(s, key), "auto")
	if err != nil {
		t.Fatal(err)
	}
	reader, _ := providers.LookupUsage(u.Source)
	tr, ok := reader.(providers.TodayReader)
	if !ok {
		t.Fatalf("source %s reads no today figures", u.Source)
	}
	if err := tr.ReadToday(context.Background(), cl, credFor(s, key), u); err != nil {
		t.Fatal(err)
	}
	if u.Day != "2026-12-07" || !near(u.TodayCost, 0.4) || u.TodayRequests == nil || *u.TodayRequests != 2 || u.TodayTokens == nil || *u.TodayTokens != 1545 {
		t.Errorf("day %q cost %s requests %v tokens %v", u.Day, show(u.TodayCost), u.TodayRequests, u.TodayTokens)
	}
	if u.TodayPromptTokens == nil || *u.TodayPromptTokens != 1300 || u.TodayCompletionTokens == nil || *u.TodayCompletionTokens != 245 {
		t.Errorf("prompt %v completion %v", u.TodayPromptTokens, u.TodayCompletionTokens)
	}
	// The log is not full, so it is the key's whole log: yesterday is whole.
	if len(u.PastDays) != 1 || u.PastDays[0].Day != "2026-12-06" || math.Abs(u.PastDays[0].Cost-0.5) > 1e-9 ||
		u.PastDays[0].Requests != 1 || u.PastDays[0].PromptTokens != 7000 || u.PastDays[0].CompletionTokens != 1 {
		t.Errorf("past days %+v", u.PastDays)
	}
	last := u.Attempts[len(u.Attempts)-1]
	if !strings.HasSuffix(last.Endpoint, "/api/log/token") || last.Status != "success" {
		t.Errorf("attempts %+v", u.Attempts)
	}
	// The same rows seen from UTC: only the last minute's row is of
	// 2026-12-07 there; the rest are of the 6th.
	utc := providers.NewClient(providers.ClientOptions{Now: func() time.Time { return now.UTC() }})
	u2 := &providers.Usage{Source: "newapi", TotalUsed: ptr(1.0)}
	if err := tr.ReadToday(context.Background(), utc, credFor(s, key), u2); err != nil {
		t.Fatal(err)
	}
	if u2.Day != "2026-12-07" || u2.TodayRequests == nil || *u2.TodayRequests != 1 {
		t.Errorf("UTC: day %q requests %v", u2.Day, u2.TodayRequests)
	}
}

// TestPastDaysFromFullLog: a full log (the newest 100 rows) holds its
// oldest day only in part, so the history gets the days after it, a day
// without rows as a zero, and never today.
func TestPastDaysFromFullLog(t *testing.T) {
	zone := time.FixedZone("UTC+8", 8*3600)
	now := time.Date(2026, 12, 7, 9, 30, 0, 0, zone)
	midnight := time.Date(2026, 12, 7, 0, 0, 0, 0, zone)
	var logs []fakerelay.Log
	for i := range 100 { // newest first: 40 today, none on the 6th, 60 from the 5th back into the 4th
		at := midnight.Add(time.Duration(i+1) * time.Minute)
		if i >= 40 {
			at = midnight.AddDate(0, 0, -1).Add(-time.Duration(i-39) * 30 * time.Minute)
		}
		logs = append(logs, fakerelay.Log{At: at, Type: 2, Quota: 1000, PromptTokens: 10, Completion: 1})
	}
	k := &fakerelay.Key{Value: key, QuotaRemain: 1000000, QuotaUsed: 100000, Logs: logs}
	s := fakerelay.New(fakerelay.NewAPI, k)
	defer s.Close()
	s.Set(func(s *fakerelay.Server) { s.QuotaPerUnit = 1000000 })
	cl := providers.NewClient(providers.ClientOptions{Timeout: 10 * time.Second, Now: func() time.Time { return now }})
	u := &providers.Usage{Source: "newapi", TotalUsed: ptr(0.1)}
	reader, _ := providers.LookupUsage("newapi")
	if err := reader.(providers.TodayReader).ReadToday(context.Background(), cl, credFor(s, key), u); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range u.PastDays {
		got = append(got, fmt.Sprintf("%s:%d", d.Day, d.Requests))
	}
	// 60 rows back from 00:00 on the 6th, every 30 min: 48 on the 5th, 12
	// on the 4th (partial, left out); none on the 6th.
	if strings.Join(got, " ") != "2026-12-05:48 2026-12-06:0" {
		t.Errorf("past days %v", got)
	}
	if *u.TodayRequests != 40 {
		t.Errorf("today %d", *u.TodayRequests)
	}
}

// A key that used quota but whose log holds no consumption row says
// nothing of today: the site may not log consumption.
func TestTodayUnknownWithoutConsumptionLog(t *testing.T) {
	s := fakerelay.New(fakerelay.NewAPI, &fakerelay.Key{Value: key, QuotaRemain: 10, QuotaUsed: 500000})
	defer s.Close()
	cl := client()
	reader, _ := providers.LookupUsage("newapi")
	u := &providers.Usage{Source: "newapi", TotalUsed: ptr(1.0)}
	if err := reader.(providers.TodayReader).ReadToday(context.Background(), cl, credFor(s, key), u); err != nil {
		t.Fatal(err)
	}
	if u.TodayCost != nil || u.TodayRequests != nil || u.Day != "" {
		t.Errorf("today figures from an empty log: %+v", u)
	}
	unused := &providers.Usage{Source: "newapi", TotalUsed: ptr(0.0)}
	if err := reader.(providers.TodayReader).ReadToday(context.Background(), cl, credFor(s, key), unused); err != nil {
		t.Fatal(err)
	}
	if !near(unused.TodayCost, 0) || unused.Day == "" {
		t.Errorf("a never-used key: %+v", unused)
	}
}

// The billing pair answers in the site's display unit; hub reports USD.
func TestBillingDisplayCurrency(t *testing.T) {
	for _, tc := range []struct {
		display   string
		converted string
	}{
		{"USD", ""},
		{"CNY", "CNY at 7.3 per USD"},
		{"TOKENS", "quota units at 500000 per USD"},
	} {
		t.Run(tc.display, func(t *testing.T) {
			s := fakerelay.New(fakerelay.NewAPI, &fakerelay.Key{Value: key, QuotaUsed: 500000, QuotaRemain: 1500000})
			defer s.Close()
			s.Set(func(s *fakerelay.Server) { s.DisplayType = tc.display })
			u, err := read(t, client(), credFor(s, key), "openai_billing")
			if err != nil {
				t.Fatal(err)
			}
			if !near(u.Balance, 3) || !near(u.TotalUsed, 1) || !near(u.TotalGranted, 4) || u.Unlimited {
				t.Errorf("balance %s used %s granted %s", show(u.Balance), show(u.TotalUsed), show(u.TotalGranted))
			}
			if !strings.HasPrefix(u.Converted, tc.converted) || tc.converted == "" && u.Converted != "" {
				t.Errorf("converted %q, want %q", u.Converted, tc.converted)
			}
			if u.Requests != 2 || u.SiteRequests != 1 {
				t.Errorf("requests %d site requests %d", u.Requests, u.SiteRequests)
			}
		})
	}
	t.Run("unlimited in TOKENS", func(t *testing.T) {
		s := fakerelay.New(fakerelay.NewAPI, &fakerelay.Key{Value: key, Unlimited: true, QuotaUsed: 500000})
		defer s.Close()
		s.Set(func(s *fakerelay.Server) { s.DisplayType = "TOKENS" })
		u, err := read(t, client(), credFor(s, key), "openai_billing")
		if err != nil || !u.Unlimited || !near(u.TotalUsed, 1) {
			t.Fatalf("usage %+v, %v", u, err)
		}
	})
	t.Run("CNY without a rate is refused, not labelled USD", func(t *testing.T) {
		s := fakerelay.New(fakerelay.NewAPI, &fakerelay.Key{Value: key, QuotaUsed: 500000, QuotaRemain: 1500000})
		defer s.Close()
		s.Set(func(s *fakerelay.Server) { s.DisplayType, s.USDExchangeRate = "CNY", 0 })
		u, err := read(t, client(), credFor(s, key), "openai_billing")
		if err == nil || !strings.Contains(err.Error(), "CNY") || u.Balance != nil {
			t.Fatalf("usage %+v, %v", u, err)
		}
	})
}

// The client spends New API's critical budget per site and stops calling
// once it is spent: balances of one run come before today's figures.
func TestCriticalBudget(t *testing.T) {
	s := fakerelay.New(fakerelay.NewAPI)
	defer s.Close()
	s.Set(func(s *fakerelay.Server) { s.CriticalLimit = 20 })
	cl := providers.NewClient(providers.ClientOptions{Timeout: 10 * time.Second, Sites: budgetOnly})
	reader, _ := providers.LookupUsage("newapi")
	ok, refused := 0, 0
	for i := range 25 {
		v := "sk-test-budget-" + string(rune('a'+i))
		s.AddKey(&fakerelay.Key{Value: v, QuotaRemain: 1000})
		_, err := reader.ReadUsage(context.Background(), cl, credFor(s, v))
		switch f, _ := providers.AsFailure(err); {
		case err == nil:
			ok++
		case f != nil && f.Class == providers.ClassRateLimited && f.Code == providers.CodeBudget:
			refused++
		default:
			t.Fatalf("key %d: %v", i, err)
		}
	}
	if ok != 20 || refused != 5 {
		t.Errorf("%d read, %d refused by the budget; want 20 and 5", ok, refused)
	}
	n := 0
	for _, p := range s.Paths() {
		if p == "GET /api/usage/token/" {
			n++
		}
	}
	if n != 20 {
		t.Errorf("the server saw %d critical calls, want 20 (never its 429)", n)
	}
}

// A 429 from the server (another process spent the budget) stops the
// client from calling again in the window.
func TestCritical429SpendsTheBudget(t *testing.T) {
	s := fakerelay.New(fakerelay.NewAPI, &fakerelay.Key{Value: key, QuotaRemain: 1000})
	defer s.Close()
	s.Set(func(s *fakerelay.Server) { s.CriticalLimit = 1 })
	cl := providers.NewClient(providers.ClientOptions{Timeout: 10 * time.Second, Sites: budgetOnly})
	reader, _ := providers.LookupUsage("newapi")
	if _, err := reader.ReadUsage(context.Background(), cl, credFor(s, key)); err != nil {
		t.Fatal(err)
	}
	_, err := reader.ReadUsage(context.Background(), cl, credFor(s, key))
	if f, _ := providers.AsFailure(err); f == nil || f.Class != providers.ClassRateLimited || f.Status != 429 {
		t.Fatalf("second read: %v, want the server's 429", err)
	}
	_, err = reader.ReadUsage(context.Background(), cl, credFor(s, key))
	if f, _ := providers.AsFailure(err); f == nil || f.Code != providers.CodeBudget {
		t.Fatalf("third read: %v, want hub's own refusal", err)
	}
}

// budgetOnly is the critical budget without the steady rate, which would
// make these tests wait.
var budgetOnly = providers.SiteLimits{Critical: 20, CriticalWindow: 20 * time.Minute}

func ptr[T any](v T) *T { return &v }
