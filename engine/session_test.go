package engine_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/hubctl/hub/engine"
	"github.com/hubctl/hub/engine/plans"
	"github.com/hubctl/hub/engine/states"
)

func (f *fixture) session() *engine.Session {
	return &engine.Session{Engine: f.eng, Store: &states.FileStore{Path: filepath.Join(f.dir, ".hub", "state.json")}, Who: "test@h1"}
}

// Narrowing a computed plan gives what planning only those targets gives,
// and applying it writes only their files.
func TestNarrowIsAPlanOfThoseTargets(t *testing.T) {
	f := newFixture(t)
	cfg := f.config(both)
	full := f.plan(cfg, engine.PlanOptions{})
	narrowed := full.Narrow([]string{"codex.default"})
	direct := f.plan(cfg, engine.PlanOptions{Targets: []string{"codex.default"}})
	a, _ := json.Marshal(narrowed.Plan)
	b, _ := json.Marshal(direct.Plan)
	if string(a) != string(b) {
		t.Fatalf("narrowed plan:\n%s\nplan of the target:\n%s", a, b)
	}
	if len(full.Plan.Targets) != 2 {
		t.Fatalf("narrowing changed the plan it came from: %d targets", len(full.Plan.Targets))
	}
	res := f.apply(narrowed)
	if len(res.Targets) != 1 || res.Targets[0].Address != "codex.default" {
		t.Fatalf("applied %+v", res.Targets)
	}
	if exists(f.path(".claude/settings.json")) {
		t.Error("claude_code's file was written by a plan narrowed to codex")
	}
}

// Session.Apply: the review sees the plan before anything is written, and
// its error stops the operation with nothing written.
func TestSessionReviewStops(t *testing.T) {
	f := newFixture(t)
	cfg := f.config(both)
	sess := f.session()
	stop := errors.New("not approved")
	var seen *plans.Plan
	done, err := sess.Apply(context.Background(), cfg, engine.ApplyOptions{Op: "apply", Review: func(p *plans.Plan) error {
		seen = p
		return stop
	}})
	if !errors.Is(err, stop) || seen == nil || !seen.HasChanges() || done.Result != nil {
		t.Fatalf("err = %v, reviewed = %v, result = %v", err, seen != nil, done)
	}
	if exists(f.path(".codex/config.toml")) {
		t.Fatal("a refused review wrote a file")
	}
	done, err = sess.Apply(context.Background(), cfg, engine.ApplyOptions{Op: "apply"})
	if err != nil || done.Result == nil || done.Result.Err() != nil || done.Result.SaveErr != nil {
		t.Fatalf("apply: %v %+v", err, done)
	}
	// The next run finds nothing to do, and says so without applying.
	done, err = sess.Apply(context.Background(), cfg, engine.ApplyOptions{Op: "apply"})
	if err != nil || done.Result != nil || done.Plan.HasChanges() {
		t.Fatalf("second apply: %v %+v", err, done)
	}
}

// Another host saving while this one applies is merged: both sections stay.
func TestSessionApplyMergesAnotherHostsSave(t *testing.T) {
	f := newFixture(t)
	cfg := f.config(both)
	sess := f.session()
	if _, err := sess.Apply(context.Background(), cfg, engine.ApplyOptions{Op: "apply", Plan: engine.PlanOptions{Targets: []string{"codex.default"}}}); err != nil {
		t.Fatal(err)
	}
	done, err := sess.Apply(context.Background(), cfg, engine.ApplyOptions{Op: "apply", Review: func(*plans.Plan) error {
		other, err := sess.Store.Load(context.Background())
		if err != nil {
			return err
		}
		other.Host("h2").Targets["codex.work"] = &states.Target{Type: "codex", Files: map[string]*states.File{}}
		other.Serial++
		return sess.Store.Save(context.Background(), other)
	}})
	if err != nil || done.Result.SaveErr != nil {
		t.Fatal(err, done.Result.SaveErr)
	}
	st, err := sess.Store.Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if st.Hosts["h2"] == nil || st.Hosts["h1"] == nil || len(st.Hosts["h1"].Targets) != 2 || st.Serial != 3 {
		t.Fatalf("hosts after the merge: %v, serial %d", st.Hosts, st.Serial)
	}
}

