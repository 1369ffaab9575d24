package cliproxyapi_test

import (
	"context"
	"strings"
	"testing"

	"github.com/hubctl/hub/credential"
	"github.com/hubctl/hub/engine"
	"github.com/hubctl/hub/engine/config"
	"github.com/hubctl/hub/engine/states"
	"github.com/hubctl/hub/engine/system"
	"github.com/hubctl/hub/secret"
	"github.com/hubctl/hub/targets"
	"github.com/hubctl/hub/targets/cliproxyapi"
	"github.com/hubctl/hub/targets/targettest"
	"github.com/hubctl/hub/views"
)

func TestGolden(t *testing.T) { targettest.Golden(t, cliproxyapi.Type) }

// TestWritesInPlace checks that the engine rewrites an existing config.yaml
// in place, which CLIProxyAPI's file watcher needs.
func TestWritesInPlace(t *testing.T) {
	const path = "/srv/cpa/config.yaml"
	mem := system.NewMem(map[string][]byte{path: []byte("port: 8317\n")})
	info, err := targets.Lookup(cliproxyapi.Type)
	if err != nil {
		t.Fatal(err)
	}
	eng := &engine.Engine{Sys: mem, Env: targets.Env{Vars: map[string]string{"HOME": "/home/user"}, Dir: "/home/user/creds"}, Host: "test"}
	apply(t, eng, config1(info, path, relayCred), states.New())
	if !mem.InPlace(path) {
		t.Error("config.yaml was replaced, not rewritten in place")
	}
}

var (
	relayCred = &credential.Credential{ID: "relay", Name: "relay", APIType: "openai-compatible", BaseURL: "https://relay.example.com",
		Key: secret.New("sk-test-cpa-two-0001"), Models: []string{"m"}}
	claudeCred = &credential.Credential{ID: "claude", Name: "claude", APIType: "anthropic", BaseURL: "https://api.anthropic.com",
		Key: secret.New("sk-ant-test-cpa-two-0002")}
)

func config1(info targets.Info, path string, creds ...*credential.Credential) *config.Config {
	in := &targets.Input{Address: "cliproxyapi.test", Credentials: creds}
	return &config.Config{Targets: []*config.Target{{Type: info.Type, Name: "test", Info: info, Impl: &cliproxyapi.Target{ConfigFile: path}, Input: in}}}
}

// apply plans and applies cfg, returning the new state and the plan shown.
func apply(t *testing.T, eng *engine.Engine, cfg *config.Config, st *states.State) (*states.State, string) {
	t.Helper()
	planned, err := eng.Plan(context.Background(), cfg, st, engine.PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var shown strings.Builder
	views.WritePlan(&shown, planned.Plan, views.Style{})
	res, err := eng.Apply(context.Background(), planned, st)
	if err != nil || res.Err() != nil {
		t.Fatal(err, res.Err())
	}
	return res.State, shown.String()
}

// TestRemoveRedacted removes a credential hub wrote, as a real second apply
// does (unlike owned.txt in removed_credential.txtar, the state knows the
// items are keys): the plan shows no key, and the file is as before.
func TestRemoveRedacted(t *testing.T) {
	const path = "/srv/cpa/config.yaml"
	orig := "# mine\nport: 8317\napi-keys:\n  - \"sk-client\"\n"
	mem := system.NewMem(map[string][]byte{path: []byte(orig)})
	info, _ := targets.Lookup(cliproxyapi.Type)
	eng := &engine.Engine{Sys: mem, Env: targets.Env{Vars: map[string]string{"HOME": "/home/user"}, Dir: "/home/user/creds"}, Host: "test"}
	st, shown := apply(t, eng, config1(info, path, relayCred, claudeCred), states.New())
	_, shown2 := apply(t, eng, config1(info, path), st)
	for _, out := range []string{shown, shown2} {
		for _, k := range []*credential.Credential{relayCred, claudeCred} {
			if strings.Contains(out, k.Key.Reveal()) {
				t.Errorf("plan shows a key:\n%s", out)
			}
		}
	}
	if !strings.Contains(shown2, "claude-api-key[#hub:claude].api-key") {
		t.Errorf("second plan does not remove the claude entry:\n%s", shown2)
	}
	if got, _ := mem.ReadFile(path); string(got) != orig {
		t.Errorf("after removing everything hub wrote, config.yaml is\n%s\nwant\n%s", got, orig)
	}
}

func TestImport(t *testing.T) { targettest.ImportGolden(t, cliproxyapi.Type) }
