package store_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/hookflow/hookflow/server/store"
)

// A process whose lease ran out and was taken over renews nothing and stores nothing for that
// event; the process that took it over renews it and stores its outcome.
func TestStore_LeaseTakenOverIsRenewedAndFinishedOnlyByItsNewOwner(t *testing.T) {
	forEachDB(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		now := time.Now().UTC()
		ev := &store.Event{ID: store.NewID(), FlowID: "f", Payload: "{}", Status: store.EventQueued, NextAt: now, ReceivedAt: now}
		if err := st.InsertEvents(ctx, []*store.Event{ev}); err != nil {
			t.Fatal(err)
		}
		// Process A claims it with a lease that has already run out (A stopped renewing).
		if _, ok, err := st.ClaimEvent(ctx, ev.ID, "A", -time.Second); !ok || err != nil {
			t.Fatalf("A's claim: %v %v", ok, err)
		}
		due, _ := st.DueEvents(ctx, time.Now(), 10)
		if !slices.Contains(due, ev.ID) {
			t.Fatal("an event whose lease ran out is not due")
		}
		if _, ok, err := st.ClaimEvent(ctx, ev.ID, "B", time.Minute); !ok || err != nil {
			t.Fatalf("B's take-over: %v %v", ok, err)
		}
		if got, _ := st.Event(ctx, ev.ID); got.LeaseUntil == nil || got.LeaseOwner != "B" ||
			got.LeaseUntil.Before(time.Now().Add(50*time.Second)) || got.LeaseUntil.After(time.Now().Add(70*time.Second)) {
			t.Fatalf("after B's claim of a minute: %+v (now %v)", got, time.Now().UTC())
		}
		if held, err := st.RenewLeases(ctx, "A", []string{ev.ID}, time.Minute); err != nil || len(held) != 0 {
			t.Fatalf("A renewed %v (%v)", held, err)
		}
		if held, err := st.RenewLeases(ctx, "B", []string{ev.ID}, time.Minute); err != nil || !slices.Equal(held, []string{ev.ID}) {
			t.Fatalf("B renewed %v (%v)", held, err)
		}
		runA := &store.Run{ID: store.NewID(), FlowID: "f", EventID: ev.ID, Status: "success", StartedAt: now}
		lost, err := st.FinishLeased(ctx, "A", []store.Finish{{EventID: ev.ID, Run: runA, Status: store.EventDone, Claimed: true}})
		if err != nil || !slices.Equal(lost, []string{ev.ID}) {
			t.Fatalf("A's finish: lost %v, %v", lost, err)
		}
		if got, _ := st.Event(ctx, ev.ID); got.Status != store.EventRunning {
			t.Fatalf("A's outcome moved B's event to %s", got.Status)
		}
		if _, err := st.Run(ctx, runA.ID); err != store.ErrNotFound {
			t.Fatalf("A's run was stored: %v", err)
		}
		runB := &store.Run{ID: store.NewID(), FlowID: "f", EventID: ev.ID, Status: "success", StartedAt: now}
		lost, err = st.FinishLeased(ctx, "B", []store.Finish{{EventID: ev.ID, Run: runB, Status: store.EventDone, Claimed: true}})
		if err != nil || len(lost) != 0 {
			t.Fatalf("B's finish: lost %v, %v", lost, err)
		}
		got, _ := st.Event(ctx, ev.ID)
		if got.Status != store.EventDone || got.Attempts != 2 || got.LeaseOwner != "" {
			t.Fatalf("event after B's finish: %+v", got)
		}
		if _, err := st.Run(ctx, runB.ID); err != nil {
			t.Fatalf("B's run: %v", err)
		}
	})
}

