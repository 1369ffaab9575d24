package states_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/hubctl/hub/engine/states"
)

// racing is a store where another host saves right after this one's first
// load: the write every read-modify-write must survive.
type racing struct {
	states.Store
	loads int
	other func(*states.State)
}

func (r *racing) Load(ctx context.Context) (*states.State, error) {
	st, err := r.Store.Load(ctx)
	r.loads++
	if err == nil && r.loads == 1 {
		o := st.Clone()
		r.other(o)
		o.Serial++
		if err := r.Store.Save(ctx, o); err != nil {
			return nil, err
		}
	}
	return st, err
}

func seeded(t *testing.T) *states.FileStore {
	t.Helper()
	fs := &states.FileStore{Path: filepath.Join(t.TempDir(), "state.json")}
	st := states.New()
	st.Serial = 1
	if err := fs.Save(context.Background(), st); err != nil {
		t.Fatal(err)
	}
	return fs
}

// Update redoes the change on the newest state when another host saved in
// between, so both writes stay.
func TestUpdateRedoesAfterAnotherSave(t *testing.T) {
	store := &racing{Store: seeded(t), other: func(s *states.State) {
		s.Shared = map[string]json.RawMessage{"theirs": json.RawMessage(`1`)}
	}}
	calls := 0
	st, err := states.Update(context.Background(), store, func(s *states.State) error {
		calls++
		if s.Shared == nil {
			s.Shared = map[string]json.RawMessage{}
		}
		s.Shared["mine"] = json.RawMessage(`2`)
		return nil
	})
	if err != nil || calls != 2 {
		t.Fatalf("err = %v, change ran %d times", err, calls)
	}
	got, _ := store.Store.Load(context.Background())
	if string(got.Shared["theirs"]) != "1" || string(got.Shared["mine"]) != "2" || got.Serial != 3 || st.Serial != 3 {
		t.Fatalf("stored %v serial %d", got.Shared, got.Serial)
	}
	// Unchanged: nothing saved.
	if _, err := states.Update(context.Background(), store.Store, func(*states.State) error { return states.ErrUnchanged }); err != nil {
		t.Fatal(err)
	}
	if got, _ := store.Store.Load(context.Background()); got.Serial != 3 {
		t.Fatalf("an unchanged update saved: serial %d", got.Serial)
	}
	// Another error stops it.
	boom := errors.New("boom")
	if _, err := states.Update(context.Background(), store.Store, func(*states.State) error { return boom }); !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
}

// SaveMerged lays this host's section over another host's save; a change
// to the same section is refused as a conflict.
func TestSaveMerged(t *testing.T) {
	fs := seeded(t)
	base, _ := fs.Load(context.Background())
	other := base.Clone()
	other.Host("h2").Targets["codex.x"] = &states.Target{Type: "codex"}
	other.Serial++
	if err := fs.Save(context.Background(), other); err != nil {
		t.Fatal(err)
	}
	next := base.Clone()
	next.Host("h1").Targets["claude_code.y"] = &states.Target{Type: "claude_code"}
	next.Serial++
	if err := states.SaveMerged(context.Background(), fs, base, next, "h1"); err != nil {
		t.Fatal(err)
	}
	got, _ := fs.Load(context.Background())
	if got.Hosts["h1"] == nil || got.Hosts["h2"] == nil || got.Serial != 3 {
		t.Fatalf("merged: %v serial %d", got.Hosts, got.Serial)
	}
	// Now h1's own section changes under it: a real conflict.
	base = got
	mine := base.Clone()
	mine.Host("h1").Targets["codex.z"] = &states.Target{Type: "codex"}
	mine.Serial++
	theirs := base.Clone()
	delete(theirs.Hosts, "h1")
	theirs.Serial++
	if err := fs.Save(context.Background(), theirs); err != nil {
		t.Fatal(err)
	}
	var ce *states.ConflictError
	if err := states.SaveMerged(context.Background(), fs, base, mine, "h1"); !errors.As(err, &ce) || ce.Section != "host h1" {
		t.Fatalf("err = %v", err)
	}
}

// A save removes what a killed save left beside the state file.
func TestFileStoreSaveRemovesOrphans(t *testing.T) {
	fs := seeded(t)
	orphan := filepath.Join(filepath.Dir(fs.Path), ".state.json.hub-tmp-77")
	if err := os.WriteFile(orphan, []byte("{"), 0o600); err != nil {
		t.Fatal(err)
	}
	st, _ := fs.Load(context.Background())
	st.Serial++
	if err := fs.Save(context.Background(), st); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(orphan); err == nil {
		t.Fatal("the orphan temporary file of a killed save is still there")
	}
}
