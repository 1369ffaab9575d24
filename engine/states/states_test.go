package states_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hubctl/hub/engine/states"
)

func TestFileStore(t *testing.T) {
	ctx := context.Background()
	p := filepath.Join(t.TempDir(), ".hub", "state.json")
	store := &states.FileStore{Path: p}
	st, err := store.Load(ctx)
	if err != nil || st.Serial != 0 || st.Lineage == "" {
		t.Fatalf("empty load = %+v, %v", st, err)
	}
	st.Host("h").Targets["codex.x"] = &states.Target{Type: "codex", Files: map[string]*states.File{}}
	st.Serial = 1
	if err := store.Save(ctx, st); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(p); fi.Mode().Perm() != 0o600 {
		t.Errorf("state mode = %v", fi.Mode().Perm())
	}
	got, err := store.Load(ctx)
	if err != nil || got.Lineage != st.Lineage || got.Serial != 1 || got.Hosts["h"].Targets["codex.x"] == nil {
		t.Fatalf("reload = %+v, %v", got, err)
	}
	// Someone else saved serial 2 meanwhile: our serial 2 conflicts.
	other := got.Clone()
	other.Serial = 2
	if err := store.Save(ctx, other); err != nil {
		t.Fatal(err)
	}
	got.Serial = 2
	var ce *states.ConflictError
	if err := store.Save(ctx, got); !errors.As(err, &ce) {
		t.Errorf("conflicting save: %v", err)
	}
	// Another lineage conflicts.
	foreign := states.New()
	foreign.Serial = 3
	if err := store.Save(ctx, foreign); !errors.As(err, &ce) || !strings.Contains(err.Error(), "lineage") {
		t.Errorf("foreign lineage save: %v", err)
	}
}

func TestDecodeRefusesNewerAndForeign(t *testing.T) {
	if _, err := states.Decode([]byte(`{"version": 99, "lineage": "x"}`)); err == nil || !strings.Contains(err.Error(), "upgrade hub") {
		t.Errorf("newer: %v", err)
	}
	if _, err := states.Decode([]byte(`{"version": 1}`)); err == nil {
		t.Error("no lineage accepted")
	}
	if _, err := states.Decode([]byte(`{`)); err == nil {
		t.Error("bad JSON accepted")
	}
}

func TestLock(t *testing.T) {
	ctx := context.Background()
	p := filepath.Join(t.TempDir(), "state.json")
	a := &states.FileStore{Path: p}
	unlock, err := a.Lock(ctx, states.LockInfo{ID: "lock-1", Operation: "apply", Who: "me@h1", PID: 42})
	if err != nil {
		t.Fatal(err)
	}
	b := &states.FileStore{Path: p}
	_, err = b.Lock(ctx, states.LockInfo{ID: "lock-2"})
	var le *states.LockedError
	if !errors.As(err, &le) || le.Holder == nil || le.Holder.ID != "lock-1" || !strings.Contains(err.Error(), "me@h1") {
		t.Fatalf("second lock: %v", err)
	}
	if err := unlock(); err != nil {
		t.Fatal(err)
	}
	unlock2, err := b.Lock(ctx, states.LockInfo{ID: "lock-2"})
	if err != nil {
		t.Fatalf("lock after unlock: %v", err)
	}
	unlock2()
}

// Shared sections are written one compact line each, sorted, and the
// document decodes back to the same state.
func TestEncodeSharedCompact(t *testing.T) {
	s := states.New()
	s.Host("h").Targets["codex.default"] = &states.Target{Type: "codex", Files: map[string]*states.File{}}
	s.Shared = map[string]json.RawMessage{
		"telemetry/b": json.RawMessage("{\n  \"models\": [\n    \"m\"\n  ],\n  \"history\": [{\"at\": \"x\"}]\n}"),
		"telemetry/a": json.RawMessage(`{"x":1}`),
	}
	b, err := states.Encode(s)
	if err != nil {
		t.Fatal(err)
	}
	want := "  \"shared\": {\n    \"telemetry/a\": {\"x\":1},\n    \"telemetry/b\": {\"models\":[\"m\"],\"history\":[{\"at\":\"x\"}]}\n  }\n}\n"
	if !strings.HasSuffix(string(b), want) {
		t.Errorf("encoded:\n%s\nwant the suffix:\n%s", b, want)
	}
	got, err := states.Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if got.Lineage != s.Lineage || got.Hosts["h"].Targets["codex.default"].Type != "codex" || string(got.Shared["telemetry/a"]) != `{"x":1}` {
		t.Errorf("round trip: %+v", got)
	}
	// Without shared sections the document is as before.
	s.Shared = nil
	if b, _ := states.Encode(s); strings.Contains(string(b), "shared") || !strings.HasSuffix(string(b), "}\n") {
		t.Errorf("no shared: %s", b)
	}
}
