package telemetry

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
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
		if err := RecordHistory(context.Background(), HistoryOptions{Dir: dir}, st.SaltBytes(), []*credential.Credential{c}, []Result{r}, recs); err != nil {
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
	path := filepath.Join(dir, "relay.hist")
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
	os.Chtimes(filepath.Join(dir, "relay.hist"), old, old)
	fold(other, day.AddDate(1, 0, 3), Result{Usage: &providers.Usage{Source: "newapi", Balance: &bal}})
	if got := ids(); strings.Join(got, ",") != "other" {
		t.Errorf("series ids after retention: %v", got)
	}
}

// TestRecordHistoryRename: a credential without a series of its own takes
// over the orphan series of its key, and only that.
func TestRecordHistoryRename(t *testing.T) {
	loc := time.FixedZone("UTC-3", -3*3600)
	day := time.Date(2026, 11, 2, 10, 0, 0, 0, loc)
	bal := 5.0
	mk := func(id, key string) *credential.Credential {
		return &credential.Credential{ID: id, APIType: "openai-compatible", BaseURL: "https://relay.example.com", Key: secret.New(key)}
	}
	const keyA, keyB = "sk-test-rename-aaaaaaaaaaaa", "sk-test-rename-bbbbbbbbbbbb"
	type env struct {
		dir string
		st  *states.State
	}
	setup := func() *env { return &env{dir: filepath.Join(t.TempDir(), "history"), st: states.New()} }
	// refresh records one refresh of cs at at, the configuration being
	// configured (nil: Configured unset).
	refresh := func(e *env, at time.Time, configured []string, cs ...*credential.Credential) {
		t.Helper()
		var res []Result
		for _, c := range cs {
			res = append(res, Result{ID: c.ID, At: at, Usage: &providers.Usage{Source: "newapi", Balance: &bal}})
		}
		recs, err := Fold(e.st, cs, res)
		if err != nil {
			t.Fatal(err)
		}
		o := HistoryOptions{Dir: e.dir, Location: loc}
		if configured != nil {
			o.Configured = func(id string) bool { return slices.Contains(configured, id) }
		}
		if err := RecordHistory(context.Background(), o, e.st.SaltBytes(), cs, res, recs); err != nil {
			t.Fatal(err)
		}
	}
	// series lists each series in the directory with its number of points
	// and its first point's day.
	series := func(e *env) string {
		t.Helper()
		ids, err := SeriesIDs(e.dir)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, id := range ids {
			s, err := LoadSeries(context.Background(), e.dir, id)
			if err != nil {
				out = append(out, id+":unreadable")
				continue
			}
			d := s.Daily()
			out = append(out, fmt.Sprintf("%s:%d from %s", id, len(d), d[0].Day))
		}
		return strings.Join(out, " ")
	}

	t.Run("renamed", func(t *testing.T) {
		e := setup()
		refresh(e, day, []string{"relay"}, mk("relay", keyA))
		refresh(e, day.AddDate(0, 0, 1), []string{"relay-cn"}, mk("relay-cn", keyA))
		if got, want := series(e), "relay-cn:2 from 2026-11-02"; got != want {
			t.Errorf("got %s, want %s", got, want)
		}
	})
	t.Run("the newest of two orphans", func(t *testing.T) {
		e := setup()
		refresh(e, day, []string{"a"}, mk("a", keyA))
		refresh(e, day.AddDate(0, 0, 1), []string{"b"}, mk("b", keyB)) // b: another key...
		refresh(e, day.AddDate(0, 0, 2), []string{"b"}, mk("b", keyA)) // ...rotated to a's, restarted
		refresh(e, day.AddDate(0, 0, 3), []string{"c"}, mk("c", keyA))
		if got, want := series(e), "a:1 from 2026-11-02 c:2 from 2026-11-04"; got != want {
			t.Errorf("got %s, want %s", got, want)
		}
	})
	t.Run("another key", func(t *testing.T) {
		e := setup()
		refresh(e, day, []string{"relay"}, mk("relay", keyA))
		refresh(e, day.AddDate(0, 0, 1), []string{"relay-cn"}, mk("relay-cn", keyB))
		if got, want := series(e), "relay:1 from 2026-11-02 relay-cn:1 from 2026-11-03"; got != want {
			t.Errorf("got %s, want %s", got, want)
		}
	})
	t.Run("still configured", func(t *testing.T) {
		// hub refresh relay-cn while relay (the same key) is configured too:
		// relay's series is its own, not an orphan.
		e := setup()
		refresh(e, day, []string{"relay"}, mk("relay", keyA))
		refresh(e, day.AddDate(0, 0, 1), []string{"relay", "relay-cn"}, mk("relay-cn", keyA))
		if got, want := series(e), "relay:1 from 2026-11-02 relay-cn:1 from 2026-11-03"; got != want {
			t.Errorf("got %s, want %s", got, want)
		}
	})
	t.Run("own series of another key", func(t *testing.T) {
		// A credential with a series of its own (of its old key) starts
		// again; the orphan of its new key is not taken.
		e := setup()
		refresh(e, day, []string{"old", "relay"}, mk("old", keyB), mk("relay", keyA))
		refresh(e, day.AddDate(0, 0, 1), []string{"relay"}, mk("relay", keyB))
		if got, want := series(e), "old:1 from 2026-11-02 relay:1 from 2026-11-03"; got != want {
			t.Errorf("got %s, want %s", got, want)
		}
	})
	t.Run("no configuration known", func(t *testing.T) {
		e := setup()
		refresh(e, day, nil, mk("relay", keyA))
		refresh(e, day.AddDate(0, 0, 1), nil, mk("relay-cn", keyA))
		if got, want := series(e), "relay:1 from 2026-11-02 relay-cn:1 from 2026-11-03"; got != want {
			t.Errorf("got %s, want %s", got, want)
		}
	})
	t.Run("unreadable orphan", func(t *testing.T) {
		e := setup()
		refresh(e, day, []string{"relay"}, mk("relay", keyA))
		if err := os.WriteFile(filepath.Join(e.dir, "broken.json"), []byte("{"), 0o600); err != nil {
			t.Fatal(err)
		}
		refresh(e, day.AddDate(0, 0, 1), []string{"relay-cn"}, mk("relay-cn", keyA))
		if got, want := series(e), "broken:unreadable relay-cn:2 from 2026-11-02"; got != want {
			t.Errorf("got %s, want %s", got, want)
		}
	})
}

