package store

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// InsertEvents writes a batch of events in one transaction: the group commit of webhook
// ingress. Either all are stored or none.
func (s *Store) InsertEvents(ctx context.Context, events []*Event) error {
	if s.hot != nil {
		return s.hot.tx(ctx, func(ctx context.Context, tx *sql.Tx) error { return s.hot.insertEvents(ctx, tx, events) })
	}
	return s.Write(ctx).Transaction(func(tx *gorm.DB) error {
		return tx.CreateInBatches(events, 200).Error
	})
}

// InsertAndFinish writes a batch of webhook events and a batch of finished attempts in one
// transaction: on SQLite, where there is one writer, the webhooks that arrive while runs end
// share their commit (one fsync instead of two). Either both are stored or neither. On
// PostgreSQL it is InsertEvents then FinishEvents, in two transactions.
func (s *Store) InsertAndFinish(ctx context.Context, events []*Event, batch []Finish) error {
	if s.hot == nil {
		if err := s.InsertEvents(ctx, events); err != nil {
			return err
		}
		return s.FinishEvents(ctx, batch)
	}
	return s.hot.tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if err := s.hot.insertEvents(ctx, tx, events); err != nil {
			return err
		}
		return s.hot.finishEvents(ctx, tx, batch)
	})
}

// InsertClaimedEvents writes a batch of events as InsertEvents does and, in the same
// transaction, claims the queued ones for owner with a lease (as ClaimEvent would, their
// attempt counted): the process that takes a webhook in runs it without claiming each event on
// its own. The events in memory are left as written.
func (s *Store) InsertClaimedEvents(ctx context.Context, events []*Event, owner string, lease time.Duration) error {
	var ids []string
	for _, ev := range events {
		if ev.Status == EventQueued {
			ids = append(ids, ev.ID)
		}
	}
	return s.Write(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.CreateInBatches(events, 200).Error; err != nil {
			return err
		}
		for chunk := range slices.Chunk(ids, maxInList) {
			err := tx.Model(&Event{}).Where("id IN ?", chunk).
				Updates(s.claimFor(owner, lease)).Error
			if err != nil {
				return err
			}
		}
		return nil
	})
}

// ClaimEvent marks a queued event as running with a lease held by owner (a process); false when
// another worker (or process) has it. The owner keeps the lease with RenewLeases while it runs.
func (s *Store) ClaimEvent(ctx context.Context, id, owner string, lease time.Duration) (*Event, bool, error) {
	// One statement: the row comes back as updated (RETURNING), not read again.
	var ev Event
	res := s.Write(ctx).Model(&ev).Clauses(clause.Returning{}).
		Where("id = ? AND (status = ? OR (status = ? AND lease_until < ?))", id, EventQueued, EventRunning, s.leaseNow()).
		Updates(s.claimFor(owner, lease))
	if res.Error != nil || res.RowsAffected == 0 || ev.ID != id {
		return nil, false, res.Error
	}
	return &ev, true, nil
}

// ClaimEvents claims many events at once, as ClaimEvent does one: those of ids that are queued,
// or running under a lease that ran out, become owner's with a lease and their attempt counted;
// it returns them as updated, in no particular order. On PostgreSQL an event another process is
// claiming at that moment is skipped rather than waited for (its rows are taken in id order and
// locked ones skipped, so two processes never wait on each other): it is that process's.
func (s *Store) ClaimEvents(ctx context.Context, ids []string, owner string, lease time.Duration) ([]Event, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	db := s.Write(ctx)
	due := db.Model(&Event{}).Select("id").
		Where("id IN ? AND (status = ? OR (status = ? AND lease_until < ?))", ids, EventQueued, EventRunning, s.leaseNow())
	if s.dialect == "postgres" {
		due = due.Order("id").Clauses(clause.Locking{Strength: "UPDATE", Options: "SKIP LOCKED"})
	}
	var claimed []Event
	err := db.Model(&claimed).Clauses(clause.Returning{}).Where("id IN (?)", due).
		Updates(s.claimFor(owner, lease)).Error
	return claimed, err
}

// RenewLeases extends owner's leases on the given running events to now+lease, in one
// statement (the heartbeat), and returns the ids it still holds: an id missing from the answer
// was taken over by another process after its lease ran out, or finished.
func (s *Store) RenewLeases(ctx context.Context, owner string, ids []string, lease time.Duration) ([]string, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var held []string
	err := s.Write(ctx).Raw("UPDATE events SET lease_until = ? WHERE lease_owner = ? AND status = ? AND id IN ? RETURNING id",
		s.leaseEnd(lease), owner, EventRunning, ids).Scan(&held).Error
	return held, err
}

