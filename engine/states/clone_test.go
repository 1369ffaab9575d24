package states_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hubctl/hub/engine/states"
)

// jsonClone is what Clone did before it copied by hand: the JSON round trip.
func jsonClone(t *testing.T, v any, into any) {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, into); err != nil {
		t.Fatal(err)
	}
}

// TestCloneIsJSONRoundTrip: Clone gives exactly what encoding and decoding
// gives (values a target set come out as decoded JSON, times as parsed
// RFC 3339, nil and empty maps as JSON keeps them), and shares nothing.
func TestCloneIsJSONRoundTrip(t *testing.T) {
	local := time.Date(2026, 11, 30, 10, 0, 0, 123, time.FixedZone("X", 3600))
	st := states.New()
	st.Serial = 7
	st.Shared = map[string]json.RawMessage{"telemetry": json.RawMessage(`{ "a" : [1, 2] }`), "none": nil}
	st.Hosts["empty"] = &states.Host{Targets: map[string]*states.Target{}}
	st.Hosts["nil"] = &states.Host{}
	st.Hosts["gone"] = nil
	st.Hosts["h"] = &states.Host{Targets: map[string]*states.Target{
		"codex.x": {Type: "codex", Files: map[string]*states.File{
			"/a/config.toml": {Sum: "s", Backup: "/a/config.toml.hub-backup", Created: true, Items: map[string]*states.Item{
				"model":   {Hash: "h1", Value: "gpt-5", Since: time.Now(), Updated: time.Now().UTC()},
				"list":    {Hash: "h2", Value: []string{"a", "b"}, Since: local, Updated: time.Time{}},
				"json":    {Hash: "h3", Value: map[string]any{"n": 1.5, "i": int64(3), "l": []any{true, nil, "x", map[string]any{}}, "e": []any{}}},
				"int":     {Hash: "h4", Value: 42},
				"typed":   {Hash: "h5", Value: map[string]string{"k": "v"}},
				"secret":  {Hash: "h6", Sensitive: true},
				"nilitem": nil,
			}},
			"/a/none": {Sum: "t"},
		}},
		"claude_code.y": {Type: "claude_code"},
		"nil.target":    nil,
	}}
	var want states.State
	jsonClone(t, st, &want)
	got := st.Clone()
	if !reflect.DeepEqual(got, &want) {
		gb, _ := json.Marshal(got)
		wb, _ := json.Marshal(&want)
		t.Fatalf("Clone differs from the JSON round trip:\n got %s\nwant %s\n%#v\n%#v", gb, wb, got.Hosts["h"].Targets["codex.x"].Files["/a/config.toml"].Items["list"], want.Hosts["h"].Targets["codex.x"].Files["/a/config.toml"].Items["list"])
	}
	// A decoded state (what apply clones) clones to an equal state.
	var decoded states.State
	jsonClone(t, st, &decoded)
	if c := decoded.Clone(); !reflect.DeepEqual(c, &decoded) {
		t.Error("the clone of a decoded state differs from it")
	}
	// Nothing is shared.
	got.Hosts["h"].Targets["codex.x"].Files["/a/config.toml"].Items["json"].Value.(map[string]any)["n"] = 9.0
	got.Hosts["h"].Targets["codex.x"].Files["/a/config.toml"].Items["model"].Hash = "changed"
	got.Hosts["h"].Targets["codex.x"].Files["/a/config.toml"].Items["json"].Value.(map[string]any)["l"].([]any)[0] = false
	got.Shared["telemetry"][2] = 'X'
	delete(got.Hosts["h"].Targets, "claude_code.y")
	var again states.State
	jsonClone(t, st, &again)
	if !reflect.DeepEqual(&again, &want) {
		t.Error("changing the clone changed the original")
	}
	// Host.Clone alone.
	var wantHost states.Host
	jsonClone(t, st.Hosts["h"], &wantHost)
	if !reflect.DeepEqual(st.Hosts["h"].Clone(), &wantHost) {
		t.Error("Host.Clone differs from the JSON round trip")
	}
}

// TestFileStoreSaveChecksStored: Save reads only the stored state's header,
// and refuses what Load refuses: a broken document, a newer format, a
// document without lineage.
func TestFileStoreSaveChecksStored(t *testing.T) {
	p := filepath.Join(t.TempDir(), "state.json")
	store := &states.FileStore{Path: p}
	st := states.New()
	st.Serial = 1
	for doc, want := range map[string]string{
		`{`:                               "parse state",
		`{"version": 99, "lineage": "x"}`: "upgrade hub",
		`{"version": 1, "serial": 4}`:     "no lineage",
		`{"version": 1, "lineage": 5}`:    "parse state",
		`{"version": 1, "lineage": "other", "serial": 3}`: "different state",
	} {
		if err := os.WriteFile(p, []byte(doc), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := store.Save(context.Background(), st); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("save over %s: %v, want %q", doc, err, want)
		}
		if b, _ := os.ReadFile(p); string(b) != doc {
			t.Errorf("save over %s wrote", doc)
		}
	}
}

// TestFileStoreSeen: a store does not parse again the document it last read
// or wrote, but anything else in the file (another run's save, an edit that
// keeps the size) is read afresh, and what it hands out is never shared.
func TestFileStoreSeen(t *testing.T) {
	ctx := context.Background()
	p := filepath.Join(t.TempDir(), "state.json")
	store := &states.FileStore{Path: p}
	st := states.New()
	st.Serial = 1
	st.Host("h").Targets["codex.x"] = &states.Target{Type: "codex", Files: map[string]*states.File{
		"/f": {Sum: "aaaa", Items: map[string]*states.Item{"model": {Hash: "h", Value: []string{"a"}}}}}}
	if err := store.Save(ctx, st); err != nil {
		t.Fatal(err)
	}
	decoded := func() *states.State {
		t.Helper()
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		d, err := states.Decode(b)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	got, err := store.Load(ctx)
	if err != nil || !reflect.DeepEqual(got, decoded()) {
		t.Fatalf("load after save = %+v, %v; want what decoding gives", got, err)
	}
	// Changing what Load returned changes nothing the store holds.
	got.Hosts["h"].Targets["codex.x"].Files["/f"].Sum = "mutated"
	got.Serial = 99
	if again, _ := store.Load(ctx); !reflect.DeepEqual(again, decoded()) {
		t.Fatalf("a change to a loaded state leaked into the store")
	}
	// Another writer replaces the file with a document of the same size.
	other := &states.FileStore{Path: p}
	next, _ := other.Load(ctx)
	next.Serial = 2
	next.Hosts["h"].Targets["codex.x"].Files["/f"].Sum = "bbbb"
	if err := other.Save(ctx, next); err != nil {
		t.Fatal(err)
	}
	if got, _ := store.Load(ctx); got.Serial != 2 || got.Hosts["h"].Targets["codex.x"].Files["/f"].Sum != "bbbb" {
		t.Fatalf("store did not see the other save: %+v", got)
	}
	// And a save from the stale copy is refused.
	st.Serial = 2
	var ce *states.ConflictError
	stale := &states.FileStore{Path: p}
	if err := stale.Save(ctx, st); !errors.As(err, &ce) {
		t.Errorf("stale save: %v", err)
	}
	if err := store.Save(ctx, st); !errors.As(err, &ce) {
		t.Errorf("stale save through the store that saw serial 1: %v", err)
	}
}
