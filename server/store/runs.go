package store

import (
	"context"
	"time"

	"gorm.io/gorm"
)

// RunFilter selects runs of a flow for the journal.
type RunFilter struct {
	Status string
	Since  time.Time
	Until  time.Time
	Before string // run id: page to older runs
	Limit  int
}

// Runs lists a flow's runs, newest first, without traces.
func (s *Store) Runs(ctx context.Context, flowID string, f RunFilter) ([]Run, error) {
	q := s.Read(ctx).Model(&Run{}).Omit("trace").Where("flow_id = ?", flowID)
	if f.Status != "" {
		q = q.Where("status = ?", f.Status)
	}
	if !f.Since.IsZero() {
		q = q.Where("started_at >= ?", f.Since.UTC())
	}
	if !f.Until.IsZero() {
		q = q.Where("started_at < ?", f.Until.UTC())
	}
	if f.Before != "" {
		q = q.Where("id < ?", f.Before)
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 50
	}
	var out []Run
	err := q.Order("started_at desc, id desc").Limit(f.Limit).Find(&out).Error
	return out, err
}

// Run returns one run with its trace.
func (s *Store) Run(ctx context.Context, id string) (*Run, error) {
	var r Run
	if err := s.Read(ctx).First(&r, "id = ?", id).Error; err != nil {
		return nil, notFound(err)
	}
	return &r, nil
}

// CreateRun stores a run that has no queued event (a test run from the editor).
func (s *Store) CreateRun(ctx context.Context, r *Run) error {
	return s.Write(ctx).Create(r).Error
}

// FlowStats is what the flows list shows about runs.
type FlowStats struct {
	FlowID     string
	LastRunAt  *time.Time
	LastStatus string
	Failed     int64
}

// Stats returns the last run and the failed-run count of the given flows (all flows when none
// is given).
func (s *Store) Stats(ctx context.Context, flowIDs ...string) (map[string]FlowStats, error) {
	out := map[string]FlowStats{}
	runs := func() *gorm.DB {
		q := s.Read(ctx).Model(&Run{})
		if len(flowIDs) > 0 {
			q = q.Where("flow_id IN ?", flowIDs)
		}
		return q
	}
	var failed []struct {
		FlowID string
		N      int64
	}
	if err := runs().Select("flow_id, count(*) as n").Where("status = ?", "failed").Group("flow_id").Scan(&failed).Error; err != nil {
		return nil, err
	}
	for _, f := range failed {
		out[f.FlowID] = FlowStats{FlowID: f.FlowID, Failed: f.N}
	}
	var last []Run
	sub := runs().Select("flow_id, max(started_at) as started_at").Group("flow_id")
	if err := s.Read(ctx).Model(&Run{}).Select("runs.flow_id, runs.status, runs.started_at").
		Joins("JOIN (?) latest ON latest.flow_id = runs.flow_id AND latest.started_at = runs.started_at", sub).
		Scan(&last).Error; err != nil {
		return nil, err
	}
	for _, r := range last {
		st := out[r.FlowID]
		st.FlowID, st.LastStatus = r.FlowID, r.Status
		at := r.StartedAt
		st.LastRunAt = &at
		out[r.FlowID] = st
	}
	return out, nil
}

// Prune deletes a flow's runs and finished events older than maxAge or beyond the newest
// keep ones (zero means no limit), and gives the disk space back on SQLite.
func (s *Store) Prune(ctx context.Context, flowID string, maxAge time.Duration, keep int) (int64, error) {
	var deleted int64
	err := s.Write(ctx).Transaction(func(tx *gorm.DB) error {
		finished := []string{EventDone, EventFailed, EventSample}
		if maxAge > 0 {
			cut := time.Now().UTC().Add(-maxAge)
			res := tx.Where("flow_id = ? AND started_at < ?", flowID, cut).Delete(&Run{})
			if res.Error != nil {
				return res.Error
			}
			deleted += res.RowsAffected
			if err := tx.Where("flow_id = ? AND received_at < ? AND status IN ?", flowID, cut, finished).Delete(&Event{}).Error; err != nil {
				return err
			}
		}
		if keep > 0 {
			var ids []string
			if err := tx.Model(&Run{}).Where("flow_id = ?", flowID).Order("started_at desc, id desc").Offset(keep).Pluck("id", &ids).Error; err != nil {
				return err
			}
			for len(ids) > 0 {
				chunk := ids[:min(len(ids), 500)]
				ids = ids[len(chunk):]
				res := tx.Where("id IN ?", chunk).Delete(&Run{})
				if res.Error != nil {
					return res.Error
				}
				deleted += res.RowsAffected
			}
			var evIDs []string
			if err := tx.Model(&Event{}).Where("flow_id = ? AND status IN ?", flowID, finished).Order("received_at desc, id desc").Offset(keep).Pluck("id", &evIDs).Error; err != nil {
				return err
			}
			for len(evIDs) > 0 {
				chunk := evIDs[:min(len(evIDs), 500)]
				evIDs = evIDs[len(chunk):]
				if err := tx.Where("id IN ?", chunk).Delete(&Event{}).Error; err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err == nil && deleted > 0 && s.dialect == "sqlite" {
		err = s.vacuum(ctx)
	}
	return deleted, err
}

// vacuum returns the free pages of the SQLite file to the file system. The pragma yields a row
// per step, so it is drained as a query rather than run as a statement.
func (s *Store) vacuum(ctx context.Context) error {
	db, err := s.write.DB()
	if err != nil {
		return err
	}
	rows, err := db.QueryContext(ctx, "PRAGMA incremental_vacuum")
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
	}
	return rows.Err()
}
