package newapichannels_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/hubctl/hub/credential"
	"github.com/hubctl/hub/engine"
	"github.com/hubctl/hub/engine/config"
	"github.com/hubctl/hub/engine/states"
	"github.com/hubctl/hub/engine/system"
	"github.com/hubctl/hub/secret"
	"github.com/hubctl/hub/targets"
	"github.com/hubctl/hub/targets/newapichannels"
	"github.com/hubctl/hub/targets/newapichannels/fakepanel"
	"github.com/hubctl/hub/views"
)

const (
	rootToken  = "rootTokenAbcdefghijklmnopqrstuv1"
	adminToken = "adminTokenAbcdefghijklmnopqrstu2"
)

var (
	credA = &credential.Credential{ID: "a", Name: "a", APIType: credential.OpenAICompatible, BaseURL: "https://relay-a.example.com",
		Key: secret.New("sk-test-chan-a-000000000001"), Models: []string{"gpt-4o", "gpt-4o-mini"}}
	credB = &credential.Credential{ID: "b", Name: "b", APIType: credential.Anthropic, BaseURL: "https://relay-b.example.com",
		Key: secret.New("sk-test-chan-b-000000000002"), Models: []string{"claude-sonnet-4-5"}}
)

func panel(t *testing.T) *fakepanel.Server {
	t.Helper()
	p := fakepanel.New(
		fakepanel.User{ID: 1, Username: "root", Role: fakepanel.RoleRoot, Token: rootToken},
		fakepanel.User{ID: 2, Username: "ops", Role: fakepanel.RoleAdmin, Token: adminToken},
	)
	t.Cleanup(p.Close)
	p.Add(fakepanel.Channel{Name: "mine", Type: 1, Key: "sk-test-users-own-000000003", BaseURL: "https://own.example.com", Models: "gpt-4o", Group: "default", Remark: "my own"})
	return p
}

func setup(url, token string, creds ...*credential.Credential) (*engine.Engine, *config.Config, *newapichannels.Target) {
	info, _ := targets.Lookup(newapichannels.Type)
	tg := &newapichannels.Target{URL: url, AccessToken: token, UserID: 1, Priority: 5, ModelMapping: map[string]string{"gpt-4o": "gpt-4o-2024-08-06"}}
	in := &targets.Input{Address: "newapi_channels.mine", Credentials: creds}
	cfg := &config.Config{Targets: []*config.Target{{Type: info.Type, Name: "mine", Info: info, Impl: tg, Input: in}}}
	eng := &engine.Engine{Sys: system.NewMem(nil), Env: targets.Env{Vars: map[string]string{"HOME": "/home/user"}, Dir: "/home/user/creds"}, Host: "test"}
	return eng, cfg, tg
}

