// Package report writes hub report's page: one self-contained HTML file
// (its styles, script and data inline; no request leaves it) showing the
// credentials' balance, cost, requests and health over time.
//
// The data travels inside the page gzip-compressed and base64-encoded, so a
// year of daily figures for a thousand credentials stays a few megabytes;
// the page's script inflates it with the browser's own DecompressionStream
// and draws every chart as SVG. Nothing from outside is ever written into
// the HTML itself: every text a credential or an upstream gave goes through
// Options.Scrub and into the compressed data, and the script puts it into the
// page as text, never as markup.
package report

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hubctl/hub/credential"
	"github.com/hubctl/hub/engine/config"
	"github.com/hubctl/hub/engine/telemetry"
	"github.com/hubctl/hub/secret"
)

//go:embed page.html
var pageHTML string

//go:embed page.css
var pageCSS string

//go:embed page.js
var pageJS string

// A Credential is one credential's figures for the page: its record from
// the state (nil: never refreshed), whether that record was measured for
// another key, type or base URL (Stale), and its history (nil: none kept
// here, or of another key).
type Credential struct {
	Credential *config.Credential
	Record     *telemetry.Record
	Stale      bool
	Series     *telemetry.Series
}

// Options say how the page is built.
type Options struct {
	// Now and Location fix "today" and the window's days.
	Now      time.Time
	Location *time.Location
	// Days is the window's length in days, today included.
	Days int
	// CNYPerUSD, when set, lets the page show amounts in yuan (hub keeps
	// every amount in US dollars, converted as the upstream said).
	CNYPerUSD float64
	// Currency is the unit the page opens in: "USD" (default) or "CNY".
	Currency string
	// ExpiryWarning is how long before a key's expiry the page says so
	// (the hub block's expiry_warning).
	ExpiryWarning time.Duration
	// Refresh, when positive, makes the page reload itself every so many
	// seconds (hub report --serve).
	Refresh int
	// Scrub makes a text from outside safe to show: keys redacted, control
	// characters escaped. Required.
	Scrub func(string) string
}

// data is the page's data, as the script reads it (short names: it is
// repeated per credential and per day).
type data struct {
	Generated string    `json:"generated"`
	Days      []string  `json:"days"`
	Currency  string    `json:"currency"`
	CNYPerUSD float64   `json:"cnyPerUsd,omitempty"`
	Refresh   int       `json:"refresh,omitempty"`
	Creds     []credOut `json:"creds"`
}

type credOut struct {
	ID        string   `json:"id"`
	Name      string   `json:"name,omitempty"`
	Type      string   `json:"type"`
	URL       string   `json:"url"`
	Tags      []string `json:"tags,omitempty"`
	Health    string   `json:"health"`
	Reason    string   `json:"reason,omitempty"`
	Stale     bool     `json:"stale,omitempty"`
	Last      string   `json:"last,omitempty"`
	Converted string   `json:"conv,omitempty"`
	// Expires is the configured expiry's day; ExpiryNote says where now
	// stands when it has passed or is within the warning ("expires in 3
	// days"), with Expired set once it has passed.
	Expires    string `json:"exp,omitempty"`
	ExpiryNote string `json:"expNote,omitempty"`
	Expired    bool   `json:"expired,omitempty"`
	// The latest figures, from the state's record.
	Balance   *num   `json:"bal,omitempty"`
	Unlimited bool   `json:"unl,omitempty"`
	Cost      *num   `json:"cost,omitempty"`
	Requests  *int64 `json:"req,omitempty"`
	Tokens    *int64 `json:"tok,omitempty"`
	// The window, one entry per day of data.Days (null: no refresh read it).
	B amounts `json:"b,omitempty"`
	C amounts `json:"c,omitempty"`
	R counts  `json:"r,omitempty"`
	// H is the day's health as one letter per day: h(ealthy), w(arning),
	// e(rror), u(nknown), or "." for a day without a refresh.
	H string `json:"h,omitempty"`
	// Why are the health changes with their reasons: [day index, reason].
	Why [][2]any `json:"why,omitempty"`
}

// num is an amount written with at most four decimals: the page shows
// cents, and a year of full-precision floats would double its size.
type num float64

func (n num) MarshalJSON() ([]byte, error) { return appendAmount(nil, float64(n)), nil }