// A batch written claimed (the webhooks a running process takes in) is stored with the queued
// events already running under the writer's lease, their attempt counted, and samples as they
// were; the lease runs out as a claim's does, so another process takes them over if the writer
// dies before running them.
func TestStore_InsertClaimedEventsClaimsTheQueuedOnesInTheSameWrite(t *testing.T) {
	forEachDB(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		now := time.Now().UTC()
		queued := &store.Event{ID: store.NewID(), FlowID: "f", Payload: "{}", Status: store.EventQueued, NextAt: now, ReceivedAt: now}
		sample := &store.Event{ID: store.NewID(), FlowID: "f", Payload: "{}", Status: store.EventSample, NextAt: now, ReceivedAt: now}
		if err := st.InsertClaimedEvents(ctx, []*store.Event{queued, sample}, "A", time.Minute); err != nil {
			t.Fatal(err)
		}
		if queued.Status != store.EventQueued || queued.Attempts != 0 {
			t.Fatalf("the event in memory changed: %+v", queued)
		}
		got, _ := st.Event(ctx, queued.ID)
		if got.Status != store.EventRunning || got.LeaseOwner != "A" || got.Attempts != 1 || got.LeaseUntil == nil ||
			got.LeaseUntil.Before(time.Now().Add(50*time.Second)) || got.LeaseUntil.After(time.Now().Add(70*time.Second)) {
			t.Fatalf("queued event after the claimed write: %+v", got)
		}
		if s, _ := st.Event(ctx, sample.ID); s.Status != store.EventSample || s.LeaseOwner != "" || s.Attempts != 0 {
			t.Fatalf("sample after the claimed write: %+v", s)
		}
		if due, _ := st.DueEvents(ctx, time.Now(), 10); slices.Contains(due, queued.ID) {
			t.Fatal("an event claimed under a live lease is due")
		}
		if _, ok, _ := st.ClaimEvent(ctx, queued.ID, "B", time.Minute); ok {
			t.Fatal("another process claimed an event under a live lease")
		}
		// The writer died: its lease runs out and the event is due for the others.
		expired := &store.Event{ID: store.NewID(), FlowID: "f", Payload: "{}", Status: store.EventQueued, NextAt: now, ReceivedAt: now}
		if err := st.InsertClaimedEvents(ctx, []*store.Event{expired}, "A", -time.Second); err != nil {
			t.Fatal(err)
		}
		if due, _ := st.DueEvents(ctx, time.Now(), 10); !slices.Contains(due, expired.ID) {
			t.Fatal("an event whose writer's lease ran out is not due")
		}
		lost, err := st.FinishLeased(ctx, "A", []store.Finish{{EventID: queued.ID, Status: store.EventDone, Claimed: true}})
		if got, _ := st.Event(ctx, queued.ID); err != nil || len(lost) != 0 || got.Status != store.EventDone || got.Attempts != 1 {
			t.Fatalf("finished by its writer: %+v, lost %v, %v", got, lost, err)
		}
	})
}

// An event put back in the queue (a replay, a retry by hand, an attempt given back) is due at the
// time its caller gives, the service's clock, which the scheduler's scans compare with: with a
// clock ahead of the machine's (a test's fake clock, or a clock set by hand), the machine's time
// would make it due at once for a scan that is not coming until that clock moves, or (behind it)
// keep it waiting for hours.
func TestStore_RequeuedAndReleasedEventsAreDueAtTheCallersTime(t *testing.T) {
	forEachDB(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		later := time.Now().UTC().Add(time.Hour).Truncate(time.Millisecond)
		for _, put := range []struct {
			name string
			back func(id string) error
		}{
			{"requeued", func(id string) error { return st.RequeueEvent(ctx, id, later) }},
			{"released", func(id string) error { return st.ReleaseEvent(ctx, id, "A", later) }},
		} {
			ev := &store.Event{ID: store.NewID(), FlowID: "f", Payload: "{}", Status: store.EventQueued, NextAt: time.Now().UTC(), ReceivedAt: time.Now().UTC()}
			if err := st.InsertClaimedEvents(ctx, []*store.Event{ev}, "A", time.Minute); err != nil {
				t.Fatal(err)
			}
			if err := put.back(ev.ID); err != nil {
				t.Fatalf("%s: %v", put.name, err)
			}
			if due, _ := st.DueEvents(ctx, later.Add(-time.Second), 10); slices.Contains(due, ev.ID) {
				t.Errorf("%s: due a second before the time given", put.name)
			}
			if due, _ := st.DueEvents(ctx, later, 10); !slices.Contains(due, ev.ID) {
				t.Errorf("%s: not due at the time given", put.name)
			}
			got, _ := st.Event(ctx, ev.ID)
			if got.Status != store.EventQueued || got.LeaseOwner != "" || got.LeaseUntil != nil {
				t.Errorf("%s: %+v", put.name, got)
			}
		}
	})
}
