package live

import (
	"time"

	"github.com/hookflow/hookflow/flows"
)

// The live log's messages: the editor's types are generated from this file (make types, see
// tygo.yaml), so it holds only what goes on the wire.

// Event types. Workers publish the first five; the hub itself sends TypeGap.
const (
	TypeEventReceived = "event_received"
	TypeRunStarted    = "run_started"
	TypeStepStarted   = "step_started"
	TypeStepFinished  = "step_finished"
	TypeRunFinished   = "run_finished"
	// TypeGap tells a client that events after its ?since= are gone: reload the journal, then
	// continue from the gap's Seq.
	TypeGap = "gap"
)

// Event is one line of the live log. The editor's EventType is written by hand beside the Type…
// constants (TestEventTypeListsTheConstants checks it lists exactly them).
//
//tygo:emit /** An event's type: one of the Type… constants. */
//tygo:emit export type EventType = typeof TypeEventReceived | typeof TypeRunStarted | typeof TypeStepStarted | typeof TypeStepFinished | typeof TypeRunFinished | typeof TypeGap;
type Event struct {
	Seq    uint64           `json:"seq"` // per flow, increasing, assigned by Publish
	FlowID string           `json:"flow_id"`
	RunID  string           `json:"run_id,omitempty"`
	Type   string           `json:"type" tstype:"EventType"` // run_started, step_started, step_finished, run_finished, event_received
	Node   string           `json:"node,omitempty"`
	Step   *flows.StepTrace `json:"step,omitempty"`
	Status string           `json:"status,omitempty"`
	// Until is when a run waiting at a Delay step goes on (run_finished with status waiting).
	Until *time.Time `json:"until,omitempty"`
	At    time.Time  `json:"at"`

	// EventID names the stored request of an event_received, so the editor can show exactly it.
	EventID string `json:"event_id,omitempty"`
	// ErrorText is the failed step's or run's error in each language ("en", "ru"): one event
	// goes to every watcher, whatever language each reads.
	ErrorText map[string]string `json:"error_text,omitempty"`
}
