package core

import (
	"time"

	"github.com/hookflow/hookflow/flows"
)

// The JSON the API answers with for flows. The editor's types (frontend/src/api/types.core.gen.ts)
// are generated from this file by tygo (make types): a field changed here changes them.

// FlowSettings are a flow's service settings, beside its document.
type FlowSettings struct {
	Recipients     []string `json:"recipients,omitempty"`      // failure emails
	Lang           string   `json:"lang,omitempty"`            // language of those emails
	RetentionDays  int      `json:"retention_days,omitempty"`  // journal kept this long (0: default 30)
	RetentionCount int      `json:"retention_count,omitempty"` // and at most this many runs (0: default 10,000)
	Reply          *Reply   `json:"reply,omitempty"`           // custom answer to the webhook caller
	// RateLimit is the webhook's own limit (nil: DefaultRatePerSecond, DefaultRateBurst).
	RateLimit *RateLimit `json:"rate_limit,omitempty"`
}

// Reply is what the webhook answered instead of {"ok":true,"event_id":…} before the Reply step:
// a flow's settings that still carry it are upgraded to the step (see upgradeReply). The API takes
// it still, checked as before, and stores it as the step.
type Reply struct {
	Status      int    `json:"status,omitempty"`
	ContentType string `json:"content_type,omitempty"`
	Body        string `json:"body,omitempty"` // template: {{event.id}}, {{trigger.params.x}}
	// Wait, when set, waits up to WaitMs for the run and renders Body with its outputs too
	// ({{steps.send.json.id}}): for sources that need the result in the answer.
	WaitMs int `json:"wait_ms,omitempty"`
}

// FlowView is a flow as the API shows it: secrets masked, webhook URL built.
type FlowView struct {
	ID          string            `json:"id"`
	Name        string            `json:"name"`
	Active      bool              `json:"active"`
	Version     int               `json:"version"`
	WebhookURL  string            `json:"webhook_url"`
	Document    *flows.Flow       `json:"document" tstype:"FlowDocument,required"`
	InputValues map[string]string `json:"input_values"`
	Settings    FlowSettings      `json:"settings" tstype:"FlowSettings & { [key: string]: unknown }"`
	Problems    flows.Problems    `json:"problems"`
	CreatedAt   time.Time         `json:"created_at"`
	UpdatedAt   time.Time         `json:"updated_at"`
	LastRunAt   *time.Time        `json:"last_run_at,omitempty"`
	LastStatus  string            `json:"last_status,omitempty"`
	Failed      int64             `json:"failed_runs"`
	// Error is set, and Document is null, when the stored flow cannot be read (see
	// UnreadableFlowError): the list still shows it, so that it can be restored or deleted.
	Error string `json:"error,omitempty"`
	token string // the webhook's, also for a flow that shows no webhook address
}

// LearnedField is a parameter seen in captured requests, with an example value: what the
// editor's variable picker offers (Webjack's "Получить").
type LearnedField struct {
	Key     string `json:"key"`
	Example string `json:"example"`
	Seen    int    `json:"seen"`
}

// Sample is one captured request.
type Sample struct {
	EventID    string        `json:"event_id"`
	Status     string        `json:"status"`
	ReceivedAt time.Time     `json:"received_at"`
	Payload    flows.Payload `json:"payload"`
}

// Webhook rate limit: a token bucket per flow. The default lets a source send 20 requests a
// second on average with bursts of 100 (a CRM replaying a backlog), far above what the services
// our users connect send, while one leaked webhook address cannot fill the disk or the queue.
const (
	DefaultRatePerSecond = 20.0
	DefaultRateBurst     = 100
)

// RateLimit is a flow's own webhook limit (FlowSettings.RateLimit); zero fields take the defaults.
type RateLimit struct {
	PerSecond float64 `json:"per_second,omitempty"`
	Burst     int     `json:"burst,omitempty"`
}
