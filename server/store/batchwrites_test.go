package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/hookflow/hookflow/server/store"
)

// The batch writes of the busy path (webhooks stored, runs stored and their events moved on) are
// statements of their own on SQLite; on both databases every column written reads back as it was
// given, earlier attempts step back behind the new run, and each event ends as its outcome says.
func TestStore_BatchWritesKeepEveryColumnAndMoveEventsOn(t *testing.T) {
	forEachDB(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		at := time.Date(2026, 12, 1, 10, 11, 12, 123456000, time.UTC)
		lease := at.Add(time.Minute)
		events := []*store.Event{
			{ID: "done", TeamID: "team", FlowID: "f", Payload: `{"q":"а"}`, Status: store.EventQueued, Attempts: 2, NextAt: at, LeaseUntil: &lease, LeaseOwner: "p1", ReceivedAt: at},
			{ID: "retry", TeamID: "team", FlowID: "f", Payload: `{}`, Status: store.EventQueued, NextAt: at, ReceivedAt: at},
			{ID: "failed", TeamID: "team", FlowID: "f", Payload: `{}`, Status: store.EventQueued, NextAt: at, ReceivedAt: at},
			{ID: "sample", TeamID: "team", FlowID: "f", Payload: `{}`, Status: store.EventSample, NextAt: at, ReceivedAt: at},
		}
		if err := st.InsertEvents(ctx, events); err != nil {
			t.Fatal(err)
		}
		got, err := st.Event(ctx, "done")
		if err != nil {
			t.Fatal(err)
		}
		if got.TeamID != "team" || got.FlowID != "f" || got.Payload != `{"q":"а"}` || got.Status != store.EventQueued || got.Attempts != 2 ||
			!got.NextAt.Equal(at) || got.LeaseUntil == nil || !got.LeaseUntil.Equal(lease) || got.LeaseOwner != "p1" || !got.ReceivedAt.Equal(at) {
			t.Fatalf("event read back as %+v", got)
		}

		// An earlier attempt of "done" is in the journal: the new run supersedes it.
		if err := st.CreateRun(ctx, &store.Run{ID: "earlier", FlowID: "f", EventID: "done", Status: "failed", StartedAt: at.Add(-time.Hour)}); err != nil {
			t.Fatal(err)
		}
		retryAt := at.Add(5 * time.Minute)
		run := &store.Run{ID: "r-done", TeamID: "team", FlowID: "f", EventID: "done", Status: "success", Error: "", FailedStep: "send",
			Trace: `{"steps":[]}`, Test: true, Attempt: 3, StartedAt: at, DurationMs: 42, ErrorCode: "http.status", ErrorParams: `{"status":500}`}
		failedRetry := &store.Run{ID: "r-retry", TeamID: "team", FlowID: "f", EventID: "retry", Status: "failed", Attempt: 1, StartedAt: at, RetryAt: &retryAt}
		err = st.FinishEvents(ctx, []store.Finish{
			{EventID: "done", Run: run, Status: store.EventDone, Claimed: true},
			{EventID: "retry", Run: failedRetry, Status: store.EventFailed, RetryAt: retryAt},
			{EventID: "failed", Status: store.EventFailed},
		})
		if err != nil {
			t.Fatal(err)
		}
		r, err := st.LatestRun(ctx, "done")
		if err != nil {
			t.Fatal(err)
		}
		if r.ID != "r-done" || r.TeamID != "team" || r.Status != "success" || r.FailedStep != "send" || r.Trace != `{"steps":[]}` || !r.Test ||
			r.Attempt != 3 || !r.StartedAt.Equal(at) || r.DurationMs != 42 || r.ErrorCode != "http.status" || r.ErrorParams != `{"status":500}` ||
			r.RetryAt != nil || r.Superseded {
			t.Errorf("run read back as %+v", r)
		}
		if r, err := st.LatestRun(ctx, "retry"); err != nil || r.RetryAt == nil || !r.RetryAt.Equal(retryAt) {
			t.Errorf("the failed attempt's run %+v, %v: want its retry time", r, err)
		}
		if n := countSuperseded(t, st, "done"); n != 1 {
			t.Errorf("%d superseded runs of the webhook, want its earlier attempt", n)
		}
		for _, want := range []struct {
			id, status string
			attempts   int
			nextAt     time.Time
		}{
			{"done", store.EventDone, 2, at},         // the claim counted the attempt
			{"retry", store.EventQueued, 1, retryAt}, // back in the queue, attempt counted here
			{"failed", store.EventFailed, 1, at},     // nothing ran: counted, not rescheduled
			{"sample", store.EventSample, 0, at},     // untouched
		} {
			ev, err := st.Event(ctx, want.id)
			if err != nil {
				t.Fatal(err)
			}
			if ev.Status != want.status || ev.Attempts != want.attempts || !ev.NextAt.Equal(want.nextAt) {
				t.Errorf("event %s: %s, %d attempts, next at %v; want %s, %d, %v", want.id, ev.Status, ev.Attempts, ev.NextAt, want.status, want.attempts, want.nextAt)
			}
			if want.id != "sample" && (ev.LeaseUntil != nil || ev.LeaseOwner != "") {
				t.Errorf("event %s still leased: %v %q", want.id, ev.LeaseUntil, ev.LeaseOwner)
			}
		}
	})
}

func countSuperseded(t *testing.T, st *store.Store, eventID string) int64 {
	t.Helper()
	var n int64
	if err := st.Read(context.Background()).Model(&store.Run{}).Where("event_id = ? AND superseded = ?", eventID, true).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}
