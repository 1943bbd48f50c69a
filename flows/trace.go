package flows

import (
	"net/url"
	"strings"
	"time"
)

// Run and step statuses.
const (
	StatusSuccess  = "success"
	StatusFailed   = "failed"
	StatusFiltered = "filtered"
	StatusSkipped  = "skipped"
)

// Trace is what a run did, step by step: the journal entry, the preview's paint, the CLI output.
type Trace struct {
	Status     string      `json:"status"`
	Error      *Problem    `json:"error,omitempty"`    // why the run failed
	Problems   Problems    `json:"problems,omitempty"` // when the flow could not run at all
	Steps      []StepTrace `json:"steps"`
	StartedAt  time.Time   `json:"started_at"`
	DurationMs int64       `json:"duration_ms"`
}

// StepTrace is one node's part of a run.
type StepTrace struct {
	Node        string        `json:"node"`
	Kind        string        `json:"kind"`
	Name        string        `json:"name,omitempty"`
	Status      string        `json:"status"`
	Input       any           `json:"input,omitempty"`
	Output      any           `json:"output,omitempty"`
	Logs        []string      `json:"logs,omitempty"`
	Error       string        `json:"error,omitempty"`
	ErrorCode   string        `json:"error_code,omitempty"`
	ErrorParams Params        `json:"error_params,omitempty"`
	HTTP        *HTTPExchange `json:"http,omitempty"`
	Branch      string        `json:"branch,omitempty"` // the branch a filter took
	StartedAt   time.Time     `json:"started_at,omitzero"`
	DurationMs  int64         `json:"duration_ms"`
}

// HTTPExchange is the exact request an http node sent (or would send, in a preview) and what came back.
type HTTPExchange struct {
	Sent     bool          `json:"sent"`
	Request  HTTPRequest   `json:"request"`
	Response *HTTPResponse `json:"response,omitempty"`
	Attempts []HTTPAttempt `json:"attempts,omitempty"`
}

// HTTPRequest is a request as sent.
type HTTPRequest struct {
	Method  string   `json:"method"`
	URL     string   `json:"url"`
	Headers []KeyVal `json:"headers,omitempty"`
	Body    string   `json:"body,omitempty"`
}

// HTTPResponse is a response as received (or the sample used in a preview).
type HTTPResponse struct {
	Status  int               `json:"status"`
	Headers map[string]string `json:"headers,omitempty"`
	Body    string            `json:"body,omitempty"`
}

// HTTPAttempt is one try of a request with retries.
type HTTPAttempt struct {
	Status     int    `json:"status,omitempty"`
	Error      string `json:"error,omitempty"`
	DurationMs int64  `json:"duration_ms"`
	WaitMs     int64  `json:"wait_ms,omitempty"` // pause before the next try
}

// KeyVal is an ordered key/value pair: form fields, query parameters, headers.
type KeyVal struct {
	Key      string `json:"key"`
	Value    string `json:"value"`
	Optional bool   `json:"optional,omitempty"`
	Secret   bool   `json:"secret,omitempty"`
}

// Step returns the trace of the node with the given id.
func (t *Trace) Step(node string) (*StepTrace, bool) {
	for i := range t.Steps {
		if t.Steps[i].Node == node {
			return &t.Steps[i], true
		}
	}
	return nil, false
}

// StepEvent is sent to Env.OnStep as the run goes: "step_started", "step_finished" (with the
// step's trace) and "run_finished" (with the run's status).
type StepEvent struct {
	Type   string     `json:"type"`
	Node   string     `json:"node,omitempty"`
	Step   *StepTrace `json:"step,omitempty"`
	Status string     `json:"status,omitempty"`
}

// masker hides secret values (secret inputs, secret headers) in what a trace shows.
type masker struct{ replacer *strings.Replacer }

const maskText = "••••••"

func newMasker(secrets []string) *masker {
	var pairs []string
	for _, s := range secrets {
		if len(s) < 3 {
			continue // too short to mask without blanking ordinary text
		}
		pairs = append(pairs, s, maskText)
		if q := url.QueryEscape(s); q != s {
			pairs = append(pairs, q, maskText)
		}
	}
	if len(pairs) == 0 {
		return &masker{}
	}
	return &masker{replacer: strings.NewReplacer(pairs...)}
}

func (m *masker) text(s string) string {
	if m.replacer == nil {
		return s
	}
	return m.replacer.Replace(s)
}

func (m *masker) value(v any) any {
	if m.replacer == nil {
		return v
	}
	switch x := v.(type) {
	case string:
		return m.text(x)
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, c := range x {
			out[k] = m.value(c)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, c := range x {
			out[i] = m.value(c)
		}
		return out
	}
	return v
}

func (m *masker) step(st *StepTrace) {
	if m.replacer == nil {
		return
	}
	st.Input = m.value(st.Input)
	st.Output = m.value(st.Output)
	for i := range st.Logs {
		st.Logs[i] = m.text(st.Logs[i])
	}
	st.Error = m.text(st.Error)
	for k, v := range st.ErrorParams {
		st.ErrorParams[k] = m.text(v)
	}
	if h := st.HTTP; h != nil {
		h.Request.URL = m.text(h.Request.URL)
		h.Request.Body = m.text(h.Request.Body)
		for i := range h.Request.Headers {
			h.Request.Headers[i].Value = m.text(h.Request.Headers[i].Value)
		}
		if h.Response != nil {
			h.Response.Body = m.text(h.Response.Body)
		}
		for i := range h.Attempts {
			h.Attempts[i].Error = m.text(h.Attempts[i].Error)
		}
	}
}
