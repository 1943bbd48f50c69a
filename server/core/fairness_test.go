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
	st := testdb.Open(t, "sqlite")
	q := newQueue(st, &Config{Workers: 4, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}, ctx, make(chan struct{}))
	q.teamOf = func(string) string { return "team" }
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
