package telemetry

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"math"
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

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// golden compares got with testdata/name (go test -update rewrites it).
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (run go test -update to accept, then read the diff):\n%s", path, lineDiff(string(want), string(got)))
	}
}

// lineDiff shows the first lines where want and got part.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < max(len(w), len(g)); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			return fmt.Sprintf("line %d:\n want %q\n  got %q", i+1, wl, gl)
		}
	}
	return ""
}

// A seriesSim drives RecordHistory as hub refresh does, day by day through
// its own clock in a fixed zone (not time.Local), and writes what the
// history directory holds at chosen moments.
type seriesSim struct {
	t   *testing.T
	dir string
	loc *time.Location
	st  *states.State
	// retention is the hub block's setting.
	retention time.Duration
	// configured is the configuration's credentials by id.
	configured map[string]*credential.Credential
	// keys names each key's hash, so the golden says which key a series
	// follows (the hash is salted afresh in each run).
	keys map[string]string
	out  strings.Builder
}

func (s *seriesSim) configure(c *credential.Credential, keyName string) {
	s.configured[c.ID] = c
	s.keys[KeyHash(s.st.SaltBytes(), c.Key)] = keyName
}

func (s *seriesSim) event(at time.Time, format string, args ...any) {
	fmt.Fprintf(&s.out, "-- %s %s\n", at.In(s.loc).Format("2006-01-02 15:04"), fmt.Sprintf(format, args...))
}

// refresh refreshes every configured credential at at: balance gives each
// one's figures, or a failure when it returns a negative balance.
func (s *seriesSim) refresh(at time.Time, balance func(id string) float64) {
	s.t.Helper()
	ids := slices.Sorted(func(yield func(string) bool) {
		for id := range s.configured {
			if !yield(id) {
				return
			}
		}
	})
	var creds []*credential.Credential
	var res []Result
	for _, id := range ids {
		r := Result{ID: id, At: at, Models: &providers.ModelList{Models: []providers.Model{{ID: "gpt-4o"}}}}
		if b := balance(id); b >= 0 {
			reqs := int64(at.In(s.loc).Hour())
			r.Usage = &providers.Usage{Source: "newapi", Balance: &b, TodayRequests: &reqs}
		} else {
			r.Models, r.ModelsErr = nil, &providers.Failure{Class: providers.ClassInvalidKey, Status: 401, Message: "invalid token"}
		}
		creds, res = append(creds, s.configured[id]), append(res, r)
	}
	recs, err := Fold(s.st, creds, res)
	if err != nil {
		s.t.Fatal(err)
	}
	o := HistoryOptions{Dir: s.dir, Retention: s.retention, Location: s.loc,
		Configured: func(id string) bool { return s.configured[id] != nil }}
	if err := RecordHistory(context.Background(), o, s.st.SaltBytes(), creds, res, recs); err != nil {
		s.t.Fatal(err)
	}
}

// snapshot writes every series in the directory: what it follows, its kept
// days and recent refreshes, and the balances of the last window days as
// hub status reads them (· for a day without one).
func (s *seriesSim) snapshot(now time.Time, window int) {
	s.t.Helper()
	fmt.Fprintf(&s.out, "== %s\n", now.In(s.loc).Format("2006-01-02 15:04"))
	ids, err := SeriesIDs(s.dir)
	if err != nil {
		s.t.Fatal(err)
	}
	for _, id := range ids {
		se, err := LoadSeries(context.Background(), s.dir, id)
		if err != nil {
			s.t.Fatal(err)
		}
		state := "configured"
		if s.configured[id] == nil {
			state = "not configured"
		}
		fmt.Fprintf(&s.out, "%s (%s): %s %s key %s\n", id, state, se.APIType, se.BaseURL, s.keys[se.KeyHash])
		for _, part := range []struct {
			name string
			ps   []Point
		}{{"days", se.Days}, {"recent", se.Recent}} {
			fmt.Fprintf(&s.out, "  %-7s", part.name)
			if len(part.ps) == 0 {
				s.out.WriteString(" (none)")
			}
			for i, p := range part.ps {
				if i > 0 && i%6 == 0 {
					s.out.WriteString("\n         ")
				}
				fmt.Fprintf(&s.out, " %s", s.point(p))
			}
			s.out.WriteString("\n")
		}
		fmt.Fprintf(&s.out, "  %-7s", fmt.Sprintf("%dd", window))
		win := se.Window(now, s.loc, window)
		for i, b := range se.Balances(LastDays(now, s.loc, window)) {
			switch {
			case win[i] == nil:
				s.out.WriteString(" ·")
			case math.IsNaN(b):
				s.out.WriteString(" " + win[i].Health)
			default:
				fmt.Fprintf(&s.out, " %g", b)
			}
		}
		s.out.WriteString("\n")
	}
}

