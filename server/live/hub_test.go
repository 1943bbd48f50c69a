package live

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/hookflow/hookflow/flows"
	"github.com/hookflow/hookflow/server/internal/testkit"
	"github.com/labstack/echo/v4"
)

// ---- helpers ----

// startServer serves hub on the route the server uses, through Handler.
func startServer(t *testing.T, hub *Hub, wrap func(net.Listener) net.Listener) *httptest.Server {
	t.Helper()
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.GET("/api/flows/:id/live", hub.Handler("id"))
	srv := httptest.NewUnstartedServer(e)
	if wrap != nil {
		srv.Listener = wrap(srv.Listener)
	}
	srv.Start()
	t.Cleanup(func() {
		hub.Close()
		srv.Close()
	})
	return srv
}

func wsURL(srv *httptest.Server, flowID, query string) string {
	u := "ws" + strings.TrimPrefix(srv.URL, "http") + "/api/flows/" + flowID + "/live"
	if query != "" {
		u += "?" + query
	}
	return u
}

func dial(t *testing.T, srv *httptest.Server, flowID, query string) *websocket.Conn {
	t.Helper()
	conn, resp, err := websocket.DefaultDialer.Dial(wsURL(srv, flowID, query), nil)
	if err != nil {
		t.Fatalf("dial %s %s: %v (resp %v)", flowID, query, err, resp)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

func readEvent(t *testing.T, conn *websocket.Conn) Event {
	t.Helper()
	ev, err := tryRead(conn, 3*time.Second)
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	return ev
}

func tryRead(conn *websocket.Conn, timeout time.Duration) (Event, error) {
	_ = conn.SetReadDeadline(time.Now().Add(timeout))
	typ, data, err := conn.ReadMessage()
	if err != nil {
		return Event{}, err
	}
	if typ != websocket.TextMessage {
		return Event{}, errors.New("not a text frame")
	}
	var ev Event
	if err := json.Unmarshal(data, &ev); err != nil {
		return Event{}, err
	}
	return ev, nil
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	testkit.Eventually(t, 3*time.Second, cond, "waiting for %s", what)
}

func waitClients(t *testing.T, hub *Hub, flowID string, n int) {
	t.Helper()
	waitFor(t, "clients of "+flowID+" = "+strconv.Itoa(n), func() bool { return hub.Clients(flowID) == n })
}

// wantCloseCode checks that the hub closed conn with code.
func wantCloseCode(t *testing.T, conn *websocket.Conn, code int) {
	t.Helper()
	if got := closeCode(t, conn); got != code {
		t.Fatalf("close code %d, want %d", got, code)
	}
}

// closeCode reads until the connection ends and returns the close code (1006 when it just ends).
func closeCode(t *testing.T, conn *websocket.Conn) int {
	t.Helper()
	for {
		_ = conn.SetReadDeadline(time.Now().Add(3 * time.Second))
		_, _, err := conn.ReadMessage()
		if err == nil {
			continue
		}
		var ce *websocket.CloseError
		if errors.As(err, &ce) {
			return ce.Code
		}
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			t.Fatalf("connection still open: %v", err)
		}
		return websocket.CloseAbnormalClosure
	}
}

func publishN(hub *Hub, flowID string, n int) []uint64 {
	seqs := make([]uint64, n)
	for i := range seqs {
		seqs[i] = hub.Publish(flowID, Event{RunID: "r" + strconv.Itoa(i), Type: TypeStepFinished, Node: "n"}).Seq
	}
	return seqs
}

// quick is the tests' options. Most tests publish before anyone watches and then look at the
// history, which a hub keeps only for watched flows unless told to keep it always.
func quick() Options {
	return Options{WriteTimeout: 2 * time.Second, HistoryIdle: -1}
}

// ---- behaviours ----

func TestClientReceivesPublishedEventsInOrderWithIncreasingSeq(t *testing.T) {
	hub := NewHub(quick())
	srv := startServer(t, hub, nil)
	conn := dial(t, srv, "f1", "")
	waitClients(t, hub, "f1", 1)

	step := &flows.StepTrace{Node: "send", Kind: "http", Status: flows.StatusSuccess,
		Output: map[string]any{"ok": true}, DurationMs: 12}
	var published []Event
	published = append(published, hub.Publish("f1", Event{RunID: "r1", Type: TypeRunStarted}))
	published = append(published, hub.Publish("f1", Event{RunID: "r1", Type: TypeStepStarted, Node: "send"}))
	published = append(published, hub.Publish("f1", Event{RunID: "r1", Type: TypeStepFinished, Node: "send", Step: step}))
	for i := range 100 {
		published = append(published, hub.Publish("f1", Event{RunID: "r" + strconv.Itoa(i), Type: TypeEventReceived}))
	}
	published = append(published, hub.Publish("f1", Event{RunID: "r1", Type: TypeRunFinished, Status: flows.StatusSuccess}))

	var prev uint64
	for i, want := range published {
		if want.Seq <= prev || want.At.IsZero() || want.FlowID != "f1" {
			t.Fatalf("Publish returned %+v after seq %d", want, prev)
		}
		prev = want.Seq
		got := readEvent(t, conn)
		if got.Seq != want.Seq || got.Type != want.Type || got.RunID != want.RunID || got.FlowID != "f1" ||
			got.Node != want.Node || got.Status != want.Status || !got.At.Equal(want.At) {
			t.Fatalf("event %d: got %+v, want %+v", i, got, want)
		}
	}
	// The step trace travels whole.
	got := published[2]
	if got.Step == nil || got.Step.Node != "send" {
		t.Fatalf("published step: %+v", got.Step)
	}
}

func TestEachFrameIsOneJSONEventAndStepSurvives(t *testing.T) {
	hub := NewHub(quick())
	srv := startServer(t, hub, nil)
	conn := dial(t, srv, "f1", "")
	waitClients(t, hub, "f1", 1)

	hub.Publish("f1", Event{Type: TypeStepFinished, Node: "send", Step: &flows.StepTrace{
		Node: "send", Kind: "http", Status: flows.StatusFailed, Error: "boom", DurationMs: 7,
		Output: map[string]any{"a": "b"}}})
	// A script produced NaN: the event still goes out, without the data, saying why.
	hub.Publish("f1", Event{Type: TypeStepFinished, Node: "js", Step: &flows.StepTrace{
		Node: "js", Kind: "code", Status: flows.StatusSuccess, Output: math.NaN()}})

	_ = conn.SetReadDeadline(time.Now().Add(3 * time.Second))
	_, data, err := conn.ReadMessage()
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string]any
	if err := json.Unmarshal(data, &raw); err != nil {
		t.Fatalf("frame is not one JSON object: %q", data)
	}
	if !strings.HasPrefix(string(data), `{"seq":`) || raw["type"] != TypeStepFinished {
		t.Fatalf("frame: %s", data)
	}
	step := raw["step"].(map[string]any)
	if step["error"] != "boom" || step["output"].(map[string]any)["a"] != "b" {
		t.Fatalf("step: %v", step)
	}

	ev := readEvent(t, conn)
	if ev.Step == nil || ev.Step.Output != nil || len(ev.Step.Logs) != 1 || !strings.Contains(ev.Step.Logs[0], "not shown") {
		t.Fatalf("unencodable step: %+v", ev.Step)
	}
}

