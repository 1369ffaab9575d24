package cliproxyapi_test

// fakeAPI is CLIProxyAPI's management API as v6.10.0 serves it, for the
// lists hub touches (internal/api/server.go registerManagementRoutes,
// handlers/management/handler.go Middleware and AuthenticateManagementKey,
// config_lists.go, config_auth_index.go):
//
//   - no secret-key set: the routes are not registered, 404 "404 page not
//     found" for everything;
//   - the key in "Authorization: Bearer KEY" (or the raw header) or
//     X-Management-Key; missing 401 "missing management key", wrong 401
//     "invalid management key"; five failures ban the client for 30
//     minutes, 403 "IP banned due to too many failed attempts. Try again in
//     30m0s"; a success resets the count;
//   - GET /v0/management/<list> answers {"<list>": [...]}, each entry as the
//     config struct encodes it (claude/codex: base-url, proxy-url and models
//     always present; openai-compatibility: disabled always present) plus an
//     auth-index of the live credential (which changes as the server
//     reloads: here, on every GET);
//   - PUT replaces the whole list with a JSON array or {"items": [...]}
//     (non-empty), dropping what the structs do not hold (auth-index) and
//     the entries the server drops (openai-compatibility and codex-api-key
//     without base-url, gemini-api-key without api-key or repeated),
//     answering {"status": "ok"}.

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
)

var fakeLists = []string{"openai-compatibility", "claude-api-key", "codex-api-key", "gemini-api-key"}

type fakeAPI struct {
	mu       sync.Mutex
	key      string // "" when remote management is off
	lists    map[string][]map[string]any
	failures int
	banned   bool
	gets     int
	// force answers METHOD LIST with a status and message instead.
	force map[string]forced
	// log records each request: "GET claude-api-key", "PUT codex-api-key".
	log []string
	// auth records how each request carried its key.
	auth []string
}

type forced struct {
	code int
	msg  string
}

func newFakeAPI(t *testing.T, key string, lists map[string][]map[string]any) (*fakeAPI, *httptest.Server) {
	f := &fakeAPI{key: key, lists: map[string][]map[string]any{}, force: map[string]forced{}}
	for _, l := range fakeLists {
		f.lists[l] = []map[string]any{}
	}
	for l, es := range lists {
		f.lists[l] = normalizeList(l, es)
	}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv
}

func (f *fakeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	list, ok := strings.CutPrefix(r.URL.Path, "/v0/management/")
	if !ok || f.key == "" {
		http.NotFound(w, r) // gin: "404 page not found"
		return
	}
	w.Header().Set("X-CPA-VERSION", "v6.10.0")
	fail := func(code int, msg string) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(code)
		_ = json.NewEncoder(w).Encode(map[string]string{"error": msg})
	}
	if f.banned {
		fail(http.StatusForbidden, "IP banned due to too many failed attempts. Try again in 30m0s")
		return
	}
	provided, how := "", ""
	if ah := r.Header.Get("Authorization"); ah != "" {
		if kind, v, found := strings.Cut(ah, " "); found && strings.EqualFold(kind, "bearer") {
			provided, how = v, "bearer"
		} else {
			provided, how = ah, "raw"
		}
	}
	if provided == "" {
		provided, how = r.Header.Get("X-Management-Key"), "x-management-key"
	}
	f.auth = append(f.auth, how)
	countFailure := func() {
		f.failures++
		if f.failures >= 5 {
			f.banned, f.failures = true, 0
		}
	}
	switch {
	case provided == "":
		countFailure()
		fail(http.StatusUnauthorized, "missing management key")
		return
	case provided != f.key:
		countFailure()
		fail(http.StatusUnauthorized, "invalid management key")
		return
	}
	f.failures = 0
	f.log = append(f.log, r.Method+" "+list)
	if fc, ok := f.force[r.Method+" "+list]; ok {
		fail(fc.code, fc.msg)
		return
	}
	if !slices.Contains(fakeLists, list) {
		http.NotFound(w, r)
		return
	}
	switch r.Method {
	case http.MethodGet:
		f.gets++
		out := make([]map[string]any, 0, len(f.lists[list]))
		for i, e := range f.lists[list] {
			c := clone(e)
			idx := fmt.Sprintf("%x", f.gets*100+i)
			if list == "openai-compatibility" {
				if keys, ok := c["api-key-entries"].([]any); ok {
					for _, k := range keys {
						k.(map[string]any)["auth-index"] = idx
					}
				}
			} else if c["api-key"] != "" {
				c["auth-index"] = idx
			}
			out = append(out, c)
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		_ = json.NewEncoder(w).Encode(map[string]any{list: out})
	case http.MethodPut:
		data, _ := io.ReadAll(r.Body)
		var arr []map[string]any
		if err := json.Unmarshal(data, &arr); err != nil {
			var obj struct {
				Items []map[string]any `json:"items"`
			}
			if err2 := json.Unmarshal(data, &obj); err2 != nil || len(obj.Items) == 0 {
				fail(http.StatusBadRequest, "invalid body")
				return
			}
			arr = obj.Items
		}
		f.lists[list] = normalizeList(list, arr)
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		_, _ = io.WriteString(w, `{"status":"ok"}`)
	default:
		http.NotFound(w, r)
	}
}

// normalizeList is a list as the server holds it after a PUT.
func normalizeList(list string, in []map[string]any) []map[string]any {
	out := []map[string]any{}
	seen := map[string]bool{}
	for _, e := range in {
		e = clone(e)
		delete(e, "auth-index")
		if keys, ok := e["api-key-entries"].([]any); ok {
			for _, k := range keys {
				delete(k.(map[string]any), "auth-index")
			}
		}
		switch list {
		case "openai-compatibility":
			if s, _ := e["base-url"].(string); strings.TrimSpace(s) == "" {
				continue
			}
			if _, ok := e["disabled"]; !ok {
				e["disabled"] = false
			}
		case "claude-api-key", "codex-api-key":
			if list == "codex-api-key" {
				if s, _ := e["base-url"].(string); strings.TrimSpace(s) == "" {
					continue
				}
			}
			for _, f := range []string{"base-url", "proxy-url"} {
				if _, ok := e[f]; !ok {
					e[f] = ""
				}
			}
			if _, ok := e["models"]; !ok {
				e["models"] = nil
			}
		case "gemini-api-key":
			k, _ := e["api-key"].(string)
			b, _ := e["base-url"].(string)
			if k == "" || seen[k+"|"+b] {
				continue
			}
			seen[k+"|"+b] = true
		}
		out = append(out, e)
	}
	return out
}

func clone(e map[string]any) map[string]any {
	b, _ := json.Marshal(e)
	var c map[string]any
	_ = json.Unmarshal(b, &c)
	return c
}

// state is the lists as indented JSON, for golden files.
func (f *fakeAPI) state() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	b, _ := json.MarshalIndent(f.lists, "", "  ")
	return string(b) + "\n"
}

// requests returns and clears the request log.
func (f *fakeAPI) requests() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	l := f.log
	f.log = nil
	return l
}

func (f *fakeAPI) puts() []string {
	var out []string
	for _, r := range f.requests() {
		if l, ok := strings.CutPrefix(r, "PUT "); ok {
			out = append(out, l)
		}
	}
	return out
}
