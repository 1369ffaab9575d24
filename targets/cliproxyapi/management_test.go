package cliproxyapi_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hubctl/hub/credential"
	"github.com/hubctl/hub/engine"
	"github.com/hubctl/hub/engine/config"
	"github.com/hubctl/hub/engine/states"
	"github.com/hubctl/hub/engine/system"
	"github.com/hubctl/hub/targets"
	"github.com/hubctl/hub/targets/cliproxyapi"
	"github.com/hubctl/hub/views"
)

func mgmt(url, key string) *cliproxyapi.Target {
	return &cliproxyapi.Target{Management: &cliproxyapi.Management{URL: url, Key: key}}
}

func TestManagementURL(t *testing.T) {
	env := targets.Env{Vars: map[string]string{"HOME": "/home/user"}, Dir: "/home/user/creds"}
	tests := []struct {
		url      string
		insecure bool
		want     string // base URL, or a substring of the error
	}{
		{"", false, "http://127.0.0.1:8317/v0/management"},
		{"http://127.0.0.1:8317", false, "http://127.0.0.1:8317/v0/management"},
		{"http://127.0.0.1:8317/", false, "http://127.0.0.1:8317/v0/management"},
		{" http://localhost:8317/v0/management/ ", false, "http://localhost:8317/v0/management"},
		{"http://[::1]:8317/v0/management", false, "http://[::1]:8317/v0/management"},
		{"http://127.0.0.2:9000", false, "http://127.0.0.2:9000/v0/management"},
		{"https://cpa.example.com", false, "https://cpa.example.com/v0/management"},
		{"https://example.com/cpa/", false, "https://example.com/cpa/v0/management"},
		{"http://192.168.1.10:8317", true, "http://192.168.1.10:8317/v0/management"},
		{"http://192.168.1.10:8317", false, `management url "http://192.168.1.10:8317" is plain http to another host, which would send the management key unencrypted; use https, or set insecure = true`},
		{"http://cpa.lan:8317", false, "is plain http to another host"},
		{"127.0.0.1:8317", false, `management url "127.0.0.1:8317" is not an http:// or https:// URL with a host, such as http://127.0.0.1:8317`},
		{"ftp://127.0.0.1", false, "is not an http:// or https:// URL"},
		{"http://admin:sk-test-pw@127.0.0.1:8317", false, "holds a user name or password; give the management key as key instead"},
		{"http://127.0.0.1:8317/?x=1", false, "has a query or fragment"},
	}
	for _, tc := range tests {
		tg := mgmt(tc.url, "sk-test-mgmt-url")
		tg.Management.Insecure = tc.insecure
		files, err := tg.Files(env)
		errs := tg.Validate(&targets.Input{})
		if strings.HasPrefix(tc.want, "http") {
			if err != nil || len(files) != 1 || files[0] != tc.want || len(errs) > 0 {
				t.Errorf("url %q: Files = %v, %v; Validate = %v; want %s", tc.url, files, err, errs, tc.want)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) || len(errs) != 1 || errs[0].Error() != err.Error() {
			t.Errorf("url %q: Files error %v, Validate %v; want %q", tc.url, err, errs, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), "sk-test-pw") {
			t.Errorf("url %q: error shows the password: %v", tc.url, err)
		}
	}
}

func TestManagementValidate(t *testing.T) {
	in := &targets.Input{Credentials: []*credential.Credential{claudeCred}}
	tests := []struct {
		t    *cliproxyapi.Target
		want string
	}{
		{&cliproxyapi.Target{ConfigFile: "config.yaml", Management: &cliproxyapi.Management{Key: "sk-test-mgmt-v"}},
			"a management block and config_file (or config_dir) are both set; give one: config_file to edit the server's config.yaml, or management to write through its management API"},
		{&cliproxyapi.Target{ConfigDir: "~/cpa", Management: &cliproxyapi.Management{Key: "sk-test-mgmt-v"}}, "are both set"},
		{mgmt("http://127.0.0.1:8317", ""), `the management key is empty: give the server's remote-management.secret-key, such as key = env("CPA_MANAGEMENT_KEY")`},
		{&cliproxyapi.Target{}, "or, to write through the server's management API instead, a management block"},
	}
	for _, tc := range tests {
		errs := tc.t.Validate(in)
		if len(errs) != 1 || !strings.Contains(errs[0].Error(), tc.want) {
			t.Errorf("Validate(%+v) = %v, want %q", tc.t, errs, tc.want)
		}
	}
	if errs := mgmt("", "sk-test-mgmt-v").Validate(in); len(errs) != 0 {
		t.Errorf("Validate = %v", errs)
	}
}

func TestManagementSecrets(t *testing.T) {
	if got := mgmt("", "sk-test-mgmt-s").Secrets(); len(got) != 1 || got[0] != "sk-test-mgmt-s" {
		t.Errorf("Secrets = %v", got)
	}
	if got := (&cliproxyapi.Target{ConfigFile: "c.yaml"}).Secrets(); len(got) != 0 {
		t.Errorf("file mode Secrets = %v", got)
	}
}

// TestFetch reads the four lists with the key in a Bearer header, and
// leaves out the auth-index the server adds (it changes as the server
// reloads), so the same lists always give the same bytes.
func TestFetch(t *testing.T) {
	fake, srv := newFakeAPI(t, mgmtKey, map[string][]map[string]any{
		"openai-compatibility": {{"name": "mine", "base-url": "https://x.example.com/v1", "api-key-entries": []any{map[string]any{"api-key": "sk-test-user-1"}}}},
		"claude-api-key":       {{"api-key": "sk-ant-test-user-1"}},
	})
	tg := mgmt(srv.URL, mgmtKey)
	name := srv.URL + "/v0/management"
	a, err := tg.Fetch(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	b, err := tg.Fetch(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	if string(a) != string(b) {
		t.Errorf("two fetches differ:\n%s\n%s", a, b)
	}
	if strings.Contains(string(a), "auth-index") {
		t.Errorf("auth-index kept:\n%s", a)
	}
	var doc map[string][]map[string]any
	if err := json.Unmarshal(a, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc) != 4 || len(doc["openai-compatibility"]) != 1 || len(doc["claude-api-key"]) != 1 || doc["codex-api-key"] == nil || doc["gemini-api-key"] == nil {
		t.Errorf("doc = %v", doc)
	}
	if got := fake.requests(); strings.Join(got, ",") != "GET openai-compatibility,GET claude-api-key,GET codex-api-key,GET gemini-api-key,"+
		"GET openai-compatibility,GET claude-api-key,GET codex-api-key,GET gemini-api-key" {
		t.Errorf("requests = %v", got)
	}
	for _, h := range fake.auth {
		if h != "bearer" {
			t.Errorf("key sent as %s, want Authorization: Bearer", h)
		}
	}
	doc2, err := tg.Open(name, a)
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := doc2.Get(targets.Key{"claude-api-key", targets.SelectSecret("api-key", "sk-ant-test-user-1", "c"), "base-url"}); !ok || v != "" {
		t.Errorf("Get = %v, %v", v, ok)
	}
}

// TestFetchBareArray: an answer that is the list itself (other versions,
// all-api-hub's notes) is read too.
func TestFetchBareArray(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `[{"api-key":"k","auth-index":"1"}]`)
	}))
	defer srv.Close()
	got, err := mgmt(srv.URL, mgmtKey).Fetch(context.Background(), srv.URL+"/v0/management")
	if err != nil || strings.Count(string(got), `"api-key": "k"`) != 4 || strings.Contains(string(got), "auth-index") {
		t.Errorf("Fetch = %s, %v", got, err)
	}
}

