package core

import (
	"context"
	"time"

	"github.com/hookflow/hookflow/server/store"
)

// Journal retention defaults: what a flow keeps unless its settings say otherwise.
const (
	DefaultRetentionDays  = 30
	DefaultRetentionCount = 10000
	// Every flow is pruned every pruneEvery (age limits reach idle flows too); a flow that stored
	// runs since the last pass also every pruneActiveEvery, so a busy flow's journal outgrows
	// its count by about a minute of intake, not ten.
	pruneEvery       = 10 * time.Minute
	pruneActiveEvery = time.Minute
)

// pruner deletes old runs and requests per flow, by age and count, and gives the disk back.
func (a *App) pruner() {
	defer a.wg.Done()
	tick := time.NewTicker(pruneActiveEvery)
	defer tick.Stop()
	last := time.Now()
	for {
		select {
		case <-a.quit:
			return
		case now := <-tick.C:
			if now.Sub(last) >= pruneEvery {
				last = now
				a.Prune(a.ctx)
			} else {
				a.pruneActive(a.ctx)
			}
		}
	}
}

// Prune applies every flow's retention now and returns how many runs it deleted.
func (a *App) Prune(ctx context.Context) int64 {
	list, err := a.store.Flows(ctx)
	if err != nil {
		a.log.Error("retention: listing flows", "err", err)
		return 0
	}
	var total int64
	for i := range list {
		a.active.Delete(list[i].ID)
		total += a.pruneFlow(ctx, &list[i])
	}
	return a.pruned(ctx, total, len(list))
}

// pruneActive applies the retention of the flows that stored runs since they were last pruned.
func (a *App) pruneActive(ctx context.Context) int64 {
	var total int64
	flows := 0
	a.active.Range(func(id, _ any) bool {
		a.active.Delete(id)
		if f, err := a.flows.byID(id.(string)); err == nil {
			total += a.pruneFlow(ctx, f)
			flows++
		}
		return ctx.Err() == nil
	})
	return a.pruned(ctx, total, flows)
}

// pruneFlow applies one flow's retention and returns how many runs it deleted.
func (a *App) pruneFlow(ctx context.Context, f *store.Flow) int64 {
	s := parseSettings(f.Settings)
	days, count := s.RetentionDays, s.RetentionCount
	if days <= 0 {
		days = DefaultRetentionDays
	}
	if count <= 0 {
		count = DefaultRetentionCount
	}
	n, err := a.store.Prune(ctx, f.ID, time.Duration(days)*24*time.Hour, count)
	if err != nil {
		a.log.Error("retention", "flow", f.ID, "err", err)
	}
	return n
}

// pruned ends a pass over flows that deleted total runs: the space of what the pass deleted, and
// of the events' rows the flows' webhooks changed since the last, is made usable again (on
// PostgreSQL without autovacuum; store.Reclaim).
func (a *App) pruned(ctx context.Context, total int64, flows int) int64 {
	if total > 0 {
		a.journal.forget()
		a.log.Info("retention: old runs deleted", "count", total)
	}
	if flows > 0 {
		vacuumed, err := a.store.Reclaim(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			a.log.Error("retention: making deleted rows' space usable again", "err", err)
		case vacuumed:
			a.autovacuumOff.Do(func() {
				a.log.Warn("PostgreSQL's autovacuum is off: hookflow vacuums the runs and events tables after each retention pass; turn autovacuum on to leave that to the database")
			})
		}
	}
	return total
}
