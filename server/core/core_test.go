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

	"github.com/jonboulle/clockwork"

	"github.com/hookflow/hookflow/flows"
	"github.com/hookflow/hookflow/flows/flowstest"
	"github.com/hookflow/hookflow/server/core"
	"github.com/hookflow/hookflow/server/internal/testdb"
	"github.com/hookflow/hookflow/server/live"
	"github.com/hookflow/hookflow/server/store"
)

// testConfig is the core's configuration in these tests: two workers, no log, public URL hooks.test.
func testConfig(client flows.Doer) core.Config {
	return core.Config{HTTPClient: client, Workers: 2, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		PublicURL: "http://hooks.test"}
}

// runApp starts the core on a store with a hub of its own; stop ends it (once; also when the test
// ends), as a process that goes down.
func runApp(t *testing.T, cfg core.Config, st *store.Store) (app *core.App, stop func()) {
	t.Helper()
	hub := live.NewHub(live.Options{})
	app = core.New(cfg, st, hub, nil)
	if err := app.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	stop = func() { once.Do(func() { app.Close(5 * time.Second); hub.Close() }) }
	t.Cleanup(stop)
	return app, stop
}

// startApp runs the service's core (store, workers, scheduler) without HTTP, on each database.
func startApp(t *testing.T, dialect string, client flows.Doer, tweak func(*core.Config)) *core.App {
	t.Helper()
	cfg := testConfig(client)
	if tweak != nil {
		tweak(&cfg)
	}
	app, _ := runApp(t, cfg, testdb.Open(t, dialect))
	return app
}

// onEachDatabase runs test in parallel on each database, each with a started core of its own.
func onEachDatabase(t *testing.T, test func(t *testing.T, app *core.App)) {
	for _, dialect := range testdb.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			test(t, startApp(t, dialect, nil, nil))
		})
	}
}

// createFlow parses a flow's document and creates it; started, when active.
func createFlow(t *testing.T, ctx context.Context, app *core.App, document string, active bool) *core.FlowView {
	t.Helper()
	doc, err := flows.ParseFlow([]byte(document))
	if err != nil {
		t.Fatal(err)
	}
	v, err := app.Flows().Create(ctx, core.FlowInput{Document: doc})
	if err != nil {
		t.Fatal(err)
	}
	if active {
		if _, err := app.Flows().SetActive(ctx, v.ID, true); err != nil {
			t.Fatal(err)
		}
	}
	return v
}

// webhookToken is the last part of a flow's webhook address.
func webhookToken(v *core.FlowView) string {
	return v.WebhookURL[strings.LastIndex(v.WebhookURL, "/")+1:]
}

// sendFlow is webhook → POST of the request's email to the target.
func sendFlow(t *testing.T, app *core.App) (flowID, token string) {
	t.Helper()
	v := createFlow(t, context.Background(), app, `{"schema":1,"nodes":[{"id":"trigger","kind":"webhook"},
	  {"id":"send","kind":"http","config":{"method":"POST","url":"https://target.test/lead","body_type":"text","body":"{{trigger.params.email}}","retries":0}}],
	  "edges":[{"from":"trigger","to":"send"}]}`, true)
	return v.ID, webhookToken(v)
}

func accept(t *testing.T, app *core.App, token, query string) string {
	t.Helper()
	acc, err := app.Intake().AcceptWebhook(context.Background(), token, flows.Payload{Method: "GET", Query: []byte(`"` + query + `"`)})
	if err != nil {
		t.Fatal(err)
	}
	return acc.EventID
}

// replyingFlow is webhook → POST to the target → Reply with the target's id; started.
func replyingFlow(t *testing.T, app *core.App) (token string) {
	t.Helper()
	return webhookToken(createFlow(t, context.Background(), app, `{"schema":1,"nodes":[{"id":"trigger","kind":"webhook"},
	  {"id":"send","kind":"http","config":{"method":"POST","url":"https://target.test/lead","body_type":"text","body":"{{trigger.params.email}}","retries":0}},
	  {"id":"answer","kind":"reply","config":{"status":"201","content_type":"application/json","body":"{\"ok\":true,\"id\":\"{{steps.send.json.id}}\"}"}}],
	  "edges":[{"from":"trigger","to":"send"},{"from":"send","to":"answer"}]}`, true))
}

