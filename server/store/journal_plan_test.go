package store_test

import (
	"context"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/hookflow/hookflow/server/store"
)

// seededRuns is the journal the plan test seeds: big enough that a database would rather scan
// the table than walk a poor index, small enough to seed in a few seconds. `make bench-journal`
// measures the same queries with a million.
const seededRuns = 30000

// statements records the SQL the store sends while on is set, with its values.
type statements struct {
	mu   sync.Mutex
	on   bool
	list []recorded
}

type recorded struct {
	sql  string
	vars []any
}

func (s *statements) record(db *gorm.DB) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.on && db.Statement.SQL.Len() > 0 {
		s.list = append(s.list, recorded{db.Statement.SQL.String(), append([]any(nil), db.Statement.Vars...)})
	}
}

func (s *statements) take(t *testing.T, what string, run func() error) []recorded {
	t.Helper()
	s.mu.Lock()
	s.on, s.list = true, nil
	s.mu.Unlock()
	err := run()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.on = false
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return s.list
}

// bigSort is a PostgreSQL sort of more rows than a page (an incremental sort only orders the
// runs of one instant at a time).
var bigSort = regexp.MustCompile(`(?m)^(?:\s*->)?\s*Sort  \(cost=[^)]* rows=(\d{4,})`)

// plan is the database's plan for one recorded statement, as text.
func plan(t *testing.T, st *store.Store, r recorded) string {
	t.Helper()
	explain := "EXPLAIN QUERY PLAN "
	if st.Dialect() == "postgres" {
		explain = "EXPLAIN "
	}
	rows, err := st.Read(context.Background()).Raw(explain+r.sql, r.vars...).Rows()
	if err != nil {
		t.Fatalf("explaining %s: %v", r.sql, err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		for _, v := range vals {
			if b, ok := v.([]byte); ok {
				v = string(b)
			}
			if s, ok := v.(string); ok {
				out = append(out, s)
			}
		}
	}
	return strings.Join(out, "\n")
}

// With a journal of many runs, every query behind the journal's pages, the per-day chart and
// the flows list reads the flow/time index (or the failed-webhooks indexes): no scan of the runs
// table, and no sort of its rows (the index gives the order). A page reached by the cursor
// deep in the past used to scan by id and take seconds at a million runs.
func TestJournal_QueriesOfAHugeJournalReadTheFlowTimeIndex(t *testing.T) {
	forEachDB(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		flow := &store.Flow{Name: "big", Document: "{}"}
		if err := st.CreateFlow(ctx, flow); err != nil {
			t.Fatal(err)
		}
		other := &store.Flow{Name: "small", Document: "{}"}
		if err := st.CreateFlow(ctx, other); err != nil {
			t.Fatal(err)
		}
		now := time.Now().UTC()
		begin := time.Now()
		if err := st.SeedJournal(ctx, store.SeedJournalOptions{FlowID: flow.ID, N: seededRuns, Now: now, Seed: 1}); err != nil {
			t.Fatal(err)
		}
		if err := st.SeedJournal(ctx, store.SeedJournalOptions{FlowID: other.ID, N: 500, Now: now, Seed: 2}); err != nil {
			t.Fatal(err)
		}
		t.Logf("%d runs seeded in %s", seededRuns+500, time.Since(begin).Round(time.Millisecond))

		rec := &statements{}
		db := st.Read(ctx)
		for _, err := range []error{
			db.Callback().Query().After("gorm:query").Register("test:record", rec.record),
			db.Callback().Row().After("gorm:row").Register("test:record", rec.record),
		} {
			if err != nil {
				t.Fatal(err)
			}
		}

		// Every page, newest first, by the cursor: each run of the journal once, in order.
		var all []store.Run
		var pageQueries []recorded
		before := ""
		for {
			var page []store.Run
			q := rec.take(t, "a journal page", func() (err error) {
				page, err = st.Runs(ctx, flow.ID, store.RunFilter{Before: before, Limit: 500})
				return err
			})
			if len(pageQueries) < 4 || len(page) == 0 {
				pageQueries = append(pageQueries, q...)
			}
			if len(page) == 0 {
				break
			}
			all = append(all, page...)
			before = page[len(page)-1].ID
		}
		var latest int64
		if err := st.Read(ctx).Model(&store.Run{}).Where("flow_id = ? AND superseded = ?", flow.ID, false).Count(&latest).Error; err != nil {
			t.Fatal(err)
		}
		if int64(len(all)) != latest {
			t.Fatalf("the pages hold %d runs, the journal %d", len(all), latest)
		}
		for i := 1; i < len(all); i++ {
			a, b := all[i-1], all[i]
			if a.StartedAt.Before(b.StartedAt) || (a.StartedAt.Equal(b.StartedAt) && a.ID <= b.ID) {
				t.Fatalf("pages out of order at %d: %s %s then %s %s", i, a.StartedAt, a.ID, b.StartedAt, b.ID)
			}
		}

		days := make([]time.Time, 15)
		for i := range days {
			days[i] = now.Truncate(24*time.Hour).AddDate(0, 0, i-13)
		}
		var counts []store.DayCount
		chart := rec.take(t, "the per-day chart", func() (err error) {
			counts, err = st.DailyRuns(ctx, []string{flow.ID, other.ID}, days)
			return err
		})
		var counted, want int64
		for _, c := range counts {
			counted += c.N
		}
		if err := st.Read(ctx).Model(&store.Run{}).Where("superseded = ? AND started_at >= ? AND started_at < ?", false, days[0], days[14]).
			Count(&want).Error; err != nil {
			t.Fatal(err)
		}
		if counted != want || want == 0 {
			t.Fatalf("the chart counts %d runs in its 14 days, the journal has %d", counted, want)
		}

		// A page deep in the past starts where the cursor is, in the index: a range on the time.
		deepRange := map[string]string{"sqlite": "started_at<?", "postgres": "started_at <="}[st.Dialect()]
		for _, c := range []struct {
			name    string
			queries []recorded
			indexes []string
			want    string
		}{
			{"journal pages by the cursor", pageQueries, []string{"idx_run_flow"}, ""},
			{"a page deep in the past", rec.take(t, "a deep page", func() error {
				_, err := st.Runs(ctx, flow.ID, store.RunFilter{Before: all[len(all)*9/10].ID})
				return err
			}), []string{"idx_run_flow"}, deepRange},
			{"failed only", rec.take(t, "failed only", func() error {
				_, err := st.Runs(ctx, flow.ID, store.RunFilter{Status: "failed", Before: all[len(all)/2].ID})
				return err
			}), []string{"idx_run_failed_time"}, deepRange},
			{"failed only, near the oldest", rec.take(t, "failed only, near the oldest", func() error {
				_, err := st.Runs(ctx, flow.ID, store.RunFilter{Status: "failed", Before: all[len(all)*99/100].ID})
				return err
			}), []string{"idx_run_failed_time"}, deepRange},
			{"one day", rec.take(t, "one day", func() error {
				_, err := st.Runs(ctx, flow.ID, store.RunFilter{Since: days[5], Until: days[6]})
				return err
			}), []string{"idx_run_flow"}, ""},
			{"per-day chart", chart, []string{"idx_run_flow"}, ""},
			{"flows list", rec.take(t, "flows list", func() error {
				_, err := st.Stats(ctx, flow.ID, other.ID)
				return err
			}), []string{"idx_run_failed", "idx_run_flow"}, ""},
		} {
			t.Run(c.name, func(t *testing.T) {
				explained := 0
				for _, q := range c.queries {
					if !strings.Contains(q.sql, "flow_id") || !strings.Contains(q.sql, "runs") {
						continue // the cursor's own run by its id, the flows' ids
					}
					explained++
					p := plan(t, st, q)
					// Runs of the same instant are put in id order as they are read (SQLite: "RIGHT
					// PART OF ORDER BY"; PostgreSQL: "Incremental Sort", or a sort of the few rows a
					// range holds); a sort of all the flow's rows is what must not be.
					for _, bad := range []string{"SCAN runs", "Seq Scan on runs", "Bitmap Heap Scan on runs", "USE TEMP B-TREE FOR ORDER BY", "USE TEMP B-TREE FOR GROUP BY"} {
						if strings.Contains(p, bad) {
							t.Errorf("%s: the plan has %q:\n%s\nfor %s", c.name, bad, p, q.sql)
						}
					}
					if m := bigSort.FindStringSubmatch(p); m != nil {
						t.Errorf("%s: the plan sorts about %s rows:\n%s\nfor %s", c.name, m[1], p, q.sql)
					}
					used := false
					for _, idx := range c.indexes {
						used = used || strings.Contains(p, idx)
					}
					if c.want != "" && !strings.Contains(p, c.want) {
						t.Errorf("%s: the plan does not start at the cursor (no %q):\n%s\nfor %s", c.name, c.want, p, q.sql)
					}
					if !used {
						t.Errorf("%s: the plan uses none of %v:\n%s\nfor %s", c.name, c.indexes, p, q.sql)
					}
				}
				if explained == 0 {
					t.Fatalf("%s: no query of the runs recorded", c.name)
				}
			})
		}
	})
}
