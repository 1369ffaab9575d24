package webdav_test

// An in-process golang.org/x/net/webdav server (memory file system, basic
// auth) behind a fault-injecting middleware, for the store's unit and
// conformance tests.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	xwebdav "golang.org/x/net/webdav"

	"github.com/hubctl/hub/engine/states"
	"github.com/hubctl/hub/engine/states/webdav"
)

const (
	user = "hub-user"
	// password is distinctive so a leak into any error is found by grep.
	password = "pw-Zq7#Vx9!never-in-errors"
	prefix   = "/dav"
)

// action handles a request the middleware intercepted; next is the WebDAV
// handler.
type action func(w http.ResponseWriter, r *http.Request, next http.Handler)

type fault struct {
	method string
	match  func(path string) bool // the path below the prefix
	times  int                    // how many more requests it applies to; <0: all
	act    action
}

func endsWith(suffix string) func(string) bool {
	return func(p string) bool { return strings.HasSuffix(p, suffix) }
}

func has(part string) func(string) bool {
	return func(p string) bool { return strings.Contains(p, part) }
}

func anyPath(string) bool { return true }

type davServer struct {
	t  *testing.T
	fs xwebdav.FileSystem
	h  http.Handler
	ts *httptest.Server

	mu     sync.Mutex
	log    []string
	faults []*fault
	// sabre makes PUT and DELETE honour If-Match and If-None-Match, as
	// SabreDAV (Nextcloud) does; x/net/webdav ignores them.
	sabre bool
	// nutstore makes MOVE onto an existing file fail with 409.
	nutstore bool
}

func newServer(t *testing.T) *davServer {
	t.Helper()
	fs := xwebdav.NewMemFS()
	s := &davServer{t: t, fs: fs, h: &xwebdav.Handler{Prefix: prefix, FileSystem: fs, LockSystem: xwebdav.NewMemLS()}}
	s.ts = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.ts.Close)
	t.Cleanup(func() {
		for _, l := range s.requests() {
			if strings.HasPrefix(l, "PROPFIND") && !strings.HasSuffix(l, "depth=0") && !strings.HasSuffix(l, "depth=1") {
				t.Errorf("PROPFIND without Depth 0 or 1: %s", l)
			}
		}
	})
	return s
}

func (s *davServer) url() string { return s.ts.URL + prefix }

func (s *davServer) serve(w http.ResponseWriter, r *http.Request) {
	entry := r.Method + " " + strings.TrimPrefix(r.URL.Path, prefix)
	if d := r.Header.Get("Depth"); d != "" {
		entry += " depth=" + strings.ToLower(d)
	}
	u, p, ok := r.BasicAuth()
	if !ok || u != user || p != password {
		s.record(entry + " (unauthorised)")
		w.Header().Set("WWW-Authenticate", `Basic realm="test"`)
		http.Error(w, "unauthorised", http.StatusUnauthorized)
		return
	}
	s.mu.Lock()
	s.log = append(s.log, entry)
	var act action
	for _, f := range s.faults {
		if f.times != 0 && (f.method == "" || f.method == r.Method) && f.match(strings.TrimPrefix(r.URL.Path, prefix)) {
			if f.times > 0 {
				f.times--
			}
			act = f.act
			break
		}
	}
	sabre, nutstore := s.sabre, s.nutstore
	s.mu.Unlock()
	next := http.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(r.URL.Path, prefix)
		if sabre && (r.Method == http.MethodPut || r.Method == "DELETE") {
			etag, exists := s.etag(name)
			if m := r.Header.Get("If-Match"); m != "" && (!exists || (m != "*" && m != etag)) {
				http.Error(w, "If-Match failed", http.StatusPreconditionFailed)
				return
			}
			if m := r.Header.Get("If-None-Match"); m == "*" && exists {
				http.Error(w, "If-None-Match failed", http.StatusPreconditionFailed)
				return
			}
		}
		if nutstore && r.Method == "MOVE" {
			if _, exists := s.etag(strings.TrimPrefix(destPath(r), prefix)); exists {
				http.Error(w, "AncestorsNotFound or whatever Nutstore says", http.StatusConflict)
				return
			}
		}
		s.h.ServeHTTP(w, r)
	}))
	if act != nil {
		act(w, r, next)
		return
	}
	next.ServeHTTP(w, r)
}

func destPath(r *http.Request) string {
	d := r.Header.Get("Destination")
	if i := strings.Index(d, "://"); i >= 0 {
		d = d[i+3:]
		if j := strings.Index(d, "/"); j >= 0 {
			d = d[j:]
		}
	}
	return d
}

