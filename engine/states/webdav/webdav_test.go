package webdav_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hubctl/hub/engine/states"
	"github.com/hubctl/hub/engine/states/statestest"
	"github.com/hubctl/hub/engine/states/webdav"
)

const doc = "/hub/state.json"

// ---------------------------------------------------------------- conformance

func TestConformance(t *testing.T) {
	statestest.Run(t, func(t *testing.T) states.Store { return newServer(t).store() })
}

// Nutstore's MOVE cannot overwrite: the store writes directly.
func TestConformanceMoveCannotOverwrite(t *testing.T) {
	statestest.Run(t, func(t *testing.T) states.Store {
		s := newServer(t)
		s.nutstore = true
		return s.store()
	})
}

// A server that honours If-Match and If-None-Match (SabreDAV, Nextcloud),
// whose MOVE cannot overwrite either, so the conditional PUT is used.
func TestConformanceConditional(t *testing.T) {
	statestest.Run(t, func(t *testing.T) states.Store {
		s := newServer(t)
		s.sabre, s.nutstore = true, true
		return s.store()
	})
}

func TestConformanceEncoded(t *testing.T) {
	statestest.Run(t, func(t *testing.T) states.Store { return newServer(t).store(withCodec(xorCodec{})) })
}

// ---------------------------------------------------------------- load

func TestLoadMissing(t *testing.T) {
	s := newServer(t)
	for _, tc := range []struct {
		name   string
		opts   []opt
		before func()
	}{
		{"no document", nil, nil},
		{"no parent folders", []opt{withPath("a/b/c/state.json")}, nil},
		{"Nutstore's 409 for a missing parent", nil, func() { s.on("GET", endsWith(doc), 1, status(http.StatusConflict)) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.before != nil {
				tc.before()
			}
			st, err := s.store(tc.opts...).Load(bg())
			if err != nil || st.Serial != 0 || st.Lineage == "" {
				t.Fatalf("Load = %+v, %v; want a new state", st, err)
			}
		})
	}
}

func TestLoadUnreadable(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		want       []string
	}{
		{"not JSON", "this is not json", []string{"parse state", "hub state push", "hub/history/"}},
		{"empty", "", []string{"empty (0 bytes)", "half-finished"}},
		{"not hub's", `{"version": 1, "hosts": {}}`, []string{"no lineage"}},
		{"newer hub", `{"version": 99, "lineage": "x"}`, []string{"upgrade hub"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newServer(t)
			s.put(doc, []byte(tc.body))
			st, err := s.store().Load(bg())
			if st != nil {
				t.Fatalf("Load gave a state (serial %d) for an unreadable document", st.Serial)
			}
			failure(t, s, "load", err, append(tc.want, "GET hub/state.json")...)
		})
	}
	t.Run("a web page", func(t *testing.T) {
		s := newServer(t)
		s.on("GET", endsWith(doc), -1, func(w http.ResponseWriter, _ *http.Request, _ http.Handler) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, "<html><body>Please log in</body></html>")
		})
		_, err := s.store().Load(bg())
		failure(t, s, "load", err, "web page")
	})
	t.Run("undecodable", func(t *testing.T) {
		s := newServer(t)
		s.seed(1)
		_, err := s.store(withCodec(xorCodec{})).Load(bg())
		failure(t, s, "load with a codec", err, "decode", "not encoded by this test's codec")
	})
}

// xorCodec stands in for age: the server must see nothing readable.
type xorCodec struct{}

const codecMagic = "XOR1:"

func (xorCodec) Encode(b []byte) ([]byte, error) {
	c := bytes.Clone(b)
	for i := range c {
		c[i] ^= 0x5a
	}
	return []byte(codecMagic + base64.StdEncoding.EncodeToString(c)), nil
}

func (xorCodec) Decode(b []byte) ([]byte, error) {
	rest, ok := bytes.CutPrefix(b, []byte(codecMagic))
	if !ok {
		return nil, errors.New("not encoded by this test's codec")
	}
	c, err := base64.StdEncoding.DecodeString(string(rest))
	if err != nil {
		return nil, err
	}
	for i := range c {
		c[i] ^= 0x5a
	}
	return c, nil
}

func TestCodec(t *testing.T) {
	s := newServer(t)
	last := s.seed(3, withCodec(xorCodec{}))
	raw, _ := s.file(doc)
	if !bytes.HasPrefix(raw, []byte(codecMagic)) || bytes.Contains(raw, []byte(last.Lineage)) {
		t.Fatalf("the document on the server is readable: %.80s", raw)
	}
	hist := s.ls("/hub/history")
	if len(hist) != 2 {
		t.Fatalf("history = %v, want 2 versions", hist)
	}
	for _, h := range hist {
		b, _ := s.file("/hub/history/" + h)
		if !bytes.HasPrefix(b, []byte(codecMagic)) {
			t.Errorf("history %s is readable: %.80s", h, b)
		}
	}
	sameState(t, "load", s.mustLoad(withCodec(xorCodec{})), last)
}

// ---------------------------------------------------------------- save

