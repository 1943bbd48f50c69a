package core

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/hookflow/hookflow/server/store"
)

// ingress stores webhook events with group commit: requests that arrive while a transaction is
// committing wait together and are written by the next one, so a burst costs a few commits
// instead of one per request. A request is answered only after its event is on disk. On SQLite,
// which has one writer, the finisher's batches of finished runs go into the same transactions
// (finishAlongside): one commit and one fsync where there were two.
type ingress struct {
	store    *store.Store
	in       chan *pendingEvent
	hooks    ingressHooks
	maxBatch int
	// alongside (SQLite) takes the finisher's batches into the writer's transactions; stopped is
	// closed when the writer has stopped taking them.
	alongside chan finishRequest
	stopped   chan struct{}
	stopOnce  sync.Once
	wg        sync.WaitGroup
	mu        sync.RWMutex
	closed    bool
}

// finishRequest is a batch of finished attempts the finisher asks the ingress writer to store
// along with the webhooks of its next transaction (SQLite).
type finishRequest struct {
	rows []store.Finish
	done chan error
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
	reserve func(events []*store.Event) (claim bool)                           // before the write
	write   func(ctx context.Context, events []*store.Event, claim bool) error // the write
	// writeWith writes the events and finished attempts in one transaction (SQLite: there is no
	// claim on writing there).
	writeWith func(ctx context.Context, events []*store.Event, finished []store.Finish) error
	unreserve func(events []*store.Event)               // the write failed
	committed func(events []*store.Event, claimed bool) // the write is on disk
	written   func(err error)                           // every batch's outcome: the disk-full state follows it
}

func newIngress(st *store.Store, hooks ingressHooks) *ingress {
	g := &ingress{store: st, in: make(chan *pendingEvent, 1024), hooks: hooks, maxBatch: 256, stopped: make(chan struct{})}
	if st.Dialect() == "sqlite" {
		g.alongside = make(chan finishRequest)
	}
	return g
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
	linger := time.NewTimer(finishLinger)
	linger.Stop() // (since Go 1.23 a stopped or reset timer delivers no stale time)
	for closed := false; !closed; {
		var fin *finishRequest
		select {
		case first, ok := <-g.in:
			if !ok {
				g.closeAlongside()
				return
			}
			batch = append(batch[:0], first)
		case req := <-g.alongside: // nil, never ready, on PostgreSQL
			fin, batch = &req, batch[:0]
			if len(g.in) == 0 {
				// No webhook to share the commit with yet: finished runs can wait a moment for
				// one (nobody waits on them), which halves the commits when webhooks come one
				// at a time.
				linger.Reset(finishLinger)
				select {
				case first, ok := <-g.in:
					closed = !ok
					if ok {
						batch = append(batch, first)
					}
					linger.Stop()
				case <-linger.C:
				}
			}
		}
		batch = drainInto(batch, g.in, g.maxBatch)
		if fin == nil {
			select {
			case req := <-g.alongside:
				fin = &req
			default:
			}
		}
		events = events[:0]
		for _, p := range batch {
			events = append(events, p.ev)
		}
		err := g.write(events, fin)
		for _, p := range batch {
			p.done <- err
		}
	}
	g.closeAlongside()
}

// finishLinger is how long a batch of finished runs waits for a webhook to share its commit
// with (SQLite).
const finishLinger = 5 * time.Millisecond

// closeAlongside tells the finisher that its batches are no longer taken here; one it handed
// over already was written.
func (g *ingress) closeAlongside() { g.stopOnce.Do(func() { close(g.stopped) }) }

// write stores a batch of events and, when fin is set, the finisher's batch in the same
// transaction, and answers fin. Should the shared transaction fail, the events are written on
// their own, so that their answer is their own write's: the finisher retries its batch itself.
func (g *ingress) write(events []*store.Event, fin *finishRequest) error {
	ctx := context.Background()
	claim := g.hooks.reserve(events)
	var err error
	if fin == nil {
		err = g.hooks.write(ctx, events, claim)
	} else {
		err = g.hooks.writeWith(ctx, events, fin.rows)
		fin.done <- err
		if err != nil && len(events) > 0 {
			err = g.hooks.write(ctx, events, claim)
		}
	}
	if len(events) == 0 {
		return nil
	}
	g.hooks.written(err)
	if err == nil {
		g.hooks.committed(events, claim)
	} else {
		g.hooks.unreserve(events)
	}
	return err
}

// finishAlongside stores a batch of finished attempts in the writer's next transaction, with the
// webhooks waiting then; ok is false where the writer does not take them (PostgreSQL, or once it
// has stopped), and the caller writes them itself.
func (g *ingress) finishAlongside(rows []store.Finish) (ok bool, err error) {
	if g.alongside == nil {
		return false, nil
	}
	req := finishRequest{rows: rows, done: make(chan error, 1)}
	select {
	case g.alongside <- req:
		return true, <-req.done
	case <-g.stopped:
		return false, nil
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
