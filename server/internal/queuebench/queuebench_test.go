// Package queuebench measures, on SQLite, the two ways hookflow can queue webhook events for its
// workers: River's riversqlite driver (an event row plus a river_job row per webhook) and the
// events table itself as the queue (what server/store and server/core implement). The results
// and the choice they led to are in docs/queue.md. postgres_test.go does the same on PostgreSQL
// (River's riverpgxv5 against claims and leases) in 1-3 processes.
//
// Everything here is a test or a benchmark: `go test ./...` only runs TestRiverOnSQLiteWorks
// (well under a second); the measurements run with
//
//	go test ./server/internal/queuebench -run '^$' -bench . -benchtime 2s
//
// Both designs use the same database: store.Open's SQLite file (WAL, busy_timeout=10000,
// synchronous=NORMAL, _txlock=immediate) and its single writer connection, which River gets as
// its *sql.DB — River's own advice for SQLite is one connection, and hookflow has one writer.
package queuebench

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"gorm.io/gorm"

	"github.com/hookflow/hookflow/server/store"
)

const (
	batchSize = 100 // webhooks per transaction in the batched variants
	workers   = 16  // concurrent workers in both designs
)

// ---------------------------------------------------------------------------------------------
// Shared setup

// openStore opens a fresh hookflow database (the real store: same file, pragmas and pools).
func openStore(tb testing.TB) *store.Store {
	tb.Helper()
	st, err := store.Open(context.Background(), store.Options{DataDir: tb.TempDir()})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	return st
}

// writerDB is the store's single SQLite writer connection pool (MaxOpenConns 1).
func writerDB(tb testing.TB, st *store.Store) *sql.DB {
	tb.Helper()
	db, err := st.Write(context.Background()).DB()
	if err != nil {
		tb.Fatal(err)
	}
	return db
}

var flowSeq atomic.Int64

// newEvents builds n queued events of one flow, the rows the ingress writes for n webhooks.
func newEvents(flowID string, n int) []*store.Event {
	now := time.Now().UTC()
	out := make([]*store.Event, n)
	for i := range out {
		out[i] = &store.Event{ID: store.NewID(), FlowID: flowID, Status: store.EventQueued,
			Payload: `{"method":"GET","query":{"name":["Ann"],"email":["ann@example.com"]}}`,
			NextAt:  now, ReceivedAt: now}
	}
	return out
}

func newFlowID() string { return fmt.Sprintf("flow-%d", flowSeq.Add(1)) }

// chunks calls f with batches of at most size covering n items.
func chunks(n, size int, f func(k int) error) error {
	for n > 0 {
		k := min(n, size)
		if err := f(k); err != nil {
			return err
		}
		n -= k
	}
	return nil
}

func report(b *testing.B, n int, d time.Duration) {
	b.ReportMetric(float64(n)/d.Seconds(), "jobs/s")
}

// reportDone waits until w has completed the b.N jobs, stops the timer and reports the rate
// since start.
func reportDone(b *testing.B, w interface {
	wait(tb testing.TB, n int, limit time.Duration)
}, start time.Time) {
	w.wait(b, b.N, 5*time.Minute)
	elapsed := time.Since(start)
	b.StopTimer()
	report(b, b.N, elapsed)
}

// ---------------------------------------------------------------------------------------------
// River

type eventArgs struct {
	EventID string `json:"event_id"`
}

func (eventArgs) Kind() string { return "hookflow_event" }

// noopWorker completes every job at once.
type noopWorker struct {
	river.WorkerDefaults[eventArgs]
}

func (noopWorker) Work(context.Context, *river.Job[eventArgs]) error { return nil }

// riverTuning is a River client configuration under test.
type riverTuning struct {
	maxWorkers    int
	fetchCooldown time.Duration // River default 100 ms
	fetchPoll     time.Duration // River default 1 s
}

var (
	riverDefault = riverTuning{maxWorkers: workers}
	// riverTuned came out of a small sweep on this machine (10,000 pre-inserted jobs; MaxWorkers
	// 16/64/128/256/1000 × FetchCooldown 100/20/5/2/1 ms × FetchPollInterval 1 s/50 ms). With
	// the defaults a fetch takes at most MaxWorkers jobs every FetchCooldown (16 per 100 ms:
	// ~160 jobs/s); with FetchCooldown ≤ 5 ms every setting landed between ~1,250 and ~2,250
	// jobs/s, run to run, with no consistent winner, and the poll interval made no difference.
	riverTuned = riverTuning{maxWorkers: 128, fetchCooldown: 2 * time.Millisecond}
)

// migrateRiver creates River's tables in the hookflow database.
func migrateRiver(tb testing.TB, db *sql.DB) {
	tb.Helper()
	m, err := rivermigrate.New(riversqlite.New(db), &rivermigrate.Config{Logger: quietLogger()})
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := m.Migrate(context.Background(), rivermigrate.DirectionUp, nil); err != nil {
		tb.Fatal(err)
	}
}

func quietLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

// newRiver makes a River client on the store's writer; with work it has the no-op worker and a
// queue, otherwise it is insert-only.
// riverTunings are the settings the River side of the work benchmarks runs with.
var riverTunings = []struct {
	name string
	t    riverTuning
}{{"river/default", riverDefault}, {"river/tuned", riverTuned}}

// riverOnStore is a hookflow database with River's tables and a River client on it.
func riverOnStore(tb testing.TB, work bool, t riverTuning) (*store.Store, *river.Client[*sql.Tx]) {
	st := openStore(tb)
	db := writerDB(tb, st)
	migrateRiver(tb, db)
	return st, newRiver(tb, db, work, t)
}

func newRiver(tb testing.TB, db *sql.DB, work bool, t riverTuning) *river.Client[*sql.Tx] {
	tb.Helper()
	cfg := &river.Config{Logger: quietLogger(), FetchCooldown: t.fetchCooldown, FetchPollInterval: t.fetchPoll}
	if work {
		ws := river.NewWorkers()
		river.AddWorker(ws, noopWorker{})
		cfg.Workers = ws
		cfg.Queues = map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: t.maxWorkers}}
	}
	c, err := river.NewClient(riversqlite.New(db), cfg)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// sqlTx is the database/sql transaction under a GORM transaction: River inserts its job in the
// very transaction that inserts the event.
func sqlTx(tb testing.TB, tx *gorm.DB) *sql.Tx {
	pool := tx.Statement.ConnPool
	if p, ok := pool.(*gorm.PreparedStmtTX); ok { // SQLite's store keeps prepared statements
		pool = p.Tx
	}
	t, ok := pool.(*sql.Tx)
	if !ok {
		tb.Fatalf("GORM transaction is a %T, not *sql.Tx", tx.Statement.ConnPool)
	}
	return t
}

// riverInsert writes events and their jobs in one transaction (InsertTx for one event,
// InsertManyTx or InsertManyFastTx for more).
func riverInsert(b testing.TB, st *store.Store, c *river.Client[*sql.Tx], evs []*store.Event, fast bool) error {
	ctx := context.Background()
	return st.Write(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.CreateInBatches(evs, 200).Error; err != nil {
			return err
		}
		if len(evs) == 1 {
			_, err := c.InsertTx(ctx, sqlTx(b, tx), eventArgs{EventID: evs[0].ID}, nil)
			return err
		}
		params := make([]river.InsertManyParams, len(evs))
		for i, ev := range evs {
			params[i] = river.InsertManyParams{Args: eventArgs{EventID: ev.ID}}
		}
		if fast {
			_, err := c.InsertManyFastTx(ctx, sqlTx(b, tx), params)
			return err
		}
		_, err := c.InsertManyTx(ctx, sqlTx(b, tx), params)
		return err
	})
}

// completions counts completed jobs as River reports them; wait returns once n are done.
type completions struct {
	n    atomic.Int64
	stop func()
}

func subscribe(c *river.Client[*sql.Tx]) *completions {
	ch, cancel := c.SubscribeConfig(&river.SubscribeConfig{ChanSize: 1 << 20, Kinds: []river.EventKind{river.EventKindJobCompleted}})
	cs := &completions{stop: cancel}
	go func() {
		for range ch {
			cs.n.Add(1)
		}
	}()
	return cs
}

func (cs *completions) wait(tb testing.TB, n int, limit time.Duration) {
	deadline := time.Now().Add(limit)
	for cs.n.Load() < int64(n) {
		if time.Now().After(deadline) {
			tb.Fatalf("only %d of %d jobs completed in %s", cs.n.Load(), n, limit)
		}
		time.Sleep(200 * time.Microsecond)
	}
}

func stopRiver(tb testing.TB, c *river.Client[*sql.Tx]) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.Stop(ctx); err != nil {
		tb.Fatal(err)
	}
}

// ---------------------------------------------------------------------------------------------
// The events table as the queue: a copy of server/core's SQLite path (ingress dispatch after
// commit, worker.go's dispatch/claim/scan, finisher.go's batches) around the real store calls.
// The worker does nothing, like River's no-op worker, so no run row is written.

type eventQueue struct {
	st       *store.Store
	work     chan string // core: make(chan string, 4096)
	finished chan store.Finish
	inflight sync.Map
	done     atomic.Int64
	scanTick time.Duration // core's scheduler: 1 s
	quit     chan struct{}
	wg       sync.WaitGroup
	finWG    sync.WaitGroup
	errs     chan error
}

