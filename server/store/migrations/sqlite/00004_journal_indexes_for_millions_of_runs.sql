-- +goose Up
-- A journal of millions of runs: its pages are keyed by (started_at, id), so the flow/time index
-- orders by both; it also holds what the per-day chart counts (superseded, status, retry_at), so
-- the chart reads the index alone. The flows list counts a flow's failed webhooks from a partial
-- index of those rows only.
DROP INDEX IF EXISTS `idx_run_flow`;
CREATE INDEX `idx_run_flow` ON `runs`(`flow_id`,`started_at`,`id`,`superseded`,`status`,`retry_at`);
CREATE INDEX `idx_run_failed` ON `runs`(`flow_id`,`status`,`superseded`,`retry_at`) WHERE status = 'failed' AND superseded = false AND retry_at IS NULL;
