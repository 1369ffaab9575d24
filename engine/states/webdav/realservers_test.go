package webdav_test

// Tests against real WebDAV servers: rclone serve webdav and Apache mod_dav,
// started on 127.0.0.1 by scripts/webdav-servers.sh (CI: make test).
// Without HUB_WEBDAV_RCLONE_URL / HUB_WEBDAV_APACHE_URL they skip (they fail
// instead when HUB_WEBDAV_REQUIRE is set, as in CI). To run them by hand:
//
//	scripts/webdav-servers.sh start && eval "$(scripts/webdav-servers.sh env)"
//	go test ./engine/states/webdav/ -run Real -v
//	scripts/webdav-servers.sh stop
//
// Besides the conformance suite, each server gets fault tests: the server
// stopped before and in the middle of a save (scripts/webdav-servers.sh
// stop-one and start-one), a 5xx injected by a proxy at each step of a save,
// a truncated upload (cut off, or silently shortened), and two hosts saving,
// or taking the lock, at once. Every test writes its own document path
// under a per-run folder, which is removed at the end.

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hubctl/hub/engine/states"
	"github.com/hubctl/hub/engine/states/statestest"
	"github.com/hubctl/hub/engine/states/webdav"
)

// realServer is one server started by scripts/webdav-servers.sh.
type realServer struct {
	name     string // rclone or apache: the script's name for it
	url      string // root URL, without credentials
	user     string
	password string
	version  string
	runDir   string // per-run folder below url holding every test's documents
}

func realServers(t *testing.T) []*realServer {
	t.Helper()
	run := "hubtest-" + realRandomHex(6)
	var out []*realServer
	for _, s := range []struct{ name, env string }{
		{"rclone", "HUB_WEBDAV_RCLONE_URL"},
		{"apache", "HUB_WEBDAV_APACHE_URL"},
	} {
		u := os.Getenv(s.env)
		if u == "" {
			continue
		}
		if !strings.HasSuffix(u, "/") {
			u += "/"
		}
		out = append(out, &realServer{
			name:     s.name,
			url:      u,
			user:     os.Getenv("HUB_WEBDAV_USER"),
			password: os.Getenv("HUB_WEBDAV_PASSWORD"),
			version:  os.Getenv("HUB_WEBDAV_" + strings.ToUpper(s.name) + "_VERSION"),
			runDir:   run,
		})
	}
	return out
}

func TestRealServers(t *testing.T) {
	servers := realServers(t)
	if len(servers) == 0 && os.Getenv("HUB_WEBDAV_REQUIRE") != "" {
		t.Fatal("HUB_WEBDAV_REQUIRE is set but neither HUB_WEBDAV_RCLONE_URL nor HUB_WEBDAV_APACHE_URL is: the servers did not start")
	}
	if len(servers) == 0 {
		t.Skip(`no real WebDAV server: scripts/webdav-servers.sh start && eval "$(scripts/webdav-servers.sh env)" to run these`)
	}
	for _, srv := range servers {
		t.Run(srv.name, func(t *testing.T) {
			t.Logf("%s %s at %s", srv.name, srv.version, srv.url)
			t.Cleanup(func() { srv.removeRunDir(t) })
			t.Run("Conformance", func(t *testing.T) {
				// Each call gets its own, empty folder, as Run requires.
				statestest.Run(t, func(t *testing.T) states.Store {
					return srv.store(t, strings.Replace(srv.docPath(t), "/state.json", "-"+realRandomHex(3)+"/state.json", 1), nil)
				})
			})
			t.Run("ServerDownBeforeSave", srv.testServerDown)
			t.Run("ServerStopsMidSave", srv.testServerStopsMidSave)
			t.Run("Injected5xx", srv.testInjected5xx)
			t.Run("UploadCutOff", func(t *testing.T) { srv.testTruncatedUpload(t, realCutOff) })
			t.Run("UploadShortened", func(t *testing.T) { srv.testTruncatedUpload(t, realShorten) })
			t.Run("TwoHostsAtOnce", srv.testTwoHostsAtOnce)
			t.Run("TwoHostsLock", srv.testTwoHostsLock)
		})
	}
}

