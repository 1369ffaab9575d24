package states_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/hubctl/hub/engine/states"
)

func withTarget(s *states.State, host, addr string) *states.State {
	c := s.Clone()
	c.Host(host).Targets[addr] = &states.Target{Type: "codex", Files: map[string]*states.File{}}
	return c
}

func TestMergeDisjointHosts(t *testing.T) {
	base := states.New()
	base.Serial = 3
	next := withTarget(base, "laptop", "codex.a")
	next.Serial = 4
	remote := withTarget(base, "desktop", "codex.b") // desktop saved meanwhile
	remote.Serial = 4
	got, err := states.Merge(base, next, remote, "laptop", "dav")
	if err != nil {
		t.Fatal(err)
	}
	if got.Serial != 5 || got.Hosts["laptop"].Targets["codex.a"] == nil || got.Hosts["desktop"].Targets["codex.b"] == nil {
		t.Fatalf("merged = %+v", got)
	}
}

func TestMergeRefusesRealConflicts(t *testing.T) {
	base := withTarget(states.New(), "laptop", "codex.a")
	var ce *states.ConflictError

	// Another run with the same host id changed this host's section.
	remote := withTarget(base, "laptop", "codex.z")
	if _, err := states.Merge(base, withTarget(base, "laptop", "codex.b"), remote, "laptop", "dav"); !errors.As(err, &ce) || ce.Section != "host laptop" {
		t.Errorf("same host: %v", err)
	}
	// A different lineage is never merged.
	if _, err := states.Merge(base, base, states.New(), "laptop", "dav"); !errors.As(err, &ce) || ce.Section != "" {
		t.Errorf("foreign lineage: %v", err)
	}
	// Both changed the same shared section.
	next := base.Clone()
	next.Shared = map[string]json.RawMessage{"credentials": json.RawMessage(`{"a":1}`)}
	remote = base.Clone()
	remote.Shared = map[string]json.RawMessage{"credentials": json.RawMessage(`{"a":2}`)}
	if _, err := states.Merge(base, next, remote, "laptop", "dav"); !errors.As(err, &ce) || ce.Section != "shared credentials" {
		t.Errorf("shared: %v", err)
	}
	// Only the other side changed shared: kept.
	got, err := states.Merge(base, withTarget(base, "laptop", "codex.b"), remote, "laptop", "dav")
	if err != nil || string(got.Shared["credentials"]) != `{"a":2}` {
		t.Errorf("shared kept: %v %s", err, got.Shared["credentials"])
	}
}
