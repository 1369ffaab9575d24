package main

import (
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"github.com/hubctl/hub/internal/ccswitchdb"
)

// TestCCSwitchTargetCLI: the cc_switch target through the command line,
// on a database made with CC Switch's schema holding a user's own
// provider: apply writes hub's rows (and one backup), a second plan has
// nothing to do, the user's row is untouched, hub import cc-switch reads
// hub's rows back into the same credential, and no key is printed.
func TestCCSwitchTargetCLI(t *testing.T) {
	h := newHubEnv(t)
	db := filepath.Join(h.home, ".cc-switch", "cc-switch.db")
	h.write("home/.cc-switch/.keep", "")
	dsn, err := ccswitchdb.DSN(db, true, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := sql.Open("sqlite", strings.Replace(dsn, "mode=rw", "mode=rwc", 1))
	if err != nil {
		t.Fatal(err)
	}
	for _, stmt := range []string{ccswitchdb.SchemaV17, "PRAGMA user_version = 17",
		`INSERT INTO providers (id, app_type, name, settings_config, category) VALUES ('mine', 'claude', 'Mine', '{"env":{"ANTHROPIC_AUTH_TOKEN":"sk-test-users-own-ccs-01","ANTHROPIC_BASE_URL":"https://own.example.com"}}', 'custom')`} {
		if _, err := conn.Exec(stmt); err != nil {
			t.Fatalf("%v: %.60s", err, stmt)
		}
	}
	conn.Close()
	h.env["RELAY_API_KEY"] = "sk-test-ccswitch-cli-9a8b7c6d"
	h.write("cfg/hub.hcl", `credential "relay" {
  name     = "Relay"
  api_type = "anthropic"
  base_url = "https://relay.example.com"
  api_key  = env("RELAY_API_KEY")
  models   = ["claude-sonnet-4-5"]
}

target "cc_switch" "default" {
  credentials = [credential.relay]
  apps        = ["claude"]
}
`)
	c := &leakChecker{t: t}
	c.check(h.run("plan")).want(t, 0, "restart")
	c.check(h.run("apply", "--auto-approve")).want(t, 0, "Apply complete")
	c.check(h.run("plan", "--detailed-exitcode")).want(t, 0, "No changes")
	backups, _ := filepath.Glob(db + ".hub-backup-*")
	if len(backups) != 1 {
		t.Errorf("backups: %v", backups)
	}
	conn, _ = sql.Open("sqlite", "file:"+db+"?mode=ro")
	defer conn.Close()
	var settings string
	if err := conn.QueryRow("SELECT settings_config FROM providers WHERE id = 'mine'").Scan(&settings); err != nil || !strings.Contains(settings, "sk-test-users-own-ccs-01") {
		t.Errorf("the user's row: %v %q", err, settings)
	}
	var n int
	conn.QueryRow("SELECT count(*) FROM providers WHERE id LIKE 'hub-%'").Scan(&n)
	if n != 1 {
		t.Errorf("hub rows = %d", n)
	}
	r := c.check(h.run("--chdir", filepath.Join(h.root, "other"), "import", "cc-switch", "--dry-run"))
	r.want(t, 0, `base_url = "https://relay.example.com"`)
}
