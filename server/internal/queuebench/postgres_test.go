package queuebench

// The queue on PostgreSQL: River (riverpgxv5, LISTEN/NOTIFY) against the events table with
// claims, leases and heartbeats (what server/store and server/core do on PostgreSQL), each in
// 1, 2 and 3 real processes on one database. The processes are this test binary started again
// (TestMain below), so a `kill -9` is a real one. Skipped without HOOKFLOW_TEST_POSTGRES; run
//
//	HOOKFLOW_TEST_POSTGRES=1 go test ./server/internal/queuebench -run '^$' -bench Postgres -benchtime 1x
//
// Each benchmark runs its measurement once (b.N is ignored) and reports it as metrics:
//   - Throughput: every process inserts jobs (100 per transaction, at most 1,000 of its own
//     waiting; for River each job with its event row in the same transaction, as River would
//     be used, though the event row is never updated afterwards) and works them with 16 no-op workers; completed jobs/s over a fixed window,
//     counted in the database.
//   - Pickup: 50 jobs/s in all, spread over the processes, one per transaction; the time from
//     just before the insert to a worker holding the job, p50/p99.
//   - events-table-batch-claim is a variant not in core (see claimer): the events table with
//     claims of up to 64 events a statement, to see what the per-event claim costs.
//   - Recovery: one process takes 4 jobs and holds them; a second one starts, the first is
//     killed with SIGKILL; the time from the kill until the second has completed all 4.

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"

	"github.com/hookflow/hookflow/server/core"
	"github.com/hookflow/hookflow/server/internal/testdb"
	"github.com/hookflow/hookflow/server/internal/testkit"
	"github.com/hookflow/hookflow/server/store"
)

// The child process's settings, from its environment.
const (
	envChild  = "HOOKFLOW_QUEUEBENCH_CHILD" // "events" or "river"
	envDSN    = "HOOKFLOW_QUEUEBENCH_DSN"
	envRate   = "HOOKFLOW_QUEUEBENCH_RATE"   // "max", jobs per second, or "0" (work only)
	envHold   = "HOOKFLOW_QUEUEBENCH_HOLD"   // "1": workers keep every job they take (until killed)
	envTuned  = "HOOKFLOW_QUEUEBENCH_TUNED"  // "1": River with MaxWorkers 128, FetchCooldown 2 ms
	envRescue = "HOOKFLOW_QUEUEBENCH_RESCUE" // River's RescueStuckJobsAfter (default 1 h)
	envBatch  = "HOOKFLOW_QUEUEBENCH_BATCH"  // "1": the events table claims up to 64 events a statement
)

// riverRescueMeasured is River's RescueStuckJobsAfter in the recovery measurement: hookflow's
// production lease, so that both sides wait as long before calling a job stuck.
var riverRescueMeasured = core.DefaultLease

func TestMain(m *testing.M) {
	if kind := os.Getenv(envChild); kind != "" {
		os.Exit(runChild(kind))
	}
	os.Exit(m.Run())
}

// ---------------------------------------------------------------------------------------------
// The child: one process with its own pool, 16 workers (River tuned: 128) and an inserter.

// lines is the child's stdout, one report a line.
type lines struct{ mu sync.Mutex }

func (l *lines) say(format string, a ...any) {
	l.mu.Lock()
	fmt.Printf(format+"\n", a...)
	l.mu.Unlock()
}