// ---------------------------------------------------------------- stores

// docPath is the test's own document: distinct per test, so tests never
// see each other's state.
func (s *realServer) docPath(t *testing.T) string {
	name := regexp.MustCompile(`[^A-Za-z0-9._-]+`).ReplaceAllString(t.Name(), "-")
	return s.runDir + "/" + name + "/state.json"
}

// store opens the store at path, through transport (nil: the default): a
// states.DocStore over a webdav.Store, as hub opens it.
func (s *realServer) store(t *testing.T, path string, transport http.RoundTripper) *states.DocStore {
	t.Helper()
	return s.storeAt(t, s.url, path, transport)
}

func (s *realServer) storeAt(t *testing.T, root, path string, transport http.RoundTripper) *states.DocStore {
	t.Helper()
	st, err := webdav.New(webdav.Options{
		URL:       root,
		Username:  s.user,
		Password:  s.password,
		Path:      path,
		History:   3,
		Timeout:   5 * time.Second,
		Transport: transport,
	})
	if err != nil {
		t.Fatalf("webdav.New: %v", s.redact(err))
	}
	return &states.DocStore{Blob: st}
}

// redact keeps the password out of test output whatever the store says;
// noLeak fails the test if the store put it in an error at all.
func (s *realServer) redact(err error) string {
	if err == nil {
		return "<nil>"
	}
	return strings.ReplaceAll(err.Error(), s.password, "<password>")
}

func (s *realServer) noLeak(t *testing.T, err error) {
	t.Helper()
	if err != nil && s.password != "" && strings.Contains(err.Error(), s.password) {
		t.Errorf("error message contains the WebDAV password: %s", s.redact(err))
	}
}

func realCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// realNext returns st's successor: serial+1 and one more target in host's
// section named tag, so each snapshot can be told apart.
func realNext(st *states.State, host, tag string) *states.State {
	n := st.Clone()
	n.Serial++
	n.Host(host).Targets[tag] = &states.Target{Type: "test", Files: map[string]*states.File{}}
	return n
}

// realFingerprint names a snapshot: lineage, serial and its hosts' targets.
func realFingerprint(st *states.State) string {
	if st == nil {
		return "<nil>"
	}
	var parts []string
	for h, host := range st.Hosts {
		for _, a := range host.Addresses() {
			parts = append(parts, h+"/"+a)
		}
	}
	slices.Sort(parts)
	return fmt.Sprintf("%s#%d[%s]", st.Lineage, st.Serial, strings.Join(parts, " "))
}

// seed saves two snapshots at path and returns the last one.
func (s *realServer) seed(t *testing.T, path string) *states.State {
	t.Helper()
	ctx := realCtx(t)
	st := s.store(t, path, nil)
	cur, err := st.Load(ctx)
	if err != nil {
		t.Fatalf("load empty: %s", s.redact(err))
	}
	for i := 1; i <= 2; i++ {
		n := realNext(cur, "seed", fmt.Sprintf("seed.%d", i))
		if err := st.Save(ctx, n); err != nil {
			t.Fatalf("seed save %d: %s", i, s.redact(err))
		}
		cur = n
	}
	return cur
}

// mustLoad loads path with a fresh store, straight from the server.
func (s *realServer) mustLoad(t *testing.T, path string) *states.State {
	t.Helper()
	got, err := s.store(t, path, nil).Load(realCtx(t))
	if err != nil {
		t.Fatalf("load %s: %s", path, s.redact(err))
	}
	return got
}

func (s *realServer) expectDoc(t *testing.T, path string, want *states.State, why string) {
	t.Helper()
	if got := s.mustLoad(t, path); realFingerprint(got) != realFingerprint(want) {
		t.Fatalf("%s: server holds %s, want %s", why, realFingerprint(got), realFingerprint(want))
	}
}