func newEventQueue(st *store.Store, scanTick time.Duration) *eventQueue {
	return &eventQueue{st: st, work: make(chan string, 4096), finished: make(chan store.Finish, 1024),
		scanTick: scanTick, quit: make(chan struct{}), errs: make(chan error, 1)}
}

func (q *eventQueue) fail(err error) {
	select {
	case q.errs <- err:
	default:
	}
}

func (q *eventQueue) start() {
	q.finWG.Add(1)
	go q.finisher()
	for i := 0; i < workers; i++ {
		q.wg.Add(1)
		go q.worker()
	}
	q.wg.Add(1)
	go q.scheduler()
}

func (q *eventQueue) stop() {
	close(q.quit)
	q.wg.Wait()
	close(q.finished)
	q.finWG.Wait()
}

// dispatch is core.App.dispatch.
func (q *eventQueue) dispatch(ids []string) {
	for _, id := range ids {
		if _, busy := q.inflight.LoadOrStore(id, struct{}{}); busy {
			continue
		}
		select {
		case q.work <- id:
		default:
			q.inflight.Delete(id)
			return
		}
	}
}

// scheduler and scan are core.App.scheduler and scan.
func (q *eventQueue) scheduler() {
	defer q.wg.Done()
	tick := time.NewTicker(q.scanTick)
	defer tick.Stop()
	for {
		q.scan()
		select {
		case <-q.quit:
			return
		case <-tick.C:
		}
	}
}

func (q *eventQueue) scan() {
	room := cap(q.work)/2 - len(q.work)
	if room <= 0 {
		return
	}
	ids, err := q.st.DueEvents(context.Background(), time.Now(), room)
	if err != nil {
		q.fail(err)
		return
	}
	q.dispatch(ids)
}

// worker is core.App.worker with execute's SQLite claim (read the event, check it is queued).
func (q *eventQueue) worker() {
	defer q.wg.Done()
	for {
		select {
		case <-q.quit:
			return
		case id := <-q.work:
			ev, err := q.st.Event(context.Background(), id)
			if err != nil || ev.Status != store.EventQueued {
				if err != nil {
					q.fail(err)
				}
				q.inflight.Delete(id)
				continue
			}
			q.finished <- store.Finish{EventID: id, Status: store.EventDone}
		}
	}
}

// finisher is core.App.finisher: up to 256 results per FinishEvents transaction.
func (q *eventQueue) finisher() {
	defer q.finWG.Done()
	inBatches(q.finished, 256, func(batch []store.Finish) {
		err := q.st.FinishEvents(context.Background(), batch)
		for _, f := range batch {
			q.inflight.Delete(f.EventID)
		}
		if err != nil {
			q.fail(err)
			return
		}
		q.done.Add(int64(len(batch)))
	})
}

// inBatches hands each batch of up to size values from ch to use, as core's group commits
// do: it waits for the first value, then takes what is already waiting, until ch is closed.
func inBatches[T any](ch <-chan T, size int, use func([]T)) {
	batch := make([]T, 0, size)
	for first := range ch {
		batch = append(batch[:0], first)
	drain:
		for len(batch) < size {
			select {
			case v, ok := <-ch:
				if !ok {
					break drain
				}
				batch = append(batch, v)
			default:
				break drain
			}
		}
		use(batch)
	}
}

func (q *eventQueue) wait(tb testing.TB, n int, limit time.Duration) {
	deadline := time.Now().Add(limit)
	for q.done.Load() < int64(n) {
		select {
		case err := <-q.errs:
			tb.Fatal(err)
		default:
		}
		if time.Now().After(deadline) {
			tb.Fatalf("only %d of %d events done in %s", q.done.Load(), n, limit)
		}
		time.Sleep(200 * time.Microsecond)
	}
}

// ---------------------------------------------------------------------------------------------
// (a) Insert: events and their jobs, durably, one transaction per webhook or per 100.

func BenchmarkInsert(b *testing.B) {
	cases := []struct {
		name  string
		batch int
		fast  bool
	}{
		{"tx-per-webhook", 1, false},
		{"batch100", batchSize, false},
	}
	for _, c := range cases {
		b.Run("river/"+c.name, func(b *testing.B) {
			st, client := riverOnStore(b, false, riverDefault)
			flow := newFlowID()
			b.ResetTimer()
			start := time.Now()
			if err := chunks(b.N, c.batch, func(k int) error { return riverInsert(b, st, client, newEvents(flow, k), false) }); err != nil {
				b.Fatal(err)
			}
			report(b, b.N, time.Since(start))
		})
		b.Run("eventtable/"+c.name, func(b *testing.B) {
			st := openStore(b)
			flow := newFlowID()
			ctx := context.Background()
			b.ResetTimer()
			start := time.Now()
			if err := chunks(b.N, c.batch, func(k int) error { return st.InsertEvents(ctx, newEvents(flow, k)) }); err != nil {
				b.Fatal(err)
			}
			report(b, b.N, time.Since(start))
		})
	}
	// River's fastest bulk insert (no RETURNING), for completeness.
	b.Run("river/batch100-fast", func(b *testing.B) {
		st, client := riverOnStore(b, false, riverDefault)
		flow := newFlowID()
		b.ResetTimer()
		start := time.Now()
		if err := chunks(b.N, batchSize, func(k int) error { return riverInsert(b, st, client, newEvents(flow, k), true) }); err != nil {
			b.Fatal(err)
		}
		report(b, b.N, time.Since(start))
	})
}

