package engine_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hubctl/hub/engine"
	"github.com/hubctl/hub/engine/config"
	"github.com/hubctl/hub/engine/plans"
	"github.com/hubctl/hub/engine/states"
	"github.com/hubctl/hub/engine/system"
	"github.com/hubctl/hub/targets"
	_ "github.com/hubctl/hub/targets/all"
)

const key = "sk-test-engine-0123456789"

type fixture struct {
	t    *testing.T
	dir  string // configuration
	home string
	eng  *engine.Engine
	st   *states.State
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	root := t.TempDir()
	f := &fixture{t: t, dir: filepath.Join(root, "cfg"), home: filepath.Join(root, "home"), st: states.New()}
	os.MkdirAll(f.dir, 0o755)
	os.MkdirAll(f.home, 0o755)
	f.eng = &engine.Engine{Sys: system.OS{}, Env: targets.Env{Vars: map[string]string{"HOME": f.home}, Dir: f.dir}, Host: "h1",
		Now: func() time.Time { return time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC) }}
	return f
}

func (f *fixture) config(body string) *config.Config {
	f.t.Helper()
	return f.configKey(key, body)
}

// configKey is config with the relay credential's key k.
func (f *fixture) configKey(k, body string) *config.Config {
	f.t.Helper()
	src := `credential "relay" {
  api_type = "openai-compatible"
  base_url = "https://relay.example.com"
  api_key  = "` + k + `"
}
` + body
	if err := os.WriteFile(filepath.Join(f.dir, "hub.hcl"), []byte(src), 0o644); err != nil {
		f.t.Fatal(err)
	}
	cfg, diags := config.Load(config.Options{Dir: f.dir, Env: map[string]string{"HOME": f.home}})
	if diags.HasErrors() {
		f.t.Fatal(diags)
	}
	return cfg
}

func (f *fixture) plan(cfg *config.Config, opts engine.PlanOptions) *engine.Planned {
	f.t.Helper()
	p, err := f.eng.Plan(context.Background(), cfg, f.st, opts)
	if err != nil {
		f.t.Fatal(err)
	}
	return p
}

func (f *fixture) apply(p *engine.Planned) *engine.ApplyResult {
	f.t.Helper()
	res, err := f.eng.Apply(context.Background(), p, f.st)
	if err != nil {
		f.t.Fatal(err)
	}
	f.st = res.State
	return res
}

func (f *fixture) path(rel string) string { return filepath.Join(f.home, rel) }

func (f *fixture) write(rel, body string, mode os.FileMode) {
	f.t.Helper()
	p := f.path(rel)
	os.MkdirAll(filepath.Dir(p), 0o755)
	if err := os.WriteFile(p, []byte(body), mode); err != nil {
		f.t.Fatal(err)
	}
	os.Chmod(p, mode)
}

func (f *fixture) read(rel string) string {
	f.t.Helper()
	b, err := os.ReadFile(f.path(rel))
	if err != nil {
		f.t.Fatal(err)
	}
	return string(b)
}

const both = `
target "claude_code" "default" { credential = credential.relay }
target "codex" "default" {
  credential = credential.relay
  model      = "gpt-5"
}
`

func TestApplyModesBackupsAndIdempotence(t *testing.T) {
	f := newFixture(t)
	user := "{\n  \"model\": \"opus\"\n}\n"
	f.write(".claude/settings.json", user, 0o640)
	cfg := f.config(both)
	res := f.apply(f.plan(cfg, engine.PlanOptions{}))
	if err := res.Err(); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(f.path(".claude/settings.json")); fi.Mode().Perm() != 0o640 {
		t.Errorf("existing file mode = %v, want 0640 kept", fi.Mode().Perm())
	}
	if fi, _ := os.Stat(f.path(".codex/config.toml")); fi.Mode().Perm() != 0o600 {
		t.Errorf("new file mode = %v, want 0600", fi.Mode().Perm())
	}
	backups, _ := filepath.Glob(f.path(".claude/settings.json.hub-backup-*"))
	if len(backups) != 1 {
		t.Fatalf("backups = %v, want one", backups)
	}
	if b, _ := os.ReadFile(backups[0]); string(b) != user {
		t.Errorf("backup = %q, want the user's file", b)
	}
	if got := res.Targets[0].Files[0].Backup; got != backups[0] {
		t.Errorf("result backup = %q", got)
	}
	if f.st.Serial != 1 {
		t.Errorf("serial = %d, want 1", f.st.Serial)
	}
	if p := f.plan(cfg, engine.PlanOptions{}); p.Plan.HasChanges() {
		t.Error("second plan has changes")
	}
	// A later change does not back up again: hub already owns items there.
	f.eng.Now = func() time.Time { return time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC) }
	f.apply(f.plan(f.config(strings.Replace(both, `"gpt-5"`, `"gpt-5.1"`, 1)+`target "claude_code" "x" {
  credential = credential.relay
  config_dir = "~/.claude-x"
}`), engine.PlanOptions{}))
	if backups, _ := filepath.Glob(f.path(".*/*.hub-backup-*")); len(backups) != 1 {
		t.Errorf("backups after second apply = %v, want still one", backups)
	}
	// State never holds the key.
	b, _ := states.Encode(f.st)
	if strings.Contains(string(b), key) {
		t.Error("state contains the key")
	}
}

