package core_test

import (
	"context"
	"encoding/json"
	"errors"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/hookflow/hookflow/flows"
	"github.com/hookflow/hookflow/flows/flowstest"
	"github.com/hookflow/hookflow/server/core"
	"github.com/hookflow/hookflow/server/internal/testdb"
	"github.com/hookflow/hookflow/server/store"
)

var msk = time.FixedZone("MSK", 3*3600)

// appOn runs the service's core on a given store and clock; stop ends it (once; also when the
// test ends), as a process that goes down.
func appOn(t *testing.T, st *store.Store, clock clockwork.Clock, client flows.Doer) (app *core.App, stop func()) {
	t.Helper()
	cfg := testConfig(client)
	cfg.Clock = clock
	return runApp(t, cfg, st)
}

// scheduleFlow makes and starts a schedule → POST of the tick's time to the target.
func scheduleFlow(t *testing.T, app *core.App, schedule string) string {
	t.Helper()
	return createFlow(t, context.Background(), app, `{"schema":1,"nodes":[{"id":"trigger","kind":"schedule","config":`+schedule+`},
	  {"id":"send","kind":"http","config":{"method":"POST","url":"https://target.test/report","body_type":"text","body":"{{trigger.scheduled_at}}","retries":0}}],
	  "edges":[{"from":"trigger","to":"send"}]}`, true).ID
}

