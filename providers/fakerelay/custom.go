package fakerelay

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"
)

// A user-mapped usage endpoint (method = "custom"), on every flavor:
//
//   - GET /custom/usage answers Key.Custom as JSON for the key sent as
//     "Authorization: Bearer <key>", or the answer registered with
//     AddUsageToken for a dedicated usage token. Tests start two fakes to
//     play a relay and a separate usage service on another origin, and look
//     at the second one's recorded headers to prove the key never got there.
//   - GET /custom/redirect?to=<url> answers 302 to <url>, to test that a
//     redirect to another origin is not followed.
func init() {
	addRoutes(func(s *Server, mux *http.ServeMux) {
		mux.HandleFunc("GET /custom/usage", s.customUsage)
		mux.HandleFunc("GET /custom/redirect", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, r.URL.Query().Get("to"), http.StatusFound)
		})
	})
}

var (
	usageTokensMu sync.Mutex
	usageTokens   = map[*Server]map[string]map[string]any{}
)

// AddUsageToken makes /custom/usage accept token as a bearer token and answer
// it with answer: a usage service that takes its own token, not the key.
func (s *Server) AddUsageToken(token string, answer map[string]any) {
	usageTokensMu.Lock()
	defer usageTokensMu.Unlock()
	if usageTokens[s] == nil {
		usageTokens[s] = map[string]map[string]any{}
	}
	usageTokens[s][token] = answer
}

func (s *Server) usageToken(token string) (map[string]any, bool) {
	usageTokensMu.Lock()
	defer usageTokensMu.Unlock()
	a, ok := usageTokens[s][token]
	return a, ok
}

func (s *Server) customUsage(w http.ResponseWriter, r *http.Request) {
	var v string
	if a := r.Header.Get("Authorization"); len(a) > 7 && strings.EqualFold(a[:7], "bearer ") {
		v = strings.TrimSpace(a[7:])
	}
	if answer, ok := s.usageToken(v); ok && v != "" {
		writeJSON(w, http.StatusOK, answer)
		return
	}
	k := s.Key(v)
	if v == "" || k == nil {
		s.keyError(w, r, nil, v != "")
		return
	}
	if s.keyError(w, r, k, true) {
		return
	}
	s.mu.Lock()
	body, err := json.Marshal(k.Custom)
	s.mu.Unlock()
	if err != nil || k.Custom == nil {
		body = []byte("{}")
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(body)
}
