package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hookflow/hookflow/server/internal/testdb"
	"github.com/hookflow/hookflow/server/store"
)

// Retention keeps exactly the newest runs and finished events by count or by age, whichever
// deletes more (in batches, see Prune), never touches queued events or other flows, and
// deleting a flow removes its whole journal.
func TestStore_PruneKeepsTheNewestByCountOrAgeAndOnlyFinishedEvents(t *testing.T) {
	forEachDB(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		now := time.Now().UTC().Truncate(time.Millisecond)
		fill := func(flowID string, n int, step time.Duration) {
			var runs []store.Run
			var events []store.Event
			for i := 0; i < n; i++ {
				at := now.Add(-time.Duration(n-i) * step)
				if i%2 == 1 { // pairs with the same time: the cut must break ties by id
					at = now.Add(-time.Duration(n-i+1) * step)
				}
				id := store.NewID()
				status := store.EventDone
				if i%10 == 0 {
					status = store.EventQueued
				}
				runs = append(runs, store.Run{ID: id, FlowID: flowID, Status: "success", StartedAt: at})
				events = append(events, store.Event{ID: id, FlowID: flowID, Status: status, NextAt: at, ReceivedAt: at})
			}
			if err := st.Write(ctx).CreateInBatches(runs, 200).Error; err != nil {
				t.Fatal(err)
			}
			if err := st.Write(ctx).CreateInBatches(events, 200).Error; err != nil {
				t.Fatal(err)
			}
		}
		count := func(model any, where string, args ...any) int64 {
			var n int64
			if err := st.Read(ctx).Model(model).Where(where, args...).Count(&n).Error; err != nil {
				t.Fatal(err)
			}
			return n
		}
		for _, tc := range []struct {
			name       string
			maxAge     time.Duration
			keep       int
			wantRuns   int64 // left
			wantEvents int64 // finished events left (the 120 queued ones always stay)
		}{
			{"by count", 0, 301, 301, 301},
			// Runs 1 h apart in pairs: within 500 h of the test's start, less the pair exactly
			// 500 h old, which is older than 500 h when Prune looks.
			{"by age", 500 * time.Hour, 0, 498, 449},
			{"count deletes more", 500 * time.Hour, 99, 99, 99},
			{"age deletes more", 50 * time.Hour, 1000, 48, 44},
			{"nothing to delete", 0, 5000, 1200, 1080},
		} {
			t.Run(tc.name, func(t *testing.T) {
				flow := fmt.Sprintf("f%d", time.Now().UnixNano())
				fill(flow, 1200, time.Hour)
				fill(flow+"-other", 20, time.Hour)
				n, err := st.Prune(ctx, flow, tc.maxAge, tc.keep)
				if err != nil {
					t.Fatal(err)
				}
				runs := count(&store.Run{}, "flow_id = ?", flow)
				events := count(&store.Event{}, "flow_id = ? AND status <> ?", flow, store.EventQueued)
				if runs != tc.wantRuns || n != 1200-tc.wantRuns || events != tc.wantEvents {
					t.Fatalf("deleted %d; left %d runs and %d finished events, want %d and %d", n, runs, events, tc.wantRuns, tc.wantEvents)
				}
				if q := count(&store.Event{}, "flow_id = ? AND status = ?", flow, store.EventQueued); q != 120 {
					t.Fatalf("%d queued events left, want all 120", q)
				}
				if o := count(&store.Run{}, "flow_id = ?", flow+"-other"); o != 20 {
					t.Fatalf("another flow kept %d of its 20 runs", o)
				}
				// The runs kept are the newest ones.
				var oldest store.Run
				st.Read(ctx).Where("flow_id = ?", flow).Order("started_at, id").First(&oldest)
				newer := count(&store.Run{}, "flow_id = ? AND started_at > ?", flow, oldest.StartedAt)
				if runs > 0 && newer < runs-2 {
					t.Fatalf("the runs kept are not the newest: only %d are newer than the oldest kept", newer)
				}
			})
		}

		f := &store.Flow{Name: "doomed", Document: `{}`}
		if err := st.CreateFlow(ctx, f); err != nil {
			t.Fatal(err)
		}
		fill(f.ID, 2500, time.Second)
		if err := st.DeleteFlow(ctx, f.ID); err != nil {
			t.Fatal(err)
		}
		if r, e := count(&store.Run{}, "flow_id = ?", f.ID), count(&store.Event{}, "flow_id = ?", f.ID); r+e != 0 {
			t.Fatalf("deleting a flow left %d runs and %d events", r, e)
		}
	})
}