// appendAmount appends f rounded to four decimals, shortest form.
func appendAmount(b []byte, f float64) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(b, "null"...)
	}
	f = math.Round(f*1e4) / 1e4
	if f == 0 {
		f = 0 // no "-0"
	}
	return strconv.AppendFloat(b, f, 'f', -1, 64)
}

// amounts and counts are a window's figures, written by hand: a year of
// them for a thousand credentials is a million values, too many for
// encoding/json's reflection to take its time over.
type amounts []*float64

func (a amounts) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, len(a)*6+2)
	b = append(b, '[')
	for i, v := range a {
		if i > 0 {
			b = append(b, ',')
		}
		if v == nil {
			b = append(b, "null"...)
		} else {
			b = appendAmount(b, *v)
		}
	}
	return append(b, ']'), nil
}

type counts []*int64

func (c counts) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, len(c)*4+2)
	b = append(b, '[')
	for i, v := range c {
		if i > 0 {
			b = append(b, ',')
		}
		if v == nil {
			b = append(b, "null"...)
		} else {
			b = strconv.AppendInt(b, *v, 10)
		}
	}
	return append(b, ']'), nil
}

func numPtr(f *float64) *num {
	if f == nil {
		return nil
	}
	n := num(*f)
	return &n
}

// healthOrder puts the credentials that need attention first.
var healthOrder = map[string]int{telemetry.Error: 0, telemetry.Warning: 1, telemetry.Unknown: 2, telemetry.Healthy: 3}

// rank orders the rows: failing or expired, then warnings or expiring
// soon, then unknown, then healthy.
func (c *credOut) rank() int {
	r := healthOrder[c.Health]
	switch {
	case c.Expired:
		r = 0
	case c.ExpiryNote != "":
		r = min(r, 1)
	}
	return r
}

// Write writes the page for creds to w.
func Write(w io.Writer, creds []Credential, opt Options) error {
	d, err := build(creds, opt)
	if err != nil {
		return err
	}
	payload, err := encode(d)
	if err != nil {
		return err
	}
	// The data goes into the script's one {{data}}; nothing else of ours
	// holds that text, and base64 needs no escaping in a string literal.
	js := strings.Replace(pageJS, "{{data}}", payload, 1)
	page := strings.NewReplacer("{{css}}", pageCSS, "{{js}}", js).Replace(pageHTML)
	_, err = io.WriteString(w, page)
	return err
}

// WriteJSON writes the page's data alone, as one JSON document (hub report
// --json: the same figures for another program).
func WriteJSON(w io.Writer, creds []Credential, opt Options) error {
	d, err := build(creds, opt)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(w)
	return enc.Encode(d)
}

// build is the page's data for creds, failing and expiring first.
func build(creds []Credential, opt Options) (data, error) {
	if opt.Scrub == nil {
		return data{}, fmt.Errorf("report: no scrubber given")
	}
	if opt.Location == nil {
		opt.Location = time.Local
	}
	if opt.Days < 1 {
		opt.Days = 90
	}
	d := data{
		Generated: opt.Now.In(opt.Location).Format(time.RFC3339),
		Days:      telemetry.LastDays(opt.Now, opt.Location, opt.Days),
		Currency:  "USD",
		CNYPerUSD: opt.CNYPerUSD,
		Refresh:   opt.Refresh,
	}
	if opt.Currency == "CNY" && opt.CNYPerUSD > 0 {
		d.Currency = "CNY"
	}
	for _, c := range creds {
		d.Creds = append(d.Creds, credentialOut(c, d.Days, opt))
	}
	slices.SortStableFunc(d.Creds, func(a, b credOut) int {
		if x, y := a.rank(), b.rank(); x != y {
			return x - y
		}
		return strings.Compare(a.ID, b.ID)
	})
	return d, nil
}

