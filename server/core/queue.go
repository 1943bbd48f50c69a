package core

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hookflow/hookflow/server/store"
)

// queue takes events to the workers: it hands them out (dispatch, and the scheduler's scan of
// the events table), shares the workers fairly between teams and flows, claims each event
// (leases on PostgreSQL, lease.go), and stores the finished attempts in batches (finisher.go).
// What a worker does with an event is the service's (App.execute, worker.go).
type queue struct {
	store *store.Store
	cfg   *Config
	log   *slog.Logger
	ctx   context.Context // the service's: canceled when the grace period of Close is over
	quit  <-chan struct{} // closed by Close: workers take no new events

	// What the service does: run a claimed event and say how it ended (nil: it goes back to
	// the queue), name a flow's team (for the shares), act on an attempt once it is stored, and
	// follow the outcome of every write (the disk-full state).
	execute   func(ctx context.Context, ev *store.Event) *finishing
	teamOf    func(flowID string) string
	stored    func(f *finishing)
	noteWrite func(err error)
	// alongside stores finished attempts with the webhooks the ingress writes next (SQLite);
	// ok is false where it does not.
	alongside func(rows []store.Finish) (ok bool, err error)

	work      chan job
	inflight  sync.Map     // event ids dispatched and not yet stored as finished
	inflightN atomic.Int64 // how many
	fair      fairness     // shares of the workers by team and flow
	finished  chan finishing
	finishWG  sync.WaitGroup
	workers   sync.WaitGroup
	running   atomic.Bool // the workers run (start)
	leases    *leases     // PostgreSQL: the events this process runs under its leases
	// claims are the workers' claims on their way to the claimer (PostgreSQL, while the workers
	// run; lease.go), which closes claimerDone when they have stopped.
	claims      chan claimRequest
	claimerDone chan struct{}
	claimRounds atomic.Int64 // the claimer's statements
	claimsTaken atomic.Int64 // and the claims they made
	// lastTake is when a worker last took an event from the channel (UnixNano, the service's
	// clock): long ago while events wait there, every worker is busy (unclaimWaiting).
	lastTake atomic.Int64
}

func newQueue(st *store.Store, cfg *Config, ctx context.Context, quit <-chan struct{}) *queue {
	return &queue{store: st, cfg: cfg, log: cfg.Logger, ctx: ctx, quit: quit,
		work: make(chan job, 4096), finished: make(chan finishing, 1024), leases: newLeases()}
}

// start runs the heartbeat (PostgreSQL), the finisher and the workers.
func (q *queue) start() {
	q.startLeases()
	if q.store.Dialect() == "postgres" {
		q.claims, q.claimerDone = make(chan claimRequest, q.cfg.Workers), make(chan struct{})
		go q.claimer(q.claims, q.claimerDone)
	}
	q.finishWG.Add(1)
	go q.finisher()
	q.lastTake.Store(q.cfg.Clock.Now().UnixNano())
	for i := 0; i < q.cfg.Workers; i++ {
		q.workers.Add(1)
		go q.worker()
	}
	q.running.Store(true)
}

// stop waits for the workers, which stop taking events once quit is closed, then stores what
// they finished and ends the heartbeat. ctx's cancelation interrupts the runs still going.
func (q *queue) stop() {
	q.running.Store(false)
	q.workers.Wait()
	if q.claims != nil { // no worker claims any more
		close(q.claims)
		<-q.claimerDone
		q.claims = nil
	}
	// Events handed out but not taken go back to the queue now, for the next start or another
	// process (those claimed on writing would otherwise wait for their lease to run out).
	for {
		select {
		case j := <-q.work:
			q.giveBack(j)
			continue
		default:
		}
		break
	}
	q.fair.mu.Lock()
	parked := q.fair.parked
	q.fair.parked = nil
	q.fair.mu.Unlock()
	for _, p := range parked {
		q.giveBack(p.job)
	}
	close(q.finished)
	q.finishWG.Wait()
	q.stopLeases()
}

func (q *queue) worker() {
	defer q.workers.Done()
	for {
		select {
		case <-q.quit:
			return
		case j := <-q.work:
			q.lastTake.Store(q.cfg.Clock.Now().UnixNano())
			q.take(j)
		}
	}
}

// take runs one queued event. At-least-once: the event stays in the queue until its run is
// stored; a crash in between runs it again, and targets can drop the repeat by {{event.id}}.
func (q *queue) take(j job) {
	slot, ok := q.admit(&j)
	if !ok {
		return
	}
	defer q.leave(slot)
	ev, ok, err := q.claim(j)
	if err != nil || !ok {
		if err != nil && q.ctx.Err() == nil {
			q.log.Error("claiming an event", "event", j.id, "err", err)
		}
		q.release(j.id)
		return
	}
	f := q.execute(q.runContext(j.id), ev)
	if f == nil {
		q.release(j.id)
		q.requeue(j.id)
		return
	}
	f.EventID, f.Claimed = j.id, q.store.Dialect() == "postgres"
	q.finished <- *f
}