func (s *davServer) record(e string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.log = append(s.log, e)
}

// on injects act for the next times requests (<0: all) with method (""
// any) whose path (below the prefix) matches.
func (s *davServer) on(method string, match func(string) bool, times int, act action) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &fault{method: method, match: match, times: times, act: act})
}

func (s *davServer) clearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}

func (s *davServer) requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.log)
}

func (s *davServer) resetLog() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.log = nil
}

// count runs f and returns the requests it sent.
func (s *davServer) count(f func()) []string {
	s.resetLog()
	f()
	return s.requests()
}

func (s *davServer) etag(name string) (string, bool) {
	fi, err := s.fs.Stat(context.Background(), name)
	if err != nil {
		return "", false
	}
	return fmt.Sprintf(`"%x%x"`, fi.ModTime().UnixNano(), fi.Size()), true
}

// file returns a file's content on the server; ok is false if it is absent.
func (s *davServer) file(name string) ([]byte, bool) {
	f, err := s.fs.OpenFile(context.Background(), name, os.O_RDONLY, 0)
	if err != nil {
		return nil, false
	}
	defer f.Close()
	b, err := io.ReadAll(f)
	if err != nil {
		s.t.Fatal(err)
	}
	return b, true
}

func (s *davServer) put(name string, b []byte) {
	s.t.Helper()
	ctx := context.Background()
	s.mkdirs(path.Dir(name))
	f, err := s.fs.OpenFile(ctx, name, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		s.t.Fatal(err)
	}
	if _, err := f.Write(b); err != nil {
		s.t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		s.t.Fatal(err)
	}
}

func (s *davServer) mkdirs(dir string) {
	if dir == "/" || dir == "." {
		return
	}
	s.mkdirs(path.Dir(dir))
	_ = s.fs.Mkdir(context.Background(), dir, 0o755)
}

// ls lists a folder on the server.
func (s *davServer) ls(dir string) []string {
	f, err := s.fs.OpenFile(context.Background(), dir, os.O_RDONLY, 0)
	if err != nil {
		return nil
	}
	defer f.Close()
	fis, err := f.Readdir(-1)
	if err != nil {
		s.t.Fatal(err)
	}
	var names []string
	for _, fi := range fis {
		n := fi.Name()
		if fi.IsDir() {
			n += "/"
		}
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// ---------------------------------------------------------------- actions

func status(code int) action {
	return func(w http.ResponseWriter, _ *http.Request, _ http.Handler) {
		http.Error(w, "injected", code)
	}
}

// delay holds the request (until the client gives up, or d), then serves it.
func delay(d time.Duration) action {
	return func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		// Read the body first: until it has, the server cannot notice the
		// client hanging up.
		b, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(b))
		select {
		case <-time.After(d):
			next.ServeHTTP(w, r)
		case <-r.Context().Done():
		}
	}
}

// drop closes the connection without an answer.
func drop(w http.ResponseWriter, _ *http.Request, _ http.Handler) {
	c, _, err := w.(http.Hijacker).Hijack()
	if err != nil {
		panic(err)
	}
	c.Close()
}

// truncateAnswer sends the headers and half the body, then closes.
func truncateAnswer(w http.ResponseWriter, r *http.Request, next http.Handler) {
	rec := httptest.NewRecorder()
	next.ServeHTTP(rec, r)
	body := rec.Body.Bytes()
	c, buf, err := w.(http.Hijacker).Hijack()
	if err != nil {
		panic(err)
	}
	fmt.Fprintf(buf, "HTTP/1.1 %d %s\r\nContent-Length: %d\r\nContent-Type: application/json\r\n\r\n", rec.Code, http.StatusText(rec.Code), len(body))
	buf.Write(body[:len(body)/2])
	buf.Flush()
	c.Close()
}

// truncateUpload lets the server store half of the uploaded body, as if the
// upload had been cut off, and answers as the server does.
func truncateUpload(w http.ResponseWriter, r *http.Request, next http.Handler) {
	b, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(strings.NewReader(string(b[:len(b)/2])))
	r.ContentLength = int64(len(b) / 2)
	next.ServeHTTP(w, r)
}

func redirect(location string, code int) action {
	return func(w http.ResponseWriter, r *http.Request, _ http.Handler) {
		w.Header().Set("Location", location)
		w.WriteHeader(code)
	}
}

// hook runs f, then serves the request.
func hook(f func(r *http.Request)) action {
	return func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		f(r)
		next.ServeHTTP(w, r)
	}
}

// ---------------------------------------------------------------- stores

