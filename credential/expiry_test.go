package credential

import (
	"strings"
	"testing"
	"time"
)

func TestParseExpiry(t *testing.T) {
	loc := time.FixedZone("UTC+8", 8*3600)
	e, err := ParseExpiry(" 2026-12-31 ", loc)
	if err != nil || !e.DateOnly || !e.At.Equal(time.Date(2026, 12, 31, 0, 0, 0, 0, loc)) || e.String() != "2026-12-31" {
		t.Errorf("day: %+v %v", e, err)
	}
	e, err = ParseExpiry("2026-12-31T18:00:00+02:00", loc)
	if err != nil || e.DateOnly || !e.At.Equal(time.Date(2026, 12, 31, 16, 0, 0, 0, time.UTC)) || e.String() != "2026-12-31T18:00:00+02:00" {
		t.Errorf("RFC 3339: %+v %v", e, err)
	}
	if e.Day(loc) != "2027-01-01" {
		t.Errorf("day of the instant in UTC+8: %s", e.Day(loc))
	}
	for in, want := range map[string]string{
		"":                 "the expiry is empty",
		"31/12/2026":       `the expiry "31/12/2026" is neither a day`,
		"2026-02-30":       `the expiry "2026-02-30" is neither a day`,
		"2026-12-31 18:00": `the expiry "2026-12-31 18:00" is neither`,
	} {
		if _, err := ParseExpiry(in, loc); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseExpiry(%q) = %v, want %q", in, err, want)
		}
	}
}

func TestExpiryDescribe(t *testing.T) {
	now := time.Date(2026, 12, 7, 15, 0, 0, 0, time.UTC)
	day := func(s string) Expiry { e, _ := ParseExpiry(s, time.UTC); return e }
	at := func(d time.Duration) Expiry { return Expiry{At: now.Add(d)} }
	for _, tc := range []struct {
		e       Expiry
		want    string
		expired bool
		soon    bool // within 7 days
	}{
		{day("2026-12-10"), "expires in 3 days", false, true},
		{day("2026-12-08"), "expires tomorrow", false, true},
		{day("2026-12-07"), "expired today", true, true},
		{day("2026-12-06"), "expired yesterday", true, true},
		{day("2026-11-30"), "expired 7 days ago", true, true},
		{day("2026-12-14"), "expires in 7 days", false, true},
		{day("2026-12-15"), "expires in 8 days", false, false},
		{at(5 * time.Hour), "expires in 5 hours", false, true},
		{at(30 * time.Second), "expires in 1 minute", false, true},
		{at(-90 * time.Minute), "expired 1 hour ago", true, true},
		{at(72 * time.Hour), "expires in 3 days", false, true},
		{at(-72 * time.Hour), "expired 3 days ago", true, true},
		{Expiry{}, "", false, false},
	} {
		if got := tc.e.Describe(now); got != tc.want {
			t.Errorf("%s: Describe = %q, want %q", tc.e, got, tc.want)
		}
		if got := tc.e.Expired(now); got != tc.expired {
			t.Errorf("%s: Expired = %v", tc.e, got)
		}
		if got := tc.e.Soon(now, DefaultExpiryWarning); got != tc.soon {
			t.Errorf("%s: Soon = %v", tc.e, got)
		}
	}
}

func TestExpiryAgrees(t *testing.T) {
	loc := time.FixedZone("UTC+8", 8*3600)
	day, _ := ParseExpiry("2026-12-31", loc)
	for _, tc := range []struct {
		o    Expiry
		want bool
	}{
		{Expiry{At: time.Date(2026, 12, 31, 0, 0, 0, 0, loc)}, true},   // its midnight
		{Expiry{At: time.Date(2026, 12, 31, 23, 59, 0, 0, loc)}, true}, // later that day
		{Expiry{At: time.Date(2027, 1, 1, 0, 0, 0, 0, loc)}, false},
		{Expiry{At: time.Date(2026, 12, 30, 12, 0, 0, 0, loc)}, false},
		{Expiry{}, false},
	} {
		if got := day.Agrees(tc.o, loc); got != tc.want {
			t.Errorf("%s agrees with %s: %v, want %v", day, tc.o.At, got, tc.want)
		}
	}
	a := Expiry{At: time.Date(2026, 12, 31, 10, 0, 0, 0, time.UTC)}
	if !a.Agrees(Expiry{At: a.At.Add(30 * time.Second)}, loc) || a.Agrees(Expiry{At: a.At.Add(time.Hour)}, loc) {
		t.Error("two instants agree within a minute only")
	}
}