// job is an event on its way to a worker. ev, when set, is the event as stored, read or just
// written by this process: while the id is in flight nothing else here changes it, so the worker
// need not read it again (on PostgreSQL an event not claimed as it was written is still claimed
// from the database, which returns it as it is there).
type job struct {
	id string
	ev *store.Event
	// claimed: on PostgreSQL, claimed for this process as it was written (queue.write).
	claimed bool
	// flow is the event's flow when known without ev (a scan's), for the workers' shares.
	flow string
}

// dispatch hands events to the workers without waiting. An event already on its way (in the
// channel, running, or being stored) is skipped; what does not fit is picked up by the
// scheduler's next scan of the queue.
func (q *queue) dispatch(ids []string) {
	for _, id := range ids {
		if !q.dispatchJob(job{id: id}) {
			return
		}
	}
}

// dispatchJob hands one event to the workers unless it is on its way already; false when their
// channel is full.
func (q *queue) dispatchJob(j job) bool {
	if _, busy := q.inflight.LoadOrStore(j.id, struct{}{}); busy {
		return true
	}
	q.inflightN.Add(1)
	return q.hand(j)
}

// hand gives an event already marked in flight to the workers, or gives it back when their
// channel is full (the scheduler's scan finds it later).
func (q *queue) hand(j job) bool {
	select {
	case q.work <- j:
		return true
	default:
		q.giveBack(j)
		return false
	}
}

// reserve marks webhook events in flight before they are written, so that no scan of the queue
// can dispatch one of them between its commit and its hand-over (handWritten).
//
// It reports whether the batch is to be claimed as it is written: on PostgreSQL, once this
// process's workers run, it claims the webhooks it writes in the same transaction, one statement
// for the batch, instead of one claim per event as its workers take them.
func (q *queue) reserve(events []*store.Event) (claim bool) {
	claim = q.store.Dialect() == "postgres" && q.running.Load()
	for _, ev := range events {
		if ev.Status == store.EventQueued {
			q.inflight.Store(ev.ID, struct{}{})
			q.inflightN.Add(1)
		}
	}
	return claim
}

// write stores a batch of webhook events (ingress), claimed for this process when reserve said so.
func (q *queue) write(ctx context.Context, events []*store.Event, claim bool) error {
	if claim {
		return q.store.InsertClaimedEvents(ctx, events, q.leases.owner, q.cfg.Lease)
	}
	return q.store.InsertEvents(ctx, events)
}

// handWritten gives the queued events of a batch just written (and reserved) to the workers, as
// written; those that do not fit go back to the queue for the scheduler's scan.
func (q *queue) handWritten(events []*store.Event, claimed bool) {
	full := false
	for _, ev := range events {
		if ev.Status != store.EventQueued {
			continue
		}
		j := job{id: ev.ID, ev: ev, claimed: claimed}
		if claimed {
			// The heartbeat renews the lease from now on; not before the commit, when the
			// database would not yet show it as this process's and its run would be stopped.
			q.hold(ev.ID)
		}
		if full {
			q.giveBack(j)
			continue
		}
		full = !q.hand(j)
	}
}

// giveBack forgets an event this process will not run now; one it claimed is put back in the
// queue at once rather than when its lease runs out.
func (q *queue) giveBack(j job) {
	if j.claimed {
		q.requeue(j.id)
	}
	q.release(j.id)
}

// unreserve forgets events whose write failed: they were not stored.
func (q *queue) unreserve(events []*store.Event) {
	for _, ev := range events {
		if ev.Status == store.EventQueued {
			q.release(ev.ID)
		}
	}
}

// release forgets an event that is no longer on its way to or through a worker.
func (q *queue) release(id string) {
	if _, ok := q.inflight.LoadAndDelete(id); ok {
		q.inflightN.Add(-1)
	}
	q.dropLease(id)
}

// The scheduler's waits between scans of the queue: at once when the last filled the workers'
// channel (a backlog), soon when parked events held it back, else a second.
const (
	scanAgainFull    = 20 * time.Millisecond
	scanAgainCrowded = 100 * time.Millisecond
	scanAgainIdle    = time.Second
)

// scan dispatches due events and says when to scan again. While the parked events are many, it
// hands out only the events that may start at once (other teams' and flows' retries and delays)
// and leaves the rest in the queue: they would only be parked or given back.
func (q *queue) scan() time.Duration {
	q.unclaimWaiting(q.cfg.Clock.Now())
	room := cap(q.work)/2 - len(q.work)
	if room <= 0 {
		return scanAgainFull
	}
	crowded := q.crowded()
	// On SQLite events on their way still read as queued: ask for that many more so that the
	// scan reaches past them.
	busy := int(q.inflightN.Load())
	due, err := q.store.DueEventFlows(q.ctx, q.cfg.Clock.Now(), room+busy)
	if err != nil {
		if q.ctx.Err() == nil {
			q.log.Error("scanning the queue", "err", err)
		}
		return scanAgainIdle
	}
	for _, d := range due {
		if crowded && !q.wouldStart(d.FlowID) {
			continue
		}
		if !q.dispatchJob(job{id: d.ID, flow: d.FlowID}) {
			break
		}
	}
	switch {
	case crowded:
		return scanAgainCrowded
	case len(due) == room+busy:
		return scanAgainFull
	}
	return scanAgainIdle
}