func TestApplyWritesThroughSymlink(t *testing.T) {
	f := newFixture(t)
	f.write("dotfiles/claude.json", "{}\n", 0o600)
	os.MkdirAll(f.path(".claude"), 0o755)
	if err := os.Symlink("../dotfiles/claude.json", f.path(".claude/settings.json")); err != nil {
		t.Fatal(err)
	}
	f.apply(f.plan(f.config(`target "claude_code" "default" { credential = credential.relay }`), engine.PlanOptions{}))
	fi, err := os.Lstat(f.path(".claude/settings.json"))
	if err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("settings.json is no longer a symlink: %v %v", fi.Mode(), err)
	}
	if !strings.Contains(f.read("dotfiles/claude.json"), "ANTHROPIC_BASE_URL") {
		t.Error("the link's target was not updated")
	}
}

func TestStaleFileRefused(t *testing.T) {
	f := newFixture(t)
	cfg := f.config(both)
	p := f.plan(cfg, engine.PlanOptions{})
	f.write(".codex/config.toml", "model = \"mine\"\n", 0o600)
	res := f.apply(p)
	var stale *engine.StaleError
	if err := res.Err(); !errors.As(err, &stale) || !strings.Contains(err.Error(), "not applied: codex.default; applied: claude_code.default") {
		t.Fatalf("err = %v, want a StaleError naming what was applied", err)
	}
	if got := f.read(".codex/config.toml"); got != "model = \"mine\"\n" {
		t.Errorf("stale file was written: %q", got)
	}
	h := f.st.Hosts["h1"]
	if h.Targets["codex.default"] != nil || h.Targets["claude_code.default"] == nil {
		t.Errorf("state records %v, want only claude_code.default", h.Addresses())
	}
}

func TestWriteFailureKeepsOldFileAndState(t *testing.T) {
	f := newFixture(t)
	cfg := f.config(both)
	mem := system.NewMem(nil)
	codex := f.path(".codex/config.toml")
	mem.FailWrite = func(name string) error {
		if name == codex {
			return errors.New("no space left on device")
		}
		return nil
	}
	f.eng.Sys = mem
	res := f.apply(f.plan(cfg, engine.PlanOptions{}))
	err := res.Err()
	if err == nil || !strings.Contains(err.Error(), "no space left on device") || !strings.Contains(err.Error(), "not applied: codex.default") {
		t.Fatalf("err = %v", err)
	}
	if _, err := mem.ReadFile(codex); err == nil {
		t.Error("failed file exists")
	}
	if f.st.Hosts["h1"].Targets["codex.default"] != nil {
		t.Error("state records the failed file")
	}
	if got := f.plan(cfg, engine.PlanOptions{}); got.Plan.Summary().Create != 6 {
		t.Errorf("after the failure the plan creates %d items, want codex's 6", got.Plan.Summary().Create)
	}
}

func TestRemovedTargetAndMovedDir(t *testing.T) {
	f := newFixture(t)
	f.apply(f.plan(f.config(both), engine.PlanOptions{}))
	// codex removed from config; claude_code moved to another directory.
	cfg := f.config(`target "claude_code" "default" {
  credential = credential.relay
  config_dir = "~/elsewhere"
}`)
	p := f.plan(cfg, engine.PlanOptions{})
	var removed bool
	for _, t := range p.Plan.Targets {
		if t.Address == "codex.default" {
			removed = t.Removed
		}
	}
	if !removed {
		t.Fatal("codex.default not planned as removed")
	}
	if s := p.Plan.Summary(); s.Create != 2 || s.Delete != 8 {
		t.Fatalf("summary = %+v, want 2 creates in the new dir, 2+6 deletes", s)
	}
	f.apply(p)
	if got := f.read(".codex/config.toml"); got != "" {
		t.Errorf("codex config after removal = %q, want empty", got)
	}
	if got := f.read(".claude/settings.json"); got != "{}\n" {
		t.Errorf("old claude settings = %q", got)
	}
	if got := f.st.Hosts["h1"].Addresses(); len(got) != 1 || got[0] != "claude_code.default" {
		t.Errorf("state targets = %v", got)
	}
}