// apply plans and applies, returning the new state, the plan shown and
// the apply's error.
func apply(t *testing.T, eng *engine.Engine, cfg *config.Config, st *states.State) (*states.State, string, error) {
	t.Helper()
	planned, err := eng.Plan(context.Background(), cfg, st, engine.PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var shown strings.Builder
	views.WritePlan(&shown, planned.Plan, views.Style{})
	flat := strings.Join(strings.Fields(shown.String()), " ")
	shown.Reset()
	shown.WriteString(flat)
	if errs := views.TargetErrors(planned.Plan); len(errs) > 0 {
		return st, shown.String(), &planError{errs}
	}
	res, err := eng.Apply(context.Background(), planned, st)
	if err != nil {
		t.Fatal(err)
	}
	if res.Err() != nil {
		return st, shown.String(), res.Err()
	}
	return res.State, shown.String(), nil
}

type planError struct{ errs []string }

func (e *planError) Error() string { return strings.Join(e.errs, "; ") }

func noLeak(t *testing.T, what, s string) {
	t.Helper()
	for _, k := range []string{rootToken, adminToken, "sk-test-"} {
		if strings.Contains(s, k) {
			t.Errorf("%s holds %q:\n%s", what, k, s)
		}
	}
}

func byRemark(p *fakepanel.Server) map[string]fakepanel.Channel {
	out := map[string]fakepanel.Channel{}
	for _, c := range p.Channels() {
		out[strings.SplitN(c.Remark, " ", 2)[0]] = c
	}
	return out
}

// TestStory: create, re-apply (no change), edit in the panel (drift), rotate
// a key, remove a credential (only hub's channel deleted), the user's own
// channel untouched throughout, and nothing secret in plans or the state.
func TestStory(t *testing.T) {
	p := panel(t)
	own := p.Channels()[0]
	eng, cfg, _ := setup(p.URL, rootToken, credA, credB)

	st, shown, err := apply(t, eng, cfg, states.New())
	if err != nil {
		t.Fatal(err)
	}
	noLeak(t, "plan", shown)
	for _, want := range []string{
		`+ channels[hub=a].name = "a"`, `+ channels[hub=a].type = 1`, `+ channels[hub=b].type = 14`,
		`+ channels[hub=a].key = (sensitive value)`, `+ channels[hub=a].base_url = "https://relay-a.example.com"`,
		`+ channels[hub=a].models = ["gpt-4o","gpt-4o-mini"]`, `+ channels[hub=a].tag = "hub"`,
		`+ channels[hub=a].priority = 5`, `+ channels[hub=a].model_mapping = {"gpt-4o":"gpt-4o-2024-08-06"}`,
	} {
		if !strings.Contains(shown, want) {
			t.Errorf("plan lacks %s:\n%s", want, shown)
		}
	}
	got := byRemark(p)
	a, b := got["hub:a"], got["hub:b"]
	if a.Key != credA.Key.Reveal() || a.BaseURL != "https://relay-a.example.com" || a.Models != "gpt-4o,gpt-4o-mini" || a.Type != 1 ||
		a.Priority != 5 || a.Group != "default" || a.Tag != "hub" || a.ModelMapping != `{"gpt-4o":"gpt-4o-2024-08-06"}` || a.Status != 1 {
		t.Errorf("channel a = %+v", a)
	}
	if b.Key != credB.Key.Reveal() || b.Type != 14 || b.Models != "claude-sonnet-4-5" {
		t.Errorf("channel b = %+v", b)
	}
	if len(p.Channels()) != 3 {
		t.Fatalf("channels = %+v", p.Channels())
	}
	data, _ := json.Marshal(st)
	noLeak(t, "state", string(data))

	// Again: nothing to do, no duplicate.
	st, shown, err = apply(t, eng, cfg, st)
	if err != nil || !strings.Contains(shown, "No changes") || len(p.Channels()) != 3 {
		t.Fatalf("re-apply: %v\n%s\n%+v", err, shown, p.Channels())
	}

	// Edited in the panel: drift, put back with a partial update.
	p.Edit(a.ID, func(c *fakepanel.Channel) { c.Models = "gpt-4o"; c.Priority = 9 })
	before := len(p.Requests())
	st, shown, err = apply(t, eng, cfg, st)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(shown, "channels[hub=a].models: changed outside hub") || !strings.Contains(shown, "channels[hub=a].priority: changed outside hub") {
		t.Errorf("no drift shown:\n%s", shown)
	}
	if c := byRemark(p)["hub:a"]; c.Models != "gpt-4o,gpt-4o-mini" || c.Priority != 5 || c.Key != credA.Key.Reveal() {
		t.Errorf("channel a after repair = %+v", c)
	}
	if r := strings.Join(p.Requests()[before:], " "); strings.Contains(r, "POST /api/channel/") || strings.Contains(r, "DELETE") {
		t.Errorf("repair requests = %s", r)
	}

	// A key rotated in the configuration: an update of the key, no drift.
	rotated := *credA
	rotated.Key = secret.New("sk-test-chan-a-rotated-0004")
	eng, cfg, _ = setup(p.URL, rootToken, &rotated, credB)
	st, shown, err = apply(t, eng, cfg, st)
	if err != nil {
		t.Fatal(err)
	}
	noLeak(t, "plan", shown)
	if !strings.Contains(shown, "~ channels[hub=a].key = (sensitive value)") || strings.Contains(shown, "outside hub") {
		t.Errorf("rotation plan:\n%s", shown)
	}
	if c := byRemark(p)["hub:a"]; c.Key != "sk-test-chan-a-rotated-0004" || c.ID != a.ID {
		t.Errorf("channel a after rotation = %+v", c)
	}

	// b removed: only its channel goes.
	eng, cfg, _ = setup(p.URL, rootToken, &rotated)
	st, shown, err = apply(t, eng, cfg, st)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(shown, "- channels[hub=b].name") {
		t.Errorf("removal plan:\n%s", shown)
	}
	got = byRemark(p)
	if _, still := got["hub:b"]; still || len(p.Channels()) != 2 {
		t.Errorf("channels after removal = %+v", p.Channels())
	}
	if mine := got["my"]; mine != own {
		t.Errorf("user's channel = %+v, was %+v", mine, own)
	}
	data, _ = json.Marshal(st)
	noLeak(t, "state", string(data))
}

// TestOrdinaryAdmin: an admin can read, but creating needs root: the error
// says so and nothing is changed.
func TestOrdinaryAdmin(t *testing.T) {
	p := panel(t)
	eng, cfg, _ := setup(p.URL, adminToken, credA)
	_, _, err := apply(t, eng, cfg, states.New())
	if err == nil || !strings.Contains(err.Error(), "is an ordinary admin (role 10)") || !strings.Contains(err.Error(), "only a root user (role 100) may create a channel") {
		t.Fatalf("err = %v", err)
	}
	noLeak(t, "error", err.Error())
	if len(p.Channels()) != 1 {
		t.Errorf("channels = %+v", p.Channels())
	}
	for _, r := range p.Requests() {
		if !strings.HasPrefix(r, "GET ") {
			t.Errorf("request %s made", r)
		}
	}

	// Created by root, then changed by the admin: a model list is fine.
	eng, cfg, _ = setup(p.URL, rootToken, credA)
	st, _, err := apply(t, eng, cfg, states.New())
	if err != nil {
		t.Fatal(err)
	}
	eng, cfg, tg := setup(p.URL, adminToken, credA)
	tg.Models = []string{"gpt-4o"}
	if _, _, err := apply(t, eng, cfg, st); err != nil {
		t.Fatalf("admin's model change: %v", err)
	}
	if c := byRemark(p)["hub:a"]; c.Models != "gpt-4o" {
		t.Errorf("channel a = %+v", c)
	}
}

// TestErrors: a wrong token (401), a refusal as HTTP 200 with success:
// false, two channels carrying hub's marker.
func TestErrors(t *testing.T) {
	p := panel(t)
	eng, cfg, _ := setup(p.URL, "wrongTokenAbcdefghijklmnopqrstu3", credA)
	_, _, err := apply(t, eng, cfg, states.New())
	if err == nil || !strings.Contains(err.Error(), "refused the access token (401: AUTH_UNAUTHORIZED") || strings.Contains(err.Error(), "wrongToken") {
		t.Errorf("err = %v", err)
	}

	eng, cfg, _ = setup(p.URL, rootToken, credA)
	st, _, err := apply(t, eng, cfg, states.New())
	if err != nil {
		t.Fatal(err)
	}
	a := byRemark(p)["hub:a"]
	p.Add(fakepanel.Channel{Name: "a copy", Type: 1, Key: "x", Remark: a.Remark})
	_, _, err = apply(t, eng, cfg, st)
	if err == nil || !strings.Contains(err.Error(), "two channels marked as hub's for credential a") {
		t.Errorf("err = %v", err)
	}
}

func TestValidate(t *testing.T) {
	noModels := &credential.Credential{ID: "n", APIType: credential.OpenAI, Key: secret.New("sk-test-n")}
	versioned := &credential.Credential{ID: "v", APIType: credential.OpenAICompatible, BaseURL: "https://ark.example.com/api/coding/v3", Key: secret.New("sk-test-v"), Models: []string{"m"}}
	tg := &newapichannels.Target{URL: "http://panel.example.com", AccessToken: ""}
	errs := tg.Validate(&targets.Input{Credentials: []*credential.Credential{noModels, versioned}})
	var all []string
	for _, e := range errs {
		all = append(all, e.Error())
	}
	joined := strings.Join(all, "\n")
	for _, want := range []string{"plain http to another host", "access_token is empty", `credential "n" lists no models`, `credential "v" has base_url https://ark.example.com/api/coding/v3, which ends in an API version`} {
		if !strings.Contains(joined, want) {
			t.Errorf("errors lack %q:\n%s", want, joined)
		}
	}
	if s := (&newapichannels.Target{AccessToken: rootToken}).Secrets(); len(s) != 1 || s[0] != rootToken {
		t.Errorf("Secrets = %v", s)
	}
}

// TestSuccessFalse: an HTTP 200 answer with success: false is an error
// carrying the panel's message, printable and without the token.
func TestSuccessFalse(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"success":false,"message":"无权进行此操作，access token 无效: ` + rootToken + `\u001b[31m"}`))
	}))
	defer srv.Close()
	eng, cfg, _ := setup(srv.URL, rootToken, credA)
	_, _, err := apply(t, eng, cfg, states.New())
	if err == nil || !strings.Contains(err.Error(), "the New API panel at "+srv.URL+" refused GET /api/channel/: 无权进行此操作，access token 无效: (access token)") {
		t.Fatalf("err = %v", err)
	}
	if strings.Contains(err.Error(), "\x1b") {
		t.Errorf("escape sequence in %q", err)
	}
	noLeak(t, "error", err.Error())
}

// TestSyncModels: with sync_models a channel serves what the key's
// upstream offers (the models hub refresh found), kept by the include and
// exclude patterns; a new model found reaches the channel on the next apply;
// without a refresh the plan says to run one.
func TestSyncModels(t *testing.T) {
	p := panel(t)
	c := &credential.Credential{ID: "s", Name: "s", APIType: credential.OpenAICompatible, BaseURL: "https://relay-s.example.com",
		Key: secret.New("sk-test-chan-s-000000000009")}
	eng, cfg, tg := setup(p.URL, rootToken, c)
	tg.SyncModels, tg.ModelsInclude, tg.ModelsExclude = true, []string{"gpt-*", "o3*"}, []string{"*-preview"}
	if errs := tg.Validate(cfg.Targets[0].Input); len(errs) > 0 {
		t.Fatal(errs)
	}
	_, shown, err := apply(t, eng, cfg, states.New())
	if err == nil || !strings.Contains(shown+err.Error(), "run hub refresh s first") {
		t.Fatalf("without a refresh: %v\n%s", err, shown)
	}
	c.Discovered, c.DiscoveredFrom = []string{"gpt-4o", "gpt-5-preview", "claude-x", "o3-mini"}, "found by hub refresh on 2026-12-07 09:00"
	st, shown, err := apply(t, eng, cfg, states.New())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(shown, `+ channels[hub=s].models = ["gpt-4o","o3-mini"]`) || !strings.Contains(shown, "channel s serves 2 of the 4 models found by hub refresh") {
		t.Errorf("plan:\n%s", shown)
	}
	c.Discovered = append(c.Discovered, "gpt-5")
	_, shown, err = apply(t, eng, cfg, st)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(shown, `~ channels[hub=s].models = ["gpt-4o","o3-mini"] -> ["gpt-4o","o3-mini","gpt-5"]`) {
		t.Errorf("the new model is not planned:\n%s", shown)
	}
	if got := byRemark(p)["hub:s"].Models; got != "gpt-4o,o3-mini,gpt-5" {
		t.Errorf("channel models = %q", got)
	}
	tg.ModelsInclude = []string{"[bad"}
	if errs := tg.Validate(cfg.Targets[0].Input); len(errs) == 0 || !strings.Contains(errs[0].Error(), "malformed") {
		t.Errorf("bad pattern: %v", errs)
	}
}

// TestChannelTest: hub verify --channels has the panel test hub's channels:
// a channel that works, one whose test fails (the panel's message), and a
// credential with no channel yet.
func TestChannelTest(t *testing.T) {
	p := panel(t)
	eng, cfg, tg := setup(p.URL, rootToken, credA, credB)
	if _, _, err := apply(t, eng, cfg, states.New()); err != nil {
		t.Fatal(err)
	}
	p.TestFailures = map[string]string{"b": "upstream answered 401: invalid x-api-key"}
	credC := &credential.Credential{ID: "c", APIType: credential.OpenAI, BaseURL: "https://api.openai.com", Key: secret.New("sk-test-chan-c-000000000003"), Models: []string{"gpt-4o"}}
	res, err := tg.Test(context.Background(), &targets.Input{Credentials: []*credential.Credential{credA, credB, credC}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 3 || !res[0].OK || res[0].Seconds != 0.42 || !strings.HasPrefix(res[0].Where, "channel ") {
		t.Fatalf("a: %+v", res)
	}
	if res[1].OK || !strings.Contains(res[1].Message, "invalid x-api-key") {
		t.Errorf("b: %+v", res[1])
	}
	if res[2].OK || !strings.Contains(res[2].Message, "run hub apply first") {
		t.Errorf("c: %+v", res[2])
	}
	for _, r := range res {
		noLeak(t, "test result", r.Message+r.Where)
	}
	var tested []string
	for _, r := range p.Requests() {
		if strings.Contains(r, "/api/channel/test/") {
			tested = append(tested, r)
		}
	}
	if len(tested) != 2 || !strings.Contains(tested[0], "model=gpt-4o") {
		t.Errorf("test requests: %v", tested)
	}
}
