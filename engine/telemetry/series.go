package telemetry

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/hubctl/hub/credential"
	"github.com/hubctl/hub/providers"
)

// Retention is how long a series keeps its daily points by default; the
// hub block's history { retention = "400d" } sets another
// (HistoryOptions.Retention).
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
// point is older than the retention; a credential renamed (a new id with
// the same API type, base URL and key) takes it over.
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
	// Prompt and Completion split Tokens where the upstream does.
	Prompt     *int64 `json:"p,omitempty"`
	Completion *int64 `json:"q,omitempty"`
	Health     string `json:"h"`
	Reason     string `json:"why,omitempty"`
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
	// The same refresh folded again (a state save redone after another
	// host's) replaces its point rather than adding one.
	if n := len(s.Recent); n > 0 && s.Recent[n-1].At.Equal(p.At) {
		s.Recent[n-1] = p
	} else {
		s.Recent = append(s.Recent, p)
	}
	s.compact(now, loc, retention)
}

// compact keeps the series' shape (see Add).
func (s *Series) compact(now time.Time, loc *time.Location, retention time.Duration) {
	today := now.In(loc)
	recentFrom := dayBack(today, RecentDays-1)
	keepFrom := keptFrom(now, loc, retention)
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
	if i > 0 {
		s.Days = slices.Clip(s.Days[i:])
	}
	if len(s.Days) == 0 {
		s.Days = nil
	}
}

