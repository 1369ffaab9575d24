// Package statestest checks that a states.Store keeps the contract hub
// relies on, whatever holds the state: the local file, a WebDAV server.
package statestest

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hubctl/hub/engine/states"
)

// Run runs the conformance tests. newStore returns a store over its own,
// empty storage each time it is called (a fresh directory, a fresh folder
// on a server). The Locker, ForceUnlocker and ForcePusher tests run only for
// stores that implement them.
func Run(t *testing.T, newStore func(t *testing.T) states.Store) {
	t.Run("LoadEmpty", func(t *testing.T) { loadEmpty(t, newStore(t)) })
	t.Run("SaveLoad", func(t *testing.T) { saveLoad(t, newStore(t)) })
	t.Run("MissingAcceptsAny", func(t *testing.T) { missingAcceptsAny(t, newStore(t)) })
	t.Run("SerialConflict", func(t *testing.T) { serialConflict(t, newStore(t)) })
	t.Run("LineageConflict", func(t *testing.T) { lineageConflict(t, newStore(t)) })
	t.Run("Lock", func(t *testing.T) {
		s := newStore(t)
		l, ok := s.(states.Locker)
		if !ok {
			t.Skipf("%T is not a states.Locker", s)
		}
		lock(t, s, l)
	})
	t.Run("ForceUnlock", func(t *testing.T) {
		s := newStore(t)
		l, ok := s.(states.Locker)
		u, ok2 := s.(states.ForceUnlocker)
		if !ok || !ok2 {
			t.Skipf("%T is not a states.Locker and states.ForceUnlocker", s)
		}
		forceUnlock(t, s, l, u)
	})
	t.Run("ForcePush", func(t *testing.T) {
		s := newStore(t)
		p, ok := s.(states.ForcePusher)
		if !ok {
			t.Skipf("%T is not a states.ForcePusher", s)
		}
		forcePush(t, s, p)
	})
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return c
}

// next returns st's successor with one more target in host, so snapshots
// differ in content as well as serial.
func next(st *states.State, host, addr string) *states.State {
	n := st.Clone()
	n.Serial++
	n.Host(host).Targets[addr] = &states.Target{Type: "codex", Files: map[string]*states.File{
		"/home/u/.codex/config.toml": {Sum: "abc", Items: map[string]*states.Item{
			"model_providers.x.base_url": {Hash: "h1", Value: "https://api.example.com/v1", Since: time.Unix(1700000000, 0).UTC(), Updated: time.Unix(1700000100, 0).UTC()},
			"model_providers.x.api_key":  {Hash: "h2", Sensitive: true, Since: time.Unix(1700000000, 0).UTC(), Updated: time.Unix(1700000100, 0).UTC()},
		}},
	}}
	return n
}

func load(t *testing.T, s states.Store) *states.State {
	t.Helper()
	st, err := s.Load(ctx(t))
	if err != nil {
		t.Fatalf("Load from %s: %v", s.Describe(), err)
	}
	return st
}

func save(t *testing.T, s states.Store, st *states.State) {
	t.Helper()
	if err := s.Save(ctx(t), st); err != nil {
		t.Fatalf("Save serial %d to %s: %v", st.Serial, s.Describe(), err)
	}
}

// equal compares two states as their documents.
func equal(t *testing.T, what string, got, want *states.State) {
	t.Helper()
	g, err := states.Encode(got)
	if err != nil {
		t.Fatal(err)
	}
	w, err := states.Encode(want)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(string(w), string(g)); d != "" {
		t.Fatalf("%s (-want +got):\n%s", what, d)
	}
}

func wantConflict(t *testing.T, what string, err error) *states.ConflictError {
	t.Helper()
	var ce *states.ConflictError
	if !errors.As(err, &ce) {
		t.Fatalf("%s: got %v, want a *states.ConflictError", what, err)
	}
	if ce.Where == "" {
		t.Errorf("%s: the conflict does not say where the state is: %v", what, err)
	}
	return ce
}

func loadEmpty(t *testing.T, s states.Store) {
	if s.Describe() == "" {
		t.Error("Describe is empty")
	}
	st := load(t, s)
	if st.Serial != 0 || st.Lineage == "" || st.Version != states.Version || st.Salt == "" || st.Hosts == nil {
		t.Fatalf("Load with nothing stored = %+v; want a new state (serial 0, a lineage, a salt)", st)
	}
	if again := load(t, s); again.Lineage == st.Lineage {
		t.Error("two loads of nothing gave the same lineage: Load must not store anything")
	}
}

func saveLoad(t *testing.T, s states.Store) {
	st := next(load(t, s), "laptop", "codex.work")
	save(t, s, st)
	equal(t, "Load after Save", load(t, s), st)
	st2 := next(st, "desktop", "codex.home")
	save(t, s, st2)
	equal(t, "Load after the second Save", load(t, s), st2)
}

func missingAcceptsAny(t *testing.T, s states.Store) {
	st := load(t, s)
	st.Serial = 41 // state migrated from elsewhere: any serial goes
	st = next(st, "laptop", "codex.work")
	save(t, s, st)
	equal(t, "Load after saving serial 42 to an empty store", load(t, s), st)
}