// ---------------------------------------------------------------- server control

// realCtl runs scripts/webdav-servers.sh (HUB_WEBDAV_CTL, or found from here).
func realCtl(t *testing.T, args ...string) {
	t.Helper()
	if err := realRunCtl(args...); err != nil {
		t.Fatal(err)
	}
}

func realRunCtl(args ...string) error {
	script := os.Getenv("HUB_WEBDAV_CTL")
	if script == "" {
		dir, _ := os.Getwd()
		for ; dir != filepath.Dir(dir); dir = filepath.Dir(dir) {
			if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
				break
			}
		}
		script = filepath.Join(dir, "scripts", "webdav-servers.sh")
	}
	out, err := exec.Command(script, args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s %s: %v\n%s", script, strings.Join(args, " "), err, out)
	}
	return nil
}

// stop stops the server; it is started again when the test ends, whatever
// happens.
func (s *realServer) stop(t *testing.T) {
	t.Helper()
	t.Cleanup(func() { realCtl(t, "start-one", s.name) })
	realCtl(t, "stop-one", s.name)
}

func (s *realServer) start(t *testing.T) { t.Helper(); realCtl(t, "start-one", s.name) }

// realUnreachable tells an error that names the server and says it could not be
// reached from any other failure.
func realUnreachable(s *realServer, err error) bool {
	u, _ := url.Parse(s.url)
	msg := strings.ToLower(err.Error())
	if !strings.Contains(msg, u.Host) {
		return false
	}
	for _, w := range []string{"cannot reach", "can't reach", "unreachable", "is down", "connection refused"} {
		if strings.Contains(msg, w) {
			return true
		}
	}
	return false
}

func realWantCannotReach(t *testing.T, s *realServer, what string, err error) {
	t.Helper()
	s.noLeak(t, err)
	var ce *states.ConflictError
	switch {
	case err == nil:
		t.Fatalf("%s with the server down succeeded", what)
	case errors.As(err, &ce):
		t.Errorf("%s with the server down: a conflict, not an unreachable server: %s", what, s.redact(err))
	case !realUnreachable(s, err):
		t.Errorf("%s with the server down: %s; want an error naming the server and saying it cannot reach it", what, s.redact(err))
	default:
		t.Logf("%s with the server down: %s", what, s.redact(err))
	}
}

// ---------------------------------------------------------------- (a) server stopped

// The server is down when a save starts: the save fails saying so, a load
// fails too (never an empty state), and once the server is back the last
// good state is there and saving goes on.
func (s *realServer) testServerDown(t *testing.T) {
	path := s.docPath(t)
	good := s.seed(t, path)
	ctx := realCtx(t)
	st := s.store(t, path, nil)

	s.stop(t)
	lost := realNext(good, "a", "while-down")
	realWantCannotReach(t, s, "save", st.Save(ctx, lost))
	got, err := st.Load(ctx)
	if err == nil {
		t.Fatalf("load with the server down returned %s; want an error", realFingerprint(got))
	}
	realWantCannotReach(t, s, "load", err)

	s.start(t)
	s.expectDoc(t, path, good, "after restart")
	if err := st.Save(ctx, lost); err != nil {
		t.Fatalf("save after restart: %s", s.redact(err))
	}
	s.expectDoc(t, path, lost, "after the retried save")
}

// realStepTransport passes requests through, recording them, and runs before
// just before the request with index at (0-based; -1: never).
type realStepTransport struct {
	inner  http.RoundTripper
	mu     sync.Mutex
	seen   []string
	at     int
	before func(*http.Request)
}

func (tr *realStepTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	tr.mu.Lock()
	i := len(tr.seen)
	tr.seen = append(tr.seen, r.Method+" "+r.URL.Path)
	hook := tr.before != nil && i == tr.at
	tr.mu.Unlock()
	if hook {
		tr.before(r)
	}
	return tr.inner.RoundTrip(r)
}

