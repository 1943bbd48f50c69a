-- +goose Up
-- The live log across processes (server/livepg): every process sends its run and request events
-- as NOTIFY, numbered from this one row. Each sending transaction takes the row's lock until it
-- commits, so the numbers rise in the order the notifications are delivered, and every process
-- numbers every event the same (a browser's ?since= works against any of them).
CREATE TABLE live_cursor (
    id smallint PRIMARY KEY CHECK (id = 1),
    n  bigint NOT NULL
);
INSERT INTO live_cursor (id, n) VALUES (1, 0);