// encode is the data as the page carries it: JSON, gzip, base64 (whose
// alphabet needs no escaping inside a script element). The credentials are
// marshalled one at a time into the compressor, so the whole document is
// never held uncompressed.
func encode(d data) (string, error) {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
	if err != nil {
		return "", err
	}
	creds := d.Creds
	d.Creds = nil
	head, err := json.Marshal(d)
	if err != nil {
		return "", fmt.Errorf("report data: %w", err)
	}
	// head ends with "creds":null}; the credentials go in its place.
	head = bytes.TrimSuffix(head, []byte("null}"))
	if _, err := zw.Write(append(head, '[')); err != nil {
		return "", err
	}
	for i := range creds {
		b, err := json.Marshal(&creds[i])
		if err != nil {
			return "", fmt.Errorf("report data of credential %s: %w", creds[i].ID, err)
		}
		if i > 0 {
			b = append([]byte{','}, b...)
		}
		if _, err := zw.Write(b); err != nil {
			return "", err
		}
	}
	if _, err := zw.Write([]byte("]}")); err != nil {
		return "", err
	}
	if err := zw.Close(); err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(buf.Bytes()), nil
}

// Decode returns the JSON data a page carries (for tests and for checking
// a page for leaks, since the data is compressed).
func Decode(page []byte) ([]byte, error) {
	const open = `const HUB_DATA = "`
	_, rest, ok := bytes.Cut(page, []byte(open))
	if !ok {
		return nil, fmt.Errorf("not a hub report: no data")
	}
	b64, _, ok := bytes.Cut(rest, []byte(`";`))
	if !ok {
		return nil, fmt.Errorf("not a hub report: the data is not closed")
	}
	raw, err := base64.StdEncoding.DecodeString(string(b64))
	if err != nil {
		return nil, fmt.Errorf("hub report data: %w", err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("hub report data: %w", err)
	}
	return io.ReadAll(zr)
}

func credentialOut(c Credential, days []string, opt Options) credOut {
	cr, s := c.Credential, opt.Scrub
	out := credOut{ID: cr.ID, Name: s(cr.Name), Type: cr.APIType, URL: s(secret.RedactURL(cr.BaseURL)), Health: telemetry.Unknown, Reason: "never refreshed"}
	for _, t := range cr.Tags {
		out.Tags = append(out.Tags, s(t))
	}
	if e := cr.Expires; !e.IsZero() {
		out.Expires = e.Day(opt.Location)
		window := opt.ExpiryWarning
		if window == 0 {
			window = credential.DefaultExpiryWarning
		}
		if e.Expired(opt.Now) || e.Soon(opt.Now, window) {
			out.ExpiryNote, out.Expired = e.Describe(opt.Now), e.Expired(opt.Now)
		}
	}
	if r := c.Record; r != nil {
		out.Health, out.Reason, out.Stale = r.Health.Status, s(r.Health.Reason), c.Stale
		if !r.LastRefresh.IsZero() {
			out.Last = r.LastRefresh.In(opt.Location).Format(time.RFC3339)
		}
		if u := r.Usage; u != nil && !c.Stale {
			out.Balance, out.Unlimited, out.Converted = numPtr(u.Balance), u.Unlimited, s(u.Converted)
			// Today's figures count only when they are today's.
			if r.UsageAt.In(opt.Location).Format(time.DateOnly) == opt.Now.In(opt.Location).Format(time.DateOnly) {
				out.Cost, out.Requests, out.Tokens = numPtr(u.TodayCost), u.TodayRequests, u.TodayTokens
			}
		}
	}
	if c.Series == nil || c.Stale {
		return out
	}
	pts := c.Series.On(days)
	var h strings.Builder
	seen, prev := false, ""
	out.B, out.C, out.R = make(amounts, len(pts)), make(amounts, len(pts)), make(counts, len(pts))
	for i, p := range pts {
		if p == nil {
			h.WriteByte('.')
			continue
		}
		seen = true
		out.B[i], out.C[i], out.R[i] = p.Balance, p.Cost, p.Requests
		h.WriteByte(healthLetter(p.Health))
		if p.Health != prev {
			prev = p.Health
			if p.Health != telemetry.Healthy && p.Reason != "" {
				out.Why = append(out.Why, [2]any{i, s(p.Reason)})
			}
		}
	}
	if !seen {
		out.B, out.C, out.R = nil, nil, nil
		return out
	}
	out.H = h.String()
	return out
}

func healthLetter(status string) byte {
	switch status {
	case telemetry.Healthy:
		return 'h'
	case telemetry.Warning:
		return 'w'
	case telemetry.Error:
		return 'e'
	}
	return 'u'
}
