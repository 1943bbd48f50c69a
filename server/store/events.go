package store

import (
	"context"
	"time"

	"gorm.io/gorm"
)

// InsertEvents writes a batch of events in one transaction: the group commit of webhook
// ingress. Either all are stored or none.
func (s *Store) InsertEvents(ctx context.Context, events []*Event) error {
	return s.Write(ctx).Transaction(func(tx *gorm.DB) error {
		return tx.CreateInBatches(events, 200).Error
	})
}

// ClaimEvent marks a queued event as running with a lease; false when another worker (or
// process) has it.
func (s *Store) ClaimEvent(ctx context.Context, id string, lease time.Duration) (*Event, bool, error) {
	now := time.Now().UTC()
	until := now.Add(lease)
	res := s.Write(ctx).Model(&Event{}).
		Where("id = ? AND (status = ? OR (status = ? AND lease_until < ?))", id, EventQueued, EventRunning, now).
		Updates(map[string]any{"status": EventRunning, "lease_until": until, "attempts": gorm.Expr("attempts + 1")})
	if res.Error != nil || res.RowsAffected == 0 {
		return nil, false, res.Error
	}
	var ev Event
	if err := s.Write(ctx).First(&ev, "id = ?", id).Error; err != nil {
		return nil, false, err
	}
	return &ev, true, nil
}

// FinishEvent stores the run and the event's new state in one transaction. When retryAt is not
// zero the event goes back to the queue for another attempt at that time.
func (s *Store) FinishEvent(ctx context.Context, id string, run *Run, status string, retryAt time.Time) error {
	return s.Write(ctx).Transaction(func(tx *gorm.DB) error {
		if run != nil {
			if err := tx.Create(run).Error; err != nil {
				return err
			}
		}
		next := map[string]any{"status": status, "lease_until": nil}
		if !retryAt.IsZero() {
			next["status"], next["next_at"] = EventQueued, retryAt.UTC()
		}
		return tx.Model(&Event{}).Where("id = ?", id).Updates(next).Error
	})
}

// DueEvents lists queued events whose time has come, oldest first, and running events whose
// lease ran out (their worker died).
func (s *Store) DueEvents(ctx context.Context, now time.Time, limit int) ([]string, error) {
	var ids []string
	err := s.Read(ctx).Model(&Event{}).
		Where("(status = ? AND next_at <= ?) OR (status = ? AND lease_until < ?)", EventQueued, now.UTC(), EventRunning, now.UTC()).
		Order("next_at").Limit(limit).Pluck("id", &ids).Error
	return ids, err
}

// RequeueRunning puts every running event back in the queue: at start-up, nothing can be
// running yet, so those are left over from a crash.
func (s *Store) RequeueRunning(ctx context.Context) (int64, error) {
	res := s.Write(ctx).Model(&Event{}).Where("status = ?", EventRunning).
		Updates(map[string]any{"status": EventQueued, "lease_until": nil})
	return res.RowsAffected, res.Error
}

// RequeueEvent puts an event in the queue again (replay).
func (s *Store) RequeueEvent(ctx context.Context, id string) error {
	res := s.Write(ctx).Model(&Event{}).Where("id = ?", id).
		Updates(map[string]any{"status": EventQueued, "next_at": time.Now().UTC(), "lease_until": nil})
	if res.Error == nil && res.RowsAffected == 0 {
		return ErrNotFound
	}
	return res.Error
}

// Event returns one event.
func (s *Store) Event(ctx context.Context, id string) (*Event, error) {
	var ev Event
	if err := s.Read(ctx).First(&ev, "id = ?", id).Error; err != nil {
		return nil, notFound(err)
	}
	return &ev, nil
}

// RecentEvents lists a flow's latest events, newest first.
func (s *Store) RecentEvents(ctx context.Context, flowID string, limit int) ([]Event, error) {
	var out []Event
	err := s.Read(ctx).Where("flow_id = ?", flowID).Order("received_at desc, id desc").Limit(limit).Find(&out).Error
	return out, err
}

// QueueDepth counts events waiting or running.
func (s *Store) QueueDepth(ctx context.Context) (int64, error) {
	var n int64
	err := s.Read(ctx).Model(&Event{}).Where("status IN ?", []string{EventQueued, EventRunning}).Count(&n).Error
	return n, err
}
