package telemetry

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hubctl/hub/engine/system"
)

// The series live in a directory of their own beside the state
// (.hub/history/ID.hist), one file per credential: a plan never opens them,
// so a year of daily points for a thousand credentials costs a no-op plan
// nothing, and hub status reads only the credentials it shows. They are
// this machine's: hub refresh and hub watch --refresh-every add to them;
// they are not synced with the state.
//
// The file is a line per point, written and read by hand: hub report reads
// a thousand of them, and encoding/json took a second for a year of each
// (encoding/gob would drop a zero amount, which is a figure, not none):
//
//	hub-history 1
//	type openai-compatible
//	url https://relay.example.com
//	key 3f9a…                       (salted hash, as in the state)
//	D 2026-11-30 1764482400000000000 b=12.5 c=0.25 r=40 k=36000 h=healthy
//	R 2026-12-07 1765099800000000000 u c=0 h=error why="quota exhausted"
//
// D lines are the kept days, R lines the recent refreshes, oldest first;
// then the local day, the time in Unix nanoseconds, and the figures read
// (b balance, u unlimited, c cost, r requests, k tokens, p and q of them
// prompt and completion), the health and,
// last, its reason quoted. Files of the first form (ID.json, JSON) are
// still read, and replaced by the next write.

const seriesMagic = "hub-history 1"

// seriesFile is credential id's series in dir.
func seriesFile(dir, id string) string { return filepath.Join(dir, id+".hist") }

// legacySeriesFile is the JSON form the first hub with history wrote.
func legacySeriesFile(dir, id string) string { return filepath.Join(dir, id+".json") }

// LoadSeries returns credential id's series in dir, or nil.
func LoadSeries(ctx context.Context, dir, id string) (*Series, error) {
	name := seriesFile(dir, id)
	data, err := system.ReadFile(ctx, name)
	legacy := false
	if errors.Is(err, fs.ErrNotExist) {
		name, legacy = legacySeriesFile(dir, id), true
		data, err = system.ReadFile(ctx, name)
	}
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read the history of credential %s: %w", id, err)
	}
	var s Series
	if legacy {
		err = json.Unmarshal(data, &s)
	} else {
		err = s.decodeFile(data)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w (remove it to start its history again)", name, err)
	}
	return &s, nil
}