func TestReconnectWithSinceGetsExactlyTheMissedEventsThenLiveOnesWhilePublishing(t *testing.T) {
	opts := quick()
	opts.History = 100_000
	opts.SendBuffer = 100_000
	hub := NewHub(opts)
	srv := startServer(t, hub, nil)

	first := dial(t, srv, "f1", "")
	waitClients(t, hub, "f1", 1)

	var (
		mu        sync.Mutex
		published []uint64
		stop      atomic.Bool
		done      = make(chan struct{})
	)
	go func() { // a worker publishing the whole time
		defer close(done)
		for i := 0; !stop.Load() || i < 2000; i++ {
			seq := hub.Publish("f1", Event{Type: TypeStepFinished, Node: "n" + strconv.Itoa(i)}).Seq
			mu.Lock()
			published = append(published, seq)
			mu.Unlock()
			if i%20 == 0 {
				time.Sleep(100 * time.Microsecond)
			}
		}
	}()

	// The first connection sees some events, then drops.
	var last uint64
	for range 300 {
		ev := readEvent(t, first)
		if ev.Seq <= last {
			t.Fatalf("seq %d after %d", ev.Seq, last)
		}
		last = ev.Seq
	}
	first.Close()
	waitClients(t, hub, "f1", 0)

	// Reconnect while the worker keeps publishing: replay and live events race.
	second := dial(t, srv, "f1", "since="+strconv.FormatUint(last, 10))
	var got []uint64
	for range 500 {
		got = append(got, readEvent(t, second).Seq)
	}
	stop.Store(true)
	<-done
	mu.Lock()
	all := published
	mu.Unlock()
	final := all[len(all)-1]
	for got[len(got)-1] < final {
		got = append(got, readEvent(t, second).Seq)
	}

	var want []uint64
	for _, s := range all {
		if s > last {
			want = append(want, s)
		}
	}
	if len(got) != len(want) {
		t.Fatalf("after reconnect got %d events, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("event %d after reconnect: seq %d, want %d (gap or duplicate)", i, got[i], want[i])
		}
	}
	if _, err := tryRead(second, 50*time.Millisecond); err == nil {
		t.Fatal("an extra event arrived")
	}
}

