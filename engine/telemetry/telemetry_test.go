package telemetry

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hubctl/hub/credential"
	"github.com/hubctl/hub/engine/config"
	"github.com/hubctl/hub/engine/states"
	"github.com/hubctl/hub/providers"
	"github.com/hubctl/hub/secret"
)

// fakeFamily is a provider family driven by the test: per-credential model
// lists or failures, with in-flight counting to check the parallelism bound.
type fakeFamily struct {
	models   map[string][]string
	fail     map[string]error
	probes   map[providers.ProbeKind]error
	gate     chan struct{} // when set, Models waits on it
	inflight atomic.Int32
	peak     atomic.Int32
	mu       sync.Mutex
	probed   []string
}

func (f *fakeFamily) Models(ctx context.Context, _ *providers.Client, c *credential.Credential) (*providers.ModelList, error) {
	n := f.inflight.Add(1)
	defer f.inflight.Add(-1)
	for {
		p := f.peak.Load()
		if n <= p || f.peak.CompareAndSwap(p, n) {
			break
		}
	}
	if f.gate != nil {
		select {
		case <-f.gate:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if err := f.fail[c.ID]; err != nil {
		return nil, err
	}
	l := &providers.ModelList{Endpoint: "GET " + c.BaseURL + "/v1/models", Requests: 1}
	for _, id := range f.models[c.ID] {
		l.Models = append(l.Models, providers.Model{ID: id})
	}
	return l, nil
}

func (f *fakeFamily) Probe(_ context.Context, _ *providers.Client, c *credential.Credential, k providers.ProbeKind, model string) error {
	f.mu.Lock()
	f.probed = append(f.probed, c.ID+":"+string(k)+":"+model)
	f.mu.Unlock()
	return f.probes[k]
}

func (f *fakeFamily) Probes() []providers.ProbeKind {
	return []providers.ProbeKind{providers.ProbeText, providers.ProbeTools}
}

func (f *fakeFamily) SuggestModel(ids []string) string {
	for _, id := range ids {
		if strings.HasPrefix(id, "gpt") {
			return id
		}
	}
	if len(ids) > 0 {
		return ids[0]
	}
	return ""
}

type fakeUsage struct{ u *providers.Usage }

func (f fakeUsage) ReadUsage(context.Context, *providers.Client, *credential.Credential) (*providers.Usage, error) {
	u := *f.u
	return &u, nil
}

var (
	regOnce sync.Once
	fam     = &fakeFamily{}
	famB    = &fakeFamily{}
)

func register() {
	regOnce.Do(func() {
		providers.Register("test-family", fam)
		providers.Register("test-other", famB)
		ten := 10.0
		providers.RegisterUsage("test-usage", fakeUsage{&providers.Usage{Source: "test", Balance: &ten, Requests: 1}})
	})
}

func cred(id string) *credential.Credential {
	return &credential.Credential{ID: id, APIType: "test-family", BaseURL: "https://" + id + ".example", Key: secret.New("sk-test-" + id),
		Usage: credential.Usage{Method: "test-usage"}}
}

func TestRefreshBoundsParallelismAndKeepsOrder(t *testing.T) {
	register()
	fam.models = map[string][]string{}
	var creds []*credential.Credential
	for i := range 20 {
		c := cred(string(rune('a'+i)) + "x")
		fam.models[c.ID] = []string{"gpt-" + c.ID}
		creds = append(creds, c)
	}
	fam.gate = make(chan struct{})
	go func() {
		// Let the pool fill before releasing, so the peak is the bound.
		for fam.inflight.Load() < 3 {
			time.Sleep(time.Millisecond)
		}
		close(fam.gate)
	}()
	var calls atomic.Int32
	res := Refresh(context.Background(), creds, Options{Parallelism: 3, Progress: func(done, total int, _ string) {
		calls.Add(1)
		if total != 20 || done < 1 || done > 20 {
			t.Errorf("progress %d/%d", done, total)
		}
	}})
	fam.gate = nil
	if p := fam.peak.Load(); p != 3 {
		t.Errorf("peak concurrency %d, want 3", p)
	}
	if calls.Load() != 20 {
		t.Errorf("progress called %d times", calls.Load())
	}
	for i, r := range res {
		if r.ID != creds[i].ID || r.ModelsErr != nil || r.Models.IDs()[0] != "gpt-"+creds[i].ID || r.Usage == nil || r.Requests != 2 {
			t.Fatalf("result %d: %+v", i, r)
		}
	}
}

func TestRefreshCancelSkipsTheRest(t *testing.T) {
	register()
	fam.peak.Store(0)
	fam.gate = make(chan struct{})
	defer func() { fam.gate = nil }()
	ctx, cancel := context.WithCancel(context.Background())
	var creds []*credential.Credential
	for i := range 10 {
		creds = append(creds, cred(string(rune('a'+i))+"c"))
	}
	go func() {
		for fam.inflight.Load() < 2 {
			time.Sleep(time.Millisecond)
		}
		cancel()
	}()
	res := Refresh(ctx, creds, Options{Parallelism: 2})
	skipped := 0
	for _, r := range res {
		if r.Skipped {
			skipped++
		}
	}
	if skipped != 10 {
		t.Errorf("%d of 10 skipped after cancel, want all (none finished): %+v", skipped, res)
	}
}

func TestRecordHistoryRotationAndHealth(t *testing.T) {
	salt := []byte("salt")
	c := cred("relay")
	now := time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)
	ok := Result{ID: c.ID, At: now, Models: &providers.ModelList{Models: []providers.Model{{ID: "gpt-4o"}}}}
	var rec *Record
	// Refreshes that find the same stretch one sample.
	for i := range 10 {
		ok.At = now.Add(time.Duration(i) * time.Minute)
		rec = ok.Record(rec, c, salt)
	}
	if len(rec.History) != 1 || !rec.History[0].At.Equal(now) || !rec.History[0].Until.Equal(ok.At) {
		t.Fatalf("ten equal refreshes: %+v", rec.History)
	}
	// Refreshes that differ (today's requests grow) each add one, up to the cap.
	for i := range HistoryLen + 5 {
		n := int64(i + 1)
		ok.At = now.Add(time.Duration(i+10) * time.Minute)
		ok.Usage = &providers.Usage{Source: "sub2api", TodayRequests: &n}
		rec = ok.Record(rec, c, salt)
	}
	if len(rec.History) != HistoryLen || !rec.History[HistoryLen-1].At.Equal(ok.At) || *rec.History[HistoryLen-1].TodayRequests != HistoryLen+5 || rec.Health.Status != Healthy {
		t.Fatalf("history %d, last %+v, health %+v", len(rec.History), rec.History[len(rec.History)-1], rec.Health)
	}
	ok.Usage = nil
	// A failed refresh keeps the last good models and says why.
	bad := Result{ID: c.ID, At: now.Add(time.Hour), ModelsErr: &providers.Failure{Class: providers.ClassInvalidKey, Status: 401, Endpoint: "GET x", Message: "Invalid token"}}
	rec2 := bad.Record(rec, c, salt)
	if rec2.Health.Status != Error || rec2.Health.Class != providers.ClassInvalidKey || len(rec2.Models) != 1 || !strings.Contains(rec2.LastError, "invalid key") {
		t.Fatalf("after failure: %+v", rec2)
	}
	if !rec2.LastSuccess.Equal(rec.LastSuccess) {
		t.Error("a failed refresh moved LastSuccess")
	}
	// A rotated key starts a new record: the old figures were another key's.
	rotated := *c
	rotated.Key = secret.New("sk-test-rotated")
	if rec2.Matches(&rotated, salt) {
		t.Fatal("record matches a rotated key")
	}
	rec3 := ok.Record(rec2, &rotated, salt)
	if len(rec3.History) != 1 {
		t.Errorf("rotated key kept %d history samples", len(rec3.History))
	}
	if strings.Contains(string(mustJSON(t, rec3)), "sk-test") {
		t.Error("record holds the key")
	}
}

func TestHealth(t *testing.T) {
	zero, some := 0.0, 3.5
	list := &providers.ModelList{Models: []providers.Model{{ID: "m"}}}
	for _, tc := range []struct {
		name string
		r    Result
		want string
	}{
		{"ok", Result{Models: list, Usage: &providers.Usage{Balance: &some}}, Healthy},
		{"unlimited zero", Result{Models: list, Usage: &providers.Usage{Unlimited: true, Balance: &zero}}, Healthy},
		{"no balance", Result{Models: list, Usage: &providers.Usage{Balance: &zero}}, Warning},
		{"rate limited", Result{ModelsErr: &providers.Failure{Class: providers.ClassRateLimited}}, Warning},
		{"invalid key", Result{ModelsErr: &providers.Failure{Class: providers.ClassInvalidKey}}, Error},
		{"network", Result{ModelsErr: &providers.Failure{Class: providers.ClassNetwork}}, Error},
		{"usage unsupported", Result{Models: list, UsageErr: &providers.Failure{Class: providers.ClassUnsupported}}, Healthy},
		{"usage failing", Result{Models: list, UsageErr: &providers.Failure{Class: providers.ClassServer, Status: 500}}, Warning},
		{"usage says exhausted", Result{Models: list, UsageErr: &providers.Failure{Class: providers.ClassQuota}}, Error},
		{"no models", Result{Models: &providers.ModelList{}}, Warning},
	} {
		if got := tc.r.Health(); got.Status != tc.want {
			t.Errorf("%s: %+v, want %s", tc.name, got, tc.want)
		}
	}
}

func TestFillModels(t *testing.T) {
	st := states.New()
	salt := st.SaltBytes()
	mk := func(id, key string, models ...string) *config.Credential {
		return &config.Credential{ID: id, APIType: "openai-compatible", BaseURL: "https://" + id + ".example", Key: secret.New(key), Models: models}
	}
	found, rotated, configured := mk("found", "sk-test-1"), mk("rotated", "sk-test-2"), mk("configured", "sk-test-3", "gpt-own")
	for _, c := range []*config.Credential{found, rotated, configured} {
		r := Result{ID: c.ID, At: time.Date(2026, 11, 30, 9, 30, 0, 0, time.UTC), Models: &providers.ModelList{Models: []providers.Model{{ID: "claude-x"}, {ID: "gpt-y"}}}}
		if err := Store(st, c.ID, r.Record(nil, c, salt)); err != nil {
			t.Fatal(err)
		}
	}
	rotated.Key = secret.New("sk-test-new")
	cfg := &config.Config{Credentials: map[string]*config.Credential{"found": found, "rotated": rotated, "configured": configured}}
	for range 2 { // idempotent: a second plan in the same process sees the same
		if err := FillModels(cfg, st); err != nil {
			t.Fatal(err)
		}
		if strings.Join(found.Discovered, ",") != "claude-x,gpt-y" || !strings.HasPrefix(found.DiscoveredFrom, "found by hub refresh on ") || len(found.Models) != 0 {
			t.Errorf("found: %v %v %q", found.Models, found.Discovered, found.DiscoveredFrom)
		}
		if len(rotated.Discovered) != 0 || rotated.DiscoveredFrom != "" {
			t.Errorf("rotated key got models %v", rotated.Discovered)
		}
		// A credential that lists models keeps them: targets pick from
		// them; what the refresh found is there only for a panel that
		// follows the upstream (sync_models).
		if m, _ := configured.PickModel(credential.FamilyGPT); strings.Join(configured.Models, ",") != "gpt-own" || m != "gpt-own" {
			t.Errorf("configured models changed: %v (picked %q)", configured.Models, m)
		}
		if strings.Join(configured.Discovered, ",") != "claude-x,gpt-y" {
			t.Errorf("configured: discovered %v", configured.Discovered)
		}
	}
	if got := IDs(st); strings.Join(got, ",") != "configured,found,rotated" {
		t.Errorf("IDs = %v", got)
	}
}

func TestVerifyChoosesModelsAndRunsProbes(t *testing.T) {
	register()
	fam.models = map[string][]string{"a": {"text-embedding", "gpt-4o-mini"}, "b": {"gpt-x"}, "empty": nil}
	famB.models = nil
	fam.probes = map[providers.ProbeKind]error{providers.ProbeTools: &providers.Failure{Class: providers.ClassModelNotFound, Message: "No available channel"}}
	fam.fail = map[string]error{"dead": &providers.Failure{Class: providers.ClassInvalidKey, Status: 401}}
	defer func() { fam.probes, fam.fail = nil, nil }()
	providers.CLIProbes["test-cli"] = struct {
		Probe  providers.ProbeKind
		Family string
	}{"test-wire", "test-other"}
	defer delete(providers.CLIProbes, "test-cli")

	b := cred("b")
	b.Models = []string{"gpt-configured"}
	creds := []*credential.Credential{cred("a"), b, cred("empty"), cred("dead")}
	res := Verify(context.Background(), creds, VerifyOptions{Deep: true, CLIs: []string{"test-cli"}}, Options{Parallelism: 2})
	byID := map[string]Verification{}
	for _, v := range res {
		byID[v.ID] = v
	}
	if v := byID["a"]; v.Model != "gpt-4o-mini" || v.ModelFrom != "suggested from the model list" || v.OK() || len(v.Checks) != 4 {
		t.Errorf("a: model %q from %q, checks %+v", v.Model, v.ModelFrom, v.Checks)
	}
	if v := byID["b"]; v.Model != "gpt-configured" || v.ModelFrom != "the credential's models" {
		t.Errorf("b: %q from %q", v.Model, v.ModelFrom)
	}
	if v := byID["empty"]; v.Model != "" || !errors.Is(v.Checks[1].Err, ErrNoModel) {
		t.Errorf("empty: %+v", v.Checks)
	}
	if v := byID["dead"]; len(v.Checks) != 1 || v.OK() {
		t.Errorf("dead key ran probes: %+v", v.Checks)
	}
	fam.mu.Lock()
	probed := strings.Join(fam.probed, " ")
	fam.mu.Unlock()
	if !strings.Contains(probed, "a:text:gpt-4o-mini") || !strings.Contains(probed, "a:tools:gpt-4o-mini") {
		t.Errorf("probes run: %s", probed)
	}
	famB.mu.Lock()
	wire := strings.Join(famB.probed, " ")
	famB.mu.Unlock()
	if !strings.Contains(wire, "a:test-wire:gpt-4o-mini") {
		t.Errorf("CLI probe ran on the other family: %q", wire)
	}
	// --model wins over everything.
	res = Verify(context.Background(), []*credential.Credential{b}, VerifyOptions{Model: "forced"}, Options{})
	if res[0].Model != "forced" || res[0].ModelFrom != "--model" {
		t.Errorf("override: %+v", res[0])
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestRecordScrubsFragments: a record never keeps a key an upstream
// echoed, even cut short, respaced (a tab became a space) or wrapped in
// escape sequences, in a model id, a message or a usage attempt: the
// state goes to WebDAV.
func TestRecordScrubsFragments(t *testing.T) {
	salt := []byte("salt")
	c := cred("relay")
	c.Key = secret.New("sk-test-telemetry-9a8b7c6d5e")
	key := c.Key.Reveal()
	cut := key[:len(key)-3]
	spaced := key[:9] + " " + key[9:]
	r := Result{ID: c.ID, At: time.Now(),
		Models:    &providers.ModelList{Endpoint: "GET x", Models: []providers.Model{{ID: "m-" + cut}, {ID: "\x1b[2Jgpt"}}},
		ModelsErr: &providers.Failure{Class: providers.ClassInvalidKey, Status: 401, Endpoint: "GET x", Message: "Incorrect API key provided: " + cut + "…"},
		UsageErr:  errors.New("usage: " + spaced + " \x1b]0;title\x07"),
		Usage:     &providers.Usage{Attempts: []providers.Attempt{{Endpoint: "GET y", Message: "token " + spaced}}},
	}
	rec := r.Record(nil, c, salt)
	b := string(mustJSON(t, rec))
	flat := strings.Join(strings.Fields(b), "")
	for i := 0; i+secret.FragmentLen <= len(key); i++ {
		if strings.Contains(flat, key[i:i+secret.FragmentLen]) {
			t.Fatalf("record holds %q of the key: %s", key[i:i+secret.FragmentLen], b)
		}
	}
	if strings.Contains(b, `\u001b`) || strings.Contains(b, `\u0007`) {
		t.Errorf("record holds control characters: %s", b)
	}
}
