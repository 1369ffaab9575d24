package telemetry

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hubctl/hub/credential"
	"github.com/hubctl/hub/engine/states"
)

// seriesPrefix names a credential's series in State.Shared: apart from its
// record, so FillModels (every plan) never reads it, and one entry per
// credential so two hosts refreshing different credentials still merge.
const seriesPrefix = "history/"

// Retention is how long a series keeps its daily points.
// TODO(issue 16): a hub { history { retention = "365d" } } setting.
const Retention = 365 * 24 * time.Hour

// RecentDays is how many local days (today included) keep every refresh;
// older days keep one point each, the last refresh of the day.
const RecentDays = 7

// A Series is a credential's telemetry over time, for charts: one point per
// local day beyond the recent days, every refresh within them. Points are
// only ever what a refresh found: a day without a refresh has no point.
//
// Like a Record it follows the credential as configured: a series of
// another API type, base URL or key (Matches) is dropped and a new one
// starts, since a rotated key's balance is another account's. A series of
// a credential no longer configured is kept, and dropped once its last
// point is older than the retention.
type Series struct {
	APIType string `json:"api_type"`
	BaseURL string `json:"base_url"`
	KeyHash string `json:"key_hash"`
	// Days holds one point per local day before the recent days, oldest first.
	Days []Point `json:"days,omitempty"`
	// Recent holds every refresh of the recent days, oldest first.
	Recent []Point `json:"recent,omitempty"`
}

// A Point is what one refresh found. Short names: a year of them for a
// thousand credentials is hundreds of thousands of points.
type Point struct {
	// Day is the local day of At (YYYY-MM-DD), the day the point counts for.
	Day string    `json:"d"`
	At  time.Time `json:"t"`
	// Figures are nil when the refresh did not read them.
	Balance   *float64 `json:"b,omitempty"`
	Unlimited bool     `json:"u,omitempty"`
	Cost      *float64 `json:"c,omitempty"`
	Requests  *int64   `json:"r,omitempty"`
	Tokens    *int64   `json:"k,omitempty"`
	Health    string   `json:"h"`
	Reason    string   `json:"why,omitempty"`
}

// Matches reports whether the series was measured for c as configured now
// (Record.Matches' rule).
func (s *Series) Matches(c *credential.Credential, salt []byte) bool {
	return s != nil && s.APIType == c.APIType && s.BaseURL == c.BaseURL && s.KeyHash == KeyHash(salt, c.Key)
}

// Add appends p, then moves refreshes older than the recent days into
// one point per day (the day's last) and drops days older than retention,
// counted in days back from now's local day in loc.
func (s *Series) Add(p Point, now time.Time, loc *time.Location, retention time.Duration) {
	p.At = p.At.UTC()
	p.Day = p.At.In(loc).Format(time.DateOnly)
	s.Recent = append(s.Recent, p)
	s.compact(now, loc, retention)
}

// compact keeps the series' shape (see Add).
func (s *Series) compact(now time.Time, loc *time.Location, retention time.Duration) {
	today := now.In(loc)
	recentFrom := dayBack(today, RecentDays-1)
	keepFrom := dayBack(today, int(retention/(24*time.Hour))-1)
	var recent []Point
	for _, p := range s.Recent {
		if p.Day >= recentFrom {
			recent = append(recent, p)
			continue
		}
		if n := len(s.Days); n > 0 && s.Days[n-1].Day == p.Day {
			s.Days[n-1] = p // the later refresh of the same day
		} else {
			s.Days = append(s.Days, p)
		}
	}
	s.Recent = recent
	i := 0
	for i < len(s.Days) && s.Days[i].Day < keepFrom {
		i++
	}
	s.Days = slices.Clip(s.Days[i:])
	if len(s.Days) == 0 {
		s.Days = nil
	}
}

// dayBack returns the local day n days before t's, as YYYY-MM-DD.
func dayBack(t time.Time, n int) string {
	return time.Date(t.Year(), t.Month(), t.Day()-n, 12, 0, 0, 0, t.Location()).Format(time.DateOnly)
}

// Daily returns one point per day, oldest first: the kept days, then the
// last refresh of each recent day.
func (s *Series) Daily() []Point {
	out := slices.Clone(s.Days)
	for _, p := range s.Recent {
		if n := len(out); n > 0 && out[n-1].Day == p.Day {
			out[n-1] = p
		} else {
			out = append(out, p)
		}
	}
	return out
}

// Empty reports whether the series holds no point.
func (s *Series) Empty() bool { return len(s.Days) == 0 && len(s.Recent) == 0 }

// last returns the newest point's day, or "".
func (s *Series) last() string {
	if n := len(s.Recent); n > 0 {
		return s.Recent[n-1].Day
	}
	if n := len(s.Days); n > 0 {
		return s.Days[n-1].Day
	}
	return ""
}

// LoadSeries returns the series of credential id, or nil.
func LoadSeries(st *states.State, id string) (*Series, error) {
	raw, ok := st.Shared[seriesPrefix+id]
	if !ok {
		return nil, nil
	}
	var s Series
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, fmt.Errorf("state: history of credential %s: %w", id, err)
	}
	return &s, nil
}

// StoreSeries puts a series into the state; an empty one is removed.
func StoreSeries(st *states.State, id string, s *Series) error {
	if s == nil || s.Empty() {
		delete(st.Shared, seriesPrefix+id)
		return nil
	}
	b, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("state: history of credential %s: %w", id, err)
	}
	if st.Shared == nil {
		st.Shared = map[string]json.RawMessage{}
	}
	st.Shared[seriesPrefix+id] = b
	return nil
}

// SeriesIDs returns the credential ids that have a series, sorted.
func SeriesIDs(st *states.State) []string {
	var ids []string
	for k := range st.Shared {
		if id, ok := strings.CutPrefix(k, seriesPrefix); ok {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids
}

// point is what a refresh adds to a series: the record's health (its
// reason already scrubbed of keys) and the figures read this time.
func (r *Result) point(rec *Record) Point {
	p := Point{At: r.At, Health: rec.Health.Status, Reason: rec.Health.Reason}
	if u := r.Usage; u != nil && r.UsageErr == nil {
		p.Balance, p.Unlimited, p.Cost, p.Requests, p.Tokens = u.Balance, u.Unlimited, u.TodayCost, u.TodayRequests, u.TodayTokens
	}
	return p
}

// foldSeries adds a refresh to its credential's series (a new one when the
// stored one is of another key, type or base URL).
func foldSeries(st *states.State, c *credential.Credential, p Point, now time.Time, loc *time.Location) error {
	s, err := LoadSeries(st, c.ID)
	if err != nil {
		return err
	}
	salt := st.SaltBytes()
	if !s.Matches(c, salt) {
		s = &Series{APIType: c.APIType, BaseURL: c.BaseURL, KeyHash: KeyHash(salt, c.Key)}
	}
	s.Add(p, now, loc, Retention)
	return StoreSeries(st, c.ID, s)
}

// pruneSeries drops the series of credentials not refreshed now (fresh)
// whose newest point is older than the retention: a removed credential's.
// It decodes the other series, which a refresh (network-bound) can afford.
func pruneSeries(st *states.State, fresh map[string]*Record, now time.Time, loc *time.Location, retention time.Duration) error {
	keepFrom := dayBack(now.In(loc), int(retention/(24*time.Hour))-1)
	for _, id := range SeriesIDs(st) {
		if fresh[id] != nil {
			continue
		}
		s, err := LoadSeries(st, id)
		if err != nil {
			return err
		}
		if s.last() < keepFrom {
			delete(st.Shared, seriesPrefix+id)
		}
	}
	return nil
}