// smallBuffers makes the kernel hold little for a connection, so a client that does not read
// backs up into the hub quickly (instead of into megabytes of loopback buffers).
type smallBuffers struct{ net.Listener }

func (l smallBuffers) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetWriteBuffer(8 << 10)
	}
	return c, err
}

func TestClientThatNeverReadsIsDroppedWhilePublishStaysFast(t *testing.T) {
	opts := quick()
	opts.SendBuffer = 64
	opts.WriteTimeout = 5 * time.Second // the slow writer must still be waiting when the slow client looks
	hub := NewHub(opts)
	srv := startServer(t, hub, func(l net.Listener) net.Listener { return smallBuffers{l} })

	fast := dial(t, srv, "f1", "")
	slow := dial(t, srv, "f1", "")
	waitClients(t, hub, "f1", 2)

	var fastLast atomic.Uint64
	fastCount := make(chan int, 1)
	go func() {
		n := 0
		var prev uint64
		for {
			ev, err := tryRead(fast, 3*time.Second)
			if err != nil {
				fastCount <- n
				return
			}
			if ev.Seq <= prev {
				fastCount <- -1
				return
			}
			prev = ev.Seq
			n++
			fastLast.Store(ev.Seq)
		}
	}()

	payload := strings.Repeat("x", 512)
	began := time.Now()
	const total, batch = 10_000, 25
	var slowest, sum time.Duration
	for i := 0; i < total; i += batch {
		var seq uint64
		for j := range batch {
			start := time.Now()
			seq = hub.Publish("f1", Event{Type: TypeStepFinished, Node: "n",
				Step: &flows.StepTrace{Node: "n", Status: "success", Output: payload, DurationMs: int64(i + j)}}).Seq
			d := time.Since(start)
			sum += d
			slowest = max(slowest, d)
		}
		// A browser that keeps up: the worker's pace is within what the fast client reads.
		waitFor(t, "fast client to catch up", func() bool { return fastLast.Load() >= seq })
	}
	t.Logf("publish: %d events, total %v, slowest %v", total, sum, slowest)
	// Generous for a shared machine; a Publish that waited on the stalled client would block for good.
	if slowest > time.Second {
		t.Errorf("a Publish took %v", slowest)
	}

	t.Logf("burst done after %v", time.Since(began))
	if n := hub.Clients("f1"); n != 1 {
		t.Fatalf("clients after the burst = %d, want 1 (slow one dropped)", n)
	}
	if code := closeCode(t, slow); code != websocket.CloseTryAgainLater {
		t.Fatalf("slow client closed with %d, want %d", code, websocket.CloseTryAgainLater)
	}
	t.Logf("slow client closed after %v", time.Since(began))
	fast.Close()
	if n := <-fastCount; n != total {
		t.Fatalf("fast client got %d events in order, want %d", n, total)
	}
}

