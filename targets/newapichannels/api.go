package newapichannels

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/hubctl/hub/targets/internal/remotedoc"

	"github.com/hubctl/hub/secret"
)

// requestTimeout bounds each request to the panel (a variable for tests).
var requestTimeout = 10 * time.Second

const (
	// pageSize is the most channels New API lists in one page.
	pageSize = 100
	// maxBody bounds what hub reads of one answer.
	maxBody = 32 << 20
	// Roles of New API users.
	roleAdmin = 10
	roleRoot  = 100
)

// client talks to the panel directly (no HTTP proxy from the environment,
// which would see the token and keys) and follows no redirect, so the token
// goes nowhere but to url.
var client = &http.Client{
	Transport: &http.Transport{
		Proxy:               nil,
		MaxIdleConnsPerHost: 2,
		IdleConnTimeout:     30 * time.Second,
		ForceAttemptHTTP2:   true,
	},
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// api returns the panel's base URL for the document name the plan took
// from Files.
func (t *Target) api(name string) (string, error) {
	if b, err := t.base(); err == nil && b+apiPath == name && t.AccessToken != "" {
		return b, nil
	}
	return "", fmt.Errorf("hub owns channels on the New API panel at %s, but no newapi_channels block manages that panel any more, so hub has no access token to remove them with; "+
		"put a block with url = %q, its access_token and credentials = [] back, apply, then remove it", name, strings.TrimSuffix(name, apiPath))
}

// channel is a channel as the panel lists it, with the fields hub reads.
type channel struct {
	ID           int64   `json:"id"`
	Name         string  `json:"name"`
	Type         int64   `json:"type"`
	BaseURL      *string `json:"base_url"`
	Models       string  `json:"models"`
	Group        string  `json:"group"`
	Priority     *int64  `json:"priority"`
	Weight       *int64  `json:"weight"`
	ModelMapping *string `json:"model_mapping"`
	Tag          *string `json:"tag"`
	Remark       *string `json:"remark"`
}

// Fetch implements targets.Remote: every page of the channel list, of which
// hub keeps the channels carrying its marker, as {"channels": [...]}.
func (t *Target) Fetch(ctx context.Context, name string) ([]byte, error) {
	base, err := t.api(name)
	if err != nil {
		return nil, err
	}
	all, err := t.list(ctx, base)
	if err != nil {
		return nil, err
	}
	byID := map[string]map[string]any{}
	var ids []string
	for _, c := range all {
		if c.Remark == nil {
			continue
		}
		id, digest, ok := parseMarker(*c.Remark)
		if !ok {
			continue
		}
		if prev, dup := byID[id]; dup {
			return nil, fmt.Errorf("the New API panel at %s has two channels marked as hub's for credential %s (ids %v and %d, a copy made in the panel?); change or clear the remark of the one hub should leave alone",
				base, id, prev["id"], c.ID)
		}
		byID[id] = doc(id, digest, c)
		ids = append(ids, id)
	}
	sort.Strings(ids)
	chans := make([]any, 0, len(ids))
	for _, id := range ids {
		chans = append(chans, byID[id])
	}
	return remotedoc.Encode(map[string]any{"channels": chans})
}

// doc is the document's form of hub's channel for credential id.
func doc(id, digest string, c channel) map[string]any {
	d := map[string]any{
		"hub":    id,
		"id":     c.ID,
		"name":   c.Name,
		"type":   c.Type,
		"key":    digest,
		"models": splitList(c.Models),
		"group":  c.Group,
	}
	if c.BaseURL != nil && *c.BaseURL != "" {
		d["base_url"] = *c.BaseURL
	}
	if c.Priority != nil {
		d["priority"] = *c.Priority
	}
	if c.Weight != nil {
		d["weight"] = *c.Weight
	}
	if c.Tag != nil && *c.Tag != "" {
		d["tag"] = *c.Tag
	}
	if c.ModelMapping != nil {
		var m map[string]any
		if err := json.Unmarshal([]byte(*c.ModelMapping), &m); err == nil && len(m) > 0 {
			d["model_mapping"] = m
		} else if err != nil && strings.TrimSpace(*c.ModelMapping) != "" {
			d["model_mapping"] = *c.ModelMapping // not JSON: shown as it is
		}
	}
	return d
}

func splitList(s string) []any {
	out := []any{}
	for _, m := range strings.Split(s, ",") {
		if m = strings.TrimSpace(m); m != "" {
			out = append(out, m)
		}
	}
	return out
}

// list reads every page of the channel list.
func (t *Target) list(ctx context.Context, base string) ([]channel, error) {
	var all []channel
	for p := 1; ; p++ {
		q := url.Values{"p": {strconv.Itoa(p)}, "page_size": {strconv.Itoa(pageSize)}, "id_sort": {"true"}}
		data, err := t.do(ctx, base, http.MethodGet, apiPath+"/?"+q.Encode(), nil)
		if err != nil {
			return nil, err
		}
		var page struct {
			Items []channel `json:"items"`
			Total int       `json:"total"`
		}
		if err := json.Unmarshal(data, &page); err != nil {
			return nil, fmt.Errorf("the New API panel at %s answered the channel list with something other than {items, total} (%v); hub needs a New API from 2025 or later", base, err)
		}
		all = append(all, page.Items...)
		if len(page.Items) == 0 || len(all) >= page.Total || p >= 1000 {
			return all, nil
		}
	}
}

// fields are the channel fields hub owns, in the order Push sends them.
var fields = []string{"name", "type", "base_url", "key", "models", "group", "priority", "weight", "model_mapping", "tag"}

// rootFields are the fields only root may change.
var rootFields = []string{"base_url", "key"}

// op is one change Push makes to the panel.
type op struct {
	kind   string // "create", "update", "delete"
	cred   string // credential id
	id     int64  // channel id (update, delete)
	fields map[string]any
}

// Push implements targets.Remote: it creates, updates (only the changed
// fields) and deletes hub's channels so the panel matches after. The
// engine has just fetched the channels again and found them as before.
func (t *Target) Push(ctx context.Context, name string, before, after []byte) error {
	base, err := t.api(name)
	if err != nil {
		return err
	}
	b, err := channels(before)
	if err != nil {
		return fmt.Errorf("channels of the New API panel at %s as planned: %v (a bug in hub)", base, err)
	}
	a, err := channels(after)
	if err != nil {
		return fmt.Errorf("channels of the New API panel at %s to write: %v (a bug in hub)", base, err)
	}
	ops, err := t.plan(b, a)
	if err != nil {
		return fmt.Errorf("New API panel at %s: %w", base, err)
	}
	if len(ops) == 0 {
		return nil
	}
	if err := t.checkRole(ctx, base, ops); err != nil {
		return err
	}
	var done []string
	fail := func(err error) error {
		if len(done) > 0 {
			return fmt.Errorf("%w (done already: %s)", err, strings.Join(done, ", "))
		}
		return err
	}
	var created []string
	for _, o := range ops {
		var err error
		switch o.kind {
		case "create":
			err = t.create(ctx, base, o)
			created = append(created, o.cred)
		case "update":
			err = t.update(ctx, base, o)
		case "delete":
			_, err = t.do(ctx, base, http.MethodDelete, apiPath+"/"+strconv.FormatInt(o.id, 10), nil)
		}
		if err != nil {
			return fail(fmt.Errorf("%s the channel for credential %s: %w", o.kind, o.cred, err))
		}
		done = append(done, o.kind+" "+o.cred)
	}
	if len(created) > 0 {
		if err := t.checkCreated(ctx, base, created); err != nil {
			return fail(err)
		}
	}
	return nil
}

// channels reads a document into hub's channels by credential id.
func channels(data []byte) (map[string]map[string]any, error) {
	return remotedoc.Records(data, "channels", "hub")
}

// plan turns the documents into operations: creates, then updates, then
// deletes, each in credential order. A channel whose key item is gone has
// lost all of hub's items: hub deletes it.
func (t *Target) plan(before, after map[string]map[string]any) ([]op, error) {
	var creates, updates, deletes []op
	sorted := remotedoc.IDs(before, after)
	for _, id := range sorted {
		b, inBefore := before[id]
		a, inAfter := after[id]
		if inAfter {
			if _, hasKey := a["key"]; !hasKey {
				inAfter = false
			}
		}
		chID := int64(0)
		if inBefore {
			n, err := number(b["id"])
			if err != nil {
				return nil, fmt.Errorf("hub's channel for credential %s has no id: %v", id, err)
			}
			chID = n
		}
		switch {
		case inBefore && !inAfter:
			deletes = append(deletes, op{kind: "delete", cred: id, id: chID})
		case !inBefore && inAfter:
			f := map[string]any{}
			for _, k := range fields {
				if v, ok := a[k]; ok {
					f[k] = v
				}
			}
			creates = append(creates, op{kind: "create", cred: id, fields: f})
		case inBefore && inAfter:
			f := map[string]any{}
			for _, k := range fields {
				av, aok := a[k]
				bv, bok := b[k]
				switch {
				case aok && (!bok || !same(av, bv)):
					f[k] = av
				case !aok && bok:
					f[k] = nil // hub's item removed: cleared
				}
			}
			if len(f) > 0 {
				updates = append(updates, op{kind: "update", cred: id, id: chID, fields: f})
			}
		}
	}
	return slices.Concat(creates, updates, deletes), nil
}

func same(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}

func number(v any) (int64, error) {
	switch n := v.(type) {
	case json.Number:
		return n.Int64()
	case float64:
		return int64(n), nil
	case int64:
		return n, nil
	}
	return 0, fmt.Errorf("%v is not a number", v)
}

// body turns the document's fields into New API's channel fields: models
// and model_mapping as the strings the panel keeps, the key looked up by
// its digest, and the remark holding hub's marker.
func (t *Target) body(cred string, f map[string]any) (map[string]any, error) {
	out := map[string]any{}
	for k, v := range f {
		switch k {
		case "key":
			digest, _ := v.(string)
			t.mu.Lock()
			key, ok := t.keys[digest]
			t.mu.Unlock()
			if !ok {
				return nil, fmt.Errorf("the key of credential %s is not known to this run (a bug in hub)", cred)
			}
			out["key"] = key
			out["remark"] = marker(cred, digest)
		case "models":
			var ms []string
			if l, ok := v.([]any); ok {
				for _, m := range l {
					if s, ok := m.(string); ok {
						ms = append(ms, s)
					}
				}
			}
			out["models"] = strings.Join(ms, ",")
		case "model_mapping":
			switch m := v.(type) {
			case nil:
				out[k] = ""
			case string:
				out[k] = m
			default:
				data, err := json.Marshal(m)
				if err != nil {
					return nil, err
				}
				out[k] = string(data)
			}
		case "type", "priority", "weight":
			if v == nil {
				continue // a number hub no longer sets: left as it is
			}
			n, err := number(v)
			if err != nil {
				return nil, fmt.Errorf("%s of credential %s's channel: %v (a bug in hub)", k, cred, err)
			}
			out[k] = n
		default:
			if v == nil {
				v = ""
			}
			out[k] = v
		}
	}
	return out, nil
}

// create adds one channel. New API answers without its id; checkCreated
// finds it afterwards.
func (t *Target) create(ctx context.Context, base string, o op) error {
	ch, err := t.body(o.cred, o.fields)
	if err != nil {
		return err
	}
	ch["status"] = 1
	data, err := json.Marshal(map[string]any{"mode": "single", "channel": ch})
	if err != nil {
		return err
	}
	_, err = t.do(ctx, base, http.MethodPost, apiPath+"/", data)
	return err
}

// update sends the changed fields only (New API's PUT is partial).
func (t *Target) update(ctx context.Context, base string, o op) error {
	ch, err := t.body(o.cred, o.fields)
	if err != nil {
		return err
	}
	ch["id"] = o.id
	data, err := json.Marshal(ch)
	if err != nil {
		return err
	}
	_, err = t.do(ctx, base, http.MethodPut, apiPath+"/", data)
	return err
}

// checkCreated lists the channels again and makes sure each created one is
// there exactly once, found by its marker (New API gives no id on create).
func (t *Target) checkCreated(ctx context.Context, base string, creds []string) error {
	all, err := t.list(ctx, base)
	if err != nil {
		return fmt.Errorf("checking the channels hub created: %w", err)
	}
	count := map[string]int{}
	for _, c := range all {
		if c.Remark == nil {
			continue
		}
		if id, _, ok := parseMarker(*c.Remark); ok {
			count[id]++
		}
	}
	for _, id := range creds {
		switch count[id] {
		case 1:
		case 0:
			return fmt.Errorf("the New API panel at %s said it created the channel for credential %s, but it is not in the channel list (was its remark dropped?)", base, id)
		default:
			return fmt.Errorf("the New API panel at %s now has %d channels marked as hub's for credential %s; delete the extra ones in the panel", base, count[id], id)
		}
	}
	return nil
}

// checkRole asks the panel who the token belongs to, and refuses, before
// any change, operations the user's role cannot make: New API lets only
// root create or delete a channel or change its key or base URL.
func (t *Target) checkRole(ctx context.Context, base string, ops []op) error {
	need := roleAdmin
	what := ""
	for _, o := range ops {
		switch {
		case o.kind == "create" || o.kind == "delete":
			need, what = roleRoot, o.kind+" a channel"
		case o.kind == "update":
			for _, f := range rootFields {
				if _, ok := o.fields[f]; ok {
					need, what = roleRoot, "change a channel's "+f
				}
			}
		}
		if need == roleRoot {
			break
		}
	}
	data, err := t.do(ctx, base, http.MethodGet, "/api/user/self", nil)
	if err != nil {
		return err
	}
	var self struct {
		ID       int64  `json:"id"`
		Username string `json:"username"`
		Role     int    `json:"role"`
	}
	if err := json.Unmarshal(data, &self); err != nil {
		return fmt.Errorf("the New API panel at %s answered /api/user/self with something other than a user (%v)", base, err)
	}
	if self.Role >= need {
		return nil
	}
	who := fmt.Sprintf("user %s (id %d) is %s", secret.Printable(self.Username), self.ID, roleName(self.Role))
	if need == roleRoot {
		return fmt.Errorf("the access token's %s on the New API panel at %s, and only a root user (role 100) may %s there; nothing was changed. Give the access token of a root user", who, base, what)
	}
	return fmt.Errorf("the access token's %s on the New API panel at %s, and managing channels needs an admin (role 10) or root (role 100); nothing was changed", who, base)
}

func roleName(r int) string {
	switch {
	case r >= roleRoot:
		return "root (role 100)"
	case r >= roleAdmin:
		return fmt.Sprintf("an ordinary admin (role %d)", r)
	}
	return fmt.Sprintf("an ordinary user (role %d)", r)
}

// envelope is every answer of New API's admin API.
type envelope struct {
	Success bool            `json:"success"`
	Message string          `json:"message"`
	Code    string          `json:"code"`
	Data    json.RawMessage `json:"data"`
	// Time is the channel test's duration in seconds.
	Time float64 `json:"time"`
}

// do makes one request and returns the data of a successful answer. An
// answer with success: false is an error with the panel's message, even
// with HTTP 200, as New API gives many.
func (t *Target) do(ctx context.Context, base, method, p string, body []byte) (json.RawMessage, error) {
	env, err := t.request(ctx, base, method, p, body)
	if err != nil {
		return nil, err
	}
	return env.Data, nil
}

// request is do with the whole answer.
func (t *Target) request(ctx context.Context, base, method, p string, body []byte) (*envelope, error) {
	ctx, cancel := context.WithTimeout(ctx, requestTimeout)
	defer cancel()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	what := method + " " + strings.SplitN(p, "?", 2)[0]
	req, err := http.NewRequestWithContext(ctx, method, base+p, rd)
	if err != nil {
		return nil, fmt.Errorf("New API panel at %s: %v", base, err)
	}
	req.Header.Set("Authorization", "Bearer "+t.AccessToken)
	req.Header.Set("New-Api-User", strconv.FormatInt(t.UserID, 10))
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, t.scrub(netError(ctx, base, what, err))
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return nil, t.scrub(netError(ctx, base, what, err))
	}
	var env envelope
	jsonErr := json.Unmarshal(data, &env)
	msg := t.message(env.Message)
	switch code := resp.StatusCode; {
	case code >= 300 && code < 400:
		return nil, fmt.Errorf("the New API panel at %s answered %s with a redirect (%d) to %q, which hub does not follow with the access token; set url to the panel's address", base, what, code, secret.Printable(resp.Header.Get("Location")))
	case code == http.StatusUnauthorized:
		return nil, fmt.Errorf("the New API panel at %s refused the access token (401%s); give access_token the admin's access token from the panel's personal settings (not a relay key sk-..., nor a login session)", base, codeMsg(env.Code, msg))
	case code == http.StatusForbidden:
		return nil, fmt.Errorf("the New API panel at %s refused %s (403%s): the access token's user lacks the role; only root may create or delete channels", base, what, codeMsg(env.Code, msg))
	case code == http.StatusNotFound:
		return nil, fmt.Errorf("the New API panel at %s has no %s (404); is url the address of a New API panel?", base, what)
	case code != http.StatusOK:
		return nil, fmt.Errorf("the New API panel at %s failed %s (%d%s)", base, what, code, codeMsg(env.Code, msg))
	case jsonErr != nil:
		return nil, fmt.Errorf("the New API panel at %s answered %s with something other than JSON; is url the address of a New API panel?", base, what)
	case !env.Success:
		if msg == "" {
			msg = "no message"
		}
		return nil, fmt.Errorf("the New API panel at %s refused %s: %s", base, what, msg)
	}
	return &env, nil
}

