-- +goose Up
-- The live log across processes is PostgreSQL's (server/livepg, the live_cursor table there):
-- on SQLite one process owns the database and numbers its live events itself. This version is
-- kept so both databases count their migrations alike.
SELECT 1;