// keptFrom is the first local day (YYYY-MM-DD) retention keeps at now:
// today and the retention's days before it, retention days in all.
func keptFrom(now time.Time, loc *time.Location, retention time.Duration) string {
	return dayBack(now.In(loc), int(retention/(24*time.Hour))-1)
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
func (s *Series) Empty() bool { return s == nil || len(s.Days) == 0 && len(s.Recent) == 0 }

// last is the series' newest point; the series is not empty.
func (s *Series) last() Point {
	if n := len(s.Recent); n > 0 {
		return s.Recent[n-1]
	}
	return s.Days[len(s.Days)-1]
}

// HistoryOptions say where and how RecordHistory keeps the series.
type HistoryOptions struct {
	// Dir holds one file per credential (.hub/history beside the state).
	Dir string
	// Retention is how long a series keeps its days; Retention when 0.
	Retention time.Duration
	// Location is whose days the points count for; time.Local when nil.
	Location *time.Location
	// Configured reports whether a credential id is in the configuration.
	// A series of one that is not is an orphan, which a credential
	// refreshed without a series of its own takes over when it has the
	// same API type, base URL and key (a rename). nil: none is taken over.
	Configured func(id string) bool
}

// RecordHistory adds a refresh's results (creds and res in the same order,
// recs as Fold returned them) to the series in o.Dir; salt is the state's,
// for the key hash a series follows. Each result's At is its clock.
func RecordHistory(ctx context.Context, o HistoryOptions, salt []byte, creds []*credential.Credential, res []Result, recs map[string]*Record) error {
	if o.Retention <= 0 {
		o.Retention = Retention
	}
	if o.Location == nil {
		o.Location = time.Local
	}
	h := &historyWriter{HistoryOptions: o, salt: salt}
	var last time.Time
	for i, r := range res {
		rec := recs[creds[i].ID]
		if r.Skipped || rec == nil {
			continue
		}
		if err := h.fold(ctx, creds[i], rec, r.point(rec), r.pastDays(), r.At); err != nil {
			return err
		}
		if r.At.After(last) {
			last = r.At
		}
	}
	if last.IsZero() {
		return nil
	}
	return pruneSeries(o, recs, last)
}

// point is what a refresh adds to a series: the record's health (its
// reason already scrubbed of keys) and the figures read this time.
func (r *Result) point(rec *Record) Point {
	p := Point{At: r.At, Health: rec.Health.Status, Reason: rec.Health.Reason}
	if u := r.Usage; u != nil && r.UsageErr == nil {
		p.Balance, p.Unlimited, p.Cost, p.Requests, p.Tokens = u.Balance, u.Unlimited, u.TodayCost, u.TodayRequests, u.TodayTokens
		p.Prompt, p.Completion = u.TodayPromptTokens, u.TodayCompletionTokens
	}
	return p
}

// pastDays are the whole earlier days the upstream gave with this refresh.
func (r *Result) pastDays() []providers.DayFigures {
	if r.Usage == nil || r.UsageErr != nil {
		return nil
	}
	return r.Usage.PastDays
}

// A historyWriter is one RecordHistory: the orphans, read once, and only
// when a credential without a series of its own asks for them.
type historyWriter struct {
	HistoryOptions
	salt    []byte
	orphans map[string]*Series // nil until read
}

// fold adds a refresh to its credential's series: its own, else an
// orphan's of the same key (renamed), else a new one; a new one too when
// its own is of another key, type or base URL.
func (h *historyWriter) fold(ctx context.Context, c *credential.Credential, rec *Record, p Point, past []providers.DayFigures, now time.Time) error {
	s, err := LoadSeries(ctx, h.Dir, c.ID)
	if err != nil {
		return err
	}
	if s == nil {
		if s, err = h.adopt(ctx, c); err != nil {
			return err
		}
	}
	if !s.Matches(c, h.salt) {
		s = &Series{APIType: c.APIType, BaseURL: c.BaseURL, KeyHash: KeyHash(h.salt, c.Key)}
	}
	// Refreshes other hosts recorded in the shared state since this
	// series' last point come first (the current one is among them).
	s = s.WithSamples(rec, p.At, now, h.Location, h.Retention)
	s.Fill(past, now, h.Location, h.Retention)
	s.Add(p, now, h.Location, h.Retention)
	return StoreSeries(h.Dir, c.ID, s)
}

// Fill puts the upstream's whole-day figures into the days they count for:
// a day's point keeps its balance and health and takes the upstream's cost,
// requests and tokens (its last refresh saw only part of the day); a day
// without a point gets one, of unknown health and no balance, timed at the
// day's last second. Days are kept in order.
func (s *Series) Fill(days []providers.DayFigures, now time.Time, loc *time.Location, retention time.Duration) {
	if len(days) == 0 {
		return
	}
	if retention <= 0 {
		retention = Retention
	}
	recentFrom := dayBack(now.In(loc), RecentDays-1)
	for _, d := range days {
		t, err := time.ParseInLocation(time.DateOnly, d.Day, loc)
		if err != nil {
			continue
		}
		cost, reqs, toks, pr, cp := d.Cost, d.Requests, d.Tokens, d.PromptTokens, d.CompletionTokens
		set := func(p *Point) {
			p.Cost, p.Requests, p.Tokens, p.Prompt, p.Completion = &cost, &reqs, &toks, &pr, &cp
		}
		list := &s.Days
		if d.Day >= recentFrom {
			list = &s.Recent
		}
		// The day's last point, or where a new one goes.
		at := len(*list)
		for i := len(*list) - 1; i >= 0; i-- {
			if (*list)[i].Day == d.Day {
				set(&(*list)[i])
				at = -1
				break
			}
			if (*list)[i].Day < d.Day {
				break
			}
			at = i
		}
		if at < 0 {
			continue
		}
		p := Point{Day: d.Day, At: t.AddDate(0, 0, 1).Add(-time.Second).UTC(), Health: Unknown}
		set(&p)
		*list = slices.Insert(*list, at, p)
	}
	s.compact(now, loc, retention)
}

// WithSamples returns the series with the refreshes rec's history holds
// (the state's last HistoryLen, recorded by any host sharing it) that are
// newer than its last point and older than before, added in order: how a
// machine's series learns of the refreshes other machines ran, and how
// hub status and hub report show them on a machine that never refreshed.
// A record of another key, type or base URL adds nothing; s is not
// changed (a nil s gives a series of the samples alone). retention 0 is
// the default.
func (s *Series) WithSamples(rec *Record, before, now time.Time, loc *time.Location, retention time.Duration) *Series {
	if rec == nil || len(rec.History) == 0 || (s != nil && (s.APIType != rec.APIType || s.BaseURL != rec.BaseURL || s.KeyHash != rec.KeyHash)) {
		return s
	}
	var since time.Time
	if !s.Empty() {
		since = s.last().At
	}
	// The samples' points first: most reads find none newer, and then the
	// series is returned as it is, not copied.
	var add []Point
	for _, smp := range rec.History {
		// A run of refreshes that found the same is its first and last.
		for _, at := range []time.Time{smp.At, smp.Until} {
			if at.IsZero() || !at.After(since) || (!before.IsZero() && !at.Before(before)) {
				continue
			}
			add = append(add, Point{At: at, Health: smp.Health, Reason: string(smp.Class), Balance: smp.Balance, Unlimited: smp.Unlimited,
				Cost: smp.TodayCost, Requests: smp.TodayRequests, Tokens: smp.TodayTokens})
			since = at
		}
	}
	if len(add) == 0 {
		return s
	}
	if retention <= 0 {
		retention = Retention
	}
	out := &Series{APIType: rec.APIType, BaseURL: rec.BaseURL, KeyHash: rec.KeyHash}
	if s != nil {
		out.Days, out.Recent = slices.Clone(s.Days), slices.Clone(s.Recent)
	}
	for _, p := range add {
		out.Add(p, now, loc, retention)
	}
	return out
}

// adopt moves to c the orphan series measured with c's API type, base URL
// and key (the newest, if several are), and returns it; nil when none is.
func (h *historyWriter) adopt(ctx context.Context, c *credential.Credential) (*Series, error) {
	if h.Configured == nil {
		return nil, nil
	}
	if h.orphans == nil {
		h.orphans = map[string]*Series{}
		ids, err := SeriesIDs(h.Dir)
		if err != nil {
			return nil, fmt.Errorf("read the history: %w", err)
		}
		for _, id := range ids {
			if h.Configured(id) {
				continue
			}
			// An orphan that cannot be read is left to pruning: a rename
			// starts afresh rather than failing the refresh.
			if s, err := LoadSeries(ctx, h.Dir, id); err == nil && s != nil && !s.Empty() {
				h.orphans[id] = s
			}
		}
	}
	var from string
	for id, s := range h.orphans {
		if s.Matches(c, h.salt) && (from == "" || s.last().At.After(h.orphans[from].last().At) ||
			s.last().At.Equal(h.orphans[from].last().At) && id < from) {
			from = id
		}
	}
	if from == "" {
		return nil, nil
	}
	s := h.orphans[from]
	delete(h.orphans, from)
	if err := moveSeries(ctx, h.Dir, from, c.ID); err != nil {
		return nil, fmt.Errorf("move the history of credential %s to %s: %w", from, c.ID, err)
	}
	return s, nil
}

// pruneSeries removes the series of credentials not refreshed now whose
// last point is older than the retention: by the file's time (StoreSeries
// sets it to the last point's), so a refresh does not read every other
// credential's series.
func pruneSeries(o HistoryOptions, fresh map[string]*Record, now time.Time) error {
	ids, err := SeriesIDs(o.Dir)
	if err != nil {
		return err
	}
	keep := keptFrom(now, o.Location, o.Retention)
	for _, id := range ids {
		if fresh[id] != nil {
			continue
		}
		fi, err := statSeries(o.Dir, id)
		if err == nil && fi.ModTime().In(o.Location).Format(time.DateOnly) < keep {
			if err := StoreSeries(o.Dir, id, nil); err != nil {
				return err
			}
		}
	}
	return nil
}

// LastDays names the last n local days in loc (YYYY-MM-DD), today last: the
// window hub status and hub report show.
func LastDays(now time.Time, loc *time.Location, n int) []string {
	today := now.In(loc)
	names := make([]string, n)
	for i := range names {
		names[i] = dayBack(today, n-1-i)
	}
	return names
}

// Window returns the last days local days' points (today last), each the
// day's last refresh; nil for a day without one.
func (s *Series) Window(now time.Time, loc *time.Location, days int) []*Point {
	return s.On(LastDays(now, loc, days))
}

// On returns the last point of each of days (YYYY-MM-DD, oldest first);
// nil for a day without one. A caller showing many series over the same
// window names its days once. The points are the series' own: read them,
// do not change them.
func (s *Series) On(days []string) []*Point {
	out := make([]*Point, len(days))
	kept := s.Days
	// Kept days are in order as Add leaves them; a clock set back can
	// disorder them, and the walk below needs the order.
	if !slices.IsSortedFunc(kept, func(a, b Point) int { return strings.Compare(a.Day, b.Day) }) {
		kept = slices.Clone(kept)
		slices.SortStableFunc(kept, func(a, b Point) int { return strings.Compare(a.Day, b.Day) })
	}
	j := 0
	for i, day := range days {
		for j < len(kept) && kept[j].Day < day {
			j++
		}
		if j < len(kept) && kept[j].Day == day {
			out[i] = &kept[j]
		}
	}
	// The recent refreshes: the day's latest wins.
	for k := range s.Recent {
		p := &s.Recent[k]
		if i, ok := slices.BinarySearch(days, p.Day); ok && (out[i] == nil || !p.At.Before(out[i].At)) {
			out[i] = p
		}
	}
	return out
}

// Balances returns the balance of each of days (as On takes them), from
// the day's last point; NaN where no refresh read one.
func (s *Series) Balances(days []string) []float64 {
	out := make([]float64, len(days))
	for i, p := range s.On(days) {
		out[i] = math.NaN()
		if p != nil && p.Balance != nil {
			out[i] = *p.Balance
		}
	}
	return out
}
