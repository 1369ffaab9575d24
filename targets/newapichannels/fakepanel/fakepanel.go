// Package fakepanel is a fake New API panel's admin API for tests, faithful
// to what a running New API does (shared/specs/newapi-real.md): answers
// {success, message, data}, many errors as HTTP 200 with success: false;
// access tokens sent as "Authorization: [Bearer ]TOKEN"; roles (an ordinary
// admin may list and change models, groups and the like, but creating or
// deleting a channel answers 403 and changing its key or base_url 200 with
// success: false); keys write-only (lists and reads give ""); a create that
// answers no id; partial updates that refuse a body holding status; the
// status, test and fetch-models endpoints. It listens on 127.0.0.1 only.
// Checked by hand against New API e2c7aa7b (2026-08-15) on 127.0.0.1: the
// story of the newapi_channels target ran the same there, and the refusals'
// status codes and message are the real ones.
package fakepanel

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// insufficient is what New API (commit e2c7aa7b, run by hand) answers an
// ordinary admin's create and delete (403) and key change (200).
const insufficient = "Unauthorized, insufficient privileges"

// Roles of New API users.
const (
	RoleUser  = 1
	RoleAdmin = 10
	RoleRoot  = 100
)

// A User holds an access token.
type User struct {
	ID       int64
	Username string
	Role     int
	Token    string
}

// A Channel is a channel as the panel stores it.
type Channel struct {
	ID           int64  `json:"id"`
	Name         string `json:"name"`
	Type         int64  `json:"type"`
	Key          string `json:"key"`
	BaseURL      string `json:"base_url"`
	Models       string `json:"models"`
	Group        string `json:"group"`
	Priority     int64  `json:"priority"`
	Weight       int64  `json:"weight"`
	ModelMapping string `json:"model_mapping"`
	Tag          string `json:"tag"`
	Remark       string `json:"remark"`
	Status       int    `json:"status"`
}

// Server is a running fake panel.
type Server struct {
	*httptest.Server
	mu       sync.Mutex
	users    []User
	channels []*Channel
	nextID   int64
	// Requests are the requests made, "METHOD path" (no query), in order.
	requests []string
	// UpstreamModels is what fetch-models answers.
	UpstreamModels []string
	// TestFailures, by channel name, make the channel test fail with
	// that message (success: false, as New API answers an upstream error).
	TestFailures map[string]string
}

// New starts a panel with these users.
func New(users ...User) *Server {
	s := &Server{users: users, nextID: 1}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// Add stores a channel as a user of the panel would (its id is set), and
// returns its id.
func (s *Server) Add(c Channel) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	c.ID = s.nextID
	s.nextID++
	if c.Status == 0 {
		c.Status = 1
	}
	s.channels = append(s.channels, &c)
	return c.ID
}

// Channels returns a copy of every channel, keys included, by id.
func (s *Server) Channels() []Channel {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Channel, 0, len(s.channels))
	for _, c := range s.channels {
		out = append(out, *c)
	}
	return out
}

// Edit changes the channel with id as a user would in the panel; it
// reports whether there is one.
func (s *Server) Edit(id int64, f func(*Channel)) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.channels {
		if c.ID == id {
			f(c)
			return true
		}
	}
	return false
}

// Requests returns the requests made so far, "METHOD /path".
func (s *Server) Requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

