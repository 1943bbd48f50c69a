package live

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/gorilla/websocket"
	"github.com/labstack/echo/v4"
)

// Options tune a Hub. Zero values take the defaults.
type Options struct {
	History      int // events kept per flow for ?since= replay (default 1000)
	HistoryBytes int // and at most this much encoded JSON per flow (default 16 MiB; the newest event is always kept)
	// HistoryIdle is how long a flow keeps its history after its last watcher left (default 2
	// minutes): enough for a browser to reconnect after a dropped connection or a reload. Past
	// it, and before a flow's first watcher, events are numbered but neither encoded nor kept (at
	// a few thousand runs a second the History of 1,000 events spans under a second anyway); a
	// browser catches up from Backfill. Negative: always kept. With a relay (several processes)
	// every event is kept, since a browser may come over from another process.
	HistoryIdle  time.Duration
	SendBuffer   int           // per client queue (default 256); a client whose queue is full is dropped
	PingInterval time.Duration // default 25s; pong wait = 2×
	WriteTimeout time.Duration // default 10s
	// Backfill, when set, is asked for events older than the in-memory history (the server
	// rebuilds them from stored traces). May be nil. The hub keeps only events with
	// since < Seq ≤ the last event it no longer holds, sorts them and makes their Seq strictly
	// increasing; an event with Seq 0 is numbered from At in Unix microseconds (the clock Publish
	// numbers with, so exact only if At was left to Publish). The call is cut off after
	// PingInterval; an error (or timeout) makes the client get a gap event instead.
	Backfill    func(ctx context.Context, flowID string, since uint64) ([]Event, error)
	CheckOrigin func(r *http.Request) bool // default: same host only (or no Origin header)
}

const (
	defaultHistory      = 1000
	defaultHistoryBytes = 16 << 20
	defaultHistoryIdle  = 2 * time.Minute
	defaultSendBuffer   = 256
	defaultPingInterval = 25 * time.Second
	defaultWriteTimeout = 10 * time.Second

	readLimit = 4096 // browsers send nothing; whatever they send is read and thrown away
)

// Close codes and reasons sent to clients.
const (
	closeSlow     = websocket.CloseTryAgainLater // 1013
	reasonSlow    = "live: too slow, send queue full; reconnect with ?since=<last seq>"
	closeShutdown = websocket.CloseGoingAway // 1001
	reasonClosing = "live: server shutting down"
)

// Close codes of Disconnect, in the range websocket leaves to applications (4000–4999), after
// the HTTP statuses they mean: reconnecting with the same credential will not work.
const (
	CloseSignedOut = 4401 // the session ended or the API token was revoked
	CloseNoAccess  = 4403 // the user is no longer a member of the flow's team
)

// Hub fans run events out to the websockets watching each flow. Create it with NewHub; the zero
// value is not usable.
type Hub struct {
	opts     Options
	upgrader websocket.Upgrader

	mu      sync.RWMutex
	flows   map[string]*flowHub
	closed  bool
	recheck Recheck
	conns   sync.WaitGroup // one per connection between subscribe and the end of Serve

	relayState // events numbered elsewhere (relay.go); zero: numbered by Publish
}

// NewHub returns a hub with opts' zero fields set to their defaults.
func NewHub(opts Options) *Hub {
	if opts.History <= 0 {
		opts.History = defaultHistory
	}
	if opts.HistoryBytes <= 0 {
		opts.HistoryBytes = defaultHistoryBytes
	}
	if opts.HistoryIdle == 0 {
		opts.HistoryIdle = defaultHistoryIdle
	}
	if opts.SendBuffer <= 0 {
		opts.SendBuffer = defaultSendBuffer
	}
	if opts.PingInterval <= 0 {
		opts.PingInterval = defaultPingInterval
	}
	if opts.WriteTimeout <= 0 {
		opts.WriteTimeout = defaultWriteTimeout
	}
	return &Hub{
		opts:  opts,
		flows: make(map[string]*flowHub),
		upgrader: websocket.Upgrader{
			ReadBufferSize:  1024,
			WriteBufferSize: 4096,
			WriteBufferPool: &sync.Pool{},     // idle watchers hold no write buffer
			CheckOrigin:     opts.CheckOrigin, // nil: gorilla's same-host check
			Error: func(w http.ResponseWriter, _ *http.Request, status int, reason error) {
				writeError(w, status, reason.Error())
			},
		},
	}
}