// TestPush PUTs only the lists that changed, whole, as a JSON array; an
// emptied list is PUT as [].
func TestPush(t *testing.T) {
	fake, srv := newFakeAPI(t, mgmtKey, map[string][]map[string]any{
		"claude-api-key": {{"api-key": "sk-ant-test-user-1"}},
		"gemini-api-key": {{"api-key": "AIza-test-user-1"}},
	})
	tg := mgmt(srv.URL, mgmtKey)
	name := srv.URL + "/v0/management"
	before, err := tg.Fetch(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	doc, _ := tg.Open(name, before)
	sel := targets.SelectSecret("api-key", "sk-ant-test-hub-1", "claude")
	if err := doc.Set(targets.Key{"claude-api-key", sel, "api-key"}, "sk-ant-test-hub-1"); err != nil {
		t.Fatal(err)
	}
	if err := doc.Delete(targets.Key{"gemini-api-key", targets.SelectSecret("api-key", "AIza-test-user-1", "g"), "api-key"}); err != nil {
		t.Fatal(err)
	}
	fake.requests()
	if err := tg.Push(context.Background(), name, before, doc.Bytes()); err != nil {
		t.Fatal(err)
	}
	if got := fake.requests(); strings.Join(got, ",") != "PUT claude-api-key,PUT gemini-api-key" {
		t.Errorf("requests = %v", got)
	}
	if s := fake.state(); !strings.Contains(s, "sk-ant-test-hub-1") || !strings.Contains(s, `"gemini-api-key": []`) || !strings.Contains(s, "sk-ant-test-user-1") {
		t.Errorf("server = %s", s)
	}
	// Nothing changed: nothing sent.
	if err := tg.Push(context.Background(), name, before, before); err != nil || len(fake.requests()) != 0 {
		t.Errorf("Push of no change: %v", err)
	}
}

// TestPushPartialFailure: a PUT that fails after another succeeded says
// which lists were written.
func TestPushPartialFailure(t *testing.T) {
	fake, srv := newFakeAPI(t, mgmtKey, nil)
	fake.force["PUT codex-api-key"] = forced{http.StatusInternalServerError, "failed to save config: open /srv/cpa/config.yaml: permission denied"}
	tg := mgmt(srv.URL, mgmtKey)
	name := srv.URL + "/v0/management"
	before := []byte(`{"claude-api-key": [], "codex-api-key": [], "gemini-api-key": [], "openai-compatibility": []}`)
	after := []byte(`{"claude-api-key": [{"api-key": "a"}], "codex-api-key": [{"api-key": "b", "base-url": "u"}], "gemini-api-key": [], "openai-compatibility": []}`)
	err := tg.Push(context.Background(), name, before, after)
	want := fmt.Sprintf("CLIProxyAPI at %s failed PUT codex-api-key (500: failed to save config: open /srv/cpa/config.yaml: permission denied); see the server's log (claude-api-key were written already)", name)
	if err == nil || err.Error() != want {
		t.Errorf("err = %v\nwant %s", err, want)
	}
}

// TestErrors maps every answer of the management middleware, and failures
// to get one, to a message naming the server and what to do, never the key.
func TestErrors(t *testing.T) {
	defer cliproxyapi.SetRequestTimeout(300 * time.Millisecond)()
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("the redirect was followed to another origin (key header %q)", r.Header.Get("Authorization"))
	}))
	defer other.Close()
	answer := func(code int, body string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(code)
			fmt.Fprint(w, body)
		}
	}
	tests := []struct {
		name    string
		handler http.Handler
		want    string // %s is the base URL
	}{
		{"wrong key", answer(401, `{"error":"invalid management key"}`),
			"CLIProxyAPI at %s refused the management key (401: invalid management key); set key to the server's remote-management.secret-key (or its MANAGEMENT_PASSWORD). After five refused keys CLIProxyAPI bans this IP for 30 minutes"},
		{"banned", answer(403, `{"error":"IP banned due to too many failed attempts. Try again in 29m12s"}`),
			"CLIProxyAPI at %s has banned this IP after five refused management keys (403: IP banned due to too many failed attempts. Try again in 29m12s); correct key, then wait for the ban to end or restart the server"},
		{"remote", answer(403, `{"error":"remote management disabled"}`),
			"CLIProxyAPI at %s takes management requests only from its own host (403: remote management disabled); set remote-management.allow-remote: true in its config.yaml to manage it from here"},
		{"key not set", answer(403, `{"error":"remote management key not set"}`),
			"remote management is disabled on CLIProxyAPI at %s (403: remote management key not set): set remote-management.secret-key in its config.yaml"},
		{"no routes", answer(404, `404 page not found`),
			"CLIProxyAPI at %s has no management API (404 for GET openai-compatibility): remote management is disabled until remote-management.secret-key is set in its config.yaml (or MANAGEMENT_PASSWORD in its environment); if it is, check that url is the CLIProxyAPI server's address"},
		{"server error", answer(500, `{"error":"boom"}`), "CLIProxyAPI at %s failed GET openai-compatibility (500: boom); see the server's log"},
		{"html", answer(502, `<html><body>Bad Gateway</body></html>`), "CLIProxyAPI at %s failed GET openai-compatibility (502); see the server's log"},
		{"teapot", answer(418, `short and stout`), "CLIProxyAPI at %s answered GET openai-compatibility with 418: short and stout"},
		{"echo", answer(400, `bad key sk-test-mgmt-err`), "CLIProxyAPI at %s answered GET openai-compatibility with 400: bad key (management key)"},
		{"redirect", http.RedirectHandler(other.URL+"/v0/management/openai-compatibility", http.StatusFound),
			"CLIProxyAPI at %s answered GET openai-compatibility with a redirect (302) to \"" + other.URL + "/v0/management/openai-compatibility\", which hub does not follow with the management key"},
		{"not json", answer(200, `<html>`), "CLIProxyAPI at %s answered GET openai-compatibility with something other than JSON; is url the address of a CLIProxyAPI server?"},
		{"other object", answer(200, `{"status":"ok"}`), `CLIProxyAPI at %s answered GET openai-compatibility with an object without "openai-compatibility"`},
		{"slow", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-time.After(2 * time.Second):
			case <-r.Context().Done():
			}
		}), "CLIProxyAPI at %s did not answer GET openai-compatibility within 300ms; is the server up, and is url its address?"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(tc.handler)
			defer srv.Close()
			base := srv.URL + "/v0/management"
			_, err := mgmt(srv.URL, "sk-test-mgmt-err").Fetch(context.Background(), base)
			want := fmt.Sprintf(tc.want, base)
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Fatalf("err = %v\nwant %s", err, want)
			}
			if strings.Contains(err.Error(), "sk-test-mgmt-err") {
				t.Errorf("error shows the key: %v", err)
			}
		})
	}
	// Nothing listening.
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := l.Addr().String()
	l.Close()
	base := "http://" + addr + "/v0/management"
	_, err := mgmt("http://"+addr, "sk-test-mgmt-err").Fetch(context.Background(), base)
	if err == nil || !strings.HasPrefix(err.Error(), "cannot reach CLIProxyAPI at "+base+": ") || !strings.HasSuffix(err.Error(), "is the server running, and is url its address?") {
		t.Errorf("err = %v", err)
	}
}