func runChild(kind string) int {
	ctx := context.Background()
	dsn := os.Getenv(envDSN)
	rate := os.Getenv(envRate)
	hold := os.Getenv(envHold) == "1"
	out := &lines{}
	var insert func(n int) error // n jobs in one transaction
	var done *atomic.Int64       // jobs this process completed
	switch kind {
	case "events":
		st, err := store.Open(ctx, store.Options{DatabaseURL: dsn})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		q := newPGEvents(st, hold, rate != "max" && rate != "0", out)
		q.start()
		insert, done = q.insert, &q.done
	case "river":
		c, pool, d, err := startRiverChild(ctx, dsn, hold, rate != "max" && rate != "0", out)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		done = d
		flowID := newFlowID()
		// As in the River design: the webhooks' event rows (for the journal) and their jobs in
		// one transaction before the answer.
		insert = func(n int) error {
			t := time.Now().UnixNano()
			return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
				evs := newEvents(flowID, n)
				var sqlText strings.Builder
				sqlText.WriteString("INSERT INTO events (id, flow_id, payload, status, attempts, next_at, received_at) VALUES ")
				args := make([]any, 0, 6*n)
				ps := make([]river.InsertManyParams, n)
				for i, ev := range evs {
					if i > 0 {
						sqlText.WriteString(",")
					}
					k := len(args)
					fmt.Fprintf(&sqlText, "($%d,$%d,$%d,$%d,0,$%d,$%d)", k+1, k+2, k+3, k+4, k+5, k+6)
					args = append(args, ev.ID, ev.FlowID, ev.Payload, ev.Status, ev.NextAt, ev.ReceivedAt)
					ps[i] = river.InsertManyParams{Args: pgJobArgs{T: t, EventID: ev.ID}}
				}
				if _, err := tx.Exec(ctx, sqlText.String(), args...); err != nil {
					return err
				}
				_, err := c.InsertManyTx(ctx, tx, ps)
				return err
			})
		}
	default:
		return 2
	}
	out.say("ready")
	switch {
	case rate == "max":
		var inserted int64
		for {
			for inserted-done.Load() > 1000 {
				time.Sleep(time.Millisecond)
			}
			if err := insert(batchSize); err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 1
			}
			inserted += batchSize
		}
	case rate != "" && rate != "0":
		perSec, err := strconv.ParseFloat(rate, 64)
		if err != nil || perSec <= 0 {
			return 2
		}
		tick := time.NewTicker(time.Duration(float64(time.Second) / perSec))
		for range tick.C {
			if err := insert(1); err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 1
			}
		}
	}
	select {} // work until killed
}

// pgJobArgs is River's job; T is when its insert began (Unix ns).
type pgJobArgs struct {
	T       int64  `json:"t"`
	EventID string `json:"event_id,omitempty"`
}

func (pgJobArgs) Kind() string { return "hookflow_pg_event" }

type pgWorker struct {
	river.WorkerDefaults[pgJobArgs]
	hold, pick bool
	out        *lines
	done       *atomic.Int64
}

func (w *pgWorker) Work(ctx context.Context, j *river.Job[pgJobArgs]) error {
	if w.pick {
		w.out.say("pick %d", time.Now().UnixNano()-j.Args.T)
	}
	if w.hold {
		w.out.say("held %d", j.ID)
		<-ctx.Done()
		select {} // a process that hangs: only the kill ends it
	}
	w.done.Add(1)
	return nil
}

func riverConfig(ws *river.Workers) *river.Config {
	cfg := &river.Config{Logger: quietLogger(), Workers: ws,
		Queues: map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: workers}}}
	if os.Getenv(envTuned) == "1" {
		cfg.Queues[river.QueueDefault] = river.QueueConfig{MaxWorkers: riverTuned.maxWorkers}
		cfg.FetchCooldown = riverTuned.fetchCooldown
	}
	if d, err := time.ParseDuration(os.Getenv(envRescue)); err == nil {
		cfg.RescueStuckJobsAfter = d
		cfg.JobTimeout = d / 2
	}
	return cfg
}

func startRiverChild(ctx context.Context, dsn string, hold, pick bool, out *lines) (*river.Client[pgx.Tx], *pgxpool.Pool, *atomic.Int64, error) {
	pool, err := pgxpool.New(ctx, dsn)
	if err != nil {
		return nil, nil, nil, err
	}
	done := &atomic.Int64{}
	ws := river.NewWorkers()
	river.AddWorker(ws, &pgWorker{hold: hold, pick: pick, out: out, done: done})
	c, err := river.NewClient(riverpgxv5.New(pool), riverConfig(ws))
	if err != nil {
		return nil, nil, nil, err
	}
	if err := c.Start(ctx); err != nil {
		return nil, nil, nil, err
	}
	return c, pool, done, nil
}

// pgEvents is core's queue on PostgreSQL around the real store calls: the inserting process
// hands its new events to its own workers at once; a scan every second (again after 20 ms when
// it filled the channel) picks up the rest, events of other processes not yet claimed and
// events whose lease ran out; a worker claims with a lease (store.ClaimEvent), a heartbeat
// renews the leases held (store.RenewLeases) and the finisher stores up to 256 outcomes a
// transaction under the leases (store.FinishLeased).
type pgEvents struct {
	st           *store.Store
	owner        string
	lease, beat  time.Duration
	flowID       string
	hold, pick   bool
	out          *lines
	work         chan string
	finished     chan store.Finish
	inflight     sync.Map // dispatched, not yet finished
	nInflight    atomic.Int64
	held         sync.Map // claimed under this process's lease
	done         atomic.Int64
	scanSoonChan chan struct{}
}

