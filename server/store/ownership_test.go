package store_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	_ "github.com/mattn/go-sqlite3" // to write other applications' files

	"github.com/hookflow/hookflow/server/internal/testdb"
	"github.com/hookflow/hookflow/server/store"
)

func writeSQLite(t *testing.T, path string, statements ...string) {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, s := range statements {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

// A file named hookflow.db that another application made is refused with a sentence that names
// it and what it holds, and not one byte of it changes.
func TestStore_OpenRefusesAnotherApplicationsSQLiteFileAndLeavesItUnchanged(t *testing.T) {
	for _, tc := range []struct {
		name  string
		make  func(t *testing.T, path string)
		tells []string
	}{
		{"another application's tables", func(t *testing.T, path string) {
			writeSQLite(t, path, "CREATE TABLE customers (id INTEGER PRIMARY KEY, email TEXT)",
				"INSERT INTO customers (email) VALUES ('a@example.com')", "CREATE TABLE orders (id INTEGER PRIMARY KEY)")
		}, []string{"it has tables customers, orders"}},
		{"another tool's schema_migrations", func(t *testing.T, path string) {
			writeSQLite(t, path, "CREATE TABLE schema_migrations (version INTEGER, dirty BOOLEAN)",
				"INSERT INTO schema_migrations VALUES (1, 0)", "CREATE TABLE flows (id TEXT)", "CREATE TABLE events (id TEXT)")
		}, []string{"it has tables events, flows, schema_migrations"}},
		{"not a database at all", func(t *testing.T, path string) {
			if err := os.WriteFile(path, []byte("my notes, not a database\n"), 0o600); err != nil {
				t.Fatal(err)
			}
		}, []string{"it is not a SQLite database"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "hookflow.db")
			tc.make(t, path)
			before, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			st, err := store.Open(context.Background(), store.Options{DataDir: dir})
			if err == nil {
				st.Close()
				t.Fatal("opened another application's database")
			}
			if !errors.Is(err, store.ErrForeignDatabase) {
				t.Fatalf("error %v is not ErrForeignDatabase", err)
			}
			for _, want := range append(tc.tells, path+" is not a hookflow database", "move it away or point --data-dir elsewhere") {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not say %q", err, want)
				}
			}
			after, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(before, after) {
				t.Fatalf("the file changed: %d bytes before, %d after", len(before), len(after))
			}
		})
	}
}

// A new file, an empty one and one made by a release from before the mark are all opened, and
// carry hookflow's mark afterwards.
func TestStore_OpenAdoptsNewEmptyAndEarlierHookflowFiles(t *testing.T) {
	applicationID := func(t *testing.T, path string) int64 {
		db, err := sql.Open("sqlite3", "file:"+path+"?mode=ro")
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var id int64
		if err := db.QueryRow("PRAGMA application_id").Scan(&id); err != nil {
			t.Fatal(err)
		}
		return id
	}
	for _, tc := range []struct {
		name string
		make func(t *testing.T, dir, path string)
	}{
		{"no file yet", func(*testing.T, string, string) {}},
		{"an empty file", func(t *testing.T, _, path string) {
			if err := os.WriteFile(path, nil, 0o600); err != nil {
				t.Fatal(err)
			}
		}},
		{"a file of an earlier release (no mark)", func(t *testing.T, dir, path string) {
			st, err := store.Open(context.Background(), store.Options{DataDir: dir})
			if err != nil {
				t.Fatal(err)
			}
			if err := st.CreateFlow(context.Background(), &store.Flow{Name: "kept", Document: "{}"}); err != nil {
				t.Fatal(err)
			}
			st.Close()
			writeSQLite(t, path, "PRAGMA application_id = 0")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "hookflow.db")
			tc.make(t, dir, path)
			st, err := store.Open(context.Background(), store.Options{DataDir: dir})
			if err != nil {
				t.Fatal(err)
			}
			flows, err := st.Flows(context.Background())
			st.Close()
			if err != nil {
				t.Fatal(err)
			}
			if strings.HasPrefix(tc.name, "a file of") && (len(flows) != 1 || flows[0].Name != "kept") {
				t.Fatalf("the earlier release's flows were not kept: %+v", flows)
			}
			if id := applicationID(t, path); id == 0 {
				t.Fatal("the file was not marked as hookflow's")
			}
			// Marked, it opens again.
			st, err = store.Open(context.Background(), store.Options{DataDir: dir})
			if err != nil {
				t.Fatalf("reopening: %v", err)
			}
			st.Close()
		})
	}
}

// A PostgreSQL database that holds another application's tables is refused and left as it was;
// one hookflow prepared opens again.
func TestStore_OpenRefusesAnotherApplicationsPostgresDatabase(t *testing.T) {
	testdb.SkipWithoutPostgres(t, "")
	opts := testdb.Options(t, "postgres")
	db, err := sql.Open("pgx", opts.DatabaseURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec("CREATE TABLE customers (id serial PRIMARY KEY, email text)"); err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(context.Background(), opts)
	if err == nil {
		st.Close()
		t.Fatal("opened another application's database")
	}
	if !errors.Is(err, store.ErrForeignDatabase) || !strings.Contains(err.Error(), "it has tables customers") ||
		strings.Contains(err.Error(), "postgres@") {
		t.Fatalf("error: %v", err)
	}
	var tables []string
	rows, err := db.Query("SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, n)
	}
	rows.Close()
	if !slices.Equal(tables, []string{"customers"}) {
		t.Fatalf("the database changed: tables %v", tables)
	}

	// hookflow's own database opens again.
	mine := testdb.Options(t, "postgres")
	for i := 0; i < 2; i++ {
		st, err := store.Open(context.Background(), mine)
		if err != nil {
			t.Fatalf("open %d: %v", i+1, err)
		}
		st.Close()
	}
}
