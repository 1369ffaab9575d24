package ccswitch

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/hubctl/hub/targets/internal/remotedoc"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/hubctl/hub/internal/ccswitchdb"
)

// busyTimeout is how long hub waits for CC Switch to finish a write before
// giving up (a variable for tests).
var busyTimeout = 3 * time.Second

// now is the clock for backup names and created_at (a variable for tests).
var now = time.Now

// columns are the providers columns the document holds: hub owns all but
// the id (the selector); settings_config is decoded JSON.
var columns = []string{"app_type", "name", "category", "notes", "settings_config"}

// Fetch implements targets.Remote: hub's rows of the database at name, in
// one read transaction, as {"providers": [...]} sorted by id.
func (t *Target) Fetch(ctx context.Context, name string) ([]byte, error) {
	if err := exists(name); err != nil {
		return nil, err
	}
	db, err := open(name, false)
	if err != nil {
		return nil, dbError(name, err)
	}
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, dbError(name, err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN"); err != nil {
		return nil, dbError(name, err)
	}
	defer conn.ExecContext(context.Background(), "ROLLBACK") //nolint:errcheck // read only
	if err := checkVersion(ctx, conn, name); err != nil {
		return nil, err
	}
	rows, err := readRows(ctx, conn)
	if err != nil {
		return nil, dbError(name, err)
	}
	return encode(rows)
}

// exists refuses a missing database: CC Switch must create it.
func exists(name string) error {
	fi, err := os.Stat(name)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("cc-switch: %s does not exist: %w", name, errNoDB)
	case err != nil:
		return fmt.Errorf("cc-switch: %w", err)
	case !fi.Mode().IsRegular():
		return fmt.Errorf("cc-switch: %s is not a regular file", name)
	}
	return nil
}

func open(name string, write bool) (*sql.DB, error) {
	dsn, err := ccswitchdb.DSN(name, write, busyTimeout)
	if err != nil {
		return nil, err
	}
	return sql.Open("sqlite", dsn)
}

// checkVersion refuses a schema hub was not tested with.
func checkVersion(ctx context.Context, conn *sql.Conn, name string) error {
	var v int64
	if err := conn.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return dbError(name, err)
	}
	if v != ccswitchdb.SchemaVersion {
		return fmt.Errorf("cc-switch: %s has schema version %d (PRAGMA user_version), and hub writes only to the version it was tested with, %d; nothing was read or written. Update hub (or CC Switch) so they match, or manage this CC Switch by hand",
			name, v, ccswitchdb.SchemaVersion)
	}
	return nil
}

// readRows returns hub's rows: those whose id is RowID(cred, app_type).
func readRows(ctx context.Context, conn *sql.Conn) ([]map[string]any, error) {
	rs, err := conn.QueryContext(ctx, `SELECT id, app_type, name, category, notes, settings_config FROM providers WHERE id LIKE 'hub-%' ORDER BY id, app_type`)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	var out []map[string]any
	for rs.Next() {
		var id, app, name, settings string
		var category, notes sql.NullString
		if err := rs.Scan(&id, &app, &name, &category, &notes, &settings); err != nil {
			return nil, err
		}
		if !hubRow(id, app) {
			continue
		}
		r := map[string]any{"id": id, "app_type": app, "name": name}
		if category.Valid {
			r["category"] = category.String
		}
		if notes.Valid {
			r["notes"] = notes.String
		}
		var sc any
		dec := json.NewDecoder(strings.NewReader(settings))
		dec.UseNumber()
		if err := dec.Decode(&sc); err != nil {
			sc = settings // not JSON: shown as it is
		}
		r["settings_config"] = sc
		out = append(out, r)
	}
	return out, rs.Err()
}

// encode writes the rows as indented JSON with sorted keys: the same rows
// give the same bytes, which Push's check relies on.
func encode(rows []map[string]any) ([]byte, error) {
	if rows == nil {
		rows = []map[string]any{}
	}
	return remotedoc.Encode(map[string]any{"providers": rows})
}

// parse reads a document into rows by id.
func parse(data []byte) (map[string]map[string]any, error) {
	return remotedoc.Records(data, "providers", "id")
}

// change is one row Push writes.
type change struct {
	kind string // insert, update, delete
	id   string
	app  string
	row  map[string]any // after (insert, update)
}

// diff compares the documents: a row of after without a name has lost
// hub's items (its credential left the block) and is deleted.
func diff(before, after map[string]map[string]any) ([]change, error) {
	sorted := remotedoc.IDs(before, after)
	var out []change
	for _, id := range sorted {
		b, inB := before[id]
		a, inA := after[id]
		if inA {
			if _, named := a["name"]; !named {
				inA = false
			}
		}
		switch {
		case inB && !inA:
			app, _ := b["app_type"].(string)
			out = append(out, change{kind: "delete", id: id, app: app})
		case inA:
			app, _ := a["app_type"].(string)
			if !hubRow(id, app) {
				return nil, fmt.Errorf("provider %s has app_type %q, which its id does not end in (a bug in hub)", id, app)
			}
			if inB && same(a, b) {
				continue
			}
			kind := "update"
			if !inB {
				kind = "insert"
			}
			if bApp, _ := b["app_type"].(string); inB && bApp != app {
				return nil, fmt.Errorf("provider %s changes app_type from %q to %q (a bug in hub)", id, bApp, app)
			}
			out = append(out, change{kind: kind, id: id, app: app, row: a})
		}
	}
	return out, nil
}

func same(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}