// A webhook whose flow has a Reply step gets what the step rendered from the run's data, as soon
// as the run reaches it; a run that ends before the step (the target refused) is answered the
// acknowledgement at once, not at the end of the wait: the service's clock never moves here, so
// only the run's end can release it.
func TestAwaitReply_AnswersWhatTheRunsReplyStepRendered(t *testing.T) {
	for _, dialect := range testdb.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			target := flowstest.NewTarget(t, flowstest.Reply(200, `{"id":"L-1"}`))
			app := startApp(t, dialect, target.Client(), func(c *core.Config) { c.Clock = clockwork.NewFakeClock() })
			token := replyingFlow(t, app)
			for i := 0; i < 3; i++ {
				acc, err := app.Intake().AcceptWebhook(context.Background(), token, flows.Payload{Method: "GET", Query: []byte(`"email=a@b.c"`)})
				if err != nil {
					t.Fatal(err)
				}
				ans, ok := app.Intake().AwaitReply(context.Background(), acc)
				want := flows.Answer{Status: 201, ContentType: "application/json; charset=utf-8", Body: `{"ok":true,"id":"L-1"}`}
				if !ok || ans != want {
					t.Fatalf("webhook %d: answer %+v %v, want %+v", i+1, ans, ok, want)
				}
			}
			target.SetReplies(flowstest.Reply(500, `down`))
			acc, err := app.Intake().AcceptWebhook(context.Background(), token, flows.Payload{Method: "GET", Query: []byte(`"email=a@b.c"`)})
			if err != nil {
				t.Fatal(err)
			}
			if ans, ok := app.Intake().AwaitReply(context.Background(), acc); ok {
				t.Fatalf("a failed run answered %+v", ans)
			}
		})
	}
}

// A run that has not reached its Reply step when the step's wait runs out (10 s by default, on the
// service's clock) leaves the webhook answered with the acknowledgement; the run goes on.
func TestAwaitReply_LateRunAnswersTheAcknowledgementWhenTheWaitRunsOut(t *testing.T) {
	release := make(chan struct{})
	target := flowstest.NewTarget(t, func(w http.ResponseWriter, r *http.Request) {
		<-release
		_, _ = w.Write([]byte(`{"id":"L-1"}`))
	})
	clock := clockwork.NewFakeClock()
	app := startApp(t, "sqlite", target.Client(), func(c *core.Config) { c.Clock = clock })
	var once sync.Once
	t.Cleanup(func() { once.Do(func() { close(release) }) })
	token := replyingFlow(t, app)
	acc, err := app.Intake().AcceptWebhook(context.Background(), token, flows.Payload{Method: "GET", Query: []byte(`"email=a@b.c"`)})
	if err != nil {
		t.Fatal(err)
	}
	answered := make(chan bool, 1)
	go func() {
		_, ok := app.Intake().AwaitReply(context.Background(), acc)
		answered <- ok
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := clock.BlockUntilContext(ctx, 2); err != nil { // the scheduler's pause and the answer's wait
		t.Fatal(err)
	}
	select {
	case <-answered:
		t.Fatal("answered before the wait ran out")
	default:
	}
	clock.Advance(flows.DefaultReplyWait)
	select {
	case ok := <-answered:
		if ok {
			t.Fatal("a late run's answer was used")
		}
	case <-ctx.Done():
		t.Fatal("still waiting after the wait ran out")
	}
	once.Do(func() { close(release) })
}

// Retries are scheduled on the service's clock: with the target down, an attempt is tried again
// only when the clock reaches its pause (RetryBase with jitter, between half and all of it, then
// three times as long), as the journal's start times show.
func TestRetries_WaitForTheirTimeOnTheServicesClock(t *testing.T) {
	target := flowstest.NewTarget(t, flowstest.Reply(503, `down`))
	clock := clockwork.NewFakeClock()
	app := startApp(t, "sqlite", target.Client(), func(c *core.Config) {
		c.Clock, c.RetryBase, c.RetryMax = clock, 10*time.Second, time.Hour
	})
	_, token := sendFlow(t, app)
	event := accept(t, app, token, "email=a@b.c")
	runs := func() []store.Run {
		t.Helper()
		list, err := core.StoreOf(app).Attempts(context.Background(), event)
		if err != nil {
			t.Fatal(err)
		}
		return list
	}
	// waiting: the event is back in the queue for a later time, so nothing runs until the clock
	// moves; only then does it move, so each attempt starts at the time it was due.
	waiting := func() bool {
		ev, err := core.StoreOf(app).Event(context.Background(), event)
		if err != nil {
			t.Fatal(err)
		}
		return ev.Status == store.EventQueued && ev.NextAt.After(clock.Now())
	}
	for moved := 0; len(runs()) < 3; moved++ {
		if moved > 120 {
			t.Fatalf("%d runs after two minutes on the clock", len(runs()))
		}
		for deadline := time.Now().Add(10 * time.Second); !waiting(); time.Sleep(2 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatal("the event is neither done nor waiting for its next attempt")
			}
		}
		nextSecond(t, clock)
	}
	list := runs() // the webhook's attempts, first first
	first, second := list[1].StartedAt.Sub(list[0].StartedAt), list[2].StartedAt.Sub(list[1].StartedAt)
	if first < 5*time.Second || first > 11*time.Second {
		t.Errorf("the first pause was %s, want 5-10 s (and the scan's second)", first)
	}
	if second < 15*time.Second || second > 31*time.Second {
		t.Errorf("the second pause was %s, want 15-30 s (and the scan's second)", second)
	}
}
