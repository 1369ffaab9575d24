package engine_test

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hubctl/hub/engine"
	"github.com/hubctl/hub/engine/states"
	"github.com/hubctl/hub/engine/system"
)

// A user's save landing while hub writes the file (after apply's re-read,
// before the replacement) is kept: the file is not written, the state does
// not record it, and the error says to run apply again.
func TestApplyKeepsSaveDuringWrite(t *testing.T) {
	reloads := 0
	_, mem, eng, _, st, p := watchedPlan(t, &reloads)
	user := []byte(`{"mine":"saved meanwhile"}`)
	mem.BeforeReplace = func(name string) { mem.WriteFile(name, user, 0o644) }
	res, err := eng.Apply(context.Background(), p, st)
	if err != nil {
		t.Fatal(err)
	}
	var stale *engine.StaleError
	if !errors.As(res.Err(), &stale) || !stale.During || !strings.Contains(res.Err().Error(), "run hub apply again") {
		t.Fatalf("err = %v, want a StaleError during the write", res.Err())
	}
	if b, _ := mem.ReadFile("/cfg/watched.json"); string(b) != string(user) {
		t.Errorf("file = %q, want the user's save", b)
	}
	if res.Changed || len(res.State.Hosts) != 0 {
		t.Errorf("state records a write that did not happen: %+v", res.State.Hosts)
	}
}

// failingSave is a System whose writes of one file (the state) fail: an
// apply "killed" between its file writes and its state save.
type failingSave struct {
	system.System
	path string
}

func (f failingSave) WriteFile(name string, data []byte, perm fs.FileMode) error {
	if name == f.path {
		return errors.New("disk full")
	}
	return f.System.WriteFile(name, data, perm)
}

func (f *fixture) journalled(failSave bool) *engine.Session {
	f.eng.Journal = filepath.Join(f.dir, ".hub", "journal.json")
	statePath := filepath.Join(f.dir, ".hub", "state.json")
	store := &states.FileStore{Path: statePath}
	if failSave {
		store.Sys = failingSave{System: system.OS{}, path: statePath}
	}
	return &engine.Session{Engine: f.eng, Store: store, Who: "test@h1"}
}

func backupsOf(t *testing.T, p string) []string {
	t.Helper()
	m, _ := filepath.Glob(p + ".hub-backup-*")
	return m
}

