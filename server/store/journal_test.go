package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/hookflow/hookflow/server/internal/testdb"
	"github.com/hookflow/hookflow/server/store"
)

// A webhook that failed twice and then went through is one journal row: a success with three
// attempts, and no failed webhook in the flows list's count.
func TestStore_WebhookIsOneJournalRowWithItsAttempts(t *testing.T) {
	type attempt struct {
		status string
		retry  bool // another attempt is planned
	}
	cases := []struct {
		name       string
		attempts   []attempt
		wantStatus string // as the list filter finds it
		wantFailed int64  // the flows list's failed count
		lastStatus string
	}{
		{"failed twice then delivered", []attempt{{"failed", true}, {"failed", true}, {"success", false}}, "success", 0, "success"},
		{"failed and waiting for a retry", []attempt{{"failed", true}}, store.RunWaiting, 0, store.RunWaiting},
		{"failed every attempt", []attempt{{"failed", true}, {"failed", false}}, "failed", 1, "failed"},
		{"filtered at once", []attempt{{"filtered", false}}, "filtered", 0, "filtered"},
	}
	forEachDB(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		base := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				flow := store.NewID()
				ev := &store.Event{ID: store.NewID(), FlowID: flow, Payload: "{}", Status: store.EventQueued, NextAt: base, ReceivedAt: base}
				if err := st.InsertEvents(ctx, []*store.Event{ev}); err != nil {
					t.Fatal(err)
				}
				var last string
				for i, a := range c.attempts {
					at := base.Add(time.Duration(i) * time.Minute)
					run := &store.Run{ID: store.NewID(), FlowID: flow, EventID: ev.ID, Status: a.status, Attempt: i + 1, StartedAt: at, Trace: `{"steps":[]}`}
					var retryAt time.Time
					status := store.EventDone
					if a.status == "failed" {
						status = store.EventFailed
					}
					if a.retry {
						retryAt = at.Add(30 * time.Second)
						run.RetryAt = &retryAt
					}
					if err := st.FinishEvent(ctx, ev.ID, run, status, retryAt); err != nil {
						t.Fatal(err)
					}
					last = run.ID
				}
				rows, err := st.Runs(ctx, flow, store.RunFilter{})
				if err != nil || len(rows) != 1 || rows[0].ID != last {
					t.Fatalf("journal rows = %+v, %v; want only the latest attempt %s", rows, err, last)
				}
				if got, _ := st.Runs(ctx, flow, store.RunFilter{Status: c.wantStatus}); len(got) != 1 {
					t.Errorf("filter %q finds %d rows, want 1", c.wantStatus, len(got))
				}
				counts, err := st.AttemptCounts(ctx, []string{ev.ID})
				if err != nil || counts[ev.ID] != len(c.attempts) {
					t.Errorf("attempts = %v, %v; want %d", counts, err, len(c.attempts))
				}
				all, err := st.Attempts(ctx, ev.ID)
				if err != nil || len(all) != len(c.attempts) || all[len(all)-1].ID != last || all[0].Attempt != 1 {
					t.Errorf("attempts inside = %+v, %v", all, err)
				}
				stats, err := st.Stats(ctx, flow)
				if err != nil {
					t.Fatal(err)
				}
				if s := stats[flow]; s.Failed != c.wantFailed || s.LastStatus != c.lastStatus {
					t.Errorf("flows list: %d failed, last %q; want %d, %q", s.Failed, s.LastStatus, c.wantFailed, c.lastStatus)
				}
			})
		}
	})
}

