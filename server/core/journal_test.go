package core_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/hookflow/hookflow/flows"
	"github.com/hookflow/hookflow/server/core"
	"github.com/hookflow/hookflow/server/live"
	"github.com/hookflow/hookflow/server/store"
)

// journalRuns stores runs of one flow as the workers would have: webhook "twice" failed once,
// paused at a Delay and then succeeded; "once" succeeded at once; and a test run from the editor,
// which has no webhook. The latest attempt of each comes last.
func journalRuns(t *testing.T, app *core.App, flowID string, at time.Time) map[string]*store.Run {
	t.Helper()
	trace, _ := json.Marshal(flows.Trace{Status: "success", Steps: []flows.StepTrace{
		{Node: "trigger", Kind: "webhook", Status: flows.StatusSuccess, StartedAt: at},
		{Node: "skipped", Kind: "http", Status: flows.StatusSkipped},
		{Node: "send", Kind: "http", Status: flows.StatusSuccess, StartedAt: at.Add(time.Millisecond)},
	}})
	runs := map[string]*store.Run{
		"twice-1":   {EventID: "ev-twice", Status: "failed", Attempt: 1, Superseded: true, StartedAt: at},
		"twice-2":   {EventID: "ev-twice", Status: store.RunWaiting, Attempt: 2, Superseded: true, StartedAt: at.Add(time.Second)},
		"twice-3":   {EventID: "ev-twice", Status: "success", Attempt: 3, StartedAt: at.Add(2 * time.Second), Trace: string(trace), DurationMs: 5},
		"once":      {EventID: "ev-once", Status: "success", Attempt: 1, StartedAt: at.Add(3 * time.Second)},
		"test-only": {Status: "failed", Test: true, StartedAt: at.Add(4 * time.Second)},
	}
	for _, id := range []string{"twice-1", "twice-2", "twice-3", "once", "test-only"} {
		r := runs[id]
		r.ID, r.FlowID = store.NewID(), flowID
		if err := core.StoreOf(app).CreateRun(context.Background(), r); err != nil {
			t.Fatal(err)
		}
	}
	return runs
}

func TestJournal_RunsAreTheWebhooksLatestRunsWithAttemptsNotCountingPauses(t *testing.T) {
	onEachDatabase(t, func(t *testing.T, app *core.App) {
		flowID, _ := sendFlow(t, app)
		stored := journalRuns(t, app, flowID, time.Now().UTC().Add(-time.Hour).Truncate(time.Second))
		runs, attempts, err := app.Journal().Runs(context.Background(), flowID, store.RunFilter{})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]int{}
		for _, r := range runs {
			got[r.ID] = attempts[r.ID]
		}
		want := map[string]int{stored["twice-3"].ID: 2, stored["once"].ID: 1, stored["test-only"].ID: 1}
		if len(got) != len(want) {
			t.Fatalf("runs %v, want %v", got, want)
		}
		for id, n := range want {
			if got[id] != n {
				t.Errorf("run %s: %d attempts, want %d (all: %v)", id, got[id], n, got)
			}
		}
		if runs[0].ID != stored["test-only"].ID {
			t.Errorf("the newest run is not first: %+v", runs[0])
		}
	})
}

func TestJournal_OneRunAndItsAttemptsFirstAttemptFirst(t *testing.T) {
	onEachDatabase(t, func(t *testing.T, app *core.App) {
		flowID, _ := sendFlow(t, app)
		stored := journalRuns(t, app, flowID, time.Now().UTC().Add(-time.Hour).Truncate(time.Second))
		r, err := app.Journal().Run(context.Background(), stored["twice-3"].ID)
		if err != nil || r.Trace == "" || r.EventID != "ev-twice" {
			t.Fatalf("run %+v, %v: want the latest attempt with its trace", r, err)
		}
		all, err := app.Journal().Attempts(context.Background(), r.EventID)
		if err != nil {
			t.Fatal(err)
		}
		var order []int
		for _, a := range all {
			order = append(order, a.Attempt)
		}
		if len(order) != 3 || order[0] != 1 || order[1] != 2 || order[2] != 3 {
			t.Errorf("attempts %v, want [1 2 3] (the pause among them)", order)
		}
		if _, err := app.Journal().Run(context.Background(), "no-such-run"); !core.IsNotFound(err) {
			t.Errorf("a missing run: %v, want not found", err)
		}
	})
}

func TestJournal_AFlowThatDoesNotExistIsNotFound(t *testing.T) {
	onEachDatabase(t, func(t *testing.T, app *core.App) {
		ctx := context.Background()
		if _, _, err := app.Journal().Runs(ctx, "no-such-flow", store.RunFilter{}); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Runs: %v, want not found", err)
		}
		if _, err := app.Journal().DailyRuns(ctx, "no-such-flow", time.Now(), time.UTC, 7); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("DailyRuns: %v, want not found", err)
		}
		if err := app.Flows().Exists(ctx, "no-such-flow"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("FlowExists: %v, want not found", err)
		}
	})
}

func TestJournal_BackfillRebuildsTheLiveEventsAfterSinceInOrder(t *testing.T) {
	onEachDatabase(t, func(t *testing.T, app *core.App) {
		flowID, _ := sendFlow(t, app)
		at := time.Now().UTC().Add(-time.Minute).Truncate(time.Millisecond)
		stored := journalRuns(t, app, flowID, at)
		evs, err := app.Journal().Backfill(context.Background(), flowID, uint64(at.Add(-time.Hour).UnixMicro()))
		if err != nil {
			t.Fatal(err)
		}
		// Only the latest attempt of "twice" has a trace: its two steps that ran (not the
		// skipped one) and its end. The other runs have no trace to rebuild.
		var kinds []string
		for i, ev := range evs {
			if ev.RunID != stored["twice-3"].ID {
				t.Errorf("event of run %s, which has no trace", ev.RunID)
			}
			kinds = append(kinds, ev.Type+":"+ev.Node)
			if i > 0 && ev.Seq <= evs[i-1].Seq {
				t.Errorf("sequence numbers do not increase: %d after %d", ev.Seq, evs[i-1].Seq)
			}
		}
		want := []string{live.TypeStepFinished + ":trigger", live.TypeStepFinished + ":send", live.TypeRunFinished + ":"}
		if len(kinds) != len(want) {
			t.Fatalf("events %v, want %v", kinds, want)
		}
		for i := range want {
			if kinds[i] != want[i] {
				t.Errorf("event %d is %s, want %s", i, kinds[i], want[i])
			}
		}
		// A browser that saw the first step asks only for what came after it.
		later, err := app.Journal().Backfill(context.Background(), flowID, evs[0].Seq)
		if err != nil {
			t.Fatal(err)
		}
		if len(later) != 2 || later[0].Seq != evs[1].Seq {
			t.Errorf("after the first event: %d events, want the last 2", len(later))
		}
	})
}
