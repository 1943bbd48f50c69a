package core_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/hookflow/hookflow/flows"
	"github.com/hookflow/hookflow/flows/flowstest"
	"github.com/hookflow/hookflow/server/core"
	"github.com/hookflow/hookflow/server/internal/testdb"
	"github.com/hookflow/hookflow/server/internal/testkit"
	"github.com/hookflow/hookflow/server/store"
)

// A flow that stored runs is pruned by the next minute's pass, not only by the every-flow pass:
// its journal holds its count plus about a minute of intake. A flow that stored nothing since is
// left to the every-flow pass, and a pass finds nothing to do twice.
func TestRetention_AFlowThatStoredRunsIsPrunedByTheNextActivePass(t *testing.T) {
	for _, dialect := range testdb.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			target := flowstest.NewTarget(t, flowstest.Reply(200, `ok`))
			app := startApp(t, dialect, target.Client(), nil)
			ctx := context.Background()
			st := core.StoreOf(app)
			doc, err := flows.ParseFlow([]byte(`{"schema":1,"nodes":[{"id":"trigger","kind":"webhook"},
			  {"id":"send","kind":"http","config":{"method":"POST","url":"https://target.test/lead","body_type":"text","body":"{{trigger.params.n}}","retries":0}}],
			  "edges":[{"from":"trigger","to":"send"}]}`))
			if err != nil {
				t.Fatal(err)
			}
			keepThree := func() string {
				v, err := app.Flows().Create(ctx, core.FlowInput{Document: doc, Settings: &core.FlowSettings{RetentionCount: 3}})
				if err != nil {
					t.Fatal(err)
				}
				if _, err := app.Flows().SetActive(ctx, v.ID, true); err != nil {
					t.Fatal(err)
				}
				return v.ID
			}
			busy, idle := keepThree(), keepThree()
			// The idle flow's runs are stored and an active pass prunes it; then it is told to keep
			// one run, with no new run: only the every-flow pass applies that.
			send(t, app, idle, 5)
			if n := core.PruneActive(app, ctx); n != 2 {
				t.Fatalf("the first active pass deleted %d runs, want the idle flow's 2 beyond its 3", n)
			}
			if _, err := app.Flows().Update(ctx, idle, core.FlowInput{Document: doc, Settings: &core.FlowSettings{RetentionCount: 1}}); err != nil {
				t.Fatal(err)
			}
			send(t, app, busy, 10)

			if n := core.PruneActive(app, ctx); n != 7 {
				t.Fatalf("the active pass deleted %d runs, want the busy flow's 7 beyond its 3", n)
			}
			if b, i := runsOf(t, st, busy), runsOf(t, st, idle); b != 3 || i != 3 {
				t.Fatalf("after the active pass the busy flow keeps %d runs (want 3), the idle one %d (want 3)", b, i)
			}
			if n := core.PruneActive(app, ctx); n != 0 {
				t.Fatalf("a second active pass deleted %d runs", n)
			}
			if n := app.Prune(ctx); n != 2 || runsOf(t, st, idle) != 1 {
				t.Fatalf("the every-flow pass deleted %d (want 2); the idle flow keeps %d (want 1)", n, runsOf(t, st, idle))
			}
		})
	}
}

// send accepts n webhooks for a started flow and waits until their runs are stored.
func send(t *testing.T, app *core.App, flowID string, n int) {
	t.Helper()
	v, err := app.Flows().Get(context.Background(), flowID)
	if err != nil {
		t.Fatal(err)
	}
	st := core.StoreOf(app)
	before := runsOf(t, st, flowID)
	for i := 0; i < n; i++ {
		accept(t, app, webhookToken(v), fmt.Sprintf("n=%d", i))
	}
	testkit.Eventually(t, 30*time.Second, func() bool { return runsOf(t, st, flowID) >= before+n && core.Settled(app) },
		"%d runs of %s stored and followed up", n, flowID)
}

func runsOf(t *testing.T, st *store.Store, flowID string) int {
	t.Helper()
	runs, err := st.Runs(context.Background(), flowID, store.RunFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return len(runs)
}
