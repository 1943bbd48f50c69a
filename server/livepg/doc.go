// Package livepg carries the live log (server/live) between hookflow processes that share one
// PostgreSQL, so a browser connected to any process sees every run and request of its flows,
// wherever they were handled, in one order that every process shares. SQLite has one process
// and does without it.
//
// Each process sends the events its hub is given (live.Hub.SetRelay) from one goroutine on a
// connection of its own, in the order they were published, batched: one statement numbers a
// batch from the live_cursor row and sends each event with pg_notify on the channel
// hookflow_live (see sendSQL). Every process, the sender included, listens on another connection
// of its own and hands what arrives to its hub (live.Hub.Deliver), which is where watchers get
// it. Because the row's lock is held until the commit and PostgreSQL delivers notifications in
// commit order, numbers rise in the order every process receives them: each event has the same
// number everywhere, and a cursor (?since=) taken on one process is valid on all.
//
// A notification carries an event of at most MaxPayload bytes (PostgreSQL's limit is 8000): a
// step keeps what the live log shows (node, name, status, error, duration) and leaves its input,
// output, HTTP exchange and logs to the run's stored trace, which the journal serves
// (GET /api/runs/{id}). Error texts are cut at 1,000 bytes there.
//
// Events are sent after the writes they tell of are committed (a request after it is stored, a
// run's end after its run is), never in the same transaction: the journal is the truth, no event
// tells of something that was rolled back, and the journal writes of the processes do not wait
// for one another on the cursor's lock. A process that dies between its commit and its send loses
// that event from the live log; the journal has it.
//
// When a connection is lost, sending retries with pauses and a batch is given up after five
// tries; listening reconnects, reads the cursor again and calls live.Hub.Resume: if events were
// numbered meanwhile, the hub drops its in-memory history and disconnects its watchers (close
// 1013), which reconnect with ?since= and get what they missed rebuilt from the journal.
package livepg
