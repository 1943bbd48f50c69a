-- +goose Up
-- A journal of millions of runs: its pages are keyed by (started_at, id) and start from the cursor
-- as a range of the flow/time index (runs of the same instant are few, sorted by id as they are
-- read); the index also holds what the per-day chart counts (superseded, status, retry_at), so
-- the chart reads the index alone. The run id is left out: every deleted run's index entry is
-- written again by retention, and a wider entry slowed it (webhook p99 during the deletion). The flows list counts a flow's failed webhooks from a partial
-- index of those rows only.
DROP INDEX IF EXISTS idx_run_flow;
CREATE INDEX idx_run_flow ON runs (flow_id, started_at, superseded, status, retry_at);
CREATE INDEX idx_run_failed ON runs (flow_id, status, superseded, retry_at) WHERE status = 'failed' AND superseded = false AND retry_at IS NULL;
