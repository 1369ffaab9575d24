package ccswitch

import (
	"database/sql"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/hubctl/hub/internal/ccswitchdb"
)

// schemaV17 is CC Switch's DDL at SCHEMA_VERSION 17, shared with the
// cc_switch target's tests.
const schemaV17 = ccswitchdb.SchemaV17

// row is one providers row as CC Switch writes it.
type row struct {
	id, app, name string
	settings      any // marshalled to JSON unless a string
	website       string
	category      string
	notes         string
	meta          string
	sort          int64
	endpoints     []string
}

// newDB creates path (read-write, as CC Switch does) with the real DDL at
// the given schema version, holding rows and, when non-nil, the universal
// providers.
func newDB(t *testing.T, path string, version int, rows []row, universal any) {
	t.Helper()
	db, err := sql.Open("sqlite", path+"?_pragma=foreign_keys(1)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := db.Exec(q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	exec(schemaV17)
	exec("PRAGMA user_version = " + itoa(version))
	for i, r := range rows {
		settings, ok := r.settings.(string)
		if !ok {
			b, err := json.Marshal(r.settings)
			if err != nil {
				t.Fatal(err)
			}
			settings = string(b)
		}
		meta := r.meta
		if meta == "" {
			meta = "{}"
		}
		exec(`INSERT INTO providers (id, app_type, name, settings_config, website_url, category,
			created_at, sort_index, notes, icon, icon_color, meta, is_current, in_failover_queue)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, ?, 0, 0)`,
			r.id, r.app, r.name, settings, nullable(r.website), nullable(r.category),
			1760000000000+int64(i), r.sort, nullable(r.notes), meta)
		for j, ep := range r.endpoints {
			exec(`INSERT INTO provider_endpoints (provider_id, app_type, url, added_at) VALUES (?, ?, ?, ?)`,
				r.id, r.app, ep, 1760000000000+int64(j))
		}
	}
	if universal != nil {
		b, err := json.Marshal(universal)
		if err != nil {
			t.Fatal(err)
		}
		exec(`INSERT OR REPLACE INTO settings (key, value) VALUES ('universal_providers', ?)`, string(b))
	}
	exec(`INSERT OR REPLACE INTO settings (key, value) VALUES ('official_providers_seeded', 'true')`)
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

func dbPath(t *testing.T) string { return filepath.Join(t.TempDir(), "cc-switch.db") }

// openRW opens path read-write, as CC Switch does (creating it if missing).
func openRW(path string) (*sql.DB, error) { return sql.Open("sqlite", path) }
