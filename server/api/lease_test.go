package api_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/hookflow/hookflow/server/core"
	"github.com/hookflow/hookflow/server/internal/testdb"
	"github.com/hookflow/hookflow/server/store"
)

// On PostgreSQL, a live process whose lease on an event was taken over (its heartbeats did not
// reach the database in time) stops that run at once and stores nothing for it: the process
// that holds the event now stores its outcome.
func TestServer_ProcessThatLostALeaseStopsTheRunAndStoresNothing(t *testing.T) {
	testdb.SkipWithoutPostgres(t, "")
	arrived := make(chan struct{}, 1)
	stopped := make(chan struct{}, 1)
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		select {
		case <-r.Context().Done():
			stopped <- struct{}{}
		case <-time.After(30 * time.Second):
			w.Write([]byte(`{}`))
		}
	}))
	defer target.Close()
	st := testdb.Open(t, "postgres")
	app := core.New(core.Config{HTTPClient: http.DefaultClient, Workers: 2, Lease: time.Second, Heartbeat: 100 * time.Millisecond,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}, st, nil, nil)
	ctx := context.Background()
	v, err := app.Flows().Create(ctx, core.FlowInput{Document: mustFlow(t, `{"schema":1,"name":"slow","nodes":[{"id":"trigger","kind":"webhook"},
	  {"id":"send","kind":"http","config":{"method":"POST","url":"`+target.URL+`","timeout_ms":60000}}],
	  "edges":[{"from":"trigger","to":"send"}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := app.Flows().SetActive(ctx, v.ID, true); err != nil {
		t.Fatal(err)
	}
	if err := app.Start(ctx); err != nil {
		t.Fatal(err)
	}
	var closeOnce sync.Once
	closeApp := func() { closeOnce.Do(func() { app.Close(5 * time.Second) }) }
	defer closeApp()
	acc, err := app.Intake().AcceptWebhook(ctx, tokenOf(v.WebhookURL), mustPayload(t, "GET", "n=1"))
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-arrived:
	case <-time.After(20 * time.Second):
		t.Fatal("the run did not reach the target")
	}
	// Several lease lengths pass: the heartbeat keeps the event this process's.
	select {
	case <-stopped:
		t.Fatal("the run was stopped while its process held the lease")
	case <-time.After(3 * time.Second):
	}
	// Another process takes the event over, as after a lease that ran out.
	if err := st.Write(ctx).Model(&store.Event{}).Where("id = ?", acc.EventID).
		Updates(map[string]any{"lease_owner": "another process", "lease_until": time.Now().Add(time.Hour)}).Error; err != nil {
		t.Fatal(err)
	}
	select {
	case <-stopped:
	case <-time.After(10 * time.Second):
		t.Fatal("the run went on after another process took its event over")
	}
	closeApp() // everything finished is stored by now
	var runs int64
	st.Read(ctx).Model(&store.Run{}).Where("event_id = ?", acc.EventID).Count(&runs)
	ev, err := st.Event(ctx, acc.EventID)
	if err != nil {
		t.Fatal(err)
	}
	if runs != 0 || ev.Status != store.EventRunning || ev.LeaseOwner != "another process" {
		t.Fatalf("the stopped attempt was stored: %d runs, event %s held by %q", runs, ev.Status, ev.LeaseOwner)
	}
}
