package telemetry

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hubctl/hub/providers"
)

func f64(v float64) *float64 { return &v }
func i64(v int64) *int64     { return &v }

// A series written and read back is the same: a zero amount stays a
// figure (not none), a reason keeps quotes, newlines and escapes as text,
// and times keep their nanoseconds (a redone save matches its point by
// time).
func TestSeriesFileRoundTrip(t *testing.T) {
	at := time.Date(2026, 12, 7, 9, 30, 15, 123456789, time.UTC)
	s := &Series{APIType: "openai-compatible", BaseURL: "https://relay.example.com/v1", KeyHash: "3f9a0c",
		Days: []Point{
			{Day: "2026-11-30", At: at.AddDate(0, 0, -7), Balance: f64(12.5), Cost: f64(0), Requests: i64(0), Tokens: i64(36000), Prompt: i64(30000), Completion: i64(6000), Health: Healthy},
			{Day: "2026-12-01", At: at.AddDate(0, 0, -6), Health: Unknown},
		},
		Recent: []Point{
			{Day: "2026-12-07", At: at, Unlimited: true, Cost: f64(1e-9), Health: Error, Reason: "quota \"exhausted\"\nwhy= h=x \x1b[31m é"},
			{Day: "2026-12-07", At: at.Add(time.Hour), Balance: f64(-3.25), Health: Warning, Reason: " why= leading"},
		}}
	b, err := s.encodeFile()
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Count(b, []byte("\n")) != 8 {
		t.Errorf("one line per point expected:\n%s", b)
	}
	var got Series
	if err := got.decodeFile(b); err != nil {
		t.Fatalf("%v\n%s", err, b)
	}
	if !reflect.DeepEqual(&got, s) {
		t.Errorf("round trip:\n got %+v\nwant %+v\n%s", got, *s, b)
	}
	if got.Days[0].Cost == nil || *got.Days[0].Cost != 0 || got.Days[1].Balance != nil {
		t.Error("zero and none confused")
	}
}

func TestSeriesFileErrors(t *testing.T) {
	head := seriesMagic + "\ntype openai\nurl https://x.example.com\nkey ab\n"
	for name, c := range map[string]struct{ in, want string }{
		"other file":   {"{\"days\":[]}", "not a hub history file"},
		"truncated":    {seriesMagic + "\ntype openai\n", "truncated"},
		"header order": {seriesMagic + "\nurl x\ntype y\nkey z\n", "want type"},
		"kind":         {head + "X 2026-12-01 1 h=healthy\n", "want a D or R point"},
		"day":          {head + "D 2026-13-01 1 h=healthy\n", "want a day"},
		"time":         {head + "D 2026-12-01 soon h=healthy\n", "time"},
		"number":       {head + "D 2026-12-01 1 b=lots h=healthy\n", "b:"},
		"field":        {head + "D 2026-12-01 1 z=1 h=healthy\n", "unknown field"},
		"no health":    {head + "D 2026-12-01 1 b=1\n", "no health"},
		"reason":       {head + "D 2026-12-01 1 h=error why=\"open\n", "reason"},
		"day after":    {head + "R 2026-12-01 1 h=healthy\nD 2026-12-02 2 h=healthy\n", "kept day after"},
	} {
		var s Series
		if err := s.decodeFile([]byte(c.in)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want %q", name, err, c.want)
		}
	}
	if _, err := (&Series{APIType: "openai", BaseURL: "https://x y", KeyHash: "a"}).encodeFile(); err == nil {
		t.Error("a header with a space was written")
	}
}

// A series of the first, JSON form is read, and the next write replaces
// it with the line form (one file per credential, never both).
func TestSeriesFileLegacyJSON(t *testing.T) {
	dir := t.TempDir()
	old := Series{APIType: "openai", BaseURL: "https://x.example.com", KeyHash: "ab",
		Recent: []Point{{Day: "2026-12-07", At: time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC), Balance: f64(3), Health: Healthy}}}
	b, _ := json.Marshal(old)
	if err := os.WriteFile(filepath.Join(dir, "relay.json"), b, 0o600); err != nil {
		t.Fatal(err)
	}
	if ids, _ := SeriesIDs(dir); len(ids) != 1 || ids[0] != "relay" {
		t.Fatalf("ids %v", ids)
	}
	s, err := LoadSeries(context.Background(), dir, "relay")
	if err != nil || s == nil || *s.Recent[0].Balance != 3 {
		t.Fatalf("legacy series: %+v %v", s, err)
	}
	if err := StoreSeries(dir, "relay", s); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "relay.json")); !os.IsNotExist(err) {
		t.Errorf("the JSON form is still there: %v", err)
	}
	if ids, _ := SeriesIDs(dir); len(ids) != 1 {
		t.Errorf("ids %v", ids)
	}
	if s2, _ := LoadSeries(context.Background(), dir, "relay"); !reflect.DeepEqual(s, s2) {
		t.Errorf("rewritten: %+v, want %+v", s2, s)
	}
}

// FuzzSeriesText: any input is read or refused without panicking, and what
// is read writes back to a form that reads the same.
func FuzzSeriesText(f *testing.F) {
	f.Add([]byte(seriesMagic + "\ntype openai\nurl https://x\nkey ab\nD 2026-12-01 1 b=1.5 c=0 r=2 k=3 u h=error why=\"a\\nb\"\n"))
	f.Add([]byte(seriesMagic + "\ntype a\nurl b\nkey c\nR 2026-12-01 -5 h=x\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		var s Series
		if s.decodeFile(data) != nil {
			return
		}
		b, err := s.encodeFile()
		if err != nil {
			return // read but not writable (a header the writer refuses)
		}
		var again Series
		if err := again.decodeFile(b); err != nil {
			t.Fatalf("rewritten form unreadable: %v\n%q", err, b)
		}
		if !reflect.DeepEqual(&again, &s) {
			t.Fatalf("round trip differs:\n%+v\n%+v", again, s)
		}
	})
}