func TestSaveLayout(t *testing.T) {
	s := newServer(t)
	tick := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	clock := func() time.Time { tick = tick.Add(time.Second); return tick }
	st := s.store(withHistory(3), withNow(clock))
	cur, _ := st.Load(bg())
	var docs [][]byte
	for i := range 6 {
		cur = next(cur, "laptop", fmt.Sprintf("codex.%d", i))
		if err := st.Save(bg(), cur); err != nil {
			t.Fatal(err)
		}
		b, _ := s.file(doc)
		docs = append(docs, b)
	}
	if got := s.ls("/hub"); strings.Join(got, " ") != "history/ state.json state.json.writing/" {
		t.Errorf("the document's folder holds %v; want only history/, state.json and state.json.writing/", got)
	}
	if l := s.leftovers("/hub"); len(l) > 0 {
		t.Errorf("left behind: %v", l)
	}
	hist := s.ls("/hub/history")
	re := regexp.MustCompile(`^state-(\d+)-\d{8}T\d{6}\.\d{3}Z\.json$`)
	var serials []string
	for _, h := range hist {
		m := re.FindStringSubmatch(h)
		if m == nil {
			t.Fatalf("history name %q does not look like state-<serial>-<time>.json", h)
		}
		serials = append(serials, m[1])
		var n int
		fmt.Sscan(m[1], &n)
		if b, _ := s.file("/hub/history/" + h); !bytes.Equal(b, docs[n-1]) {
			t.Errorf("history %s is not the document of serial %d", h, n)
		}
	}
	if strings.Join(serials, " ") != "3 4 5" {
		t.Errorf("history keeps serials %v, want the newest 3: 3 4 5", serials)
	}
}

func TestHistoryDefaultAndNone(t *testing.T) {
	s := newServer(t)
	s.seed(13)
	if n := len(s.ls("/hub/history")); n != webdav.DefaultHistory {
		t.Errorf("history holds %d versions, want the default %d", n, webdav.DefaultHistory)
	}
	s2 := newServer(t)
	s2.seed(3, withHistory(-1))
	if got := s2.ls("/hub"); strings.Join(got, " ") != "state.json state.json.writing/" {
		t.Errorf("with History -1 the folder holds %v, want no history", got)
	}
}

// TestRequestCounts keeps the number of requests small: Nutstore's free
// accounts allow 600 requests in 30 minutes.
func TestRequestCounts(t *testing.T) {
	s := newServer(t)
	st := s.store(withHistory(2))
	var cur *states.State
	var err error
	count := func(what string, max int, f func()) {
		t.Helper()
		reqs := s.count(f)
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		t.Logf("%s: %d requests: %s", what, len(reqs), strings.Join(reqs, ", "))
		if len(reqs) > max {
			t.Errorf("%s took %d requests, want at most %d", what, len(reqs), max)
		}
	}
	count("Load (nothing stored)", 1, func() { cur, err = st.Load(bg()) })
	count("first Save (empty server)", 8, func() { cur = next(cur, "h", "a"); err = st.Save(bg(), cur) })
	for i := range 3 {
		cur = next(cur, "h", fmt.Sprintf("x%d", i))
		if err := st.Save(bg(), cur); err != nil {
			t.Fatal(err)
		}
	}
	count("Load", 1, func() { cur, err = st.Load(bg()) })
	count("Save (history full)", 9, func() { cur = next(cur, "h", "b"); err = st.Save(bg(), cur) })
	var unlock func() error
	count("Lock", 6, func() { unlock, err = st.Lock(bg(), states.LockInfo{ID: "l1"}) })
	count("unlock", 2, func() { err = unlock() })

	n := newServer(t)
	n.nutstore = true
	ns := n.store(withHistory(2))
	ncur := n.seed(3, withHistory(2))
	var m func()
	m = func() { ncur = next(ncur, "h", "n"); err = ns.Save(bg(), ncur) }
	reqs := n.count(m)
	t.Logf("Save where MOVE cannot overwrite (Nutstore), first in a run: %d requests: %s", len(reqs), strings.Join(reqs, ", "))
	count2 := len(n.count(m))
	t.Logf("Save where MOVE cannot overwrite, later in the same run: %d requests", count2)
	if len(reqs) > 12 || count2 > 9 {
		t.Errorf("Nutstore saves took %d and %d requests", len(reqs), count2)
	}
}

// Two hosts save at the same moment from the same snapshot, over and over:
// exactly one wins each time; the other gets a conflict and the server
// holds the winner's document. The server ignores If-Match.
func TestTwoHostsAtOnce(t *testing.T) {
	for _, nutstore := range []bool{false, true} {
		t.Run(fmt.Sprintf("nutstore=%v", nutstore), func(t *testing.T) {
			s := newServer(t)
			s.nutstore = nutstore
			cur := s.seed(1)
			a, b := s.store(), s.store()
			for round := range 10 {
				mine := []*states.State{next(cur, "a", fmt.Sprint(round)), next(cur, "b", fmt.Sprint(round))}
				errs := make([]error, 2)
				var wg sync.WaitGroup
				start := make(chan struct{})
				for i, st := range []*states.DocStore{a, b} {
					wg.Go(func() {
						<-start
						errs[i] = st.Save(bg(), mine[i])
					})
				}
				close(start)
				wg.Wait()
				got := s.mustLoad()
				var won []int
				for i, err := range errs {
					if err == nil {
						won = append(won, i)
					} else if !isConflict(err) {
						t.Fatalf("round %d: %s failed with %v, want a conflict", round, "ab"[i:i+1], err)
					}
				}
				if len(won) != 1 {
					t.Fatalf("round %d: %d saves succeeded (%v); the server holds serial %d", round, len(won), errs, got.Serial)
				}
				sameState(t, fmt.Sprintf("round %d", round), got, mine[won[0]])
				cur = got
			}
			if l := s.leftovers("/hub"); len(l) > 0 {
				t.Errorf("left behind: %v", l)
			}
		})
	}
}