// TestRecordHistoryRetention: the retention set (or the default year)
// decides when an orphan series is pruned, by its last point's local day.
func TestRecordHistoryRetention(t *testing.T) {
	loc := time.FixedZone("UTC+9", 9*3600)
	last := time.Date(2026, 3, 1, 23, 30, 0, 0, loc) // 14:30 UTC: the local day is Mar 1
	bal := 1.0
	for _, tc := range []struct {
		name      string
		retention time.Duration
		after     time.Time
		kept      bool
	}{
		{"30d, last day still kept", 30 * 24 * time.Hour, time.Date(2026, 3, 30, 8, 0, 0, 0, loc), true},
		{"30d, a day later", 30 * 24 * time.Hour, time.Date(2026, 3, 31, 0, 30, 0, 0, loc), false},
		{"default, within the year", 0, time.Date(2027, 2, 27, 12, 0, 0, 0, loc), true},
		{"default, a year on", 0, time.Date(2027, 3, 1, 12, 0, 0, 0, loc), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir, st := t.TempDir(), states.New()
			o := HistoryOptions{Dir: dir, Retention: tc.retention, Location: loc}
			for i, c := range []*credential.Credential{
				{ID: "gone", APIType: "openai", BaseURL: "https://api.openai.com/v1", Key: secret.New("sk-test-retention-gone-0000")},
				{ID: "kept", APIType: "openai", BaseURL: "https://api.openai.com/v1", Key: secret.New("sk-test-retention-kept-0000")},
			} {
				at := []time.Time{last, tc.after}[i]
				res := []Result{{ID: c.ID, At: at, Usage: &providers.Usage{Source: "newapi", Balance: &bal}}}
				recs, err := Fold(st, []*credential.Credential{c}, res)
				if err != nil {
					t.Fatal(err)
				}
				if err := RecordHistory(context.Background(), o, st.SaltBytes(), []*credential.Credential{c}, res, recs); err != nil {
					t.Fatal(err)
				}
			}
			ids, _ := SeriesIDs(dir)
			if got := slices.Contains(ids, "gone"); got != tc.kept {
				t.Errorf("series of the removed credential kept = %v, want %v (series: %v)", got, tc.kept, ids)
			}
		})
	}
}