// StoreSeries writes credential id's series into dir (readable only by the
// user), or removes it when it is empty. The file's time is set to its last
// point's, which is what pruning goes by (without reading the file).
func StoreSeries(dir, id string, s *Series) error {
	if err := os.Remove(legacySeriesFile(dir, id)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if s == nil || s.Empty() {
		if err := os.Remove(seriesFile(dir, id)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		return nil
	}
	b, err := s.encodeFile()
	if err != nil {
		return fmt.Errorf("history of credential %s: %w", id, err)
	}
	if err := (system.OS{}).WriteFile(seriesFile(dir, id), b, 0o600); err != nil {
		return err
	}
	last := s.last().At
	return os.Chtimes(seriesFile(dir, id), last, last)
}

// moveSeries gives credential from's series to credential to.
func moveSeries(ctx context.Context, dir, from, to string) error {
	s, err := LoadSeries(ctx, dir, from)
	if err != nil || s == nil {
		return err
	}
	if err := StoreSeries(dir, to, s); err != nil {
		return err
	}
	return StoreSeries(dir, from, nil)
}

// statSeries returns the file information of credential id's series.
func statSeries(dir, id string) (fs.FileInfo, error) {
	fi, err := os.Stat(seriesFile(dir, id))
	if errors.Is(err, fs.ErrNotExist) {
		return os.Stat(legacySeriesFile(dir, id))
	}
	return fi, err
}

// SeriesIDs lists the credentials that have a series in dir, sorted.
func SeriesIDs(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue
		}
		if id, ok := strings.CutSuffix(e.Name(), ".hist"); ok {
			ids = append(ids, id)
		} else if id, ok := strings.CutSuffix(e.Name(), ".json"); ok {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return slices.Compact(ids), nil
}

// encodeFile writes the series in its file form.
func (s *Series) encodeFile() ([]byte, error) {
	for _, v := range []string{s.APIType, s.BaseURL, s.KeyHash} {
		if v == "" || strings.ContainsAny(v, " \t\r\n") {
			return nil, fmt.Errorf("series header %q: empty or holds a space", v)
		}
	}
	b := make([]byte, 0, 64*(len(s.Days)+len(s.Recent))+128)
	b = fmt.Appendf(b, "%s\ntype %s\nurl %s\nkey %s\n", seriesMagic, s.APIType, s.BaseURL, s.KeyHash)
	for _, part := range []struct {
		kind byte
		ps   []Point
	}{{'D', s.Days}, {'R', s.Recent}} {
		for _, p := range part.ps {
			if strings.ContainsAny(p.Health, " \t\r\n\"") || !validDay(p.Day) {
				return nil, fmt.Errorf("series point %s: bad day or health", p.Day)
			}
			b = append(b, part.kind, ' ')
			b = append(b, p.Day...)
			b = append(b, ' ')
			b = strconv.AppendInt(b, p.At.UnixNano(), 10)
			b = appendFloat(b, " b=", p.Balance)
			if p.Unlimited {
				b = append(b, " u"...)
			}
			b = appendFloat(b, " c=", p.Cost)
			b = appendInt(b, " r=", p.Requests)
			b = appendInt(b, " k=", p.Tokens)
			b = appendInt(b, " p=", p.Prompt)
			b = appendInt(b, " q=", p.Completion)
			b = append(b, " h="...)
			b = append(b, p.Health...)
			if p.Reason != "" {
				b = append(b, " why="...)
				b = strconv.AppendQuote(b, p.Reason)
			}
			b = append(b, '\n')
		}
	}
	return b, nil
}

func appendFloat(b []byte, key string, v *float64) []byte {
	if v == nil {
		return b
	}
	return strconv.AppendFloat(append(b, key...), *v, 'g', -1, 64)
}

func appendInt(b []byte, key string, v *int64) []byte {
	if v == nil {
		return b
	}
	return strconv.AppendInt(append(b, key...), *v, 10)
}

func validDay(d string) bool {
	_, err := time.Parse(time.DateOnly, d)
	return err == nil
}

// decodeFile reads the series' file form. It works on one string of the
// whole file and takes each figure's storage from one backing array, so a
// year of points costs a handful of allocations rather than thousands.
func (s *Series) decodeFile(data []byte) error {
	*s = Series{}
	text := string(data)
	n := strings.Count(text, "\n") + 1
	points := make([]Point, 0, max(n-4, 0))
	store := &figures{floats: make([]float64, 0, 2*cap(points)), ints: make([]int64, 0, 4*cap(points))}
	recentFrom := -1
	for line := 1; text != ""; line++ {
		var l string
		l, text, _ = strings.Cut(text, "\n")
		bad := func(why string) error { return fmt.Errorf("line %d: %s", line, why) }
		switch {
		case line == 1:
			if l != seriesMagic {
				return bad("not a hub history file (" + seriesMagic + ")")
			}
		case line <= 4:
			key, val, _ := strings.Cut(l, " ")
			want := [...]string{"type", "url", "key"}[line-2]
			if key != want || val == "" {
				return bad("want " + want)
			}
			*[...]*string{&s.APIType, &s.BaseURL, &s.KeyHash}[line-2] = val
		case l == "" && text == "":
			// the final newline
		default:
			p, kind, err := parsePoint(l, store)
			if err != nil {
				return bad(err.Error())
			}
			switch {
			case kind == 'R' && recentFrom < 0:
				recentFrom = len(points)
			case kind == 'D' && recentFrom >= 0:
				return bad("a kept day after the recent refreshes")
			}
			points = append(points, p)
		}
		if line == 4 && text == "" {
			break
		}
		if text == "" && line < 4 {
			return fmt.Errorf("truncated: %d lines", line)
		}
	}
	if s.KeyHash == "" {
		return fmt.Errorf("truncated: no header")
	}
	if recentFrom < 0 {
		recentFrom = len(points)
	}
	if recentFrom > 0 {
		s.Days = points[:recentFrom:recentFrom]
	}
	if recentFrom < len(points) {
		s.Recent = points[recentFrom:]
	}
	return nil
}

// figures hands out the storage of a file's figures: pointers into two
// arrays allocated once (they never grow past their capacity, so the
// pointers stay valid).
type figures struct {
	floats []float64
	ints   []int64
}

func (f *figures) float(v float64) *float64 {
	if len(f.floats) == cap(f.floats) {
		return &v
	}
	f.floats = append(f.floats, v)
	return &f.floats[len(f.floats)-1]
}

func (f *figures) int(v int64) *int64 {
	if len(f.ints) == cap(f.ints) {
		return &v
	}
	f.ints = append(f.ints, v)
	return &f.ints[len(f.ints)-1]
}

// parsePoint reads one D or R line.
func parsePoint(text string, store *figures) (Point, byte, error) {
	var p Point
	if len(text) < 2 || (text[0] != 'D' && text[0] != 'R') || text[1] != ' ' {
		return p, 0, errors.New("want a D or R point")
	}
	kind := text[0]
	rest, why, hasWhy := strings.Cut(text[2:], " why=")
	if hasWhy {
		r, err := strconv.Unquote(why)
		if err != nil {
			return p, 0, fmt.Errorf("reason: %w", err)
		}
		p.Reason = r
	}
	day, rest, _ := strings.Cut(rest, " ")
	at, rest, ok := strings.Cut(rest, " ")
	if !ok || !validDay(day) {
		return p, 0, errors.New("want a day and a time")
	}
	p.Day = day
	ns, err := strconv.ParseInt(at, 10, 64)
	if err != nil {
		return p, 0, fmt.Errorf("time: %w", err)
	}
	p.At = time.Unix(0, ns).UTC()
	for rest != "" {
		var f string
		f, rest, _ = strings.Cut(rest, " ")
		key, val, _ := strings.Cut(f, "=")
		switch key {
		case "b", "c":
			v, err := strconv.ParseFloat(val, 64)
			if err != nil {
				return p, 0, fmt.Errorf("%s: %w", key, err)
			}
			if key == "b" {
				p.Balance = store.float(v)
			} else {
				p.Cost = store.float(v)
			}
		case "r", "k", "p", "q":
			v, err := strconv.ParseInt(val, 10, 64)
			if err != nil {
				return p, 0, fmt.Errorf("%s: %w", key, err)
			}
			switch key {
			case "r":
				p.Requests = store.int(v)
			case "k":
				p.Tokens = store.int(v)
			case "p":
				p.Prompt = store.int(v)
			default:
				p.Completion = store.int(v)
			}
		case "u":
			p.Unlimited = true
		case "h":
			p.Health = val
		default:
			return p, 0, fmt.Errorf("unknown field %q", key)
		}
	}
	if p.Health == "" {
		return p, 0, errors.New("no health")
	}
	return p, kind, nil
}
