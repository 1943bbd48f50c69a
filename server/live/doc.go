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
// The package knows nothing about authentication, storage or the engine beyond the
// flows.StepTrace carried in an event; the server checks access before calling Serve. It does
// keep, for each connection, the Watcher the server put in the request's context (which session
// or API token, user and team opened it), so that when that credential ends — sign-out, token
// revoked, member removed — the server's Disconnect closes those connections at once with close
// 4401 or 4403 and a sentence, rather than letting them stream on.
package live
