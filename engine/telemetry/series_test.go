package telemetry

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hubctl/hub/credential"
	"github.com/hubctl/hub/engine/states"
	"github.com/hubctl/hub/providers"
	"github.com/hubctl/hub/secret"
)

// days lists a series' points as "day@hh:mm", kept days then recent.
func days(s *Series, loc *time.Location) string {
	var b strings.Builder
	for i, ps := range [][]Point{s.Days, s.Recent} {
		if i == 1 {
			b.WriteString("|")
		}
		for _, p := range ps {
			b.WriteString(" " + p.Day + "@" + p.At.In(loc).Format("15:04"))
		}
	}
	return b.String()
}

func TestSeriesDownsamplesAndKeepsRetention(t *testing.T) {
	loc := time.FixedZone("UTC+8", 8*3600)
	var s Series
	at := func(d, h int) time.Time { return time.Date(2026, 12, d, h, 0, 0, 0, loc) }
	// Two refreshes a day on Dec 1-10, none on Dec 5 (a gap stays a gap).
	for d := 1; d <= 10; d++ {
		if d == 5 {
			continue
		}
		for _, h := range []int{9, 21} {
			s.Add(Point{At: at(d, h), Health: Healthy}, at(d, h), loc, 5*24*time.Hour)
		}
	}
	// Now Dec 10: recent days Dec 4-10 keep every refresh; before, one per
	// day (the last), and retention 5 days keeps Dec 6-10 only, so nothing
	// before the recent days survives.
	want := "| 2026-12-04@09:00 2026-12-04@21:00 2026-12-06@09:00 2026-12-06@21:00 2026-12-07@09:00 2026-12-07@21:00 2026-12-08@09:00 2026-12-08@21:00 2026-12-09@09:00 2026-12-09@21:00 2026-12-10@09:00 2026-12-10@21:00"
	if got := days(&s, loc); got != want {
		t.Errorf("series:\n got %s\nwant %s", got, want)
	}

	s = Series{}
	for d := 1; d <= 10; d++ {
		if d == 5 {
			continue
		}
		for _, h := range []int{9, 21} {
			s.Add(Point{At: at(d, h), Health: Healthy}, at(d, h), loc, Retention)
		}
	}
	want = " 2026-12-01@21:00 2026-12-02@21:00 2026-12-03@21:00| 2026-12-04@09:00 2026-12-04@21:00 2026-12-06@09:00 2026-12-06@21:00 2026-12-07@09:00 2026-12-07@21:00 2026-12-08@09:00 2026-12-08@21:00 2026-12-09@09:00 2026-12-09@21:00 2026-12-10@09:00 2026-12-10@21:00"
	if got := days(&s, loc); got != want {
		t.Errorf("series:\n got %s\nwant %s", got, want)
	}
	var daily []string
	for _, p := range s.Daily() {
		daily = append(daily, p.Day+"@"+p.At.In(loc).Format("15"))
	}
	if got, want := strings.Join(daily, " "), "2026-12-01@21 2026-12-02@21 2026-12-03@21 2026-12-04@21 2026-12-06@21 2026-12-07@21 2026-12-08@21 2026-12-09@21 2026-12-10@21"; got != want {
		t.Errorf("daily: got %s, want %s", got, want)
	}

	// A year later the old days are gone.
	s.Add(Point{At: at(10, 9).AddDate(1, 0, 0), Health: Healthy}, at(10, 9).AddDate(1, 0, 0), loc, Retention)
	if got, want := days(&s, loc), "| 2027-12-10@09:00"; got != want {
		t.Errorf("after a year: got %s, want %s", got, want)
	}
}

func TestSeriesDayIsLocal(t *testing.T) {
	loc := time.FixedZone("UTC-5", -5*3600)
	var s Series
	at := time.Date(2026, 12, 7, 2, 0, 0, 0, time.UTC) // Dec 6, 21:00 in loc
	s.Add(Point{At: at, Health: Healthy}, at, loc, Retention)
	if got := s.Recent[0].Day; got != "2026-12-06" {
		t.Errorf("day = %s, want the local 2026-12-06", got)
	}
	if s.Recent[0].At.Location() != time.UTC {
		t.Errorf("at kept in %v, want UTC", s.Recent[0].At.Location())
	}
}

