package core

import (
	"context"

	"github.com/jonboulle/clockwork"

	"github.com/hookflow/hookflow/server/store"
)

// Journal is what the service recorded of its runs, for reading: a flow's runs with their
// attempts, one run, the charts' daily counts (daily.go) and the live log's backfill
// (backfill.go). App.Journal hands it out; it only reads, except that a retention pass makes it
// forget the counts it keeps.
type Journal struct {
	store *store.Store
	clock clockwork.Clock
	daily dailyCache // the charts' past days (daily.go)
}

func newJournal(st *store.Store, clock clockwork.Clock) *Journal {
	return &Journal{store: st, clock: clock}
}

// Runs lists a flow's runs, newest first, as f selects them, with how many attempts each run's
// webhook has had so far (at least 1). A flow that does not exist is store.ErrNotFound.
func (j *Journal) Runs(ctx context.Context, flowID string, f store.RunFilter) ([]store.Run, map[string]int, error) {
	if _, err := j.store.Flow(ctx, flowID); err != nil {
		return nil, nil, err
	}
	runs, err := j.store.Runs(ctx, flowID, f)
	if err != nil {
		return nil, nil, err
	}
	events := make([]string, 0, len(runs))
	for _, r := range runs {
		if r.EventID != "" {
			events = append(events, r.EventID)
		}
	}
	counts, err := j.store.AttemptCounts(ctx, events)
	if err != nil {
		return nil, nil, err
	}
	attempts := make(map[string]int, len(runs))
	for _, r := range runs {
		attempts[r.ID] = max(counts[r.EventID], 1)
	}
	return runs, attempts, nil
}

// Run is one run with its trace.
func (j *Journal) Run(ctx context.Context, id string) (*store.Run, error) {
	return j.store.Run(ctx, id)
}

// Attempts lists the runs of one webhook (event id), first attempt first, without traces; runs
// that ended waiting at a Delay step are among them.
func (j *Journal) Attempts(ctx context.Context, eventID string) ([]store.Run, error) {
	return j.store.Attempts(ctx, eventID)
}

// forget drops the counted days: runs were deleted.
func (j *Journal) forget() { j.daily.forget() }