// TestNoKeySet is a server without remote-management.secret-key: its
// management routes are not registered.
func TestNoKeySet(t *testing.T) {
	_, srv := newFakeAPI(t, "", nil)
	_, err := mgmt(srv.URL, mgmtKey).Fetch(context.Background(), srv.URL+"/v0/management")
	if err == nil || !strings.Contains(err.Error(), "remote management is disabled until remote-management.secret-key is set") {
		t.Errorf("err = %v", err)
	}
}

// TestBan: each plan with a wrong key costs one failure (hub stops at the
// first refused request), and the fifth gets this IP banned.
func TestBan(t *testing.T) {
	fake, srv := newFakeAPI(t, mgmtKey, nil)
	tg := mgmt(srv.URL, "sk-test-mgmt-wrong")
	for i := 1; i <= 5; i++ {
		_, err := tg.Fetch(context.Background(), srv.URL+"/v0/management")
		if err == nil || !strings.Contains(err.Error(), "refused the management key") {
			t.Fatalf("fetch %d: %v", i, err)
		}
		if len(fake.auth) != i {
			t.Fatalf("fetch %d made %d requests in all", i, len(fake.auth))
		}
	}
	_, err := mgmt(srv.URL, mgmtKey).Fetch(context.Background(), srv.URL+"/v0/management")
	if err == nil || !strings.Contains(err.Error(), "has banned this IP") {
		t.Errorf("err = %v", err)
	}
}

