package credential

import (
	"fmt"
	"strings"
	"time"
)

// An Expiry is when a credential's key stops working, as its owner wrote it
// down (expires = "2026-12-31"). A day means the key is expired from that
// day's local midnight on, as All API Hub stores it (a day-level local
// timestamp), so hub warns on the day itself rather than a day late. An RFC
// 3339 time is that instant.
type Expiry struct {
	// At is the instant; zero means the key has no known expiry.
	At time.Time
	// DateOnly is set when the expiry was written as a day (YYYY-MM-DD).
	DateOnly bool
}

// DefaultExpiryWarning is how long before its expiry a key is warned about
// when the hub block sets no expiry_warning.
const DefaultExpiryWarning = 7 * 24 * time.Hour

// ParseExpiry reads an expiry: a day (2026-12-31), taken in loc, or an RFC
// 3339 time (2026-12-31T18:00:00Z, 2026-12-31T18:00:00+08:00).
func ParseExpiry(s string, loc *time.Location) (Expiry, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Expiry{}, fmt.Errorf("the expiry is empty; write a day like \"2026-12-31\" or an RFC 3339 time like \"2026-12-31T18:00:00Z\"")
	}
	if d, err := time.ParseInLocation(time.DateOnly, s, loc); err == nil {
		return Expiry{At: d, DateOnly: true}, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return Expiry{At: t}, nil
	}
	return Expiry{}, fmt.Errorf("the expiry %q is neither a day like \"2026-12-31\" nor an RFC 3339 time like \"2026-12-31T18:00:00Z\"", s)
}

// IsZero reports whether no expiry is known.
func (e Expiry) IsZero() bool { return e.At.IsZero() }

// String is the expiry as it is written: the day, or the RFC 3339 time.
func (e Expiry) String() string {
	switch {
	case e.IsZero():
		return ""
	case e.DateOnly:
		return e.At.Format(time.DateOnly)
	}
	return e.At.Format(time.RFC3339)
}

// Day is the local day the key expires, for messages and tools that keep a
// day (All API Hub).
func (e Expiry) Day(loc *time.Location) string {
	if e.IsZero() {
		return ""
	}
	if e.DateOnly {
		return e.At.Format(time.DateOnly)
	}
	return e.At.In(loc).Format(time.DateOnly)
}

// Expired reports whether the key has expired at now.
func (e Expiry) Expired(now time.Time) bool { return !e.IsZero() && !now.Before(e.At) }

// Soon reports whether the key has expired at now or expires within
// window of it: the keys hub warns about.
func (e Expiry) Soon(now time.Time, window time.Duration) bool {
	return !e.IsZero() && e.At.Sub(now) <= window
}

// Agrees reports whether two expiries name the same day in loc: an
// upstream's instant and a day written in the configuration agree when the
// upstream's falls on that day or at its very start (local midnight closing
// the day before). Two instants agree within a minute.
func (e Expiry) Agrees(o Expiry, loc *time.Location) bool {
	if e.IsZero() || o.IsZero() {
		return e.IsZero() == o.IsZero()
	}
	if !e.DateOnly && !o.DateOnly {
		d := e.At.Sub(o.At)
		return d < time.Minute && d > -time.Minute
	}
	return e.Day(loc) == o.Day(loc) || e.At.Equal(o.At)
}

// Describe says in a few words where now stands against the expiry:
// "expired today", "expired 3 days ago", "expires tomorrow", "expires in
// 12 days", or within two days of an RFC 3339 time, in hours. Days are
// calendar days in now's location.
func (e Expiry) Describe(now time.Time) string {
	if e.IsZero() {
		return ""
	}
	if !e.DateOnly {
		d := e.At.Sub(now)
		switch {
		case d <= 0 && d > -48*time.Hour:
			return "expired " + hours(-d) + " ago"
		case d > 0 && d < 48*time.Hour:
			return "expires in " + hours(d)
		}
	}
	days := calendarDays(now, e.At)
	switch {
	case e.Expired(now) && days == 0:
		return "expired today"
	case e.Expired(now) && days == -1:
		return "expired yesterday"
	case e.Expired(now):
		return fmt.Sprintf("expired %d days ago", -days)
	case days == 1:
		return "expires tomorrow"
	}
	return fmt.Sprintf("expires in %d days", days)
}

// hours writes a duration under two days as whole hours, or minutes under
// one hour.
func hours(d time.Duration) string {
	if d < time.Hour {
		m := max(int(d.Minutes()), 1)
		if m == 1 {
			return "1 minute"
		}
		return fmt.Sprintf("%d minutes", m)
	}
	h := int(d.Hours())
	if h == 1 {
		return "1 hour"
	}
	return fmt.Sprintf("%d hours", h)
}

// calendarDays counts the days from now's local day to t's day there.
func calendarDays(now, t time.Time) int {
	loc := now.Location()
	y1, m1, d1 := now.Date()
	y2, m2, d2 := t.In(loc).Date()
	a := time.Date(y1, m1, d1, 12, 0, 0, 0, time.UTC)
	b := time.Date(y2, m2, d2, 12, 0, 0, 0, time.UTC)
	return int(b.Sub(a).Hours() / 24)
}