// maxInList bounds the ids of one statement's "IN (…)" list: the statements that take many events
// or runs go a chunk of ids at a time.
const maxInList = 500

// claimFor is what a claim writes: the event runs under owner's lease, its attempt counted.
func (s *Store) claimFor(owner string, lease time.Duration) map[string]any {
	return map[string]any{"status": EventRunning, "lease_until": s.leaseEnd(lease), "lease_owner": owner, "attempts": gorm.Expr("attempts + 1")}
}

// leaseNow and leaseEnd are the times leases are compared with and end at. On PostgreSQL they
// come from the database's clock, which every process shares: a host whose clock runs ahead
// must not see a live process's 20 s lease as over.
func (s *Store) leaseNow() any {
	if s.dialect == "postgres" {
		return gorm.Expr("now()")
	}
	return time.Now().UTC()
}

func (s *Store) leaseEnd(lease time.Duration) any {
	if s.dialect == "postgres" {
		return gorm.Expr("now() + ? * interval '1 millisecond'", lease.Milliseconds())
	}
	return time.Now().UTC().Add(lease)
}

// ReleaseEvent puts an event owner holds back in the queue, due at now (its run was interrupted
// by a shutdown); an event whose lease another process took is left to that process.
func (s *Store) ReleaseEvent(ctx context.Context, id, owner string, now time.Time) error {
	return s.ReleaseEvents(ctx, []string{id}, owner, now)
}

// ReleaseEvents is ReleaseEvent for many events, a statement for up to maxInList of them.
func (s *Store) ReleaseEvents(ctx context.Context, ids []string, owner string, now time.Time) error {
	for chunk := range slices.Chunk(ids, maxInList) {
		err := s.Write(ctx).Model(&Event{}).Where("id IN ? AND lease_owner = ? AND status = ?", chunk, owner, EventRunning).
			Updates(requeued(now)).Error
		if err != nil {
			return err
		}
	}
	return nil
}

// requeued is what putting an event back in the queue writes: queued, due at now (the service's
// clock, which the scheduler's scans compare with), no lease.
func requeued(now time.Time) map[string]any {
	return map[string]any{"status": EventQueued, "next_at": now.UTC(), "lease_until": nil, "lease_owner": ""}
}

// Finish is the outcome of one attempt at an event: its run and the event's next state.
type Finish struct {
	EventID string
	Run     *Run      // may be nil (nothing ran)
	Status  string    // EventDone or EventFailed
	RetryAt time.Time // not zero: back to the queue for another attempt then
	// Claimed is set when the attempt was counted by ClaimEvent already.
	Claimed bool
}

// FinishEvent stores one attempt's outcome.
func (s *Store) FinishEvent(ctx context.Context, id string, run *Run, status string, retryAt time.Time) error {
	return s.FinishEvents(ctx, []Finish{{EventID: id, Run: run, Status: status, RetryAt: retryAt, Claimed: true}})
}

// FinishEvents stores the outcomes of many attempts in one transaction (the workers' group
// commit): runs are inserted and events move on.
func (s *Store) FinishEvents(ctx context.Context, batch []Finish) error {
	_, err := s.FinishLeased(ctx, "", batch)
	return err
}

// FinishLeased is FinishEvents for attempts run under owner's leases: an attempt whose event is
// no longer running under owner (its lease ran out and another process took the event over) is
// not stored, neither its run nor the event's next state, since the process that holds the
// event now runs it again and stores that outcome (at-least-once: the target may see the
// event twice, with the same {{event.id}}). It returns those attempts' event ids. An empty
// owner stores every attempt.
func (s *Store) FinishLeased(ctx context.Context, owner string, batch []Finish) (lost []string, err error) {
	if s.hot != nil && owner == "" {
		return nil, s.hot.tx(ctx, func(ctx context.Context, tx *sql.Tx) error { return s.hot.finishEvents(ctx, tx, batch) })
	}
	err = s.Write(ctx).Transaction(func(tx *gorm.DB) error {
		lost = nil
		if owner != "" {
			var err error
			if batch, lost, err = keepHeld(tx, owner, batch); err != nil {
				return err
			}
		}
		runs := make([]*Run, 0, len(batch))
		for _, f := range batch {
			if f.Run != nil {
				runs = append(runs, f.Run)
			}
		}
		if len(runs) > 0 {
			// The webhook's earlier attempts step back behind this one (one journal row per webhook).
			var again []string
			for _, r := range runs {
				if r.EventID != "" {
					again = append(again, r.EventID)
				}
			}
			for chunk := range slices.Chunk(again, maxInList) {
				if err := tx.Model(&Run{}).Where("event_id IN ? AND superseded = ?", chunk, false).Update("superseded", true).Error; err != nil {
					return err
				}
			}
			if err := tx.CreateInBatches(runs, 100).Error; err != nil {
				return err
			}
		}
		// Events that end the same way are updated together.
		groups := map[string][]string{}
		for _, f := range batch {
			if f.RetryAt.IsZero() {
				key := f.Status + "|" + boolKey(f.Claimed)
				groups[key] = append(groups[key], f.EventID)
				continue
			}
			next := map[string]any{"status": EventQueued, "next_at": f.RetryAt.UTC(), "lease_until": nil, "lease_owner": ""}
			if !f.Claimed {
				next["attempts"] = gorm.Expr("attempts + 1")
			}
			if err := tx.Model(&Event{}).Where("id = ?", f.EventID).Updates(next).Error; err != nil {
				return err
			}
		}
		for key, ids := range groups {
			status, claimed, _ := strings.Cut(key, "|")
			next := map[string]any{"status": status, "lease_until": nil, "lease_owner": ""}
			if claimed == "0" {
				next["attempts"] = gorm.Expr("attempts + 1")
			}
			for chunk := range slices.Chunk(ids, maxInList) {
				if err := tx.Model(&Event{}).Where("id IN ?", chunk).Updates(next).Error; err != nil {
					return err
				}
			}
		}
		return nil
	})
	return lost, err
}