func TestDriftReportedAndReverted(t *testing.T) {
	f := newFixture(t)
	cfg := f.config(`target "claude_code" "default" {
  credential = credential.relay
  model      = "m1"
}`)
	f.apply(f.plan(cfg, engine.PlanOptions{}))
	f.write(".claude/settings.json", strings.Replace(f.read(".claude/settings.json"), `"m1"`, `"hand-edited"`, 1)+"", 0o600)
	s := f.read(".claude/settings.json")
	f.write(".claude/settings.json", strings.Replace(s, "{\n", "{\n  \"theme\": \"dark\",\n", 1), 0o600)
	p := f.plan(cfg, engine.PlanOptions{})
	fc := p.Plan.Targets[0].Files[0]
	if len(fc.Drift) != 1 || fc.Drift[0].Key != "env.ANTHROPIC_MODEL" || fc.Drift[0].Actual != "hand-edited" {
		t.Fatalf("drift = %+v", fc.Drift)
	}
	if len(fc.Changes) != 1 || fc.Changes[0].Action != plans.Update || fc.Changes[0].Unowned {
		t.Fatalf("changes = %+v", fc.Changes)
	}
	f.apply(p)
	got := f.read(".claude/settings.json")
	if !strings.Contains(got, `"m1"`) || !strings.Contains(got, `"theme": "dark"`) {
		t.Errorf("after revert: %s", got)
	}
}

func TestSavedPlan(t *testing.T) {
	f := newFixture(t)
	cfg := f.config(both)
	p := f.plan(cfg, engine.PlanOptions{})
	saved := engine.NewSaved(p.Plan, f.st)

	// Against a brand-new state: the first apply takes the plan's lineage.
	fresh := states.New()
	if err := saved.Prepare(fresh); err != nil {
		t.Fatal(err)
	}
	f.st = fresh
	again := f.plan(cfg, engine.PlanOptions{})
	if err := saved.Match(again.Plan); err != nil {
		t.Fatal(err)
	}
	f.apply(again)
	if f.st.Lineage != saved.Lineage {
		t.Error("state did not take the plan's lineage")
	}
	// The same plan again is stale: the state moved on.
	if err := saved.Prepare(f.st); !errors.Is(err, engine.ErrStalePlan) {
		t.Errorf("second use: err = %v, want stale", err)
	}

	// A file edited after the plan.
	p2 := f.plan(f.config(strings.Replace(both, `"gpt-5"`, `"gpt-5.1"`, 1)), engine.PlanOptions{})
	s2 := engine.NewSaved(p2.Plan, f.st)
	f.write(".codex/config.toml", f.read(".codex/config.toml")+"# edit\n", 0o600)
	if err := s2.Prepare(f.st); err != nil {
		t.Fatal(err)
	}
	if err := s2.Match(f.plan(f.config(strings.Replace(both, `"gpt-5"`, `"gpt-5.1"`, 1)), engine.PlanOptions{}).Plan); err == nil || !strings.Contains(err.Error(), "config.toml changed since the plan") {
		t.Errorf("edited file: err = %v", err)
	}
	// The configuration changed after the plan.
	s3 := engine.NewSaved(f.plan(f.config(strings.Replace(both, `"gpt-5"`, `"gpt-5.1"`, 1)), engine.PlanOptions{}).Plan, f.st)
	if err := s3.Match(f.plan(f.config(strings.Replace(both, `"gpt-5"`, `"gpt-5.2"`, 1)), engine.PlanOptions{}).Plan); err == nil || !strings.Contains(err.Error(), "configuration changed") {
		t.Errorf("changed config: err = %v", err)
	}
}

