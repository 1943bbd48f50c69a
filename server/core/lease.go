package core

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/hookflow/hookflow/server/store"
)

// Leases (PostgreSQL). Several processes share the queue, so a process claims an event with a
// lease in its name (store.ClaimEvent) and renews the leases of all the events it runs with one
// UPDATE every Config.Heartbeat (store.RenewLeases). A process that dies (kill -9, a lost host)
// stops renewing: after at most Config.Lease its events read as due again and another process's
// scan takes them over. At-least-once: the target may get such an event twice, with the same
// {{event.id}}.
//
// A process that lost a lease while still alive (its heartbeats did not reach the database for
// a whole lease) stops the run at once, and its outcome is not stored (store.FinishLeased): the
// process that took the event over runs it again and stores that outcome.
//
// On SQLite one process owns the file: the in-memory inflight set is the claim, and there is
// no lease to keep.

// Lease defaults: a dead process's events are taken over within DefaultLease plus one scan (1 s).
const (
	DefaultLease     = 20 * time.Second
	DefaultHeartbeat = 5 * time.Second
)

// leases are the events this process runs under its leases, each with a way to stop its run.
type leases struct {
	owner   string // this process, in the events' lease_owner column
	mu      sync.Mutex
	held    map[string]*heldLease
	beating bool // the heartbeat runs
	stop    chan struct{}
	done    chan struct{}
}

type heldLease struct {
	ctx    context.Context
	cancel context.CancelFunc
}

func newLeases() *leases {
	return &leases{owner: store.NewID(), held: map[string]*heldLease{}, stop: make(chan struct{}), done: make(chan struct{})}
}

// claim takes an event for this worker. On SQLite one process owns the database, so the
// in-memory inflight set is the claim and the attempt is counted when it is stored; on
// PostgreSQL several processes share the queue, so the claim is a conditional UPDATE with a lease.
func (q *queue) claim(j job) (*store.Event, bool, error) {
	id := j.id
	if j.claimed { // claimed when it was written (queue.write): its attempt is counted there
		ev := *j.ev
		ev.Status, ev.Attempts = store.EventRunning, ev.Attempts+1
		return &ev, true, nil
	}
	if q.store.Dialect() == "postgres" {
		ev, ok, err := q.claimLeased(id)
		if ok {
			q.hold(id)
		}
		return ev, ok, err
	}
	// SQLite: this process is the database's only one, and the event has been in flight here
	// since admit read it (or ingress wrote it), so that copy is current; one found by a scan is
	// read now.
	ev := j.ev
	if ev == nil { // found by a scan: read once it may start
		var err error
		if ev, err = q.store.Event(q.ctx, id); errors.Is(err, store.ErrNotFound) {
			return nil, false, nil // deleted with its flow meanwhile
		} else if err != nil {
			return nil, false, err
		}
	}
	if ev.Status != store.EventQueued {
		return nil, false, nil
	}
	c := *ev
	ev = &c
	ev.Attempts++ // this attempt
	return ev, true, nil
}

// claimLeased claims an event for this process with a lease (PostgreSQL). While the workers run,
// the claims they ask for at the same moment are made together, one statement for all (claimer):
// a backlog handed out by the scan, retries come due, events given back; each was a statement and
// a commit of its own.
func (q *queue) claimLeased(id string) (*store.Event, bool, error) {
	if q.claims == nil { // the workers do not run (a test that takes events itself)
		return q.store.ClaimEvent(q.ctx, id, q.leases.owner, q.cfg.Lease)
	}
	reply := make(chan claimed, 1)
	q.claims <- claimRequest{id: id, reply: reply}
	c := <-reply
	return c.ev, c.ev != nil, c.err
}

type claimRequest struct {
	id    string
	reply chan<- claimed
}

type claimed struct {
	ev  *store.Event // nil: not claimed (another process has it, or it is gone)
	err error
}

// maxClaimBatch bounds the events claimed in one statement.
const maxClaimBatch = 256

// claimer makes the workers' claims, those waiting together, until the workers stop (stop closes
// claims once they have).
func (q *queue) claimer(claims <-chan claimRequest, done chan<- struct{}) {
	defer close(done)
	var batch []claimRequest
	for req := range claims {
		batch = drainInto(append(batch[:0], req), claims, maxClaimBatch)
		ids := make([]string, len(batch))
		for i, r := range batch {
			ids[i] = r.id
		}
		q.claimRounds.Add(1)
		q.claimsTaken.Add(int64(len(batch)))
		evs, err := q.store.ClaimEvents(q.ctx, ids, q.leases.owner, q.cfg.Lease)
		byID := make(map[string]*store.Event, len(evs))
		for i := range evs {
			byID[evs[i].ID] = &evs[i]
		}
		for _, r := range batch {
			r.reply <- claimed{ev: byID[r.id], err: err}
		}
	}
}

// hold registers the lease this process holds on an event: the heartbeat renews it, and its run
// stops when it is lost.
func (q *queue) hold(id string) {
	ctx, cancel := context.WithCancel(q.ctx)
	q.leases.mu.Lock()
	q.leases.held[id] = &heldLease{ctx: ctx, cancel: cancel}
	q.leases.mu.Unlock()
}

