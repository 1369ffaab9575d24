package ccswitch

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/hubctl/hub/internal/ccswitchdb"
)

// SchemaVersion is the newest CC Switch schema (PRAGMA user_version) this
// package knows. Older ones are read when their providers table has the
// columns read here (all of them since version 1).
const SchemaVersion = ccswitchdb.SchemaVersion

// busyTimeout is how long a read waits for CC Switch to finish writing
// (tests shorten it).
var busyTimeout = 2 * time.Second

// dsn is the driver's name for a read-only connection to path (mode=ro: no
// write, and no file created when it is missing) with a busy timeout.
func dsn(path string) (string, error) { return ccswitchdb.DSN(path, false, busyTimeout) }

// openDB opens path read-only.
func openDB(path string) (*sql.DB, error) {
	name, err := dsn(path)
	if err != nil {
		return nil, err
	}
	return sql.Open("sqlite", name)
}

// readDB reads the providers, their endpoints and the universal providers
// of a CC Switch database, in one read transaction.
func readDB(ctx context.Context, path string) (*source, error) {
	db, err := openDB(path)
	if err != nil {
		return nil, dbError(path, err)
	}
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, dbError(path, err)
	}
	defer conn.Close()
	// A deferred transaction: the first read takes the shared lock, and
	// every later one sees the same snapshot.
	if _, err := conn.ExecContext(ctx, "BEGIN"); err != nil {
		return nil, dbError(path, err)
	}
	defer conn.ExecContext(context.Background(), "ROLLBACK") //nolint:errcheck // read only

	var version int64
	if err := conn.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return nil, dbError(path, err)
	}
	if version > SchemaVersion {
		return nil, fmt.Errorf("cc-switch: %s has schema version %d, newer than this hub knows (it reads versions up to %d); update hub", path, version, SchemaVersion)
	}
	tables, err := columns(ctx, conn)
	if err != nil {
		return nil, dbError(path, err)
	}
	cols, ok := tables["providers"]
	if !ok {
		return nil, fmt.Errorf("cc-switch: %s (schema version %d) has no providers table: not a CC Switch database this hub can read (it reads versions up to %d)", path, version, SchemaVersion)
	}
	var missing []string
	for _, c := range []string{"id", "app_type", "name", "settings_config"} {
		if !cols[c] {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("cc-switch: %s (schema version %d) has no column %s in its providers table: too old for this hub, which reads versions up to %d; open it once in a current CC Switch to migrate it", path, version, strings.Join(missing, ", "), SchemaVersion)
	}

	src := &source{}
	if src.providers, err = providers(ctx, conn, cols); err != nil {
		return nil, dbError(path, err)
	}
	if ec := tables["provider_endpoints"]; ec["provider_id"] && ec["app_type"] && ec["url"] {
		if err := endpoints(ctx, conn, src.providers); err != nil {
			return nil, dbError(path, err)
		}
	}
	if sc := tables["settings"]; sc["key"] && sc["value"] {
		var v sql.NullString
		err := conn.QueryRowContext(ctx, "SELECT value FROM settings WHERE key = 'universal_providers'").Scan(&v)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return nil, dbError(path, err)
		case v.Valid:
			src.universal, err = universals([]byte(v.String))
			if err != nil {
				src.warnings = append(src.warnings, fmt.Sprintf("cc-switch universal: not read: the universal_providers setting in %s %s", path, err))
			}
		}
	}
	return src, nil
}

// columns returns each table's columns.
func columns(ctx context.Context, conn *sql.Conn) (map[string]map[string]bool, error) {
	rows, err := conn.QueryContext(ctx, "SELECT m.name, p.name FROM sqlite_master AS m JOIN pragma_table_info(m.name) AS p WHERE m.type = 'table'")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]map[string]bool{}
	for rows.Next() {
		var t, c string
		if err := rows.Scan(&t, &c); err != nil {
			return nil, err
		}
		if out[t] == nil {
			out[t] = map[string]bool{}
		}
		out[t][c] = true
	}
	return out, rows.Err()
}

func providers(ctx context.Context, conn *sql.Conn, cols map[string]bool) ([]provider, error) {
	sel := []string{"id", "app_type", "name", "settings_config"}
	for _, c := range []string{"website_url", "category", "notes", "meta", "sort_index"} {
		if cols[c] {
			sel = append(sel, c)
		} else {
			sel = append(sel, "NULL")
		}
	}
	rows, err := conn.QueryContext(ctx, "SELECT "+strings.Join(sel, ", ")+" FROM providers")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []provider
	for rows.Next() {
		var id, app, name, settings, website, category, notes, meta sql.NullString
		var sort sql.NullInt64
		if err := rows.Scan(&id, &app, &name, &settings, &website, &category, &notes, &meta, &sort); err != nil {
			return nil, err
		}
		p := provider{app: app.String, id: id.String, name: name.String, settings: settings.String,
			website: website.String, category: category.String, notes: notes.String, meta: meta.String, sort: math.MaxInt64}
		if sort.Valid {
			p.sort = sort.Int64
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	sortProviders(out)
	return out, nil
}

func endpoints(ctx context.Context, conn *sql.Conn, ps []provider) error {
	rows, err := conn.QueryContext(ctx, "SELECT provider_id, app_type, url FROM provider_endpoints ORDER BY rowid")
	if err != nil {
		return err
	}
	defer rows.Close()
	index := map[string]int{}
	for i, p := range ps {
		index[p.app+"\x00"+p.id] = i
	}
	for rows.Next() {
		var id, app, u sql.NullString
		if err := rows.Scan(&id, &app, &u); err != nil {
			return err
		}
		if i, ok := index[app.String+"\x00"+id.String]; ok && u.String != "" {
			ps[i].endpoints = append(ps[i].endpoints, u.String)
		}
	}
	return rows.Err()
}

// universals decodes the universal providers' JSON map, in CC Switch's
// order (sort index, then name, then id).
func universals(text []byte) ([]universal, error) {
	var m map[string]universal
	if err := json.Unmarshal(text, &m); err != nil {
		return nil, fmt.Errorf("is not valid JSON%s", jsonPos(text, err))
	}
	var out []universal
	for id, u := range m {
		if u.ID == "" {
			u.ID = id
		}
		out = append(out, u)
	}
	slices.SortFunc(out, func(a, b universal) int {
		sa, sb := int64(math.MaxInt64), int64(math.MaxInt64)
		if a.SortIndex != nil {
			sa = *a.SortIndex
		}
		if b.SortIndex != nil {
			sb = *b.SortIndex
		}
		return cmp.Or(cmp.Compare(sa, sb), cmp.Compare(a.Name, b.Name), cmp.Compare(a.ID, b.ID))
	})
	return out, nil
}

// dbError names the file and says what a SQLite error means for the user.
func dbError(path string, err error) error {
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
			return fmt.Errorf("cc-switch: %s is locked (still busy after %s): CC Switch may be writing to it; try again: %w", path, busyTimeout, err)
		case sqlite3.SQLITE_NOTADB:
			return fmt.Errorf("cc-switch: %s is not a SQLite database: %w", path, err)
		case sqlite3.SQLITE_CORRUPT:
			return fmt.Errorf("cc-switch: %s is corrupted: %w", path, err)
		case sqlite3.SQLITE_CANTOPEN:
			return fmt.Errorf("cc-switch: cannot open %s: %w", path, err)
		}
	}
	return fmt.Errorf("cc-switch: reading %s: %w", path, err)
}