func newPGEvents(st *store.Store, hold, pick bool, out *lines) *pgEvents {
	return &pgEvents{st: st, owner: store.NewID(), lease: core.DefaultLease, beat: core.DefaultHeartbeat,
		flowID: newFlowID(), hold: hold, pick: pick, out: out,
		work: make(chan string, 4096), finished: make(chan store.Finish, 1024), scanSoonChan: make(chan struct{}, 1)}
}

func (q *pgEvents) start() {
	go q.finisher()
	if os.Getenv(envBatch) == "1" {
		claimed := make(chan *store.Event, workers)
		go q.claimer(claimed)
		for i := 0; i < workers; i++ {
			go q.run(claimed)
		}
	} else {
		for i := 0; i < workers; i++ {
			go q.worker()
		}
	}
	go q.scheduler()
	go q.heartbeat()
}

func (q *pgEvents) insert(n int) error {
	evs := newEvents(q.flowID, n)
	if err := q.st.InsertEvents(context.Background(), evs); err != nil {
		return err
	}
	ids := make([]string, n)
	for i, ev := range evs {
		ids[i] = ev.ID
	}
	q.dispatch(ids)
	return nil
}

// dispatch reports whether the channel had room for all.
func (q *pgEvents) dispatch(ids []string) bool {
	for _, id := range ids {
		if _, busy := q.inflight.LoadOrStore(id, struct{}{}); busy {
			continue
		}
		select {
		case q.work <- id:
			q.nInflight.Add(1)
		default:
			q.inflight.Delete(id)
			return false
		}
	}
	return true
}

func (q *pgEvents) forget(id string) {
	q.held.Delete(id)
	q.inflight.Delete(id)
	q.nInflight.Add(-1)
}

func (q *pgEvents) scheduler() {
	tick := time.NewTicker(time.Second)
	for {
		room := cap(q.work)/2 - len(q.work)
		full := false
		if room > 0 {
			// Events on their way to this process's workers still read as queued: ask for more.
			ids, err := q.st.DueEvents(context.Background(), time.Now(), room+int(q.nInflight.Load()))
			if err != nil {
				fmt.Fprintln(os.Stderr, "scan:", err)
			}
			full = !q.dispatch(ids)
		}
		if full {
			time.Sleep(20 * time.Millisecond)
			continue
		}
		<-tick.C
	}
}

func (q *pgEvents) worker() {
	for id := range q.work {
		ev, ok, err := q.st.ClaimEvent(context.Background(), id, q.owner, q.lease)
		if err != nil || !ok {
			if err != nil {
				fmt.Fprintln(os.Stderr, "claim:", err)
			}
			q.forget(id)
			continue
		}
		q.held.Store(id, struct{}{})
		if q.pick {
			q.out.say("pick %d", time.Since(ev.ReceivedAt).Nanoseconds())
		}
		if q.hold {
			q.out.say("held %s", id)
			select {}
		}
		q.finished <- store.Finish{EventID: id, Status: store.EventDone, Claimed: true}
	}
}

// claimer is a variant not in core: it takes the ids waiting in the channel, up to 64, and
// claims them in one UPDATE … RETURNING (one commit for many events, as River's fetch does)
// instead of one ClaimEvent statement and commit per event.
func (q *pgEvents) claimer(claimed chan<- *store.Event) {
	for first := range q.work {
		ids := []string{first}
	more:
		for len(ids) < 64 {
			select {
			case id := <-q.work:
				ids = append(ids, id)
			default:
				break more
			}
		}
		var evs []*store.Event
		err := q.st.Write(context.Background()).Raw(`UPDATE events SET status = ?, lease_until = now() + ? * interval '1 millisecond',
			lease_owner = ?, attempts = attempts + 1
			WHERE id IN ? AND (status = ? OR (status = ? AND lease_until < now())) RETURNING *`,
			store.EventRunning, q.lease.Milliseconds(), q.owner, ids, store.EventQueued, store.EventRunning).Scan(&evs).Error
		if err != nil {
			fmt.Fprintln(os.Stderr, "claim:", err)
		}
		got := map[string]bool{}
		for _, ev := range evs {
			got[ev.ID] = true
			q.held.Store(ev.ID, struct{}{})
		}
		for _, id := range ids {
			if !got[id] {
				q.forget(id)
			}
		}
		for _, ev := range evs {
			claimed <- ev
		}
	}
}

// run is worker after the claim.
func (q *pgEvents) run(claimed <-chan *store.Event) {
	for ev := range claimed {
		if q.pick {
			q.out.say("pick %d", time.Since(ev.ReceivedAt).Nanoseconds())
		}
		if q.hold {
			q.out.say("held %s", ev.ID)
			select {}
		}
		q.finished <- store.Finish{EventID: ev.ID, Status: store.EventDone, Claimed: true}
	}
}

