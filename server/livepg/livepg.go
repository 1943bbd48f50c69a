package livepg

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/hookflow/hookflow/flows"
	"github.com/hookflow/hookflow/server/live"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Channel is the NOTIFY channel the live events travel on.
const Channel = "hookflow_live"

// typeGap is the type of the notification a process sends, numbered as an event, before its
// first batch after it dropped events (its queue was full, or a batch could not be sent): every
// process's watchers are then told to catch up from the journal instead of missing them unawares.
const typeGap = "live_gap"

// gapEvery bounds how often a process sends a gap notification. Under a load that keeps its queue
// full it drops events all the time, and each gap sends every watcher of every process to
// reconnect: one a second covers every drop (a watcher catches up from the journal to the gap it
// was sent away at, and the next gap covers what was dropped after that one).
const gapEvery = time.Second

// MaxPayload bounds one notification's event (PostgreSQL refuses payloads of 8000 bytes and
// more); the sequence number and a space come in front of it.
const MaxPayload = 7000

// textLimit is how much of an error text an event carries; the whole of it is in the journal.
const textLimit = 1000

// sendSQL numbers a batch of events and notifies them, in one statement and so one transaction.
// The UPDATE holds live_cursor's row lock until the commit, and the notifications of a
// transaction are queued at its commit: the numbers of successive transactions rise in the order
// every listener receives them. A number is at least the database's clock in microseconds (the
// live log's cursors are such times, which lets the journal rebuild older events) and above every
// earlier one. $1 is the events' JSON in order, $2 how many.
const sendSQL = `WITH c AS (
  UPDATE live_cursor
     SET n = GREATEST(n + $2::bigint, (extract(epoch FROM clock_timestamp()) * 1000000)::bigint + $2::bigint - 1)
   WHERE id = 1
  RETURNING n)
SELECT count(pg_notify('` + Channel + `', (c.n - $2::bigint + t.i)::text || ' ' || t.p))
  FROM c, unnest($1::text[]) WITH ORDINALITY AS t(p, i)`

// Options configure Start.
type Options struct {
	DatabaseURL string // postgres://…
	Hub         *live.Hub
	Logger      *slog.Logger
	// Queue bounds the events waiting to be sent (default 20,000): past it, while the database
	// does not take them, new ones are dropped (the journal keeps the runs) and a warning says so.
	Queue int
	// Batch is how many waiting events one statement sends at most (default 128: a statement
	// costs more than its events, but a batch reaches a flow's watchers at once, and a watcher's
	// queue holds 256).
	Batch int
	// KeepAlive is how often an idle listening connection is checked (default 30 s).
	KeepAlive time.Duration
	// Retry is the first pause before reconnecting, doubled up to 10 s (default 200 ms).
	Retry time.Duration
}

// Relay is the live log's relay through PostgreSQL: a sending connection and a listening one,
// each reconnecting on its own.
type Relay struct {
	opts Options
	log  *slog.Logger

	mu      sync.Mutex
	queue   []live.Event
	closing bool
	dropped int
	warned  time.Time
	// gap: events were dropped since the last batch sent; the next one starts with a gap
	// notification, which makes every process's hub resume past it (see hear).
	gap     bool
	gapSent time.Time     // when the last gap notification was taken to be sent
	wake    chan struct{} // a token when the queue got an event

	ctx     context.Context
	cancel  context.CancelFunc
	senders sync.WaitGroup
	hearer  sync.WaitGroup
	sent    chan struct{} // closed when the sender has flushed and stopped
}