// A held lock is waited for until it is released; past the timeout the
// error is the holder's *states.LockedError.
func TestSessionLockWait(t *testing.T) {
	f := newFixture(t)
	cfg := f.config(both)
	sess := f.session()
	other := &states.FileStore{Path: sess.Store.Describe()}
	unlock, err := other.Lock(context.Background(), states.LockInfo{ID: "held-1", Operation: "apply", Who: "other@h2"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = sess.Apply(context.Background(), cfg, engine.ApplyOptions{Op: "apply"})
	var le *states.LockedError
	if !errors.As(err, &le) || le.Holder == nil || le.Holder.ID != "held-1" || le.Breakable {
		t.Fatalf("err = %v", err)
	}
	sess.LockTimeout = 10 * time.Second
	go func() {
		time.Sleep(200 * time.Millisecond)
		unlock()
	}()
	done, err := sess.Apply(context.Background(), cfg, engine.ApplyOptions{Op: "apply"})
	if err != nil || done.Result == nil {
		t.Fatalf("after the release: %v", err)
	}
	// Cancelled while waiting: the context's error.
	unlock2, err := other.Lock(context.Background(), states.LockInfo{ID: "held-2"})
	if err != nil {
		t.Fatal(err)
	}
	defer unlock2()
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if _, err := sess.Begin(ctx, "apply"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("cancelled wait: err = %v", err)
	}
}

// A saved plan made against another serial is refused without writing.
func TestSessionSavedPlanStale(t *testing.T) {
	f := newFixture(t)
	cfg := f.config(both)
	sess := f.session()
	st, _, err := sess.PlanState(context.Background(), true)
	if err != nil {
		t.Fatal(err)
	}
	p, err := f.eng.Plan(context.Background(), cfg, st, engine.PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	saved := engine.NewSaved(p.Plan, st)
	if _, err := sess.Apply(context.Background(), cfg, engine.ApplyOptions{Op: "apply", Saved: saved}); err != nil {
		t.Fatal(err)
	}
	if _, err := sess.Apply(context.Background(), cfg, engine.ApplyOptions{Op: "apply", Saved: saved}); !errors.Is(err, engine.ErrStalePlan) {
		t.Fatalf("second apply of a saved plan: err = %v", err)
	}
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// An apply with nothing to change still removes what a crashed run left
// beside the files it manages: a temporary file may hold a key.
func TestSessionApplyTidiesUnchangedFiles(t *testing.T) {
	f := newFixture(t)
	cfg := f.config(both)
	sess := f.session()
	if _, err := sess.Apply(context.Background(), cfg, engine.ApplyOptions{Op: "apply"}); err != nil {
		t.Fatal(err)
	}
	orphan := f.path(".claude/.settings.json.hub-tmp-4242")
	f.write(".claude/.settings.json.hub-tmp-4242", `{"env":{"ANTHROPIC_AUTH_TOKEN":"`+key+`"}}`, 0o600)
	done, err := sess.Apply(context.Background(), cfg, engine.ApplyOptions{Op: "apply"})
	if err != nil || done.Result != nil {
		t.Fatalf("second apply: %v, %+v", err, done)
	}
	if exists(orphan) {
		t.Fatal("the orphan temporary file beside an unchanged file is still there")
	}
	// A plan never removes anything.
	f.write(".claude/.settings.json.hub-tmp-4243", "{}", 0o600)
	if _, _, err := sess.PlanState(context.Background(), true); err != nil {
		t.Fatal(err)
	}
	f.plan(cfg, engine.PlanOptions{})
	if !exists(f.path(".claude/.settings.json.hub-tmp-4243")) {
		t.Fatal("a plan removed a file")
	}
}