func (q *pgEvents) heartbeat() {
	tick := time.NewTicker(q.beat)
	for range tick.C {
		var ids []string
		q.held.Range(func(k, _ any) bool { ids = append(ids, k.(string)); return true })
		if _, err := q.st.RenewLeases(context.Background(), q.owner, ids, q.lease); err != nil {
			fmt.Fprintln(os.Stderr, "heartbeat:", err)
		}
	}
}

func (q *pgEvents) finisher() {
	inBatches(q.finished, 256, func(batch []store.Finish) {
		lost, err := q.st.FinishLeased(context.Background(), q.owner, batch)
		for _, f := range batch {
			q.forget(f.EventID)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "finish:", err)
			return
		}
		q.done.Add(int64(len(batch) - len(lost)))
	})
}

// ---------------------------------------------------------------------------------------------
// The parent: a fresh database, the child processes, and the counts read from the database.

// pgBench is one fresh database with River's tables.
type pgBench struct {
	dsn string
	db  *sql.DB
}

func newPGBench(tb testing.TB) *pgBench {
	tb.Helper()
	if os.Getenv("HOOKFLOW_TEST_POSTGRES") == "" {
		tb.Skip("set HOOKFLOW_TEST_POSTGRES=1 (PostgreSQL on 127.0.0.1:5432) to measure the queue on PostgreSQL")
	}
	opts := testdb.Options(tb, "postgres")
	st, err := store.Open(context.Background(), opts) // hookflow's tables
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = st.Close() })
	pool, err := pgxpool.New(context.Background(), opts.DatabaseURL)
	if err != nil {
		tb.Fatal(err)
	}
	defer pool.Close()
	m, err := rivermigrate.New(riverpgxv5.New(pool), &rivermigrate.Config{Logger: quietLogger()})
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := m.Migrate(context.Background(), rivermigrate.DirectionUp, nil); err != nil {
		tb.Fatal(err)
	}
	db, err := sql.Open("pgx", opts.DatabaseURL)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = db.Close() })
	return &pgBench{dsn: opts.DatabaseURL, db: db}
}

// completed counts the jobs completed so far.
func (p *pgBench) completed(tb testing.TB, kind string) int64 {
	tb.Helper()
	q := "SELECT count(*) FROM events WHERE status = 'done'"
	if kind == "river" {
		q = "SELECT count(*) FROM river_job WHERE state = 'completed'"
	}
	var n int64
	if err := p.db.QueryRow(q).Scan(&n); err != nil {
		tb.Fatal(err)
	}
	return n
}

// child is one process of the benchmark.
type child struct {
	*testkit.Child
	mu    sync.Mutex
	picks []time.Duration
	held  atomic.Int64
}

func (p *pgBench) start(tb testing.TB, kind, rate string, env ...string) *child {
	tb.Helper()
	c := &child{}
	env = append([]string{envChild + "=" + kind, envDSN + "=" + p.dsn, envRate + "=" + rate}, env...)
	c.Child = testkit.StartChild(tb, env, func(line string) bool {
		word, arg, _ := strings.Cut(line, " ")
		switch word {
		case "pick":
			ns, _ := strconv.ParseInt(arg, 10, 64)
			c.mu.Lock()
			c.picks = append(c.picks, time.Duration(ns))
			c.mu.Unlock()
		case "held":
			c.held.Add(1)
		}
		return word == "ready"
	})
	return c
}

var queueKinds = []struct{ name, kind, env string }{
	{"events-table", "events", ""},
	{"river-defaults", "river", ""},
	{"river-tuned", "river", envTuned + "=1"},
	{"events-table-batch-claim", "events", envBatch + "=1"},
}

// pgWindow is how long the throughput and pickup measurements count.
func pgWindow() time.Duration {
	if d, err := time.ParseDuration(os.Getenv("HOOKFLOW_QUEUEBENCH_WINDOW")); err == nil {
		return d
	}
	return 10 * time.Second
}

func BenchmarkPostgresThroughput(b *testing.B) {
	for _, k := range queueKinds {
		for procs := 1; procs <= 3; procs++ {
			b.Run(fmt.Sprintf("%s/procs=%d", k.name, procs), func(b *testing.B) {
				p := newPGBench(b)
				for i := 0; i < procs; i++ {
					p.start(b, k.kind, "max", k.env)
				}
				time.Sleep(2 * time.Second) // warm up
				n0, t0 := p.completed(b, k.kind), time.Now()
				time.Sleep(pgWindow())
				n1, t1 := p.completed(b, k.kind), time.Now()
				b.ReportMetric(float64(n1-n0)/t1.Sub(t0).Seconds(), "jobs/s")
				b.ReportMetric(0, "ns/op")
			})
		}
	}
}

