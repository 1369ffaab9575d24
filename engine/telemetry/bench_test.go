package telemetry

import (
	"fmt"
	"testing"
	"time"

	"github.com/hubctl/hub/engine/config"
	"github.com/hubctl/hub/engine/states"
	"github.com/hubctl/hub/providers"
	"github.com/hubctl/hub/secret"
)

// bigState is a state after HistoryLen refreshes of n credentials with a
// few models each: what every plan of a large configuration reads.
func bigState(b *testing.B, n int) (*states.State, *config.Config) {
	b.Helper()
	st := states.New()
	cfg := &config.Config{Credentials: map[string]*config.Credential{}}
	ten := 10.0
	for i := range n {
		c := &config.Credential{ID: fmt.Sprintf("c%d", i), APIType: "openai-compatible",
			BaseURL: "https://relay.example.com", Key: secret.New(fmt.Sprintf("sk-test-bench-%d", i))}
		cfg.Credentials[c.ID] = c
		var rec *Record
		for h := range HistoryLen {
			// Every refresh differs (today's cost and requests grow), so
			// each is a sample: the largest history.
			reqs, cost := int64(h), float64(h)/100
			r := Result{ID: c.ID, At: time.Date(2026, 11, 30, 0, h, 0, 0, time.UTC),
				Models: &providers.ModelList{Models: []providers.Model{{ID: "gpt-4o-mini"}, {ID: "claude-sonnet-4-5"}, {ID: "gemini-2.5-pro"}}},
				Usage:  &providers.Usage{Source: "sub2api", Balance: &ten, TodayCost: &cost, TodayRequests: &reqs}}
			rec = r.Record(rec, c, st.SaltBytes())
		}
		if err := Store(st, c.ID, rec); err != nil {
			b.Fatal(err)
		}
	}
	return st, cfg
}

// BenchmarkStateWithTelemetry measures what telemetry adds to every plan:
// decoding the state and filling in discovered models, for 1,000
// credentials with a full history.
func BenchmarkStateWithTelemetry(b *testing.B) {
	st, cfg := bigState(b, 1000)
	doc, err := states.Encode(st)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("decode", func(b *testing.B) {
		for b.Loop() {
			if _, err := states.Decode(doc); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(len(doc))/(1<<20), "MiB/state")
	})
	b.Run("fill-models", func(b *testing.B) {
		for b.Loop() {
			if err := FillModels(cfg, st); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkStateWithSeries measures what a year of daily series for 1,000
// credentials adds to decoding the state, which every plan does (issue 16:
// the goal is under 10 ms more than without).
func BenchmarkStateWithSeries(b *testing.B) {
	st, cfg := bigState(b, 1000)
	without, err := states.Encode(st)
	if err != nil {
		b.Fatal(err)
	}
	loc := time.UTC
	end := time.Date(2026, 12, 7, 12, 0, 0, 0, loc)
	for _, id := range IDs(st) {
		s := &Series{APIType: "openai-compatible", BaseURL: "https://relay.example.com", KeyHash: "h"}
		for d := 365; d >= 0; d-- {
			bal, cost, reqs, toks := 100-float64(d)/7, float64(d%13)/3, int64(d*7), int64(d*1234)
			at := end.AddDate(0, 0, -d)
			s.Add(Point{At: at, Balance: &bal, Cost: &cost, Requests: &reqs, Tokens: &toks, Health: Healthy}, at, loc, Retention)
		}
		if err := StoreSeries(st, id, s); err != nil {
			b.Fatal(err)
		}
	}
	with, err := states.Encode(st)
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name string
		doc  []byte
	}{{"without", without}, {"with-year", with}} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				st, err := states.Decode(c.doc)
				if err != nil {
					b.Fatal(err)
				}
				if err := FillModels(cfg, st); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(c.doc))/(1<<20), "MiB/state")
		})
	}
}
