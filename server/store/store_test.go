package store_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/hookflow/hookflow/server/internal/testdb"
	"github.com/hookflow/hookflow/server/store"
	"gorm.io/gorm"
)

func forEachDB(t *testing.T, test func(t *testing.T, st *store.Store)) {
	for _, d := range testdb.Dialects() {
		t.Run(d, func(t *testing.T) { test(t, testdb.Open(t, d)) })
	}
}

func TestStore_FlowSavesKeepVersionHistory(t *testing.T) {
	forEachDB(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := &store.Flow{Name: "a", Document: `{"v":1}`}
		if err := st.CreateFlow(ctx, f); err != nil {
			t.Fatal(err)
		}
		if f.Token == "" || len(f.Token) < 30 {
			t.Fatalf("token %q is too guessable", f.Token)
		}
		f.Document = `{"v":2}`
		if err := st.UpdateFlow(ctx, f); err != nil {
			t.Fatal(err)
		}
		f.Name = "renamed" // same document: no new version
		if err := st.UpdateFlow(ctx, f); err != nil {
			t.Fatal(err)
		}
		got, err := st.Flow(ctx, f.ID)
		if err != nil || got.Version != 2 || got.Name != "renamed" {
			t.Fatalf("flow = %+v, %v", got, err)
		}
		versions, _ := st.FlowVersions(ctx, f.ID)
		if len(versions) != 2 || versions[0].Version != 2 {
			t.Fatalf("versions = %+v", versions)
		}
		v1, err := st.FlowVersion(ctx, f.ID, 1)
		if err != nil || v1.Document != `{"v":1}` {
			t.Fatalf("v1 = %+v, %v", v1, err)
		}
		if byToken, err := st.FlowByToken(ctx, f.Token); err != nil || byToken.ID != f.ID {
			t.Fatalf("by token: %v", err)
		}
		if err := st.DeleteFlow(ctx, f.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := st.Flow(ctx, f.ID); err != store.ErrNotFound {
			t.Fatalf("after delete: %v", err)
		}
	})
}

func TestStore_EventQueueClaimsOnceAndRetries(t *testing.T) {
	forEachDB(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		now := time.Now().UTC()
		var evs []*store.Event
		for i := 0; i < 50; i++ {
			evs = append(evs, &store.Event{ID: store.NewID(), FlowID: "f", Payload: "{}", Status: store.EventQueued, NextAt: now, ReceivedAt: now})
		}
		if err := st.InsertEvents(ctx, evs); err != nil {
			t.Fatal(err)
		}
		// Many workers race for the same events: each is claimed exactly once.
		var mu sync.Mutex
		claims := map[string]int{}
		var wg sync.WaitGroup
		for w := 0; w < 8; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for _, ev := range evs {
					_, ok, err := st.ClaimEvent(ctx, ev.ID, "test", time.Minute)
					if err != nil {
						t.Error(err)
						return
					}
					if ok {
						mu.Lock()
						claims[ev.ID]++
						mu.Unlock()
					}
				}
			}()
		}
		wg.Wait()
		for _, ev := range evs {
			if claims[ev.ID] != 1 {
				t.Fatalf("event claimed %d times", claims[ev.ID])
			}
		}
		// A failed attempt goes back to the queue for later; a finished one leaves it.
		run := &store.Run{ID: store.NewID(), FlowID: "f", EventID: evs[0].ID, Status: "failed", StartedAt: now}
		if err := st.FinishEvent(ctx, evs[0].ID, run, store.EventFailed, now.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if err := st.FinishEvent(ctx, evs[1].ID, nil, store.EventDone, time.Time{}); err != nil {
			t.Fatal(err)
		}
		due, _ := st.DueEvents(ctx, now.Add(2*time.Hour), 100)
		if !slices.Contains(due, evs[0].ID) || slices.Contains(due, evs[1].ID) {
			t.Fatalf("due = %v", due)
		}
		// After a crash, running events are queued again.
		n, err := st.RequeueRunning(ctx)
		if err != nil || n != 48 {
			t.Fatalf("requeued %d, %v", n, err)
		}
		if depth, _ := st.QueueDepth(ctx); depth != 49 {
			t.Fatalf("queue depth %d", depth)
		}
	})
}

func TestStore_JournalFiltersAndStats(t *testing.T) {
	forEachDB(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		for i, status := range []string{"success", "failed", "success", "failed", "filtered"} {
			r := &store.Run{ID: store.NewID(), FlowID: "f", Status: status, Trace: `{"steps":[]}`, StartedAt: base.Add(time.Duration(i) * time.Minute)}
			if err := st.CreateRun(ctx, r); err != nil {
				t.Fatal(err)
			}
		}
		failed, _ := st.Runs(ctx, "f", store.RunFilter{Status: "failed"})
		if len(failed) != 2 || failed[0].StartedAt.Before(failed[1].StartedAt) || failed[0].Trace != "" {
			t.Fatalf("failed runs = %+v", failed)
		}
		recent, _ := st.Runs(ctx, "f", store.RunFilter{Since: base.Add(3 * time.Minute)})
		if len(recent) != 2 {
			t.Fatalf("since: %d runs", len(recent))
		}
		stats, err := st.Stats(ctx, "f")
		if err != nil {
			t.Fatal(err)
		}
		if s := stats["f"]; s.Failed != 2 || s.LastStatus != "filtered" {
			t.Fatalf("stats = %+v", s)
		}
	})
}

