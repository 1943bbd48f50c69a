package livepg

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/hookflow/hookflow/flows"
	"github.com/hookflow/hookflow/server/internal/testdb"
	"github.com/hookflow/hookflow/server/internal/testkit"
	"github.com/hookflow/hookflow/server/live"
	"github.com/hookflow/hookflow/server/live/livetest"
	"github.com/hookflow/hookflow/server/store"
	"github.com/jackc/pgx/v5"
	"github.com/labstack/echo/v4"
)

// bigStep is a step whose trace is far beyond a notification: megabytes of input, output, HTTP
// exchange and logs, and an error of HTML with characters JSON escapes six-fold.
func bigStep() *flows.StepTrace {
	huge := strings.Repeat("x", 1<<20)
	return &flows.StepTrace{Node: "send", Kind: "http", Name: "Send to CRM", Status: flows.StatusFailed,
		Input: map[string]any{"body": huge}, Output: map[string]any{"body": huge}, Logs: []string{huge, huge},
		Error: strings.Repeat("<b>&</b>", 50000), ErrorCode: "http.status", ErrorParams: flows.Params{"body": huge},
		HTTP:       &flows.HTTPExchange{Sent: true, Request: flows.HTTPRequest{Method: "POST", URL: "https://crm.example/" + huge, Body: huge}},
		DurationMs: 1234, StartedAt: time.Now().UTC()}
}

func TestPayload_StaysUnderTheLimitWithABigTraceAndKeepsWhatTheLiveLogShows(t *testing.T) {
	long := strings.Repeat("ошибка <x> ", 20000)
	for _, tc := range []struct {
		name     string
		ev       live.Event
		wantStep bool // the step's node, status and duration survive
	}{
		{"a step of megabytes", live.Event{FlowID: "f", RunID: "r", Type: live.TypeStepFinished, Node: "send", Step: bigStep(),
			ErrorText: map[string]string{"en": long, "ru": long}}, true},
		{"a run's end with long error texts", live.Event{FlowID: "f", RunID: "r", EventID: "e", Type: live.TypeRunFinished,
			Status: "failed", ErrorText: map[string]string{"en": long, "ru": long}}, false},
		{"a step whose name and branch are long", live.Event{FlowID: "f", RunID: "r", Type: live.TypeStepFinished, Node: "n",
			Step: &flows.StepTrace{Node: "n", Name: long, Branch: long, Status: "success", DurationMs: 7}}, true},
		{"a step whose node id alone is too long", live.Event{FlowID: "f", RunID: "r", Type: live.TypeStepFinished,
			Node: strings.Repeat("<", 8000), Step: &flows.StepTrace{Node: strings.Repeat("<", 8000), Status: "success"}}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := Payload(tc.ev)
			if len(b) > MaxPayload {
				t.Fatalf("payload of %d bytes, limit %d", len(b), MaxPayload)
			}
			if MaxPayload+len("18446744073709551615 ") >= 8000 {
				t.Fatal("the limit leaves PostgreSQL's 8000 bytes no margin")
			}
			ev, err := Parse("1764590000000000 " + string(b))
			if err != nil {
				t.Fatal(err)
			}
			if ev.Seq != 1764590000000000 || ev.FlowID != "f" || ev.RunID != "r" || ev.Type != tc.ev.Type || ev.EventID != tc.ev.EventID {
				t.Fatalf("read back as %+v", ev)
			}
			if tc.wantStep {
				if ev.Step == nil || ev.Step.Node != tc.ev.Step.Node || ev.Step.Status != tc.ev.Step.Status || ev.Step.DurationMs != tc.ev.Step.DurationMs {
					t.Fatalf("the step lost what the live log shows: %+v", ev.Step)
				}
				if ev.Step.Input != nil || ev.Step.Output != nil || ev.Step.HTTP != nil || ev.Step.Logs != nil {
					t.Fatal("the step's data travelled in the notification; it is the stored trace's")
				}
			}
		})
	}
}

