package core_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/hookflow/hookflow/flows/flowstest"
	"github.com/hookflow/hookflow/server/core"
	"github.com/hookflow/hookflow/server/internal/testdb"
	"github.com/hookflow/hookflow/server/internal/testkit"
	"github.com/hookflow/hookflow/server/store"
)

// Webhooks taken in while the workers run go to them as written: on PostgreSQL claimed in the
// write itself, under a lease the heartbeat renews from the commit on. With a heartbeat far faster
// than the writes, no run is stopped as if its lease were lost, each event runs once (one
// attempt) and its run succeeds.
func TestQueue_WebhooksTakenInRunOnceEvenUnderAFastHeartbeat(t *testing.T) {
	for _, dialect := range testdb.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			target := flowstest.NewTarget(t, flowstest.Reply(200, `ok`))
			app := startApp(t, dialect, target.Client(), func(c *core.Config) {
				c.Workers, c.Lease, c.Heartbeat = 4, 3*time.Second, 5*time.Millisecond
			})
			_, token := sendFlow(t, app)
			ids := make([]string, 100)
			for i := range ids {
				ids[i] = accept(t, app, token, fmt.Sprintf("email=u%d@example.ru", i))
			}
			st := core.StoreOf(app)
			ctx := context.Background()
			for _, id := range ids {
				var ev *store.Event
				testkit.Eventually(t, 30*time.Second, func() bool {
					var err error
					if ev, err = st.Event(ctx, id); err != nil {
						t.Fatal(err)
					}
					return ev.Status != store.EventQueued && ev.Status != store.EventRunning
				}, "event %s has not ended", id)
				run, err := st.LatestRun(ctx, id)
				if ev.Status != store.EventDone || ev.Attempts != 1 || err != nil || run.Status != "success" {
					t.Fatalf("event %s: %s after %d attempts, run %+v (%v)", id, ev.Status, ev.Attempts, run, err)
				}
			}
		})
	}
}
