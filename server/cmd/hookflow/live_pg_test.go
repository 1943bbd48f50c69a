package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/hookflow/hookflow/server/internal/testdb"
	"github.com/hookflow/hookflow/server/live"
	"github.com/hookflow/hookflow/server/live/livetest"
)

// liveSocket opens a flow's live log on a process as a browser would (with the owner's token).
func liveSocket(t *testing.T, p *serverProcess, token, flowID, query string) *websocket.Conn {
	t.Helper()
	u := "ws" + strings.TrimPrefix(p.addr, "http") + "/api/flows/" + flowID + "/live"
	if query != "" {
		u += "?" + query
	}
	conn, resp, err := websocket.DefaultDialer.Dial(u, http.Header{"Authorization": {"Bearer " + token}})
	if err != nil {
		t.Fatalf("live log on %s: %v (%v)", p.addr, err, resp)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

func readLive(t *testing.T, conn *websocket.Conn) live.Event {
	t.Helper()
	return livetest.Read(t, conn, 30*time.Second)
}

// sendHook sends one webhook to a process and returns the stored request's id.
func sendHook(t *testing.T, p *serverProcess, hookPath string, n int) string {
	t.Helper()
	resp, err := http.Get(fmt.Sprintf("%s%s?n=%d", p.addr, hookPath, n))
	if err != nil {
		t.Error(err)
		return ""
	}
	defer resp.Body.Close()
	var ack struct {
		EventID string `json:"event_id"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&ack)
	if ack.EventID == "" {
		t.Errorf("webhook to %s answered %d without an event id", p.addr, resp.StatusCode)
	}
	return ack.EventID
}

// Three `hookflow serve` processes on one PostgreSQL, behind no common memory: a live log open
// on the first sees every run of webhooks sent to the other two, each event once and each run's
// events in order; a fourth connection, to another process, catches up from the first event's
// cursor with the same sequence; and "Wait for a test request" on the first sees a request that
// arrived at the second.
func TestLivePostgres_ThreeProcessesShareOneLiveLog(t *testing.T) {
	if testing.Short() {
		t.Skip("starts server processes")
	}
	testdb.SkipWithoutPostgres(t, "the live log is shared between processes there only")
	var sunk sink
	sunk.got = map[string]int{}
	target := httptest.NewServer(http.HandlerFunc(sunk.handler))
	defer target.Close()
	env := []string{"HOOKFLOW_DATABASE_URL=" + testdb.Options(t, "postgres").DatabaseURL}
	dataDir := t.TempDir() // the processes share the secret key there
	a := startServerProcess(t, dataDir, env...)
	token := signUp(t, a.addr)
	b := startServerProcess(t, dataDir, env...)
	c := startServerProcess(t, dataDir, env...)

	flowDoc := `{"schema":1,"name":"relay","nodes":[{"id":"trigger","kind":"webhook"},
	  {"id":"form","kind":"form_encode","config":{"fields":[{"key":"event_id","value":"{{event.id}}"}]}},
	  {"id":"send","kind":"http","config":{"method":"POST","url":"` + target.URL + `/lead","body_type":"previous"}}],
	  "edges":[{"from":"trigger","to":"form"},{"from":"form","to":"send"}]}`
	// Started before any process reads the flow: each caches its webhook address for a while.
	flowID, hookPath := createAndStart(t, a.addr, token, `{"document":`+flowDoc+`}`)
	watch := liveSocket(t, a, token, flowID, "")

	// "Wait for a test request" in the editor on A; the request arrives at B.
	wait := liveSocket(t, a, token, flowID, "")
	sample := sendHook(t, b, hookPath, 0)
	if ev := readLive(t, wait); ev.Type != live.TypeEventReceived || ev.EventID != sample {
		t.Fatalf("the wait on A saw %+v, want the request %s sent to B", ev, sample)
	}

	const n = 30
	var mu sync.Mutex
	sent := []string{sample}
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := sendHook(t, []*serverProcess{b, c}[i%2], hookPath, i+1)
			mu.Lock()
			sent = append(sent, id)
			mu.Unlock()
		}()
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}

	var seen []live.Event
	finished := 0
	for finished < len(sent) {
		ev := readLive(t, watch)
		seen = append(seen, ev)
		if ev.Type == live.TypeRunFinished {
			finished++
		}
	}
	once := map[string]bool{}
	received := map[string]bool{}
	runs := map[string][]live.Event{}
	for i, ev := range seen {
		if i > 0 && ev.Seq <= seen[i-1].Seq {
			t.Fatalf("event %d numbered %d after %d", i, ev.Seq, seen[i-1].Seq)
		}
		key := ev.Type + " " + ev.RunID + " " + ev.EventID + " " + ev.Node
		if once[key] {
			t.Fatalf("seen twice: %s", key)
		}
		once[key] = true
		if ev.Type == live.TypeEventReceived {
			received[ev.EventID] = true
			continue
		}
		runs[ev.RunID] = append(runs[ev.RunID], ev)
	}
	for _, id := range sent {
		if !received[id] {
			t.Errorf("the request %s was never announced on A", id)
		}
	}
	if len(runs) != len(sent) {
		t.Fatalf("%d runs seen on A, want %d", len(runs), len(sent))
	}
	for run, evs := range runs {
		if evs[0].Type != live.TypeRunStarted || evs[len(evs)-1].Type != live.TypeRunFinished || evs[len(evs)-1].Status != "success" {
			t.Fatalf("run %s seen out of order: %v", run, types(evs))
		}
		started := map[string]bool{}
		for _, ev := range evs[1 : len(evs)-1] {
			switch ev.Type {
			case live.TypeStepStarted:
				started[ev.Node] = true
			case live.TypeStepFinished:
				if !started[ev.Node] {
					t.Fatalf("run %s: step %s finished before it started: %v", run, ev.Node, types(evs))
				}
			default:
				t.Fatalf("run %s: %s inside the run: %v", run, ev.Type, types(evs))
			}
		}
		if !started["send"] {
			t.Fatalf("run %s without its HTTP step: %v", run, types(evs))
		}
	}
	for _, id := range sent {
		if sunk.delivered(id) != 1 {
			t.Errorf("request %s delivered %d times", id, sunk.delivered(id))
		}
	}

	// A fourth connection, to C, from just before the first event: the same sequence.
	late := liveSocket(t, c, token, flowID, fmt.Sprintf("since=%d", seen[0].Seq-1))
	for i, want := range seen {
		got := readLive(t, late)
		if got.Seq != want.Seq || got.Type != want.Type || got.RunID != want.RunID || got.Node != want.Node || got.EventID != want.EventID {
			t.Fatalf("catch-up on C, event %d: %+v, want %+v", i, got, want)
		}
	}
	t.Logf("%d events of %d runs, one order on A and C", len(seen), len(sent))
}

func types(evs []live.Event) []string {
	out := make([]string, len(evs))
	for i, ev := range evs {
		out[i] = ev.Type + ":" + ev.Node
	}
	return out
}