func (tr *realStepTransport) reset(at int, before func(*http.Request)) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	tr.seen, tr.at, tr.before = nil, at, before
}

func (tr *realStepTransport) requests() []string {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return slices.Clone(tr.seen)
}

func realIsWrite(req string) bool {
	m, _, _ := strings.Cut(req, " ")
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodOptions, "PROPFIND":
		return false
	}
	return true
}

// saveSteps records the requests of one ordinary save at path and returns
// the indices of those that change something on the server.
func (s *realServer) saveSteps(t *testing.T, path string, cur *states.State) (*states.State, []int) {
	t.Helper()
	tr := &realStepTransport{inner: http.DefaultTransport.(*http.Transport).Clone(), at: -1}
	n := realNext(cur, "probe", "probe")
	if err := s.store(t, path, tr).Save(realCtx(t), n); err != nil {
		t.Fatalf("probe save: %s", s.redact(err))
	}
	reqs := tr.requests()
	var writes []int
	for i, r := range reqs {
		if realIsWrite(r) {
			writes = append(writes, i)
		}
	}
	t.Logf("one save on %s: %d requests: %s", s.name, len(reqs), strings.Join(reqs, ", "))
	return n, writes
}

// The server stops in the middle of a save, just before each of the save's
// writing requests in turn. The save fails; once the server is back, the
// document is the one before or, if the save had already put the new one in
// place, the new one, never anything else; and the next save works (no
// leftover temp file or lock stands in its way).
func (s *realServer) testServerStopsMidSave(t *testing.T) {
	path := s.docPath(t)
	t.Cleanup(func() { realCtl(t, "start-one", s.name) })
	cur, writes := s.saveSteps(t, path, s.seed(t, path))
	tr := &realStepTransport{inner: http.DefaultTransport.(*http.Transport).Clone(), at: -1}
	st := s.store(t, path, tr)
	ctx := realCtx(t)
	for k, at := range writes {
		n := realNext(cur, "a", fmt.Sprintf("step.%d", k))
		// The hook runs on whatever goroutine the store sends from: no
		// t.Fatal there.
		var stopped string
		var stopErr error
		tr.reset(at, func(r *http.Request) {
			stopped = r.Method + " " + r.URL.Path
			stopErr = realRunCtl("stop-one", s.name)
		})
		err := st.Save(ctx, n)
		tr.reset(-1, nil)
		if stopErr != nil {
			t.Fatal(stopErr)
		}
		if stopped == "" {
			t.Logf("step %d: this save sent no request #%d (%s)", k, at, strings.Join(tr.requests(), ", "))
		}
		s.start(t)
		got := s.mustLoad(t, path)
		switch {
		case err == nil:
			// The server stopped after the new document was in place
			// (tidying up is best effort), or the store retried.
			if realFingerprint(got) != realFingerprint(n) {
				t.Fatalf("server stopped before %s: save succeeded but the server holds %s, want %s", stopped, realFingerprint(got), realFingerprint(n))
			}
			t.Logf("server stopped before %s: save succeeded, new document in place", stopped)
			cur = n
		case realFingerprint(got) == realFingerprint(cur):
			s.noLeak(t, err)
			t.Logf("server stopped before %s: save failed, old document kept: %s", stopped, s.redact(err))
		case realFingerprint(got) == realFingerprint(n):
			s.noLeak(t, err)
			t.Logf("server stopped before %s: save failed after the new document was in place: %s", stopped, s.redact(err))
			cur = n
		default:
			t.Fatalf("server stopped before %s: the server holds %s; want the old %s or the new %s",
				stopped, realFingerprint(got), realFingerprint(cur), realFingerprint(n))
		}
		// Saving goes on from whatever is there.
		again := realNext(cur, "a", fmt.Sprintf("step.%d.again", k))
		if err := s.store(t, path, nil).Save(ctx, again); err != nil {
			t.Fatalf("save after the server came back (stopped before %s): %s", stopped, s.redact(err))
		}
		cur = again
	}
	s.expectDoc(t, path, cur, "at the end")
}