func TestEventsOfOneFlowNeverReachAnotherFlowsClient(t *testing.T) {
	hub := NewHub(quick())
	srv := startServer(t, hub, nil)
	a := dial(t, srv, "A", "")
	b := dial(t, srv, "B", "")
	waitClients(t, hub, "A", 1)
	waitClients(t, hub, "B", 1)

	var wantA, wantB []uint64
	for i := range 50 {
		wantA = append(wantA, hub.Publish("A", Event{Type: TypeRunStarted, RunID: "a" + strconv.Itoa(i)}).Seq)
		wantB = append(wantB, hub.Publish("B", Event{Type: TypeRunStarted, RunID: "b" + strconv.Itoa(i)}).Seq)
		hub.Publish("C", Event{Type: TypeRunStarted}) // nobody watches C
	}
	for _, c := range []struct {
		conn *websocket.Conn
		flow string
		want []uint64
	}{{a, "A", wantA}, {b, "B", wantB}} {
		for i, seq := range c.want {
			ev := readEvent(t, c.conn)
			if ev.FlowID != c.flow || ev.Seq != seq || !strings.HasPrefix(ev.RunID, strings.ToLower(c.flow)) {
				t.Fatalf("client of %s, event %d: %+v (want seq %d)", c.flow, i, ev, seq)
			}
		}
		if ev, err := tryRead(c.conn, 50*time.Millisecond); err == nil {
			t.Fatalf("client of %s got an extra event %+v", c.flow, ev)
		}
	}
}

func TestSinceOlderThanHistory(t *testing.T) {
	type backfillFunc = func(context.Context, string, uint64) ([]Event, error)
	// run publishes 30 events into a history of 10 and connects with since = the 5th.
	run := func(t *testing.T, backfill func(seqs []uint64) backfillFunc) (*Hub, *httptest.Server, *websocket.Conn, []uint64) {
		opts := quick()
		opts.History = 10
		seqs := make([]uint64, 0, 30)
		if backfill != nil {
			opts.Backfill = func(ctx context.Context, flowID string, since uint64) ([]Event, error) {
				return backfill(seqs)(ctx, flowID, since)
			}
		}
		hub := NewHub(opts)
		srv := startServer(t, hub, nil)
		seqs = append(seqs, publishN(hub, "f1", 30)...)
		conn := dial(t, srv, "f1", "since="+strconv.FormatUint(seqs[4], 10))
		return hub, srv, conn, seqs
	}
	expectTail := func(t *testing.T, hub *Hub, conn *websocket.Conn, seqs []uint64, from int) {
		t.Helper()
		for i := from; i < len(seqs); i++ {
			if ev := readEvent(t, conn); ev.Seq != seqs[i] || ev.Type != TypeStepFinished {
				t.Fatalf("replay %d: %+v, want seq %d", i, ev, seqs[i])
			}
		}
		live := hub.Publish("f1", Event{Type: TypeRunFinished})
		if ev := readEvent(t, conn); ev.Seq != live.Seq || ev.Type != TypeRunFinished {
			t.Fatalf("live after replay: %+v, want %+v", ev, live)
		}
	}

	t.Run("no backfill sends a gap first", func(t *testing.T) {
		hub, _, conn, seqs := run(t, nil)
		gap := readEvent(t, conn)
		if gap.Type != TypeGap || gap.Seq != seqs[20]-1 || gap.FlowID != "f1" {
			t.Fatalf("first event %+v, want gap with seq %d", gap, seqs[20]-1)
		}
		expectTail(t, hub, conn, seqs, 20)
	})

	t.Run("backfill fills the older part", func(t *testing.T) {
		var asked atomic.Value
		hub, _, conn, seqs := run(t, func(seqs []uint64) backfillFunc {
			return func(_ context.Context, flowID string, since uint64) ([]Event, error) {
				asked.Store(flowID + " " + strconv.FormatUint(since, 10))
				// Everything the store knows, newest first, including events the hub still
				// holds and events the client already has: the hub keeps only what is missing.
				var out []Event
				for i := len(seqs) - 1; i >= 0; i-- {
					out = append(out, Event{Seq: seqs[i], Type: TypeStepFinished})
				}
				return out, nil
			}
		})
		expectTail(t, hub, conn, seqs, 5)
		if got, want := asked.Load(), "f1 "+strconv.FormatUint(seqs[4], 10); got != want {
			t.Fatalf("backfill asked for %v, want %s", got, want)
		}
	})

	t.Run("failing backfill sends a gap", func(t *testing.T) {
		hub, _, conn, seqs := run(t, func([]uint64) backfillFunc {
			return func(context.Context, string, uint64) ([]Event, error) { return nil, errors.New("db down") }
		})
		if gap := readEvent(t, conn); gap.Type != TypeGap || gap.Seq != seqs[20]-1 {
			t.Fatalf("first event %+v, want gap", gap)
		}
		expectTail(t, hub, conn, seqs, 20)
	})

	t.Run("since within history replays without gap", func(t *testing.T) {
		hub, srv, first, seqs := run(t, nil)
		first.Close()
		conn := dial(t, srv, "f1", "since="+strconv.FormatUint(seqs[24], 10))
		expectTail(t, hub, conn, seqs, 25)
	})

	t.Run("since from the future resets the cursor", func(t *testing.T) {
		hub, srv, first, seqs := run(t, nil)
		first.Close()
		conn := dial(t, srv, "f1", "since="+strconv.FormatUint(seqs[29]+1e12, 10))
		if gap := readEvent(t, conn); gap.Type != TypeGap || gap.Seq != seqs[29] {
			t.Fatalf("first event %+v, want gap with seq %d", gap, seqs[29])
		}
		expectTail(t, hub, conn, seqs, 30)
	})

	t.Run("cursor from before a restart is older than the history", func(t *testing.T) {
		before := NewHub(quick())
		old := publishN(before, "f1", 3)
		before.Close()
		hub := NewHub(quick()) // the restarted server
		srv := startServer(t, hub, nil)
		conn := dial(t, srv, "f1", "since="+strconv.FormatUint(old[2], 10))
		if gap := readEvent(t, conn); gap.Type != TypeGap || gap.Seq <= old[2] {
			t.Fatalf("first event %+v, want gap after %d", gap, old[2])
		}
		if ev := hub.Publish("f1", Event{Type: TypeRunStarted}); ev.Seq <= old[2] {
			t.Fatalf("seq went back across a restart: %d after %d", ev.Seq, old[2])
		}
		if ev := readEvent(t, conn); ev.Type != TypeRunStarted {
			t.Fatalf("live: %+v", ev)
		}
	})
}

