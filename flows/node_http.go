package flows

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// The http node: sends one request to a target system (CPA.House, aray, GetCourse, Offerrum,
// U-ON, …), retries while the target is down, checks that the target accepted the data and
// outputs the response for later steps.
//
// Choices not fixed by the design (documented here and in the field help):
//   - "text" bodies without an explicit Content-Type get one guessed from the rendered text:
//     valid JSON object/list → application/json, key=value&… → application/x-www-form-urlencoded,
//     anything else → text/plain; charset=utf-8.
//   - "previous" bodies: an object with a string body (form_encode) → form; a string → as is,
//     typed like a text body; anything else → JSON.
//   - GET and HEAD never carry a body; a configured one is left out and the log says so.
//   - A status inside the success range is never retried, even a 5xx the user declared a success.
//   - The success condition sees the response JSON's top-level fields by name and the response
//     itself as `response` ({status, headers, body, json}); `response` always means the HTTP
//     response, so a JSON member called "response" is reached as response.json.response.
//   - Header names are sent in canonical form (content-type → Content-Type), and the trace shows
//     them that way, as they go over the wire.
//
// This file is the kind (config, fields, Build) and its Run; the request is built in
// http_request.go, sent with retries in http_send.go and checked in http_success.go.

// Limits of the http node.
const (
	// MaxResponseBytes is the largest response body read; a longer one fails the step.
	MaxResponseBytes = 2 << 20

	httpTraceBodyBytes   = 64 << 10 // bodies shown in the trace are cut here
	httpDefaultTimeout   = 10 * time.Second
	httpMaxTimeoutMs     = 120000
	httpDefaultRetries   = 2
	httpMaxRetries       = 10
	httpDefaultDelay     = 500 * time.Millisecond
	httpMaxDelay         = 30 * time.Second // cap of one backoff pause
	httpMaxRetryAfter    = 60 * time.Second // a longer Retry-After fails instead of waiting
	httpReplyExcerpt     = 300              // characters of a reply quoted in an error
	httpConditionBodyMax = 256 << 10        // response.body given to the success condition
	httpUserAgent        = "hookflow"
)

var httpMethods = []string{"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"}

// Body types.
const (
	httpBodyText     = "text"
	httpBodyJSON     = "json"
	httpBodyPrevious = "previous"
)

type httpConfig struct {
	Method         string          `json:"method"`
	URL            string          `json:"url"`
	Query          []httpRow       `json:"query"`
	Headers        []httpRow       `json:"headers"`
	Body           json.RawMessage `json:"body"` // text; a JSON object/list is taken as its text
	BodyType       string          `json:"body_type"`
	TimeoutMs      int             `json:"timeout_ms"`
	Retries        *int            `json:"retries"`
	RetryDelayMs   *int            `json:"retry_delay_ms"`
	Success        httpSuccess     `json:"success"`
	SampleResponse *httpSample     `json:"sample_response"`
}

type httpRow struct {
	Key    string `json:"key"`
	Value  string `json:"value"`
	Secret bool   `json:"secret,omitempty"`
}

type httpSuccess struct {
	StatusMin int       `json:"status_min"`
	StatusMax int       `json:"status_max"`
	Match     string    `json:"match"`
	Rules     []ruleRow `json:"rules"`
	Condition string    `json:"condition"`
	ErrorPath string    `json:"error_path"`
}

type httpSample struct {
	Status  int             `json:"status"`
	Headers json.RawMessage `json:"headers"` // {"Name": "value"} or [{"key": …, "value": …}]
	Body    json.RawMessage `json:"body"`    // text; a JSON object/list is taken as its text
}

func init() {
	Register(KindSpec[httpConfig]{
		Name:   "http",
		Title:  T("http.title"),
		Help:   T("http.help"),
		Fields: httpFields(),
		Build:  buildHTTP,
	})
}