func TestStore_PruneKeepsTheNewestAndGivesDiskBack(t *testing.T) {
	dir := t.TempDir()
	st, err := store.Open(context.Background(), store.Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	big := fmt.Sprintf(`{"x":"%0100000d"}`, 0)
	now := time.Now().UTC()
	for i := 0; i < 300; i++ {
		r := &store.Run{ID: store.NewID(), FlowID: "f", Status: "success", Trace: big, StartedAt: now.Add(time.Duration(i) * time.Second)}
		if err := st.CreateRun(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	_ = st.Write(ctx).Exec("PRAGMA wal_checkpoint(TRUNCATE)").Error
	before := fileSize(t, filepath.Join(dir, "hookflow.db"))
	n, err := st.Prune(ctx, "f", 0, 10)
	if err != nil || n != 290 {
		t.Fatalf("pruned %d, %v", n, err)
	}
	_ = st.Write(ctx).Exec("PRAGMA wal_checkpoint(TRUNCATE)").Error
	after := fileSize(t, filepath.Join(dir, "hookflow.db"))
	if after > before/4 {
		t.Fatalf("the file did not shrink: %d → %d bytes", before, after)
	}
	left, _ := st.Runs(ctx, "f", store.RunFilter{Limit: 500})
	if len(left) != 10 || !left[0].StartedAt.Equal(now.Add(299*time.Second)) {
		t.Fatalf("kept %d runs, newest %v", len(left), left[0].StartedAt)
	}
}

func fileSize(t *testing.T, path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

func TestStore_AWebhooksLatestRunItsPausesAndAFreshStart(t *testing.T) {
	forEachDB(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		if _, err := st.LatestRun(ctx, "ev"); err != store.ErrNotFound {
			t.Fatalf("latest run of a webhook that has none: %v, want ErrNotFound", err)
		}
		ev := &store.Event{ID: "ev", FlowID: "f", Status: store.EventQueued, Attempts: 3, NextAt: time.Now().UTC(), ReceivedAt: time.Now().UTC()}
		if err := st.InsertEvents(ctx, []*store.Event{ev}); err != nil {
			t.Fatal(err)
		}
		base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		for i, status := range []string{"failed", store.RunWaiting, store.RunWaiting, "success"} {
			r := &store.Run{ID: store.NewID(), FlowID: "f", EventID: "ev", Status: status, Trace: fmt.Sprintf(`{"status":%q}`, status), StartedAt: base.Add(time.Duration(i) * time.Minute)}
			if err := st.CreateRun(ctx, r); err != nil {
				t.Fatal(err)
			}
		}
		if r, err := st.LatestRun(ctx, "ev"); err != nil || r.Status != "success" || r.Trace == "" {
			t.Errorf("latest run %+v, %v; want the success, with its trace", r, err)
		}
		if n, err := st.WaitingRuns(ctx, "ev"); err != nil || n != 2 {
			t.Errorf("%d pauses, %v; want 2", n, err)
		}
		if err := st.ResetAttempts(ctx, "ev"); err != nil {
			t.Fatal(err)
		}
		if got, err := st.Event(ctx, "ev"); err != nil || got.Attempts != 0 {
			t.Errorf("after a fresh start: %+v, %v; want no attempts", got, err)
		}
	})
}

func TestStore_ScheduledFlowsAreTheActiveOnesWithAClockFiredKind(t *testing.T) {
	forEachDB(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		doc := func(kind string) string {
			return `{"schema":1,"nodes":[{"id":"trigger","kind":"` + kind + `"},{"id":"s","kind":"set"}]}`
		}
		for _, f := range []*store.Flow{
			{Name: "every day", Document: doc("schedule"), Active: true},
			{Name: "every hour", Document: doc("hourly"), Active: true},
			{Name: "stopped", Document: doc("schedule")},
			{Name: "webhook", Document: doc("webhook"), Active: true},
		} {
			if err := st.CreateFlow(ctx, f); err != nil {
				t.Fatal(err)
			}
		}
		for _, c := range []struct {
			kinds []string
			want  []string
		}{
			{[]string{"schedule", "hourly"}, []string{"every day", "every hour"}},
			{[]string{"schedule"}, []string{"every day"}},
			{nil, nil},
		} {
			list, err := st.ScheduledFlows(ctx, c.kinds)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, f := range list {
				names = append(names, f.Name)
			}
			slices.Sort(names)
			if !slices.Equal(names, c.want) {
				t.Errorf("ScheduledFlows(%v) = %v, want %v", c.kinds, names, c.want)
			}
		}
	})
}

// Queries that run at once each hold a connection; when they end the pool keeps them all for the
// next ones rather than closing all but two (database/sql's default), which made every query
// beyond two open a new connection — on PostgreSQL a new server process.
func TestStore_ConnectionsUsedAtOnceAreKeptForTheNextQueries(t *testing.T) {
	forEachDB(t, func(t *testing.T, st *store.Store) {
		const atOnce = 4
		for round := 0; round < 3; round++ {
			var opened sync.WaitGroup
			opened.Add(atOnce)
			all := make(chan struct{})
			errs := make(chan error, atOnce)
			for i := 0; i < atOnce; i++ {
				go func() {
					errs <- st.Read(context.Background()).Transaction(func(tx *gorm.DB) error {
						var one int
						if err := tx.Raw("SELECT 1").Scan(&one).Error; err != nil {
							opened.Done()
							return err
						}
						opened.Done()
						<-all // every query holds its connection until all are open
						return nil
					})
				}()
			}
			opened.Wait()
			close(all)
			for i := 0; i < atOnce; i++ {
				if err := <-errs; err != nil {
					t.Fatal(err)
				}
			}
		}
		if s := st.ReadStats(); s.MaxIdleClosed > 0 || s.Idle < atOnce {
			t.Errorf("after three rounds of %d queries at once: %d connections closed for being idle beyond the pool's bound, %d kept idle; want none closed, %d kept",
				atOnce, s.MaxIdleClosed, s.Idle, atOnce)
		}
	})
}

// Many events are claimed in one statement: the queued ones and those whose lease ran out, each
// with its attempt counted and the new owner's lease; an event another owner holds under a live
// lease, or one already finished, is left alone. Two owners claiming the same events at once
// share them out, each event claimed once.
func TestStore_ClaimEventsTakesTheClaimableOnesTogetherAndEachOnce(t *testing.T) {
	forEachDB(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		now := time.Now().UTC()
		var evs []*store.Event
		var ids []string
		for i := 0; i < 40; i++ {
			ev := &store.Event{ID: store.NewID(), FlowID: "f", Payload: "{}", Status: store.EventQueued, NextAt: now, ReceivedAt: now}
			evs, ids = append(evs, ev), append(ids, ev.ID)
		}
		if err := st.InsertEvents(ctx, evs); err != nil {
			t.Fatal(err)
		}
		if _, ok, err := st.ClaimEvent(ctx, ids[0], "other", time.Minute); !ok || err != nil { // a live lease
			t.Fatalf("claim: %v %v", ok, err)
		}
		if _, ok, err := st.ClaimEvent(ctx, ids[1], "dead", -time.Second); !ok || err != nil { // a lease run out
			t.Fatalf("claim: %v %v", ok, err)
		}
		if err := st.FinishEvent(ctx, ids[2], nil, store.EventDone, time.Time{}); err != nil {
			t.Fatal(err)
		}
		got, err := st.ClaimEvents(ctx, ids[:10], "me", time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		claimed := map[string]store.Event{}
		for _, ev := range got {
			claimed[ev.ID] = ev
		}
		if len(claimed) != 8 || claimed[ids[0]].ID != "" || claimed[ids[2]].ID != "" {
			t.Fatalf("claimed %d of the first ten; want the 8 claimable ones, not the one under another's live lease nor the finished one", len(claimed))
		}
		for id, ev := range claimed {
			want := 1
			if id == ids[1] {
				want = 2 // taken over: its first attempt was counted by the dead owner's claim
			}
			if ev.Status != store.EventRunning || ev.LeaseOwner != "me" || ev.LeaseUntil == nil || ev.Attempts != want || ev.Payload != "{}" {
				t.Errorf("claimed %s as %+v; want it running under my lease, attempt %d, with its payload", id, ev, want)
			}
		}

		// Two owners at once on the other thirty: each event goes to one of them.
		rest := ids[10:]
		var wg sync.WaitGroup
		results := make([][]store.Event, 2)
		for i, owner := range []string{"a", "b"} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var err error
				if results[i], err = st.ClaimEvents(ctx, rest, owner, time.Minute); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		seen := map[string]int{}
		for _, r := range results {
			for _, ev := range r {
				seen[ev.ID]++
			}
		}
		for _, id := range rest {
			if seen[id] > 1 {
				t.Fatalf("event claimed %d times by two owners at once", seen[id])
			}
		}
		// An event skipped because the other owner was taking it is that owner's: none is left queued.
		due, err := st.DueEvents(ctx, now.Add(time.Second), 100)
		if err != nil || len(due) != 0 {
			t.Errorf("after both claims %d events are still due (%v); want none", len(due), err)
		}
	})
}
