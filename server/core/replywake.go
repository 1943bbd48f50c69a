package core

import "time"

// replySafetyPoll is how often a webhook waiting for a Reply step that another process runs looks
// in the journal without being woken: only a run's end lost between processes (the live relay
// reconnecting) waits that long.
const replySafetyPoll = time.Second

// otherProcessRun is what AwaitReply watches on PostgreSQL, where another process may run the
// event: ended is closed when the run's end reaches this process's live log (relayed between
// processes through the database, see server/livepg), look ticks as a slow safety poll. On
// SQLite the run is this process's and both are nil. stop releases them.
func (in *Intake) otherProcessRun(eventID string) (look <-chan time.Time, ended <-chan struct{}, stop func()) {
	if in.store.Dialect() != "postgres" {
		return nil, nil, func() {}
	}
	if in.hub == nil || !in.hub.Relayed() {
		// Nothing carries other processes' runs here: look often.
		t := time.NewTicker(100 * time.Millisecond)
		return t.C, nil, t.Stop
	}
	t := time.NewTicker(replySafetyPoll)
	ended, forget := in.hub.RunEnded(eventID)
	return t.C, ended, func() { t.Stop(); forget() }
}
