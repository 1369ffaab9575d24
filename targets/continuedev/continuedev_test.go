package continuedev_test

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
	"github.com/hubctl/hub/targets/continuedev"
	"github.com/hubctl/hub/targets/targettest"
	"github.com/hubctl/hub/views"
)

func TestGolden(t *testing.T) { targettest.Golden(t, continuedev.Type) }

const (
	yamlPath = "/home/user/.continue/config.yaml"
	envPath  = "/home/user/.continue/.env"
)

var (
	relay = &credential.Credential{ID: "relay", Name: "relay", APIType: "openai-compatible", BaseURL: "https://relay.example.com",
		Key: secret.New("sk-test-cont-step-0001"), Models: []string{"gpt-4.1", "o3"}}
	old = &credential.Credential{ID: "old", Name: "old", APIType: "anthropic", BaseURL: "https://api.anthropic.com",
		Key: secret.New("sk-ant-test-cont-step-0002"), Models: []string{"claude-opus-4-1"}}
)

// step is one hub apply: the target block (nil: the block was removed from
// the configuration) and its credentials.
type step struct {
	impl  *continuedev.Target
	creds []*credential.Credential
	// before, if set, edits the files first, as the user might.
	before func(mem *system.Mem)
}

// run applies the steps in turn from files, as hub would across runs, and
// returns the plan each showed. Every plan is checked to show no key, and
// to be followed by an empty one.
func run(t *testing.T, files map[string][]byte, steps ...step) (*system.Mem, []string) {
	t.Helper()
	mem := system.NewMem(files)
	info, err := targets.Lookup(continuedev.Type)
	if err != nil {
		t.Fatal(err)
	}
	eng := &engine.Engine{Sys: mem, Env: targets.Env{Vars: map[string]string{"HOME": "/home/user"}, Dir: "/home/user/creds"}, Host: "test", SkipReload: true}
	st := states.New()
	var shown []string
	for i, s := range steps {
		if s.before != nil {
			s.before(mem)
		}
		cfg := &config.Config{}
		if s.impl != nil {
			in := &targets.Input{Address: "continue.test", Credentials: s.creds}
			if errs := s.impl.Validate(in); len(errs) > 0 {
				t.Fatalf("step %d: %v", i+1, errs)
			}
			cfg.Targets = []*config.Target{{Type: info.Type, Name: "test", Info: info, Impl: s.impl, Input: in}}
		}
		planned, err := eng.Plan(context.Background(), cfg, st, engine.PlanOptions{})
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		views.WritePlan(&b, planned.Plan, views.Style{})
		if errs := views.TargetErrors(planned.Plan); len(errs) > 0 {
			t.Fatalf("step %d: %v", i+1, errs)
		}
		for _, c := range []*credential.Credential{relay, old} {
			if strings.Contains(b.String(), c.Key.Reveal()) {
				t.Errorf("step %d shows a key:\n%s", i+1, b.String())
			}
		}
		res, err := eng.Apply(context.Background(), planned, st)
		if err != nil || res.Err() != nil {
			t.Fatal(err, res.Err())
		}
		st = res.State
		again, err := eng.Plan(context.Background(), cfg, st, engine.PlanOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if again.Plan.HasChanges() || again.Plan.HasDrift() {
			t.Errorf("step %d: the plan after it is not empty", i+1)
		}
		shown = append(shown, b.String())
	}
	return mem, shown
}

func read(t *testing.T, mem *system.Mem, path string) string {
	t.Helper()
	b, err := mem.ReadFile(path)
	if err != nil {
		return "(no file)"
	}
	return string(b)
}

func check(t *testing.T, what, got, want string) {
	t.Helper()
	if got != want {
		t.Errorf("%s:\n--- got\n%s\n--- want\n%s", what, got, want)
	}
}

const userConfig = `# mine
name: My Config
version: 0.0.2
schema: v1

models:
  - name: Llama local   # autocomplete
    provider: ollama
    model: llama3.1:8b

context:
  - provider: code
`

// TestRemoveCredential: a credential leaves the block, and another drops a
// model to whose entry the user had added a field: hub removes what it
// owned, and the entries with it, except the user's field, which keeps its
// entry (and the entry's name) alive.
func TestRemoveCredential(t *testing.T) {
	relay1 := *relay
	relay1.Models = []string{"gpt-4.1"}
	userEdit := func(mem *system.Mem) {
		b, _ := mem.ReadFile(yamlPath)
		s := strings.Replace(string(b), "    model: o3\n", "    model: o3\n    defaultCompletionOptions:\n      maxTokens: 4096\n", 1)
		_ = mem.WriteFile(yamlPath, []byte(s), 0o600)
	}
	mem, shown := run(t, map[string][]byte{yamlPath: []byte(userConfig)},
		step{impl: &continuedev.Target{}, creds: []*credential.Credential{relay, old}},
		step{impl: &continuedev.Target{}, creds: []*credential.Credential{&relay1}, before: userEdit},
	)
	check(t, "config.yaml", read(t, mem, yamlPath), `# mine
name: My Config
version: 0.0.2
schema: v1

models:
  - name: Llama local   # autocomplete
    provider: ollama
    model: llama3.1:8b
  - name: relay / gpt-4.1
    provider: openai
    model: gpt-4.1
    apiBase: https://relay.example.com/v1/
    apiKey: sk-test-cont-step-0001
  - name: relay / o3
    defaultCompletionOptions:
      maxTokens: 4096

context:
  - provider: code
`)
	for _, k := range []string{`- models[name="relay / o3"].apiKey`, `- models[name="old / claude-opus-4-1"].provider`} {
		if !strings.Contains(shown[1], k) {
			t.Errorf("second plan does not show %s:\n%s", k, shown[1])
		}
	}
}

// TestRemoveTarget: the block leaves the configuration. hub removes its
// models (and the models list it emptied) and leaves name, version and
// schema, which it added to the new file but does not own.
func TestRemoveTarget(t *testing.T) {
	mem, shown := run(t, nil,
		step{impl: &continuedev.Target{KeyMode: "env"}, creds: []*credential.Credential{relay, old}},
		step{},
	)
	check(t, "config.yaml", read(t, mem, yamlPath), "name: Main Config\nversion: 1.0.0\nschema: v1\n")
	check(t, ".env", read(t, mem, envPath), "")
	if !strings.Contains(shown[1], "- RELAY_API_KEY") || !strings.Contains(shown[1], "(sensitive value)") {
		t.Errorf("second plan does not remove the secret:\n%s", shown[1])
	}
}

// TestSwitchKeyMode goes from inline keys to env mode and back: the apiKey
// items change in place, and the .env secrets come and go beside the
// user's own.
func TestSwitchKeyMode(t *testing.T) {
	r := *relay
	r.Models = []string{"gpt-4.1"}
	creds := []*credential.Credential{&r}
	mem, _ := run(t, map[string][]byte{yamlPath: []byte(userConfig), envPath: []byte("# mine\nANTHROPIC_API_KEY=sk-ant-mine\n")},
		step{impl: &continuedev.Target{}, creds: creds},
		step{impl: &continuedev.Target{KeyMode: "env", KeyEnv: map[string]string{"relay": "RELAY_TOKEN"}}, creds: creds},
	)
	entry := `  - name: relay / gpt-4.1
    provider: openai
    model: gpt-4.1
    apiBase: https://relay.example.com/v1/
    apiKey: %s
`
	base := userConfig[:len(userConfig)-len("\ncontext:\n  - provider: code\n")]
	tail := "\ncontext:\n  - provider: code\n"
	check(t, "config.yaml in env mode", read(t, mem, yamlPath), base+strings.Replace(entry, "%s", "${{ secrets.RELAY_TOKEN }}", 1)+tail)
	check(t, ".env in env mode", read(t, mem, envPath), "# mine\nANTHROPIC_API_KEY=sk-ant-mine\nRELAY_TOKEN=sk-test-cont-step-0001\n")

	mem2, _ := run(t, map[string][]byte{yamlPath: []byte(userConfig), envPath: []byte("# mine\nANTHROPIC_API_KEY=sk-ant-mine\n")},
		step{impl: &continuedev.Target{KeyMode: "env"}, creds: creds},
		step{impl: &continuedev.Target{}, creds: creds},
	)
	check(t, "config.yaml back inline", read(t, mem2, yamlPath), base+strings.Replace(entry, "%s", "sk-test-cont-step-0001", 1)+tail)
	check(t, ".env back inline", read(t, mem2, envPath), "# mine\nANTHROPIC_API_KEY=sk-ant-mine\n")
}
