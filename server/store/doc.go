// Package store keeps hookflow's data with GORM: flows and their versions, incoming events
// (which are also the queue on SQLite), runs with their traces, settings, and accounts: users,
// teams and members, sessions, API tokens, invitations, the audit log and team templates. SQLite in the
// data directory is the default; PostgreSQL is used when the database URL says postgres://.
//
// It knows the engine's types (flows) but nothing of HTTP.
package store