// The charts' counts: the latest attempt of each webhook, by day in the reader's time zone
// (a run at 22:30 UTC is the next day in Moscow), and nothing outside the days asked for.
func TestStore_DailyRunsCountsWebhooksPerDayInTheTimeZone(t *testing.T) {
	moscow, err := time.LoadLocation("Europe/Moscow")
	if err != nil {
		t.Fatal(err)
	}
	day := func(d int) time.Time { return time.Date(2026, 3, d, 0, 0, 0, 0, moscow) }
	bounds := []time.Time{day(1), day(2), day(3), day(4)} // March 1, 2 and 3 in Moscow
	runs := []struct {
		at         time.Time
		status     string
		retry      bool
		superseded bool
	}{
		{time.Date(2026, 2, 28, 20, 59, 0, 0, time.UTC), "success", false, false}, // 23:59 Feb 28 in Moscow: before
		{time.Date(2026, 2, 28, 21, 0, 0, 0, time.UTC), "success", false, false},  // 00:00 March 1
		{time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC), "failed", false, false},
		{time.Date(2026, 3, 1, 12, 5, 0, 0, time.UTC), "failed", false, true},     // an earlier attempt: not counted
		{time.Date(2026, 3, 1, 22, 30, 0, 0, time.UTC), "filtered", false, false}, // 01:30 March 2
		{time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC), "failed", true, false},     // waiting for a retry
		{time.Date(2026, 3, 3, 20, 59, 0, 0, time.UTC), "success", false, false},  // 23:59 March 3
		{time.Date(2026, 3, 3, 21, 0, 0, 0, time.UTC), "success", false, false},   // March 4: after
	}
	want := map[[2]any]int64{
		{0, "success"}: 1, {0, "failed"}: 1,
		{1, "filtered"}: 1, {1, store.RunWaiting}: 1,
		{2, "success"}: 1,
	}
	forEachDB(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		flow, other := store.NewID(), store.NewID()
		for _, r := range runs {
			run := &store.Run{ID: store.NewID(), FlowID: flow, Status: r.status, StartedAt: r.at, Superseded: r.superseded}
			if r.retry {
				at := r.at.Add(time.Minute)
				run.RetryAt = &at
			}
			if err := st.CreateRun(ctx, run); err != nil {
				t.Fatal(err)
			}
		}
		if err := st.CreateRun(ctx, &store.Run{ID: store.NewID(), FlowID: other, Status: "success", StartedAt: runs[2].at}); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			name  string
			flows []string
			other int64
		}{{"one flow", []string{flow}, 0}, {"the team's flows", []string{flow, other}, 1}} {
			t.Run(tc.name, func(t *testing.T) {
				counts, err := st.DailyRuns(ctx, tc.flows, bounds)
				if err != nil {
					t.Fatal(err)
				}
				got := map[[2]any]int64{}
				var gotOther int64
				for _, c := range counts {
					if c.FlowID == other {
						gotOther += c.N
						continue
					}
					got[[2]any{c.Day, c.Status}] += c.N
				}
				if len(got) != len(want) || gotOther != tc.other {
					t.Fatalf("counts = %v (other flow %d), want %v (other %d)", got, gotOther, want, tc.other)
				}
				for k, n := range want {
					if got[k] != n {
						t.Errorf("day %v %s: %d, want %d", k[0], k[1], got[k], n)
					}
				}
			})
		}
	})
}

// A journal written before runs were grouped by webhook: the upgrade keeps every attempt and
// leaves one row per webhook, its latest attempt, in the journal.
func TestStore_UpgradeGroupsEarlierAttemptsUnderTheirWebhook(t *testing.T) {
	for _, d := range testdb.Dialects() {
		t.Run(d, func(t *testing.T) {
			ctx := context.Background()
			opts := testdb.Options(t, d)
			st, err := store.Open(ctx, opts)
			if err != nil {
				t.Fatal(err)
			}
			// Back to the schema of migration version 1 (the first release's).
			db := st.Write(ctx)
			for _, q := range []string{"DROP INDEX idx_run_failed", "DROP INDEX idx_run_failed_time"} {
				if err := db.Exec(q).Error; err != nil {
					t.Fatal(err)
				}
			}
			for _, col := range []string{"ErrorCode", "ErrorParams", "RetryAt", "Superseded"} {
				if err := db.Migrator().DropColumn(&store.Run{}, col); err != nil {
					t.Fatal(err)
				}
			}
			if err := db.Migrator().DropColumn(&store.Flow{}, "StartedAt"); err != nil { // migration 3's
				t.Fatal(err)
			}
			if err := db.Migrator().DropTable("live_cursor"); err != nil { // migration 5's (PostgreSQL only)
				t.Fatal(err)
			}
			if err := db.Exec("DELETE FROM hookflow_migrations WHERE version_id >= 2").Error; err != nil {
				t.Fatal(err)
			}
			base := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
			rows := []struct{ id, event string }{
				{"r1", "e1"}, {"r2", "e1"}, {"r3", "e1"}, // three attempts of one webhook
				{"r4", "e2"},           // one attempt
				{"r5", ""}, {"r6", ""}, // test runs: no webhook, each its own row
			}
			for i, r := range rows {
				if err := db.Exec(`INSERT INTO runs (id, team_id, flow_id, event_id, status, error, failed_step, trace, test, attempt, started_at, duration_ms)
					VALUES (?, '', 'f', ?, 'failed', '', '', '{}', ?, ?, ?, 1)`, r.id, r.event, r.event == "", i+1, base.Add(time.Duration(i)*time.Minute)).Error; err != nil {
					t.Fatal(err)
				}
			}
			st.Close()
			st, err = store.Open(ctx, opts)
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			list, err := st.Runs(ctx, "f", store.RunFilter{})
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, r := range list {
				ids = append(ids, r.ID)
			}
			if fmt.Sprint(ids) != "[r6 r5 r4 r3]" {
				t.Fatalf("journal after the upgrade = %v, want [r6 r5 r4 r3]", ids)
			}
			if all, _ := st.Attempts(ctx, "e1"); len(all) != 3 {
				t.Fatalf("attempts of e1 = %d, want 3 kept", len(all))
			}
		})
	}
}
