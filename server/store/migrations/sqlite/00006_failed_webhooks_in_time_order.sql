-- +goose Up
-- The journal's "failed only" pages: the failed webhooks of a flow in time order, a partial
-- index of those rows only, so that a page deep in the past is a walk of about 50 entries from
-- the cursor instead of filtering some 700 runs of idx_run_flow for its 50.
CREATE INDEX `idx_run_failed_time` ON `runs`(`flow_id`,`started_at`) WHERE status = 'failed' AND superseded = false AND retry_at IS NULL;
