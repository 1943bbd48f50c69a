-- +goose Up
-- One webhook, one journal row: attempts that a later attempt of the same webhook followed are
-- marked superseded; errors keep their code and params, and a failed attempt its retry time.
ALTER TABLE `runs` ADD `error_code` text NOT NULL DEFAULT '';
ALTER TABLE `runs` ADD `error_params` text;
ALTER TABLE `runs` ADD `retry_at` datetime;
ALTER TABLE `runs` ADD `superseded` numeric NOT NULL DEFAULT false;
UPDATE runs SET superseded = true WHERE event_id <> '' AND EXISTS (SELECT 1 FROM runs later
  WHERE later.event_id = runs.event_id AND (later.started_at > runs.started_at OR (later.started_at = runs.started_at AND later.id > runs.id)));
