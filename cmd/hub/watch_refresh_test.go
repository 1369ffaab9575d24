package main

import (
	"strings"
	"testing"
	"time"

	"github.com/hubctl/hub/providers/fakerelay"
)

// TestWatchRefreshEvery: with --refresh-every, watch refreshes telemetry on
// schedule; models it finds reach a target that names no model (the file is
// rewritten), a change of the upstream's models is followed, and a key that
// stops working is reported once.
func TestWatchRefreshEvery(t *testing.T) {
	const key = "sk-test-watch-refresh-01"
	srv := fakerelay.New(fakerelay.NewAPI, &fakerelay.Key{Value: key, Models: []string{"gpt-4o", "claude-sonnet-4-5"}, QuotaRemain: 1000000})
	defer srv.Close()
	h := newHubEnv(t)
	h.env["RELAY_API_KEY"] = key
	h.env["RELAY_URL"] = srv.URL
	h.write("cfg/hub.hcl", `credential "relay" {
  api_type = "openai-compatible"
  base_url = env("RELAY_URL")
  api_key  = env("RELAY_API_KEY")
}

target "claude_code" "default" {
  credential = credential.relay
}
`)
	settings := "home/.claude/settings.json"
	has := func(s string) func() bool {
		return func() bool { return strings.Contains(h.read(settings), s) }
	}
	r := startWatchFlags(t, h, watchFlags{debounce: 20 * time.Millisecond, onDrift: "warn", refreshEvery: 100 * time.Millisecond})
	r.until("the first apply", has("ANTHROPIC_BASE_URL"))
	if strings.Contains(h.read(settings), "ANTHROPIC_MODEL") {
		t.Fatalf("a model before any refresh:\n%s", h.read(settings))
	}
	r.until("the refreshed model in the file", has(`"ANTHROPIC_MODEL": "claude-sonnet-4-5"`))
	eventually(t, "the refresh line", func() bool { return strings.Contains(r.out.String(), "hub: refreshed 1 credential: 1 healthy") })

	// The upstream serves another model first: the target follows.
	srv.AddKey(&fakerelay.Key{Value: key, Models: []string{"claude-opus-4-1", "gpt-4o"}, QuotaRemain: 1000000})
	r.until("the new model", has(`"ANTHROPIC_MODEL": "claude-opus-4-1"`))

	// The key is disabled: reported (once), the file keeps its model.
	srv.AddKey(&fakerelay.Key{Value: key, Fault: fakerelay.FaultDisabled})
	eventually(t, "the health warning", func() bool { return strings.Contains(r.errb.String(), "relay: error: invalid key") })
	n0 := strings.Count(r.out.String(), "hub: refreshed ")
	eventually(t, "three more refreshes", func() bool { return strings.Count(r.out.String(), "hub: refreshed ") >= n0+3 })
	if n := strings.Count(r.errb.String(), "relay: error"); n != 1 {
		t.Errorf("health change reported %d times:\n%s", n, r.errb)
	}
	if !has(`"ANTHROPIC_MODEL": "claude-opus-4-1"`)() {
		t.Errorf("a failed refresh changed the model:\n%s", h.read(settings))
	}
	r.stop()
	// The lock is free after the stop.
	h.run("apply", "--auto-approve").want(t, 0, "")
	if strings.Contains(r.out.String()+r.errb.String(), key) {
		t.Error("LEAK: the key in watch's output")
	}
}

// eventually polls cond, for what happens between watch rounds (refreshes).
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