// entry is a published event as sent: its number and its JSON, encoded once at Publish time (so
// a caller that later changes the StepTrace it passed does not race with the writers).
type entry struct {
	seq  uint64
	data []byte
}

// flowHub is one flow's history and watchers.
type flowHub struct {
	id string

	mu      sync.Mutex
	last    uint64   // last Seq assigned (0: none yet)
	horizon uint64   // every event with Seq > horizon is in hist
	hist    []*entry // oldest first, bounded by History and HistoryBytes
	bytes   int      // encoded size of hist
	clients map[*client]struct{}
	watched time.Time // when the flow last had a watcher
}

// newFlowHub makes a flow's hub; h.mu is held.
func (h *Hub) newFlowHub(id string) *flowHub {
	// Events of an earlier process were numbered with earlier clock readings, so they are all at
	// or below now: a cursor from before a restart is "older than the history". With a relay,
	// every event after the relay's cursor reaches Deliver, so that cursor is the horizon.
	horizon := nowMicros()
	if h.relay != nil {
		horizon = h.base
	}
	return &flowHub{id: id, horizon: horizon, clients: make(map[*client]struct{})}
}

func nowMicros() uint64 { return uint64(time.Now().UnixMicro()) }

// Publish numbers ev (Seq), stamps it (At, if zero) and sends it to the flow's watchers. It never
// waits for a browser: a watcher whose queue is full is disconnected instead. It returns the
// event as published.
//
// With a relay (SetRelay) the event is handed to it instead, and numbered and sent to watchers
// when it comes back through Deliver; the event returned then has Seq 0.
func (h *Hub) Publish(flowID string, ev Event) Event {
	ev.FlowID = flowID
	if ev.At.IsZero() {
		ev.At = time.Now().UTC()
	}
	h.mu.RLock()
	relay := h.relay
	h.mu.RUnlock()
	if relay != nil {
		ev.Seq = 0
		relay(ev)
		return ev
	}
	// Encode outside the lock with Seq 0 and splice the number in under it, so concurrent runs
	// of one flow do not queue behind each other's JSON encoding. A flow nobody has watched for
	// a while keeps no history, so its events are numbered and not encoded at all.
	ev.Seq = 0
	var body []byte
	for {
		h.mu.RLock()
		fh := h.flows[flowID]
		if fh != nil {
			if seq, ok := fh.passUnwatched(h.opts.HistoryIdle); ok {
				h.mu.RUnlock()
				ev.Seq = seq
				h.runEnded(ev)
				return ev
			}
			if body == nil {
				h.mu.RUnlock()
				body = encode(ev)
				continue
			}
			ev.Seq = fh.publish(body, ev, h.opts)
			h.mu.RUnlock()
			h.runEnded(ev)
			return ev
		}
		h.mu.RUnlock()
		h.mu.Lock()
		if h.flows[flowID] == nil {
			h.flows[flowID] = h.newFlowHub(flowID)
		}
		h.mu.Unlock()
	}
}

// seqZeroPrefix is how encode's output starts for an event with Seq 0 (Seq is the first field).
var seqZeroPrefix = []byte(`{"seq":0,`)

// passUnwatched numbers an event of a flow that has had no watcher in this process for idle (or
// never had one), without keeping it: the history is emptied and its horizon moved past the
// event, so a browser that comes back later catches up from the journal (Backfill), as it does
// past a full history. It reports false, and does nothing, while the flow is watched or was
// within idle.
func (fh *flowHub) passUnwatched(idle time.Duration) (uint64, bool) {
	fh.mu.Lock()
	defer fh.mu.Unlock()
	now := time.Now()
	if len(fh.clients) > 0 {
		fh.watched = now
		return 0, false
	}
	if idle < 0 || now.Sub(fh.watched) < idle {
		return 0, false
	}
	seq := max(fh.last+1, fh.horizon+1, nowMicros())
	fh.last, fh.horizon = seq, seq
	if len(fh.hist) > 0 {
		clear(fh.hist)
		fh.hist, fh.bytes = nil, 0
	}
	return seq, true
}

func (fh *flowHub) publish(body []byte, ev Event, opts Options) uint64 {
	fh.mu.Lock()
	defer fh.mu.Unlock()

	seq := max(fh.last+1, fh.horizon+1, nowMicros())
	fh.last = seq

	var data []byte
	if rest, ok := bytes.CutPrefix(body, seqZeroPrefix); ok {
		data = make([]byte, 0, len(body)+20)
		data = append(data, `{"seq":`...)
		data = strconv.AppendUint(data, seq, 10)
		data = append(data, ',')
		data = append(data, rest...)
	} else { // not reached with encoding/json; kept so a change there cannot corrupt frames
		ev.Seq = seq
		data = encode(ev)
	}
	fh.add(&entry{seq: seq, data: data}, opts)
	return seq
}

