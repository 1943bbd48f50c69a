// Package testdb opens real databases for tests: SQLite in a temporary directory always, and
// PostgreSQL when HOOKFLOW_TEST_POSTGRES is set (a postgres:// URL, or "1" for the local server),
// each test in a database of its own.
package testdb

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver for creating test databases

	"github.com/hookflow/hookflow/server/store"
)

// DefaultPostgres is the local server the CI machine runs.
const DefaultPostgres = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// Dialects lists the databases to run a test on.
func Dialects() []string {
	if os.Getenv("HOOKFLOW_TEST_POSTGRES") != "" {
		return []string{"sqlite", "postgres"}
	}
	return []string{"sqlite"}
}

// SkipWithoutPostgres skips a test that runs on PostgreSQL only when the tests do not run there;
// why, when given, says why the test needs PostgreSQL.
func SkipWithoutPostgres(t testing.TB, why string) {
	t.Helper()
	if os.Getenv("HOOKFLOW_TEST_POSTGRES") != "" {
		return
	}
	if why != "" {
		t.Skip("set HOOKFLOW_TEST_POSTGRES to run on PostgreSQL (" + why + ")")
	}
	t.Skip("set HOOKFLOW_TEST_POSTGRES to run on PostgreSQL")
}

// Options returns store options for a fresh, empty database of the dialect; it is dropped when
// the test ends.
func Options(t testing.TB, dialect string) store.Options {
	t.Helper()
	if dialect == "sqlite" {
		return store.Options{DataDir: t.TempDir()}
	}
	base := os.Getenv("HOOKFLOW_TEST_POSTGRES")
	if base == "" || base == "1" {
		base = DefaultPostgres
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "hookflow_test_" + hex.EncodeToString(b)
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		admin.Close()
		t.Fatalf("creating a test database on %s: %v", base, err)
	}
	t.Cleanup(func() {
		_, _ = admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
		admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return store.Options{DatabaseURL: u.String()}
}

// Open opens a fresh store of the dialect, closed when the test ends.
func Open(t testing.TB, dialect string) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), Options(t, dialect))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st
}