// A run that died holding the write mutex (with its upload inside) does not
// block the next save for longer than the grace period (3×Timeout + 1s),
// and its upload goes.
func TestDeadWriterMutex(t *testing.T) {
	s := newServer(t)
	cur := s.seed(1)
	s.put(doc+".writing/state.json.hub-tmp-1-dead", []byte("half an upload"))
	st := s.store(withTimeout(100 * time.Millisecond))
	start := time.Now()
	n := next(cur, "h", "after-crash")
	if err := st.Save(bg(), n); err != nil {
		t.Fatal(err)
	}
	// The grace is 1.3s; server times have a resolution of 1s.
	if d := time.Since(start); d < 250*time.Millisecond || d > 4*time.Second {
		t.Errorf("the save took %s; want it to wait out the 1.3s grace (less up to 1s), no more", d)
	}
	sameState(t, "after", s.mustLoad(), n)
	if l := s.leftovers("/hub"); len(l) > 0 {
		t.Errorf("left behind: %v", l)
	}

	// A mutex the server says is old is broken at once.
	s.put(doc+".writing/state.json.hub-tmp-1-dead", []byte("half an upload"))
	s.on("PROPFIND", endsWith(".writing/"), 1, func(w http.ResponseWriter, r *http.Request, _ http.Handler) {
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(http.StatusMultiStatus)
		fmt.Fprintf(w, `<?xml version="1.0"?><D:multistatus xmlns:D="DAV:"><D:response><D:href>%s</D:href><D:propstat><D:prop><D:resourcetype><D:collection/></D:resourcetype><D:getlastmodified>Mon, 02 Jan 2006 15:04:05 GMT</D:getlastmodified></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response></D:multistatus>`, r.URL.Path)
	})
	start = time.Now()
	n = next(n, "h", "old-crash")
	if err := s.store(withTimeout(5*time.Second)).Save(bg(), n); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("breaking an old mutex took %s", d)
	}
	sameState(t, "after an old crash", s.mustLoad(), n)
}

// A write that could not release the mutex (the server went away) does
// not hold up the next write of the same process.
func TestAbandonedMutex(t *testing.T) {
	s := newServer(t)
	cur := s.seed(1)
	s.on("DELETE", has("hub-tmp"), 2, drop)
	unlock, err := s.store().Lock(bg(), states.LockInfo{ID: "l"})
	if err != nil {
		t.Fatalf("a lock whose mutex release failed: %v", err)
	}
	defer unlock()
	if l := s.leftovers("/hub"); len(l) != 1 {
		t.Fatalf("the mutex was released after all: %v", l)
	}
	start := time.Now()
	n := next(cur, "h", "y")
	if err := s.store().Save(bg(), n); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("the next save waited %s for the mutex this process left", d)
	}
	sameState(t, "after", s.mustLoad(), n)
	if l := s.leftovers("/hub"); len(l) > 0 {
		t.Errorf("left behind: %v", l)
	}
}

// A writer that is slow never replaces the document after its budget
// (2×Timeout), when another run may already have broken its mutex.
func TestSlowWriterStops(t *testing.T) {
	s := newServer(t)
	cur := s.seed(1)
	s.on("", anyPath, -1, func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		if r.Header.Get("X-Slow") != "" {
			time.Sleep(120 * time.Millisecond)
		}
		next.ServeHTTP(w, r)
	})
	slow := s.store(withTimeout(150*time.Millisecond), withTransport(slowTransport{}))
	s.resetLog()
	err := slow.Save(bg(), next(cur, "slow", "x"))
	failure(t, s, "slow save", err, "took longer than 300ms", "unchanged")
	if strings.Contains(strings.Join(s.requests(), "\n"), "MOVE ") {
		t.Error("the slow writer sent its MOVE")
	}
	sameState(t, "after", s.mustLoad(), cur)
}

type slowTransport struct{}

func (slowTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("X-Slow", "1")
	return http.DefaultTransport.RoundTrip(r)
}

// A writer whose mutex was broken finds its upload gone and stops.
func TestBrokenWriterStops(t *testing.T) {
	s := newServer(t)
	cur := s.seed(1)
	s.on("PUT", has("history/"), 1, hook(func(*http.Request) {
		if err := s.fs.RemoveAll(bg(), doc+".writing"); err != nil {
			t.Error(err)
		}
	}))
	s.resetLog()
	err := s.store().Save(bg(), next(cur, "h", "x"))
	failure(t, s, "save", err, "took over this run's write lock", "unchanged by this run")
	if strings.Contains(strings.Join(s.requests(), "\n"), "MOVE ") {
		t.Error("the writer sent its MOVE")
	}
	sameState(t, "after", s.mustLoad(), cur)
}

func TestMoveCannotOverwrite(t *testing.T) {
	s := newServer(t)
	s.nutstore = true
	st := s.store(withHistory(2))
	cur := s.seed(2, withHistory(2))
	for i := range 3 {
		cur = next(cur, "h", fmt.Sprint(i))
		if err := st.Save(bg(), cur); err != nil {
			t.Fatal(err)
		}
		sameState(t, "after save", s.mustLoad(), cur)
	}
	if l := s.leftovers("/hub"); len(l) > 0 {
		t.Errorf("left behind: %v", l)
	}
	if n := len(s.ls("/hub/history")); n != 2 {
		t.Errorf("history holds %d versions, want 2", n)
	}
}