// TestStale: the lists changed between plan and apply: nothing is PUT.
func TestStale(t *testing.T) {
	fake, srv := newFakeAPI(t, mgmtKey, nil)
	eng, cfg := mgmtEngine(srv.URL, claudeCred)
	planned, err := eng.Plan(context.Background(), cfg, states.New(), engine.PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	fake.lists["claude-api-key"] = normalizeList("claude-api-key", []map[string]any{{"api-key": "sk-ant-test-someone-else"}})
	fake.requests()
	res, err := eng.Apply(context.Background(), planned, states.New())
	if err != nil {
		t.Fatal(err)
	}
	var stale *engine.StaleError
	if !errors.As(res.Err(), &stale) || len(fake.puts()) != 0 {
		t.Errorf("err = %v", res.Err())
	}
}

func mgmtEngine(url string, creds ...*credential.Credential) (*engine.Engine, *config.Config) {
	info, _ := targets.Lookup(cliproxyapi.Type)
	in := &targets.Input{Address: "cliproxyapi.test", Credentials: creds}
	cfg := &config.Config{Targets: []*config.Target{{Type: info.Type, Name: "test", Info: info, Impl: mgmt(url, mgmtKey), Input: in}}}
	eng := &engine.Engine{Sys: system.NewMem(nil), Env: targets.Env{Vars: map[string]string{"HOME": "/home/user"}, Dir: "/home/user/creds"}, Host: "test"}
	return eng, cfg
}

// TestRemovedTarget: a block the configuration no longer has. For a
// config.yaml, hub removes its entries as usual (the document is a file,
// not a URL). For a management API, hub has no key left: the plan says how
// to remove the entries, and sends nothing.
func TestRemovedTarget(t *testing.T) {
	const path = "/srv/cpa/config.yaml"
	orig := "# mine\nport: 8317\n"
	mem := system.NewMem(map[string][]byte{path: []byte(orig)})
	info, _ := targets.Lookup(cliproxyapi.Type)
	eng := &engine.Engine{Sys: mem, Env: targets.Env{Vars: map[string]string{"HOME": "/home/user"}, Dir: "/home/user/creds"}, Host: "test"}
	st, _ := apply(t, eng, config1(info, path, relayCred, claudeCred), states.New())
	if _, shown := apply(t, eng, &config.Config{}, st); !strings.Contains(shown, "claude-api-key[#hub:claude].api-key") {
		t.Errorf("plan:\n%s", shown)
	}
	if got, _ := mem.ReadFile(path); string(got) != orig {
		t.Errorf("config.yaml = %s", got)
	}

	fake, srv := newFakeAPI(t, mgmtKey, nil)
	eng, cfg := mgmtEngine(srv.URL, claudeCred)
	st, _ = apply(t, eng, cfg, states.New())
	fake.requests()
	planned, err := eng.Plan(context.Background(), &config.Config{}, st, engine.PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	errs := views.TargetErrors(planned.Plan)
	want := fmt.Sprintf("hub owns entries in the lists of the CLIProxyAPI at %s/v0/management, but no cliproxyapi block manages that server any more", srv.URL)
	if len(errs) != 1 || !strings.Contains(errs[0], want) || !strings.Contains(errs[0], "credentials = [] back, apply, then remove it") {
		t.Errorf("errors = %v", errs)
	}
	if r := fake.requests(); len(r) != 0 {
		t.Errorf("requests = %v", r)
	}
}

// TestUnreachableAtApply: the server goes away between plan and apply.
func TestUnreachableAtApply(t *testing.T) {
	var down atomic.Bool
	fake, _ := newFakeAPI(t, mgmtKey, nil)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if down.Load() {
			hj, _ := w.(http.Hijacker)
			c, _, _ := hj.Hijack()
			c.Close()
			return
		}
		fake.ServeHTTP(w, r)
	}))
	defer srv.Close()
	eng, cfg := mgmtEngine(srv.URL, claudeCred)
	planned, err := eng.Plan(context.Background(), cfg, states.New(), engine.PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	down.Store(true)
	res, err := eng.Apply(context.Background(), planned, states.New())
	if err != nil {
		t.Fatal(err)
	}
	if res.Err() == nil || !strings.Contains(res.Err().Error(), "cannot reach CLIProxyAPI at "+srv.URL+"/v0/management") || res.Changed {
		t.Errorf("err = %v, changed = %v", res.Err(), res.Changed)
	}
	if strings.Contains(res.Err().Error(), mgmtKey) {
		t.Error("error shows the key")
	}
}
