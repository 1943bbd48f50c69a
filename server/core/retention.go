package core

import (
	"context"
	"time"
)

// Journal retention defaults: what a flow keeps unless its settings say otherwise.
const (
	DefaultRetentionDays  = 30
	DefaultRetentionCount = 10000
	pruneEvery            = 10 * time.Minute
)

// pruner deletes old runs and requests per flow, by age and count, and gives the disk back.
func (a *App) pruner() {
	defer a.wg.Done()
	tick := time.NewTicker(pruneEvery)
	defer tick.Stop()
	for {
		select {
		case <-a.quit:
			return
		case <-tick.C:
			a.Prune(a.ctx)
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
	for _, f := range list {
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
			continue
		}
		total += n
	}
	if total > 0 {
		a.journal.forget()
		a.log.Info("retention: old runs deleted", "count", total)
	}
	return total
}