// fire moves the clock to at and has the app look for due ticks (its scheduler may have done
// so already as the clock moved: what counts is what is stored).
func fire(t *testing.T, app *core.App, clock *clockwork.FakeClock, at time.Time) {
	t.Helper()
	clock.Advance(at.Sub(clock.Now()))
	if _, err := app.FireSchedules(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// ticks is the scheduled times of the flow's stored events, in Moscow time, oldest first.
func ticks(t *testing.T, st *store.Store, flowID string) []string {
	t.Helper()
	var evs []store.Event
	if err := st.Read(context.Background()).Where("flow_id = ?", flowID).Find(&evs).Error; err != nil {
		t.Fatal(err)
	}
	out := []string{}
	for _, ev := range evs {
		var p flows.Payload
		var tick flows.ScheduleTick
		if json.Unmarshal([]byte(ev.Payload), &p) != nil || json.Unmarshal([]byte(p.Body), &tick) != nil {
			t.Fatalf("event %s: payload %s", ev.ID, ev.Payload)
		}
		if !core.IsTickEvent(ev.ID) || ev.ID != core.TickEventID(flowID, tick.ScheduledAt) {
			t.Fatalf("event %s of the tick %s is not named by it", ev.ID, tick.ScheduledAt)
		}
		out = append(out, tick.ScheduledAt.In(msk).Format("02.01 15:04"))
	}
	sort.Strings(out)
	return out
}

func sameList(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// waitTicksRun waits for the run of each of the flow's tick events and checks each ran once.
func waitTicksRun(t *testing.T, app *core.App, st *store.Store, flowID string) {
	t.Helper()
	var evs []store.Event
	if err := st.Read(context.Background()).Where("flow_id = ?", flowID).Find(&evs).Error; err != nil {
		t.Fatal(err)
	}
	for _, ev := range evs {
		// The run is stored by the finisher shortly after the event is taken (a hang, not a speed bound).
		var run *store.Run
		for deadline := time.Now().Add(30 * time.Second); run == nil; time.Sleep(5 * time.Millisecond) {
			if list, err := st.Attempts(context.Background(), ev.ID); err == nil && len(list) > 0 {
				run = &list[len(list)-1]
			} else if time.Now().After(deadline) {
				t.Fatalf("tick %s: no run within 30 s (%v)", ev.ID, err)
			}
		}
		if run.Status != flows.StatusSuccess {
			t.Fatalf("tick %s: run %+v", ev.ID, run)
		}
		runs, err := st.Attempts(context.Background(), ev.ID)
		if err != nil || len(runs) != 1 {
			t.Fatalf("tick %s ran %d times (%v)", ev.ID, len(runs), err)
		}
	}
}

func TestSchedule_EachTickIsEnqueuedAndRunOnce(t *testing.T) {
	target := flowstest.NewTarget(t, flowstest.Reply(200, `ok`))
	clock := clockwork.NewFakeClockAt(time.Date(2026, 12, 1, 8, 50, 0, 0, msk))
	st := testdb.Open(t, "sqlite")
	app, _ := appOn(t, st, clock, target.Client())
	flowID := scheduleFlow(t, app, `{"every":"15m"}`)

	fire(t, app, clock, time.Date(2026, 12, 1, 8, 59, 59, 0, msk))
	if got := ticks(t, st, flowID); len(got) != 0 {
		t.Fatalf("before 09:00: %v", got)
	}
	for _, at := range []time.Time{
		time.Date(2026, 12, 1, 9, 0, 0, 0, msk), time.Date(2026, 12, 1, 9, 0, 1, 0, msk), // on the tick, and a second later
		time.Date(2026, 12, 1, 9, 14, 0, 0, msk), time.Date(2026, 12, 1, 9, 15, 2, 0, msk), time.Date(2026, 12, 1, 9, 16, 0, 0, msk),
	} {
		fire(t, app, clock, at)
		fire(t, app, clock, at) // looking again finds nothing new
	}
	if got, want := ticks(t, st, flowID), []string{"01.12 09:00", "01.12 09:15"}; !sameList(got, want) {
		t.Fatalf("ticks %v, want %v", got, want)
	}
	waitTicksRun(t, app, st, flowID)
	var bodies []string
	for _, r := range target.Requests() {
		bodies = append(bodies, r.Body)
	}
	sort.Strings(bodies)
	if want := []string{"2026-12-01T09:00:00+03:00", "2026-12-01T09:15:00+03:00"}; !sameList(bodies, want) {
		t.Fatalf("the target got %v, want the ticks' times %v", bodies, want)
	}
}

// A downtime: the process stops after the 09:00 tick and the next one starts three days later
// at 12:00. Counting from the latest tick in the database, it runs the latest missed tick once
// (today's 09:00) or skips them, as the flow says; the next tick runs either way.
func TestSchedule_MissedTicksAfterADowntimeRunOnceOrAreSkipped(t *testing.T) {
	for _, c := range []struct {
		missed string
		want   []string
	}{
		{"once", []string{"01.12 09:00", "04.12 09:00", "05.12 09:00"}},
		{"skip", []string{"01.12 09:00", "05.12 09:00"}},
	} {
		t.Run(c.missed, func(t *testing.T) {
			target := flowstest.NewTarget(t, flowstest.Reply(200, `ok`))
			clock := clockwork.NewFakeClockAt(time.Date(2026, 12, 1, 8, 0, 0, 0, msk))
			st := testdb.Open(t, "sqlite")
			first, down := appOn(t, st, clock, target.Client())
			flowID := scheduleFlow(t, first, `{"every":"day","time":"09:00","missed":"`+c.missed+`"}`)
			fire(t, first, clock, time.Date(2026, 12, 1, 9, 0, 5, 0, msk))
			waitTicksRun(t, first, st, flowID)
			down()

			clock.Advance(time.Date(2026, 12, 4, 12, 0, 0, 0, msk).Sub(clock.Now()))
			next, _ := appOn(t, st, clock, target.Client())
			fire(t, next, clock, clock.Now())
			fire(t, next, clock, time.Date(2026, 12, 4, 12, 30, 0, 0, msk))
			fire(t, next, clock, time.Date(2026, 12, 5, 9, 0, 30, 0, msk))
			if got := ticks(t, st, flowID); !sameList(got, c.want) {
				t.Fatalf("ticks %v, want %v", got, c.want)
			}
			waitTicksRun(t, next, st, flowID)
			if n := len(target.Requests()); n != len(c.want) {
				t.Fatalf("%d requests, want %d", n, len(c.want))
			}
		})
	}
}

// A stopped flow fires nothing, and started again it does not make up for the times it was
// stopped, even when it runs missed ticks once.
func TestSchedule_AStoppedFlowDoesNotFire(t *testing.T) {
	clock := clockwork.NewFakeClockAt(time.Date(2026, 12, 1, 8, 0, 0, 0, msk))
	st := testdb.Open(t, "sqlite")
	app, _ := appOn(t, st, clock, flowstest.NewTarget(t).Client())
	flowID := scheduleFlow(t, app, `{"every":"1h","missed":"once"}`)
	fire(t, app, clock, time.Date(2026, 12, 1, 9, 0, 0, 0, msk))
	if _, err := app.Flows().SetActive(context.Background(), flowID, false); err != nil {
		t.Fatal(err)
	}
	fire(t, app, clock, time.Date(2026, 12, 1, 10, 0, 0, 0, msk))
	fire(t, app, clock, time.Date(2026, 12, 1, 12, 30, 0, 0, msk))
	if _, err := app.Flows().SetActive(context.Background(), flowID, true); err != nil {
		t.Fatal(err)
	}
	fire(t, app, clock, time.Date(2026, 12, 1, 12, 40, 0, 0, msk))
	fire(t, app, clock, time.Date(2026, 12, 1, 13, 0, 10, 0, msk))
	if got, want := ticks(t, st, flowID), []string{"01.12 09:00", "01.12 13:00"}; !sameList(got, want) {
		t.Fatalf("ticks %v, want %v", got, want)
	}
}

// The scheduler itself fires the ticks as the service's clock moves, with no call from outside.
func TestSchedule_TheSchedulerFiresOnTheServicesClock(t *testing.T) {
	clock := clockwork.NewFakeClockAt(time.Date(2026, 12, 1, 8, 59, 58, 0, msk))
	st := testdb.Open(t, "sqlite")
	app, _ := appOn(t, st, clock, flowstest.NewTarget(t).Client())
	flowID := scheduleFlow(t, app, `{"every":"day","time":"09:00"}`)
	for deadline := time.Now().Add(20 * time.Second); len(ticks(t, st, flowID)) == 0; {
		if time.Now().After(deadline) {
			t.Fatal("no tick after the clock passed 09:00")
		}
		nextSecond(t, clock)
	}
	if got := ticks(t, st, flowID); !sameList(got, []string{"01.12 09:00"}) {
		t.Fatalf("ticks %v", got)
	}
	waitTicksRun(t, app, st, flowID)
}

// A schedule flow has no webhook: the API gives no address, and its token takes no request.
func TestSchedule_AScheduleFlowHasNoWebhookAddress(t *testing.T) {
	clock := clockwork.NewFakeClockAt(time.Date(2026, 12, 1, 8, 0, 0, 0, msk))
	st := testdb.Open(t, "sqlite")
	app, _ := appOn(t, st, clock, flowstest.NewTarget(t).Client())
	flowID := scheduleFlow(t, app, `{"every":"day"}`)
	v, err := app.Flows().Get(context.Background(), flowID)
	if err != nil || v.WebhookURL != "" {
		t.Fatalf("webhook address %q (%v)", v.WebhookURL, err)
	}
	f, err := st.Flow(context.Background(), flowID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := app.Intake().AcceptWebhook(context.Background(), f.Token, flows.Payload{Method: "GET"}); !errors.Is(err, core.ErrUnknownHook) {
		t.Fatalf("a request to its token: %v, want %v", err, core.ErrUnknownHook)
	}
}

// Two processes on one PostgreSQL database, at the same time on their clocks, both look for
// the same ticks at once: each tick is stored once, by one of them, and run once.
func TestSchedule_TwoProcessesOnOnePostgresFireEachTickOnce(t *testing.T) {
	if !sameList(testdb.Dialects(), []string{"sqlite", "postgres"}) {
		t.Skip("PostgreSQL is not available (HOOKFLOW_TEST_POSTGRES)")
	}
	target := flowstest.NewTarget(t, flowstest.Reply(200, `ok`))
	opts := testdb.Options(t, "postgres")
	clock := clockwork.NewFakeClockAt(time.Date(2026, 12, 1, 8, 59, 0, 0, msk))
	var apps [2]*core.App
	var stores [2]*store.Store
	for i := range apps {
		st, err := store.Open(context.Background(), opts)
		if err != nil {
			t.Fatal(err)
		}
		stores[i] = st
		apps[i], _ = appOn(t, st, clock, target.Client())
		t.Cleanup(func() { st.Close() }) // after the app's stop, which was registered later
	}
	flowID := scheduleFlow(t, apps[0], `{"every":"1m"}`)
	var want []string
	for m := 0; m < 10; m++ {
		at := time.Date(2026, 12, 1, 9, m, 0, 0, msk)
		want = append(want, at.Format("02.01 15:04"))
		clock.Advance(at.Sub(clock.Now()))
		var wg sync.WaitGroup
		stored := make([][]string, len(apps))
		for i, app := range apps {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ids, err := app.FireSchedules(context.Background())
				if err != nil {
					t.Error(err)
				}
				stored[i] = ids
			}()
		}
		wg.Wait()
		if len(stored[0])+len(stored[1]) > 1 {
			t.Fatalf("09:%02d: stored by both processes: %v", m, stored)
		}
	}
	if got := ticks(t, stores[1], flowID); !sameList(got, want) {
		t.Fatalf("ticks %v, want %v", got, want)
	}
	waitTicksRun(t, apps[1], stores[1], flowID)
	if n := len(target.Requests()); n != len(want) {
		t.Fatalf("the target got %d requests for %d ticks", n, len(want))
	}
}

// nextSecond waits until the scheduler waits on the service's clock, then moves the clock a second on.
func nextSecond(t *testing.T, clock *clockwork.FakeClock) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	err := clock.BlockUntilContext(ctx, 1)
	cancel()
	if err != nil {
		t.Fatal("the scheduler does not wait on the service's clock")
	}
	clock.Advance(time.Second)
}
