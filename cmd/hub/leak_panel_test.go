package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hubctl/hub/targets/newapichannels/fakepanel"
)

// TestPanelLeaksNoToken: a newapi_channels block's admin access token and
// the channels' keys appear in no output of any command (plans, apply,
// drift, verify --channels, state, JSON forms, errors) and in no file hub
// writes (state, saved plan).
func TestPanelLeaksNoToken(t *testing.T) {
	const token = "panelTokenLEAKCANARYabcdef0123456"
	p := fakepanel.New(fakepanel.User{ID: 1, Username: "root", Role: fakepanel.RoleRoot, Token: token})
	defer p.Close()
	h := newHubEnv(t)
	h.env["NEWAPI_TOKEN"] = token
	h.env["RELAY_API_KEY"] = canary
	h.write("cfg/hub.hcl", `credential "relay" {
  api_type = "openai-compatible"
  base_url = "https://relay.example.com"
  api_key  = env("RELAY_API_KEY")
  models   = ["gpt-4o"]
}

target "newapi_channels" "mine" {
  url          = "`+p.URL+`"
  access_token = env("NEWAPI_TOKEN")
  credentials  = [credential.relay]
}
`)
	c := &leakChecker{t: t}
	check := func(r runResult) runResult {
		t.Helper()
		c.check(r)
		for _, s := range []string{token, "LEAKCANARY"} {
			if strings.Contains(r.stdout+r.stderr, s) {
				t.Errorf("LEAK: %q printed by:\n%s", s, r)
			}
		}
		return r
	}
	plan := filepath.Join(h.root, "p.plan")
	check(h.run("plan", "--out", plan)).want(t, 0, "(sensitive value)")
	check(h.run("plan", "--json")).want(t, 0, "planned_change")
	check(h.run("apply", plan)).want(t, 0, "Apply complete")
	p.TestFailures = map[string]string{"relay": "upstream says: bad key " + canary}
	check(h.run("verify", "--channels"))
	check(h.run("verify", "--channels", "--json"))
	p.Edit(p.Channels()[0].ID, func(ch *fakepanel.Channel) { ch.Models = "gpt-x" })
	check(h.run("plan")).want(t, 0, "changed outside hub")
	check(h.run("state", "show", "newapi_channels.mine")).want(t, 0, "(sensitive value)")
	h.env["NEWAPI_TOKEN"] = token + "x"
	check(h.run("plan")).want(t, 1, "refused the access token")
	err := filepath.WalkDir(h.root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, s := range []string{token, "LEAKCANARY"} {
			if strings.Contains(string(b), s) {
				t.Errorf("LEAK: %s holds %q", path, s)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