// runContext is the context of an event's run: canceled when the process stops for good, and
// on PostgreSQL also when another process took the event over.
func (q *queue) runContext(id string) context.Context {
	q.leases.mu.Lock()
	defer q.leases.mu.Unlock()
	if h := q.leases.held[id]; h != nil {
		return h.ctx
	}
	return q.ctx
}

// dropLease forgets an event's lease once its outcome is stored or it went back to the queue.
func (q *queue) dropLease(id string) {
	q.leases.mu.Lock()
	h := q.leases.held[id]
	delete(q.leases.held, id)
	q.leases.mu.Unlock()
	if h != nil {
		h.cancel()
	}
}

// requeue puts an event this process could not finish back in the queue for a next attempt.
// On PostgreSQL only while its lease is still this process's: otherwise another process has it.
func (q *queue) requeue(id string) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var err error
	if q.store.Dialect() == "postgres" {
		err = q.store.ReleaseEvent(ctx, id, q.leases.owner, q.cfg.Clock.Now())
	} else {
		err = q.store.RequeueEvent(ctx, id, q.cfg.Clock.Now())
	}
	if err != nil {
		q.log.Error("re-queueing an event", "event", id, "err", err)
	}
}

// claimedWaitLimit is how long a webhook this process claimed as it wrote it may wait here for a
// worker (in the workers' channel while none takes anything, or parked by the shares) before
// the claim is given up (unclaimWaiting).
const claimedWaitLimit = 2 * time.Second

// unclaimWaiting gives up the claims of webhooks claimed as they were written (PostgreSQL) that
// have waited longer than claimedWaitLimit without a worker: parked by the shares, or in the
// workers' channel while no worker took anything for that long (all are busy, on a slow target
// say). The heartbeat would otherwise keep them this process's for as long as that lasts, while
// another process's workers idle. They stay on their way here, unclaimed and queued in the
// database: another process may claim and run them meanwhile, and a worker here claims them
// again when it gets to them, skipping those another process took.
func (q *queue) unclaimWaiting(now time.Time) {
	if q.store.Dialect() != "postgres" {
		return
	}
	var ids []string
	q.fair.mu.Lock()
	for i := range q.fair.parked {
		if p := &q.fair.parked[i]; p.claimed && now.Sub(p.since) >= claimedWaitLimit {
			p.claimed = false
			ids = append(ids, p.id)
		}
	}
	q.fair.mu.Unlock()
	var waiting []job
	if now.Sub(time.Unix(0, q.lastTake.Load())) >= claimedWaitLimit {
		waiting = drainInto(waiting, q.work, len(q.work))
		for i := range waiting {
			if j := &waiting[i]; j.claimed {
				j.claimed = false
				ids = append(ids, j.id)
			}
		}
	}
	if len(ids) > 0 {
		// The heartbeat lets go first: a worker that claims one of them again from here on
		// holds a lease of its own.
		for _, id := range ids {
			q.dropLease(id)
		}
		ctx, cancel := context.WithTimeout(q.ctx, 5*time.Second)
		if err := q.store.ReleaseEvents(ctx, ids, q.leases.owner, now); err != nil && q.ctx.Err() == nil {
			q.log.Error("giving up the claims of waiting webhooks", "count", len(ids), "err", err)
		}
		cancel()
	}
	for _, j := range waiting {
		q.hand(j)
	}
}

// startLeases starts the heartbeat on PostgreSQL.
func (q *queue) startLeases() {
	if q.store.Dialect() != "postgres" {
		return
	}
	q.leases.mu.Lock()
	q.leases.beating = true
	q.leases.mu.Unlock()
	go q.heartbeat()
}

// heartbeat renews this process's leases until stopLeases.
func (q *queue) heartbeat() {
	defer close(q.leases.done)
	tick := time.NewTicker(q.cfg.Heartbeat)
	defer tick.Stop()
	for {
		select {
		case <-q.leases.stop:
			return
		case <-tick.C:
			q.renewLeases()
		}
	}
}

// renewLeases extends every lease this process holds with one statement. A lease the database no
// longer gives this process was taken over (or its outcome was just stored): its run stops.
func (q *queue) renewLeases() {
	q.leases.mu.Lock()
	ids := make([]string, 0, len(q.leases.held))
	for id := range q.leases.held {
		ids = append(ids, id)
	}
	q.leases.mu.Unlock()
	if len(ids) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), q.cfg.Heartbeat)
	defer cancel()
	held, err := q.store.RenewLeases(ctx, q.leases.owner, ids, q.cfg.Lease)
	if err != nil {
		// The next tick tries again; a lease outlasts several missed heartbeats.
		q.log.Warn("renewing the leases of running events", "count", len(ids), "err", err)
		return
	}
	still := make(map[string]bool, len(held))
	for _, id := range held {
		still[id] = true
	}
	q.leases.mu.Lock()
	defer q.leases.mu.Unlock()
	for _, id := range ids {
		if h := q.leases.held[id]; h != nil && !still[id] {
			h.cancel()
		}
	}
}

// stopLeases ends the heartbeat, once every finished run is stored.
func (q *queue) stopLeases() {
	select {
	case <-q.leases.stop:
		return
	default:
	}
	close(q.leases.stop)
	q.leases.mu.Lock()
	beating := q.leases.beating
	q.leases.mu.Unlock()
	if beating {
		<-q.leases.done
	}
}
