package main

import (
	"context"
	"testing"

	"github.com/hubctl/hub/engine/states"
	"github.com/hubctl/hub/engine/states/statestest"
)

// The registry line of the test-only "memory" state backend: hub knows it
// here without a change to engine/config or cmd/hub.
func init() { statestest.RegisterMemoryBackend() }

// TestMemoryBackend: a backend registered from outside carries apply,
// plan, the lock and hub state unlock, with the local copy a remote state
// has.
func TestMemoryBackend(t *testing.T) {
	h := newHubEnv(t)
	h.env["RELAY_API_KEY"] = "sk-test-memory-0103"
	h.write("cfg/hub.hcl", basicHCL+`
hub {
  state "memory" {
    name         = "cmd-TestMemoryBackend"
    lock_timeout = "0s"
  }
}
`)
	h.run("apply", "--auto-approve").want(t, 0, "Apply complete!")
	mem := statestest.MemoryNamed("cmd-TestMemoryBackend")
	data, writes := mem.Bytes()
	st, err := states.Decode(data)
	if err != nil || writes != 1 || st.Serial != 1 || len(st.Host("testhost").Targets) != 2 {
		t.Fatalf("the backend holds (%d writes, %v): %s", writes, err, data)
	}
	if !h.exists("cfg/.hub/state-cache.json") || h.exists("cfg/.hub/state.json") {
		t.Error("the state is not kept as a remote one, with a local copy")
	}
	h.run("plan", "--detailed-exitcode").want(t, 0, "No changes")

	// A run that died left its lock.
	if _, err := mem.Lock(context.Background(), states.LockInfo{ID: "dead-run-9", Operation: "apply", Who: "ghost@laptop"}); err != nil {
		t.Fatal(err)
	}
	h.env["RELAY_API_KEY"] = "sk-test-memory-0104"
	h.run("apply", "--auto-approve").want(t, 1, "memory://cmd-TestMemoryBackend is locked", "dead-run-9", "hub state unlock")
	h.run("state", "unlock", "dead-run-9").want(t, 0, "Removed lock dead-run-9 from memory://cmd-TestMemoryBackend")
	h.run("apply", "--auto-approve").want(t, 0, "Apply complete!")
	if _, writes := mem.Bytes(); writes != 2 {
		t.Errorf("the changed key was saved %d times, want once more", writes-1)
	}
}
