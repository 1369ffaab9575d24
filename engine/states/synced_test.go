package states_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/hubctl/hub/engine/states"
	"github.com/hubctl/hub/engine/system"
)

// memStore is a remote for tests: one document in memory.
type memStore struct{ doc *states.State }

func (m *memStore) Describe() string { return "mem://remote" }
func (m *memStore) Load(context.Context) (*states.State, error) {
	if m.doc == nil {
		return states.New(), nil
	}
	return m.doc.Clone(), nil
}
func (m *memStore) Save(_ context.Context, s *states.State) error {
	if m.doc != nil && (m.doc.Lineage != s.Lineage || m.doc.Serial != s.Serial-1) {
		return &states.ConflictError{Where: "mem", WantLineage: s.Lineage, HaveLineage: m.doc.Lineage}
	}
	m.doc = s.Clone()
	return nil
}
func (m *memStore) ForcePush(_ context.Context, s *states.State) error { m.doc = s.Clone(); return nil }

func TestSyncedSafety(t *testing.T) {
	ctx := context.Background()
	remote := &memStore{}
	s := &states.Synced{Remote: remote, Cache: filepath.Join(t.TempDir(), "cache.json"), Sys: system.OS{}}

	// First use: empty remote, no local copy: a new state.
	st, err := s.Load(ctx)
	if err != nil || st.Serial != 0 {
		t.Fatalf("first load = %+v, %v", st, err)
	}
	st.Host("laptop")
	st.Serial = 1
	if err := s.Save(ctx, st); err != nil {
		t.Fatal(err)
	}
	if c, err := s.Cached(); err != nil || c.Serial != 1 {
		t.Fatalf("cache = %+v, %v", c, err)
	}

	// The remote is wiped: refused, never taken as "delete everything".
	remote.doc = nil
	if _, err := s.Load(ctx); !errors.Is(err, states.ErrRemoteEmpty) {
		t.Errorf("wiped remote: %v", err)
	}
	// push puts this machine's copy back.
	if _, err := s.Push(ctx); err != nil || remote.doc.Serial != 1 {
		t.Fatalf("push: %v", err)
	}
	if _, err := s.Load(ctx); err != nil {
		t.Errorf("after push: %v", err)
	}

	// Another state appears on the remote: refused until pull.
	foreign := states.New()
	foreign.Serial = 7
	remote.doc = foreign
	if _, err := s.Load(ctx); !errors.Is(err, states.ErrForeignLineage) {
		t.Errorf("foreign lineage: %v", err)
	}
	pulled, err := s.Pull(ctx)
	if err != nil || pulled.Lineage != foreign.Lineage {
		t.Fatalf("pull: %v", err)
	}
	if st, err := s.Load(ctx); err != nil || st.Serial != 7 {
		t.Errorf("after pull: %+v, %v", st, err)
	}
}
