package api_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/hookflow/hookflow/flows/flowstest"
	"github.com/hookflow/hookflow/server/core"
	"github.com/hookflow/hookflow/server/internal/testdb"
	"github.com/hookflow/hookflow/server/internal/testkit"
	"github.com/hookflow/hookflow/server/live"
	"github.com/hookflow/hookflow/server/store"
)

func TestServer_LiveLogStreamsRunsAndCatchesUpAfterReconnect(t *testing.T) {
	t.Parallel()
	s, _ := startWithCPA(t)
	v := s.cpaHouse()
	wsURL := "ws" + strings.TrimPrefix(s.URL, "http") + "/api/flows/" + v.ID + "/live"
	conn, _, err := websocket.DefaultDialer.Dial(wsURL, s.authHeader())
	if err != nil {
		t.Fatal(err)
	}
	hook(t, v.WebhookURL, "GET", "email=a%40b.c&phone=1", "", "")
	var seen []string
	var lastSeq uint64
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		var ev live.Event
		if err := conn.ReadJSON(&ev); err != nil {
			t.Fatalf("reading live events: %v (seen %v)", err, seen)
		}
		seen = append(seen, ev.Type+":"+ev.Node)
		lastSeq = ev.Seq
		if ev.Type == "run_finished" {
			if ev.Status != "success" || ev.RunID == "" {
				t.Fatalf("run_finished = %+v", ev)
			}
			break
		}
	}
	conn.Close()
	want := "event_received:,run_started:,step_started:trigger,step_finished:trigger,step_started:form,step_finished:form,step_started:send,step_finished:send,run_finished:"
	if strings.Join(seen, ",") != want {
		t.Fatalf("events = %v", seen)
	}
	// A second run while the browser is away is caught up on reconnect with ?since=. Another
	// watcher sees the run finish (run_finished is published after the run is stored), so every
	// event of it is in the past when the browser comes back.
	watcher, _, err := websocket.DefaultDialer.Dial(wsURL+"?since="+jsonNumber(lastSeq), s.authHeader())
	if err != nil {
		t.Fatal(err)
	}
	hook(t, v.WebhookURL, "GET", "email=c%40d.e&phone=2", "", "")
	watcher.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		var ev live.Event
		if err := watcher.ReadJSON(&ev); err != nil {
			t.Fatalf("watching the second run: %v", err)
		}
		if ev.Type == "run_finished" {
			break
		}
	}
	watcher.Close()
	conn, _, err = websocket.DefaultDialer.Dial(wsURL+"?since="+jsonNumber(lastSeq), s.authHeader())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		var ev live.Event
		if err := conn.ReadJSON(&ev); err != nil {
			t.Fatalf("catching up: %v", err)
		}
		if ev.Seq <= lastSeq {
			t.Fatalf("got an event already seen: %+v", ev)
		}
		if ev.Type == "run_finished" {
			break
		}
	}
}

func jsonNumber(n uint64) string {
	data, _ := json.Marshal(n)
	return string(data)
}

func TestServer_FlowCanAnswerWithItsOwnReply(t *testing.T) {
	t.Parallel()
	cpa := flowstest.NewTarget(t, flowstest.Reply(200, `{"status":"success","id":"L-77"}`))
	s := startServer(t, "sqlite", cpa.Client())
	v := s.cpaHouse()
	var doc map[string]any
	s.call("GET", "/api/flows/"+v.ID+"/export", nil, &doc)
	body := map[string]any{"document": doc, "settings": map[string]any{"reply": map[string]any{
		"status": 200, "content_type": "text/plain; charset=utf-8", "wait_ms": 5000,
		"body": "lead {{steps.send.json.id}} for {{trigger.params.email}}: {{run.status}}"}}}
	if code := s.call("PUT", "/api/flows/"+v.ID, body, nil); code != 200 {
		t.Fatalf("update: %d", code)
	}
	resp, err := http.Get(v.WebhookURL + "?email=a%40b.c&phone=1")
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(got) != "lead L-77 for a@b.c: success" || resp.Header.Get("Content-Type") != "text/plain; charset=utf-8" {
		t.Fatalf("reply = %q (%s)", got, resp.Header.Get("Content-Type"))
	}
}