func TestMoveFailures(t *testing.T) {
	for _, code := range []int{http.StatusForbidden, http.StatusMethodNotAllowed, http.StatusNotImplemented, http.StatusBadGateway, http.StatusInternalServerError} {
		t.Run(fmt.Sprintf("%d falls back to PUT", code), func(t *testing.T) {
			s := newServer(t)
			cur := s.seed(1)
			s.on("MOVE", anyPath, 1, status(code))
			n := next(cur, "h", "x")
			if err := s.store().Save(bg(), n); err != nil {
				t.Fatal(err)
			}
			sameState(t, "after", s.mustLoad(), n)
			if l := s.leftovers("/hub"); len(l) > 0 {
				t.Errorf("left behind: %v", l)
			}
		})
	}
	for _, code := range []int{http.StatusInsufficientStorage, http.StatusServiceUnavailable, http.StatusLocked, http.StatusUnauthorized} {
		t.Run(fmt.Sprintf("%d fails and keeps the document", code), func(t *testing.T) {
			s := newServer(t)
			cur := s.seed(1)
			s.on("MOVE", anyPath, -1, status(code))
			s.resetLog()
			err := s.store().Save(bg(), next(cur, "h", "x"))
			failure(t, s, "save", err, fmt.Sprint(code), "MOVE", "unchanged")
			if isConflict(err) {
				t.Error("reported as a conflict")
			}
			sameState(t, "after", s.mustLoad(), cur)
			if moves := strings.Count(strings.Join(s.requests(), "\n"), "MOVE "); moves != 1 {
				t.Errorf("%d MOVEs sent; the MOVE must not be repeated blindly", moves)
			}
			if l := s.leftovers("/hub"); len(l) > 0 {
				t.Errorf("left behind: %v", l)
			}
		})
	}
	t.Run("a failed MOVE that deleted the document", func(t *testing.T) {
		s := newServer(t)
		cur := s.seed(1)
		s.on("MOVE", anyPath, 1, func(w http.ResponseWriter, _ *http.Request, _ http.Handler) {
			_ = s.fs.RemoveAll(bg(), doc) // as x/net/webdav does when the rename then fails
			http.Error(w, "rename failed", http.StatusForbidden)
		})
		n := next(cur, "h", "x")
		if err := s.store().Save(bg(), n); err != nil {
			t.Fatal(err)
		}
		sameState(t, "after", s.mustLoad(), n)
	})
	t.Run("answer lost after the move", func(t *testing.T) {
		s := newServer(t)
		cur := s.seed(1)
		s.on("MOVE", anyPath, 1, func(w http.ResponseWriter, r *http.Request, next http.Handler) {
			next.ServeHTTP(httptest.NewRecorder(), r)
			drop(w, r, next)
		})
		n := next(cur, "h", "x")
		if err := s.store().Save(bg(), n); err != nil {
			t.Fatalf("a MOVE that happened but lost its answer: %v", err)
		}
		sameState(t, "after", s.mustLoad(), n)
	})
	t.Run("timeout before the move", func(t *testing.T) {
		s := newServer(t)
		cur := s.seed(1)
		s.on("MOVE", anyPath, 1, delay(time.Minute))
		err := s.store(withTimeout(300*time.Millisecond)).Save(bg(), next(cur, "h", "x"))
		failure(t, s, "save", err, "no answer within 300ms", "unchanged")
		sameState(t, "after", s.mustLoad(), cur)
	})
}

// Where the document is written directly, If-Match (or If-None-Match for a
// new document) stops a write over a change made by another client.
func TestConditionalPut(t *testing.T) {
	t.Run("If-Match", func(t *testing.T) {
		s := newServer(t)
		s.sabre, s.nutstore = true, true
		cur := s.seed(2)
		other := next(cur, "other", "x")
		otherDoc, _ := states.Encode(other)
		var ifMatch string
		s.on("PUT", endsWith(doc), 1, hook(func(r *http.Request) {
			ifMatch = r.Header.Get("If-Match")
			s.put(doc, otherDoc) // another client, not hub, writes meanwhile
		}))
		err := s.store().Save(bg(), next(cur, "h", "x"))
		if !isConflict(err) {
			t.Fatalf("save over a change: %v, want a conflict", err)
		}
		if ifMatch == "" {
			t.Error("the PUT sent no If-Match")
		}
		sameState(t, "after", s.mustLoad(), other)
	})
	t.Run("If-None-Match", func(t *testing.T) {
		s := newServer(t)
		s.sabre = true
		other := next(states.New(), "other", "x")
		otherDoc, _ := states.Encode(other)
		s.on("MOVE", anyPath, 1, status(http.StatusMethodNotAllowed))
		var ifNone string
		s.on("PUT", endsWith(doc), 1, hook(func(r *http.Request) {
			ifNone = r.Header.Get("If-None-Match")
			s.put(doc, otherDoc)
		}))
		err := s.store().Save(bg(), next(states.New(), "h", "x"))
		if !isConflict(err) {
			t.Fatalf("save over a new document: %v, want a conflict", err)
		}
		if ifNone != "*" {
			t.Errorf("If-None-Match = %q, want *", ifNone)
		}
		sameState(t, "after", s.mustLoad(), other)
	})
}

func TestHalfFinishedUpload(t *testing.T) {
	t.Run("upload", func(t *testing.T) {
		s := newServer(t)
		cur := s.seed(2)
		s.on("PUT", has("hub-tmp"), 1, truncateUpload)
		n := next(cur, "h", "x")
		err := s.store().Save(bg(), n)
		failure(t, s, "save", err, "did not arrive whole", "unchanged")
		sameState(t, "after", s.mustLoad(), cur)
		if l := s.leftovers("/hub"); len(l) > 0 {
			t.Errorf("left behind: %v", l)
		}
		if err := s.store().Save(bg(), n); err != nil {
			t.Fatalf("the next save: %v", err)
		}
	})
	t.Run("direct upload", func(t *testing.T) {
		s := newServer(t)
		s.nutstore = true
		cur := s.seed(2)
		before, _ := s.file(doc)
		s.on("PUT", endsWith(doc), 1, truncateUpload)
		err := s.store().Save(bg(), next(cur, "h", "x"))
		failure(t, s, "save", err, "did not arrive whole", "previous state was put back")
		if after, _ := s.file(doc); !bytes.Equal(after, before) {
			t.Fatalf("the document is not the previous one: %.200s", after)
		}
	})
	t.Run("answer cut short once", func(t *testing.T) {
		s := newServer(t)
		cur := s.seed(1)
		s.on("GET", endsWith(doc), 1, truncateAnswer)
		got, err := s.store().Load(bg())
		if err != nil {
			t.Fatal(err)
		}
		sameState(t, "load", got, cur)
	})
	t.Run("answer always cut short", func(t *testing.T) {
		s := newServer(t)
		s.seed(1)
		s.on("GET", endsWith(doc), -1, truncateAnswer)
		_, err := s.store().Load(bg())
		failure(t, s, "load", err, "GET hub/state.json")
	})
}

