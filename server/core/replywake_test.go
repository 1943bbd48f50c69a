package core_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hookflow/hookflow/flows"
	"github.com/hookflow/hookflow/flows/flowstest"
	"github.com/hookflow/hookflow/server/core"
	"github.com/hookflow/hookflow/server/internal/testdb"
	"github.com/hookflow/hookflow/server/live"
	"github.com/hookflow/hookflow/server/livepg"
	"github.com/hookflow/hookflow/server/store"
)

// On PostgreSQL a webhook accepted by a process without workers is run by another one; its
// answer (the Reply step's) reaches the waiting webhook through the relayed run_finished that
// carries its request's id.
func TestAwaitReply_WakesOnTheRunEndOfAnotherProcess(t *testing.T) {
	testdb.SkipWithoutPostgres(t, "a run of another process exists there only")
	opts := testdb.Options(t, "postgres")
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	// The target holds the run until the test lets it go, between two looks of the safety poll.
	arrived, release := make(chan struct{}, 1), make(chan struct{})
	var releaseOnce sync.Once
	letGo := func() { releaseOnce.Do(func() { close(release) }) }
	t.Cleanup(letGo)
	target := flowstest.NewTarget(t, func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		<-release
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"id":"L-7"}`))
	})
	open := func() (*store.Store, *live.Hub) {
		st, err := store.Open(context.Background(), opts)
		if err != nil {
			t.Fatal(err)
		}
		hub := live.NewHub(live.Options{})
		r, err := livepg.Start(context.Background(), livepg.Options{DatabaseURL: opts.DatabaseURL, Hub: hub, Logger: quiet})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { r.Close(time.Second); hub.Close(); st.Close() })
		return st, hub
	}
	cfg := core.Config{HTTPClient: target.Client(), Workers: 2, Logger: quiet, PublicURL: "http://hooks.test"}
	stA, hubA := open()
	front := core.New(cfg, stA, hubA, nil) // takes webhooks; never started, so it runs none
	t.Cleanup(func() { front.Close(time.Second) })
	stB, hubB := open()
	worker := core.New(cfg, stB, hubB, nil)
	if err := worker.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { worker.Close(5 * time.Second) })

	ctx := context.Background()
	token := webhookToken(createFlow(t, ctx, front, `{"schema":1,"nodes":[{"id":"trigger","kind":"webhook","config":{}},
	  {"id":"x","kind":"http","config":{"method":"POST","url":"https://target.test/lead","body_type":"text","body":"{{trigger.params.email}}","retries":0}},
	  {"id":"answer","kind":"reply","config":{"status":"201","content_type":"application/json","body":"{\"id\":\"{{steps.x.json.id}}\"}"}}],
	  "edges":[{"from":"trigger","to":"x"},{"from":"x","to":"answer"}]}`, true))
	acc, err := front.Intake().AcceptWebhook(ctx, token, flows.Payload{Method: "GET", Query: []byte(`"email=a%40b.c"`)})
	if err != nil {
		t.Fatal(err)
	}
	if acc.ReplyWait <= 0 {
		t.Fatal("the flow's Reply step gives the webhook no wait")
	}
	type result struct {
		ans flows.Answer
		ok  bool
	}
	done := make(chan result, 1)
	began := time.Now()
	go func() {
		ans, ok := front.Intake().AwaitReply(ctx, acc)
		done <- result{ans, ok}
	}()
	select {
	case <-arrived:
	case <-time.After(20 * time.Second):
		t.Fatal("the worker process did not run the event")
	}
	// Just after one of the poll's looks: woken by the run's end, the answer comes at once; left
	// to the poll, nine tenths of a second later.
	const poll = time.Second
	since := time.Since(began)
	time.Sleep(since.Truncate(poll) + poll + poll/10 - since)
	released := time.Now()
	letGo()
	var res result
	select {
	case res = <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("no answer")
	}
	if !res.ok || res.ans.Status != 201 || !strings.Contains(res.ans.Body, `"id":"L-7"`) {
		t.Fatalf("answer %v %+v, want the Reply step's 201 with the target's id", res.ok, res.ans)
	}
	if took := time.Since(released); took > poll*6/10 {
		t.Fatalf("answered %v after the run was let go: the safety poll answered, not the run's end", took)
	} else {
		t.Logf("answered %v after the run on the other process was let go", took.Round(time.Millisecond))
	}
}