func TestRecordHistory(t *testing.T) {
	st := states.New()
	dir := filepath.Join(t.TempDir(), "history")
	key := "sk-test-series-0123456789abcdef"
	c := &credential.Credential{ID: "relay", APIType: "openai-compatible", BaseURL: "https://relay.example.com", Key: secret.New(key)}
	bal, cost, reqs := 12.5, 0.25, int64(40)
	fold := func(c *credential.Credential, at time.Time, r Result) {
		t.Helper()
		r.ID, r.At = c.ID, at
		recs, err := Fold(st, []*credential.Credential{c}, []Result{r})
		if err != nil {
			t.Fatal(err)
		}
		if err := RecordHistory(context.Background(), dir, st.SaltBytes(), []*credential.Credential{c}, []Result{r}, recs); err != nil {
			t.Fatal(err)
		}
	}
	load := func(id string) *Series {
		t.Helper()
		s, err := LoadSeries(context.Background(), dir, id)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	ids := func() []string {
		got, _ := SeriesIDs(dir)
		return got
	}
	day := time.Date(2026, 12, 1, 12, 0, 0, 0, time.Local)
	fold(c, day, Result{Usage: &providers.Usage{Source: "newapi", Balance: &bal, TodayCost: &cost, TodayRequests: &reqs}})
	fold(c, day.AddDate(0, 0, 1), Result{ModelsErr: &providers.Failure{Class: providers.ClassInvalidKey, Status: 401, Message: "invalid key " + key}})
	s := load(c.ID)
	if s == nil {
		t.Fatal("no series")
	}
	if len(s.Recent) != 2 || *s.Recent[0].Balance != bal || *s.Recent[0].Cost != cost || *s.Recent[0].Requests != reqs || s.Recent[0].Health != Healthy {
		t.Fatalf("series: %+v", s.Recent)
	}
	if p := s.Recent[1]; p.Health != Error || p.Balance != nil || p.Reason == "" {
		t.Errorf("failed refresh: %+v", p)
	}
	path := filepath.Join(dir, "relay.json")
	raw, _ := os.ReadFile(path)
	if strings.Contains(string(raw), key) || strings.Contains(string(raw), key[:12]) {
		t.Errorf("the history holds the key: %s", raw)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("history file: %v %v", fi, err)
	}
	// The state holds the record only: a plan never decodes a series.
	for k := range st.Shared {
		if k != sectionPrefix+c.ID {
			t.Errorf("the state holds %s", k)
		}
	}

	// A rotated key starts a new series (Record.Matches' rule).
	rot := *c
	rot.Key = secret.New("sk-test-series-rotated-000000")
	fold(&rot, day.AddDate(0, 0, 2), Result{Usage: &providers.Usage{Source: "newapi", Balance: &bal}})
	if s = load(c.ID); len(s.Recent) != 1 || len(s.Days) != 0 {
		t.Errorf("rotated key kept the old series: %+v", s)
	}

	// A removed credential's series stays within retention, then goes.
	other := &credential.Credential{ID: "other", APIType: "openai-compatible", BaseURL: "https://o.example.com", Key: secret.New("sk-test-other-000000000")}
	fold(other, day.AddDate(0, 0, 3), Result{Usage: &providers.Usage{Source: "newapi", Balance: &bal}})
	if got := ids(); strings.Join(got, ",") != "other,relay" {
		t.Errorf("series ids within retention: %v", got)
	}
	// (Pruned by the file's time: relay's was last written a year ago.)
	old := day.AddDate(0, 0, 2)
	os.Chtimes(filepath.Join(dir, "relay.json"), old, old)
	fold(other, day.AddDate(1, 0, 3), Result{Usage: &providers.Usage{Source: "newapi", Balance: &bal}})
	if got := ids(); strings.Join(got, ",") != "other" {
		t.Errorf("series ids after retention: %v", got)
	}
}