func TestFolders(t *testing.T) {
	t.Run("nested", func(t *testing.T) {
		s := newServer(t)
		s.seed(2, withPath("a/b/c/state.json"))
		if _, ok := s.file("/a/b/c/state.json"); !ok {
			t.Fatal("no document")
		}
	})
	t.Run("root", func(t *testing.T) {
		s := newServer(t)
		cur := s.seed(2, withPath("state.json"))
		sameState(t, "load", s.mustLoad(withPath("state.json")), cur)
	})
	t.Run("Nutstore refuses top-level folders", func(t *testing.T) {
		s := newServer(t)
		s.on("MKCOL", endsWith("/hub/"), -1, status(http.StatusConflict))
		err := s.store().Save(bg(), next(states.New(), "h", "x"))
		failure(t, s, "save", err, "create the folder hub in the web UI first")
	})
	t.Run("Alist answers 405 for missing parents", func(t *testing.T) {
		s := newServer(t)
		noParent := func(w http.ResponseWriter, r *http.Request, next http.Handler) {
			name := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, prefix), "/")
			if _, ok := s.etag(path.Dir(name)); !ok {
				http.Error(w, "no parent", http.StatusMethodNotAllowed)
				return
			}
			next.ServeHTTP(w, r)
		}
		s.on("MKCOL", anyPath, -1, noParent)
		s.on("PUT", anyPath, -1, noParent)
		n := next(states.New(), "h", "x")
		if err := s.store(withPath("a/b/state.json")).Save(bg(), n); err != nil {
			t.Fatal(err)
		}
		sameState(t, "load", s.mustLoad(withPath("a/b/state.json")), n)
	})
}

// ---------------------------------------------------------------- errors

func TestStatusErrors(t *testing.T) {
	for _, tc := range []struct {
		code int
		want string
	}{
		{http.StatusUnauthorized, "app password"},
		{http.StatusForbidden, "permissions"},
		{http.StatusNotFound, "check the url"},
		{http.StatusMethodNotAllowed, "does not allow"},
		{http.StatusLocked, "retry later"},
		{http.StatusTooManyRequests, "600 requests per 30 minutes"},
		{http.StatusInternalServerError, "the server failed"},
		{http.StatusServiceUnavailable, "the server failed"},
		{http.StatusInsufficientStorage, "storage is full"},
		{http.StatusPreconditionFailed, "changed it meanwhile"},
	} {
		t.Run(fmt.Sprint(tc.code), func(t *testing.T) {
			s := newServer(t)
			cur := s.seed(1)
			if tc.code != http.StatusNotFound {
				s.on("GET", endsWith(doc), -1, status(tc.code))
				_, err := s.store().Load(bg())
				failure(t, s, "load", err, fmt.Sprint(tc.code), "GET hub/state.json", tc.want)
				s.clearFaults()
			}
			s.on("PUT", has("history/"), -1, status(tc.code))
			err := s.store().Save(bg(), next(cur, "h", "x"))
			if tc.code == http.StatusNotFound || tc.code == http.StatusMethodNotAllowed {
				// The store creates the folder and tries once more.
				failure(t, s, "save", err, fmt.Sprint(tc.code), "PUT hub/history/")
			} else {
				failure(t, s, "save", err, fmt.Sprint(tc.code), "PUT hub/history/", tc.want, "unchanged")
			}
			if isConflict(err) {
				t.Error("reported as a conflict")
			}
			sameState(t, "after", s.mustLoad(), cur)
			if l := s.leftovers("/hub"); len(l) > 0 {
				t.Errorf("left behind: %v", l)
			}
		})
	}
}

