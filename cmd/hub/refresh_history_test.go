package main

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/hubctl/hub/engine/telemetry"
	"github.com/hubctl/hub/providers/fakerelay"
)

// TestRefreshHistoryRetentionAndRename: hub refresh keeps the series as the
// hub block's history { retention } says (a removed credential's series
// pruned once its last point is older), and a credential renamed in the
// configuration keeps its series.
func TestRefreshHistoryRetentionAndRename(t *testing.T) {
	const key = "sk-test-histret-0a1b2c3d4e5f"
	srv := fakerelay.New(fakerelay.NewAPI, &fakerelay.Key{Value: key, Models: []string{"gpt-4o"}, QuotaRemain: 1000000})
	defer srv.Close()
	h := newHubEnv(t)
	h.env["RELAY_API_KEY"] = key
	cred := func(id string) string {
		return `credential "` + id + `" {
  api_type = "openai-compatible"
  base_url = "` + srv.URL + `"
  api_key  = env("RELAY_API_KEY")
}
`
	}
	h.write("cfg/hub.hcl", cred("relay"))
	h.run("refresh").want(t, 0, "relay")

	// Two credentials removed earlier: one last refreshed 40 days ago,
	// one 10 days ago.
	dir := filepath.Join(h.cfg, ".hub", "history")
	for id, ago := range map[string]int{"old": 40, "recent": 10} {
		s := &telemetry.Series{APIType: "openai", BaseURL: "https://api.openai.com/v1", KeyHash: "x"}
		at := time.Now().AddDate(0, 0, -ago)
		s.Add(telemetry.Point{At: at, Health: telemetry.Healthy}, at, time.Local, telemetry.Retention)
		if err := telemetry.StoreSeries(dir, id, s); err != nil {
			t.Fatal(err)
		}
	}
	// The default year keeps both.
	h.run("refresh").want(t, 0, "relay")
	if ids, _ := telemetry.SeriesIDs(dir); len(ids) != 3 {
		t.Fatalf("series within the default retention: %v", ids)
	}

	h.write("cfg/hub.hcl", "hub {\n  history { retention = \"30d\" }\n}\n"+cred("relay-cn"))
	h.run("refresh").want(t, 0, "relay-cn")
	ids, _ := telemetry.SeriesIDs(dir)
	if len(ids) != 2 || ids[0] != "recent" || ids[1] != "relay-cn" {
		t.Fatalf("series after a refresh with retention 30d and relay renamed relay-cn: %v", ids)
	}
	s, err := telemetry.LoadSeries(context.Background(), dir, "relay-cn")
	if err != nil || s == nil || len(s.Recent) != 3 {
		t.Fatalf("relay-cn's series (%v): %+v, want relay's two refreshes and its own", err, s)
	}

	h.write("cfg/hub.hcl", "hub {\n  history { retention = \"1y\" }\n}\n"+cred("relay-cn"))
	h.run("refresh").want(t, 1, `retention = "1y" is not a number of days like "90d"`, "hub.hcl:2")
}