// ---------------------------------------------------------------------------------------------
// (b) Work: b.N jobs already queued; start the workers and time until every one is completed.

func BenchmarkWork(b *testing.B) {
	for _, c := range riverTunings {
		b.Run(c.name, func(b *testing.B) {
			st, client := riverOnStore(b, true, c.t)
			flow := newFlowID()
			if err := chunks(b.N, 1000, func(k int) error { return riverInsert(b, st, client, newEvents(flow, k), true) }); err != nil {
				b.Fatal(err)
			}
			cs := subscribe(client)
			defer cs.stop()
			b.ResetTimer()
			start := time.Now()
			if err := client.Start(context.Background()); err != nil {
				b.Fatal(err)
			}
			reportDone(b, cs, start)
			stopRiver(b, client)
		})
	}
	for _, c := range []struct {
		name string
		tick time.Duration
	}{
		// As shipped: the scheduler scans every second for at most 2,048 events.
		{"eventtable/scan1s", time.Second},
		// The same path with the scan repeated every 5 ms (River's tuned fetch is 5 ms).
		{"eventtable/scan5ms", 5 * time.Millisecond},
	} {
		b.Run(c.name, func(b *testing.B) {
			st := openStore(b)
			flow := newFlowID()
			ctx := context.Background()
			if err := chunks(b.N, 1000, func(k int) error { return st.InsertEvents(ctx, newEvents(flow, k)) }); err != nil {
				b.Fatal(err)
			}
			q := newEventQueue(st, c.tick)
			b.ResetTimer()
			start := time.Now()
			q.start()
			reportDone(b, q, start)
			q.stop()
		})
	}
}

// ---------------------------------------------------------------------------------------------
// (c) End to end: a writer inserts b.N webhooks in transactions of 100 while the workers run;
// time until every one is completed.

func BenchmarkEndToEnd(b *testing.B) {
	for _, c := range riverTunings {
		b.Run(c.name, func(b *testing.B) {
			st, client := riverOnStore(b, true, c.t)
			flow := newFlowID()
			cs := subscribe(client)
			defer cs.stop()
			if err := client.Start(context.Background()); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			start := time.Now()
			if err := chunks(b.N, batchSize, func(k int) error { return riverInsert(b, st, client, newEvents(flow, k), false) }); err != nil {
				b.Fatal(err)
			}
			reportDone(b, cs, start)
			stopRiver(b, client)
		})
	}
	b.Run("eventtable", func(b *testing.B) {
		st := openStore(b)
		flow := newFlowID()
		ctx := context.Background()
		q := newEventQueue(st, time.Second)
		q.start()
		b.ResetTimer()
		start := time.Now()
		err := chunks(b.N, batchSize, func(k int) error {
			evs := newEvents(flow, k)
			if err := st.InsertEvents(ctx, evs); err != nil {
				return err
			}
			ids := make([]string, len(evs))
			for i, ev := range evs {
				ids[i] = ev.ID
			}
			q.dispatch(ids) // the ingress's onCommit
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		reportDone(b, q, start)
		q.stop()
	})
}

// ---------------------------------------------------------------------------------------------

// TestRiverOnSQLiteWorks checks the River side of the comparison at all: on the hookflow
// database, a job inserted in the event's GORM transaction is worked and completed.
func TestRiverOnSQLiteWorks(t *testing.T) {
	st, client := riverOnStore(t, true, riverTuning{maxWorkers: 2, fetchCooldown: 5 * time.Millisecond, fetchPoll: 20 * time.Millisecond})
	cs := subscribe(client)
	defer cs.stop()
	if err := client.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer stopRiver(t, client)
	evs := newEvents(newFlowID(), 3)
	if err := riverInsert(t, st, client, evs[:1], false); err != nil {
		t.Fatal(err)
	}
	if err := riverInsert(t, st, client, evs[1:], false); err != nil {
		t.Fatal(err)
	}
	cs.wait(t, 3, 10*time.Second)
	var n int64
	if err := st.Read(context.Background()).Model(&store.Event{}).Count(&n).Error; err != nil || n != 3 {
		t.Fatalf("events stored: %d, %v", n, err)
	}
}