func TestWrongPassword(t *testing.T) {
	s := newServer(t)
	st, err := newStore(webdav.Options{URL: s.url(), Username: user, Password: "wrong-Zq7#Vx9-guess"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = st.Load(bg())
	failure(t, s, "load", err, "401", "check them", "app password")
	if strings.Contains(err.Error(), "wrong-Zq7") {
		t.Fatal("the error holds the password")
	}
}

func TestRetries(t *testing.T) {
	t.Run("GET 503 once", func(t *testing.T) {
		s := newServer(t)
		cur := s.seed(1)
		s.on("GET", endsWith(doc), 1, status(http.StatusServiceUnavailable))
		reqs := s.count(func() { sameState(t, "load", s.mustLoad(), cur) })
		if len(reqs) != 2 {
			t.Errorf("requests: %v", reqs)
		}
	})
	t.Run("connection dropped once", func(t *testing.T) {
		s := newServer(t)
		cur := s.seed(1)
		s.on("GET", endsWith(doc), 1, drop)
		sameState(t, "load", s.mustLoad(), cur)
	})
	t.Run("upload 500 once", func(t *testing.T) {
		s := newServer(t)
		cur := s.seed(1)
		s.on("PUT", has("hub-tmp"), 1, status(http.StatusInternalServerError))
		n := next(cur, "h", "x")
		if err := s.store().Save(bg(), n); err != nil {
			t.Fatal(err)
		}
		sameState(t, "after", s.mustLoad(), n)
	})
	t.Run("MKCOL 502 once", func(t *testing.T) {
		s := newServer(t)
		cur := s.seed(1)
		s.on("MKCOL", anyPath, 1, status(http.StatusBadGateway))
		if err := s.store().Save(bg(), next(cur, "h", "x")); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("timeout once", func(t *testing.T) {
		s := newServer(t)
		cur := s.seed(1)
		s.on("GET", endsWith(doc), 1, delay(time.Minute))
		got, err := s.store(withTimeout(300 * time.Millisecond)).Load(bg())
		if err != nil {
			t.Fatal(err)
		}
		sameState(t, "load", got, cur)
	})
	t.Run("timeout always", func(t *testing.T) {
		s := newServer(t)
		s.seed(1)
		s.on("GET", endsWith(doc), -1, delay(time.Minute))
		_, err := s.store(withTimeout(200 * time.Millisecond)).Load(bg())
		failure(t, s, "load", err, "no answer within 200ms", "slow or down")
	})
}

func TestServerDown(t *testing.T) {
	u := closedURL(t)
	st, err := newStore(webdav.Options{URL: u, Username: user, Password: password})
	if err != nil {
		t.Fatal(err)
	}
	_, err = st.Load(bg())
	failure(t, nil, "load", err, strings.TrimSuffix(u, prefix), "connection refused", "is down")
	err = st.Save(bg(), next(states.New(), "h", "x"))
	failure(t, nil, "save", err, strings.TrimSuffix(u, prefix), "connection refused")
	_, err = st.Lock(bg(), states.LockInfo{ID: "x"})
	failure(t, nil, "lock", err, "connection refused")
}

func TestRedirects(t *testing.T) {
	t.Run("to another origin", func(t *testing.T) {
		var mu sync.Mutex
		var seen []string
		cdn := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			seen = append(seen, r.Header.Get("Authorization"))
			mu.Unlock()
			fmt.Fprint(w, "{}")
		}))
		defer cdn.Close()
		s := newServer(t)
		s.seed(1)
		s.on("GET", endsWith(doc), -1, redirect(cdn.URL+"/signed/state.json?sig=cdn-token", http.StatusFound))
		_, err := s.store().Load(bg())
		failure(t, s, "load", err, "redirected to another server", cdn.URL, "Alist")
		if strings.Contains(err.Error(), "cdn-token") {
			t.Error("the error holds the signed URL")
		}
		mu.Lock()
		defer mu.Unlock()
		for _, a := range seen {
			if a != "" {
				t.Fatalf("the other origin received Authorization %q", a)
			}
		}
	})
	t.Run("same origin", func(t *testing.T) {
		s := newServer(t)
		cur := s.seed(1)
		s.on("GET", endsWith(doc), 1, redirect(s.url()+doc+"?moved=1", http.StatusFound))
		sameState(t, "load", s.mustLoad(), cur)
		s.on("PUT", has("hub-tmp"), 1, func(w http.ResponseWriter, r *http.Request, _ http.Handler) {
			w.Header().Set("Location", r.URL.Path+"?redirected=1")
			w.WriteHeader(http.StatusTemporaryRedirect)
		})
		s.on("PROPFIND", anyPath, 1, func(w http.ResponseWriter, r *http.Request, _ http.Handler) {
			w.Header().Set("Location", r.URL.Path+"?again=1")
			w.WriteHeader(http.StatusMovedPermanently)
		})
		n := next(cur, "h", "x")
		if err := s.store().Save(bg(), n); err != nil {
			t.Fatal(err)
		}
		sameState(t, "after", s.mustLoad(), n)
	})
	t.Run("loop", func(t *testing.T) {
		s := newServer(t)
		s.on("GET", endsWith(doc), -1, redirect(s.url()+doc, http.StatusFound))
		_, err := s.store().Load(bg())
		failure(t, s, "load", err, "more than 3 redirects")
	})
}

// ---------------------------------------------------------------- locks

func lockInfo(id, who string, created time.Time) states.LockInfo {
	return states.LockInfo{ID: id, Operation: "apply", Who: who, PID: 99, Created: created}
}

func (s *davServer) putLock(info states.LockInfo) {
	b, _ := json.Marshal(info)
	s.put(doc+".lock", b)
}

func TestStaleLockReported(t *testing.T) {
	s := newServer(t)
	s.putLock(lockInfo("old-lock", "ghost@nowhere", time.Now().Add(-time.Hour)))
	_, err := s.store().Lock(bg(), lockInfo("me", "me@here", time.Time{}))
	var le *webdav.LockError
	var sle *states.LockedError
	if !errors.As(err, &le) || !le.Stale || !errors.As(err, &sle) || sle.Holder.ID != "old-lock" {
		t.Fatalf("Lock over a stale lock: %v", err)
	}
	failure(t, nil, "lock", err, "older than 15m0s", "hub state unlock old-lock", "ghost@nowhere")
	if _, ok := s.file(doc + ".lock"); !ok {
		t.Fatal("the stale lock was broken")
	}

	s.putLock(lockInfo("busy", "alice@laptop", time.Now()))
	_, err = s.store().Lock(bg(), lockInfo("me", "me@here", time.Time{}))
	if !errors.As(err, &le) || le.Stale {
		t.Fatalf("Lock over a fresh lock: %v", err)
	}
	failure(t, nil, "lock", err, "wait for that run to finish", "hub state unlock busy")
}

// Two hosts take the lock at once on a server that ignores If-None-Match:
// both PUTs arrive before either lands. The read-back decides.
func TestLockRace(t *testing.T) {
	s := newServer(t)
	arrived, firstDone := make(chan struct{}), make(chan struct{})
	var n atomic.Int32
	s.on("PUT", endsWith(".lock"), 2, func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		if n.Add(1) == 1 {
			<-arrived
			next.ServeHTTP(w, r)
			close(firstDone)
			return
		}
		close(arrived)
		<-firstDone
		next.ServeHTTP(w, r)
	})
	infos := []states.LockInfo{lockInfo("a", "a@one", time.Time{}), lockInfo("b", "b@two", time.Time{})}
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for i := range 2 {
		wg.Go(func() { _, errs[i] = s.store().Lock(bg(), infos[i]) })
	}
	wg.Wait()
	var won []int
	for i, err := range errs {
		if err == nil {
			won = append(won, i)
		}
	}
	if len(won) != 1 {
		t.Fatalf("%d hosts got the lock: %v", len(won), errs)
	}
	var le *states.LockedError
	loser := errs[1-won[0]]
	if !errors.As(loser, &le) || le.Holder == nil || le.Holder.ID != infos[won[0]].ID {
		t.Fatalf("the loser's error: %v", loser)
	}
}