// keepHeld splits a batch into the attempts whose events are still running under owner's lease
// and the ids of the others. The rows are locked until the transaction ends, so no other
// process can claim them between this check and the update.
func keepHeld(tx *gorm.DB, owner string, batch []Finish) (kept []Finish, lost []string, err error) {
	ids := make([]string, len(batch))
	for i, f := range batch {
		ids[i] = f.EventID
	}
	held := map[string]bool{}
	for chunk := range slices.Chunk(ids, maxInList) {
		var got []string
		q := tx.Model(&Event{}).Where("id IN ? AND status = ? AND lease_owner = ?", chunk, EventRunning, owner)
		if tx.Dialector.Name() == "postgres" {
			q = q.Clauses(clause.Locking{Strength: "UPDATE"})
		}
		if err := q.Pluck("id", &got).Error; err != nil {
			return nil, nil, err
		}
		for _, id := range got {
			held[id] = true
		}
	}
	for _, f := range batch {
		if held[f.EventID] {
			kept = append(kept, f)
		} else {
			lost = append(lost, f.EventID)
		}
	}
	return kept, lost, nil
}

func boolKey(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

// DueEvents lists queued events whose time has come, oldest first, and running events whose
// lease ran out (their worker died; on PostgreSQL by the database's clock).
func (s *Store) DueEvents(ctx context.Context, now time.Time, limit int) ([]string, error) {
	due, err := s.DueEventFlows(ctx, now, limit)
	ids := make([]string, len(due))
	for i, d := range due {
		ids[i] = d.ID
	}
	return ids, err
}

// Due is an event whose time has come, with its flow.
type Due struct {
	ID     string
	FlowID string
}

// DueEventFlows is DueEvents with each event's flow (read from the same rows).
func (s *Store) DueEventFlows(ctx context.Context, now time.Time, limit int) ([]Due, error) {
	var due []Due
	err := s.Read(ctx).Model(&Event{}).Select("id", "flow_id").
		Where("(status = ? AND next_at <= ?) OR (status = ? AND lease_until < ?)", EventQueued, now.UTC(), EventRunning, s.leaseNow()).
		Order("next_at").Limit(limit).Scan(&due).Error
	return due, err
}

// RequeueRunning puts every running event back in the queue: at start-up, nothing can be
// running yet, so those are left over from a crash.
func (s *Store) RequeueRunning(ctx context.Context) (int64, error) {
	res := s.Write(ctx).Model(&Event{}).Where("status = ?", EventRunning).
		Updates(map[string]any{"status": EventQueued, "lease_until": nil, "lease_owner": ""})
	return res.RowsAffected, res.Error
}

// RequeueEvent puts an event in the queue again (replay).
func (s *Store) RequeueEvent(ctx context.Context, id string, now time.Time) error {
	res := s.Write(ctx).Model(&Event{}).Where("id = ?", id).Updates(requeued(now))
	if res.Error == nil && res.RowsAffected == 0 {
		return ErrNotFound
	}
	return res.Error
}

// ResetAttempts forgets an event's attempts, so its next run starts from scratch (replay).
func (s *Store) ResetAttempts(ctx context.Context, id string) error {
	return s.Write(ctx).Model(&Event{}).Where("id = ?", id).Update("attempts", 0).Error
}

// Event returns one event.
func (s *Store) Event(ctx context.Context, id string) (*Event, error) {
	return first[Event](ctx, s, "id", id)
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
