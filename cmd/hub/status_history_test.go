package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hubctl/hub/credential"
	"github.com/hubctl/hub/engine/config"
	"github.com/hubctl/hub/engine/states"
	"github.com/hubctl/hub/engine/telemetry"
	"github.com/hubctl/hub/providers/fakerelay"
)

// TestStatusBalanceTrend: hub refresh keeps each credential's balance by
// day in .hub/history.json (not in the state a plan reads), and hub status
// draws the last 30 days as a sparkline (--since another window), with the
// days in --json. No key in the history.
func TestStatusBalanceTrend(t *testing.T) {
	const key = "sk-test-trend-0a1b2c3d4e5f"
	srv := fakerelay.New(fakerelay.NewAPI, &fakerelay.Key{Value: key, Models: []string{"gpt-4o"}, QuotaRemain: 1000000})
	defer srv.Close()
	h := newHubEnv(t)
	h.env["RELAY_API_KEY"] = key
	h.write("cfg/hub.hcl", `credential "relay" {
  api_type = "openai-compatible"
  base_url = "`+srv.URL+`"
  api_key  = env("RELAY_API_KEY")
}
`)
	h.run("refresh").want(t, 0, "relay")
	r := h.run("status")
	r.want(t, 0, "relay")
	if strings.Contains(r.stdout, "30D") {
		t.Errorf("one day drawn as a trend:\n%s", r.stdout)
	}

	// Earlier days, as refreshes on them would have left them.
	path := filepath.Join(h.cfg, ".hub", "history", "relay.hist")
	raw, err := os.ReadFile(path)
	if err != nil || strings.Contains(string(raw), key) || strings.Contains(string(raw), key[:12]) {
		t.Fatalf("history: %v (or it holds the key)", err)
	}
	stb, _ := os.ReadFile(filepath.Join(h.cfg, ".hub", "state.json"))
	st, err := states.Decode(stb)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(stb), `"history/`) || strings.Contains(string(stb), `"recent"`) {
		t.Error("the state holds the history")
	}
	dir := filepath.Dir(path)
	s, _ := telemetry.LoadSeries(context.Background(), dir, "relay")
	if s == nil || !s.Matches(mustCred(t, h), st.SaltBytes()) {
		t.Fatalf("no series for relay: %+v", s)
	}
	now := time.Now()
	for d := 20; d >= 1; d-- {
		bal, cost, reqs := 2+float64(d)/2, 0.5, int64(10)
		at := now.AddDate(0, 0, -d)
		p := telemetry.Point{At: at, Balance: &bal, Cost: &cost, Requests: &reqs, Health: telemetry.Healthy}
		if d == 5 {
			p.Health, p.Reason = telemetry.Error, "quota exhausted: the key's quota is used up"
		}
		s.Add(p, now, time.Local, telemetry.Retention)
	}
	if err := telemetry.StoreSeries(dir, "relay", s); err != nil {
		t.Fatal(err)
	}
	r = h.run("status")
	r.want(t, 0, "30D")
	if !strings.ContainsAny(r.stdout, "▁▂▃▄▅▆▇█") {
		t.Errorf("no sparkline:\n%s", r.stdout)
	}
	h.run("status", "--since", "7d").want(t, 0, "7D")
	// A narrow terminal: the trend column goes, the table stays.
	r = h.runStreams(streams{outTerminal: true, width: 90}, "", "status")
	r.want(t, 0, "relay")
	if strings.Contains(r.stdout, "30D") {
		t.Errorf("the trend on a narrow terminal:\n%s", r.stdout)
	}
	r = h.run("status", "--history")
	r.want(t, 0, "balance   ", "cost/day  ", "$10.00 in all", "requests  ", "200 in all",
		"error: quota exhausted: the key's quota is used up", now.AddDate(0, 0, -4).Format(time.DateOnly)+" healthy")
	t.Logf("%s", r.stdout)
	h.run("status", "--history", "--json").want(t, 0, `"type":"status_history"`, `"reason":"quota exhausted`)
	h.run("status", "--since", "1d").want(t, 1, "from 2 to 366")
	h.run("status", "--json").want(t, 0, `"balance_history":[{"balance":12,"day":"`+now.AddDate(0, 0, -20).Format(time.DateOnly))
}

// mustCred loads h's configuration and returns its credential relay.
func mustCred(t *testing.T, h *hubEnv) *credential.Credential {
	t.Helper()
	cfg, diags := config.Load(config.Options{Dir: h.cfg, Env: h.env})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	return cfg.Credentials["relay"]
}
