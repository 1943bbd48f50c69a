package store

import "time"

// Flow is a stored flow: its current document, webhook token and state.
type Flow struct {
	ID        string `gorm:"primaryKey;size:40"`
	TeamID    string `gorm:"size:40;index;not null;default:''"` // the team that owns it
	Name      string `gorm:"size:300"`
	Document  string `gorm:"type:text"` // the flow document, JSON
	Version   int
	Active    bool
	Token     string `gorm:"size:64;uniqueIndex"` // secret part of the webhook URL
	Inputs    string `gorm:"type:text"`           // JSON object of the flow's input values
	Settings  string `gorm:"type:text"`           // JSON FlowSettings
	CreatedAt time.Time
	UpdatedAt time.Time
	// StartedAt is when the flow was last started: a schedule trigger counts its ticks from
	// then at the earliest (nil: never started since it was stored).
	StartedAt *time.Time
}

// FlowVersion is the document as it was after one save.
type FlowVersion struct {
	ID        uint   `gorm:"primaryKey"`
	TeamID    string `gorm:"size:40;not null;default:''"`
	FlowID    string `gorm:"size:40;uniqueIndex:idx_flow_version"`
	Version   int    `gorm:"uniqueIndex:idx_flow_version"`
	Document  string `gorm:"type:text"`
	CreatedAt time.Time
}

// Event statuses. An event is the durable record of one webhook request and, on SQLite, its
// place in the queue.
const (
	EventQueued  = "queued"
	EventRunning = "running"
	EventDone    = "done"
	EventFailed  = "failed"
	EventSample  = "sample" // arrived while the flow was stopped: kept, not run
)

// Event is one incoming webhook request.
type Event struct {
	ID         string `gorm:"primaryKey;size:40"`
	TeamID     string `gorm:"size:40;not null;default:''"`
	FlowID     string `gorm:"size:40;index:idx_event_flow,priority:1"`
	Payload    string `gorm:"type:text"` // flows.Payload JSON
	Status     string `gorm:"size:16;index:idx_event_due,priority:1"`
	Attempts   int
	NextAt     time.Time `gorm:"index:idx_event_due,priority:2"`
	LeaseUntil *time.Time
	// LeaseOwner is the process whose lease it is (PostgreSQL): only it renews the lease and
	// stores the attempt's outcome.
	LeaseOwner string    `gorm:"size:40;not null;default:''"`
	ReceivedAt time.Time `gorm:"index:idx_event_flow,priority:2"`
}

// Run is one execution of a flow with its trace.
//
// idx_run_flow orders a flow's runs by time, where the journal's pages start and what the per-day
// chart reads; idx_run_failed holds only the webhooks that failed for good, which the flows list
// counts (migration 00004), and idx_run_failed_time the same rows in time order, where the
// journal's "failed only" pages start (migration 00006). Status and team have no index of their
// own: every query names a flow, a webhook or a run (migration 00007).
type Run struct {
	ID         string `gorm:"primaryKey;size:40"`
	TeamID     string `gorm:"size:40;not null;default:''"`
	FlowID     string `gorm:"size:40;index:idx_run_flow,priority:1;index:idx_run_failed,priority:1,where:status = 'failed' AND superseded = false AND retry_at IS NULL;index:idx_run_failed_time,priority:1,where:status = 'failed' AND superseded = false AND retry_at IS NULL"`
	EventID    string `gorm:"size:40;index"`
	Status     string `gorm:"size:16;index:idx_run_failed,priority:2"`
	Error      string `gorm:"type:text"`
	FailedStep string `gorm:"size:200"`
	Trace      string `gorm:"type:text"`
	Test       bool   // started from the editor's "send for real"
	Attempt    int
	StartedAt  time.Time `gorm:"index:idx_run_flow,priority:2;index:idx_run_failed_time,priority:2"`
	DurationMs int64
	// ErrorCode and ErrorParams (a JSON object) are the problem Error was made from, so that the
	// journal can say it in the reader's language.
	ErrorCode   string `gorm:"size:80;not null;default:''"`
	ErrorParams string `gorm:"type:text"`
	// RetryAt is when the webhook is tried again after this failed attempt (nil: no retry).
	RetryAt *time.Time `gorm:"index:idx_run_failed,priority:4"`
	// Superseded marks an attempt after which the same webhook ran again: the journal shows one
	// row per webhook, its latest attempt, with the earlier ones inside it.
	Superseded bool `gorm:"not null;default:false;index:idx_run_failed,priority:3"`
}

// Setting is one instance-wide setting.
type Setting struct {
	Key   string `gorm:"primaryKey;size:100"`
	Value string `gorm:"type:text"`
}

// Models are the tables' Go types, for the test that holds them and the migrations together.
func Models() []any {
	return []any{&Flow{}, &FlowVersion{}, &Event{}, &Run{}, &Setting{},
		&User{}, &Team{}, &Member{}, &Session{}, &APIToken{}, &Invitation{}, &AuditEntry{}, &TeamTemplate{}}
}