func TestTargetFilterAndSharedFile(t *testing.T) {
	f := newFixture(t)
	cfg := f.config(both)
	p := f.plan(cfg, engine.PlanOptions{Targets: []string{"codex.default"}})
	if len(p.Plan.Targets) != 1 || p.Plan.Targets[0].Address != "codex.default" {
		t.Errorf("filtered plan = %+v", p.Plan.Targets)
	}
	if _, err := f.eng.Plan(context.Background(), cfg, f.st, engine.PlanOptions{Targets: []string{"codex.nope"}}); !errors.Is(err, engine.ErrUnknownTarget) {
		t.Errorf("unknown target: err = %v", err)
	}
	cfg = f.config(`target "claude_code" "a" { credential = credential.relay }
target "claude_code" "b" { credential = credential.relay }`)
	if _, err := f.eng.Plan(context.Background(), cfg, f.st, engine.PlanOptions{}); err == nil || !strings.Contains(err.Error(), "both manage") {
		t.Errorf("shared file: err = %v", err)
	}
}

func TestBrokenFileBlocksApplyButNotPlan(t *testing.T) {
	f := newFixture(t)
	f.write(".claude/settings.json", "{ not json", 0o600)
	cfg := f.config(both)
	p := f.plan(cfg, engine.PlanOptions{})
	if !p.Plan.Errored() || p.Plan.Summary().Create != 6 {
		t.Fatalf("plan errored=%v summary=%+v, want an error and codex still planned", p.Plan.Errored(), p.Plan.Summary())
	}
	if _, err := f.eng.Apply(context.Background(), p, f.st); !errors.Is(err, engine.ErrPlanErrored) {
		t.Errorf("apply err = %v", err)
	}
	if _, err := os.Stat(f.path(".codex/config.toml")); err == nil {
		t.Error("codex written although the plan had errors")
	}
	f.apply(f.plan(cfg, engine.PlanOptions{Targets: []string{"codex.default"}}))
	if got := f.read(".claude/settings.json"); got != "{ not json" {
		t.Errorf("broken file changed: %q", got)
	}
}

func TestDestroyRemovesOnlyOwnedItems(t *testing.T) {
	f := newFixture(t)
	user := "{\n  \"env\": {\n    \"MINE\": \"1\"\n  },\n  \"theme\": \"dark\"\n}\n"
	f.write(".claude/settings.json", user, 0o600)
	cfg := f.config(both)
	f.apply(f.plan(cfg, engine.PlanOptions{}))
	f.apply(f.plan(cfg, engine.PlanOptions{Destroy: true}))
	if got := f.read(".claude/settings.json"); got != user {
		t.Errorf("after destroy:\n%s\nwant the user's file back:\n%s", got, user)
	}
	if len(f.st.Hosts) != 0 {
		t.Errorf("state still owns %v", f.st.Hosts)
	}
}

func TestBackupsNeverOverwritten(t *testing.T) {
	f := newFixture(t)
	f.write(".claude/settings.json", "{\"theme\": \"dark\"}\n", 0o600)
	cfg := f.config(`target "claude_code" "default" { credential = credential.relay }`)
	for i := 0; i < 3; i++ { // apply, destroy, within the same second
		f.apply(f.plan(cfg, engine.PlanOptions{}))
		f.apply(f.plan(cfg, engine.PlanOptions{Destroy: true}))
	}
	backups, _ := filepath.Glob(f.path(".claude/settings.json.hub-backup-*"))
	if len(backups) != 3 {
		t.Fatalf("backups = %v, want three distinct ones", backups)
	}
	for _, b := range backups {
		if got, _ := os.ReadFile(b); string(got) != "{\"theme\": \"dark\"}\n" {
			t.Errorf("%s = %q", b, got)
		}
	}
}

func TestAdoptThenChangeBacksUp(t *testing.T) {
	f := newFixture(t)
	user := "{\n  \"env\": {\n    \"ANTHROPIC_BASE_URL\": \"https://relay.example.com\",\n    \"ANTHROPIC_AUTH_TOKEN\": \"" + key + "\"\n  }\n}\n"
	f.write(".claude/settings.json", user, 0o600)
	cfg := f.config(`target "claude_code" "default" { credential = credential.relay }`)
	p := f.plan(cfg, engine.PlanOptions{})
	if s := p.Plan.Summary(); s.Adopt != 2 || s.Create+s.Update+s.Delete != 0 {
		t.Fatalf("summary = %+v, want 2 adopted", s)
	}
	if res := f.apply(p); res.Targets[0].Files[0].Written {
		t.Error("adopt-only apply wrote the file")
	}
	f.apply(f.plan(cfg, engine.PlanOptions{Destroy: true}))
	backups, _ := filepath.Glob(f.path(".claude/settings.json.hub-backup-*"))
	if len(backups) != 1 {
		t.Fatalf("backups = %v, want the user's original kept before the first write", backups)
	}
	if got, _ := os.ReadFile(backups[0]); string(got) != user {
		t.Errorf("backup = %q", got)
	}
}