func TestServer_MetricsCountWebhooksAndRuns(t *testing.T) {
	t.Parallel()
	s, _ := startWithCPA(t)
	v := s.cpaHouse()
	hook(t, v.WebhookURL, "GET", "email=a%40b.c&phone=1", "", "")
	s.waitRuns(v.ID, "success", 1, 10*time.Second)
	if resp, err := http.Get(s.URL + "/hook/unknown-token"); err == nil {
		resp.Body.Close()
	}
	wants := []string{"hookflow_webhooks_accepted_total 1", `hookflow_webhooks_rejected_total{reason="unknown"} 1`,
		`hookflow_runs_total{status="success"} 1`, "hookflow_queue_depth 0", `hookflow_step_duration_seconds_count{kind="http"} 1`}
	var data []byte
	// The run is in the journal a moment before its event is marked finished (the queue depth).
	eventually(t, 10*time.Second, func() bool {
		resp, err := http.Get(s.URL + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		data, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
		for _, want := range wants {
			if !strings.Contains(string(data), want) {
				return false
			}
		}
		return true
	}, "metrics lack one of %q:\n%s", wants, &data)
	var health map[string]any
	if code := s.call("GET", "/healthz", nil, &health); code != 200 || health["ok"] != true {
		t.Errorf("healthz: %d %v", code, health)
	}
}

// Several hookflow processes on one PostgreSQL share the queue; no event runs twice at once.
func TestServer_ProcessesOnOnePostgresShareTheWork(t *testing.T) {
	t.Parallel()
	if !contains(testdb.Dialects(), "postgres") {
		t.Skip("set HOOKFLOW_TEST_POSTGRES to run on PostgreSQL")
	}
	sink := flowstest.NewTarget(t, flowstest.Reply(200, `{}`))
	hits := func() map[string]int {
		out := map[string]int{}
		for _, r := range sink.Requests() {
			out[r.Form.Get("event_id")]++
		}
		return out
	}
	client := sink.Client()
	apps := postgresProcesses(t, []*http.Client{client, client, client}, 4)
	ctx := context.Background()
	v := sharedFlow(t, apps[0])
	const n = 300
	var ids []string
	for i := 0; i < n; i++ {
		acc, err := apps[i%3].Intake().AcceptWebhook(ctx, tokenOf(v.WebhookURL), mustPayload(t, "GET", "i="+jsonNumber(uint64(i))))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, acc.EventID)
	}
	// Only now do the workers start, all three on the same backlog.
	var started []*core.App
	closeAll := func() {
		for _, app := range started {
			app.Close(5 * time.Second)
		}
		started = nil
	}
	defer func() { closeAll() }()
	for _, app := range apps {
		if err := app.Start(ctx); err != nil {
			t.Fatal(err)
		}
		started = append(started, app)
	}
	eventually(t, 30*time.Second, func() bool { return len(hits()) >= n }, "fewer than %d events delivered", n)
	// Closed, the processes run nothing more: the counts are final.
	closeAll()
	got := hits()
	for _, id := range ids {
		if got[id] != 1 {
			t.Fatalf("event %s delivered %d times", id, got[id])
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// A process whose workers are all busy (here on a target that does not answer) gives up, after a
// couple of seconds, the claims it made on the webhooks it took in and that still wait for a
// worker: a second process with idle workers runs them meanwhile, instead of their waiting under
// the busy one's lease for as long as the target hangs. Every webhook is delivered once in the end.
// With one worker the webhooks wait in the workers' channel; with two, the free one takes them and
// parks them (the flow is at its share).
func TestServer_AnIdleProcessRunsWhatABusyOneTookIn(t *testing.T) {
	t.Parallel()
	if !contains(testdb.Dialects(), "postgres") {
		t.Skip("set HOOKFLOW_TEST_POSTGRES to run on PostgreSQL")
	}
	for _, tc := range []struct {
		name    string
		workers int
	}{{"waiting in the channel", 1}, {"parked by the shares", 2}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			idleProcessRunsWhatABusyOneTookIn(t, tc.workers)
		})
	}
}

func idleProcessRunsWhatABusyOneTookIn(t *testing.T, workers int) {
	release := make(chan struct{})
	open := sync.OnceFunc(func() { close(release) })
	stuck := flowstest.NewTarget(t, func(w http.ResponseWriter, r *http.Request) {
		<-release
		w.WriteHeader(200)
	})
	t.Cleanup(open) // before the target's server is closed (cleanups run last first)
	idle := flowstest.NewTarget(t, flowstest.Reply(200, `{}`))
	apps := postgresProcesses(t, []*http.Client{stuck.Client(), idle.Client()}, workers)
	ctx := context.Background()
	v := sharedFlow(t, apps[0])
	closers := make([]func(), len(apps))
	for i, app := range apps {
		if err := app.Start(ctx); err != nil {
			t.Fatal(err)
		}
		closers[i] = sync.OnceFunc(func() { app.Close(5 * time.Second) })
		t.Cleanup(closers[i])
	}
	const n = 40
	ids := map[string]bool{}
	for i := 0; i < n; i++ { // all to the first process, which claims each as it writes it
		acc, err := apps[0].Intake().AcceptWebhook(ctx, tokenOf(v.WebhookURL), mustPayload(t, "GET", "i="+jsonNumber(uint64(i))))
		if err != nil {
			t.Fatal(err)
		}
		ids[acc.EventID] = true
	}
	delivered := func(target *flowstest.Target) map[string]int {
		out := map[string]int{}
		for _, r := range target.Requests() {
			out[r.Form.Get("event_id")]++
		}
		return out
	}
	// At most one webhook a worker of the first process waits on the stuck target: the second
	// process runs all the others.
	testkit.Eventually(t, 30*time.Second, func() bool { return len(delivered(idle)) >= n-workers },
		"the idle process ran fewer than %d of the webhooks the busy one took in", n-workers)
	open()
	testkit.Eventually(t, 30*time.Second, func() bool { return len(delivered(idle))+len(delivered(stuck)) >= n },
		"fewer than %d webhooks delivered", n)
	for _, closeApp := range closers { // closed, the processes run nothing more: the counts are final
		closeApp()
	}
	got, other := delivered(idle), delivered(stuck)
	for id := range ids {
		if got[id]+other[id] != 1 {
			t.Errorf("webhook %s delivered %d times", id, got[id]+other[id])
		}
	}
}

// postgresProcesses opens one service a client on a fresh PostgreSQL database, as processes
// sharing it would be (not started), each sending its flows' HTTP requests through its client.
func postgresProcesses(t *testing.T, clients []*http.Client, workers int) []*core.App {
	t.Helper()
	opts := testdb.Options(t, "postgres")
	var apps []*core.App
	for _, client := range clients {
		st, err := store.Open(context.Background(), opts)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		apps = append(apps, core.New(core.Config{HTTPClient: client, Workers: workers, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}, st, nil, nil))
	}
	return apps
}

// sharedFlow creates and starts, through app, a flow that posts each webhook's event id as a
// form (event_id) to its process's client.
func sharedFlow(t *testing.T, app *core.App) *core.FlowView {
	t.Helper()
	ctx := context.Background()
	doc := mustFlow(t, `{"schema":1,"name":"shared","nodes":[{"id":"trigger","kind":"webhook"},
	  {"id":"form","kind":"form_encode","config":{"fields":[{"key":"event_id","value":"{{event.id}}"}]}},
	  {"id":"send","kind":"http","config":{"method":"POST","url":"https://sink.example/x","body_type":"previous"}}],
	  "edges":[{"from":"trigger","to":"form"},{"from":"form","to":"send"}]}`)
	v, err := app.Flows().Create(ctx, core.FlowInput{Document: doc})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := app.Flows().SetActive(ctx, v.ID, true); err != nil {
		t.Fatal(err)
	}
	return v
}
