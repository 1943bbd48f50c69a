package livepg

// How many live events a second the relay carries from one process to every process sharing the
// database: three relays on one PostgreSQL database stand for three processes, each with its own
// hub and connections; workers of the first publish webhook runs, and the measure ends when the
// last of the three hubs has received every event. Skipped without HOOKFLOW_TEST_POSTGRES; run
//
//	HOOKFLOW_TEST_POSTGRES=1 go test ./server/livepg/ -run '^$' -bench EventsAcrossProcesses -benchtime 50000x
//
// b.N is the number of events. It reports the events a second received by the slowest hub and
// the runs a second they make (benchRunEvents events a run).

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hookflow/hookflow/flows"
	"github.com/hookflow/hookflow/server/internal/testdb"
	"github.com/hookflow/hookflow/server/internal/testkit"
	"github.com/hookflow/hookflow/server/live"
	"github.com/hookflow/hookflow/server/store"
)

const (
	benchProcesses = 3
	benchFlows     = 4 // the runs are spread over these flows, one after the other
	benchWorkers   = 8 // core's default number of workers, each publishing its runs' events
	// benchWindow bounds the events published and not yet received by every hub, below the
	// relay's queue of 20,000: past that queue the relay drops events, and the measure would
	// be of a relay that sends fewer than it was given.
	benchWindow = 8192
	// benchStall fails the benchmark when no hub receives anything for this long.
	benchStall = 30 * time.Second
)

// benchRunEvents is how many events one run of benchRun publishes.
var benchRunEvents = len(benchRun("e", "r"))

// benchRun is what the live log is told of one webhook to a flow webhook → form_encode → http
// (as server/core publishes it): the request stored (event_received), the run's start, each
// step's start and end with its trace, and the run's end carrying the request's id.
func benchRun(eventID, runID string) []live.Event {
	now := time.Now().UTC()
	params := map[string]any{"email": "anna.smirnova@example.ru", "phone": "+7 (916) 123-45-67", "first_name": "Анна"}
	trigger := &flows.StepTrace{Node: "trigger", Kind: "webhook", Name: "GetCourse: user created", Status: flows.StatusSuccess,
		Output: map[string]any{"method": "GET", "params": params, "query": params}, StartedAt: now}
	body := "email=anna.smirnova%40example.ru&phone=79161234567&event_id=" + eventID
	form := &flows.StepTrace{Node: "form", Kind: "form_encode", Name: "Lead form", Status: flows.StatusSuccess,
		Input: params, Output: body, StartedAt: now}
	send := &flows.StepTrace{Node: "send", Kind: "http", Name: "Send to CPA.House", Status: flows.StatusSuccess,
		Input: body, Output: map[string]any{"status": 200, "body": map[string]any{"status": "success"}},
		HTTP: &flows.HTTPExchange{Sent: true,
			Request: flows.HTTPRequest{Method: "POST", URL: "https://api.cpa.house/lead",
				Headers: []flows.KeyVal{{Key: "Content-Type", Value: "application/x-www-form-urlencoded"}}, Body: body},
			Response: &flows.HTTPResponse{Status: 200, Headers: map[string]string{"Content-Type": "application/json"}, Body: `{"status":"success"}`}},
		StartedAt: now, DurationMs: 87}
	evs := []live.Event{
		{Type: live.TypeEventReceived, EventID: eventID, Status: store.EventQueued},
		{Type: live.TypeRunStarted, RunID: runID},
	}
	for _, st := range []*flows.StepTrace{trigger, form, send} {
		evs = append(evs,
			live.Event{Type: live.TypeStepStarted, RunID: runID, Node: st.Node},
			live.Event{Type: live.TypeStepFinished, RunID: runID, Node: st.Node, Step: st})
	}
	return append(evs, live.Event{Type: live.TypeRunFinished, RunID: runID, EventID: eventID, Status: flows.StatusSuccess})
}

// benchProcess is one process's live side: its hub and its relay.
type benchProcess struct {
	hub   *live.Hub
	relay *Relay
}

func (p *benchProcess) dropped() int {
	p.relay.mu.Lock()
	defer p.relay.mu.Unlock()
	return p.relay.dropped
}

// startBenchProcesses starts n hubs with their relays on one fresh database, with the
// production defaults; what they log at warning level and above goes to logs.
func startBenchProcesses(b *testing.B, n int, logs *testkit.SyncBuffer) []*benchProcess {
	b.Helper()
	testdb.SkipWithoutPostgres(b, "the live relay is PostgreSQL's")
	opts := testdb.Options(b, "postgres")
	st, err := store.Open(context.Background(), opts) // migrates: live_cursor
	if err != nil {
		b.Fatal(err)
	}
	st.Close()
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelWarn}))
	procs := make([]*benchProcess, n)
	for i := range procs {
		hub := live.NewHub(live.Options{})
		r, err := Start(context.Background(), Options{DatabaseURL: opts.DatabaseURL, Hub: hub, Logger: logger})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() {
			hub.Close()
			r.Close(time.Second)
		})
		procs[i] = &benchProcess{hub: hub, relay: r}
	}
	return procs
}