// An apply whose state save fails after its writes (a key rotation): the
// next plan recognises hub's own values from the journal (no drift, no
// change), and the next apply records them and removes the journal.
func TestInterruptedApplyRecovered(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if _, err := f.journalled(false).Apply(ctx, f.config(both), engine.ApplyOptions{Op: "apply"}); err != nil {
		t.Fatal(err)
	}
	rotated := f.configKey("sk-test-rotated-9876543210", both)
	done, err := f.journalled(true).Apply(ctx, rotated, engine.ApplyOptions{Op: "apply"})
	if err != nil || done.Result == nil || done.Result.SaveErr == nil {
		t.Fatalf("the save did not fail: %v, %+v", err, done)
	}
	sess := f.journalled(false)
	st, _, err := sess.PlanState(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	p, err := f.eng.Plan(ctx, rotated, st, engine.PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tp := range p.Plan.Targets {
		for _, fc := range tp.Files {
			if len(fc.Drift) > 0 || len(fc.Changes) > 0 {
				t.Errorf("%s: drift %+v, changes %+v after an interrupted apply", fc.Path, fc.Drift, fc.Changes)
			}
		}
	}
	if _, err := sess.Apply(ctx, rotated, engine.ApplyOptions{Op: "apply"}); err != nil {
		t.Fatal(err)
	}
	if exists(f.eng.Journal) {
		t.Error("journal kept after the state was saved")
	}
	saved, err := (&states.FileStore{Path: filepath.Join(f.dir, ".hub", "state.json")}).Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	p, _ = f.eng.Plan(ctx, rotated, saved, engine.PlanOptions{})
	if p.Plan.HasChanges() {
		t.Errorf("the saved state does not record the interrupted writes: %+v", p.Plan)
	}
}

// A first apply interrupted before its state was saved: its backup of the
// user's file stays the one the state references, and no second "first"
// backup (of hub's own content) is made by the next change.
func TestInterruptedFirstApplyKeepsBackup(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	settings := f.path(".claude/settings.json")
	f.write(".claude/settings.json", "{\n  \"model\": \"opus\"\n}\n", 0o600)
	body := `target "claude_code" "default" { credential = credential.relay }`
	if done, err := f.journalled(true).Apply(ctx, f.config(body), engine.ApplyOptions{Op: "apply"}); err != nil || done.Result.SaveErr == nil {
		t.Fatalf("the save did not fail: %v", err)
	}
	first := backupsOf(t, settings)
	if len(first) != 1 {
		t.Fatalf("backups = %v", first)
	}
	f.eng.Now = func() time.Time { return time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC) }
	if _, err := f.journalled(false).Apply(ctx, f.configKey("sk-test-rotated-9876543210", body), engine.ApplyOptions{Op: "apply"}); err != nil {
		t.Fatal(err)
	}
	if got := backupsOf(t, settings); len(got) != 1 {
		t.Errorf("backups = %v, want only %v", got, first)
	}
	st, _ := (&states.FileStore{Path: filepath.Join(f.dir, ".hub", "state.json")}).Load(ctx)
	if b := st.Hosts["h1"].Targets["claude_code.default"].Files[settings].Backup; b != first[0] {
		t.Errorf("state backup = %q, want %q", b, first[0])
	}
}

// A read-only file is left alone with an error naming what to do, and
// failing applies make no backups; force_readonly replaces it, keeping
// its mode.
func TestReadOnlyFileRespected(t *testing.T) {
	f := newFixture(t)
	settings := f.path(".claude/settings.json")
	user := "{\n  \"model\": \"opus\"\n}\n"
	f.write(".claude/settings.json", user, 0o444)
	cfg := f.config(`target "claude_code" "default" { credential = credential.relay }`)
	for i := 0; i < 2; i++ {
		res := f.apply(f.plan(cfg, engine.PlanOptions{}))
		err := res.Err()
		if err == nil || !strings.Contains(err.Error(), "chmod u+w "+settings) || !strings.Contains(err.Error(), "force_readonly") {
			t.Fatalf("err = %v", err)
		}
	}
	if f.read(".claude/settings.json") != user {
		t.Error("read-only file changed")
	}
	if b := backupsOf(t, settings); len(b) != 0 {
		t.Errorf("failing applies made backups: %v", b)
	}
	cfg = f.config(`target "claude_code" "default" {
  credential     = credential.relay
  force_readonly = true
}`)
	if err := f.apply(f.plan(cfg, engine.PlanOptions{})).Err(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(f.read(".claude/settings.json"), key) {
		t.Error("force_readonly did not write")
	}
	if fi, _ := os.Stat(settings); fi.Mode().Perm() != 0o444 {
		t.Errorf("mode = %v, want 0444 kept", fi.Mode().Perm())
	}
}

// Temporary files a crashed write left beside a managed file are removed
// by the next apply.
func TestApplyRemovesOrphanTemps(t *testing.T) {
	f := newFixture(t)
	f.write(".claude/settings.json", "{}\n", 0o600)
	orphan := f.path(".claude/.settings.json.hub-tmp-42")
	f.write(".claude/.settings.json.hub-tmp-42", `{"k":"sk-test-orphan"}`, 0o644)
	if err := f.apply(f.plan(f.config(`target "claude_code" "default" { credential = credential.relay }`), engine.PlanOptions{})).Err(); err != nil {
		t.Fatal(err)
	}
	if exists(orphan) {
		t.Error("orphan temporary file kept")
	}
}

// A state whose target entry has no files (edited by hand) does not make
// apply panic.
func TestApplyOnStateWithoutFiles(t *testing.T) {
	f := newFixture(t)
	st, err := states.Decode([]byte(`{"version":1,"lineage":"l","serial":1,"salt":"00",
		"hosts":{"h1":{"targets":{"claude_code.default":{"type":"claude_code"}}}}}`))
	if err != nil {
		t.Fatal(err)
	}
	f.st = st
	if err := f.apply(f.plan(f.config(`target "claude_code" "default" { credential = credential.relay }`), engine.PlanOptions{})).Err(); err != nil {
		t.Fatal(err)
	}
}
