package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hubctl/hub/engine/states"
	"github.com/hubctl/hub/engine/states/webdav"
)

// davGate is a proxy in front of the in-process WebDAV server that can hold
// the reads of the state document: a test stops a hub run there, in the
// middle of a round, with the state lock taken.
type davGate struct {
	mu      sync.Mutex
	armed   bool
	reached chan struct{} // gets a value when a read is held
}

func newDAVGate(t *testing.T, dav *httptest.Server) (*httptest.Server, *davGate) {
	t.Helper()
	target, err := url.Parse(dav.URL)
	if err != nil {
		t.Fatal(err)
	}
	g := &davGate{reached: make(chan struct{}, 1)}
	proxy := httputil.NewSingleHostReverseProxy(target) // keeps Host, so MOVE destinations match
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		g.mu.Lock()
		hold := g.armed && r.Method == http.MethodGet && r.URL.Path == "/"+webdav.DefaultPath
		g.mu.Unlock()
		if hold {
			select {
			case g.reached <- struct{}{}:
			default:
			}
			<-r.Context().Done() // until the client gives up
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(front.Close)
	return front, g
}

func (g *davGate) arm(on bool) {
	g.mu.Lock()
	g.armed = on
	g.mu.Unlock()
}

// davHCL is a configuration with its state on the WebDAV server at url.
func davHCL(url, user, model string) string {
	return `hub {
  state "webdav" {
    url          = "` + url + `"
    username     = "` + user + `"
    password     = env("DAV_PASSWORD")
    lock_timeout = "0s"
  }
}

credential "relay" {
  api_type = "openai-compatible"
  base_url = "https://relay.example.com"
  api_key  = env("RELAY_API_KEY")
}

target "claude_code" "default" {
  credential = credential.relay
  model      = "` + model + `"
}
`
}

// TestWatchWebDAV: hub watch with its state on a WebDAV server takes the
// server's lock for each round only. Between rounds another host applies
// (with lock_timeout 0s, so a held lock would fail it at once); the next
// round of watch keeps that host's section. Stopped in the middle of a round,
// with the lock taken, watch releases the lock, writes nothing, and returns.
func TestWatchWebDAV(t *testing.T) {
	dav, user, pass := newDAV()
	defer dav.Close()
	front, gate := newDAVGate(t, dav)
	doc, err := webdav.New(webdav.Options{URL: dav.URL, Username: user, Password: pass})
	if err != nil {
		t.Fatal(err)
	}
	remote := &states.DocStore{Blob: doc}
	ctx := context.Background()
	remoteState := func() *states.State {
		t.Helper()
		st, err := remote.Load(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	lockHeld := func() bool {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, dav.URL+"/"+webdav.DefaultPath+".lock", nil)
		req.SetBasicAuth(user, pass)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode != http.StatusNotFound
	}

	// This machine runs watch; its tool's directory exists already, so the
	// first round is the only one until the configuration changes.
	h := newHubEnv(t)
	h.env["RELAY_API_KEY"] = "sk-test-watch-dav-0001"
	h.env["DAV_PASSWORD"] = pass
	h.write("cfg/hub.hcl", davHCL(front.URL, user, "model-one"))
	if err := os.MkdirAll(filepath.Join(h.home, ".claude"), 0o755); err != nil {
		t.Fatal(err)
	}
	settings := "home/.claude/settings.json"
	has := func(env *hubEnv, s string) func() bool {
		return func() bool { return strings.Contains(env.read(settings), s) }
	}
	// Another machine: its own home, configuration and HUB_HOST, the same server.
	other := newHubEnv(t)
	other.env["HUB_HOST"] = "otherhost"
	other.env["RELAY_API_KEY"] = "sk-test-watch-dav-0002"
	other.env["DAV_PASSWORD"] = pass
	other.write("cfg/hub.hcl", davHCL(dav.URL, user, "other-model"))

	r := startWatch(t, h, "warn")
	r.until("the first apply", has(h, `"model-one"`))
	r.until("the round to end", func() bool { return r.rounds.Load() >= 1 })
	if lockHeld() {
		t.Fatalf("the lock is held between rounds\n[stderr]\n%s", r.errb)
	}

	// Between rounds the other host applies.
	other.run("apply", "--auto-approve").want(t, 0, "Apply complete!")
	if !has(other, `"other-model"`)() {
		t.Fatalf("the other host's file:\n%s", other.read(settings))
	}
	otherSection := remoteState().Hosts["otherhost"]
	if otherSection == nil || otherSection.Targets["claude_code.default"] == nil {
		t.Fatalf("the other host's section is not on the server: %+v", remoteState().Hosts)
	}

	// An edit: watch applies again, on top of the other host's save.
	h.write("cfg/hub.hcl", davHCL(front.URL, user, "model-two"))
	r.until("model-two applied", has(h, `"model-two"`))
	r.until("the state saved", func() bool {
		ts := remoteState().Hosts["testhost"]
		if ts == nil || ts.Targets["claude_code.default"] == nil {
			return false
		}
		for _, f := range ts.Targets["claude_code.default"].Files {
			if it := f.Items["env.ANTHROPIC_MODEL"]; it != nil && it.Value == "model-two" {
				return true
			}
		}
		return false
	})
	st := remoteState()
	if !reflect.DeepEqual(st.Hosts["otherhost"], otherSection) {
		t.Errorf("watch's save changed the other host's section:\n%+v\nwant %+v", st.Hosts["otherhost"], otherSection)
	}
	if strings.Contains(r.errb.String(), "error") {
		t.Errorf("watch reported errors:\n%s", r.errb)
	}

	// Stopped in the middle of a round: the state read is held, so the round
	// has the lock and has written nothing.
	gate.arm(true)
	h.write("cfg/hub.hcl", davHCL(front.URL, user, "model-three"))
	select {
	case <-gate.reached:
	case <-time.After(10 * time.Second):
		t.Fatalf("the round did not read the state\n[stderr]\n%s", r.errb)
	}
	if !lockHeld() {
		t.Fatal("the round reads the state without the lock")
	}
	r.stop()
	gate.arm(false)
	if lockHeld() {
		t.Fatalf("the lock is still held after watch stopped\n[stdout]\n%s[stderr]\n%s", r.out, r.errb)
	}
	if has(h, `"model-three"`)() {
		t.Errorf("the abandoned round wrote:\n%s", h.read(settings))
	}
	if !strings.Contains(r.out.String(), "watch stopped") {
		t.Errorf("no stop message:\n%s", r.out)
	}
	// The lock is free for others at once (lock_timeout 0s).
	other.write("cfg/hub.hcl", davHCL(dav.URL, user, "other-model-2"))
	other.run("apply", "--auto-approve").want(t, 0, "Apply complete!")
	st = remoteState()
	if st.Hosts["testhost"] == nil || st.Hosts["otherhost"] == nil {
		t.Errorf("a host's section is missing: %+v", st.Hosts)
	}
	for _, s := range []string{"sk-test-watch-dav", pass} {
		if strings.Contains(r.out.String()+r.errb.String(), s) {
			t.Errorf("a secret was printed")
		}
	}
	t.Logf("[stdout]\n%s[stderr]\n%s", r.out, r.errb)
}