// WithSamples: the refreshes another host recorded in the shared state
// (the record's samples) join a series after its last point, a run of
// identical refreshes as its first and last; a record of another key adds
// nothing, and the series given is left as it was.
func TestSeriesWithSamples(t *testing.T) {
	loc := time.UTC
	day := func(d, h int) time.Time { return time.Date(2026, 12, d, h, 0, 0, 0, loc) }
	now := day(7, 20)
	rec := &Record{APIType: "openai", BaseURL: "https://x.example.com", KeyHash: "ab", History: []Sample{
		{At: day(1, 9), Health: Healthy, Balance: f64(10)},
		{At: day(3, 9), Until: day(5, 9), Health: Healthy, Balance: f64(8)},
		{At: day(6, 9), Health: Error, Class: "quota_exhausted", Balance: f64(0)},
	}}
	mine := &Series{APIType: "openai", BaseURL: "https://x.example.com", KeyHash: "ab"}
	mine.Add(Point{At: day(2, 9), Health: Healthy, Balance: f64(9)}, day(2, 9), loc, Retention)

	got := mine.WithSamples(rec, time.Time{}, now, loc, 0)
	var days []string
	for _, p := range got.Daily() {
		days = append(days, fmt.Sprintf("%s:%v:%s", p.Day, *p.Balance, p.Health))
	}
	if want := "2026-12-02:9:healthy 2026-12-03:8:healthy 2026-12-05:8:healthy 2026-12-06:0:error"; strings.Join(days, " ") != want {
		t.Errorf("merged: %s\nwant    %s", strings.Join(days, " "), want)
	}
	if len(mine.Daily()) != 1 {
		t.Error("the series given was changed")
	}
	if p := got.On([]string{"2026-12-06"})[0]; p == nil || p.Reason != "quota_exhausted" {
		t.Errorf("the failure's class: %+v", p)
	}
	// before leaves out the refresh being recorded (and what follows it).
	if got := mine.WithSamples(rec, day(5, 9), now, loc, 0); len(got.Daily()) != 2 {
		t.Errorf("before: %d days", len(got.Daily()))
	}
	// A machine without a series of its own sees the samples alone.
	if got := (*Series)(nil).WithSamples(rec, time.Time{}, now, loc, 0); got == nil || len(got.Daily()) != 4 {
		t.Errorf("nil series: %+v", got)
	}
	other := *rec
	other.KeyHash = "cd"
	if got := mine.WithSamples(&other, time.Time{}, now, loc, 0); got != mine {
		t.Error("another key's samples were merged")
	}
}

// Fill: the upstream's whole days take over a day's cost, requests and
// tokens (its balance and health stay), a day without a point gets one of
// unknown health, and the days stay in order, kept and recent alike.
func TestSeriesFill(t *testing.T) {
	loc := time.UTC
	day := func(d, h int) time.Time { return time.Date(2026, 12, d, h, 0, 0, 0, loc) }
	now := day(20, 12)
	s := &Series{APIType: "openai", BaseURL: "https://x.example.com", KeyHash: "ab"}
	for _, d := range []int{1, 3, 16, 18} { // 1 and 3 kept days, 16 and 18 recent (from the 14th)
		s.Add(Point{At: day(d, 9), Health: Healthy, Balance: f64(float64(d)), Cost: f64(0.1), Requests: i64(1)}, now, loc, Retention)
	}
	s.Fill([]providers.DayFigures{
		{Day: "2026-12-02", Cost: 2, Requests: 20, Tokens: 200, PromptTokens: 150, CompletionTokens: 50},
		{Day: "2026-12-03", Cost: 3, Requests: 30},
		{Day: "2026-12-17", Cost: 17, Requests: 170},
		{Day: "2026-12-18", Cost: 18, Requests: 180},
	}, now, loc, Retention)
	var got []string
	for _, p := range s.Daily() {
		b := "-"
		if p.Balance != nil {
			b = fmt.Sprint(*p.Balance)
		}
		got = append(got, fmt.Sprintf("%s:%s:%v:%d:%s", p.Day, b, *p.Cost, *p.Requests, p.Health))
	}
	want := "2026-12-01:1:0.1:1:healthy 2026-12-02:-:2:20:unknown 2026-12-03:3:3:30:healthy " +
		"2026-12-16:16:0.1:1:healthy 2026-12-17:-:17:170:unknown 2026-12-18:18:18:180:healthy"
	if strings.Join(got, " ") != want {
		t.Errorf("filled:\n got %s\nwant %s", strings.Join(got, " "), want)
	}
	if p := s.On([]string{"2026-12-02"})[0]; p == nil || *p.Prompt != 150 || *p.Completion != 50 {
		t.Errorf("prompt and completion: %+v", p)
	}
	b, err := s.encodeFile()
	if err != nil {
		t.Fatal(err)
	}
	var back Series
	if err := back.decodeFile(b); err != nil || !reflect.DeepEqual(&back, s) {
		t.Errorf("round trip: %v\n%s", err, b)
	}
}
