package watch_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hubctl/hub/engine"
	"github.com/hubctl/hub/engine/config"
	"github.com/hubctl/hub/engine/states"
	"github.com/hubctl/hub/engine/system"
	"github.com/hubctl/hub/engine/watch"
	"github.com/hubctl/hub/targets"
	_ "github.com/hubctl/hub/targets/all"
)

const recKey = "sk-test-reconcile-0101"

type recFixture struct {
	t         *testing.T
	dir, home string
	r         *watch.Reconciler
	wanted    []string
}

func newRecFixture(t *testing.T) *recFixture {
	root := t.TempDir()
	f := &recFixture{t: t, dir: filepath.Join(root, "cfg"), home: filepath.Join(root, "home")}
	os.MkdirAll(f.dir, 0o755)
	os.MkdirAll(filepath.Join(f.home, ".codex"), 0o755)
	env := map[string]string{"HOME": f.home, "RELAY_API_KEY": recKey}
	f.r = watch.NewReconciler(f.dir)
	f.r.Load = config.Options{Env: env}
	f.r.Session = func(*config.Config) (*engine.Session, error) {
		eng := &engine.Engine{Sys: system.OS{}, Env: targets.Env{Vars: env, Dir: f.dir}, Host: "h1"}
		return &engine.Session{Engine: eng, Store: &states.FileStore{Path: filepath.Join(f.dir, ".hub", "state.json")}, Who: "test@h1"}, nil
	}
	f.config(`target "claude_code" "default" { credential = credential.relay }
target "codex" "default" {
  credential = credential.relay
  model      = "gpt-5"
}
`)
	return f
}

func (f *recFixture) config(targets string) {
	f.t.Helper()
	src := `credential "relay" {
  api_type = "openai-compatible"
  base_url = "https://relay.example.com"
  api_key  = env("RELAY_API_KEY")
}
` + targets
	if err := os.WriteFile(filepath.Join(f.dir, "hub.hcl"), []byte(src), 0o644); err != nil {
		f.t.Fatal(err)
	}
}

func (f *recFixture) round() (*watch.Round, error) {
	f.t.Helper()
	return f.r.Round(context.Background(), func(dirs []string) error { f.wanted = dirs; return nil })
}

func (f *recFixture) path(rel string) string { return filepath.Join(f.home, rel) }

func kinds(r *watch.Round) string {
	var out []string
	for _, e := range r.Events {
		out = append(out, [...]string{"plan-failed", "drifted", "wrote", "reloaded"}[e.Kind]+" "+e.Target)
	}
	return strings.Join(out, ", ")
}

// A round writes, tells which directories to watch, and its own writes are
// not changes; drift is reported once per contents and the target left
// alone until --on-drift revert puts hub's values back.
func TestReconcilerRounds(t *testing.T) {
	f := newRecFixture(t)
	r, err := f.round()
	if err != nil || kinds(r) != "wrote claude_code.default, wrote codex.default" {
		t.Fatalf("first round: %v: %s", err, kinds(r))
	}
	if len(r.Secrets) != 1 || r.Secrets[0] != recKey {
		t.Errorf("secrets handed out: %d", len(r.Secrets))
	}
	for _, d := range []string{f.dir, filepath.Join(f.home, ".claude"), filepath.Join(f.home, ".codex")} {
		if !strings.Contains(strings.Join(f.wanted, "\n"), d) {
			t.Errorf("not watching %s: %v", d, f.wanted)
		}
	}
	settings := f.path(".claude/settings.json")
	if got := f.r.Filter([]string{settings, filepath.Join(f.dir, "hub.hcl"), "/elsewhere/x"}); len(got) != 1 || got[0] != filepath.Join(f.dir, "hub.hcl") {
		t.Fatalf("filter after hub's own write = %v", got)
	}
	r, err = f.round()
	if err != nil || len(r.Events) != 0 || len(r.Secrets) != 0 {
		t.Fatalf("quiet round: %v: %s, %d secrets", err, kinds(r), len(r.Secrets))
	}

	// Someone edits a value hub owns.
	b, _ := os.ReadFile(settings)
	os.WriteFile(settings, []byte(strings.Replace(string(b), "https://relay.example.com", "https://theirs.example.com", 1)), 0o600)
	if got := f.r.Filter([]string{settings}); len(got) != 1 {
		t.Fatalf("an outside edit was filtered out")
	}
	for i, want := range []string{"drifted claude_code.default", ""} {
		r, err = f.round()
		if err != nil || kinds(r) != want {
			t.Fatalf("drift round %d: %v: %q, want %q", i, err, kinds(r), want)
		}
	}
	if b, _ := os.ReadFile(settings); !strings.Contains(string(b), "theirs.example.com") {
		t.Fatal("warn overwrote the outside edit")
	}
	f.r.OnDrift = watch.DriftRevert
	f.r = reuse(f.r)
	r, err = f.round()
	if err != nil || kinds(r) != "drifted claude_code.default, wrote claude_code.default" || r.Events[0].Action != watch.DriftRevert {
		t.Fatalf("revert round: %v: %s", err, kinds(r))
	}
}