func httpFields() []Field {
	keyVal := func(keyHelp Text, secret bool) []Field {
		f := []Field{
			{Key: "key", Type: FieldString, Label: T("http.row.key.label"), Required: true, Template: true,
				Help: keyHelp},
			{Key: "value", Type: FieldString, Label: T("http.row.value.label"), Template: true,
				Help: T("http.row.value.help")},
		}
		if secret {
			f = append(f, Field{Key: "secret", Type: FieldBool, Label: T("http.headers.secret.label"),
				Help: T("http.headers.secret.help")})
		}
		return f
	}
	fields := []Field{
		{Key: "method", Type: FieldSelect, Label: T("http.method.label"), Options: httpMethods, Default: "GET",
			Help: T("http.method.help")},
		{Key: "url", Type: FieldString, Label: T("http.url.label"), Required: true, Template: true,
			Help: T("http.url.help")},
		{Key: "query", Type: FieldList, Label: T("http.query.label"),
			Help:   T("http.query.help"),
			Fields: keyVal(T("http.query.key.help"), false)},
		{Key: "headers", Type: FieldList, Label: T("http.headers.label"),
			Help:   T("http.headers.help"),
			Fields: keyVal(T("http.headers.key.help"), true)},
		{Key: "body_type", Type: FieldSelect, Label: T("http.body_type.label"), Options: []string{httpBodyText, httpBodyJSON, httpBodyPrevious}, Default: httpBodyText,
			OptionLabels: map[string]Text{
				httpBodyText:     T("http.body_type.option.text"),
				httpBodyJSON:     T("http.body_type.option.json"),
				httpBodyPrevious: T("http.body_type.option.previous"),
			},
			Help: T("http.body_type.help")},
		{Key: "body", Type: FieldCode, Label: T("http.body.label"), Template: true,
			Help: T("http.body.help")},
	}
	fields = append(fields, httpLimitFields(T("http.timeout_ms.label"), T("http.timeout_ms.help"), T("http.retries.label"), T("http.retries.help"))...)
	return append(fields, []Field{
		{Key: "retry_delay_ms", Type: FieldNumber, Label: T("http.retry_delay_ms.label"), Default: 500, Min: bound(0), Max: bound(float64(httpMaxDelay.Milliseconds())),
			Help: T("http.retry_delay_ms.help")},
		{Key: "success", Type: FieldObject, Label: T("http.success.label"),
			Help: T("http.success.help"),
			Fields: slices.Concat(
				[]Field{
					{Key: "status_min", Type: FieldNumber, Label: T("http.success.status_min.label"), Default: 200, Min: bound(100), Max: bound(599),
						Help: T("http.success.status_min.help")},
					{Key: "status_max", Type: FieldNumber, Label: T("http.success.status_max.label"), Default: 299, Min: bound(100), Max: bound(599),
						Help: T("http.success.status_max.help")},
				},
				ruleListFields(T("http.success.match.label"), T("http.success.match.help"), T("http.success.rules.label"), T("http.success.rules.help"), "condition", false),
				[]Field{
					{Key: "condition", Type: FieldCode, Label: T("http.success.condition.label"),
						Help: T("http.success.condition.help")},
					{Key: "error_path", Type: FieldString, Label: T("http.success.error_path.label"),
						Help: T("http.success.error_path.help")},
				}),
		},
		{Key: "sample_response", Type: FieldObject, Label: T("http.sample_response.label"),
			Help: T("http.sample_response.help"),
			Fields: []Field{
				{Key: "status", Type: FieldNumber, Label: T("http.sample_response.status.label"), Default: 200, Min: bound(100), Max: bound(599),
					Help: T("http.sample_response.status.help")},
				{Key: "headers", Type: FieldList, Label: T("http.sample_response.headers.label"),
					Help: T("http.sample_response.headers.help"),
					Fields: []Field{
						{Key: "key", Type: FieldString, Label: T("http.sample_response.headers.key.label"), Required: true,
							Help: T("http.sample_response.headers.key.help")},
						{Key: "value", Type: FieldString, Label: T("http.sample_response.headers.value.label"),
							Help: T("http.sample_response.headers.value.help")},
					}},
				{Key: "body", Type: FieldCode, Label: T("http.sample_response.body.label"),
					Help: T("http.sample_response.body.help")},
			}},
	}...)
}