func TestConcurrentPublishersGetDistinctIncreasingSeqs(t *testing.T) {
	opts := quick()
	opts.SendBuffer = 10_000
	hub := NewHub(opts)
	srv := startServer(t, hub, nil)
	conn := dial(t, srv, "f1", "")
	waitClients(t, hub, "f1", 1)

	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			for i := range 500 {
				hub.Publish("f1", Event{Type: TypeStepStarted, RunID: strconv.Itoa(w), Node: strconv.Itoa(i)})
			}
		})
	}
	wg.Wait()
	var prev uint64
	for range 8 * 500 {
		ev := readEvent(t, conn)
		if ev.Seq <= prev {
			t.Fatalf("seq %d after %d", ev.Seq, prev)
		}
		prev = ev.Seq
	}
}

func TestCloseDisconnectsEveryone(t *testing.T) {
	hub := NewHub(quick())
	srv := startServer(t, hub, nil)
	conns := []*websocket.Conn{dial(t, srv, "A", ""), dial(t, srv, "A", ""), dial(t, srv, "B", "")}
	waitClients(t, hub, "A", 2)
	waitClients(t, hub, "B", 1)

	codes := make(chan int, len(conns))
	for _, c := range conns {
		go func() { codes <- closeCode(t, c) }()
	}
	start := time.Now()
	hub.Close()
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Close took %v", d)
	}
	for range conns {
		if code := <-codes; code != websocket.CloseGoingAway {
			t.Fatalf("close code %d, want %d", code, websocket.CloseGoingAway)
		}
	}
	if hub.Clients("A")+hub.Clients("B") != 0 {
		t.Fatal("clients left after Close")
	}
	_, resp, err := websocket.DefaultDialer.Dial(wsURL(srv, "A", ""), nil)
	if err == nil || resp == nil || resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("dial after Close: %v, %v", err, resp)
	}
	hub.Publish("A", Event{Type: TypeRunStarted}) // still fine
	hub.Close()                                   // twice is fine
}

