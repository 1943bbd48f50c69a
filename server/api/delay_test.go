package api_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/hookflow/hookflow/flows"
	"github.com/hookflow/hookflow/flows/flowstest"
	"github.com/hookflow/hookflow/server/core"
	"github.com/hookflow/hookflow/server/internal/testdb"
	"github.com/hookflow/hookflow/server/store"
)

// A lead to be sent two hours later: the run waits at the Delay step without holding a worker
// (another flow's webhook runs on the only one meanwhile), the journal says until when, and the
// wait survives a restart of the service. When the clock reaches the time, the target gets the
// lead exactly once, and the journal shows one delivered row for the webhook.
func TestServer_DelayWaitsDurablyWithoutAWorkerAndSendsOnceAfterARestart(t *testing.T) {
	t.Parallel()
	target := flowstest.NewTarget(t, flowstest.Reply(200, `ok`))
	other := flowstest.NewTarget(t, flowstest.Reply(200, `ok`))
	client := hostElse("other.test", other, target)
	start := time.Date(2026, 12, 1, 6, 0, 0, 0, time.UTC) // 09:00 in Moscow
	clock := clockwork.NewFakeClockAt(start)
	oneWorker := configured(func(c *core.Config) { c.Workers = 1 })
	opts := testdb.Options(t, "sqlite")
	open := func() *store.Store {
		st, err := store.Open(context.Background(), opts)
		if err != nil {
			t.Fatal(err)
		}
		return st
	}

	st := open()
	s := startServer(t, "", client, onStore(st), withClock(clock), oneWorker)
	delayed := s.createFlow(t, `{"schema":1,"name":"reminder","nodes":[{"id":"trigger","kind":"webhook"},
	  {"id":"pause","kind":"delay","config":{"mode":"for","amount":2,"unit":"hours"}},
	  {"id":"send","kind":"http","config":{"method":"POST","url":"https://crm.test/remind","body_type":"text","body":"{{trigger.params.phone}}","retries":0}}],
	  "edges":[{"from":"trigger","to":"pause"},{"from":"pause","to":"send"}]}`)
	plain := s.createFlow(t, `{"schema":1,"name":"now","nodes":[{"id":"trigger","kind":"webhook"},
	  {"id":"send","kind":"http","config":{"method":"POST","url":"https://other.test/lead","body_type":"text","body":"{{trigger.params.phone}}","retries":0}}],
	  "edges":[{"from":"trigger","to":"send"}]}`)
	for _, f := range []flowView{delayed, plain} {
		if code := s.call("POST", "/api/flows/"+f.ID+"/start", nil, nil); code != 200 {
			t.Fatalf("start: %d", code)
		}
	}

	hook(t, s.URL+"/hook/"+tokenOf(delayed.WebhookURL), "GET", "phone=79160000001", "", "")
	waiting := s.waitRuns(delayed.ID, "waiting", 1, 10*time.Second)[0]
	var detail struct {
		runView
		Until *time.Time `json:"until"`
	}
	s.call("GET", "/api/runs/"+waiting.ID, nil, &detail)
	var trace flows.Trace
	if err := json.Unmarshal(detail.Trace, &trace); err != nil {
		t.Fatal(err)
	}
	want := start.Add(2 * time.Hour)
	if detail.Until == nil || !detail.Until.Equal(want) || trace.Status != flows.StatusWaiting {
		t.Fatalf("run %s until %v, want waiting until %v", trace.Status, detail.Until, want)
	}
	if step, _ := trace.Step("send"); step.Status != flows.StatusSkipped || len(target.Requests()) != 0 {
		t.Fatalf("sent before the pause ended: step %s, %d requests", step.Status, len(target.Requests()))
	}

	// The only worker is free: another flow's webhook runs at once.
	hook(t, s.URL+"/hook/"+tokenOf(plain.WebhookURL), "GET", "phone=79160000002", "", "")
	if r := s.waitRuns(plain.ID, "success", 1, 10*time.Second); len(r) != 1 || len(other.Requests()) != 1 {
		t.Fatalf("the other flow did not run while the first one waits: %d requests", len(other.Requests()))
	}

	// A restart: a new service over the same database file.
	s.stop()
	st.Close()
	st = open()
	t.Cleanup(func() { st.Close() })
	s2 := startServer(t, "", client, onStore(st), withClock(clock), oneWorker, withoutOwner())
	s2.token = s.token
	if len(target.Requests()) != 0 {
		t.Fatal("the restart sent the lead before its time")
	}
	// An hour and a half later it still waits; at two hours it goes on, once.
	tick := func(d time.Duration) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := clock.BlockUntilContext(ctx, 1); err != nil {
			t.Fatal("the scheduler does not wait on the service's clock")
		}
		clock.Advance(d)
	}
	tick(90 * time.Minute)
	if got := s2.runsWith(delayed.ID, ""); len(got) != 1 || got[0].Status != "waiting" || len(target.Requests()) != 0 {
		t.Fatalf("after 90 minutes: %+v, %d requests", got, len(target.Requests()))
	}
	tick(30 * time.Minute)
	for deadline := time.Now().Add(10 * time.Second); len(s2.runsWith(delayed.ID, "success")) == 0; {
		if time.Now().After(deadline) {
			t.Fatalf("not delivered after the pause: %+v", s2.runsWith(delayed.ID, ""))
		}
		tick(time.Second)
	}
	if got := target.Requests(); len(got) != 1 || got[0].Body != "79160000001" {
		t.Fatalf("the target got %+v, want the lead once", got)
	}
	var rows struct {
		Runs []struct {
			runView
			Attempts int `json:"attempts"`
		}
	}
	s2.call("GET", "/api/flows/"+delayed.ID+"/runs", nil, &rows)
	if len(rows.Runs) != 1 || rows.Runs[0].Status != "success" || rows.Runs[0].Attempts != 1 {
		t.Fatalf("journal %+v, want one delivered row of one attempt", rows.Runs)
	}
	var done runView
	s2.call("GET", "/api/runs/"+rows.Runs[0].ID, nil, &done)
	if err := json.Unmarshal(done.Trace, &trace); err != nil {
		t.Fatal(err)
	}
	if step, _ := trace.Step("pause"); step.Status != flows.StatusSuccess || step.Until == nil || !step.Until.Equal(want) {
		t.Fatalf("the delay step after the pause: %+v", step)
	}
}