// httpStep is a built http node.
type httpStep struct {
	method    string
	url       *Template
	query     []httpTemplateRow
	headers   []httpTemplateRow
	bodyType  string
	body      *Template
	timeout   time.Duration
	retries   int
	delay     time.Duration
	statusMin int
	statusMax int
	condSrc   string
	cond      *script
	rules     *ruleSet // the success rule as rows; nil when there are none
	rulesSrc  string   // the rows in words, for log lines
	errorPath Path
	sample    httpResult
	sampleSet bool
}

type httpTemplateRow struct {
	key, value *Template
	secret     bool
}

// httpResult is a response (or the preview's sample).
type httpResult struct {
	status  int
	headers http.Header
	body    []byte
}

func buildHTTP(b *Builder, cfg *httpConfig) Step {
	h := &httpStep{method: strings.ToUpper(strings.TrimSpace(cfg.Method))}
	if h.method == "" {
		h.method = "GET"
	}

	h.url = b.Template("url", cfg.URL)
	if src := strings.TrimSpace(cfg.URL); src != "" {
		if !strings.Contains(src, "{{") {
			if u, ok := httpParseURL(src); !ok {
				b.Problem("url", CodeURLInvalid, Params{"url": src})
			} else if reason, reasonRu, denied := literalDenied(u.Hostname()); denied {
				b.Problem("url", CodeURLDenied, Params{"url": src, "reason": reason, "reason_ru": reasonRu})
			}
		} else if prefix, _, _ := strings.Cut(src, "{{"); strings.Contains(prefix, "://") {
			scheme, _, _ := strings.Cut(prefix, "://")
			if s := strings.ToLower(strings.TrimSpace(scheme)); s != "http" && s != "https" {
				b.Problem("url", CodeURLInvalid, Params{"url": src})
			}
		}
	}

	for i, row := range cfg.Query {
		h.query = append(h.query, httpTemplateRow{
			key:   b.Template(fmt.Sprintf("query[%d].key", i), row.Key),
			value: b.Template(fmt.Sprintf("query[%d].value", i), row.Value),
		})
	}
	for i, row := range cfg.Headers {
		field := fmt.Sprintf("headers[%d].key", i)
		name := strings.TrimSpace(row.Key)
		if name != "" && !strings.Contains(name, "{{") && !httpValidHeaderName(name) {
			b.Problem(field, CodeHTTPHeaderName, Params{"key": name})
		}
		h.headers = append(h.headers, httpTemplateRow{
			key:    b.Template(field, row.Key),
			value:  b.Template(fmt.Sprintf("headers[%d].value", i), row.Value),
			secret: row.Secret,
		})
	}

	h.bodyType = cfg.BodyType
	if h.bodyType == "" {
		h.bodyType = httpBodyText
	}
	bodySrc := httpRawText(cfg.Body)
	if h.bodyType != httpBodyPrevious {
		h.body = b.TemplateOrNil("body", bodySrc)
	}
	if h.bodyType == httpBodyJSON && strings.TrimSpace(bodySrc) != "" && !strings.Contains(bodySrc, "{{") {
		if _, err := decodeJSON([]byte(bodySrc)); err != nil {
			b.Problem("body", CodeHTTPBodyNotJSON, Params{"detail": err.Error()})
		}
	}

	h.setLimits(cfg.TimeoutMs, cfg.Retries)
	h.delay = httpDefaultDelay
	if cfg.RetryDelayMs != nil {
		h.delay = min(time.Duration(max(0, *cfg.RetryDelayMs))*time.Millisecond, httpMaxDelay)
	}

	h.statusMin, h.statusMax = cfg.Success.StatusMin, cfg.Success.StatusMax
	if h.statusMin == 0 {
		h.statusMin = 200
	}
	if h.statusMax == 0 {
		h.statusMax = 299
	}
	if h.statusMin > h.statusMax {
		b.Problem("success.status_min", CodeStatusRange, Params{"min": strconv.Itoa(h.statusMin), "max": strconv.Itoa(h.statusMax)})
	}
	if c := strings.TrimRight(strings.TrimSpace(cfg.Success.Condition), "; \t\r\n"); c != "" {
		h.condSrc = c
		// compileScript reports syntax errors at the user's own line and column, and never
		// follows source-map comments to files on the server.
		if s, err := compileScript(b.Node().ID+".success.condition", c, scriptExpression); err != nil {
			b.Problem("success.condition", CodeScriptSyntax, Params{"detail": httpSyntaxDetail(err)})
		} else {
			h.cond = s
		}
	}
	if len(cfg.Success.Rules) > 0 {
		if h.condSrc != "" {
			b.Problem("success.condition", CodeFilterBoth, nil)
		}
		h.rules = buildRules(b, "success.rules", cfg.Success.Match, cfg.Success.Rules, ruleLeftField)
		h.rulesSrc = rulesInWords(cfg.Success.Rules, cfg.Success.Match)
	}
	if p := strings.TrimSpace(cfg.Success.ErrorPath); p != "" {
		path, err := ParsePath(p)
		if err != nil {
			b.Problem("success.error_path", CodePathInvalid, Params{"path": p, "detail": err.Error()})
		}
		h.errorPath = path
	}

	h.sample = httpResult{status: 200, headers: http.Header{}}
	if s := cfg.SampleResponse; s != nil {
		h.sampleSet = true
		if s.Status != 0 {
			h.sample.status = s.Status
		}
		if err := httpDecodeSampleHeaders(s.Headers, h.sample.headers); err != nil {
			b.Problem("sample_response.headers", CodeConfigType, Params{"expected": "list", "expected_ru": "список"})
		}
		h.sample.body = []byte(httpRawText(s.Body))
	}
	return h
}

