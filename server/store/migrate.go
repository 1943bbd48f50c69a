package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"log/slog"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

// The schema is changed only by migrations, each frozen as written (see migrations/README.md):
// version 1 is the first release's schema, later versions are numbered SQL files per database.
// goose records them in migrationsTable and, on PostgreSQL, holds an advisory lock while it
// works, so processes starting together migrate once.

// migrationsTable keeps the applied versions; its name is hookflow's own, so that another
// application's goose table is not taken for ours (see madeByHookflow).
const migrationsTable = "hookflow_migrations"

// legacyMigrationsTable is where releases before goose counted their migrations (1 to 4).
const legacyMigrationsTable = "schema_migrations"

//go:embed schema/*.sql
var baselineFiles embed.FS

//go:embed migrations
var migrationFiles embed.FS

// baseline is version 1: it creates the first release's schema on a new database, and adopts a
// database made by a release before goose (its own migrations table says how far it got).
func baseline(dialect string) *goose.Migration {
	return goose.NewGoMigration(1, &goose.GoFunc{RunTx: func(ctx context.Context, tx *sql.Tx) error {
		legacy, err := legacyVersion(ctx, tx, dialect)
		if err != nil {
			return err
		}
		switch legacy {
		case 0:
			ddl, err := baselineFiles.ReadFile("schema/release_1_" + dialect + ".sql")
			if err != nil {
				return err
			}
			_, err = tx.ExecContext(ctx, string(ddl))
			return err
		case 3: // before leases named their process
			add := "ALTER TABLE events ADD COLUMN lease_owner text NOT NULL DEFAULT ''"
			if dialect == "postgres" {
				add = "ALTER TABLE events ADD COLUMN lease_owner varchar(40) NOT NULL DEFAULT ''"
			}
			_, err := tx.ExecContext(ctx, add)
			return err
		case 4:
			return nil
		default:
			return fmt.Errorf("the database was made by a development build (schema version %d) that no release had; start it with that build to export the flows, then import them into a new database", legacy)
		}
	}}, nil)
}

// legacyVersion is the last migration a release before goose applied, 0 when there is none.
func legacyVersion(ctx context.Context, tx *sql.Tx, dialect string) (int, error) {
	exists := "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = $1"
	if dialect == "postgres" {
		exists = "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = $1"
	}
	var n int
	if err := tx.QueryRowContext(ctx, exists, legacyMigrationsTable).Scan(&n); err != nil || n == 0 {
		return 0, err
	}
	var v sql.NullInt64
	err := tx.QueryRowContext(ctx, "SELECT max(version) FROM "+legacyMigrationsTable).Scan(&v)
	return int(v.Int64), err
}

func (s *Store) migrate(ctx context.Context) error {
	db, err := s.Write(ctx).DB()
	if err != nil {
		return err
	}
	dialect, locker := goose.DialectSQLite3, lock.SessionLocker(nil)
	if s.dialect == "postgres" {
		dialect = goose.DialectPostgres
		// One lock per database and schema: processes sharing one wait for each other (probing
		// each second, up to 5 minutes); other schemas of the same server go on.
		var where string
		if err := db.QueryRowContext(ctx, "SELECT current_database() || '.' || current_schema()").Scan(&where); err != nil {
			return err
		}
		h := fnv.New64a()
		h.Write([]byte("hookflow migrations " + where))
		locker, err = lock.NewPostgresSessionLocker(lock.WithLockID(int64(h.Sum64()>>1)), lock.WithLockTimeout(1, 300))
		if err != nil {
			return err
		}
	}
	files, err := fs.Sub(migrationFiles, "migrations/"+s.dialect)
	if err != nil {
		files = nil // no numbered migrations for this database yet
	}
	opts := []goose.ProviderOption{
		goose.WithTableName(migrationsTable),
		goose.WithGoMigrations(baseline(s.dialect)),
		goose.WithDisableGlobalRegistry(true),
	}
	if locker != nil {
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	p, err := goose.NewProvider(dialect, db, files, opts...)
	if err != nil {
		return err
	}
	results, err := p.Up(ctx)
	for _, r := range results {
		if r.Error == nil {
			slog.Debug("schema migrated", "version", r.Source.Version, "took", r.Duration)
		}
	}
	var partial *goose.PartialError
	if errors.As(err, &partial) && partial.Failed != nil {
		return fmt.Errorf("migration %d: %w", partial.Failed.Source.Version, partial.Err)
	}
	return err
}