func serialConflict(t *testing.T, s states.Store) {
	base := load(t, s)
	one := next(base, "laptop", "codex.a")
	save(t, s, one)

	// Another run saved serial 1 from the same base: not serial+1.
	again := next(base, "desktop", "codex.b")
	ce := wantConflict(t, "saving serial 1 over serial 1", s.Save(ctx(t), again))
	if ce.HaveSerial != 1 {
		t.Errorf("conflict reports serial %d stored, want 1: %v", ce.HaveSerial, ce)
	}
	// A gap is a conflict too.
	skip := next(next(one, "laptop", "codex.c"), "laptop", "codex.d")
	wantConflict(t, "saving serial 3 over serial 1", s.Save(ctx(t), skip))
	equal(t, "Load after refused saves", load(t, s), one)

	two := next(one, "laptop", "codex.e")
	save(t, s, two)
	equal(t, "Load after serial 2", load(t, s), two)
}

func lineageConflict(t *testing.T, s states.Store) {
	mine := next(load(t, s), "laptop", "codex.a")
	save(t, s, mine)
	foreign := states.New()
	foreign.Serial = 1
	foreign = next(foreign, "other", "codex.x")
	ce := wantConflict(t, "saving a foreign lineage", s.Save(ctx(t), foreign))
	if ce.HaveLineage != mine.Lineage || ce.WantLineage != foreign.Lineage {
		t.Errorf("conflict lineages: have %s want %s; expected have %s want %s", ce.HaveLineage, ce.WantLineage, mine.Lineage, foreign.Lineage)
	}
	if !strings.Contains(ce.Error(), "lineage") {
		t.Errorf("conflict message does not mention the lineage: %v", ce)
	}
	equal(t, "Load after a refused foreign save", load(t, s), mine)
}

func info(id, who string) states.LockInfo {
	return states.LockInfo{ID: id, Operation: "apply", Who: who, PID: 4242, Created: time.Now().Truncate(time.Second)}
}

func wantLocked(t *testing.T, what string, err error, holder states.LockInfo) {
	t.Helper()
	var le *states.LockedError
	if !errors.As(err, &le) {
		t.Fatalf("%s: got %v, want a *states.LockedError", what, err)
	}
	if le.Holder == nil || le.Holder.ID != holder.ID || le.Holder.Who != holder.Who {
		t.Fatalf("%s: holder %+v, want ID %s by %s", what, le.Holder, holder.ID, holder.Who)
	}
	if !strings.Contains(err.Error(), holder.ID) || !strings.Contains(err.Error(), holder.Who) {
		t.Errorf("%s: the message does not name the holder (%s, %s): %v", what, holder.ID, holder.Who, err)
	}
}

func lock(t *testing.T, s states.Store, l states.Locker) {
	a, b := info("lock-a", "alice@laptop"), info("lock-b", "bob@desktop")
	unlockA, err := l.Lock(ctx(t), a)
	if err != nil {
		t.Fatalf("Lock: %v", err)
	}
	_, err = l.Lock(ctx(t), b)
	wantLocked(t, "a second Lock", err, a)
	// The state can be saved while locked (by the holder).
	save(t, s, next(load(t, s), "laptop", "codex.a"))
	if err := unlockA(); err != nil {
		t.Fatalf("unlock: %v", err)
	}
	unlockB, err := l.Lock(ctx(t), b)
	if err != nil {
		t.Fatalf("Lock after unlock: %v", err)
	}
	_, err = l.Lock(ctx(t), a)
	wantLocked(t, "Lock while the second holder has it", err, b)
	if err := unlockB(); err != nil {
		t.Fatalf("second unlock: %v", err)
	}
}

func forceUnlock(t *testing.T, s states.Store, l states.Locker, u states.ForceUnlocker) {
	a, b, c := info("lock-a", "alice@laptop"), info("lock-b", "bob@desktop"), info("lock-c", "carol@server")
	unlockA, err := l.Lock(ctx(t), a)
	if err != nil {
		t.Fatalf("Lock: %v", err)
	}
	err = u.ForceUnlock(ctx(t), "lock-wrong")
	if err == nil {
		t.Fatal("ForceUnlock with the wrong ID succeeded")
	}
	if !strings.Contains(err.Error(), a.ID) {
		t.Errorf("ForceUnlock with the wrong ID does not say which ID holds the lock: %v", err)
	}
	_, err = l.Lock(ctx(t), b)
	wantLocked(t, "Lock after a refused ForceUnlock", err, a)

	if err := u.ForceUnlock(ctx(t), a.ID); err != nil {
		t.Fatalf("ForceUnlock with the holder's ID: %v", err)
	}
	unlockB, err := l.Lock(ctx(t), b)
	if err != nil {
		t.Fatalf("Lock after ForceUnlock: %v", err)
	}
	// The first holder's unlock, late, must not remove the new holder's lock.
	_ = unlockA()
	_, err = l.Lock(ctx(t), c)
	wantLocked(t, "Lock after the broken holder's late unlock", err, b)
	if err := unlockB(); err != nil {
		t.Fatalf("unlock: %v", err)
	}
}

func forcePush(t *testing.T, s states.Store, p states.ForcePusher) {
	mine := next(load(t, s), "laptop", "codex.a")
	save(t, s, mine)
	foreign := states.New()
	foreign.Serial = 6
	foreign = next(foreign, "other", "codex.x")
	if err := p.ForcePush(ctx(t), foreign); err != nil {
		t.Fatalf("ForcePush of a foreign lineage: %v", err)
	}
	equal(t, "Load after ForcePush", load(t, s), foreign)
	after := next(foreign, "other", "codex.y")
	save(t, s, after)
	equal(t, "Load after saving on top of a push", load(t, s), after)
	// Pushing an older serial of the same lineage works too.
	if err := p.ForcePush(ctx(t), mine); err != nil {
		t.Fatalf("ForcePush back: %v", err)
	}
	equal(t, "Load after pushing back", load(t, s), mine)
}