// add appends e (numbered after every event held) to the history and hands it to the watchers;
// fh.mu is held.
func (fh *flowHub) add(e *entry, opts Options) {
	fh.hist = append(fh.hist, e)
	fh.bytes += len(e.data)
	for len(fh.hist) > opts.History || (fh.bytes > opts.HistoryBytes && len(fh.hist) > 1) {
		old := fh.hist[0]
		fh.hist[0] = nil
		fh.hist = fh.hist[1:]
		fh.bytes -= len(old.data)
		fh.horizon = old.seq
	}

	for c := range fh.clients {
		select {
		case c.send <- e:
		default:
			delete(fh.clients, c)
			c.kick(closeSlow, reasonSlow)
		}
	}
}

// encode marshals ev. A step whose input or output cannot be encoded (NaN from a script, say) is
// sent without them, with a log line saying why, rather than not at all.
func encode(ev Event) []byte {
	b, err := json.Marshal(ev)
	if err == nil {
		return b
	}
	if ev.Step != nil {
		st := *ev.Step
		st.Input, st.Output, st.HTTP, st.ErrorParams = nil, nil, nil, nil
		st.Logs = append(slices.Clip(st.Logs), "live: step data not shown: "+err.Error())
		ev.Step = &st
		if b, err := json.Marshal(ev); err == nil {
			return b
		}
		ev.Step = nil
	}
	b, _ = json.Marshal(ev) // only strings, numbers and a time are left
	return b
}

// Clients returns how many websockets watch the flow.
func (h *Hub) Clients(flowID string) int {
	h.mu.RLock()
	defer h.mu.RUnlock()
	fh := h.flows[flowID]
	if fh == nil {
		return 0
	}
	fh.mu.Lock()
	defer fh.mu.Unlock()
	return len(fh.clients)
}

// Close disconnects every client (close 1001) and waits until their connections are closed —
// at most about twice WriteTimeout for a client that stopped reading. Later Serve calls answer
// 503. Publish keeps working (it only records history).
func (h *Hub) Close() {
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		h.conns.Wait()
		return
	}
	h.closed = true
	fhs := make([]*flowHub, 0, len(h.flows))
	for _, fh := range h.flows {
		fhs = append(fhs, fh)
	}
	h.mu.Unlock()

	for _, fh := range fhs {
		fh.mu.Lock()
		for c := range fh.clients {
			delete(fh.clients, c)
			c.kick(closeShutdown, reasonClosing)
		}
		fh.mu.Unlock()
	}
	h.conns.Wait()
}

// Watcher says with which credential a websocket was opened, so that the server can close it
// when that credential stops being valid (Disconnect). The server puts it in the request's
// context (WithWatcher) when it checks access; a connection without one is never matched.
type Watcher struct {
	Session string // the browser session's id, when opened with a session
	Token   string // the API token's id, when opened with an API token
	User    string
	Team    string // the team the request worked in
}

type watcherKey struct{}

// WithWatcher returns ctx carrying who opens a live log with it.
func WithWatcher(ctx context.Context, w Watcher) context.Context {
	return context.WithValue(ctx, watcherKey{}, w)
}

func watcherFrom(ctx context.Context) Watcher {
	w, _ := ctx.Value(watcherKey{}).(Watcher)
	return w
}

// matches reports whether every field set in sel equals w's; an empty sel matches nothing.
func (w Watcher) matches(sel Watcher) bool {
	if sel == (Watcher{}) {
		return false
	}
	for _, f := range [][2]string{{sel.Session, w.Session}, {sel.Token, w.Token}, {sel.User, w.User}, {sel.Team, w.Team}} {
		if f[0] != "" && f[0] != f[1] {
			return false
		}
	}
	return true
}

