package core

import (
	"context"
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
func (a *App) claim(j job) (*store.Event, bool, error) {
	id := j.id
	if a.store.Dialect() == "postgres" {
		ev, ok, err := a.store.ClaimEvent(a.ctx, id, a.leases.owner, a.cfg.Lease)
		if ok {
			ctx, cancel := context.WithCancel(a.ctx)
			a.leases.mu.Lock()
			a.leases.held[id] = &heldLease{ctx: ctx, cancel: cancel}
			a.leases.mu.Unlock()
		}
		return ev, ok, err
	}
	// SQLite: this process is the database's only one, and the event has been in flight here
	// since admit read it (or ingress wrote it), so that copy is current.
	ev := j.ev
	if ev == nil {
		var err error
		if ev, err = a.store.Event(a.ctx, id); err != nil {
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

// runContext is the context of an event's run: canceled when the process stops for good, and
// on PostgreSQL also when another process took the event over.
func (a *App) runContext(id string) context.Context {
	a.leases.mu.Lock()
	defer a.leases.mu.Unlock()
	if h := a.leases.held[id]; h != nil {
		return h.ctx
	}
	return a.ctx
}

// dropLease forgets an event's lease once its outcome is stored or it went back to the queue.
func (a *App) dropLease(id string) {
	a.leases.mu.Lock()
	h := a.leases.held[id]
	delete(a.leases.held, id)
	a.leases.mu.Unlock()
	if h != nil {
		h.cancel()
	}
}

// requeue puts an event this process could not finish back in the queue for a next attempt.
// On PostgreSQL only while its lease is still this process's: otherwise another process has it.
func (a *App) requeue(id string) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var err error
	if a.store.Dialect() == "postgres" {
		err = a.store.ReleaseEvent(ctx, id, a.leases.owner)
	} else {
		err = a.store.RequeueEvent(ctx, id)
	}
	if err != nil {
		a.log.Error("re-queueing an event", "event", id, "err", err)
	}
}

// startLeases starts the heartbeat on PostgreSQL.
func (a *App) startLeases() {
	if a.store.Dialect() != "postgres" {
		return
	}
	a.leases.mu.Lock()
	a.leases.beating = true
	a.leases.mu.Unlock()
	go a.heartbeat()
}

// heartbeat renews this process's leases until stopLeases.
func (a *App) heartbeat() {
	defer close(a.leases.done)
	tick := time.NewTicker(a.cfg.Heartbeat)
	defer tick.Stop()
	for {
		select {
		case <-a.leases.stop:
			return
		case <-tick.C:
			a.renewLeases()
		}
	}
}

// renewLeases extends every lease this process holds with one statement. A lease the database no
// longer gives this process was taken over (or its outcome was just stored): its run stops.
func (a *App) renewLeases() {
	a.leases.mu.Lock()
	ids := make([]string, 0, len(a.leases.held))
	for id := range a.leases.held {
		ids = append(ids, id)
	}
	a.leases.mu.Unlock()
	if len(ids) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), a.cfg.Heartbeat)
	defer cancel()
	held, err := a.store.RenewLeases(ctx, a.leases.owner, ids, a.cfg.Lease)
	if err != nil {
		// The next tick tries again; a lease outlasts several missed heartbeats.
		a.log.Warn("renewing the leases of running events", "count", len(ids), "err", err)
		return
	}
	still := make(map[string]bool, len(held))
	for _, id := range held {
		still[id] = true
	}
	a.leases.mu.Lock()
	defer a.leases.mu.Unlock()
	for _, id := range ids {
		if h := a.leases.held[id]; h != nil && !still[id] {
			h.cancel()
		}
	}
}

// stopLeases ends the heartbeat, once every finished run is stored.
func (a *App) stopLeases() {
	select {
	case <-a.leases.stop:
		return
	default:
	}
	close(a.leases.stop)
	a.leases.mu.Lock()
	beating := a.leases.beating
	a.leases.mu.Unlock()
	if beating {
		<-a.leases.done
	}
}
