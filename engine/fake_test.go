package engine_test

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hubctl/hub/credential"
	"github.com/hubctl/hub/engine"
	"github.com/hubctl/hub/engine/config"
	"github.com/hubctl/hub/engine/states"
	"github.com/hubctl/hub/engine/system"
	"github.com/hubctl/hub/secret"
	"github.com/hubctl/hub/targets"
)

// watched is a test target whose tool watches its file (in-place writes) and
// can be told to reload.
type watched struct {
	reloads *int
	fail    error
}

func (w *watched) Files(env targets.Env) ([]string, error) {
	return []string{filepath.Join(env.Dir, "watched.json")}, nil
}
func (w *watched) Open(_ string, data []byte) (targets.Doc, error) {
	d := flatDoc{}
	if len(data) > 0 {
		if err := json.Unmarshal(data, &d); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// flatDoc is a one-level JSON object, enough for a test target.
type flatDoc map[string]any

func (d flatDoc) Get(k targets.Key) (any, bool)  { v, ok := d[k.String()]; return v, ok }
func (d flatDoc) Set(k targets.Key, v any) error { d[k.String()] = v; return nil }
func (d flatDoc) Delete(k targets.Key) error     { delete(d, k.String()); return nil }
func (d flatDoc) Bytes() []byte                  { b, _ := json.Marshal(map[string]any(d)); return b }
func (w *watched) Desired(_ string, in *targets.Input) (*targets.Spec, error) {
	return &targets.Spec{Items: []targets.Item{{Key: targets.Key{"base"}, Value: in.Credential().BaseURL}}}, nil
}
func (w *watched) WritesInPlace(string) bool { return true }
func (w *watched) Reload(context.Context, *targets.Input) error {
	*w.reloads++
	return w.fail
}

// watchedPlan plans a first apply of one watched target in memory.
func watchedPlan(t *testing.T, reloads *int) (*watched, *system.Mem, *engine.Engine, *config.Config, *states.State, *engine.Planned) {
	t.Helper()
	impl := &watched{reloads: reloads}
	mem := system.NewMem(map[string][]byte{"/cfg/watched.json": []byte("{}\n")})
	eng := &engine.Engine{Sys: mem, Env: targets.Env{Dir: "/cfg"}, Host: "h", Now: time.Now}
	cfg := &config.Config{Targets: []*config.Target{{Type: "watched", Name: "x", Impl: impl,
		Input: &targets.Input{Address: "watched.x", Credentials: []*credential.Credential{{ID: "c", BaseURL: "https://a.example"}}}}}}
	st := states.New()
	p, err := eng.Plan(context.Background(), cfg, st, engine.PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return impl, mem, eng, cfg, st, p
}

func TestInPlaceWritesAndReload(t *testing.T) {
	reloads := 0
	impl, mem, eng, cfg, st, p := watchedPlan(t, &reloads)
	res, err := eng.Apply(context.Background(), p, st)
	if err != nil || res.Err() != nil {
		t.Fatal(err, res.Err())
	}
	if !mem.InPlace("/cfg/watched.json") || reloads != 1 || !res.Targets[0].Reloaded {
		t.Fatalf("in place = %v, reloads = %d", mem.InPlace("/cfg/watched.json"), reloads)
	}
	// No change: no write, no reload.
	p, _ = eng.Plan(context.Background(), cfg, res.State, engine.PlanOptions{})
	if _, err := eng.Apply(context.Background(), p, res.State); err != nil || reloads != 1 {
		t.Fatalf("reloads after a no-op = %d, %v", reloads, err)
	}
	// A failing reload is reported; the file stays written.
	impl.fail = errors.New("ccr: command not found")
	cfg.Targets[0].Input.Credentials[0].BaseURL = "https://b.example"
	p, _ = eng.Plan(context.Background(), cfg, res.State, engine.PlanOptions{})
	res2, _ := eng.Apply(context.Background(), p, res.State)
	if err := res2.Err(); err == nil || !strings.Contains(err.Error(), "files written, but reloading the tool failed: ccr: command not found") {
		t.Errorf("err = %v", err)
	}
	if b, _ := mem.ReadFile("/cfg/watched.json"); !strings.Contains(string(b), "b.example") {
		t.Errorf("file = %s", b)
	}
}

// api is a test target living behind an "API": one JSON document per name.
type api struct {
	docs   map[string][]byte
	pushes int
}

func (a *api) Files(targets.Env) ([]string, error)             { return []string{"http://127.0.0.1:1/doc"}, nil }
func (a *api) Open(p string, data []byte) (targets.Doc, error) { return (&watched{}).Open(p, data) }
func (a *api) Desired(_ string, in *targets.Input) (*targets.Spec, error) {
	return &targets.Spec{Items: []targets.Item{
		{Key: targets.Key{"base"}, Value: in.Credential().BaseURL},
		{Key: targets.Key{"key"}, Value: in.Credential().Key.Reveal(), Sensitive: true},
	}}, nil
}
func (a *api) Fetch(_ context.Context, name string) ([]byte, error) { return a.docs[name], nil }
func (a *api) Push(_ context.Context, name string, before, after []byte) error {
	if string(before) != string(a.docs[name]) {
		return errors.New("remote changed")
	}
	a.pushes++
	a.docs[name] = after
	return nil
}

func TestRemoteTarget(t *testing.T) {
	remote := &api{docs: map[string][]byte{"http://127.0.0.1:1/doc": []byte(`{"theirs":1}`)}}
	mem := system.NewMem(nil)
	eng := &engine.Engine{Sys: mem, Env: targets.Env{Dir: "/cfg"}, Host: "h", Now: time.Now}
	cfg := &config.Config{Targets: []*config.Target{{Type: "api", Name: "x", Impl: remote,
		Input: &targets.Input{Address: "api.x", Credentials: []*credential.Credential{{ID: "c", BaseURL: "https://a.example", Key: secret.New("sk-test-remote-1234")}}}}}}
	st := states.New()
	p, err := eng.Plan(context.Background(), cfg, st, engine.PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if s := p.Plan.Summary(); s.Create != 2 {
		t.Fatalf("summary = %+v", s)
	}
	// Someone changes the remote between plan and apply: refused as stale.
	remote.docs["http://127.0.0.1:1/doc"] = []byte(`{"theirs":2}`)
	res, _ := eng.Apply(context.Background(), p, st)
	var stale *engine.StaleError
	if !errors.As(res.Err(), &stale) || remote.pushes != 0 {
		t.Fatalf("err = %v, pushes = %d", res.Err(), remote.pushes)
	}
	p, _ = eng.Plan(context.Background(), cfg, st, engine.PlanOptions{})
	res, _ = eng.Apply(context.Background(), p, st)
	if res.Err() != nil || remote.pushes != 1 || res.Targets[0].Files[0].Backup != "" {
		t.Fatalf("err = %v, pushes = %d, backup = %q", res.Err(), remote.pushes, res.Targets[0].Files[0].Backup)
	}
	if got := string(remote.docs["http://127.0.0.1:1/doc"]); !strings.Contains(got, `"theirs":2`) || !strings.Contains(got, "a.example") {
		t.Errorf("remote = %s", got)
	}
	if len(mem.Names()) != 0 {
		t.Errorf("files written for a remote target: %v", mem.Names())
	}
}

// mixed is a Remote target whose documents are remote only when they are
// URLs (targets.RemoteDocs), like cliproxyapi's config.yaml or management API.
type mixed struct {
	api
	url string
}

func (b *mixed) Files(env targets.Env) ([]string, error) {
	if b.url != "" {
		return []string{b.url}, nil
	}
	return []string{filepath.Join(env.Dir, "mixed.json")}, nil
}
func (b *mixed) IsRemote(name string) bool { return strings.HasPrefix(name, "http") }

func TestRemoteDocs(t *testing.T) {
	mem := system.NewMem(map[string][]byte{"/cfg/mixed.json": []byte(`{"theirs":1}`)})
	eng := &engine.Engine{Sys: mem, Env: targets.Env{Dir: "/cfg"}, Host: "h", Now: time.Now}
	impl := &mixed{api: api{docs: map[string][]byte{"http://127.0.0.1:1/doc": []byte(`{}`)}}}
	in := &targets.Input{Address: "mixed.x", Credentials: []*credential.Credential{{ID: "c", BaseURL: "https://a.example", Key: secret.New("sk-test-mixed-1234")}}}
	cfg := &config.Config{Targets: []*config.Target{{Type: "mixed", Name: "x", Impl: impl, Input: in}}}
	// A file: read and written through the System.
	p, err := eng.Plan(context.Background(), cfg, states.New(), engine.PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	res, _ := eng.Apply(context.Background(), p, states.New())
	if res.Err() != nil || impl.pushes != 0 || res.Targets[0].Files[0].Backup == "" {
		t.Fatalf("err = %v, pushes = %d", res.Err(), impl.pushes)
	}
	if b, _ := mem.ReadFile("/cfg/mixed.json"); !strings.Contains(string(b), "a.example") {
		t.Errorf("file = %s", b)
	}
	// A URL: through Fetch and Push.
	impl.url = "http://127.0.0.1:1/doc"
	p, _ = eng.Plan(context.Background(), cfg, states.New(), engine.PlanOptions{})
	res, _ = eng.Apply(context.Background(), p, states.New())
	if res.Err() != nil || impl.pushes != 1 {
		t.Fatalf("err = %v, pushes = %d", res.Err(), impl.pushes)
	}
}