// A process whose database does not take its live events as fast as they come drops those its
// queue has no room for. Those were never numbered, so no process holds them: every process's
// watchers, the dropping one's included, are told to reconnect (close 1013) and catch up from
// the journal, instead of missing them unawares; live events flow again after that.
func TestRelay_DroppedEventsSendEveryWatcherToCatchUp(t *testing.T) {
	url := postgresURL(t)
	a := startRelayed(t, url)
	b := startRelayedWith(t, url, func(o *Options) { o.Queue = 4 })
	watchA, watchB := a.dial(t, "f", ""), b.dial(t, "f", "")
	b.hub.Publish("f", live.Event{RunID: "r1", Type: live.TypeRunStarted})
	first := read(t, watchA)
	read(t, watchB)

	// Another transaction holds the cursor's row: b's next statement waits for it.
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = admin.Close(ctx) }()
	tx, err := admin.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, "SELECT n FROM live_cursor WHERE id = 1 FOR UPDATE"); err != nil {
		t.Fatal(err)
	}
	b.hub.Publish("f", live.Event{RunID: "r2", Type: live.TypeRunStarted})
	testkit.EventuallyNil(t, 10*time.Second, func() error {
		var waiting int
		err := admin.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()
			AND application_name = $1 AND wait_event_type = 'Lock'`, senderName).Scan(&waiting)
		if err == nil && waiting == 0 {
			err = errors.New("b's sender does not wait for the cursor's row")
		}
		return err
	})
	for i := range 10 { // 4 wait in b's queue, 6 are dropped
		b.hub.Publish("f", live.Event{RunID: fmt.Sprintf("r%d", i+3), Type: live.TypeRunStarted})
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	for name, watch := range map[string]*websocket.Conn{"another process's": watchA, "the dropping process's": watchB} {
		_ = watch.SetReadDeadline(time.Now().Add(10 * time.Second))
		for {
			_, _, err := watch.ReadMessage()
			if err == nil {
				continue // r2, numbered before the drops
			}
			var ce *websocket.CloseError
			if !errors.As(err, &ce) || ce.Code != websocket.CloseTryAgainLater {
				t.Fatalf("%s watcher got %v, want close 1013 (reconnect with ?since=)", name, err)
			}
			break
		}
	}
	again := a.dial(t, "f", "since="+fmt.Sprint(first.Seq))
	b.hub.Publish("f", live.Event{RunID: "after", Type: live.TypeRunStarted})
	for last := first.Seq; ; {
		ev := read(t, again)
		if ev.Seq <= last {
			t.Fatalf("after the reconnect: %+v numbered %d after %d", ev, ev.Seq, last)
		}
		if last = ev.Seq; ev.RunID == "after" {
			break
		}
	}
}

// relayed is one process's live side: a hub, its relay on PostgreSQL and a websocket server.
type relayed struct {
	hub   *live.Hub
	relay *Relay
	srv   *httptest.Server
}

func startRelayed(t *testing.T, url string) *relayed {
	t.Helper()
	return startRelayedRetry(t, url, 20*time.Millisecond)
}

func startRelayedRetry(t *testing.T, url string, retry time.Duration) *relayed {
	t.Helper()
	return startRelayedWith(t, url, func(o *Options) { o.Retry = retry })
}

// startRelayedWith starts one process's live side with its relay's options set by set.
func startRelayedWith(t *testing.T, url string, set func(*Options)) *relayed {
	t.Helper()
	// The test reads its sockets one after the other, each a burst of hundreds of events: room
	// for them all, so a socket read later is not taken for a slow browser.
	hub := live.NewHub(live.Options{WriteTimeout: 2 * time.Second, SendBuffer: 4096})
	o := Options{DatabaseURL: url, Hub: hub, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), KeepAlive: 500 * time.Millisecond}
	set(&o)
	r, err := Start(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	e := echo.New()
	e.GET("/api/flows/:id/live", hub.Handler("id"))
	srv := httptest.NewServer(e)
	t.Cleanup(func() {
		hub.Close()
		srv.Close()
		r.Close(time.Second)
	})
	return &relayed{hub: hub, relay: r, srv: srv}
}

func (p *relayed) dial(t *testing.T, flowID, query string) *websocket.Conn {
	t.Helper()
	u := "ws" + strings.TrimPrefix(p.srv.URL, "http") + "/api/flows/" + flowID + "/live"
	if query != "" {
		u += "?" + query
	}
	c, _, err := websocket.DefaultDialer.Dial(u, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	testkit.Eventually(t, 10*time.Second, func() bool { return p.hub.Clients(flowID) > 0 }, "the hub has no client of flow %s", flowID)
	return c
}

func read(t *testing.T, c *websocket.Conn) live.Event {
	t.Helper()
	return livetest.Read(t, c, 10*time.Second)
}

func postgresURL(t *testing.T) string {
	t.Helper()
	testdb.SkipWithoutPostgres(t, "the live relay is PostgreSQL's")
	opts := testdb.Options(t, "postgres")
	st, err := store.Open(context.Background(), opts) // migrates: live_cursor
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	return opts.DatabaseURL
}

// Three processes' hubs on one database: runs published concurrently by two of them reach the
// third's watcher once each, every run's events in order, numbered the same everywhere.
func TestRelay_ThreeProcessesSeeEveryEventOnceInOneOrder(t *testing.T) {
	url := postgresURL(t)
	a, b, c := startRelayed(t, url), startRelayed(t, url), startRelayed(t, url)
	watch := a.dial(t, "f", "")
	onC := c.dial(t, "f", "")
	const runs, steps = 40, 5
	var wg sync.WaitGroup
	for i := range runs {
		p := []*relayed{b, c}[i%2]
		wg.Add(1)
		go func() {
			defer wg.Done()
			run := fmt.Sprintf("r%d", i)
			p.hub.Publish("f", live.Event{RunID: run, Type: live.TypeRunStarted})
			for s := range steps {
				p.hub.Publish("f", live.Event{RunID: run, Type: live.TypeStepFinished, Node: fmt.Sprint(s),
					Step: &flows.StepTrace{Node: fmt.Sprint(s), Status: "success"}})
			}
			p.hub.Publish("f", live.Event{RunID: run, Type: live.TypeRunFinished, Status: "success"})
		}()
	}
	wg.Wait()
	total := runs * (steps + 2)
	var seen, seenC []live.Event
	for range total {
		seen = append(seen, read(t, watch))
		seenC = append(seenC, read(t, onC))
	}
	perRun := map[string][]string{}
	for i, ev := range seen {
		if i > 0 && ev.Seq <= seen[i-1].Seq {
			t.Fatalf("event %d numbered %d after %d", i, ev.Seq, seen[i-1].Seq)
		}
		if ev.Seq != seenC[i].Seq || ev.RunID != seenC[i].RunID || ev.Type != seenC[i].Type {
			t.Fatalf("event %d is %+v on one process and %+v on another", i, ev, seenC[i])
		}
		perRun[ev.RunID] = append(perRun[ev.RunID], ev.Type+ev.Node)
	}
	want := []string{live.TypeRunStarted}
	for s := range steps {
		want = append(want, live.TypeStepFinished+fmt.Sprint(s))
	}
	want = append(want, live.TypeRunFinished)
	if len(perRun) != runs {
		t.Fatalf("%d runs seen, want %d", len(perRun), runs)
	}
	for run, got := range perRun {
		if !slices.Equal(got, want) {
			t.Fatalf("run %s seen as %v, want %v", run, got, want)
		}
	}
	// Catch-up from the first event's cursor on the process that published none of them.
	late := b.dial(t, "f", "since="+fmt.Sprint(seen[0].Seq-1))
	for i := range total {
		if ev := read(t, late); ev.Seq != seen[i].Seq || ev.RunID != seen[i].RunID || ev.Type != seen[i].Type {
			t.Fatalf("catch-up event %d: %+v, want %+v", i, ev, seen[i])
		}
	}
}

// A step with megabytes of trace travels (PostgreSQL would refuse a payload of 8000 bytes).
func TestRelay_ABigStepIsSentCutToWhatTheLiveLogShows(t *testing.T) {
	url := postgresURL(t)
	a, b := startRelayed(t, url), startRelayed(t, url)
	watch := a.dial(t, "f", "")
	b.hub.Publish("f", live.Event{RunID: "r", Type: live.TypeStepFinished, Node: "send", Step: bigStep()})
	b.hub.Publish("f", live.Event{RunID: "r", Type: live.TypeRunFinished, Status: "failed"})
	ev := read(t, watch)
	if ev.Type != live.TypeStepFinished || ev.Step == nil || ev.Step.Status != flows.StatusFailed || ev.Step.Output != nil {
		t.Fatalf("got %+v", ev)
	}
	if ev := read(t, watch); ev.Type != live.TypeRunFinished {
		t.Fatalf("got %+v", ev)
	}
}

// The listening connections are cut (as by a database restart) and an event is sent while the
// relay of process a is away: a listens again, sends its watcher to reconnect (close 1013), the
// reconnected watcher is told of the gap (here no journal rebuilds it), and live events flow again.
func TestRelay_ListensAgainAfterItsConnectionIsCut(t *testing.T) {
	url := postgresURL(t)
	a, b := startRelayedRetry(t, url, time.Second), startRelayed(t, url)
	watch := a.dial(t, "f", "")
	b.hub.Publish("f", live.Event{RunID: "r1", Type: live.TypeRunStarted})
	first := read(t, watch)

	admin, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = admin.Close(context.Background()) }()
	if _, err := admin.Exec(context.Background(), `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
		WHERE datname = current_database() AND application_name = $1`, listenerName); err != nil {
		t.Fatal(err)
	}
	b.hub.Publish("f", live.Event{RunID: "r2", Type: live.TypeRunStarted}) // a does not listen now
	_ = watch.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, _, err = watch.ReadMessage()
	var ce *websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != websocket.CloseTryAgainLater {
		t.Fatalf("the watcher got %v, want close 1013 (reconnect with ?since=)", err)
	}
	again := a.dial(t, "f", "since="+fmt.Sprint(first.Seq))
	if ev := read(t, again); ev.Type != live.TypeGap || ev.Seq <= first.Seq {
		t.Fatalf("after the reconnect: %+v, want a gap past %d", ev, first.Seq)
	}
	b.hub.Publish("f", live.Event{RunID: "r3", Type: live.TypeRunStarted})
	if ev := read(t, again); ev.RunID != "r3" {
		t.Fatalf("live after the reconnect: %+v", ev)
	}
}

// Whatever a notification on the channel holds (anyone with access to the database can send
// one), reading it does not panic, and an event it yields carries the number in front of it.
func FuzzParseNotification(f *testing.F) {
	one := Payload(live.Event{FlowID: "f", RunID: "r", Type: live.TypeRunStarted})
	f.Add("1764590000000000 " + string(one))
	f.Add("18446744073709551615 " + string(one))
	f.Add("7 not json")
	f.Add("0 {}")
	f.Add("")
	f.Fuzz(func(t *testing.T, payload string) {
		ev, err := Parse(payload)
		if err != nil {
			return
		}
		num, _, _ := strings.Cut(payload, " ")
		if want, _ := strconv.ParseUint(num, 10, 64); ev.Seq == 0 || ev.Seq != want {
			t.Fatalf("%.60q read as event number %d", payload, ev.Seq)
		}
	})
}

// Under a load that keeps a process's queue full it drops events all the time: it sends a gap
// notification (which sends every watcher to reconnect) at most once every gapEvery, and one
// that waits for its time is still sent when no event follows it.
func TestRelay_AGapIsSentAtMostOnceASecond(t *testing.T) {
	ev := live.Event{FlowID: "f", Type: live.TypeRunStarted}
	for _, tc := range []struct {
		name          string
		sentAgo       time.Duration
		queued        int
		wantGap, wait bool
	}{
		{"the first gap goes at once, before the waiting events", 0, 2, true, false},
		{"a gap a second after the last goes", gapEvery, 2, true, false},
		{"a gap sooner waits; the events go", gapEvery / 2, 2, false, true},
		{"a gap sooner waits with nothing else to send", gapEvery / 2, 0, false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := &Relay{opts: Options{Batch: 10}, gap: true}
			if tc.sentAgo > 0 {
				r.gapSent = time.Now().Add(-tc.sentAgo)
			}
			for range tc.queued {
				r.queue = append(r.queue, ev)
			}
			batch, done, later := r.take()
			gotGap := len(batch) > 0 && batch[0].Type == typeGap
			if gotGap != tc.wantGap || later != tc.wait || done || len(batch) != tc.queued+map[bool]int{true: 1}[gotGap] {
				t.Fatalf("batch %v, done %v, gap later %v", batch, done, later)
			}
		})
	}
}