// httpLimitFields are the settings setLimits reads (timeout_ms, retries), with a kind's words
// for them: the HTTP step's own and those of a step that sends through one.
func httpLimitFields(timeoutLabel, timeoutHelp, retriesLabel, retriesHelp Text) []Field {
	return []Field{
		{Key: "timeout_ms", Type: FieldNumber, Label: timeoutLabel, Default: 10000, Min: bound(0), Max: bound(httpMaxTimeoutMs),
			Help: timeoutHelp},
		{Key: "retries", Type: FieldNumber, Label: retriesLabel, Default: httpDefaultRetries, Min: bound(0), Max: bound(httpMaxRetries),
			Help: retriesHelp},
	}
}

// setLimits sets the time one attempt may take and how many times to try again, within bounds;
// 0 and nil take the defaults.
func (h *httpStep) setLimits(timeoutMs int, retries *int) {
	h.timeout = httpDefaultTimeout
	if timeoutMs > 0 {
		h.timeout = time.Duration(min(timeoutMs, httpMaxTimeoutMs)) * time.Millisecond
	}
	h.retries = httpDefaultRetries
	if retries != nil {
		h.retries = max(0, min(*retries, httpMaxRetries))
	}
}

// httpSyntaxDetail shortens goja's syntax error to its position and reason.
func httpSyntaxDetail(err error) string {
	msg := cleanScriptError(err.Error())
	msg = strings.TrimPrefix(msg, "SyntaxError: ")
	if _, rest, ok := strings.Cut(msg, "condition: "); ok {
		msg = rest
	}
	if i := strings.Index(msg, " (and "); i > 0 && strings.HasSuffix(msg, "errors)") {
		msg = msg[:i]
	}
	return msg
}

// httpRawText reads a config value that is normally text; other JSON is kept as its compact text.
func httpRawText(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return ""
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return s
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return string(raw)
	}
	return buf.String()
}

func httpDecodeSampleHeaders(raw json.RawMessage, into http.Header) error {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return nil
	}
	var obj map[string]string
	if err := json.Unmarshal(raw, &obj); err == nil {
		for k, v := range obj {
			into.Add(k, v)
		}
		return nil
	}
	var rows []httpRow
	if err := json.Unmarshal(raw, &rows); err != nil {
		return err
	}
	for _, r := range rows {
		if strings.TrimSpace(r.Key) != "" {
			into.Add(strings.TrimSpace(r.Key), r.Value)
		}
	}
	return nil
}

