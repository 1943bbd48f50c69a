package core

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/hookflow/hookflow/server/internal/testdb"
	"github.com/hookflow/hookflow/server/store"
)

// On SQLite the finisher's batch is written in the same transaction as the webhooks waiting at
// that moment: one commit for both. When the finished batch cannot be stored, the webhooks are
// still written (on their own) and acknowledged, and the finisher is told, to retry its batch.
func TestIngress_WebhooksShareTheFinishersCommitAndNeverItsFailure(t *testing.T) {
	for _, tc := range []struct {
		name       string
		runID      string // "taken": a run with this id is in the journal already
		finishFail bool
	}{
		{"both stored in one transaction", "new-run", false},
		{"the finished batch fails, the webhook is stored", "taken", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			st := testdb.Open(t, "sqlite")
			now := time.Now().UTC()
			if err := st.InsertEvents(ctx, []*store.Event{{ID: "ran", FlowID: "f", Status: store.EventRunning, NextAt: now, ReceivedAt: now}}); err != nil {
				t.Fatal(err)
			}
			if err := st.CreateRun(ctx, &store.Run{ID: "taken", FlowID: "f", Status: "success", StartedAt: now}); err != nil {
				t.Fatal(err)
			}
			var calls []string
			g := newIngress(st, ingressHooks{
				reserve: func([]*store.Event) bool { return false },
				write: func(ctx context.Context, evs []*store.Event, _ bool) error {
					calls = append(calls, "webhooks alone")
					return st.InsertEvents(ctx, evs)
				},
				writeWith: func(ctx context.Context, evs []*store.Event, rows []store.Finish) error {
					calls = append(calls, "webhooks with finished runs")
					return st.InsertAndFinish(ctx, evs, rows)
				},
				unreserve: func([]*store.Event) {},
				committed: func([]*store.Event, bool) { calls = append(calls, "committed") },
				written:   func(error) {},
			})
			fin := &finishRequest{done: make(chan error, 1), rows: []store.Finish{{EventID: "ran", Status: store.EventDone, Claimed: true,
				Run: &store.Run{ID: tc.runID, FlowID: "f", EventID: "ran", Status: "success", StartedAt: now}}}}
			hook := &store.Event{ID: "hook", FlowID: "f", Status: store.EventQueued, NextAt: now, ReceivedAt: now}
			if err := g.write([]*store.Event{hook}, fin); err != nil {
				t.Fatalf("the webhook was refused: %v", err)
			}
			want := []string{"webhooks with finished runs", "committed"}
			if tc.finishFail {
				want = []string{"webhooks with finished runs", "webhooks alone", "committed"}
			}
			if !slices.Equal(calls, want) {
				t.Errorf("writes %q, want %q", calls, want)
			}
			if _, err := st.Event(ctx, "hook"); err != nil {
				t.Errorf("the acknowledged webhook is not stored: %v", err)
			}
			if err := <-fin.done; (err != nil) != tc.finishFail {
				t.Errorf("the finisher was told %v; want a failure: %v", err, tc.finishFail)
			}
			ev, err := st.Event(ctx, "ran")
			if err != nil {
				t.Fatal(err)
			}
			if want := map[bool]string{false: store.EventDone, true: store.EventRunning}[tc.finishFail]; ev.Status != want {
				t.Errorf("the finished event is %s, want %s", ev.Status, want)
			}
		})
	}
}

// A writer that has stopped takes no finished batch: the finisher is told to write it itself.
func TestIngress_AStoppedWriterSendsTheFinisherBack(t *testing.T) {
	st := testdb.Open(t, "sqlite")
	g := newIngress(st, ingressHooks{})
	g.start()
	g.stop()
	if ok, err := g.finishAlongside([]store.Finish{{EventID: "x"}}); ok || err != nil {
		t.Errorf("a stopped writer took a batch: %v %v", ok, err)
	}
}

// A finished batch with no webhook to share a commit with waits a moment for one, then is
// stored on its own.
func TestIngress_AFinishedBatchAloneIsStoredAfterItsWait(t *testing.T) {
	ctx := context.Background()
	st := testdb.Open(t, "sqlite")
	now := time.Now().UTC()
	if err := st.InsertEvents(ctx, []*store.Event{{ID: "ran", FlowID: "f", Status: store.EventRunning, NextAt: now, ReceivedAt: now}}); err != nil {
		t.Fatal(err)
	}
	g := newIngress(st, ingressHooks{reserve: func([]*store.Event) bool { return false }, writeWith: st.InsertAndFinish})
	g.start()
	defer g.stop()
	if ok, err := g.finishAlongside([]store.Finish{{EventID: "ran", Status: store.EventDone, Claimed: true}}); !ok || err != nil {
		t.Fatalf("the writer took the batch: %v, error %v", ok, err)
	}
	if ev, err := st.Event(ctx, "ran"); err != nil || ev.Status != store.EventDone {
		t.Errorf("the finished event: %+v, %v; want done", ev, err)
	}
}
