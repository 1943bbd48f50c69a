-- +goose Up
-- When a flow was last started: a schedule counts its ticks from then (or from its latest tick),
-- so the times that passed while the flow was stopped are not taken for missed ones.
ALTER TABLE `flows` ADD `started_at` datetime;
UPDATE flows SET started_at = updated_at WHERE active;