func BenchmarkPostgresPickup(b *testing.B) {
	const total = 50.0 // jobs per second in all
	for _, k := range queueKinds[:2] {
		for procs := 1; procs <= 3; procs++ {
			b.Run(fmt.Sprintf("%s/procs=%d", k.name, procs), func(b *testing.B) {
				p := newPGBench(b)
				var cs []*child
				for i := 0; i < procs; i++ {
					cs = append(cs, p.start(b, k.kind, strconv.FormatFloat(total/float64(procs), 'f', 3, 64)))
				}
				time.Sleep(pgWindow())
				var all []time.Duration
				for _, c := range cs {
					c.mu.Lock()
					all = append(all, c.picks...)
					c.mu.Unlock()
				}
				if len(all) < 10 {
					b.Fatalf("only %d jobs picked up", len(all))
				}
				slices.Sort(all)
				b.ReportMetric(float64(all[len(all)/2].Microseconds())/1000, "p50-ms")
				b.ReportMetric(float64(all[len(all)*99/100].Microseconds())/1000, "p99-ms")
				b.ReportMetric(float64(len(all)), "jobs")
				b.ReportMetric(0, "ns/op")
			})
		}
	}
}

// BenchmarkPostgresRecovery: the events table with hookflow's production lease and heartbeat
// (core.DefaultLease, core.DefaultHeartbeat); River with RescueStuckJobsAfter set to the same
// lease (its default is 1 h) and its other maintenance settings as they come.
func BenchmarkPostgresRecovery(b *testing.B) {
	for _, k := range queueKinds[:2] {
		b.Run(k.name, func(b *testing.B) {
			const jobs = 4
			p := newPGBench(b)
			rescue := envRescue + "=" + riverRescueMeasured.String()
			first := p.start(b, k.kind, "0", envHold+"=1", rescue)
			p.insertDirect(b, k.kind, jobs)
			deadline := time.Now().Add(30 * time.Second)
			for first.held.Load() < jobs {
				if time.Now().After(deadline) {
					b.Fatalf("the first process took %d of %d jobs", first.held.Load(), jobs)
				}
				time.Sleep(5 * time.Millisecond)
			}
			p.start(b, k.kind, "0", rescue)
			first.Kill()
			killed := time.Now()
			for p.completed(b, k.kind) < jobs {
				if time.Since(killed) > 5*time.Minute {
					b.Fatalf("%d of %d jobs completed 5 min after the kill", p.completed(b, k.kind), jobs)
				}
				time.Sleep(50 * time.Millisecond)
			}
			b.ReportMetric(time.Since(killed).Seconds(), "s-to-recover")
			b.ReportMetric(0, "ns/op")
		})
	}
}

// insertDirect queues n jobs from outside the processes (they find them by scan or fetch).
func (p *pgBench) insertDirect(tb testing.TB, kind string, n int) {
	tb.Helper()
	ctx := context.Background()
	if kind == "events" {
		st, err := store.Open(ctx, store.Options{DatabaseURL: p.dsn})
		if err != nil {
			tb.Fatal(err)
		}
		defer st.Close()
		if err := st.InsertEvents(ctx, newEvents(newFlowID(), n)); err != nil {
			tb.Fatal(err)
		}
		return
	}
	pool, err := pgxpool.New(ctx, p.dsn)
	if err != nil {
		tb.Fatal(err)
	}
	defer pool.Close()
	c, err := river.NewClient(riverpgxv5.New(pool), &river.Config{Logger: quietLogger()})
	if err != nil {
		tb.Fatal(err)
	}
	for i := 0; i < n; i++ {
		if _, err := c.Insert(ctx, pgJobArgs{T: time.Now().UnixNano()}, nil); err != nil {
			tb.Fatal(err)
		}
	}
}

// TestQueuesOnPostgresWork is the smoke test: each queue, in a process of its own on
// PostgreSQL, completes the jobs it inserts. Skipped without PostgreSQL.
func TestQueuesOnPostgresWork(t *testing.T) {
	for _, k := range queueKinds[:2] {
		t.Run(k.name, func(t *testing.T) {
			p := newPGBench(t)
			p.start(t, k.kind, "200")
			deadline := time.Now().Add(30 * time.Second)
			for p.completed(t, k.kind) < 20 {
				if time.Now().After(deadline) {
					t.Fatalf("%d jobs completed in 30 s at 200 inserted a second", p.completed(t, k.kind))
				}
				time.Sleep(50 * time.Millisecond)
			}
		})
	}
}