// Fair workers. One team's flood of slow events (scripts running to their limit, targets that
// answer late) must not make another team's webhook wait for a free worker. Each team and each
// flow has a share of the workers: a team at most half of them, a flow a quarter (at least one
// each). While more than a quarter of the workers are idle the shares do not apply, so a lone
// team still gets most of the pool; once only that quarter is left, an event whose team or flow
// is at its share is parked in memory (it stays queued in the database, nothing is lost) and
// dispatched again when a run ends. The idle quarter is thus kept for teams under their share:
// their events start at once however busy the others are.
type fairness struct {
	mu      sync.Mutex
	running int
	teams   map[string]int // running events by team
	flows   map[string]int // by flow
	parked  []fairSlot     // oldest first
}

type fairSlot struct {
	job
	team, flow string
	since      time.Time // parked since (the service's clock)
}

// maxParked bounds the events parked in memory; beyond it an event is left to the scheduler's
// next scan of the queue.
const maxParked = 1024

func (q *queue) shares() (team, flow, reserve int) {
	w := q.cfg.Workers
	return max(1, w/2), max(1, w/4), max(1, w/4)
}

// admit decides whether a worker may run the event now; when not, the event is parked. An event
// whose flow is known without it (a scan's) is not read here: the claim reads it once it may
// start, so the events a busy flow has beyond its share cost no read while they wait.
func (q *queue) admit(j *job) (fairSlot, bool) {
	flow := j.flow
	if j.ev != nil {
		flow = j.ev.FlowID
	}
	if flow == "" {
		ev, err := q.store.Event(q.ctx, j.id)
		if err != nil {
			if q.ctx.Err() == nil && !errors.Is(err, store.ErrNotFound) {
				q.log.Error("reading an event", "event", j.id, "err", err)
			}
			q.release(j.id)
			return fairSlot{}, false
		}
		j.ev, flow = ev, ev.FlowID
	}
	slot := fairSlot{job: *j, flow: flow, team: q.teamOf(flow)}
	f := &q.fair
	f.mu.Lock()
	defer f.mu.Unlock()
	if !q.mayStart(slot) {
		if len(f.parked) >= maxParked {
			q.giveBack(*j)
		} else {
			slot.since = q.cfg.Clock.Now()
			f.parked = append(f.parked, slot)
		}
		return slot, false
	}
	q.started(slot)
	return slot, true
}

// wouldStart reports whether an event of the flow may start now by the shares.
func (q *queue) wouldStart(flow string) bool {
	slot := fairSlot{flow: flow, team: q.teamOf(flow)}
	q.fair.mu.Lock()
	defer q.fair.mu.Unlock()
	return q.mayStart(slot)
}

// crowded reports whether the parked events are enough to keep the workers busy for a while:
// the scan then hands out only what may start at once, rather than more that would be parked or
// given back.
func (q *queue) crowded() bool {
	q.fair.mu.Lock()
	defer q.fair.mu.Unlock()
	return len(q.fair.parked) >= maxParked/2
}

// changed forgets this process's copy of a stored event that the journal has just changed (a
// replay resets its attempts) if the event waits parked: it is read again when it is let in.
// (Parked events keep their copy otherwise: one flow busier than its share parks most of its
// events once, and reading each again cost a twentieth of the service's work.)
func (q *queue) changed(id string) {
	f := &q.fair
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := range f.parked {
		if p := &f.parked[i]; p.id == id && !p.claimed {
			p.ev = nil
		}
	}
}

// mayStart is the share rule; f.mu is held.
func (q *queue) mayStart(s fairSlot) bool {
	f := &q.fair
	teamShare, flowShare, reserve := q.shares()
	if q.cfg.Workers-f.running-1 >= reserve {
		return true
	}
	return f.teams[s.team] < teamShare && f.flows[s.flow] < flowShare
}

func (q *queue) started(s fairSlot) {
	f := &q.fair
	if f.teams == nil {
		f.teams, f.flows = map[string]int{}, map[string]int{}
	}
	f.running++
	f.teams[s.team]++
	f.flows[s.flow]++
}

// leave ends a run's hold on its shares and hands the worker to the oldest parked event that
// may start now.
func (q *queue) leave(s fairSlot) {
	f := &q.fair
	f.mu.Lock()
	defer f.mu.Unlock()
	f.running--
	if f.teams[s.team]--; f.teams[s.team] <= 0 {
		delete(f.teams, s.team)
	}
	if f.flows[s.flow]--; f.flows[s.flow] <= 0 {
		delete(f.flows, s.flow)
	}
	for i, p := range f.parked {
		if !q.mayStart(p) {
			continue
		}
		select {
		case q.work <- p.job:
			f.parked = append(f.parked[:i], f.parked[i+1:]...)
		default: // the workers have plenty to do; a later run's end tries again
		}
		return
	}
}