// ---------------------------------------------------------------- fault proxy

type realFault int

const (
	realPass    realFault = iota
	realStatus            // answer with a status code, not forwarding
	realCutOff            // forward half the body, then drop both connections
	realShorten           // forward half the body as if it were all of it
)

// realProxy is a reverse proxy in front of a real server (same paths,
// Destination headers rewritten, like a front-end nginx would) that can fail
// chosen requests.
type realProxy struct {
	*httptest.Server
	upstream *url.URL
	client   *http.Client
	mu       sync.Mutex
	seen     []string
	fault    func(i int, r *http.Request, body []byte) (realFault, int)
}

func newRealProxy(t *testing.T, upstream string) *realProxy {
	t.Helper()
	u, err := url.Parse(upstream)
	if err != nil {
		t.Fatal(err)
	}
	p := &realProxy{upstream: u, client: &http.Client{
		Transport:     http.DefaultTransport.(*http.Transport).Clone(),
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
	p.Server = httptest.NewServer(http.HandlerFunc(p.serve))
	t.Cleanup(p.Close)
	return p
}

// root is the URL to give the store: the proxy with the upstream's path.
func (p *realProxy) root() string { return p.URL + p.upstream.Path }

func (p *realProxy) setFault(f func(i int, r *http.Request, body []byte) (realFault, int)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.seen, p.fault = nil, f
}

func (p *realProxy) requests() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.seen)
}

