// Package ccswitchdb holds what both hub's reader of CC Switch's database
// (engine/importer/ccswitch, hub import) and its writer (targets/ccswitch,
// the cc_switch target) must agree on: the schema version they were tested
// with, the schema itself (CC Switch's DDL, for tests), and how to name the
// database to the SQLite driver without ever creating it.
package ccswitchdb

import (
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	_ "modernc.org/sqlite" // the "sqlite" driver
)

// SchemaVersion is the CC Switch schema (PRAGMA user_version) hub was
// tested with: SCHEMA_VERSION in src-tauri/src/database/mod.rs.
const SchemaVersion = 17

// SchemaV17 is CC Switch's DDL (src-tauri/src/database/schema.rs,
// create_tables_on_conn, SCHEMA_VERSION 17) for the tables hub reads and
// writes, written from its facts. Tests create databases with it.
const SchemaV17 = `
CREATE TABLE IF NOT EXISTS providers (
    id TEXT NOT NULL,
    app_type TEXT NOT NULL,
    name TEXT NOT NULL,
    settings_config TEXT NOT NULL,
    website_url TEXT,
    category TEXT,
    created_at INTEGER,
    sort_index INTEGER,
    notes TEXT,
    icon TEXT,
    icon_color TEXT,
    meta TEXT NOT NULL DEFAULT '{}',
    is_current BOOLEAN NOT NULL DEFAULT 0,
    in_failover_queue BOOLEAN NOT NULL DEFAULT 0,
    PRIMARY KEY (id, app_type)
);
CREATE TABLE IF NOT EXISTS provider_endpoints (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    provider_id TEXT NOT NULL,
    app_type TEXT NOT NULL,
    url TEXT NOT NULL,
    added_at INTEGER,
    FOREIGN KEY (provider_id, app_type) REFERENCES providers(id, app_type) ON DELETE CASCADE
);
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT);
CREATE INDEX IF NOT EXISTS idx_providers_failover ON providers(app_type, in_failover_queue, sort_index);
`

// DSN is the driver's name for a connection to the database at path: a
// file: URI, so SQLite applies the mode (ro: no write; rw: writes, but
// never creates a missing file, which CC Switch must create itself), with
// a busy timeout and foreign keys on (so provider_endpoints follow their
// provider as in CC Switch). Not immutable=1, which would read pages
// CC Switch is rewriting as if nothing changed.
func DSN(path string, write bool, busy time.Duration) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	p := filepath.ToSlash(abs)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // C:/... on Windows
	}
	u := url.URL{Scheme: "file", Path: p}
	q := url.Values{}
	q.Set("mode", "ro")
	if write {
		q.Set("mode", "rw")
	}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busy.Milliseconds()))
	q.Add("_pragma", "foreign_keys(1)")
	return u.String() + "?" + q.Encode(), nil
}