// Push implements targets.Remote: it makes hub's rows match after, in one
// transaction (BEGIN IMMEDIATE, waiting busyTimeout for CC Switch), only
// while hub's rows are still as before, after a copy of the database the
// first time hub changes it. Nothing is written when any step fails.
func (t *Target) Push(ctx context.Context, name string, before, after []byte) error {
	b, err := parse(before)
	if err != nil {
		return fmt.Errorf("cc-switch: providers of %s as planned: %v (a bug in hub)", name, err)
	}
	a, err := parse(after)
	if err != nil {
		return fmt.Errorf("cc-switch: providers of %s to write: %v (a bug in hub)", name, err)
	}
	changes, err := diff(b, a)
	if err != nil {
		return fmt.Errorf("cc-switch: %s: %w", name, err)
	}
	if len(changes) == 0 {
		return nil
	}
	if err := exists(name); err != nil {
		return err
	}
	db, err := open(name, true)
	if err != nil {
		return dbError(name, err)
	}
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		return dbError(name, err)
	}
	defer conn.Close()
	// IMMEDIATE takes the write lock now (waiting up to busyTimeout), so
	// what is checked below is what the changes apply to.
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		return dbError(name, err)
	}
	committed := false
	defer func() {
		if !committed {
			conn.ExecContext(context.Background(), "ROLLBACK") //nolint:errcheck // the error that got here is the one to report
		}
	}()
	if err := checkVersion(ctx, conn, name); err != nil {
		return err
	}
	rows, err := readRows(ctx, conn)
	if err != nil {
		return dbError(name, err)
	}
	cur, err := encode(rows)
	if err != nil {
		return err
	}
	if !sameDoc(cur, before) {
		return fmt.Errorf("cc-switch: hub's providers in %s changed since the plan (edited in CC Switch?); nothing was written: plan again", name)
	}
	if err := backup(ctx, name); err != nil {
		return err
	}
	for _, c := range changes {
		if err := write(ctx, conn, c); err != nil {
			return dbError(name, fmt.Errorf("%s provider %s (%s): %w", c.kind, c.id, c.app, err))
		}
	}
	if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
		return dbError(name, err)
	}
	committed = true
	return nil
}

// sameDoc compares two documents by their rows, whatever their layout.
func sameDoc(x, y []byte) bool {
	a, err1 := parse(x)
	b, err2 := parse(y)
	return err1 == nil && err2 == nil && same(a, b)
}

func write(ctx context.Context, conn *sql.Conn, c change) error {
	if c.kind == "delete" {
		// provider_endpoints follow by ON DELETE CASCADE (foreign_keys is
		// on); deleted explicitly too, for a database whose key is missing.
		if _, err := conn.ExecContext(ctx, "DELETE FROM provider_endpoints WHERE provider_id = ? AND app_type = ?", c.id, c.app); err != nil {
			return err
		}
		_, err := conn.ExecContext(ctx, "DELETE FROM providers WHERE id = ? AND app_type = ?", c.id, c.app)
		return err
	}
	var settings string
	switch v := c.row["settings_config"].(type) {
	case string:
		settings = v
	case nil:
		settings = "{}"
	default:
		data, err := json.Marshal(v)
		if err != nil {
			return err
		}
		settings = string(data)
	}
	text := func(k string) any {
		if s, ok := c.row[k].(string); ok {
			return s
		}
		return nil
	}
	if c.kind == "insert" {
		_, err := conn.ExecContext(ctx, `INSERT INTO providers (id, app_type, name, settings_config, category, notes, created_at, meta, is_current, in_failover_queue)
			VALUES (?, ?, ?, ?, ?, ?, ?, '{}', 0, 0)`,
			c.id, c.app, text("name"), settings, text("category"), text("notes"), now().UnixMilli())
		return err
	}
	_, err := conn.ExecContext(ctx, `UPDATE providers SET name = ?, settings_config = ?, category = ?, notes = ? WHERE id = ? AND app_type = ?`,
		text("name"), settings, text("category"), text("notes"), c.id, c.app)
	return err
}

// BackupGlob matches the copies hub makes of the database at name.
func BackupGlob(name string) string { return name + ".hub-backup-*" }

// backup copies the database, as the open transaction sees it, to
// name.hub-backup-TIME, unless hub made one before (once per database, as
// for files). VACUUM INTO runs on a second connection: SQLite lets it read
// while this one holds the write lock, and the copy is consistent.
func backup(ctx context.Context, name string) error {
	if prev, _ := filepath.Glob(BackupGlob(name)); len(prev) > 0 {
		return nil
	}
	dst := name + ".hub-backup-" + now().UTC().Format("20060102T150405Z")
	db, err := open(name, false)
	if err != nil {
		return dbError(name, err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, "VACUUM INTO ?", dst); err != nil {
		return fmt.Errorf("cc-switch: backing up %s to %s before changing it: %w; nothing was written", name, dst, err)
	}
	return os.Chmod(dst, 0o600)
}

// dbError names the database and says what a SQLite error means.
func dbError(name string, err error) error {
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
			return fmt.Errorf("cc-switch: %s is locked (still busy after %s): CC Switch or another program is writing to it; nothing was written, try again (or quit CC Switch first): %w", name, busyTimeout, err)
		case sqlite3.SQLITE_NOTADB:
			return fmt.Errorf("cc-switch: %s is not a SQLite database: %w", name, err)
		case sqlite3.SQLITE_CORRUPT:
			return fmt.Errorf("cc-switch: %s is corrupted: %w", name, err)
		case sqlite3.SQLITE_CANTOPEN:
			return fmt.Errorf("cc-switch: cannot open %s: %w", name, err)
		case sqlite3.SQLITE_READONLY:
			return fmt.Errorf("cc-switch: %s is read-only: %w", name, err)
		}
	}
	return fmt.Errorf("cc-switch: %s: %w", name, err)
}
