package telemetry

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
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

// BenchmarkHistory measures a year of daily series for 1,000 credentials:
// kept in the state document they would cost every plan their decoding
// (the state-with-series case, measured once at 491 ms against 57 ms);
// kept in the history file, a plan decodes the state alone (state), and
// only hub status (all 1,000 shown: history-all) and refresh read it.
func BenchmarkHistory(b *testing.B) {
	st, cfg := bigState(b, 1000)
	doc, err := states.Encode(st)
	if err != nil {
		b.Fatal(err)
	}
	loc := time.UTC
	end := time.Date(2026, 12, 7, 12, 0, 0, 0, loc)
	dir := filepath.Join(b.TempDir(), "history")
	for _, id := range IDs(st) {
		s := &Series{APIType: "openai-compatible", BaseURL: "https://relay.example.com", KeyHash: "h"}
		for d := 365; d >= 0; d-- {
			bal, cost, reqs, toks := 100-float64(d)/7, float64(d%13)/3, int64(d*7), int64(d*1234)
			at := end.AddDate(0, 0, -d)
			s.Add(Point{At: at, Balance: &bal, Cost: &cost, Requests: &reqs, Tokens: &toks, Health: Healthy}, at, loc, Retention)
		}
		if err := StoreSeries(dir, id, s); err != nil {
			b.Fatal(err)
		}
	}
	ids, _ := SeriesIDs(dir)
	fi, _ := os.Stat(filepath.Join(dir, ids[0]+".hist"))
	b.Run("state", func(b *testing.B) {
		for b.Loop() {
			st, err := states.Decode(doc)
			if err != nil {
				b.Fatal(err)
			}
			if err := FillModels(cfg, st); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(len(doc))/(1<<20), "MiB/state")
	})
	b.Run("history-all", func(b *testing.B) {
		for b.Loop() {
			for _, id := range ids {
				if _, err := LoadSeries(context.Background(), dir, id); err != nil {
					b.Fatal(err)
				}
			}
		}
		b.ReportMetric(float64(fi.Size())/1024, "KiB/series")
	})
}