// The workers of one process publish b.N events of webhook runs; the clock stops when each of
// the three processes' hubs has received them all.
func BenchmarkRelay_EventsAcrossProcesses(b *testing.B) {
	var logs testkit.SyncBuffer
	procs := startBenchProcesses(b, benchProcesses, &logs)
	src := procs[0]

	// The sending connection is opened by the first batch: one event reaches every hub before
	// the clock starts.
	var warm []<-chan struct{}
	for _, p := range procs {
		ch, _ := p.hub.RunEnded("warm-up")
		warm = append(warm, ch)
	}
	src.hub.Publish("warm-up", live.Event{Type: live.TypeRunFinished, RunID: "warm-up", EventID: "warm-up", Status: flows.StatusSuccess})
	for _, ch := range warm {
		select {
		case <-ch:
		case <-time.After(benchStall):
			b.Fatalf("the warm-up event did not reach every hub within %v: %s", benchStall, logs.String())
		}
	}

	// Every run ends with its run_finished, which carries its request's id: a hub's RunEnded
	// channel for that id is closed when the event reaches the hub. One process's events are
	// sent in the order they were published and every hub receives them in the order they were
	// sent, so a run's end arriving means its earlier events did (the relay drops none: checked
	// below). The last run is cut to make b.N events and keeps its end.
	runs := (b.N + benchRunEvents - 1) / benchRunEvents
	last := b.N - (runs-1)*benchRunEvents
	eventIDs := make([]string, runs)
	for k := range eventIDs {
		eventIDs[k] = store.NewID()
	}
	ends := make([][]<-chan struct{}, len(procs))
	for h, p := range procs {
		ends[h] = make([]<-chan struct{}, runs)
		for k, id := range eventIDs {
			ends[h][k], _ = p.hub.RunEnded(id)
		}
	}
	received := make([]atomic.Int64, len(procs)) // runs received in a row from the first, per hub
	slowest := func() int64 {
		n := received[0].Load()
		for h := range received {
			n = min(n, received[h].Load())
		}
		return n
	}
	windowRuns := int64(benchWindow / benchRunEvents)

	ctx, stop := context.WithCancelCause(context.Background())
	defer stop(nil)
	b.ResetTimer()
	start := time.Now()

	took := make([]time.Duration, len(procs))
	var hubs sync.WaitGroup
	for h := range procs {
		hubs.Go(func() {
			for k, ch := range ends[h] {
				select {
				case <-ch:
				case <-ctx.Done():
					return
				}
				received[h].Store(int64(k + 1))
			}
			took[h] = time.Since(start)
		})
	}

	var next atomic.Int64
	var workers sync.WaitGroup
	for range benchWorkers {
		workers.Go(func() {
			for {
				for next.Load()-slowest() >= windowRuns {
					if ctx.Err() != nil {
						return
					}
					time.Sleep(100 * time.Microsecond)
				}
				k := int(next.Add(1)) - 1
				if k >= runs {
					return
				}
				evs := benchRun(eventIDs[k], store.NewID())
				if k == runs-1 && last < len(evs) {
					evs = append(evs[:last-1], evs[len(evs)-1])
				}
				flowID := fmt.Sprintf("flow-%d", k%benchFlows)
				for _, ev := range evs {
					src.hub.Publish(flowID, ev)
				}
			}
		})
	}

	// Nothing received by any hub for benchStall ends the benchmark.
	done := make(chan struct{})
	go func() {
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		var seen int64
		moved := time.Now()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
			}
			var n int64
			for h := range received {
				n += received[h].Load()
			}
			if n != seen {
				seen, moved = n, time.Now()
			} else if time.Since(moved) > benchStall {
				stop(fmt.Errorf("no hub received anything for %v", benchStall))
				return
			}
		}
	}()
	hubs.Wait()
	close(done)
	b.StopTimer()
	stop(nil)
	workers.Wait()

	for _, p := range procs {
		if n := p.dropped(); n > 0 {
			b.Errorf("the relay dropped %d events", n)
		}
	}
	if err := context.Cause(ctx); err != nil && !errors.Is(err, context.Canceled) {
		counts := make([]int64, len(procs))
		for h := range received {
			counts[h] = received[h].Load()
		}
		b.Fatalf("%v: runs received by each hub %v of %d", err, counts, runs)
	}
	if s := logs.String(); s != "" {
		b.Fatalf("the relays logged:\n%s", s)
	}
	var slow time.Duration
	for _, d := range took {
		slow = max(slow, d)
	}
	rate := float64(b.N) / slow.Seconds()
	b.ReportMetric(rate, "events/s")
	b.ReportMetric(rate/float64(benchRunEvents), "runs/s")
}
