-- +goose Up
-- Every query of runs names a flow, a webhook or a run: the indexes of status alone and team
-- alone served none, and each stored run paid an entry in both (runs are the busiest table).
DROP INDEX IF EXISTS `idx_runs_status`;
DROP INDEX IF EXISTS `idx_runs_team_id`;
