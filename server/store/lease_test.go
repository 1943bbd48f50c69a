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
