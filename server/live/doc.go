// Package live is the live log hub behind the websocket GET /api/flows/{id}/live.
//
// It owns, for each flow, the in-memory tail of that flow's run events (bounded by
// Options.History and Options.HistoryBytes) and the set of browsers watching it. Workers call
// Publish for every run/step event; Publish numbers the event, stores it and hands it to each
// watcher's bounded queue without ever waiting: a watcher whose queue is full is disconnected
// (close 1013, "try again later") and is expected to reconnect with ?since=<last seq>.
//
// A connection with ?since=N first receives every event with Seq > N that the hub can still
// produce — older ones from Options.Backfill (rebuilt from stored traces by the server), the
// rest from memory — and then live events, without gaps or duplicates. When events after N are
// gone and there is no Backfill, the client first gets {"type":"gap","seq":M}: reload the
// journal, then continue from M.
//
// Sequence numbers are per flow and strictly increasing, also across server restarts: a new
// event gets max(previous+1, now in Unix microseconds). So a cursor a browser kept from before a
// restart is simply "older than the history" (gap or backfill), and Backfill can map a since
// value to a time with time.UnixMicro. The values stay below 2^53, so JavaScript numbers hold
// them exactly.
//
// # Several processes (PostgreSQL)
//
// Processes sharing one PostgreSQL share one live log through a Relay (SetRelay; server/livepg
// is the one `hookflow serve` uses). Publish then only hands the event to the relay; the relay
// numbers it and gives it to every process's hub, the publisher's included, through Deliver. The
// decision, and why:
//
//   - One numbering for all processes. The relay numbers events from one database row
//     (live_cursor) whose lock each sending transaction holds until it commits, and PostgreSQL
//     delivers notifications in commit order: every process receives every event in the same
//     order under the same Seq. A cursor is therefore not a process's but the database's, and
//     ?since= taken on one process works on any other — there is no per-process cursor to map,
//     and no process is the numbering's owner. Numbers stay microsecond times (of the database's
//     clock, at least, and above every earlier number), so Backfill maps them to times as before.
//   - Order is per flow (Seq strictly increasing) and so per run: a run's events are published
//     by the one process that runs it, in order, through one sending connection.
//   - A cursor ahead of this process (the client saw an event through a faster process that has
//     not reached this one yet, at most a minute ahead of its clock) is not a gap: the connection
//     waits for the events and skips those up to the cursor.
//   - Resume(cursor) is called whenever the relay (re)starts listening; every event numbered
//     after cursor will be delivered. When events were numbered while it was not listening, the
//     hub cannot know which flows they were for: it drops every flow's history (the horizon
//     becomes cursor) and disconnects the watchers with 1013, so they reconnect with ?since= and
//     get the missed runs rebuilt from the journal by Backfill, or a gap.
//
// SQLite has one process: no relay, and Publish numbers events itself as described above.
//
// RunEnded gives a channel closed when the run_finished carrying a stored request's id reaches
// the hub, from this process or another: a webhook waiting for its Reply step in one process
// wakes when another process's run of it ends.
//
// The package knows nothing about authentication, storage or the engine beyond the
// flows.StepTrace carried in an event; the server checks access before calling Serve. It does
// keep, for each connection, the Watcher the server put in the request's context (which session
// or API token, user and team opened it), so that when that credential ends — sign-out, token
// revoked, member removed — the server's Disconnect closes those connections at once with close
// 4401 or 4403 and a sentence, rather than letting them stream on.
package live