// A run waiting at a Delay step is what its webhook goes on from: retention keeps it however old,
// while the attempts it superseded and other old runs go.
func TestStore_PruneKeepsTheRunAWebhookWaitsOn(t *testing.T) {
	forEachDB(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		old := time.Now().UTC().Add(-40 * 24 * time.Hour)
		until := time.Now().UTC().Add(time.Hour)
		runs := []store.Run{
			{ID: store.NewID(), FlowID: "f", EventID: "e1", Status: store.RunWaiting, RetryAt: &until, StartedAt: old},
			{ID: store.NewID(), FlowID: "f", EventID: "e2", Status: store.RunWaiting, RetryAt: &until, StartedAt: old, Superseded: true},
			{ID: store.NewID(), FlowID: "f", EventID: "e2", Status: "success", StartedAt: old.Add(time.Minute)},
		}
		if err := st.Write(ctx).Create(&runs).Error; err != nil {
			t.Fatal(err)
		}
		if _, err := st.Prune(ctx, "f", 30*24*time.Hour, 0); err != nil {
			t.Fatal(err)
		}
		var left []store.Run
		if err := st.Read(ctx).Find(&left).Error; err != nil {
			t.Fatal(err)
		}
		if len(left) != 1 || left[0].ID != runs[0].ID {
			t.Fatalf("left %+v, want only the waiting run", left)
		}
	})
}

// On a PostgreSQL whose autovacuum is off, the space of the runs retention deleted is used again
// by the next runs once Reclaim has run after the pass: the table does not grow by every webhook
// however few runs it keeps. (Where autovacuum is on, the server does this by itself and Reclaim
// leaves it to it.)
func TestStore_OnPostgresWithoutAutovacuumRetentionsSpaceIsUsedAgain(t *testing.T) {
	testdb.SkipWithoutPostgres(t, "the space of deleted rows is PostgreSQL's concern")
	st := testdb.Open(t, "postgres")
	ctx := context.Background()
	var autovacuum string
	if err := st.Read(ctx).Raw("SHOW autovacuum").Scan(&autovacuum).Error; err != nil {
		t.Fatal(err)
	}
	if autovacuum == "on" {
		t.Skip("this PostgreSQL's autovacuum is on: it reclaims the space by itself, when it chooses")
	}
	fill := func(at time.Time) {
		runs := make([]store.Run, 3000)
		for i := range runs {
			runs[i] = store.Run{ID: store.NewID(), FlowID: "f", Status: "success", StartedAt: at, Trace: strings.Repeat("t", 1000)}
		}
		if err := st.Write(ctx).CreateInBatches(runs, 500).Error; err != nil {
			t.Fatal(err)
		}
	}
	size := func() int64 {
		var n int64
		if err := st.Read(ctx).Raw("SELECT pg_relation_size('runs')").Scan(&n).Error; err != nil {
			t.Fatal(err)
		}
		return n
	}
	fill(time.Now().UTC().Add(-48 * time.Hour))
	first := size()
	if n, err := st.Prune(ctx, "f", 24*time.Hour, 0); err != nil || n != 3000 {
		t.Fatalf("retention deleted %d runs (%v), want the 3000 older than a day", n, err)
	}
	if vacuumed, err := st.Reclaim(ctx); err != nil || !vacuumed {
		t.Fatalf("Reclaim: vacuumed %v (%v); want the tables vacuumed, autovacuum being off", vacuumed, err)
	}
	fill(time.Now().UTC())
	if after := size(); after > first+first/10 {
		t.Errorf("runs took %d KB for 3000 runs, then %d KB once retention deleted them and 3000 more came: the deleted rows' space was not used again", first/1024, after/1024)
	}
}