func reply(w http.ResponseWriter, status int, v map[string]any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func ok(w http.ResponseWriter, data any) {
	v := map[string]any{"success": true, "message": ""}
	if data != nil {
		v["data"] = data
	}
	reply(w, http.StatusOK, v)
}

// fail is New API's usual error: HTTP 200, success false.
func fail(w http.ResponseWriter, msg string) {
	reply(w, http.StatusOK, map[string]any{"success": false, "message": msg})
}

func (s *Server) user(r *http.Request) *User {
	tok := strings.TrimSpace(r.Header.Get("Authorization"))
	tok = strings.TrimSpace(strings.TrimPrefix(tok, "Bearer "))
	if tok == "" {
		return nil
	}
	for i := range s.users {
		if s.users[i].Token == tok {
			return &s.users[i]
		}
	}
	return nil
}

// view is a channel as the API shows it: never its key.
func view(c *Channel) Channel {
	v := *c
	v.Key = ""
	return v
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, r.Method+" "+r.URL.RequestURI())
	u := s.user(r)
	if u == nil {
		reply(w, http.StatusUnauthorized, map[string]any{"success": false, "code": "AUTH_UNAUTHORIZED", "message": "unauthorized"})
		return
	}
	p := r.URL.Path
	if p == "/api/user/self" && r.Method == http.MethodGet {
		ok(w, map[string]any{"id": u.ID, "username": u.Username, "role": u.Role, "status": 1, "group": "default"})
		return
	}
	if !strings.HasPrefix(p, "/api/channel") {
		http.NotFound(w, r)
		return
	}
	if u.Role < RoleAdmin {
		reply(w, http.StatusForbidden, map[string]any{"success": false, "message": insufficient})
		return
	}
	rest := strings.TrimPrefix(p, "/api/channel")
	switch {
	case rest == "/" && r.Method == http.MethodGet:
		s.list(w, r)
	case rest == "/" && r.Method == http.MethodPost:
		if u.Role < RoleRoot {
			reply(w, http.StatusForbidden, map[string]any{"success": false, "message": insufficient})
			return
		}
		s.create(w, r)
	case rest == "/" && r.Method == http.MethodPut:
		s.update(w, r, u)
	case strings.HasPrefix(rest, "/test/") && r.Method == http.MethodGet:
		if c := s.find(strings.TrimPrefix(rest, "/test/")); c == nil {
			fail(w, "record not found")
		} else if msg, bad := s.TestFailures[c.Name]; bad {
			reply(w, http.StatusOK, map[string]any{"success": false, "message": msg, "time": 1.5})
		} else {
			reply(w, http.StatusOK, map[string]any{"success": true, "message": "", "time": 0.42})
		}
	case strings.HasPrefix(rest, "/fetch_models/") && r.Method == http.MethodGet:
		if c := s.find(strings.TrimPrefix(rest, "/fetch_models/")); c == nil {
			fail(w, "record not found")
		} else {
			ok(w, s.UpstreamModels)
		}
	case strings.HasSuffix(rest, "/status") && r.Method == http.MethodPost:
		c := s.find(strings.TrimSuffix(strings.TrimPrefix(rest, "/"), "/status"))
		var body struct {
			Status int `json:"status"`
		}
		if c == nil {
			fail(w, "record not found")
		} else if json.NewDecoder(r.Body).Decode(&body) != nil || (body.Status != 1 && body.Status != 2) {
			fail(w, "Invalid parameters")
		} else {
			c.Status = body.Status
			ok(w, nil)
		}
	case r.Method == http.MethodGet && strings.Count(rest, "/") == 1:
		if c := s.find(strings.TrimPrefix(rest, "/")); c == nil {
			fail(w, "record not found")
		} else {
			ok(w, view(c))
		}
	case r.Method == http.MethodDelete && strings.Count(rest, "/") == 1:
		if u.Role < RoleRoot {
			reply(w, http.StatusForbidden, map[string]any{"success": false, "message": insufficient})
			return
		}
		c := s.find(strings.TrimPrefix(rest, "/"))
		if c == nil {
			fail(w, "record not found")
			return
		}
		s.channels = slices.DeleteFunc(s.channels, func(x *Channel) bool { return x == c })
		ok(w, nil)
	default:
		http.NotFound(w, r)
	}
}

func (s *Server) find(id string) *Channel {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		return nil
	}
	for _, c := range s.channels {
		if c.ID == n {
			return c
		}
	}
	return nil
}

// list answers one page, priority descending unless id_sort=true; at
// most 100 a page, p from 1.
func (s *Server) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	page, _ := strconv.Atoi(q.Get("p"))
	size, _ := strconv.Atoi(q.Get("page_size"))
	if page < 1 {
		page = 1
	}
	if size < 1 {
		size = 10
	}
	size = min(size, 100)
	all := slices.Clone(s.channels)
	if q.Get("id_sort") == "true" {
		slices.SortStableFunc(all, func(a, b *Channel) int { return int(b.ID - a.ID) })
	} else {
		slices.SortStableFunc(all, func(a, b *Channel) int { return int(b.Priority - a.Priority) })
	}
	items := []Channel{}
	for i := (page - 1) * size; i < len(all) && i < page*size; i++ {
		items = append(items, view(all[i]))
	}
	ok(w, map[string]any{"items": items, "total": len(all), "page": page, "page_size": size, "type_counts": map[string]int{}})
}

// create takes {"mode": "single", "channel": {...}} and answers no id.
func (s *Server) create(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Mode    string  `json:"mode"`
		Channel Channel `json:"channel"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		fail(w, "Invalid parameters")
		return
	}
	if body.Mode != "single" && body.Mode != "batch" && body.Mode != "multi_to_single" {
		fail(w, "不支持的添加模式")
		return
	}
	c := body.Channel
	if strings.TrimSpace(c.Key) == "" {
		fail(w, "channel key cannot be empty")
		return
	}
	c.ID = s.nextID
	s.nextID++
	if c.Status == 0 {
		c.Status = 1
	}
	if c.Group == "" {
		c.Group = "default"
	}
	s.channels = append(s.channels, &c)
	ok(w, nil)
}

// update applies the fields present (partial), refusing status, and a key
// or base_url change from anyone but root.
func (s *Server) update(w http.ResponseWriter, r *http.Request, u *User) {
	var body map[string]json.RawMessage
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		fail(w, "Invalid parameters")
		return
	}
	if _, has := body["status"]; has {
		fail(w, "Invalid parameters")
		return
	}
	var id int64
	if json.Unmarshal(body["id"], &id) != nil {
		fail(w, "Invalid parameters")
		return
	}
	c := s.find(strconv.FormatInt(id, 10))
	if c == nil {
		fail(w, "record not found")
		return
	}
	if u.Role < RoleRoot {
		for _, f := range []string{"key", "base_url"} {
			if _, has := body[f]; has {
				fail(w, insufficient)
				return
			}
		}
	}
	next := *c
	data, _ := json.Marshal(body)
	if err := json.Unmarshal(data, &next); err != nil {
		fail(w, "Invalid parameters")
		return
	}
	if k, has := body["key"]; has {
		var key string
		if json.Unmarshal(k, &key) == nil && key == "" {
			next.Key = c.Key // a blank key leaves the key as it is
		}
	}
	next.ID = c.ID
	*c = next
	ok(w, view(c))
}
