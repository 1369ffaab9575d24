// Package reporttest builds credentials with a history for hub report's
// tests and benchmark: a state holding their records and a year (or any
// number of days) of daily series, written where hub reads them. The
// figures follow a plain story per credential (a balance spent down by a
// daily cost, gaps when refresh did not run, a key that failed for the
// last days), so a test can recompute what the page must show.
package reporttest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/hubctl/hub/credential"
	"github.com/hubctl/hub/engine/states"
	"github.com/hubctl/hub/engine/telemetry"
	"github.com/hubctl/hub/providers"
	"github.com/hubctl/hub/secret"
	"github.com/hubctl/hub/views/report"
)

// A Fixture is n credentials, their records in State and their series.
type Fixture struct {
	Creds []report.Credential
	State *states.State
	Now   time.Time
	Loc   *time.Location
}

var (
	types = []string{"openai-compatible", "anthropic", "openai", "google"}
	tags  = [][]string{{"work"}, {"personal"}, {"work", "team-a"}, nil, {"team-b"}}
)

// Key is credential i's key: fake, and easy to look for in a leak check.
func Key(i int) string { return fmt.Sprintf("sk-test-report-%06d-canary0123456789", i) }

// Build makes n credentials with days days of history ending today (now,
// in loc). Credential i: every 7th is failing since three days ago, every
// 11th has a warning, every 13th is unlimited, every 5th missed a refresh
// every 9th day, and the last one was never refreshed.
func Build(n, days int, now time.Time, loc *time.Location) (*Fixture, error) {
	f := &Fixture{State: states.New(), Now: now, Loc: loc}
	salt := f.State.SaltBytes()
	for i := range n {
		c := &credential.Credential{
			ID: fmt.Sprintf("cred-%04d", i), APIType: types[i%len(types)],
			BaseURL: fmt.Sprintf("https://relay%d.example.com", i%17),
			Key:     secret.New(Key(i)), Tags: tags[i%len(tags)],
		}
		rc := report.Credential{Credential: c}
		if i == n-1 && n > 1 {
			f.Creds = append(f.Creds, rc) // never refreshed
			continue
		}
		s := &telemetry.Series{APIType: c.APIType, BaseURL: c.BaseURL, KeyHash: telemetry.KeyHash(salt, c.Key)}
		var last telemetry.Point
		balance := 100 + float64(i%200) + 1.3*float64(days)
		for d := days - 1; d >= 0; d-- {
			at := time.Date(now.Year(), now.Month(), now.Day()-d, 9, 30, 0, 0, loc)
			if d > 0 && i%5 == 0 && d%9 == 0 {
				continue // refresh did not run that day
			}
			cost := float64((i*7+d*3)%50) / 20 // $0.00 to $2.45
			reqs := int64((i*13+d*5)%400 + 1)
			toks := reqs * 900
			balance -= cost
			p := telemetry.Point{At: at, Health: telemetry.Healthy, Cost: &cost, Requests: &reqs, Tokens: &toks}
			switch {
			case i%7 == 0 && d < 3:
				p.Health, p.Reason = telemetry.Error, "quota exhausted: the relay answered 401 (this token status is unavailable)"
			case i%11 == 0 && d < 10:
				p.Health, p.Reason = telemetry.Warning, "usage endpoint answered 429 too many requests"
			}
			if i%13 == 0 {
				p.Unlimited = true
			} else {
				b := balance
				p.Balance = &b
			}
			s.Add(p, now, loc, 366*24*time.Hour)
			last = p
		}
		rec := &telemetry.Record{APIType: c.APIType, BaseURL: c.BaseURL, KeyHash: s.KeyHash,
			Health: telemetry.Health{Status: last.Health, Reason: last.Reason}, LastRefresh: last.At, LastSuccess: last.At, UsageAt: last.At,
			Usage: &providers.Usage{Source: "newapi", Balance: last.Balance, Unlimited: last.Unlimited, TodayCost: last.Cost, TodayRequests: last.Requests, TodayTokens: last.Tokens}}
		if i%3 == 0 {
			rec.Usage.Converted = "quota units at 500000 per USD"
		}
		if err := telemetry.Store(f.State, c.ID, rec); err != nil {
			return nil, err
		}
		rc.Record, rc.Series = rec, s
		f.Creds = append(f.Creds, rc)
	}
	return f, nil
}

// HCL is the configuration of the fixture's credentials, keys inline.
func (f *Fixture) HCL() string {
	var b strings.Builder
	for _, rc := range f.Creds {
		c := rc.Credential
		var tl []string
		for _, t := range c.Tags {
			tl = append(tl, fmt.Sprintf("%q", t))
		}
		fmt.Fprintf(&b, "credential %q {\n  base_url = %q\n  api_key  = %q\n  api_type = %q\n  tags     = [%s]\n}\n\n",
			c.ID, c.BaseURL, c.Key.Reveal(), c.APIType, strings.Join(tl, ", "))
	}
	return b.String()
}

// WriteRepo writes the fixture as a hub repository in dir: hub.hcl, the
// state in .hub/state.json and the series in .hub/history.
func (f *Fixture) WriteRepo(ctx context.Context, dir string) error {
	if err := os.WriteFile(filepath.Join(dir, "hub.hcl"), []byte(f.HCL()), 0o600); err != nil {
		return err
	}
	if err := (&states.FileStore{Path: filepath.Join(dir, ".hub", "state.json")}).Save(ctx, f.State); err != nil {
		return err
	}
	hist := filepath.Join(dir, ".hub", "history")
	if err := os.MkdirAll(hist, 0o700); err != nil {
		return err
	}
	for _, rc := range f.Creds {
		if rc.Series != nil {
			if err := telemetry.StoreSeries(hist, rc.Credential.ID, rc.Series); err != nil {
				return err
			}
		}
	}
	return nil
}
