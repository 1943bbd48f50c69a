// Package store keeps hookflow's data with GORM: flows and their versions, incoming events
// (which are also the queue on SQLite), runs with their traces, and settings. SQLite in the
// data directory is the default; PostgreSQL is used when the database URL says postgres://.
//
// It knows the engine's types (flows) but nothing of HTTP.
package store