func (p *realProxy) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, "proxy: "+err.Error(), http.StatusBadGateway)
		return
	}
	p.mu.Lock()
	i := len(p.seen)
	p.seen = append(p.seen, r.Method+" "+r.URL.Path)
	kind, code := realPass, 0
	if p.fault != nil {
		kind, code = p.fault(i, r, body)
	}
	p.mu.Unlock()

	switch kind {
	case realStatus:
		http.Error(w, "injected by the test proxy", code)
		return
	case realShorten:
		body = body[:len(body)/2]
	}
	out, err := http.NewRequestWithContext(r.Context(), r.Method, p.upstream.Scheme+"://"+p.upstream.Host+r.URL.RequestURI(), nil)
	if err != nil {
		http.Error(w, "proxy: "+err.Error(), http.StatusBadGateway)
		return
	}
	out.Header = r.Header.Clone()
	if d := out.Header.Get("Destination"); strings.HasPrefix(d, p.URL) {
		out.Header.Set("Destination", p.upstream.Scheme+"://"+p.upstream.Host+strings.TrimPrefix(d, p.URL))
	}
	if kind == realCutOff {
		// The upstream gets half the body, then the connection breaks: the
		// transport aborts when the body fails. The client's connection is
		// dropped without an answer, as when a link goes down mid-upload.
		out.Body = io.NopCloser(io.MultiReader(bytes.NewReader(body[:len(body)/2]), realCutReader{}))
		out.ContentLength = int64(len(body))
		if resp, err := p.client.Do(out); err == nil {
			resp.Body.Close()
		}
		if hj, ok := w.(http.Hijacker); ok {
			if c, _, err := hj.Hijack(); err == nil {
				c.Close()
				return
			}
		}
		panic(http.ErrAbortHandler)
	}
	if len(body) > 0 { // an empty body stays absent: not sent chunked (Apache answers 415 to a MKCOL with a body)
		out.Body = io.NopCloser(bytes.NewReader(body))
		out.ContentLength = int64(len(body))
	}
	resp, err := p.client.Do(out)
	if err != nil {
		http.Error(w, "proxy: "+err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	for k, vs := range resp.Header {
		if k == "Connection" || k == "Keep-Alive" || k == "Transfer-Encoding" {
			continue
		}
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = io.Copy(w, resp.Body)
}

type realCutReader struct{}

func (realCutReader) Read([]byte) (int, error) {
	return 0, errors.New("upload cut off by the test proxy")
}

// ---------------------------------------------------------------- (b) 5xx

// A fault plan says which requests of one save the proxy answers with a
// 5xx instead of forwarding them.
type realPlan struct {
	name string
	hit  func(i int, r *http.Request) bool
}

// The proxy answers requests of a save with a 5xx: each request in turn
// (once: the store may retry what is safe to retry), then every request of
// each method (persistently). A failed save leaves the previous document
// intact and readable; a save that succeeds leaves the new one; either
// way the next save works.
func (s *realServer) testInjected5xx(t *testing.T) {
	path := s.docPath(t)
	cur := s.seed(t, path)
	p := newRealProxy(t, s.url)
	ctx := realCtx(t)

	// One clean save through the proxy tells what requests a save sends.
	n := realNext(cur, "a", "clean")
	if err := s.storeAt(t, p.root(), path, nil).Save(ctx, n); err != nil {
		t.Fatalf("save through the proxy: %s", s.redact(err))
	}
	cur = n
	clean := p.requests()
	t.Logf("one save through the proxy: %s", strings.Join(clean, ", "))

	var plans []realPlan
	for at, req := range clean {
		plans = append(plans, realPlan{fmt.Sprintf("request %d (%s) once", at, req), func(i int, _ *http.Request) bool { return i == at }})
	}
	var methods []string
	for _, req := range clean {
		if m, _, _ := strings.Cut(req, " "); !slices.Contains(methods, m) {
			methods = append(methods, m)
		}
	}
	for _, m := range methods {
		plans = append(plans, realPlan{"every " + m, func(_ int, r *http.Request) bool { return r.Method == m }})
	}

	codes := []int{http.StatusInternalServerError, http.StatusServiceUnavailable, http.StatusBadGateway}
	for k, plan := range plans {
		code := codes[k%len(codes)]
		var failed []string
		p.setFault(func(i int, r *http.Request, _ []byte) (realFault, int) {
			if plan.hit(i, r) {
				failed = append(failed, r.Method+" "+r.URL.Path)
				return realStatus, code
			}
			return realPass, 0
		})
		// A fresh store each time: what one fault taught a store (such as
		// that MOVE fails here) does not carry over to the next plan.
		st := s.storeAt(t, p.root(), path, nil)
		n := realNext(cur, "a", fmt.Sprintf("fault.%d", k))
		err := st.Save(ctx, n)
		p.setFault(nil)
		what := fmt.Sprintf("%d on %s (%d answered so)", code, plan.name, len(failed))
		s.noLeak(t, err)
		var ce *states.ConflictError
		if errors.As(err, &ce) {
			t.Errorf("%s: reported as a conflict: %s", what, s.redact(err))
		}
		got := s.mustLoad(t, path)
		switch {
		case err == nil:
			if realFingerprint(got) != realFingerprint(n) {
				t.Fatalf("%s: save succeeded but the server holds %s, want %s", what, realFingerprint(got), realFingerprint(n))
			}
			t.Logf("%s: save succeeded", what)
			cur = n
		case realFingerprint(got) == realFingerprint(cur):
			t.Logf("%s: save failed, previous document intact: %s", what, s.redact(err))
		case realFingerprint(got) == realFingerprint(n):
			// The new document was in place before the failing request.
			t.Logf("%s: save failed after the new document was in place: %s", what, s.redact(err))
			cur = n
		default:
			t.Fatalf("%s: the server holds %s; want %s or %s", what, realFingerprint(got), realFingerprint(cur), realFingerprint(n))
		}
		// Readable through the proxy too, and the same store saves on.
		if got, err := st.Load(ctx); err != nil || realFingerprint(got) != realFingerprint(cur) {
			t.Fatalf("load through the proxy after %s: %s, %s", what, realFingerprint(got), s.redact(err))
		}
		n = realNext(cur, "a", fmt.Sprintf("after.%d", k))
		p.setFault(nil)
		if err := st.Save(ctx, n); err != nil {
			t.Fatalf("save after %s: %s", what, s.redact(err))
		}
		if reqs := p.requests(); !slices.ContainsFunc(reqs, func(r string) bool { return strings.HasPrefix(r, "MOVE ") }) {
			t.Logf("after %s the store saves without MOVE: %s", what, strings.Join(reqs, ", "))
		}
		cur = n
	}
	s.expectDoc(t, path, cur, "at the end")
}

// ---------------------------------------------------------------- (c) truncated upload

// Every upload of the document (a PUT whose body holds its lineage) is cut
// off mid-way (realCutOff) or silently shortened (realShorten: the server stores a
// half document and says 201). The save is refused, the old document stays,
// and once uploads go through again the next save works.
func (s *realServer) testTruncatedUpload(t *testing.T, kind realFault) {
	path := s.docPath(t)
	cur := s.seed(t, path)
	p := newRealProxy(t, s.url)
	st := s.storeAt(t, p.root(), path, nil)
	ctx := realCtx(t)

	var mu sync.Mutex
	var hit []string
	p.setFault(func(_ int, r *http.Request, body []byte) (realFault, int) {
		if r.Method == http.MethodPut && bytes.Contains(body, []byte(cur.Lineage)) {
			mu.Lock()
			hit = append(hit, r.URL.Path)
			mu.Unlock()
			return kind, 0
		}
		return realPass, 0
	})
	n := realNext(cur, "a", "truncated")
	err := st.Save(ctx, n)
	p.setFault(nil)
	s.noLeak(t, err)
	if len(hit) == 0 {
		t.Fatalf("the save uploaded no document the proxy could recognise: %s", strings.Join(p.requests(), ", "))
	}
	if err == nil {
		t.Fatalf("save with truncated uploads (%s) succeeded", strings.Join(hit, ", "))
	}
	t.Logf("truncated uploads of %s: save refused: %s", strings.Join(hit, ", "), s.redact(err))
	s.expectDoc(t, path, cur, "after the truncated upload")

	// The server's raw document is still whole JSON (not just something the
	// store could load).
	if raw := s.rawGet(t, path); !bytes.HasSuffix(bytes.TrimSpace(raw), []byte("}")) {
		t.Errorf("document on the server is not whole: %q", raw)
	}

	if err := st.Save(ctx, n); err != nil {
		t.Fatalf("save once uploads go through: %s", s.redact(err))
	}
	s.expectDoc(t, path, n, "after the clean save")
}

// rawGet fetches a file as the server has it.
func (s *realServer) rawGet(t *testing.T, path string) []byte {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, s.url+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth(s.user, s.password)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", path, resp.Status)
	}
	return b
}

// ---------------------------------------------------------------- (d) two hosts

// Two hosts, each with its own store, load the same snapshot and save at the
// same moment, several times over. Exactly one save wins each round; the
// other gets a *states.ConflictError, and the server holds the winner's
// document: nothing is silently lost.
func (s *realServer) testTwoHostsAtOnce(t *testing.T) {
	path := s.docPath(t)
	cur := s.seed(t, path)
	ctx := realCtx(t)
	a, b := s.store(t, path, nil), s.store(t, path, nil)
	const rounds = 8
	for round := range rounds {
		base := cur
		mine := []*states.State{realNext(base, "a", fmt.Sprintf("a.%d", round)), realNext(base, "b", fmt.Sprintf("b.%d", round))}
		errs := make([]error, 2)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i, st := range []*states.DocStore{a, b} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				errs[i] = st.Save(ctx, mine[i])
			}()
		}
		close(start)
		wg.Wait()
		got := s.mustLoad(t, path)

		var won []int
		for i, err := range errs {
			s.noLeak(t, err)
			if err == nil {
				won = append(won, i)
			}
		}
		switch len(won) {
		case 2:
			t.Fatalf("round %d: both saves succeeded from serial %d; the server holds %s: an update was lost",
				round, base.Serial, realFingerprint(got))
		case 0:
			t.Fatalf("round %d: neither save succeeded: a: %s; b: %s", round, s.redact(errs[0]), s.redact(errs[1]))
		}
		w, l := won[0], 1-won[0]
		var ce *states.ConflictError
		if !errors.As(errs[l], &ce) {
			t.Errorf("round %d: the losing save's error is not a *states.ConflictError: %s", round, s.redact(errs[l]))
		}
		if realFingerprint(got) != realFingerprint(mine[w]) {
			t.Fatalf("round %d: %s won, but the server holds %s, want %s", round, "ab"[w:w+1], realFingerprint(got), realFingerprint(mine[w]))
		}
		cur = got
	}
	if !t.Failed() {
		t.Logf("%d rounds: one winner each, the loser got a conflict", rounds)
	}
}

