package core

import (
	"context"
	"time"

	"github.com/hookflow/hookflow/server/store"
)

// finishing is a finished attempt waiting to be stored, with what to do once it is.
type finishing struct {
	store.Finish
	flow        *store.Flow
	traceStatus string
	alert       bool
}

// finisher stores finished attempts in batches (one transaction for many runs), then releases
// their events and hands each stored attempt to the service (App.afterStored: the live log,
// alerts). Until it is stored, an attempt is not done: a crash before that runs the event again
// (at-least-once).
func (q *queue) finisher() {
	defer q.finishWG.Done()
	batch := make([]finishing, 0, 256)
	for first := range q.finished {
		batch = drainInto(append(batch[:0], first), q.finished, cap(batch))
		rows := make([]store.Finish, len(batch))
		for i, f := range batch {
			rows[i] = f.Finish
		}
		lost, err := q.storeFinished(rows)
		for i := range batch {
			// The event is released once all is done with its attempt (nothing in flight: what
			// was stored has been announced).
			f := &batch[i]
			switch {
			case err != nil: // still queued in the database: the scheduler runs it again
			case lost[f.EventID]:
				q.log.Warn("another process took this event over after its lease ran out; it runs the event again and stores that outcome, this attempt's is dropped",
					"event", f.EventID)
			default:
				q.stored(f)
			}
			q.release(f.EventID)
		}
	}
}

// storeFinished writes a batch, retrying for a while: the runs already happened. While the
// disk is full it keeps trying (the workers wait for it once the finished channel is full)
// rather than give the events back to the queue, which would run them again and again; only
// at shutdown does it give up, and those events run again after the restart. On PostgreSQL it
// returns the events whose lease this process lost (see lease.go): their outcome is dropped.
func (q *queue) storeFinished(rows []store.Finish) (map[string]bool, error) {
	owner := ""
	if q.store.Dialect() == "postgres" {
		owner = q.leases.owner
	}
	// On SQLite the batch goes with the webhooks the writer stores next, in one transaction.
	if ok, err := q.alongside(rows); ok {
		if err == nil {
			return nil, nil
		}
		q.noteWrite(err)
	}
	var err error
	for attempt := 0; ; attempt++ {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		var lost []string
		lost, err = q.store.FinishLeased(ctx, owner, rows)
		cancel()
		if err != nil {
			// Only a failure is noted: finished runs, mostly updates of rows already there, may
			// fit in the file's free pages when a new webhook does not (see App.noteWrite).
			q.noteWrite(err)
		}
		if err == nil {
			out := make(map[string]bool, len(lost))
			for _, id := range lost {
				out[id] = true
			}
			return out, nil
		}
		full := store.IsDiskFull(err) && q.ctx.Err() == nil
		if attempt >= 4 && !full {
			return nil, err
		}
		if attempt < 4 || attempt%60 == 0 {
			q.log.Error("storing finished runs", "count", len(rows), "err", err)
		}
		time.Sleep(time.Duration(min(attempt+1, 25)) * 200 * time.Millisecond)
	}
}
