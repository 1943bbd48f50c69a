package core

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/hookflow/hookflow/server/internal/testdb"
	"github.com/hookflow/hookflow/server/store"
)

// An event parked by the workers' shares keeps the copy it was handed with (a busy flow parks
// most of its events once, and reading each again was a twentieth of the work), unless the
// journal changes the stored event meanwhile: a replay resets its attempts, and the run must
// start from that.
func TestFairness_AParkedEventIsReadAgainOnlyAfterTheJournalChangedIt(t *testing.T) {
	ctx := context.Background()
	q, st := fairQueue(t)
	now := time.Now().UTC()
	var jobs []job
	for _, id := range []string{"a", "b", "c", "d", "e"} {
		ev := &store.Event{ID: id, FlowID: "flow", Status: store.EventQueued, Attempts: 2, NextAt: now, ReceivedAt: now}
		if err := st.InsertEvents(ctx, []*store.Event{ev}); err != nil {
			t.Fatal(err)
		}
		jobs = append(jobs, job{id: id, ev: ev})
	}
	// Four workers: three of one flow start (a quarter stays free), the next two wait.
	var running []fairSlot
	for _, j := range jobs[:3] {
		s, ok := q.admit(&j)
		if !ok {
			t.Fatalf("%s was parked with %d running", j.id, len(running))
		}
		running = append(running, s)
	}
	for _, j := range jobs[3:] {
		if _, ok := q.admit(&j); ok {
			t.Fatalf("%s started beyond the flow's share", j.id)
		}
	}
	// The journal replays e; d changes underneath without the journal (nothing does that, but
	// it shows whether d's copy was read again).
	for _, id := range []string{"d", "e"} {
		if err := st.ResetAttempts(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	q.changed("e")

	for i, want := range []struct {
		id       string
		attempts int
	}{{"d", 2}, {"e", 0}} {
		q.leave(running[i])
		j := <-q.work
		if j.id != want.id {
			t.Fatalf("let in %s, want %s", j.id, want.id)
		}
		if _, ok := q.admit(&j); !ok {
			t.Fatalf("%s parked again", j.id)
		}
		if j.ev == nil || j.ev.Attempts != want.attempts {
			t.Errorf("%s starts with %+v, want %d attempts", j.id, j.ev, want.attempts)
		}
	}
}

// An event the scan found (its flow known, the event not read) that is over its flow's share
// waits parked without being read: a busy flow's backlog costs no read per event it parks.
func TestFairness_AScannedEventOverItsShareWaitsUnread(t *testing.T) {
	q, _ := fairQueue(t)
	for _, id := range []string{"a", "b", "c"} {
		j := job{id: id, flow: "flow"}
		if _, ok := q.admit(&j); !ok {
			t.Fatalf("%s was parked", id)
		}
	}
	// "unread" is not in the database: reading it would drop it.
	j := job{id: "unread", flow: "flow"}
	if _, ok := q.admit(&j); ok {
		t.Fatal("started beyond the flow's share")
	}
	if len(q.fair.parked) != 1 || q.fair.parked[0].id != "unread" {
		t.Fatalf("parked %+v, want the unread event", q.fair.parked)
	}
}

// While the parked events are enough to keep the workers busy, the scan hands out only what may
// start at once — another team's due retry — and leaves the busy flow's events in the queue (they
// would be parked or given back at once), looking again soon; once the parked are fewer it hands
// those out too, with their flows, unread.
func TestQueue_ScanHandsOutOnlyWhatMayStartWhileParkedEventsAreMany(t *testing.T) {
	q, st := fairQueue(t)
	q.teamOf = func(flow string) string {
		if flow == "calm" {
			return "other team"
		}
		return "team"
	}
	ctx := context.Background()
	now := time.Now().UTC()
	for _, id := range []string{"a", "b", "c"} { // the busy flow runs three: its share is reached
		j := job{id: id, flow: "busy"}
		if _, ok := q.admit(&j); !ok {
			t.Fatalf("%s was parked", id)
		}
	}
	for i := 0; i < maxParked/2; i++ {
		q.fair.parked = append(q.fair.parked, fairSlot{job: job{id: "p"}, flow: "busy", team: "team"})
	}
	err := st.InsertEvents(ctx, []*store.Event{
		{ID: "busy-due", FlowID: "busy", Status: store.EventQueued, NextAt: now.Add(-time.Minute), ReceivedAt: now},
		{ID: "calm-due", FlowID: "calm", Status: store.EventQueued, NextAt: now, ReceivedAt: now},
	})
	if err != nil {
		t.Fatal(err)
	}
	if wait := q.scan(); wait != scanAgainCrowded || len(q.work) != 1 {
		t.Fatalf("with %d parked: scan again in %v, %d handed out; want %v, one", len(q.fair.parked), wait, len(q.work), scanAgainCrowded)
	}
	if j := <-q.work; j.id != "calm-due" {
		t.Fatalf("handed out %s, want the other team's event", j.id)
	}
	q.fair.parked = q.fair.parked[:maxParked/2-1]
	if wait := q.scan(); wait != scanAgainIdle || len(q.work) != 1 {
		t.Fatalf("with fewer parked: scan again in %v, %d handed out; want %v, one", wait, len(q.work), scanAgainIdle)
	}
	if j := <-q.work; j.id != "busy-due" || j.flow != "busy" || j.ev != nil {
		t.Errorf("handed out %+v, want the busy flow's due event with its flow, unread", j)
	}
}

// fairQueue is a queue of four workers (a flow's share is one; three start before the share
// applies) on a SQLite database, every flow in one team.
func fairQueue(t *testing.T) (*queue, *store.Store) {
	st := testdb.Open(t, "sqlite")
	cfg := &Config{Workers: 4, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	cfg.defaults()
	q := newQueue(st, cfg, context.Background(), make(chan struct{}))
	q.teamOf = func(string) string { return "team" }
	return q, st
}