// Start connects the listening connection, hands the hub its relay and its starting cursor, and
// starts sending and receiving. An error means the first connection failed.
func Start(ctx context.Context, o Options) (*Relay, error) {
	if o.Hub == nil {
		return nil, errors.New("livepg: no hub")
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Queue <= 0 {
		o.Queue = 20000
	}
	if o.Batch <= 0 {
		o.Batch = 128
	}
	if o.KeepAlive <= 0 {
		o.KeepAlive = 30 * time.Second
	}
	if o.Retry <= 0 {
		o.Retry = 200 * time.Millisecond
	}
	conn, cursor, err := listen(ctx, o.DatabaseURL)
	if err != nil {
		return nil, err
	}
	r := &Relay{opts: o, log: o.Logger, wake: make(chan struct{}, 1), sent: make(chan struct{})}
	r.ctx, r.cancel = context.WithCancel(context.Background())
	o.Hub.SetRelay(r.enqueue)
	o.Hub.Resume(cursor)
	r.hearer.Add(1)
	go r.receive(conn)
	r.senders.Add(1)
	go r.send()
	return r, nil
}

// Close sends what is still waiting (for at most grace) and stops both connections. Events
// published after it are dropped.
func (r *Relay) Close(grace time.Duration) {
	r.mu.Lock()
	if r.closing {
		r.mu.Unlock()
		return
	}
	r.closing = true
	r.mu.Unlock()
	r.poke()
	select {
	case <-r.sent:
	case <-time.After(grace):
	}
	r.cancel()
	r.senders.Wait()
	r.hearer.Wait()
}

// enqueue is the hub's Relay: it never waits.
func (r *Relay) enqueue(ev live.Event) {
	r.mu.Lock()
	if r.closing || len(r.queue) >= r.opts.Queue {
		r.dropped++
		r.gap = !r.closing
		if !r.closing && time.Since(r.warned) > 10*time.Second {
			r.warned = time.Now()
			r.log.Warn("live events dropped: the database does not take them as fast as they come; the journal has the runs",
				"dropped", r.dropped)
		}
		r.mu.Unlock()
		return
	}
	r.queue = append(r.queue, ev)
	r.mu.Unlock()
	r.poke()
}

func (r *Relay) poke() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// take removes up to Batch waiting events, after a gap notification when events were dropped
// since the last one and gapEvery has passed since; done is true once closing with nothing left,
// gapLater when a gap waits for its time.
func (r *Relay) take() (batch []live.Event, done, gapLater bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := min(len(r.queue), r.opts.Batch)
	if r.gap && time.Since(r.gapSent) >= gapEvery {
		r.gap, r.gapSent = false, time.Now()
		batch = append(batch, live.Event{Type: typeGap})
	}
	batch = append(batch, r.queue[:n]...)
	clear(r.queue[:n])
	r.queue = r.queue[n:]
	if len(r.queue) == 0 {
		r.queue = nil // let the backing array go after a burst
	}
	return batch, len(batch) == 0 && r.closing, r.gap
}

// send is the sending goroutine: one batch at a time, in the order they were published.
func (r *Relay) send() {
	defer r.senders.Done()
	defer close(r.sent)
	var conn *pgx.Conn
	defer func() {
		if conn != nil {
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			_ = conn.Close(ctx)
			cancel()
		}
	}()
	for {
		batch, done, gapLater := r.take()
		if done {
			return
		}
		if len(batch) == 0 {
			var later <-chan time.Time // a gap is sent in its time even if no event comes
			if gapLater {
				later = time.After(gapEvery)
			}
			select {
			case <-r.wake:
				continue
			case <-later:
				continue
			case <-r.ctx.Done():
				return
			}
		}
		payloads := make([]string, len(batch))
		for i, ev := range batch {
			payloads[i] = string(Payload(ev))
		}
		pause := r.opts.Retry
		for attempt := 1; ; attempt++ {
			var err error
			if conn == nil {
				conn, err = connect(r.ctx, r.opts.DatabaseURL, senderName)
				if err != nil {
					conn = nil
				}
			}
			if err == nil {
				ctx, cancel := context.WithTimeout(r.ctx, 10*time.Second)
				var sentN int
				err = conn.QueryRow(ctx, sendSQL, payloads, len(payloads)).Scan(&sentN)
				cancel()
				if err == nil && sentN != len(payloads) {
					// Not a connection's fault: the row is gone (restored from an old dump?).
					r.log.Error("live events not sent: the live_cursor row is missing; the journal has the runs", "count", len(batch))
					break
				}
				if err == nil {
					break
				}
				_ = conn.Close(context.Background())
				conn = nil
			}
			if r.ctx.Err() != nil {
				return
			}
			if attempt >= 5 {
				r.log.Error("live events not sent to the other processes; the journal has the runs", "count", len(batch), "err", err)
				r.mu.Lock()
				r.gap = !r.closing
				r.mu.Unlock()
				break
			}
			if attempt == 1 {
				r.log.Warn("sending live events, trying again", "err", err)
			}
			if !sleep(r.ctx, pause) {
				return
			}
			pause = min(2*pause, 10*time.Second)
		}
	}
}

// listenerName and senderName are the connections' application_name (pg_stat_activity).
const (
	listenerName = "hookflow live listener"
	senderName   = "hookflow live sender"
)

func connect(ctx context.Context, url, name string) (*pgx.Conn, error) {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return nil, err
	}
	cfg.RuntimeParams["application_name"] = name
	if name == senderName {
		// A live event is not data: its commit need not wait for the disk (a batch then takes
		// a round trip, not an fsync). Should the database crash, numbers it had not yet
		// written are given again, but above the clock's microseconds by then, so still above
		// every number a process holds.
		cfg.RuntimeParams["synchronous_commit"] = "off"
	}
	return pgx.ConnectConfig(ctx, cfg)
}

// listen opens a listening connection and reads the cursor after LISTEN: every event numbered
// after it will be received.
func listen(ctx context.Context, url string) (*pgx.Conn, uint64, error) {
	conn, err := connect(ctx, url, listenerName)
	if err != nil {
		return nil, 0, fmt.Errorf("livepg: connecting: %w", err)
	}
	var n int64
	if _, err = conn.Exec(ctx, "LISTEN "+Channel); err == nil {
		err = conn.QueryRow(ctx, "SELECT n FROM live_cursor WHERE id = 1").Scan(&n)
	}
	if err != nil {
		_ = conn.Close(context.Background())
		return nil, 0, fmt.Errorf("livepg: listening: %w", err)
	}
	return conn, uint64(n), nil
}