func TestRequestsRefusedBeforeUpgradeGetJSONErrors(t *testing.T) {
	hub := NewHub(quick())
	srv := startServer(t, hub, nil)

	check := func(t *testing.T, resp *http.Response, status int, contains string) {
		t.Helper()
		if resp == nil {
			t.Fatal("no response")
		}
		if resp.StatusCode != status {
			t.Fatalf("status %d, want %d", resp.StatusCode, status)
		}
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Fatalf("content type %q", ct)
		}
		body, _ := io.ReadAll(resp.Body)
		var e struct{ Error string }
		if err := json.Unmarshal(body, &e); err != nil || !strings.Contains(e.Error, contains) {
			t.Fatalf("body %q, want an error mentioning %q", body, contains)
		}
	}

	for _, since := range []string{"abc", "-1", "1.5", "99999999999999999999999"} {
		t.Run("since="+since, func(t *testing.T) {
			_, resp, err := websocket.DefaultDialer.Dial(wsURL(srv, "f1", "since="+since), nil)
			if !errors.Is(err, websocket.ErrBadHandshake) {
				t.Fatalf("dial: %v", err)
			}
			check(t, resp, http.StatusBadRequest, "since")
		})
	}
	t.Run("not a websocket", func(t *testing.T) {
		resp, err := http.Get(srv.URL + "/api/flows/f1/live")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		check(t, resp, http.StatusBadRequest, "websocket")
	})
	t.Run("other origin", func(t *testing.T) {
		h := http.Header{"Origin": {"http://evil.example"}}
		_, resp, err := websocket.DefaultDialer.Dial(wsURL(srv, "f1", ""), h)
		if !errors.Is(err, websocket.ErrBadHandshake) {
			t.Fatalf("dial: %v", err)
		}
		check(t, resp, http.StatusForbidden, "origin")
	})
	t.Run("same origin", func(t *testing.T) {
		h := http.Header{"Origin": {srv.URL}}
		conn, _, err := websocket.DefaultDialer.Dial(wsURL(srv, "f1", "since="), h)
		if err != nil {
			t.Fatal(err)
		}
		conn.Close()
	})
	if n := hub.Clients("f1"); n > 1 {
		t.Fatalf("clients %d", n)
	}
}

func TestClientThatStopsAnsweringPingsIsDisconnected(t *testing.T) {
	opts := quick()
	// Long enough that the answering client's pong is never late on a loaded machine (at 40 ms
	// it was, now and then, and the test dropped the wrong client).
	opts.PingInterval = 300 * time.Millisecond
	hub := NewHub(opts)
	srv := startServer(t, hub, nil)

	alive := dial(t, srv, "f1", "")
	go func() { // reading makes gorilla answer pings
		for {
			if _, _, err := alive.ReadMessage(); err != nil {
				return
			}
		}
	}()
	dial(t, srv, "f1", "") // never reads, so never answers a ping
	waitClients(t, hub, "f1", 2)

	waitClients(t, hub, "f1", 1) // the silent one goes after about two intervals
	time.Sleep(5 * opts.PingInterval)
	if n := hub.Clients("f1"); n != 1 {
		t.Fatalf("clients %d, want the answering one to stay", n)
	}
}

func TestFlowHubWithoutHistoryIsRemovedWhenLastClientLeaves(t *testing.T) {
	hub := NewHub(quick())
	srv := startServer(t, hub, nil)
	conn := dial(t, srv, "ghost", "")
	waitClients(t, hub, "ghost", 1)
	conn.Close()
	waitFor(t, "flow hub removed", func() bool {
		hub.mu.RLock()
		defer hub.mu.RUnlock()
		return hub.flows["ghost"] == nil
	})

	// With history it stays, so a reconnecting browser can catch up.
	seqs := publishN(hub, "kept", 3)
	conn = dial(t, srv, "kept", "")
	waitClients(t, hub, "kept", 1)
	conn.Close()
	waitClients(t, hub, "kept", 0)
	conn = dial(t, srv, "kept", "since="+strconv.FormatUint(seqs[0], 10))
	for _, want := range seqs[1:] {
		if ev := readEvent(t, conn); ev.Seq != want {
			t.Fatalf("seq %d, want %d", ev.Seq, want)
		}
	}
}

func TestHistoryIsBoundedByBytesToo(t *testing.T) {
	hub := NewHub(Options{History: 1000, HistoryBytes: 10_000, HistoryIdle: -1})
	big := strings.Repeat("y", 3000)
	for range 20 {
		hub.Publish("f1", Event{Type: TypeStepFinished, Step: &flows.StepTrace{Output: big}})
	}
	fh := hub.flows["f1"]
	fh.mu.Lock()
	defer fh.mu.Unlock()
	if fh.bytes > 10_000 || len(fh.hist) != 3 {
		t.Fatalf("history %d events, %d bytes", len(fh.hist), fh.bytes)
	}
	if fh.horizon >= fh.hist[0].seq {
		t.Fatalf("horizon %d, oldest %d", fh.horizon, fh.hist[0].seq)
	}
}

