package aider_test

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
	"github.com/hubctl/hub/targets/aider"
	"github.com/hubctl/hub/targets/targettest"
	"github.com/hubctl/hub/views"
)

func TestGolden(t *testing.T) { targettest.Golden(t, aider.Type) }

const path = "/home/user/.aider.conf.yml"

var (
	relay = &credential.Credential{ID: "relay", Name: "relay", APIType: "openai-compatible", BaseURL: "https://relay.example.com",
		Key: secret.New("sk-test-aider-step-0001"), Models: []string{"gpt-4.1"}}
	claudeRelay = &credential.Credential{ID: "claude", Name: "claude", APIType: "anthropic", BaseURL: "https://claude-relay.example.com",
		Key: secret.New("sk-ant-test-aider-step-0002"), Models: []string{"claude-sonnet-4-5"}}
	gemini = &credential.Credential{ID: "gem", Name: "gem", APIType: "google", BaseURL: "https://generativelanguage.googleapis.com",
		Key: secret.New("sk-test-aider-step-0003"), Models: []string{"gemini-2.5-pro"}}
)

// apply plans and applies the target with cred (nil: the block was removed
// from the configuration), checks that the plan shows no key and that a
// second plan is empty, and returns the new state and the plan shown.
func apply(t *testing.T, eng *engine.Engine, cred *credential.Credential, st *states.State) (*states.State, string) {
	t.Helper()
	info, err := targets.Lookup(aider.Type)
	if err != nil {
		t.Fatal(err)
	}
	cfg := &config.Config{}
	if cred != nil {
		in := &targets.Input{Address: "aider.test", Credentials: []*credential.Credential{cred}}
		cfg.Targets = []*config.Target{{Type: info.Type, Name: "test", Info: info, Impl: &aider.Target{}, Input: in}}
	}
	planned, err := eng.Plan(context.Background(), cfg, st, engine.PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var shown strings.Builder
	views.WritePlan(&shown, planned.Plan, views.Style{})
	if errs := views.TargetErrors(planned.Plan); len(errs) > 0 {
		t.Fatal(errs)
	}
	for _, c := range []*credential.Credential{relay, claudeRelay, gemini} {
		if strings.Contains(shown.String(), c.Key.Reveal()) {
			t.Errorf("plan shows a key:\n%s", shown.String())
		}
	}
	res, err := eng.Apply(context.Background(), planned, st)
	if err != nil || res.Err() != nil {
		t.Fatal(err, res.Err())
	}
	again, err := eng.Plan(context.Background(), cfg, res.State, engine.PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if again.Plan.HasChanges() || again.Plan.HasDrift() {
		t.Error("the plan after apply is not empty")
	}
	return res.State, shown.String()
}

func newEngine(files map[string][]byte) (*engine.Engine, *system.Mem) {
	mem := system.NewMem(files)
	return &engine.Engine{Sys: mem, Env: targets.Env{Vars: map[string]string{"HOME": "/home/user"}, Dir: "/home/user/creds"}, Host: "test", SkipReload: true}, mem
}

const userFile = `# mine
dark-mode: true
auto-commits: false   # I commit myself
read:
  - CONVENTIONS.md
`

// TestRemoveTarget: for each kind of credential, removing the block takes
// hub's keys away and gives back the user's file byte for byte.
func TestRemoveTarget(t *testing.T) {
	for _, c := range []*credential.Credential{relay, claudeRelay, gemini} {
		t.Run(c.APIType, func(t *testing.T) {
			eng, mem := newEngine(map[string][]byte{path: []byte(userFile)})
			st, _ := apply(t, eng, c, states.New())
			_, shown := apply(t, eng, nil, st)
			if !strings.Contains(shown, "(sensitive value) -> (removed)") {
				t.Errorf("removal plan does not hide the key:\n%s", shown)
			}
			if got, _ := mem.ReadFile(path); string(got) != userFile {
				t.Errorf("after removal:\n%s\nwant\n%s", got, userFile)
			}
		})
	}
}

// TestRemoveKeepsUserEntries: the user adds an entry to the set-env list
// hub owns; removing the block removes hub's entry only.
func TestRemoveKeepsUserEntries(t *testing.T) {
	eng, mem := newEngine(map[string][]byte{path: []byte(userFile)})
	st, _ := apply(t, eng, claudeRelay, states.New())
	b, _ := mem.ReadFile(path)
	edited := strings.Replace(string(b), "set-env:\n  - ANTHROPIC_API_BASE=https://claude-relay.example.com\n",
		"set-env:\n  - ANTHROPIC_API_BASE=https://claude-relay.example.com\n  - LITELLM_LOG=DEBUG\n", 1)
	if edited == string(b) {
		t.Fatalf("unexpected file:\n%s", b)
	}
	_ = mem.WriteFile(path, []byte(edited), 0o600)
	_, shown := apply(t, eng, nil, st)
	if !strings.Contains(shown, "set-env") {
		t.Errorf("removal plan does not mention set-env:\n%s", shown)
	}
	want := userFile + "\nset-env:\n  - LITELLM_LOG=DEBUG\n"
	if got, _ := mem.ReadFile(path); string(got) != want {
		t.Errorf("after removal:\n%s\nwant\n%s", got, want)
	}
}
