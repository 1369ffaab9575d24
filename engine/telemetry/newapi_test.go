package telemetry

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hubctl/hub/credential"
	"github.com/hubctl/hub/engine/states"
	"github.com/hubctl/hub/providers"
	"github.com/hubctl/hub/providers/fakerelay"
	_ "github.com/hubctl/hub/providers/openai"
	_ "github.com/hubctl/hub/providers/usage"
	"github.com/hubctl/hub/secret"
)

// TestRefreshManyKeysOfOneNewAPISite refreshes 15 keys of one current New
// API site through the real providers: every balance is read before any
// log (the site allows 20 critical calls), so 5 keys get today's figures
// and 10 are refused by hub's own budget, never by the server's 429; the
// exhausted key, refused with 401 "Invalid token", is named with its 0
// balance; the next refresh, with the budget spent, keeps the day's
// figures with their age.
func TestRefreshManyKeysOfOneNewAPISite(t *testing.T) {
	s := fakerelay.New(fakerelay.NewAPI)
	defer s.Close()
	s.Set(func(s *fakerelay.Server) { s.InvalidTokenOnly, s.CriticalLimit = true, 20 })
	var creds []*credential.Credential
	for i := range 15 {
		k := &fakerelay.Key{Value: fmt.Sprintf("sk-test-site-%02d", i), Models: []string{"gpt-4o-mini"}, QuotaRemain: 500000, QuotaUsed: 500000,
			Logs: []fakerelay.Log{{Ago: time.Second, Type: 2, Quota: 5000, PromptTokens: 10, Completion: 5}}}
		if i == 3 {
			k.Fault, k.QuotaRemain = fakerelay.FaultExhausted, 0
		}
		s.AddKey(k)
		creds = append(creds, &credential.Credential{ID: fmt.Sprintf("k%02d", i), APIType: credential.OpenAICompatible, BaseURL: s.URL, Key: secret.New(k.Value)})
	}
	cl := providers.NewClient(providers.ClientOptions{Timeout: 10 * time.Second, Sites: providers.DefaultSiteLimits})
	start := time.Now()
	res := Refresh(context.Background(), creds, Options{Client: cl, Parallelism: 16})
	took := time.Since(start)
	var paths []string
	for _, p := range s.Paths() {
		if p == "GET /api/usage/token/" || p == "GET /api/log/token" {
			paths = append(paths, p)
		}
	}
	if len(paths) != 20 || strings.Join(paths[:15], ",") != strings.Repeat("GET /api/usage/token/,", 14)+"GET /api/usage/token/" {
		t.Fatalf("critical calls in order: %v", paths)
	}
	today, budget := 0, 0
	requests := 0
	for i, r := range res {
		requests += r.Requests
		if r.Usage == nil || r.Usage.Balance == nil {
			t.Fatalf("%s: no balance: %+v", r.ID, r)
		}
		if i == 3 {
			f, _ := providers.AsFailure(r.ModelsErr)
			if f == nil || f.Class != providers.ClassQuota || *r.Usage.Balance != 0 || r.Health().Status != Error {
				t.Errorf("exhausted key: %v, balance %v", r.ModelsErr, *r.Usage.Balance)
			}
		}
		switch f, _ := providers.AsFailure(r.TodayErr); {
		case r.TodayErr == nil && r.Usage.TodayRequests != nil && r.Usage.Day == time.Now().Format(time.DateOnly):
			today++
		case f != nil && f.Code == providers.CodeBudget:
			budget++
		default:
			t.Errorf("%s: today %v %+v", r.ID, r.TodayErr, r.Usage)
		}
	}
	if today != 5 || budget != 10 {
		t.Errorf("%d keys with today's figures, %d refused by the budget; want 5 and 10", today, budget)
	}
	t.Logf("15 keys of one site: %d requests (%d critical) in %s", requests, len(paths), took.Round(time.Millisecond))

	// Fold, then refresh again: the budget is spent, balances come from
	// the billing pair (auto), and today's figures are kept with their age.
	st := states.New()
	if _, err := Fold(st, creds, res); err != nil {
		t.Fatal(err)
	}
	// Which keys got the log calls depends on scheduling: take one that did.
	pick := -1
	for i, r := range res {
		if r.TodayErr == nil && r.Usage.TodayRequests != nil {
			pick = i
			break
		}
	}
	id := creds[pick].ID
	first, _ := Load(st, id)
	res2 := Refresh(context.Background(), creds[pick:pick+1], Options{Client: cl, Now: func() time.Time { return time.Now().Add(time.Second) }})
	recs, err := Fold(st, creds[pick:pick+1], res2)
	if err != nil {
		t.Fatal(err)
	}
	u := recs[id].Usage
	if res2[0].Usage == nil || res2[0].Usage.Source != "openai_billing" || u.TodayAt == nil || !u.TodayAt.Equal(first.UsageAt) ||
		u.TodayRequests == nil || *u.TodayRequests != 1 {
		t.Errorf("second refresh: result %+v, record usage %+v", res2[0].Usage, u)
	}
}

func TestKeepTodayOnlyOfTheSameDay(t *testing.T) {
	now := time.Date(2026, 12, 7, 10, 0, 0, 0, time.Local)
	one := int64(1)
	prev := &providers.Usage{Source: "newapi", Day: "2026-12-07", TodayRequests: &one}
	prevAt := now.Add(-time.Hour)
	fresh := &providers.Usage{Source: "newapi"}
	err := &providers.Failure{Class: providers.ClassRateLimited}
	if got := keepToday(fresh, err, prev, prevAt, now); got.TodayAt == nil || !got.TodayAt.Equal(prevAt) || got.Day != "2026-12-07" {
		t.Errorf("same day: %+v", got)
	}
	if got := keepToday(fresh, err, prev, prevAt, now.AddDate(0, 0, 1)); got.TodayRequests != nil {
		t.Errorf("yesterday's figures kept: %+v", got)
	}
	if got := keepToday(fresh, nil, prev, prevAt, now); got.TodayRequests != nil {
		t.Errorf("kept without a failure: %+v", got)
	}
}
