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