// Disconnect closes, at once, every connection whose Watcher has all the fields set in sel
// (Watcher{Session: id}: that browser; Watcher{Team: t, User: u}: everything u opened in t),
// with code and reason (at most 123 bytes). It returns how many it closed. It never waits for a
// browser: the close frame is sent by each connection's own writer.
func (h *Hub) Disconnect(sel Watcher, code int, reason string) int {
	h.mu.RLock()
	fhs := make([]*flowHub, 0, len(h.flows))
	for _, fh := range h.flows {
		fhs = append(fhs, fh)
	}
	h.mu.RUnlock()
	n := 0
	for _, fh := range fhs {
		fh.mu.Lock()
		for c := range fh.clients {
			if c.who.matches(sel) {
				delete(fh.clients, c)
				c.kick(code, reason)
				n++
			}
		}
		fh.mu.Unlock()
	}
	return n
}

// Recheck answers whether the credential a connection was opened with still allows watching: a
// code of 0 keeps the connection, any other closes it with that code and reason.
type Recheck func(ctx context.Context, w Watcher) (code int, reason string)

// SetRecheck makes the hub ask f about each connection with a Watcher right after it subscribes
// and then every PingInterval. Disconnect closes connections at once in this process; f catches
// what it cannot see: a credential that ended while the connection was being opened, in another
// process sharing the database, or by expiring.
func (h *Hub) SetRecheck(f Recheck) {
	h.mu.Lock()
	h.recheck = f
	h.mu.Unlock()
}

// stillAllowed asks the Recheck about c and kicks it when refused; it reports whether c may go on.
func (h *Hub) stillAllowed(f Recheck, c *client) bool {
	if f == nil || c.who == (Watcher{}) {
		return true
	}
	ctx, cancel := context.WithTimeout(context.Background(), h.opts.WriteTimeout)
	defer cancel()
	if code, reason := f(ctx, c.who); code != 0 {
		c.kick(code, reason)
		return false
	}
	return true
}

// Handler is Serve with the flow id taken from the route parameter param. The server checks
// that the caller may see the flow before this handler runs.
func (h *Hub) Handler(param string) echo.HandlerFunc {
	return func(c echo.Context) error {
		return h.Serve(c.Response(), c.Request(), c.Param(param))
	}
}

// Serve upgrades the request to a websocket and streams the flow's events until the client
// leaves, is dropped or the hub closes. With ?since=N it first sends the events after N (see
// the package documentation). Errors before the upgrade (bad since: 400, bad origin: 403, not
// a websocket request: 400, hub closed: 503) are answered as {"error": "..."} and returned;
// the response is then already written. Once upgraded, Serve returns nil.
func (h *Hub) Serve(w http.ResponseWriter, r *http.Request, flowID string) error {
	if flowID == "" {
		writeError(w, http.StatusBadRequest, "flow id is missing")
		return errors.New("live: flow id is missing")
	}
	since, hasSince, err := parseSince(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return err
	}
	h.mu.RLock()
	closed := h.closed
	h.mu.RUnlock()
	if closed {
		writeError(w, http.StatusServiceUnavailable, "server shutting down")
		return errors.New("live: hub closed")
	}
	// The flow counts as watched from now, so that its history keeps what is published while
	// the connection is being set up (passUnwatched).
	top := h.cursor(flowID)
	if !hasSince {
		// "Only new events" means new from now, before the handshake: an event published while
		// the connection is being set up is then replayed, not lost.
		since, hasSince = top, true
	}
	conn, err := h.upgrader.Upgrade(w, r, nil)
	if err != nil {
		return fmt.Errorf("live: %w", err) // the upgrader has answered
	}

	c := &client{
		conn: conn,
		send: make(chan *entry, h.opts.SendBuffer),
		done: make(chan struct{}),
		who:  watcherFrom(r.Context()),
	}
	fh, p, ok := h.subscribe(flowID, c, since, hasSince)
	if !ok { // closed between the check and now
		_ = conn.WriteControl(websocket.CloseMessage,
			websocket.FormatCloseMessage(closeShutdown, reasonClosing), time.Now().Add(h.opts.WriteTimeout))
		_ = conn.Close()
		return nil
	}
	defer h.conns.Done()
	defer h.unsubscribe(fh, c)
	h.stream(c, flowID, p)
	return nil
}

func parseSince(r *http.Request) (since uint64, ok bool, err error) {
	v := r.URL.Query().Get("since")
	if v == "" {
		return 0, false, nil
	}
	since, err = strconv.ParseUint(v, 10, 64)
	if err != nil {
		return 0, false, fmt.Errorf("since must be a sequence number (a non-negative integer), got %q", v)
	}
	return since, true, nil
}

func writeError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(struct {
		Error string `json:"error"`
	}{msg})
}