func TestDisconnectClosesOnlyTheConnectionsOfTheCredential(t *testing.T) {
	hub := NewHub(quick())
	open := watchedServer(t, hub)
	annaBrowser := open("f1", Watcher{Session: "s1", User: "anna", Team: "A"})
	annaScript := open("f2", Watcher{Token: "t1", User: "anna", Team: "A"})
	annaInB := open("f3", Watcher{Session: "s1", User: "anna", Team: "B"})
	boris := open("f1", Watcher{Session: "s2", User: "boris", Team: "A"})
	waitClients(t, hub, "f1", 2)
	waitClients(t, hub, "f2", 1)
	waitClients(t, hub, "f3", 1)

	if n := hub.Disconnect(Watcher{}, CloseSignedOut, "nobody"); n != 0 {
		t.Fatalf("an empty selector closed %d connections", n)
	}
	if n := hub.Disconnect(Watcher{Team: "A", User: "anna"}, CloseNoAccess, "live: you are no longer a member of this team"); n != 2 {
		t.Fatalf("anna's connections in team A: %d closed, want 2", n)
	}
	for _, conn := range []*websocket.Conn{annaBrowser, annaScript} {
		wantCloseCode(t, conn, CloseNoAccess)
	}
	if n := hub.Disconnect(Watcher{Session: "s1"}, CloseSignedOut, "live: you signed out"); n != 1 {
		t.Fatalf("session s1: %d closed, want 1 (the one in team B)", n)
	}
	wantCloseCode(t, annaInB, CloseSignedOut)
	hub.Publish("f1", Event{Type: TypeRunStarted})
	if ev := readEvent(t, boris); ev.Type != TypeRunStarted {
		t.Fatalf("boris got %+v", ev)
	}
}

// watchedServer serves hub like the server does, each connection opened by the Watcher open is
// given (the server takes it from the request's credential; here headers carry it).
func watchedServer(t *testing.T, hub *Hub) (open func(flowID string, w Watcher) *websocket.Conn) {
	t.Helper()
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.GET("/api/flows/:id/live", hub.Handler("id"), func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			h := c.Request().Header
			w := Watcher{Session: h.Get("X-Session"), Token: h.Get("X-Token"), User: h.Get("X-User"), Team: h.Get("X-Team")}
			c.SetRequest(c.Request().WithContext(WithWatcher(c.Request().Context(), w)))
			return next(c)
		}
	})
	srv := httptest.NewServer(e)
	t.Cleanup(func() { hub.Close(); srv.Close() })
	return func(flowID string, w Watcher) *websocket.Conn {
		h := http.Header{"X-Session": {w.Session}, "X-Token": {w.Token}, "X-User": {w.User}, "X-Team": {w.Team}}
		conn, _, err := websocket.DefaultDialer.Dial(wsURL(srv, flowID, ""), h)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { conn.Close() })
		return conn
	}
}

// A credential can end where Disconnect does not see it: while the connection is being opened,
// in another process on the same database, by expiring. The Recheck catches those: right after
// subscribing, then at every ping.
func TestRecheckClosesConnectionsWhoseCredentialEndedElsewhere(t *testing.T) {
	var ended sync.Map // session → true
	recheck := func(_ context.Context, w Watcher) (int, string) {
		if _, ok := ended.Load(w.Session); ok {
			return CloseSignedOut, "live: you signed out"
		}
		return 0, ""
	}
	t.Run("ended before the subscription", func(t *testing.T) {
		hub := NewHub(Options{PingInterval: time.Hour, WriteTimeout: 2 * time.Second}) // no ping during the test
		hub.SetRecheck(recheck)
		open := watchedServer(t, hub)
		ended.Store("s-early", true)
		wantCloseCode(t, open("f1", Watcher{Session: "s-early", User: "anna"}), CloseSignedOut)
	})
	t.Run("ended while watching", func(t *testing.T) {
		hub := NewHub(Options{PingInterval: 50 * time.Millisecond, WriteTimeout: 2 * time.Second})
		hub.SetRecheck(recheck)
		open := watchedServer(t, hub)
		conn := open("f1", Watcher{Session: "s-late", User: "anna"})
		other := open("f1", Watcher{Session: "s-other", User: "boris"})
		waitClients(t, hub, "f1", 2)
		ended.Store("s-late", true)
		wantCloseCode(t, conn, CloseSignedOut)
		hub.Publish("f1", Event{Type: TypeRunStarted})
		if ev := readEvent(t, other); ev.Type != TypeRunStarted {
			t.Fatalf("the other watcher got %+v", ev)
		}
	})
}