func codeMsg(code, msg string) string {
	var parts []string
	if code != "" {
		parts = append(parts, secret.Printable(code))
	}
	if msg != "" {
		parts = append(parts, msg)
	}
	if len(parts) == 0 {
		return ""
	}
	return ": " + strings.Join(parts, " ")
}

// message makes the panel's message safe to print: one line, printable,
// bounded, without the token or a key hub sends.
func (t *Target) message(m string) string {
	m = strings.Join(strings.Fields(m), " ")
	if r := []rune(m); len(r) > 200 {
		m = string(r[:200]) + "..."
	}
	return t.scrubText(secret.Printable(m))
}

func (t *Target) scrubText(s string) string {
	if t.AccessToken != "" {
		s = strings.ReplaceAll(s, t.AccessToken, "(access token)")
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, k := range t.keys {
		if k != "" {
			s = strings.ReplaceAll(s, k, "(sensitive value)")
		}
	}
	return secret.RedactKeyLike(s)
}

// scrub removes the token and keys from an error: a second line of defence
// behind hub's redaction of all output.
func (t *Target) scrub(err error) error {
	if s := t.scrubText(err.Error()); s != err.Error() {
		return errors.New(s)
	}
	return err
}

// netError explains a request that got no answer.
func netError(ctx context.Context, base, what string, err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	var ne net.Error
	switch {
	case errors.Is(context.Cause(ctx), context.Canceled):
		return fmt.Errorf("%s on the New API panel at %s: interrupted", what, base)
	case errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()):
		return fmt.Errorf("the New API panel at %s did not answer %s within %v; is it up, and is url its address?", base, what, requestTimeout)
	}
	return fmt.Errorf("cannot reach the New API panel at %s: %v; is it running, and is url its address?", base, err)
}
