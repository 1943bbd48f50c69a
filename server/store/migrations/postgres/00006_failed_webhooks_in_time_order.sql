-- +goose Up
-- The journal's "failed only" pages: the failed webhooks of a flow in time order, a partial
-- index of those rows only, so that a page deep in the past is a walk of about 50 entries from
-- the cursor. Through idx_run_flow the page filtered some 700 runs for its 50; near the oldest
-- end PostgreSQL misjudged how many would pass and read every failed run's entry of the status
-- index instead (24 ms on a million, the p99 of the page). idx_run_failed stays as it is for
-- the flows list's count, which it answers from its deduplicated entries.
CREATE INDEX idx_run_failed_time ON runs (flow_id, started_at) WHERE status = 'failed' AND superseded = false AND retry_at IS NULL;