// reuse returns a fresh reconciler with r's settings: its drift memory is
// empty, as after a restart.
func reuse(r *watch.Reconciler) *watch.Reconciler {
	n := watch.NewReconciler(r.Dir)
	n.Load, n.Session, n.Targets, n.OnDrift = r.Load, r.Session, r.Targets, r.OnDrift
	return n
}

// A target that cannot be planned is left out; the others are applied from
// the same plan. A configuration with errors writes nothing.
func TestReconcilerLeavesOutBrokenTargets(t *testing.T) {
	f := newRecFixture(t)
	os.MkdirAll(f.path(".claude"), 0o755)
	os.WriteFile(f.path(".claude/settings.json"), []byte(`{"env": {`), 0o600)
	r, err := f.round()
	if err != nil || kinds(r) != "plan-failed claude_code.default, wrote codex.default" {
		t.Fatalf("%v: %s", err, kinds(r))
	}
	if b, _ := os.ReadFile(f.path(".claude/settings.json")); string(b) != `{"env": {` {
		t.Fatalf("the broken file was touched: %s", b)
	}
	f.config(`target "codex" "default" { credential = credential.nope }`)
	r, err = f.round()
	if err == nil || !r.ConfigErr || !r.Diags.HasErrors() || len(r.Events) != 0 {
		t.Fatalf("config error round: %v, %+v", err, r)
	}
}

// A held lock stops a round with the holder's error.
func TestReconcilerLockHeld(t *testing.T) {
	f := newRecFixture(t)
	other := &states.FileStore{Path: filepath.Join(f.dir, ".hub", "state.json")}
	unlock, err := other.Lock(context.Background(), states.LockInfo{ID: "held"})
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	_, err = f.round()
	var le *states.LockedError
	if !errors.As(err, &le) {
		t.Fatalf("err = %v", err)
	}
	if _, err := os.Stat(f.path(".codex/config.toml")); err == nil {
		t.Fatal("wrote while another run held the lock")
	}
}

// A round that writes a target with a key past its expiry says so in its
// warnings, as hub plan and hub apply do; a quiet round does not repeat it.
func TestReconcilerExpiryWarning(t *testing.T) {
	f := newRecFixture(t)
	src, _ := os.ReadFile(filepath.Join(f.dir, "hub.hcl"))
	expired := strings.Replace(string(src), `api_key  = env("RELAY_API_KEY")`, "api_key  = env(\"RELAY_API_KEY\")\n  expires  = \"2020-01-31\"", 1)
	if err := os.WriteFile(filepath.Join(f.dir, "hub.hcl"), []byte(expired), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := f.round()
	if err != nil || kinds(r) != "wrote claude_code.default, wrote codex.default" {
		t.Fatalf("round: %v: %s", err, kinds(r))
	}
	var ws []string
	for _, w := range r.Warnings {
		ws = append(ws, w.Error())
	}
	if len(ws) != 2 || !strings.Contains(ws[0], "claude_code.default is about to be written with the key of credential.relay, which expired") {
		t.Errorf("warnings: %q", ws)
	}
	if r, _ := f.round(); len(r.Warnings) != 0 {
		t.Errorf("quiet round warned: %v", r.Warnings)
	}
}