// plan is what a new client is sent before live events.
type plan struct {
	replay   []*entry // buffered events after since, oldest first
	older    bool     // events in (since, horizon] may exist that are not in memory
	since    uint64
	horizon  uint64
	gap      uint64 // Seq of the gap event, if one is sent
	forceGap bool   // since is ahead of anything this hub numbered: reset the client's cursor
	skip     uint64 // with a relay: since is ahead of what reached this process; live events up to it are not sent
}

// subscribe registers c with the flow and, in the same critical section as Publish, takes the
// events it must replay: every event after the snapshot reaches c.send, none before it does.
// cursor is the flow's newest sequence number (or its horizon): a since that asks for nothing
// already published. A connection is being opened: the flow counts as watched from now.
func (h *Hub) cursor(flowID string) uint64 {
	h.mu.Lock()
	fh := h.flows[flowID]
	if fh == nil {
		fh = h.newFlowHub(flowID)
		h.flows[flowID] = fh
	}
	h.mu.Unlock()
	fh.mu.Lock()
	defer fh.mu.Unlock()
	fh.watched = time.Now()
	return max(fh.last, fh.horizon)
}

func (h *Hub) subscribe(flowID string, c *client, since uint64, hasSince bool) (*flowHub, plan, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return nil, plan{}, false
	}
	fh := h.flows[flowID]
	if fh == nil {
		fh = h.newFlowHub(flowID)
		h.flows[flowID] = fh
	}
	h.conns.Add(1)

	fh.mu.Lock()
	defer fh.mu.Unlock()
	fh.clients[c] = struct{}{}
	fh.watched = time.Now()
	var p plan
	if !hasSince {
		return fh, p, true
	}
	p.since, p.horizon = since, fh.horizon
	top := max(fh.last, fh.horizon)
	if since > top && h.relay != nil && since <= nowMicros()+uint64(relayAhead.Microseconds()) {
		// The client saw, through another process, events that have not reached this one yet:
		// they come here too, and those up to since are not sent again.
		p.skip = since
		return fh, p, true
	}
	if since > top {
		p.forceGap, p.gap = true, top
		return fh, p, true
	}
	i, _ := slices.BinarySearchFunc(fh.hist, since+1, func(e *entry, seq uint64) int {
		return cmpUint(e.seq, seq)
	})
	p.replay = slices.Clone(fh.hist[i:])
	p.older = since < fh.horizon
	p.gap = fh.horizon
	if len(fh.hist) > 0 {
		p.gap = fh.hist[0].seq - 1
	}
	return fh, p, true
}

