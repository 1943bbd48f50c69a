package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"gorm.io/driver/postgres"
	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// ErrNotFound is returned when a record does not exist.
var ErrNotFound = errors.New("not found")

// Store is the database. On SQLite writes go through one connection (SQLite has one writer) and
// reads through a pool; on PostgreSQL both are the same pool.
type Store struct {
	write   *gorm.DB
	read    *gorm.DB
	dialect string
	hot     *sqliteWrites // SQLite: the busiest writes, prepared once
}

// Options configure Open.
type Options struct {
	// DatabaseURL is postgres://… for PostgreSQL; empty means SQLite in DataDir.
	DatabaseURL string
	DataDir     string
	// ReadConns is the size of the SQLite reader pool (default 4).
	ReadConns int
	// Synchronous is SQLite's sync level: FULL (the default) fsyncs the WAL at every commit, so
	// an acknowledged webhook survives a power loss; NORMAL syncs only at checkpoints, faster but
	// a power loss (not a process crash) may drop the last commits; EXTRA also syncs the
	// directory. OFF is refused.
	Synchronous string
}

// synchronousLevel checks the configured SQLite sync level.
func synchronousLevel(s string) (string, error) {
	switch v := strings.ToUpper(strings.TrimSpace(s)); v {
	case "":
		return "FULL", nil
	case "FULL", "NORMAL", "EXTRA":
		return v, nil
	}
	return "", fmt.Errorf("the SQLite synchronous setting %q is not one of FULL, NORMAL or EXTRA", s)
}

// Open connects and migrates.
func Open(ctx context.Context, opts Options) (*Store, error) {
	var s *Store
	var err error
	if strings.HasPrefix(opts.DatabaseURL, "postgres://") || strings.HasPrefix(opts.DatabaseURL, "postgresql://") {
		s, err = openPostgres(opts.DatabaseURL)
	} else if opts.DatabaseURL != "" {
		return nil, fmt.Errorf("the database URL must start with postgres:// (or be empty for the built-in SQLite)")
	} else if err = refuseForeignSQLite(ctx, sqlitePath(opts)); err == nil {
		s, err = openSQLite(opts)
	}
	if err != nil {
		return nil, err
	}
	if err := s.claim(ctx, opts); err != nil {
		_ = s.Close() // the claim's error is the one to report
		return nil, err
	}
	if s.dialect == "sqlite" { // the tables exist now
		if s.hot, err = prepareSQLiteWrites(s.write); err != nil {
			_ = s.Close()
			return nil, err
		}
	}
	return s, nil
}

// gormConfig is a new configuration for each connection pool: gorm.Open keeps the pointer and
// writes the dialect's clause builders into it, so a shared one made a PostgreSQL store opened
// after a SQLite one (tests do) build SQLite's SQL, without FOR UPDATE.
func gormConfig() *gorm.Config {
	return &gorm.Config{Logger: logger.Discard, SkipDefaultTransaction: true}
}

// sqliteConfig also keeps each connection's prepared statements (the SQLite driver prepares
// every statement afresh otherwise, about a tenth of a webhook's work; pgx keeps PostgreSQL's
// itself). The most recently used 256 are kept: lists of ids make statements of many lengths.
func sqliteConfig() *gorm.Config {
	c := gormConfig()
	c.PrepareStmt, c.PrepareStmtMaxSize = true, 256
	return c
}

func openSQLite(opts Options) (*Store, error) {
	dir := opts.DataDir
	if dir == "" {
		dir = "data"
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("creating the data directory: %w", err)
	}
	path := filepath.Join(dir, "hookflow.db")
	sync, err := synchronousLevel(opts.Synchronous)
	if err != nil {
		return nil, err
	}
	// WAL lets readers work while the writer commits; FULL sync fsyncs the WAL before a commit
	// returns, so what was acknowledged survives a power loss (group commit shares that fsync
	// among the webhooks of a batch); incremental auto-vacuum lets retention give disk space back.
	params := "_journal_mode=WAL&_busy_timeout=10000&_synchronous=" + sync + "&_foreign_keys=on&_auto_vacuum=incremental"
	write, err := gorm.Open(sqlite.Open("file:"+path+"?"+params+"&_txlock=immediate"), sqliteConfig())
	if err != nil {
		return nil, fmt.Errorf("opening %s: %w", path, err)
	}
	wdb, _ := write.DB()
	wdb.SetMaxOpenConns(1)
	wdb.SetConnMaxIdleTime(0)
	// Readers never write: query_only guards that, and they inherit WAL from the file.
	read, err := gorm.Open(sqlite.Open("file:"+path+"?_busy_timeout=10000&_query_only=1"), sqliteConfig())
	if err != nil {
		return nil, fmt.Errorf("opening %s: %w", path, err)
	}
	rdb, _ := read.DB()
	n := opts.ReadConns
	if n <= 0 {
		n = 4
	}
	rdb.SetMaxOpenConns(n)
	rdb.SetMaxIdleConns(n) // keep every reader: see openPostgres
	return &Store{write: write, read: read, dialect: "sqlite"}, nil
}

func openPostgres(url string) (*Store, error) {
	db, err := gorm.Open(postgres.Open(url), gormConfig())
	if err != nil {
		return nil, fmt.Errorf("connecting to PostgreSQL: %w", err)
	}
	sqlDB, _ := db.DB()
	// Every connection the pool opens is kept while it is used: database/sql keeps only two idle
	// by default, so with more queries at once than that each returned connection was closed and
	// the next query opened a new one (on PostgreSQL a new server process each time).
	sqlDB.SetMaxOpenConns(20)
	sqlDB.SetMaxIdleConns(20)
	sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	return &Store{write: db, read: db, dialect: "postgres"}, nil
}

// Dialect is "sqlite" or "postgres".
func (s *Store) Dialect() string { return s.dialect }

// Write is the handle for writes and read-your-writes transactions.
func (s *Store) Write(ctx context.Context) *gorm.DB { return s.write.WithContext(ctx) }

// Read is the handle for reads.
func (s *Store) Read(ctx context.Context) *gorm.DB { return s.read.WithContext(ctx) }

// Ping checks the database answers.
func (s *Store) Ping(ctx context.Context) error {
	db, err := s.read.DB()
	if err != nil {
		return err
	}
	return db.PingContext(ctx)
}

// ReadStats are the statistics of the connections reads use (on PostgreSQL every query's).
func (s *Store) ReadStats() sql.DBStats {
	db, err := s.read.DB()
	if err != nil {
		return sql.DBStats{}
	}
	return db.Stats()
}

// Close closes the connections.
func (s *Store) Close() error {
	var errs []error
	if s.hot != nil {
		errs = append(errs, s.hot.close())
	}
	for _, g := range []*gorm.DB{s.write, s.read} {
		if db, err := g.DB(); err == nil {
			errs = append(errs, db.Close())
		}
		if s.read == s.write {
			break
		}
	}
	return errors.Join(errs...)
}

// first reads the one row of T whose column equals value (ErrNotFound when there is none).
func first[T any](ctx context.Context, s *Store, column, value string) (*T, error) {
	var row T
	if err := s.Read(ctx).First(&row, column+" = ?", value).Error; err != nil {
		return nil, notFound(err)
	}
	return &row, nil
}

func notFound(err error) error {
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return ErrNotFound
	}
	return err
}
