package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sync"
	"testing"

	_ "github.com/mattn/go-sqlite3"
	"gorm.io/gorm/schema"

	"github.com/hookflow/hookflow/server/store"
)

// A model field without a column is a migration somebody forgot: the code would fail at the
// first query that names it.
func TestMigrations_EveryModelFieldHasItsColumnAndIndex(t *testing.T) {
	forEachDB(t, func(t *testing.T, st *store.Store) {
		m := st.Write(context.Background()).Migrator()
		for _, model := range store.Models() {
			name := reflect.TypeOf(model).Elem().Name()
			if !m.HasTable(model) {
				t.Errorf("%s: no table", name)
				continue
			}
			s, err := schema.Parse(model, &sync.Map{}, st.Write(context.Background()).NamingStrategy)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range s.Fields {
				if f.DBName != "" && !m.HasColumn(model, f.DBName) {
					t.Errorf("%s.%s: no column %s", name, f.Name, f.DBName)
				}
			}
			for _, idx := range s.ParseIndexes() {
				if !m.HasIndex(model, idx.Name) {
					t.Errorf("%s: no index %s", name, idx.Name)
				}
			}
		}
	})
}

// Databases of the releases before goose counted migrations in schema_migrations: one that
// stopped at 3 gets the lease owner column, one at 4 is adopted as it is, and both are then at
// version 1 of the new table and keep their rows.
func TestMigrations_AdoptDatabasesOfEarlierReleases(t *testing.T) {
	for _, c := range []struct {
		name   string
		legacy int
		ok     bool
	}{
		{"a release at migration 3 gets the lease owner", 3, true},
		{"a release at migration 4 is adopted as it is", 4, true},
		{"a development build at migration 2 is refused", 2, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "hookflow.db")
			db, err := sql.Open("sqlite3", path)
			if err != nil {
				t.Fatal(err)
			}
			ddl, err := os.ReadFile("schema/release_1_sqlite.sql")
			if err != nil {
				t.Fatal(err)
			}
			stmts := []string{string(ddl),
				"CREATE TABLE `schema_migrations` (`version` integer,`name` text,`applied_at` datetime,PRIMARY KEY (`version`))",
				"INSERT INTO flows (id, team_id, name, document, version, active, token) VALUES ('f1', 't1', 'Old flow', '{}', 1, 1, 'tok')"}
			for v := 1; v <= c.legacy; v++ {
				name := "later"
				if v == 1 {
					name = "initial tables"
				}
				stmts = append(stmts, fmt.Sprintf("INSERT INTO schema_migrations (version, name) VALUES (%d, '%s')", v, name))
			}
			if c.legacy == 3 {
				stmts = append(stmts, "ALTER TABLE events DROP COLUMN lease_owner")
			}
			for _, q := range stmts {
				if _, err := db.Exec(q); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			db.Close()

			st, err := store.Open(context.Background(), store.Options{DataDir: dir})
			if !c.ok {
				if err == nil {
					st.Close()
					t.Fatal("opened a database no release made")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			f, err := st.Flow(context.Background(), "f1")
			if err != nil || f.Name != "Old flow" {
				t.Fatalf("the old flow: %+v, %v", f, err)
			}
			if !st.Write(context.Background()).Migrator().HasColumn(&store.Event{}, "lease_owner") {
				t.Fatal("no lease_owner column")
			}
		})
	}
}
