package engine_test

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hubctl/hub/engine"
	"github.com/hubctl/hub/engine/config"
	"github.com/hubctl/hub/engine/states"
	"github.com/hubctl/hub/engine/system"
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

func TestInPlaceWritesAndReload(t *testing.T) {
	reloads := 0
	impl := &watched{reloads: &reloads}
	mem := system.NewMem(map[string][]byte{"/cfg/watched.json": []byte("{}\n")})
	eng := &engine.Engine{Sys: mem, Env: targets.Env{Dir: "/cfg"}, Host: "h", Now: time.Now}
	cfg := &config.Config{Targets: []*config.Target{{Type: "watched", Name: "x", Impl: impl,
		Input: &targets.Input{Address: "watched.x", Credentials: []*targets.Credential{{ID: "c", BaseURL: "https://a.example"}}}}}}
	st := states.New()
	p, err := eng.Plan(cfg, st, engine.PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := eng.Apply(context.Background(), p, st)
	if err != nil || res.Err() != nil {
		t.Fatal(err, res.Err())
	}
	if !mem.InPlace("/cfg/watched.json") || reloads != 1 || !res.Targets[0].Reloaded {
		t.Fatalf("in place = %v, reloads = %d", mem.InPlace("/cfg/watched.json"), reloads)
	}
	// No change: no write, no reload.
	p, _ = eng.Plan(cfg, res.State, engine.PlanOptions{})
	if _, err := eng.Apply(context.Background(), p, res.State); err != nil || reloads != 1 {
		t.Fatalf("reloads after a no-op = %d, %v", reloads, err)
	}
	// A failing reload is reported; the file stays written.
	impl.fail = errors.New("ccr: command not found")
	cfg.Targets[0].Input.Credentials[0].BaseURL = "https://b.example"
	p, _ = eng.Plan(cfg, res.State, engine.PlanOptions{})
	res2, _ := eng.Apply(context.Background(), p, res.State)
	if err := res2.Err(); err == nil || !strings.Contains(err.Error(), "files written, but reloading the tool failed: ccr: command not found") {
		t.Errorf("err = %v", err)
	}
	if b, _ := mem.ReadFile("/cfg/watched.json"); !strings.Contains(string(b), "b.example") {
		t.Errorf("file = %s", b)
	}
}