// A flow nobody watches keeps no history (its events are numbered, not encoded nor kept), so a
// browser arriving with an older cursor catches up from Backfill; a flow whose watcher left less
// than HistoryIdle ago keeps its history for the reconnect.
func TestHistory_KeptOnlyWhileAFlowIsOrWasJustWatched(t *testing.T) {
	held := func(hub *Hub) int {
		fh := hub.flows["f1"]
		fh.mu.Lock()
		defer fh.mu.Unlock()
		return len(fh.hist)
	}
	cases := []struct {
		name      string
		idle      time.Duration
		watchOnce bool // a browser connected and left before the events
		kept      bool
	}{
		{"never watched", time.Hour, false, false},
		{"watcher left within the idle time", time.Hour, true, true},
		{"watcher left longer ago than the idle time", time.Nanosecond, true, false},
		{"negative idle keeps everything", -1, false, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var asked atomic.Bool
			var last atomic.Uint64 // the journal knows the run of the last event published
			opts := Options{WriteTimeout: 2 * time.Second, HistoryIdle: c.idle,
				Backfill: func(context.Context, string, uint64) ([]Event, error) {
					asked.Store(true)
					return []Event{{Seq: last.Load(), Type: TypeRunFinished}}, nil
				}}
			hub := NewHub(opts)
			srv := startServer(t, hub, nil)
			if c.watchOnce { // the browser saw a run, then its connection dropped
				conn := dial(t, srv, "f1", "")
				waitClients(t, hub, "f1", 1)
				seen := hub.Publish("f1", Event{Type: TypeRunFinished})
				if ev := readEvent(t, conn); ev.Seq != seen.Seq {
					t.Fatalf("watched event %+v, want %d", ev, seen.Seq)
				}
				conn.Close()
				waitClients(t, hub, "f1", 0)
				hub.flows["f1"].mu.Lock()
				hub.flows["f1"].hist = nil // only what follows counts
				hub.flows["f1"].mu.Unlock()
			}
			seqs := publishN(hub, "f1", 5)
			last.Store(seqs[4])
			if got := held(hub); (got == 5) != c.kept || (got != 0 && got != 5) {
				t.Fatalf("history holds %d events, kept=%v wanted", got, c.kept)
			}
			conn := dial(t, srv, "f1", "since="+strconv.FormatUint(seqs[0]-1, 10))
			first := readEvent(t, conn)
			if c.kept {
				if first.Seq != seqs[0] || asked.Load() {
					t.Fatalf("first event %+v (backfill asked: %v), want the history's %d", first, asked.Load(), seqs[0])
				}
				return
			}
			if first.Seq != seqs[4] || first.Type != TypeRunFinished || !asked.Load() {
				t.Fatalf("first event %+v (backfill asked: %v), want the journal's", first, asked.Load())
			}
			live := hub.Publish("f1", Event{Type: TypeRunFinished})
			if ev := readEvent(t, conn); ev.Seq != live.Seq || ev.Seq <= seqs[4] {
				t.Fatalf("live after catch-up: %+v, want %d after %d", ev, live.Seq, seqs[4])
			}
		})
	}
}

// A browser opening the first connection to a flow nobody watched is not a watcher until its
// handshake ends; what is published in between (a test request arriving) is kept all the same
// and replayed to it, since the connection counts from the moment it is asked for.
func TestHistory_WhatIsPublishedDuringTheFirstHandshakeIsReplayed(t *testing.T) {
	hub := NewHub(Options{WriteTimeout: 2 * time.Second})
	srv := startServer(t, hub, nil)
	since := hub.cursor("f1") // Serve's first step, before the upgrade
	arrived := hub.Publish("f1", Event{Type: TypeEventReceived, EventID: "e1"})
	conn := dial(t, srv, "f1", "since="+strconv.FormatUint(since, 10))
	if ev := readEvent(t, conn); ev.Seq != arrived.Seq || ev.Type != TypeEventReceived || ev.EventID != "e1" {
		t.Fatalf("first event %+v, want the request published during the handshake (%d)", ev, arrived.Seq)
	}
}
