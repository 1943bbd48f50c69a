package store

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"
)

// RunFilter selects runs of a flow for the journal.
type RunFilter struct {
	Status string
	Since  time.Time
	Until  time.Time
	Before string // run id: page to older runs
	Limit  int
}

// RunWaiting is the journal's status of a webhook whose latest attempt failed and that will be
// tried again (its run row says failed, with a retry time), or whose run waits at a Delay step
// (its run row says waiting, RetryAt being when it goes on).
const RunWaiting = "waiting"

// Runs lists a flow's webhooks' latest runs, newest first, without traces: one row per webhook,
// however many attempts it took (see Run.Superseded).
func (s *Store) Runs(ctx context.Context, flowID string, f RunFilter) ([]Run, error) {
	q := s.Read(ctx).Model(&Run{}).Omit("trace").Where("flow_id = ? AND superseded = false", flowID)
	switch f.Status {
	case "":
	case RunWaiting:
		q = q.Where("((status = ? AND retry_at IS NOT NULL) OR status = ?)", "failed", RunWaiting)
	case "failed":
		// Written as idx_run_failed_time's condition, with the status in the text: a database
		// uses a partial index only where it sees that the query asks for its rows, which a
		// bound value does not show (PostgreSQL's generic plans, SQLite).
		q = q.Where("status = 'failed' AND retry_at IS NULL")
	default:
		q = q.Where("status = ?", f.Status)
	}
	if !f.Since.IsZero() {
		q = q.Where("started_at >= ?", f.Since.UTC())
	}
	if !f.Until.IsZero() {
		q = q.Where("started_at < ?", f.Until.UTC())
	}
	if f.Before != "" {
		// Pages are keyed by (started_at, id): a page deep in the past is a short walk of the
		// flow/time index from the cursor's time (runs of one instant put in id order on the way).
		var at []time.Time
		if err := s.Read(ctx).Model(&Run{}).Where("id = ?", f.Before).Limit(1).Pluck("started_at", &at).Error; err != nil {
			return nil, err
		}
		if len(at) == 0 {
			// Retention deletes the oldest runs first: when the cursor's run is gone, so is all
			// that was older.
			return []Run{}, nil
		}
		t := at[0].UTC()
		q = q.Where("started_at <= ? AND (started_at < ? OR id < ?)", t, t, f.Before)
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
	return first[Run](ctx, s, "id", id)
}

// AttemptCounts returns how many runs each of the given webhooks (event ids) has had, not
// counting the ones that ended waiting at a Delay step (a pause is no attempt).
func (s *Store) AttemptCounts(ctx context.Context, eventIDs []string) (map[string]int, error) {
	out := map[string]int{}
	for chunk := range slices.Chunk(eventIDs, maxInList) {
		var rows []struct {
			EventID string
			N       int
		}
		if err := s.Read(ctx).Model(&Run{}).Select("event_id, count(*) AS n").Where("event_id IN ? AND status <> ?", chunk, RunWaiting).
			Group("event_id").Scan(&rows).Error; err != nil {
			return nil, err
		}
		for _, r := range rows {
			out[r.EventID] = r.N
		}
	}
	return out, nil
}

// LatestRun is the newest run of one webhook (event id), with its trace; ErrNotFound while it
// has none.
func (s *Store) LatestRun(ctx context.Context, eventID string) (*Run, error) {
	var r Run
	if err := s.Read(ctx).Where("event_id = ?", eventID).Order("started_at desc").First(&r).Error; err != nil {
		return nil, notFound(err)
	}
	return &r, nil
}

// WaitingRuns counts the runs of one webhook that ended waiting at a Delay step.
func (s *Store) WaitingRuns(ctx context.Context, eventID string) (int, error) {
	var n int64
	err := s.Read(ctx).Model(&Run{}).Where("event_id = ? AND status = ?", eventID, RunWaiting).Count(&n).Error
	return int(n), err
}

// Attempts lists the runs of one webhook, first attempt first, without traces.
func (s *Store) Attempts(ctx context.Context, eventID string) ([]Run, error) {
	var out []Run
	err := s.Read(ctx).Model(&Run{}).Omit("trace").Where("event_id = ?", eventID).Order("started_at, id").Limit(500).Find(&out).Error
	return out, err
}

// DayCount is how many webhooks of a flow ended a day with one status.
type DayCount struct {
	FlowID string
	Day    int    // index into the days asked for
	Status string // success, failed, filtered or waiting
	N      int64
}

// DailyRuns counts the latest runs of webhooks per flow, day and status. days are the starts of
// consecutive days (in the reader's time zone) followed by the end of the last one; flowIDs nil
// means every flow. One query, a part per day, each reading a range of the flow/time index and
// summing the statuses as it goes: no sort of the rows, and any time zone with its daylight saving
// works the same on SQLite and PostgreSQL.
func (s *Store) DailyRuns(ctx context.Context, flowIDs []string, days []time.Time) ([]DayCount, error) {
	if len(days) < 2 {
		return nil, nil
	}
	if flowIDs == nil {
		// Every flow, named: the index begins with the flow.
		if err := s.Read(ctx).Model(&Flow{}).Pluck("id", &flowIDs).Error; err != nil {
			return nil, err
		}
	}
	if len(flowIDs) == 0 {
		return nil, nil
	}
	var parts []string
	var args []any
	for i := 1; i < len(days); i++ {
		parts = append(parts, "SELECT "+strconv.Itoa(i-1)+" AS day, flow_id, "+
			"sum(CASE WHEN status = 'success' THEN 1 ELSE 0 END) AS success, "+
			"sum(CASE WHEN status = 'failed' AND retry_at IS NULL THEN 1 ELSE 0 END) AS failed, "+
			"sum(CASE WHEN status = 'filtered' THEN 1 ELSE 0 END) AS filtered, "+
			"sum(CASE WHEN status = 'failed' AND retry_at IS NOT NULL THEN 1 ELSE 0 END) AS waiting "+
			"FROM runs WHERE flow_id IN ? AND superseded = false AND started_at >= ? AND started_at < ? GROUP BY flow_id")
		args = append(args, flowIDs, days[i-1].UTC(), days[i].UTC())
	}
	var rows []struct {
		Day                                int
		FlowID                             string
		Success, Failed, Filtered, Waiting int64
	}
	if err := s.Read(ctx).Raw(strings.Join(parts, " UNION ALL "), args...).Scan(&rows).Error; err != nil {
		return nil, err
	}
	var out []DayCount
	for _, r := range rows {
		for _, c := range []DayCount{{Status: "success", N: r.Success}, {Status: "failed", N: r.Failed},
			{Status: "filtered", N: r.Filtered}, {Status: RunWaiting, N: r.Waiting}} {
			if c.N > 0 {
				c.FlowID, c.Day = r.FlowID, r.Day
				out = append(out, c)
			}
		}
	}
	return out, nil
}

// CreateRun stores a run that has no queued event (a test run from the editor).
func (s *Store) CreateRun(ctx context.Context, r *Run) error {
	return s.Write(ctx).Create(r).Error
}

// FlowStats is what the flows list shows about runs.
type FlowStats struct {
	FlowID     string
	LastRunAt  *time.Time
	LastStatus string // of the latest run; "waiting" when it will be tried again
	Failed     int64  // webhooks whose latest attempt failed with no retry left
}

// Stats returns the last run and the failed-run count of the given flows (all flows when none
// is given). Both are index lookups, however long the journal: the failed webhooks are counted
// in a partial index that holds only them, and each flow's last run is the first entry of its
// part of the flow/time index.
func (s *Store) Stats(ctx context.Context, flowIDs ...string) (map[string]FlowStats, error) {
	out := map[string]FlowStats{}
	if len(flowIDs) == 0 {
		if err := s.Read(ctx).Model(&Flow{}).Pluck("id", &flowIDs).Error; err != nil || len(flowIDs) == 0 {
			return out, err
		}
	}
	var failed []struct {
		FlowID string
		N      int64
	}
	// Webhooks that failed for good: not those still to be tried again, nor earlier attempts.
	// The condition is written as idx_run_failed's, for SQLite to see that the index holds them.
	if err := s.Read(ctx).Model(&Run{}).Select("flow_id, count(*) as n").
		Where("flow_id IN ? AND status = 'failed' AND superseded = false AND retry_at IS NULL", flowIDs).
		Group("flow_id").Scan(&failed).Error; err != nil {
		return nil, err
	}
	for _, f := range failed {
		out[f.FlowID] = FlowStats{FlowID: f.FlowID, Failed: f.N}
	}
	// Each flow's last run: one short walk of the index per flow, a part of one query each.
	var last []Run
	for chunk := range slices.Chunk(flowIDs, 100) {
		parts := make([]string, len(chunk))
		args := make([]any, len(chunk))
		for i, id := range chunk {
			parts[i] = "SELECT * FROM (SELECT flow_id, status, started_at, retry_at FROM runs WHERE flow_id = ? ORDER BY started_at DESC, id DESC LIMIT 1) l" + strconv.Itoa(i)
			args[i] = id
		}
		var rows []Run
		if err := s.Read(ctx).Raw(strings.Join(parts, " UNION ALL "), args...).Scan(&rows).Error; err != nil {
			return nil, err
		}
		last = append(last, rows...)
	}
	for _, r := range last {
		st := out[r.FlowID]
		st.FlowID, st.LastStatus = r.FlowID, r.Status
		if r.Status == "failed" && r.RetryAt != nil {
			st.LastStatus = RunWaiting
		}
		at := r.StartedAt
		st.LastRunAt = &at
		out[r.FlowID] = st
	}
	return out, nil
}

// Prune deletes a flow's runs and finished events older than maxAge or beyond the newest
// keep ones (zero means no limit), and gives the disk space back on SQLite.
//
// Maintenance must never hold up intake: SQLite has one writer, and a journal of a million
// runs deleted in one transaction kept webhooks waiting for minutes. So rows go in small
// transactions (see steps), each a few milliseconds long, with the writer free between them.
func (s *Store) Prune(ctx context.Context, flowID string, maxAge time.Duration, keep int) (int64, error) {
	runs, err := s.pruneCut(ctx, "runs", "started_at", flowID, nil, maxAge, keep)
	if err != nil {
		return 0, err
	}
	var deleted int64
	if runs != nil {
		deleted, err = s.deleteInSteps(ctx, "runs", runs)
		if err != nil {
			return deleted, err
		}
	}
	events, err := s.pruneCut(ctx, "events", "received_at", flowID, []string{EventDone, EventFailed, EventSample}, maxAge, keep)
	if err != nil {
		return deleted, err
	}
	var gone int64
	if events != nil {
		if gone, err = s.deleteInSteps(ctx, "events", events); err != nil {
			return deleted, err
		}
	}
	if deleted+gone > 0 && s.dialect == "sqlite" {
		err = s.vacuum(ctx)
	}
	return deleted, err
}

// journalCut selects the rows of one flow's journal table to delete: at or before (at, id)
// in the table's time order, or strictly before at when id is empty.
type journalCut struct {
	table, timeCol, flowID string
	statuses               []string // events: only finished ones
	at                     time.Time
	id                     string
}

func (c *journalCut) where() (string, []any) {
	cond := "flow_id = ?"
	args := []any{c.flowID}
	if len(c.statuses) > 0 {
		cond += " AND status IN ?"
		args = append(args, c.statuses)
	}
	if c.table == "runs" {
		// A run waiting at a Delay step is what its webhook goes on from: kept until it does.
		cond += " AND NOT (status = ? AND superseded = ?)"
		args = append(args, RunWaiting, false)
	}
	if c.id == "" {
		return cond + " AND " + c.timeCol + " < ?", append(args, c.at)
	}
	return cond + " AND " + c.timeCol + " <= ? AND (" + c.timeCol + " < ? OR id <= ?)", append(args, c.at, c.at, c.id)
}

// pruneCut finds where retention cuts a flow's journal table: the age limit or the newest
// keep rows, whichever deletes more; nil when neither applies.
func (s *Store) pruneCut(ctx context.Context, table, timeCol, flowID string, statuses []string, maxAge time.Duration, keep int) (*journalCut, error) {
	var cut *journalCut
	if maxAge > 0 {
		cut = &journalCut{table: table, timeCol: timeCol, flowID: flowID, statuses: statuses, at: time.Now().UTC().Add(-maxAge)}
	}
	if keep > 0 {
		q := s.Read(ctx).Table(table).Select(timeCol+" AS at, id").Where("flow_id = ?", flowID)
		if len(statuses) > 0 {
			q = q.Where("status IN ?", statuses)
		}
		var first []struct {
			At time.Time
			ID string
		}
		// The newest row beyond the ones kept: it and everything older goes.
		if err := q.Order(timeCol + " desc, id desc").Offset(keep).Limit(1).Scan(&first).Error; err != nil {
			return nil, err
		}
		if len(first) == 1 && (cut == nil || !first[0].At.Before(cut.at)) {
			cut = &journalCut{table: table, timeCol: timeCol, flowID: flowID, statuses: statuses, at: first[0].At.UTC(), id: first[0].ID}
		}
	}
	return cut, nil
}

// deleteInSteps deletes the rows of a cut a batch per transaction and returns how many.
func (s *Store) deleteInSteps(ctx context.Context, table string, cut *journalCut) (int64, error) {
	where, args := cut.where()
	var total int64
	if s.dialect == "postgres" {
		// PostgreSQL keeps deleted rows in the index until a vacuum, so every batch searching from
		// the oldest row would walk over all the rows deleted before it: each batch starts where
		// the last one ended instead, in the index's order.
		query := "WITH gone AS (DELETE FROM " + table + " WHERE id IN (SELECT id FROM " + table + " WHERE " + where +
			" AND " + cut.timeCol + " >= ? ORDER BY " + cut.timeCol + " LIMIT ?) RETURNING " + cut.timeCol + ")" +
			" SELECT count(*) AS n, max(" + cut.timeCol + ") AS last FROM gone"
		from := time.Time{}
		err := s.steps(ctx, func(size int) (bool, error) {
			var res struct {
				N    int64
				Last *time.Time
			}
			if err := s.Write(ctx).Raw(query, append(args, from, size)...).Scan(&res).Error; err != nil {
				return false, err
			}
			total += res.N
			if res.Last != nil {
				from = *res.Last
			}
			return res.N < int64(size), nil
		})
		return total, err
	}
	// SQLite: rowid is the table's own b-tree key, so no lookup through the id index.
	query := "DELETE FROM " + table + " WHERE rowid IN (SELECT rowid FROM " + table + " WHERE " + where + " LIMIT ?)"
	err := s.steps(ctx, func(size int) (bool, error) {
		res := s.Write(ctx).Exec(query, append(args, size)...)
		if res.Error != nil {
			return false, res.Error
		}
		total += res.RowsAffected
		return res.RowsAffected < int64(size), nil
	})
	return total, err
}

// Maintenance steps: each is one short write transaction of about maintenanceStep; the
// batch size adapts to keep it so, but never goes below maintenanceMin rows, since every
// commit pays a fixed fsync that can itself take longer than a step on a busy disk. On SQLite,
// after a step the writer rests for half as long, so intake (webhooks, finished runs) waits for
// at most one step and has at least a third of the writer's time even when it is all busy.
const (
	maintenanceStep  = 20 * time.Millisecond
	maintenanceFirst = 1000
	maintenanceMin   = 500
	maintenanceMax   = 50000
)

// steps calls step with a batch size until it reports it is done.
func (s *Store) steps(ctx context.Context, step func(size int) (done bool, err error)) error {
	size := maintenanceFirst
	for {
		begin := time.Now()
		done, err := step(size)
		if err != nil || done {
			return err
		}
		took := time.Since(begin)
		switch {
		case took < maintenanceStep/2:
			size = min(size*2, maintenanceMax)
		case took > maintenanceStep*2:
			size = max(size/2, maintenanceMin)
		}
		if s.dialect != "sqlite" {
			continue // PostgreSQL writers do not queue behind one another: no rest needed
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(took / 2):
		}
	}
}

// Reclaim makes the space of deleted rows usable again where nothing else does: on PostgreSQL
// with autovacuum off, it vacuums runs and events (retention's deletions and the events' earlier
// versions, which every claim and finish leaves behind), and reports that it did. Without it such
// a database grows by every webhook's rows however few retention keeps. With autovacuum on the
// server does this itself; on SQLite Prune gives the file's free pages back.
func (s *Store) Reclaim(ctx context.Context) (bool, error) {
	if s.dialect != "postgres" {
		return false, nil
	}
	var autovacuum string
	if err := s.Read(ctx).Raw("SHOW autovacuum").Scan(&autovacuum).Error; err != nil {
		return false, err
	}
	if autovacuum == "on" {
		return false, nil
	}
	// VACUUM cannot run in a transaction: a statement of its own, outside GORM's.
	return true, s.Write(ctx).Exec("VACUUM runs, events").Error
}

// vacuum returns the free pages of the SQLite file to the file system, a few at a time: an
// incremental vacuum of thousands of pages is one long write like any other.
func (s *Store) vacuum(ctx context.Context) error {
	db, err := s.write.DB()
	if err != nil {
		return err
	}
	return s.steps(ctx, func(size int) (bool, error) {
		var free int
		if err := db.QueryRowContext(ctx, "PRAGMA freelist_count").Scan(&free); err != nil {
			return false, err
		}
		if free == 0 {
			return true, nil
		}
		// The pragma yields a row per page, so it is drained as a query, not run as a statement.
		rows, err := db.QueryContext(ctx, "PRAGMA incremental_vacuum("+strconv.Itoa(size)+")")
		if err != nil {
			return false, err
		}
		defer rows.Close()
		for rows.Next() {
		}
		return false, rows.Err()
	})
}
