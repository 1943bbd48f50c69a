package core

import (
	"context"
	"errors"
	"sync"

	"github.com/hookflow/hookflow/server/store"
)

// ingress stores webhook events with group commit: requests that arrive while a transaction is
// committing wait together and are written by the next one, so a burst costs a few commits
// instead of one per request. A request is answered only after its event is on disk.
type ingress struct {
	store    *store.Store
	in       chan *pendingEvent
	hooks    ingressHooks
	maxBatch int
	wg       sync.WaitGroup
	mu       sync.RWMutex
	closed   bool
}

type pendingEvent struct {
	ev   *store.Event
	done chan error
}

// ErrShuttingDown is returned for webhooks that arrive during shutdown.
var ErrShuttingDown = errors.New("hookflow is restarting; send the request again in a few seconds")

// ErrDiskFull is returned for webhooks that could not be stored because the database's disk
// is full. Nothing of the request is kept; the same request succeeds once there is room.
var ErrDiskFull = errors.New("hookflow's disk is full; the request was not stored; send it again later")

// ingressHooks are what the rest of the service does around each batch's write.
type ingressHooks struct {
	reserve   func(events []*store.Event) (claim bool)                           // before the write
	write     func(ctx context.Context, events []*store.Event, claim bool) error // the write
	unreserve func(events []*store.Event)                                        // the write failed
	committed func(events []*store.Event, claimed bool)                          // the write is on disk
	written   func(err error)                                                    // every batch's outcome: the disk-full state follows it
}

func newIngress(st *store.Store, hooks ingressHooks) *ingress {
	return &ingress{store: st, in: make(chan *pendingEvent, 1024), hooks: hooks, maxBatch: 256}
}

func (g *ingress) start() {
	writers := 1 // SQLite has one writer; more would only wait on its lock
	if g.store.Dialect() == "postgres" {
		writers = 4
	}
	for i := 0; i < writers; i++ {
		g.wg.Add(1)
		go g.loop()
	}
}

// stop waits for queued events to be written and refuses new ones.
func (g *ingress) stop() {
	g.mu.Lock()
	if g.closed {
		g.mu.Unlock()
		return
	}
	g.closed = true
	close(g.in)
	g.mu.Unlock()
	g.wg.Wait()
}

// submit stores ev durably and returns once it is committed.
func (g *ingress) submit(ctx context.Context, ev *store.Event) error {
	p := &pendingEvent{ev: ev, done: make(chan error, 1)}
	g.mu.RLock()
	if g.closed {
		g.mu.RUnlock()
		return ErrShuttingDown
	}
	select {
	case g.in <- p:
	case <-ctx.Done():
		g.mu.RUnlock()
		return ctx.Err()
	}
	g.mu.RUnlock()
	// Once handed over, wait for the commit even if the client went away: the answer decides
	// nothing any more, but the event may already be written.
	return <-p.done
}

func (g *ingress) loop() {
	defer g.wg.Done()
	batch := make([]*pendingEvent, 0, g.maxBatch)
	events := make([]*store.Event, 0, g.maxBatch)
	for first := range g.in {
		batch = drainInto(append(batch[:0], first), g.in, g.maxBatch)
		events = events[:0]
		for _, p := range batch {
			events = append(events, p.ev)
		}
		claim := g.hooks.reserve(events)
		err := g.hooks.write(context.Background(), events, claim)
		g.hooks.written(err)
		if err == nil {
			g.hooks.committed(events, claim)
		} else {
			g.hooks.unreserve(events)
		}
		for _, p := range batch {
			p.done <- err
		}
	}
}

// drainInto appends to batch what is waiting in ch, without waiting, up to max in all: a batch is
// what arrived while the previous one was being written.
func drainInto[T any](batch []T, ch <-chan T, max int) []T {
	for len(batch) < max {
		select {
		case v, ok := <-ch:
			if !ok {
				return batch
			}
			batch = append(batch, v)
		default:
			return batch
		}
	}
	return batch
}