// Where If-None-Match is honoured, a lock created between the check and
// the PUT is not overwritten.
func TestLockIfNoneMatch(t *testing.T) {
	s := newServer(t)
	s.sabre = true
	s.putLock(lockInfo("theirs", "them@there", time.Now()))
	s.on("GET", endsWith(".lock"), 1, status(http.StatusNotFound)) // the check misses it
	var ifNone string
	s.on("PUT", endsWith(".lock"), 1, hook(func(r *http.Request) { ifNone = r.Header.Get("If-None-Match") }))
	_, err := s.store().Lock(bg(), lockInfo("mine", "me@here", time.Time{}))
	var le *states.LockedError
	if !errors.As(err, &le) || le.Holder.ID != "theirs" {
		t.Fatalf("Lock: %v", err)
	}
	if ifNone != "*" {
		t.Errorf("If-None-Match = %q", ifNone)
	}
}

func TestUnlockOnlyOwnLock(t *testing.T) {
	s := newServer(t)
	st := s.store()
	unlock, err := st.Lock(bg(), lockInfo("mine", "me@here", time.Time{}))
	if err != nil {
		t.Fatal(err)
	}
	s.putLock(lockInfo("theirs", "them@there", time.Now())) // broken and retaken meanwhile
	err = unlock()
	failure(t, nil, "unlock", err, "no longer this run's", "theirs")
	if b, _ := s.file(doc + ".lock"); !bytes.Contains(b, []byte("theirs")) {
		t.Fatal("unlock removed another run's lock")
	}

	if err := st.ForceUnlock(bg(), "theirs"); err != nil {
		t.Fatal(err)
	}
	failure(t, nil, "force unlock with nothing locked", st.ForceUnlock(bg(), "theirs"), "not locked")
	s.put(doc+".lock", []byte("garbage"))
	failure(t, nil, "force unlock of an unreadable lock", st.ForceUnlock(bg(), "x"), "cannot be read")
	_, err = st.Lock(bg(), lockInfo("mine", "me@here", time.Time{}))
	failure(t, nil, "lock over an unreadable lock", err, "cannot be read")

	unlock2 := func() error { return nil }
	if err := st.ForceUnlock(bg(), ""); err == nil {
		t.Error("ForceUnlock of an unreadable lock succeeded")
	}
	_ = unlock2
}

// ---------------------------------------------------------------- force push

func TestForcePushOverUnreadable(t *testing.T) {
	s := newServer(t)
	s.put(doc, []byte("damaged"))
	n := next(states.New(), "h", "x")
	err := s.store().Save(bg(), n)
	failure(t, s, "save over an unreadable document", err, "hub state push")
	if isConflict(err) {
		t.Error("reported as a conflict")
	}
	if err := s.store().ForcePush(bg(), n); err != nil {
		t.Fatal(err)
	}
	sameState(t, "after push", s.mustLoad(), n)
	hist := s.ls("/hub/history")
	if len(hist) != 1 || !strings.HasPrefix(hist[0], "state-x-") {
		t.Fatalf("history = %v, want the damaged document kept as state-x-…", hist)
	}
	if b, _ := s.file("/hub/history/" + hist[0]); string(b) != "damaged" {
		t.Errorf("history holds %q", b)
	}
}

// ---------------------------------------------------------------- options

func TestNew(t *testing.T) {
	s := newServer(t)
	u, _ := url.Parse(s.url())
	withCreds := u.Scheme + "://" + url.UserPassword(user, password).String() + "@" + u.Host + u.Path
	st, err := newStore(webdav.Options{URL: withCreds})
	if err != nil {
		t.Fatal(err)
	}
	if d := st.Describe(); d != s.url()+doc {
		t.Errorf("Describe = %q, want %q", d, s.url()+doc)
	}
	if _, err := st.Load(bg()); err != nil {
		t.Fatalf("credentials from the url: %v", err)
	}
	for _, tc := range []struct {
		o    webdav.Options
		want string
	}{
		{webdav.Options{}, "url is empty"},
		{webdav.Options{URL: "ftp://host/x"}, "must start with https://"},
		{webdav.Options{URL: "dav.example.com/x"}, "must start with https://"},
		{webdav.Options{URL: "http://u:" + password + "@[::1/x"}, "not a valid URL"},
		{webdav.Options{URL: "https://" + url.UserPassword("u", password).String() + "@host/x?a=b"}, "must not have a query"},
		{webdav.Options{URL: "https://host/x", Path: "../state.json"}, "must be a file path"},
		{webdav.Options{URL: "https://host/x", Path: "/"}, "must be a file path"},
	} {
		_, err := webdav.New(tc.o)
		failure(t, nil, "New", err, tc.want)
	}
}