func cmpUint(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// unsubscribe removes c; a flow hub that never had an event and has no watchers left goes too
// (one with history stays, bounded, so a reconnecting browser can catch up).
func (h *Hub) unsubscribe(fh *flowHub, c *client) {
	h.mu.Lock()
	defer h.mu.Unlock()
	fh.mu.Lock()
	defer fh.mu.Unlock()
	delete(fh.clients, c)
	if len(fh.clients) == 0 && fh.last == 0 && h.flows[fh.id] == fh {
		delete(h.flows, fh.id)
	}
}

// client is one websocket. Only its Serve goroutine writes data frames; only its reader
// goroutine reads.
type client struct {
	conn *websocket.Conn
	send chan *entry
	done chan struct{} // closed by kick
	who  Watcher       // the credential it was opened with

	once   sync.Once
	code   int // set before done is closed
	reason string
}

// kick asks the client's writer to close the connection with code and reason. It never blocks.
func (c *client) kick(code int, reason string) {
	c.once.Do(func() {
		c.code, c.reason = code, reason
		close(c.done)
	})
}

func (c *client) kicked() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

// stream is the writer: replay (and backfill) first, then live events and pings, until the
// client goes away or is kicked.
func (h *Hub) stream(c *client, flowID string, p plan) {
	defer c.conn.Close()
	pongWait := 2 * h.opts.PingInterval
	readerDone := make(chan struct{})
	go c.read(pongWait, readerDone)
	ticker := time.NewTicker(h.opts.PingInterval)
	defer ticker.Stop()

	h.mu.RLock()
	recheck := h.recheck
	h.mu.RUnlock()

	lastSent := p.skip
	write := func(seq uint64, data []byte) bool {
		if c.kicked() {
			return false
		}
		_ = c.conn.SetWriteDeadline(time.Now().Add(h.opts.WriteTimeout))
		if err := c.conn.WriteMessage(websocket.TextMessage, data); err != nil {
			return false
		}
		lastSent = seq
		return true
	}
	finish := func() {
		if c.kicked() {
			h.goodbye(c, readerDone)
		}
	}
	gap := func(seq uint64) bool {
		return write(seq, encode(Event{Seq: seq, FlowID: flowID, Type: TypeGap, At: time.Now().UTC()}))
	}

	// The credential may have ended between the server's check and the subscription.
	if !h.stillAllowed(recheck, c) {
		finish()
		return
	}

	// Catch-up part.
	switch {
	case p.forceGap:
		if !gap(p.gap) {
			finish()
			return
		}
	case p.older:
		evs, err := h.backfill(c, readerDone, flowID, p.since, p.horizon)
		if err != nil {
			if !gap(p.gap) {
				finish()
				return
			}
		}
		for _, ev := range evs {
			if !write(ev.Seq, encode(ev)) {
				finish()
				return
			}
		}
	}
	for _, e := range p.replay {
		if !write(e.seq, e.data) {
			finish()
			return
		}
	}

	// Live part.
	for {
		if c.kicked() {
			finish()
			return
		}
		select {
		case <-c.done:
			finish()
			return
		case <-readerDone:
			return
		case e := <-c.send:
			if e.seq <= lastSent { // already sent during catch-up
				continue
			}
			if !write(e.seq, e.data) {
				finish()
				return
			}
		case <-ticker.C:
			if err := c.conn.WriteControl(websocket.PingMessage, nil, time.Now().Add(h.opts.WriteTimeout)); err != nil {
				return
			}
			if !h.stillAllowed(recheck, c) {
				finish()
				return
			}
		}
	}
}

// backfill asks Options.Backfill for the events in (since, limit] and tidies what it returns.
// Without Backfill it returns an error, meaning "send a gap".
func (h *Hub) backfill(c *client, readerDone <-chan struct{}, flowID string, since, limit uint64) ([]Event, error) {
	if h.opts.Backfill == nil {
		return nil, errors.New("no backfill")
	}
	ctx, cancel := context.WithTimeout(context.Background(), h.opts.PingInterval)
	defer cancel()
	go func() { // stop the query when the client leaves or is kicked
		select {
		case <-c.done:
		case <-readerDone:
		case <-ctx.Done():
		}
		cancel()
	}()
	evs, err := h.opts.Backfill(ctx, flowID, since)
	if err != nil {
		return nil, err
	}
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	out := make([]Event, 0, len(evs))
	for _, ev := range evs {
		if ev.Seq == 0 && !ev.At.IsZero() {
			ev.Seq = uint64(ev.At.UnixMicro())
		}
		if ev.Seq <= since || ev.Seq > limit {
			continue
		}
		ev.FlowID = flowID
		out = append(out, ev)
	}
	slices.SortStableFunc(out, func(a, b Event) int { return cmpUint(a.Seq, b.Seq) })
	kept := out[:0]
	var prev uint64
	for _, ev := range out {
		if ev.Seq <= prev {
			ev.Seq = prev + 1
		}
		if ev.Seq > limit {
			break
		}
		kept = append(kept, ev)
		prev = ev.Seq
	}
	return kept, nil
}

// goodbye sends the close frame the client was kicked with and waits briefly for its answer.
func (h *Hub) goodbye(c *client, readerDone <-chan struct{}) {
	msg := websocket.FormatCloseMessage(c.code, c.reason)
	if err := c.conn.WriteControl(websocket.CloseMessage, msg, time.Now().Add(h.opts.WriteTimeout)); err != nil {
		return
	}
	t := time.NewTimer(min(h.opts.WriteTimeout, time.Second))
	defer t.Stop()
	select {
	case <-readerDone:
	case <-t.C:
	}
}

// read discards whatever the client sends, answers pings (gorilla does) and notices missing
// pongs through the read deadline.
func (c *client) read(pongWait time.Duration, done chan<- struct{}) {
	defer close(done)
	c.conn.SetReadLimit(readLimit)
	_ = c.conn.SetReadDeadline(time.Now().Add(pongWait))
	c.conn.SetPongHandler(func(string) error {
		return c.conn.SetReadDeadline(time.Now().Add(pongWait))
	})
	for {
		_, r, err := c.conn.NextReader()
		if err != nil {
			return
		}
		if _, err := io.Copy(io.Discard, r); err != nil {
			return
		}
		_ = c.conn.SetReadDeadline(time.Now().Add(pongWait))
	}
}