// Run sends the request, or in a preview continues with the sample answer instead, and records
// the exchange in the trace.
func (h *httpStep) Run(ctx context.Context, sc *StepContext) (any, error) {
	p, err := h.prepare(sc)
	if err != nil {
		return nil, err
	}
	return h.deliver(ctx, sc, p)
}

// deliver sends a prepared request with the step's retries and success rule, or in a preview
// continues with the sample (or the service's example) answer, and records the exchange. Kinds
// that talk to one service's API (google_sheets) build their request and deliver it here.
func (h *httpStep) deliver(ctx context.Context, sc *StepContext, p *httpPrepared) (any, error) {
	x := &HTTPExchange{Sent: !sc.Preview(), Request: HTTPRequest{
		Method:  p.method,
		URL:     p.url,
		Headers: append([]KeyVal(nil), p.headers...),
		Body:    httpTraceText([]byte(p.body)),
	}}
	sc.RecordHTTP(x)

	var res *httpResult
	exampleOf := "" // the service whose example answer a preview continues with
	if sc.Preview() {
		var own, example bool
		var service string
		res, own, service, example = h.previewAnswer(p)
		if example {
			exampleOf = service
		}
		switch {
		case own:
			sc.Log("log.http.preview_sample", Params{"host": p.host, "status": strconv.Itoa(res.status)})
		case example:
			sc.Log("log.http.preview_example", Params{"host": p.host, "service": service, "status": strconv.Itoa(res.status)})
		default:
			// Nothing to show as an answer: the empty one the preview continues with is made up.
			sc.Log("log.http.preview_none", Params{"host": p.host})
			out, err := h.finish(ctx, sc, p, res)
			if pr := (*Problem)(nil); errors.As(err, &pr) && pr.Code == CodeRunCanceled {
				return nil, err
			} else if err != nil {
				// The made-up answer cannot show whether the target would accept the request.
				pr := problemAt(&sc.Node, "sample_response", CodeHTTPPreviewNoAnswer, Params{"service": service})
				return nil, &pr
			}
			return out, nil
		}
	} else {
		var err error
		if res, err = h.send(ctx, sc, p, x); err != nil {
			return nil, err
		}
	}
	x.Response = httpTraceResponse(res)
	out, err := h.finish(ctx, sc, p, res)
	if sc.Preview() {
		err = previewFailure(sc, err, exampleOf)
	}
	return out, err
}

// httpTraceResponse is a response as the trace shows it.
func httpTraceResponse(res *httpResult) *HTTPResponse {
	r := &HTTPResponse{Status: res.status, Body: httpTraceText(res.body)}
	if len(res.headers) > 0 {
		r.Headers = map[string]string{}
		for k, v := range res.headers {
			if len(v) > 0 {
				r.Headers[http.CanonicalHeaderKey(k)] = v[0]
			}
		}
	}
	return r
}

// httpTraceText is a body as the trace shows it: at most httpTraceBodyBytes.
func httpTraceText(b []byte) string {
	if len(b) <= httpTraceBodyBytes {
		return string(b)
	}
	return string(httpCutUTF8(b, httpTraceBodyBytes)) + fmt.Sprintf("\n… (cut here in the log: %d bytes in total)", len(b))
}

// httpCutUTF8 cuts b to at most n bytes without splitting a character.
func httpCutUTF8(b []byte, n int) []byte {
	if len(b) <= n {
		return b
	}
	cut := n
	for cut > 0 && cut > n-utf8.UTFMax && !utf8.RuneStart(b[cut]) {
		cut--
	}
	return b[:cut]
}

// httpSize and httpDuration word a size and a pause in log lines and messages.
func httpSize(n int) string {
	if n%(1<<20) == 0 {
		return fmt.Sprintf("%d MB", n>>20)
	}
	return fmt.Sprintf("%d KB", n>>10)
}

func httpDuration(d time.Duration) string {
	if d < time.Second {
		return fmt.Sprintf("%d ms", d.Milliseconds())
	}
	return strconv.FormatFloat(math.Round(d.Seconds()*10)/10, 'f', -1, 64) + " s"
}
