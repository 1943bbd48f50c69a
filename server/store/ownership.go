package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"gorm.io/gorm"
)

// A database hookflow did not create is refused before anything is written to it: pointing
// --data-dir or --database-url at another application's data must not alter that data.
//
// hookflow's marks: every database it prepared has its migration 1 recorded, and a
// SQLite file also carries the application id below in its header (`PRAGMA application_id`,
// shown by `file`). Files of releases from before the application id have the migration and are
// marked on their first open.

// applicationID is "hkfl" in the SQLite header.
const applicationID = 0x686b666c

// ErrForeignDatabase is returned by Open for a database that holds another application's tables.
var ErrForeignDatabase = errors.New("not a hookflow database")

// ForeignDatabaseError says which database was refused and what it holds.
type ForeignDatabaseError struct {
	Where  string   // the SQLite file, or the PostgreSQL database without its password
	Tables []string // what is in it (the first few), empty when it is not SQLite at all
	Hint   string   // what to do instead
}

func (e *ForeignDatabaseError) Error() string {
	what := "it is not a SQLite database"
	if len(e.Tables) > 0 {
		what = "it has tables " + listTables(e.Tables)
	}
	return fmt.Sprintf("%s is not a hookflow database (%s); %s", e.Where, what, e.Hint)
}

func (e *ForeignDatabaseError) Unwrap() error { return ErrForeignDatabase }

func listTables(names []string) string {
	const show = 5
	if len(names) <= show {
		return strings.Join(names, ", ")
	}
	return strings.Join(names[:show], ", ") + fmt.Sprintf(" and %d more", len(names)-show)
}

// sqlitePath is where openSQLite keeps the database.
func sqlitePath(opts Options) string {
	dir := opts.DataDir
	if dir == "" {
		dir = "data"
	}
	return filepath.Join(dir, "hookflow.db")
}

// refuseForeignSQLite reads (read-only) an existing database file and refuses it unless it is
// empty or hookflow's.
func refuseForeignSQLite(ctx context.Context, path string) error {
	info, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("reading %s: %w", path, err)
	}
	if info.Size() == 0 {
		return nil
	}
	foreign := &ForeignDatabaseError{Where: path, Hint: "move it away or point --data-dir elsewhere"}
	db, err := sql.Open("sqlite3", "file:"+path+"?mode=ro&_busy_timeout=10000")
	if err != nil {
		return fmt.Errorf("opening %s: %w", path, err)
	}
	defer db.Close()
	var id int64
	if err := db.QueryRowContext(ctx, "PRAGMA application_id").Scan(&id); err != nil {
		if strings.Contains(err.Error(), "not a database") {
			return foreign
		}
		return fmt.Errorf("opening %s: %w", path, err)
	}
	if id == applicationID {
		return nil
	}
	tables, err := queryNames(ctx, db, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
	if err != nil {
		return fmt.Errorf("reading %s: %w", path, err)
	}
	if len(tables) == 0 || madeByHookflow(ctx, db) {
		return nil
	}
	foreign.Tables = tables
	return foreign
}

// refuseForeignPostgres refuses a PostgreSQL schema that has tables but not hookflow's.
func (s *Store) refuseForeignPostgres(ctx context.Context, dsn string) error {
	db, err := s.write.DB()
	if err != nil {
		return err
	}
	tables, err := queryNames(ctx, db, "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name")
	if err != nil {
		return fmt.Errorf("reading the PostgreSQL database: %w", err)
	}
	if len(tables) == 0 || madeByHookflow(ctx, db) {
		return nil
	}
	where := "the PostgreSQL database"
	if u, err := url.Parse(dsn); err == nil {
		u.User = nil
		u.RawQuery = ""
		where += " " + u.String()
	}
	return &ForeignDatabaseError{Where: where, Tables: tables, Hint: "give hookflow an empty database of its own in --database-url"}
}

// madeByHookflow reports whether hookflow's first migration is recorded: in its goose table, or
// in the table of the releases before goose (another application's schema_migrations has other
// columns or other rows).
func madeByHookflow(ctx context.Context, db *sql.DB) bool {
	var applied bool
	if err := db.QueryRowContext(ctx, "SELECT is_applied FROM "+migrationsTable+" WHERE version_id = 1").Scan(&applied); err == nil && applied {
		return true
	}
	var name string
	err := db.QueryRowContext(ctx, "SELECT name FROM "+legacyMigrationsTable+" WHERE version = 1").Scan(&name)
	return err == nil && name == "initial tables"
}

func queryNames(ctx context.Context, db *sql.DB, query string) ([]string, error) {
	rows, err := db.QueryContext(ctx, query)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// markSQLite writes hookflow's application id into the file's header once it is prepared.
func markSQLite(db *gorm.DB) error {
	var id int64
	if err := db.Raw("PRAGMA application_id").Scan(&id).Error; err != nil || id == applicationID {
		return err
	}
	return db.Exec(fmt.Sprintf("PRAGMA application_id = %d", applicationID)).Error
}

// claim prepares a database Open connected to: it refuses another application's PostgreSQL
// schema (a SQLite file was checked before it was opened), migrates, and marks a SQLite file.
func (s *Store) claim(ctx context.Context, opts Options) error {
	if s.dialect == "postgres" {
		if err := s.refuseForeignPostgres(ctx, opts.DatabaseURL); err != nil {
			return err
		}
	}
	if err := s.migrate(ctx); err != nil {
		return fmt.Errorf("preparing the database: %w", err)
	}
	if s.dialect == "sqlite" {
		if err := markSQLite(s.Write(ctx)); err != nil {
			return fmt.Errorf("marking the database as hookflow's: %w", err)
		}
	}
	return nil
}
