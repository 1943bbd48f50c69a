package flows

import (
	"encoding/json"
	"net/url"
	"sort"
	"strings"
	"time"
	"unicode/utf8"
)

// Run and step statuses.
const (
	StatusSuccess  = "success"
	StatusFailed   = "failed"
	StatusFiltered = "filtered"
	StatusSkipped  = "skipped"
	// StatusWaiting: a Delay step parked the run until a time (Trace.Until); the host stores
	// it and resumes it then with RunFrom. The steps after the delay have not run yet.
	StatusWaiting = "waiting"
)

// Trace is what a run did, step by step: the journal entry, the preview's paint, the CLI output.
type Trace struct {
	Status   string   `json:"status"`
	Error    *Problem `json:"error,omitempty"`    // why the run failed
	Problems Problems `json:"problems,omitempty"` // when the flow could not run at all
	// Until is when a waiting run goes on (status waiting: a Delay step parked it).
	Until      *time.Time  `json:"until,omitempty"`
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
	// Until is the time a Delay step waits (or waited, or in a test would wait) until.
	Until *time.Time `json:"until,omitempty"`
	// NoWait marks a Delay step that went on at once because nothing here resumes a run later
	// (a test in the editor, hookflow run): in a real run it would wait until Until.
	NoWait     bool      `json:"no_wait,omitempty"`
	StartedAt  time.Time `json:"started_at,omitzero"`
	DurationMs int64     `json:"duration_ms"`

	// Items: a loop's For each and Collect steps, one row per item (For each's with the item's
	// own steps), see loop.go.
	Items []ItemTrace `json:"items,omitempty"`
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

// masker hides secret values (secret inputs, secret headers) in what a trace shows: the value
// itself and every rendering of it through the text pipes (chains of up to two, like
// {{inputs.key | base64}} or {{inputs.key | upper | urlencode}}), also as JSON string text. A
// header, URL parameter or body field (form or JSON) that contains one is masked whole: "Bearer "
// followed by a mask would still tell the kind of key, and a value built around a secret may
// carry more of it than any one rendering.
type masker struct{ replacer *strings.Replacer }

const maskText = "••••••"

// minMasked is the shortest secret, and the shortest rendering of one, masked in text: shorter
// ones ("1", "ok", "abc") would blank ordinary words and numbers all over the trace. A header
// marked secret is masked whole whatever its length.
const minMasked = 4

// maskedPipeDepth is how long a chain of pipes masking follows.
const maskedPipeDepth = 2

// unfollowedPipes do not render a secret as text of its own: default only picks its argument
// when the value is empty, date fails on anything but a date. Every other pipe is followed.
var unfollowedPipes = map[string]bool{"default": true, "date": true}

// renderings returns s and what the followed pipes make of it, each also as the text inside a
// JSON string and as a URL parameter; those shorter than minMasked are left out.
func renderings(s string) []string {
	seen := map[string]bool{}
	var out []string
	keep := func(r string) {
		if utf8.RuneCountInString(r) >= minMasked && !seen[r] {
			seen[r] = true
			out = append(out, r)
		}
	}
	add := func(r string) {
		keep(r)
		// As the engine itself writes it: inside a JSON string, in a URL parameter.
		if q, err := marshalPlain(r); err == nil {
			keep(string(q[1 : len(q)-1]))
		}
		keep(url.QueryEscape(r))
	}
	add(s)
	level := []string{s}
	for depth := 0; depth < maskedPipeDepth; depth++ {
		var next []string
		for _, v := range level {
			for name, p := range pipes {
				if unfollowedPipes[name] {
					continue
				}
				r, err := p.fn(v, nil, nil)
				if err != nil || r == nil {
					continue
				}
				text := Stringify(r)
				add(text)
				next = append(next, text) // short renderings are not masked, but what follows them may be
			}
		}
		level = next
	}
	return out
}

// maskFor is a masker with the secrets it was made for.
type maskFor struct {
	key string
	m   *masker
}

// masker returns the masker of secrets, made once for a run of equal secrets after another.
func (p *Program) masker(secrets []string) *masker {
	key := strings.Join(secrets, "\x00")
	if last := p.lastMask.Load(); last != nil && last.key == key {
		return last.m
	}
	m := newMasker(secrets)
	p.lastMask.Store(&maskFor{key: key, m: m})
	return m
}

func newMasker(secrets []string) *masker {
	var all []string
	for _, s := range secrets {
		if utf8.RuneCountInString(s) < minMasked {
			continue // too short to mask without blanking ordinary text
		}
		all = append(all, renderings(s)...)
	}
	if len(all) == 0 {
		return &masker{}
	}
	// Longest first: where two renderings start at one place, the longer is masked whole.
	sort.SliceStable(all, func(i, j int) bool { return len(all[i]) > len(all[j]) })
	pairs := make([]string, 0, 2*len(all))
	for _, r := range all {
		pairs = append(pairs, r, maskText)
	}
	return &masker{replacer: strings.NewReplacer(pairs...)}
}

func (m *masker) text(s string) string {
	if m.replacer == nil {
		return s
	}
	return m.replacer.Replace(s)
}

// holds reports whether s contains a secret or a rendering of one.
func (m *masker) holds(s string) bool { return m.replacer != nil && m.replacer.Replace(s) != s }

// whole masks s whole when it holds a secret.
func (m *masker) whole(s string) string {
	if m.holds(s) {
		return maskText
	}
	return s
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

// wholeValues is value with every string that holds a secret masked whole.
func (m *masker) wholeValues(v any) any {
	switch x := v.(type) {
	case string:
		return m.whole(x)
	case map[string]any:
		for k, c := range x {
			x[k] = m.wholeValues(c)
		}
	case []any:
		for i, c := range x {
			x[i] = m.wholeValues(c)
		}
	}
	return v
}

// pairs masks whole the values of "k=v&k2=v2" text (a query or a form body) that hold a secret,
// encoded or not.
func (m *masker) pairs(s string) string {
	parts := strings.Split(s, "&")
	for i, part := range parts {
		k, v, _ := strings.Cut(part, "=")
		decoded, err := url.QueryUnescape(v)
		if m.holds(v) || (err == nil && m.holds(decoded)) {
			parts[i] = m.text(k) + "=" + maskText
		} else {
			parts[i] = m.text(part)
		}
	}
	return strings.Join(parts, "&")
}

// url masks the address: its path as text, its query parameters whole.
func (m *masker) url(s string) string {
	base, query, ok := strings.Cut(s, "?")
	if !ok {
		return m.text(s)
	}
	return m.text(base) + "?" + m.pairs(query)
}

// body masks a request body: the fields of a JSON or form body whole, other text as text.
func (m *masker) body(s string) string {
	if !m.holds(s) {
		return s
	}
	if t := strings.TrimSpace(s); strings.HasPrefix(t, "{") || strings.HasPrefix(t, "[") {
		dec := json.NewDecoder(strings.NewReader(t))
		dec.UseNumber()
		var v any
		if dec.Decode(&v) == nil && !dec.More() {
			if data, err := marshalPlain(m.wholeValues(v)); err == nil && !m.holds(string(data)) {
				return string(data)
			}
		}
	}
	if isPairs(s) {
		return m.pairs(s)
	}
	return m.text(s)
}

// isPairs reports whether s reads as a form body: one line of name=value pairs joined by "&".
func isPairs(s string) bool {
	if strings.ContainsAny(s, "\r\n") {
		return false
	}
	for _, part := range strings.Split(s, "&") {
		if !strings.Contains(part, "=") {
			return false
		}
	}
	return true
}

func (m *masker) step(st *StepTrace) {
	if h := st.HTTP; h != nil {
		for i := range h.Request.Headers { // marked secret: masked whatever its length
			if h.Request.Headers[i].Secret && h.Request.Headers[i].Value != "" {
				h.Request.Headers[i].Value = maskText
			}
		}
	}
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
		h.Request.URL = m.url(h.Request.URL)
		h.Request.Body = m.body(h.Request.Body)
		for i := range h.Request.Headers {
			h.Request.Headers[i].Value = m.whole(h.Request.Headers[i].Value)
		}
		if h.Response != nil {
			h.Response.Body = m.text(h.Response.Body)
			if len(h.Response.Headers) > 0 { // a copy: the step's output may share the map
				headers := make(map[string]string, len(h.Response.Headers))
				for k, v := range h.Response.Headers {
					headers[k] = m.whole(v)
				}
				h.Response.Headers = headers
			}
		}
		for i := range h.Attempts {
			h.Attempts[i].Error = m.text(h.Attempts[i].Error)
		}
	}
}