// Every failure mode, with the password given in the options and in the
// url: no error, however printed, holds it.
func TestPasswordNeverInErrors(t *testing.T) {
	cdn := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {}))
	defer cdn.Close()
	type mode struct {
		name  string
		fault func(s *davServer)
	}
	modes := []mode{{"down", nil}}
	for _, code := range []int{401, 403, 404, 405, 409, 412, 423, 429, 500, 502, 503, 507} {
		modes = append(modes, mode{fmt.Sprint(code), func(s *davServer) { s.on("", anyPath, -1, status(code)) }})
	}
	modes = append(modes,
		mode{"timeout", func(s *davServer) { s.on("", anyPath, -1, delay(time.Minute)) }},
		mode{"drop", func(s *davServer) { s.on("", anyPath, -1, drop) }},
		mode{"cut short", func(s *davServer) { s.on("GET", anyPath, -1, truncateAnswer) }},
		mode{"half upload", func(s *davServer) { s.on("PUT", anyPath, -1, truncateUpload) }},
		mode{"redirect away", func(s *davServer) { s.on("", anyPath, -1, redirect(cdn.URL+"/x", http.StatusFound)) }},
		mode{"redirect loop", func(s *davServer) { s.on("", anyPath, -1, redirect(s.url()+doc, http.StatusFound)) }},
		mode{"garbage", func(s *davServer) { s.put(doc, []byte("garbage")); s.put(doc+".lock", []byte("garbage")) }},
	)
	check := func(t *testing.T, what string, err error) {
		t.Helper()
		if err == nil {
			return
		}
		for _, text := range []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err)} {
			if strings.Contains(text, password) || strings.Contains(text, url.QueryEscape(password)) || strings.Contains(text, "Zq7") {
				t.Errorf("%s: the error holds the password: %s", what, text)
			}
		}
	}
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			s := newServer(t)
			cur := s.seed(1)
			u := s.url()
			if m.fault == nil {
				u = closedURL(t)
			} else {
				m.fault(s)
			}
			pu, _ := url.Parse(u)
			pu.User = url.UserPassword(user, password)
			for _, o := range []webdav.Options{
				{URL: u, Username: user, Password: password, Timeout: 200 * time.Millisecond},
				{URL: pu.String(), Timeout: 200 * time.Millisecond},
			} {
				st, err := newStore(o)
				if err != nil {
					t.Fatal(err)
				}
				_, err = st.Load(bg())
				check(t, "load", err)
				check(t, "save", st.Save(bg(), next(cur, "h", "x")))
				check(t, "push", st.ForcePush(bg(), next(cur, "h", "y")))
				unlock, err := st.Lock(bg(), states.LockInfo{ID: "l"})
				check(t, "lock", err)
				if err == nil {
					check(t, "unlock", unlock())
				}
				check(t, "force unlock", st.ForceUnlock(bg(), "nobody"))
				if strings.Contains(st.Describe(), "Zq7") {
					t.Errorf("Describe holds the password: %s", st.Describe())
				}
			}
		})
	}
}

// gowebdav escapes each segment of the URLs it builds, the host's too: a
// server named by an IPv6 literal is still reached, and a MOVE names it
// in its Destination. (The transport dials the test server on 127.0.0.1.)
func TestIPv6LiteralHost(t *testing.T) {
	s := newServer(t)
	addr := s.ts.Listener.Addr().String()
	_, port, _ := net.SplitHostPort(addr)
	var hosts, dests []string
	var mu sync.Mutex
	s.on("", anyPath, -1, hook(func(r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		hosts = append(hosts, r.Host)
		if d := r.Header.Get("Destination"); d != "" {
			dests = append(dests, d)
		}
	}))
	tr := &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}}
	st := s.store(withURL("http://[::1]:"+port+prefix), withTransport(tr))
	if want := "http://[::1]:" + port + prefix + doc; st.Describe() != want {
		t.Errorf("Describe = %q, want %q", st.Describe(), want)
	}
	cur, err := st.Load(bg())
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		cur = next(cur, "h", fmt.Sprint(i))
		if err := st.Save(bg(), cur); err != nil {
			t.Fatal(err)
		}
	}
	got, err := st.Load(bg())
	if err != nil {
		t.Fatal(err)
	}
	sameState(t, "load", got, cur)
	mu.Lock()
	defer mu.Unlock()
	for _, h := range hosts {
		if h != "[::1]:"+port {
			t.Fatalf("a request went to host %q", h)
		}
	}
	if len(dests) == 0 {
		t.Fatal("no MOVE sent")
	}
	for _, d := range dests {
		if !strings.HasPrefix(d, "http://[::1]:"+port+prefix+"/") {
			t.Errorf("Destination = %q", d)
		}
	}
}

// A listing of the write mutex's folder that cannot be read never passes
// for an empty folder (where no other writer is): gowebdav's ReadDir skips
// what it cannot parse, so the store checks the answer itself.
func TestListingUnreadable(t *testing.T) {
	for _, tc := range []struct {
		name string
		act  action
	}{
		{"not XML", func(w http.ResponseWriter, _ *http.Request, _ http.Handler) {
			w.Header().Set("Content-Type", "application/xml")
			w.WriteHeader(http.StatusMultiStatus)
			fmt.Fprint(w, "this is not a listing <")
		}},
		{"empty", func(w http.ResponseWriter, _ *http.Request, _ http.Handler) {
			w.WriteHeader(http.StatusMultiStatus)
		}},
		{"a web page", func(w http.ResponseWriter, _ *http.Request, _ http.Handler) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusMultiStatus)
			fmt.Fprint(w, "<html><body>Please log in</body></html>")
		}},
		{"cut short", truncateAnswer},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newServer(t)
			cur := s.seed(1)
			s.on("PROPFIND", endsWith(".writing/"), -1, tc.act)
			err := s.store().Save(bg(), next(cur, "h", "x"))
			failure(t, s, "save", err, "PROPFIND hub/state.json.writing/")
			sameState(t, "after", s.mustLoad(), cur)
			s.clearFaults()
			if l := s.leftovers("/hub"); len(l) > 0 {
				t.Errorf("left behind: %v", l)
			}
		})
	}
	t.Run("cut short once", func(t *testing.T) {
		s := newServer(t)
		cur := s.seed(1)
		s.on("PROPFIND", endsWith(".writing/"), 1, truncateAnswer)
		n := next(cur, "h", "x")
		if err := s.store().Save(bg(), n); err != nil {
			t.Fatal(err)
		}
		sameState(t, "after", s.mustLoad(), n)
	})
}
