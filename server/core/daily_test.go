package core_test

import (
	"context"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/hookflow/hookflow/server/core"
	"github.com/hookflow/hookflow/server/internal/testdb"
	"github.com/hookflow/hookflow/server/store"
)

// The chart counts today afresh at every view and the days before it at most once a minute: a
// run stored yesterday shows within a minute, one stored today at once, and a retention pass
// that deleted runs shows at once.
func TestDaily_PastDaysAreCountedOnceAMinuteAndTodayAlways(t *testing.T) {
	for _, dialect := range testdb.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			loc, _ := time.LoadLocation(core.DefaultTimeZone)
			// Retention cuts by the real time: the chart's clock starts there.
			now := time.Now().In(loc)
			clock := clockwork.NewFakeClockAt(now)
			y, m, d := now.Date()
			todayStart := time.Date(y, m, d, 0, 0, 0, 0, loc)
			today := todayStart.Add(now.Sub(todayStart) / 2)
			yesterday := todayStart.Add(-12 * time.Hour)
			st := testdb.Open(t, dialect)
			app := core.New(core.Config{Clock: clock}, st, nil, nil)
			flow := &store.Flow{Name: "chart", Document: "{}", Settings: `{"retention_days":10}`}
			if err := st.CreateFlow(ctx, flow); err != nil {
				t.Fatal(err)
			}
			add := func(at time.Time, status string) {
				t.Helper()
				if err := st.CreateRun(ctx, &store.Run{ID: store.NewID(), FlowID: flow.ID, Status: status, StartedAt: at.UTC()}); err != nil {
					t.Fatal(err)
				}
			}
			chart := func() (yesterday, today int64) {
				t.Helper()
				d, err := app.Journal().DailyRuns(ctx, flow.ID, clock.Now(), loc, 14)
				if err != nil {
					t.Fatal(err)
				}
				f := d.Flows[flow.ID]
				return f.Success[12] + f.Failed[12], f.Success[13] + f.Failed[13]
			}
			add(yesterday, "success")
			add(today, "success")
			if y, d := chart(); y != 1 || d != 1 {
				t.Fatalf("chart: yesterday %d, today %d; want 1, 1", y, d)
			}

			add(yesterday, "failed")
			add(today, "failed")
			if y, d := chart(); y != 1 || d != 2 {
				t.Fatalf("within the minute: yesterday %d, today %d; want 1 (kept), 2 (afresh)", y, d)
			}
			clock.Advance(time.Minute)
			if y, d := chart(); y != 2 || d != 2 {
				t.Fatalf("a minute later: yesterday %d, today %d; want 2, 2", y, d)
			}

			// Retention (10 days here) deletes a run of 11 days ago: the chart forgets at once.
			add(todayStart.Add(-10*24*time.Hour-12*time.Hour), "success")
			clock.Advance(time.Minute)
			before, err := app.Journal().DailyRuns(ctx, flow.ID, clock.Now(), loc, 14)
			if err != nil || before.Flows[flow.ID].Success[2] != 1 {
				t.Fatalf("11 days ago before retention: %+v %v", before, err)
			}
			if n := app.Prune(ctx); n != 1 {
				t.Fatalf("retention deleted %d runs, want 1", n)
			}
			after, err := app.Journal().DailyRuns(ctx, flow.ID, clock.Now(), loc, 14)
			if err != nil || after.Flows[flow.ID].Success[2] != 0 {
				t.Fatalf("11 days ago after retention: %+v %v", after.Flows[flow.ID], err)
			}
		})
	}
}