// Two hosts take the lock at the same moment, several times over: never
// both (the second gets a *states.LockedError naming the first).
func (s *realServer) testTwoHostsLock(t *testing.T) {
	path := s.docPath(t)
	s.seed(t, path)
	ctx := realCtx(t)
	stores := []*states.DocStore{s.store(t, path, nil), s.store(t, path, nil)}
	const rounds = 10
	for round := range rounds {
		unlocks := make([]func() error, 2)
		errs := make([]error, 2)
		ids := []string{fmt.Sprintf("a-%d", round), fmt.Sprintf("b-%d", round)}
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i, st := range stores {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				unlocks[i], errs[i] = st.Lock(ctx, states.LockInfo{ID: ids[i], Operation: "apply", Who: "test@host-" + ids[i][:1], PID: 1000 + i})
			}()
		}
		close(start)
		wg.Wait()
		var held []string
		for i, err := range errs {
			s.noLeak(t, err)
			var le *states.LockedError
			switch {
			case err == nil:
				held = append(held, ids[i])
			case !errors.As(err, &le):
				t.Errorf("round %d: host %s: not a *states.LockedError: %s", round, ids[i][:1], s.redact(err))
			}
		}
		if len(held) == 2 {
			for _, id := range ids {
				_ = stores[0].ForceUnlock(ctx, id)
			}
			t.Fatalf("round %d: both hosts hold the lock", round)
		}
		if len(held) == 0 {
			t.Fatalf("round %d: neither host got the lock: %s; %s", round, s.redact(errs[0]), s.redact(errs[1]))
		}
		for i, unlock := range unlocks {
			if unlock != nil {
				if err := unlock(); err != nil {
					t.Fatalf("round %d: unlock %s: %s", round, ids[i], s.redact(err))
				}
			}
		}
	}
	if !t.Failed() {
		t.Logf("%d rounds: one host got the lock each time", rounds)
	}
}

// ---------------------------------------------------------------- cleanup

// removeRunDir deletes this run's folder (best effort: the servers' data is
// removed by scripts/webdav-servers.sh stop anyway).
func (s *realServer) removeRunDir(t *testing.T) {
	req, err := http.NewRequest("DELETE", s.url+s.runDir+"/", nil)
	if err != nil {
		return
	}
	req.SetBasicAuth(s.user, s.password)
	c := &http.Client{Timeout: 10 * time.Second}
	resp, err := c.Do(req)
	if err != nil {
		t.Logf("remove %s: %v", s.runDir, err)
		return
	}
	resp.Body.Close()
	if resp.StatusCode >= 300 && resp.StatusCode != http.StatusNotFound {
		t.Logf("remove %s: %s", s.runDir, resp.Status)
	}
}

func realRandomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