// point is "MM-DD@HH:MM balance", or the health and reason when not healthy.
func (s *seriesSim) point(p Point) string {
	at := p.At.In(s.loc)
	if at.Format(time.DateOnly) != p.Day {
		s.t.Errorf("point at %s counts for day %s", at, p.Day)
	}
	v := "-"
	if p.Balance != nil {
		v = fmt.Sprintf("%g", *p.Balance)
	}
	if p.Health != Healthy {
		v = fmt.Sprintf("%s(%s)", p.Health, p.Reason)
	}
	return at.Format("01-02@15:04") + "=" + v
}

// TestSeriesGolden runs six weeks of refreshes, twice a day in UTC+8 with
// a retention of 14 days, and pins the history directory at moments that
// show each rule: downsampling past the recent days (a day's last refresh
// kept), gaps where refresh did not run (no point; · in the window), failed
// refreshes (a point without a balance), days older than the retention
// dropped, a rotated key, a changed base URL and API type, a removed
// credential kept then pruned, and a renamed one whose series follows it.
func TestSeriesGolden(t *testing.T) {
	loc := time.FixedZone("UTC+8", 8*3600)
	s := &seriesSim{t: t, dir: filepath.Join(t.TempDir(), "history"), loc: loc, st: states.New(),
		retention: 14 * 24 * time.Hour, configured: map[string]*credential.Credential{}, keys: map[string]string{}}
	cred := func(id, typ, url, key string) *credential.Credential {
		return &credential.Credential{ID: id, APIType: typ, BaseURL: url, Key: secret.New(key)}
	}
	s.configure(cred("relay", "openai-compatible", "https://relay.example.com", "sk-test-sim-relay-0000000000"), "A")
	s.configure(cred("official", "openai", "https://api.openai.com/v1", "sk-test-sim-official-00000000"), "B")
	s.configure(cred("spare", "openai-compatible", "https://spare.example.com", "sk-test-sim-spare-0000000000"), "C")

	start := time.Date(2026, 11, 1, 0, 0, 0, 0, loc)
	for d := 0; d < 42; d++ {
		day := start.AddDate(0, 0, d)
		switch d {
		case 10:
			c := *s.configured["official"]
			c.Key = secret.New("sk-test-sim-official-rotated0")
			s.configure(&c, "B2")
			s.event(day, "official's key rotated (B → B2): its series starts again")
		case 12:
			delete(s.configured, "spare")
			s.event(day, "spare removed from the configuration: its series is kept, then pruned 14 days after its last point")
		case 16:
			c := *s.configured["relay"]
			c.ID = "relay-cn"
			delete(s.configured, "relay")
			s.configure(&c, "A")
			s.configure(cred("extra", "openai-compatible", "https://spare.example.com", "sk-test-sim-extra-0000000000"), "D")
			s.event(day, "relay renamed relay-cn (same type, base URL and key A): its series follows; extra added (spare's base URL, another key: spare's series is not its)")
		case 20:
			c := *s.configured["official"]
			c.BaseURL = "https://gateway.example.com/v1"
			s.configure(&c, "B2")
			s.event(day, "official's base URL changed: its series starts again")
		case 24:
			c := *s.configured["official"]
			c.APIType = "openai-compatible"
			s.configure(&c, "B2")
			s.event(day, "official's API type changed: its series starts again")
		}
		var hours []int
		switch {
		case d == 3 || d == 4 || d == 30:
			s.event(day, "no refresh this day")
		case d == 6 || d == 31:
			hours = []int{9}
		default:
			hours = []int{9, 21}
		}
		for _, h := range hours {
			at := day.Add(time.Duration(h) * time.Hour)
			s.refresh(at, func(id string) float64 {
				switch id {
				case "relay", "relay-cn":
					if d == 8 && h == 9 || d == 31 {
						return -1 // the key failed: a point without a balance
					}
					return float64(200 - 3*d - h/21)
				case "official":
					return float64(50 + d)
				default:
					return 10
				}
			})
		}
		if slices.Contains([]int{2, 9, 11, 16, 24, 25, 33, 41}, d) {
			s.snapshot(day.Add(22*time.Hour), 10)
		}
	}
	got := s.out.String()
	for _, key := range []string{"sk-test-sim", "relay-0000", "official-0000"} {
		if strings.Contains(got, key) {
			t.Errorf("the golden shows a key (%s)", key)
		}
	}
	golden(t, "series.golden", []byte(got))
}
