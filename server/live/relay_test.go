package live

import (
	"context"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// memRelay numbers events in the order they are relayed and delivers each to every hub, as the
// database does between processes.
type memRelay struct {
	mu   sync.Mutex
	next uint64
	hubs []*Hub
	hold bool // numbered but not delivered (a lost connection)
}

func (r *memRelay) relay(ev Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.next++
	ev.Seq = r.next
	if r.hold {
		return
	}
	for _, h := range r.hubs {
		h.Deliver(ev)
	}
}

func relayedHubs(n int, start uint64, opts Options) (*memRelay, []*Hub) {
	r := &memRelay{next: start}
	hubs := make([]*Hub, n)
	for i := range hubs {
		hubs[i] = NewHub(opts)
		hubs[i].SetRelay(r.relay)
		hubs[i].Resume(start)
	}
	r.hubs = hubs
	return r, hubs
}

func TestRelay_EventsPublishedInOneProcessReachTheWatchersOfAnotherWithTheSameNumbers(t *testing.T) {
	_, hubs := relayedHubs(2, 1000, quick())
	a, b := startServer(t, hubs[0], nil), startServer(t, hubs[1], nil)
	onA := dial(t, a, "f1", "")
	waitClients(t, hubs[0], "f1", 1)
	for i := range 3 {
		if got := hubs[1].Publish("f1", Event{RunID: "r", Type: TypeStepFinished, Node: string(rune('a' + i))}); got.Seq != 0 {
			t.Fatalf("a relayed Publish numbered the event itself: %d", got.Seq)
		}
	}
	for i := range 3 {
		ev := readEvent(t, onA)
		if ev.Seq != uint64(1001+i) || ev.Node != string(rune('a'+i)) || ev.FlowID != "f1" {
			t.Fatalf("event %d on the other process: %+v", i, ev)
		}
	}
	// The process that published holds them too, under the same numbers: a cursor from one is
	// valid on the other.
	onB := dial(t, b, "f1", "since=1001")
	if ev := readEvent(t, onB); ev.Seq != 1002 || ev.Node != "b" {
		t.Fatalf("catch-up on the publishing process: %+v", ev)
	}
	if ev := readEvent(t, onB); ev.Seq != 1003 {
		t.Fatalf("catch-up on the publishing process: %+v", ev)
	}
}

func TestRelay_DeliverKeepsOnlyEventsNewerThanTheFlowHolds(t *testing.T) {
	hub := NewHub(quick())
	hub.SetRelay(func(Event) {})
	hub.Resume(100)
	for _, tc := range []struct {
		seq  uint64
		want bool
	}{{100, false}, {101, true}, {101, false}, {99, false}, {150, true}, {0, false}} {
		if got := hub.Deliver(Event{FlowID: "f", Seq: tc.seq, Type: TypeRunStarted}); got != tc.want {
			t.Errorf("Deliver(seq %d) = %v, want %v", tc.seq, got, tc.want)
		}
	}
}

// A browser that saw an event through a fast process and reconnects to one the event has not
// reached yet gets what follows it, without a gap and without that event twice.
func TestRelay_ACursorAheadOfThisProcessWaitsForTheEventsToArrive(t *testing.T) {
	hub := NewHub(quick())
	hub.SetRelay(func(Event) {})
	start := uint64(time.Now().UnixMicro())
	hub.Resume(start)
	srv := startServer(t, hub, nil)
	conn := dial(t, srv, "f", "since="+itoa(start+2))
	waitClients(t, hub, "f", 1)
	for seq := start + 1; seq <= start+3; seq++ {
		hub.Deliver(Event{FlowID: "f", Seq: seq, Type: TypeStepFinished})
	}
	if ev := readEvent(t, conn); ev.Seq != start+3 || ev.Type == TypeGap {
		t.Fatalf("first event after a cursor ahead of this process: %+v, want seq %d", ev, start+3)
	}
}

// After the relay lost its connection while events were numbered, watchers are told to reconnect
// and get the missed part from Backfill (the journal); when nothing was missed they stay.
func TestRelay_ResumeAfterMissedEventsSendsWatchersToTheJournal(t *testing.T) {
	var asked []uint64
	var mu sync.Mutex
	opts := quick()
	opts.Backfill = func(_ context.Context, flowID string, since uint64) ([]Event, error) {
		mu.Lock()
		asked = append(asked, since)
		mu.Unlock()
		return []Event{{Seq: 1003, RunID: "missed", Type: TypeRunFinished}}, nil
	}
	r, hubs := relayedHubs(1, 1000, opts)
	hub := hubs[0]
	srv := startServer(t, hub, nil)
	conn := dial(t, srv, "f", "")
	waitClients(t, hub, "f", 1)
	hub.Publish("f", Event{RunID: "r1", Type: TypeRunStarted})
	if ev := readEvent(t, conn); ev.Seq != 1001 {
		t.Fatalf("got %+v", ev)
	}

	hub.Resume(1001) // reconnected, nothing numbered meanwhile
	if hub.Clients("f") != 1 {
		t.Fatal("a watcher was disconnected though nothing was missed")
	}

	r.mu.Lock()
	r.hold = true
	r.mu.Unlock()
	hub.Publish("f", Event{RunID: "r2", Type: TypeRunStarted})
	hub.Publish("f", Event{RunID: "missed", Type: TypeRunFinished})
	r.mu.Lock()
	r.hold = false
	r.mu.Unlock()
	hub.Resume(1003)
	if code := closeCode(t, conn); code != websocket.CloseTryAgainLater {
		t.Fatalf("close code after missed events: %d, want 1013", code)
	}
	again := dial(t, srv, "f", "since=1001")
	if ev := readEvent(t, again); ev.Seq != 1003 || ev.RunID != "missed" {
		t.Fatalf("catch-up after the reconnect: %+v", ev)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(asked) != 1 || asked[0] != 1001 {
		t.Fatalf("Backfill asked from %v, want [1001]", asked)
	}
	hub.Publish("f", Event{RunID: "r3", Type: TypeRunStarted})
	if ev := readEvent(t, again); ev.Seq != 1004 || ev.RunID != "r3" {
		t.Fatalf("live after the catch-up: %+v", ev)
	}
}

func TestRunEnded_IsClosedByTheRunFinishedOfThatRequestOnly(t *testing.T) {
	for _, relayed := range []bool{false, true} {
		hub := NewHub(quick())
		if relayed {
			_, hubs := relayedHubs(1, 10, quick())
			hub = hubs[0]
		}
		ended, stop := hub.RunEnded("ev1")
		other, stopOther := hub.RunEnded("ev2")
		hub.Publish("f", Event{RunID: "r", EventID: "ev1", Type: TypeEventReceived})
		hub.Publish("f", Event{RunID: "r", EventID: "ev1", Type: TypeRunStarted})
		select {
		case <-ended:
			t.Fatalf("relayed=%v: closed before the run's end", relayed)
		default:
		}
		hub.Publish("f", Event{RunID: "r", EventID: "ev1", Type: TypeRunFinished})
		select {
		case <-ended:
		case <-time.After(3 * time.Second):
			t.Fatalf("relayed=%v: not closed by the run's end", relayed)
		}
		select {
		case <-other:
			t.Fatalf("relayed=%v: another request's wait ended", relayed)
		default:
		}
		stop()
		stopOther()
		hub.waitMu.Lock()
		left := len(hub.ends)
		hub.waitMu.Unlock()
		if left != 0 {
			t.Fatalf("relayed=%v: %d waits kept after stop", relayed, left)
		}
	}
}

func itoa(v uint64) string { return strconv.FormatUint(v, 10) }