// receive is the listening goroutine: it hands each event to the hub, checks an idle connection
// every KeepAlive, and after a lost connection listens again and resumes the hub at the new
// cursor (what was missed meanwhile comes from the journal, see live.Hub.Resume).
func (r *Relay) receive(conn *pgx.Conn) {
	defer r.hearer.Done()
	pause := r.opts.Retry
	for {
		err := r.hear(conn)
		_ = conn.Close(context.Background())
		if r.ctx.Err() != nil {
			return
		}
		r.log.Warn("live events from the other processes: connection lost, listening again", "err", err)
		for {
			if !sleep(r.ctx, pause) {
				return
			}
			pause = min(2*pause, 10*time.Second)
			var cursor uint64
			conn, cursor, err = listen(r.ctx, r.opts.DatabaseURL)
			if err == nil {
				r.opts.Hub.Resume(cursor)
				pause = r.opts.Retry
				break
			}
			if r.ctx.Err() != nil {
				return
			}
		}
	}
}

// hear receives until the connection fails or the relay closes.
func (r *Relay) hear(conn *pgx.Conn) error {
	for {
		ctx, cancel := context.WithTimeout(r.ctx, r.opts.KeepAlive)
		n, err := conn.WaitForNotification(ctx)
		cancel()
		if err != nil {
			if r.ctx.Err() != nil {
				return r.ctx.Err()
			}
			if !pgconn.Timeout(err) {
				return err
			}
			ping, cancel := context.WithTimeout(r.ctx, 10*time.Second)
			err = conn.Ping(ping)
			cancel()
			if err != nil {
				return err
			}
			continue
		}
		if n.Channel != Channel {
			continue
		}
		ev, err := Parse(n.Payload)
		if err != nil {
			r.log.Warn("live event not understood", "err", err)
			continue
		}
		if ev.Type == typeGap {
			// A process dropped events before this one: they were never numbered, so no
			// process holds them. The hub resumes here as after a lost connection: its
			// watchers reconnect with ?since= and get those runs from the journal.
			r.opts.Hub.Resume(ev.Seq)
			continue
		}
		r.opts.Hub.Deliver(ev)
	}
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// Parse reads a notification's payload: the event's number, a space, the event.
func Parse(payload string) (live.Event, error) {
	num, body, ok := strings.Cut(payload, " ")
	seq, err := strconv.ParseUint(num, 10, 64)
	if !ok || err != nil || seq == 0 {
		return live.Event{}, fmt.Errorf("livepg: no sequence number in %.40q", payload)
	}
	var ev live.Event
	if err := json.Unmarshal([]byte(body), &ev); err != nil {
		return live.Event{}, fmt.Errorf("livepg: %w", err)
	}
	ev.Seq = seq
	return ev, nil
}

// Payload is ev as a notification carries it, at most MaxPayload bytes: a step keeps what the
// live log shows (node, kind, name, status, error, times) and leaves its input, output, HTTP
// exchange, logs and items to the run's stored trace, which the journal serves; error texts are
// cut at 1,000 bytes. An event still too long loses its error texts, then its step.
func Payload(ev live.Event) []byte {
	ev.Seq = 0
	if ev.Step != nil {
		st := slimStep(ev.Step)
		ev.Step = &st
	}
	ev.ErrorText = clipTexts(ev.ErrorText)
	if b := marshal(ev); len(b) <= MaxPayload {
		return b
	}
	ev.ErrorText = nil
	if ev.Step != nil {
		st := *ev.Step
		st.Error = ""
		ev.Step = &st
	}
	if b := marshal(ev); len(b) <= MaxPayload {
		return b
	}
	ev.Step = nil
	if b := marshal(ev); len(b) <= MaxPayload {
		return b
	}
	// Only ids and short words are left; names written by people (a node's) go.
	return marshal(live.Event{FlowID: ev.FlowID, RunID: ev.RunID, Type: ev.Type, Status: clip(ev.Status, 64),
		EventID: ev.EventID, Until: ev.Until, At: ev.At})
}

func slimStep(s *flows.StepTrace) flows.StepTrace {
	return flows.StepTrace{Node: s.Node, Kind: s.Kind, Name: clip(s.Name, textLimit), Status: s.Status,
		Error: clip(s.Error, textLimit), ErrorCode: s.ErrorCode, Branch: clip(s.Branch, textLimit), Until: s.Until,
		NoWait: s.NoWait, StartedAt: s.StartedAt, DurationMs: s.DurationMs}
}

func clipTexts(m map[string]string) map[string]string {
	if m == nil {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = clip(v, textLimit)
	}
	return out
}

// clip cuts s to at most n bytes on a character boundary, marking the cut with "…".
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n - len("…")
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

func marshal(ev live.Event) []byte {
	b, err := json.Marshal(ev)
	if err != nil { // not reached: a slim event holds strings, numbers and times only
		b, _ = json.Marshal(live.Event{FlowID: ev.FlowID, RunID: ev.RunID, Type: ev.Type, At: ev.At})
	}
	return b
}