// storeOpts are a store's options: the WebDAV ones, and the codec of the
// states.DocStore over it.
type storeOpts struct {
	webdav.Options
	codec states.Codec
}

type opt func(*storeOpts)

func withPath(p string) opt                 { return func(o *storeOpts) { o.Path = p } }
func withHistory(n int) opt                 { return func(o *storeOpts) { o.History = n } }
func withTimeout(d time.Duration) opt       { return func(o *storeOpts) { o.Timeout = d } }
func withCodec(c states.Codec) opt          { return func(o *storeOpts) { o.codec = c } }
func withNow(f func() time.Time) opt        { return func(o *storeOpts) { o.Now = f } }
func withTransport(t http.RoundTripper) opt { return func(o *storeOpts) { o.Transport = t } }
func withURL(u string) opt                  { return func(o *storeOpts) { o.URL = u } }

// store returns a state store on the server: a states.DocStore over a
// webdav.Store, as hub opens it.
func (s *davServer) store(opts ...opt) *states.DocStore {
	s.t.Helper()
	o := storeOpts{Options: webdav.Options{URL: s.url(), Username: user, Password: password, Timeout: 2 * time.Second}}
	for _, f := range opts {
		f(&o)
	}
	st, err := webdav.New(o.Options)
	if err != nil {
		s.t.Fatal(err)
	}
	return &states.DocStore{Blob: st, Codec: o.codec}
}

// newStore is webdav.New behind a states.DocStore, as hub opens it.
func newStore(o webdav.Options) (*states.DocStore, error) {
	b, err := webdav.New(o)
	if err != nil {
		return nil, err
	}
	return &states.DocStore{Blob: b}, nil
}

func bg() context.Context { return context.Background() }

// next returns st's successor with one more target in host.
func next(st *states.State, host, addr string) *states.State {
	n := st.Clone()
	n.Serial++
	n.Host(host).Targets[addr] = &states.Target{Type: "codex", Files: map[string]*states.File{}}
	return n
}

// seed saves n snapshots through a fresh store and returns the last.
func (s *davServer) seed(n int, opts ...opt) *states.State {
	s.t.Helper()
	st := s.store(opts...)
	cur, err := st.Load(bg())
	if err != nil {
		s.t.Fatal(err)
	}
	for i := range n {
		cur = next(cur, "seed", fmt.Sprintf("codex.%d", i))
		if err := st.Save(bg(), cur); err != nil {
			s.t.Fatalf("seed save %d: %v", i, err)
		}
	}
	return cur
}

func (s *davServer) mustLoad(opts ...opt) *states.State {
	s.t.Helper()
	st, err := s.store(opts...).Load(bg())
	if err != nil {
		s.t.Fatalf("load: %v", err)
	}
	return st
}

func sameState(t *testing.T, what string, got, want *states.State) {
	t.Helper()
	g, _ := states.Encode(got)
	w, _ := states.Encode(want)
	if string(g) != string(w) {
		t.Fatalf("%s: got serial %d lineage %s, want serial %d lineage %s\n got: %s\nwant: %s", what, got.Serial, got.Lineage, want.Serial, want.Lineage, g, w)
	}
}

// failure checks that err is an error that names the server (and, unless
// empty, contains each of want), never the password.
func failure(t *testing.T, s *davServer, what string, err error, want ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: no error", what)
	}
	msg := err.Error()
	if strings.Contains(msg, password) || strings.Contains(msg, "Zq7#Vx9") {
		t.Fatalf("%s: the error holds the password: %s", what, msg)
	}
	if s != nil && !strings.Contains(msg, s.ts.URL) {
		t.Errorf("%s: the error does not name the server %s: %s", what, s.ts.URL, msg)
	}
	for _, w := range want {
		if !strings.Contains(msg, w) {
			t.Errorf("%s: the error does not say %q: %s", what, w, msg)
		}
	}
	t.Logf("%s: %s", what, msg)
}

func isConflict(err error) bool {
	var ce *states.ConflictError
	return errors.As(err, &ce)
}

// closedURL is a URL where nothing listens.
func closedURL(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "http://" + addr + prefix
}

// leftovers lists what a write must not leave: uploads (tokens) beside
// the document or in its mutex folder, which stays, empty.
func (s *davServer) leftovers(dir string) []string {
	var bad []string
	for _, n := range s.ls(dir) {
		if strings.Contains(n, "hub-tmp") {
			bad = append(bad, n)
		}
	}
	for _, n := range s.ls(dir + "/state.json.writing") {
		bad = append(bad, "state.json.writing/"+n)
	}
	return bad
}
