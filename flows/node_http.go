package flows

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"net/url"
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
	StatusMin int    `json:"status_min"`
	StatusMax int    `json:"status_max"`
	Condition string `json:"condition"`
	ErrorPath string `json:"error_path"`
}

type httpSample struct {
	Status  int             `json:"status"`
	Headers json.RawMessage `json:"headers"` // {"Name": "value"} or [{"key": …, "value": …}]
	Body    json.RawMessage `json:"body"`    // text; a JSON object/list is taken as its text
}

func init() {
	Register(KindSpec[httpConfig]{
		Name:  "http",
		Title: Text{"HTTP request", "HTTP-запрос"},
		Help: Text{
			"Sends data to another service's address (API). Retries while the service is down and checks that it accepted the data.",
			"Отправляет данные по адресу другого сервиса (API). Повторяет попытки, пока сервис недоступен, и проверяет, что он принял данные.",
		},
		Fields: httpFields(),
		Build:  buildHTTP,
	})
}

func httpFields() []Field {
	keyVal := func(what, whatRu string, secret bool) []Field {
		f := []Field{
			{Key: "key", Type: FieldString, Label: Text{"Name", "Название"}, Required: true, Template: true,
				Help: Text{"Name of the " + what, "Название " + whatRu}},
			{Key: "value", Type: FieldString, Label: Text{"Value", "Значение"}, Template: true,
				Help: Text{"Text or a reference such as {{trigger.params.phone}}", "Текст или подстановка, например {{trigger.params.phone}}"}},
		}
		if secret {
			f = append(f, Field{Key: "secret", Type: FieldBool, Label: Text{"Secret", "Секретный"},
				Help: Text{"Hide the value in logs and history (API keys, tokens)", "Скрывать значение в журнале и истории (ключи API, токены)"}})
		}
		return f
	}
	return []Field{
		{Key: "method", Type: FieldSelect, Label: Text{"Method", "Метод"}, Options: httpMethods, Default: "GET",
			Help: Text{"How to call the address: GET reads, POST sends data (most APIs for orders and leads want POST)",
				"Как обращаться по адресу: GET — получить, POST — отправить данные (API заказов и заявок обычно ждут POST)"}},
		{Key: "url", Type: FieldString, Label: Text{"URL", "Адрес (URL)"}, Required: true, Template: true,
			Help: Text{"The address to call, starting with https:// or http://; may contain references such as {{inputs.api_key}}",
				"Адрес запроса, начинается с https:// или http://; может содержать подстановки, например {{inputs.api_key}}"}},
		{Key: "query", Type: FieldList, Label: Text{"URL parameters", "Параметры URL"},
			Help: Text{"Added to the address as ?name=value&…, in this order and encoded for you",
				"Добавляются к адресу как ?название=значение&… в этом порядке; кодирование выполняется автоматически"},
			Fields: keyVal("the parameter", "параметра", false)},
		{Key: "headers", Type: FieldList, Label: Text{"Headers", "Заголовки"},
			Help: Text{"HTTP headers such as Authorization; a Content-Type set here replaces the automatic one",
				"HTTP-заголовки, например Authorization; указанный здесь Content-Type заменяет автоматический"},
			Fields: keyVal("the header", "заголовка", true)},
		{Key: "body_type", Type: FieldSelect, Label: Text{"Body", "Тело запроса"}, Options: []string{httpBodyText, httpBodyJSON, httpBodyPrevious}, Default: httpBodyText,
			Help: Text{"text: the body below as written; json: the body below must be JSON; previous: the result of the previous step (a form from “Form” is sent as a form). GET and HEAD send no body.",
				"text — тело ниже как есть; json — тело ниже должно быть JSON; previous — результат предыдущего шага (форма из шага «Форма» отправляется как форма). GET и HEAD тело не отправляют."}},
		{Key: "body", Type: FieldCode, Label: Text{"Body text", "Текст тела"}, Template: true,
			Help: Text{"What to send; for JSON put text values in with | json, e.g. {\"name\": {{trigger.params.name | json}}}",
				"Что отправить; в JSON вставляйте текст через | json, например {\"name\": {{trigger.params.name | json}}}"}},
		{Key: "timeout_ms", Type: FieldNumber, Label: Text{"Timeout, ms", "Время ожидания, мс"}, Default: 10000, Min: bound(0), Max: bound(httpMaxTimeoutMs),
			Help: Text{"How long to wait for the answer of one attempt (10000 = 10 seconds)", "Сколько ждать ответа на одну попытку (10000 = 10 секунд)"}},
		{Key: "retries", Type: FieldNumber, Label: Text{"Retries", "Повторы"}, Default: httpDefaultRetries, Min: bound(0), Max: bound(httpMaxRetries),
			Help: Text{"How many times to try again when the service is unreachable, too slow, busy (429) or broken (5xx); 0 = never",
				"Сколько раз повторить, если сервис недоступен, не ответил вовремя, перегружен (429) или сломан (5xx); 0 — не повторять"}},
		{Key: "retry_delay_ms", Type: FieldNumber, Label: Text{"First pause, ms", "Первая пауза, мс"}, Default: 500, Min: bound(0), Max: bound(float64(httpMaxDelay.Milliseconds())),
			Help: Text{"Pause before the first retry; each next pause is up to twice as long (at most 30 s). A Retry-After from the service is obeyed.",
				"Пауза перед первым повтором; каждая следующая — до двух раз длиннее (не больше 30 с). Retry-After от сервиса соблюдается."}},
		{Key: "success", Type: FieldObject, Label: Text{"Success rule", "Условие успеха"},
			Help: Text{"When the service's answer counts as accepted", "Когда ответ сервиса считается успешным"},
			Fields: []Field{
				{Key: "status_min", Type: FieldNumber, Label: Text{"Lowest status", "Минимальный статус"}, Default: 200, Min: bound(100), Max: bound(599),
					Help: Text{"Lowest HTTP status that is a success", "Наименьший HTTP-статус, который считается успехом"}},
				{Key: "status_max", Type: FieldNumber, Label: Text{"Highest status", "Максимальный статус"}, Default: 299, Min: bound(100), Max: bound(599),
					Help: Text{"Highest HTTP status that is a success", "Наибольший HTTP-статус, который считается успехом"}},
				{Key: "condition", Type: FieldCode, Label: Text{"Condition", "Условие"},
					Help: Text{`Optional JavaScript check of the JSON answer, by field names: status == "success", code == "ok", success == true && result.success == true, !error. The whole answer is response (response.status, response.body, response.json).`,
						`Необязательная проверка JSON-ответа на JavaScript по названиям полей: status == "success", code == "ok", success == true && result.success == true, !error. Весь ответ — response (response.status, response.body, response.json).`}},
				{Key: "error_path", Type: FieldString, Label: Text{"Error text field", "Поле с текстом ошибки"},
					Help: Text{"Where the answer puts its error text, e.g. msg or result.error_message; when empty, the usual places are tried",
						"Где в ответе текст ошибки, например msg или result.error_message; если пусто, проверяются обычные места"}},
			}},
		{Key: "sample_response", Type: FieldObject, Label: Text{"Sample answer", "Пример ответа"},
			Help: Text{"Used instead of a real answer when testing in the editor, where nothing is sent",
				"Используется вместо настоящего ответа при проверке в редакторе, где запрос не отправляется"},
			Fields: []Field{
				{Key: "status", Type: FieldNumber, Label: Text{"Status", "Статус"}, Default: 200, Min: bound(100), Max: bound(599),
					Help: Text{"HTTP status of the sample", "HTTP-статус примера"}},
				{Key: "headers", Type: FieldList, Label: Text{"Headers", "Заголовки"},
					Help: Text{"Headers of the sample", "Заголовки примера"},
					Fields: []Field{
						{Key: "key", Type: FieldString, Label: Text{"Name", "Название"}, Required: true,
							Help: Text{"Header name, e.g. Content-Type", "Название заголовка, например Content-Type"}},
						{Key: "value", Type: FieldString, Label: Text{"Value", "Значение"},
							Help: Text{"Header value, e.g. application/json", "Значение заголовка, например application/json"}},
					}},
				{Key: "body", Type: FieldCode, Label: Text{"Body", "Тело"},
					Help: Text{"Text of the sample answer, often JSON", "Текст примера ответа, обычно JSON"}},
			}},
	}
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
			if _, ok := httpParseURL(src); !ok {
				b.Problem("url", CodeURLInvalid, Params{"url": src})
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

	h.timeout = httpDefaultTimeout
	if cfg.TimeoutMs > 0 {
		h.timeout = time.Duration(min(cfg.TimeoutMs, httpMaxTimeoutMs)) * time.Millisecond
	}
	h.retries = httpDefaultRetries
	if cfg.Retries != nil {
		h.retries = max(0, min(*cfg.Retries, httpMaxRetries))
	}
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

// httpParseURL accepts absolute http(s) URLs with a host.
func httpParseURL(s string) (*url.URL, bool) {
	u, err := url.Parse(s)
	if err != nil {
		return nil, false
	}
	scheme := strings.ToLower(u.Scheme)
	if (scheme != "http" && scheme != "https") || u.Hostname() == "" {
		return nil, false
	}
	u.Scheme = scheme
	return u, true
}

// httpValidHeaderName reports whether s is an HTTP token (RFC 9110).
func httpValidHeaderName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// httpEscapeQuery percent-encodes what may not appear raw in a query (spaces, non-ASCII,
// quotes, stray %), leaving valid escapes and separators as they are.
func httpEscapeQuery(q string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case c == '%' && i+2 < len(q) && httpIsHex(q[i+1]) && httpIsHex(q[i+2]):
			b.WriteByte(c)
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9',
			strings.IndexByte("-._~!$&'()*+,;=:@/?", c) >= 0:
			b.WriteByte(c)
		default:
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		}
	}
	return b.String()
}

func httpIsHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// httpPrepared is the request as it goes out.
type httpPrepared struct {
	method  string
	url     string
	host    string
	headers []KeyVal
	body    string
}

func (h *httpStep) Run(ctx context.Context, sc *StepContext) (any, error) {
	p, err := h.prepare(sc)
	if err != nil {
		return nil, err
	}
	x := &HTTPExchange{Sent: !sc.Preview(), Request: HTTPRequest{
		Method:  p.method,
		URL:     p.url,
		Headers: append([]KeyVal(nil), p.headers...),
		Body:    httpTraceText([]byte(p.body)),
	}}
	sc.RecordHTTP(x)

	var res *httpResult
	if sc.Preview() {
		res = &h.sample
		what := "an empty answer"
		if h.sampleSet && len(h.sample.body) > 0 {
			what = "the sample answer"
		}
		sc.Logf("not sent: this is a preview, so nothing went to %s; continuing with %s (HTTP %d)", p.host, what, res.status)
	} else {
		if res, err = h.send(ctx, sc, p, x); err != nil {
			return nil, err
		}
	}
	x.Response = httpTraceResponse(res)
	return h.finish(ctx, sc, p, res)
}

// prepare renders the request: URL with query, headers in order with the defaults, body.
func (h *httpStep) prepare(sc *StepContext) (*httpPrepared, error) {
	raw := strings.TrimSpace(sc.Render(h.url))
	u, ok := httpParseURL(raw)
	if !ok {
		return nil, sc.Fail(CodeURLInvalid, Params{"url": raw})
	}
	u.RawQuery = httpEscapeQuery(u.RawQuery)
	var parts []string
	if u.RawQuery != "" {
		parts = append(parts, u.RawQuery)
	}
	for i, row := range h.query {
		k := sc.Render(row.key)
		if strings.TrimSpace(k) == "" {
			sc.Logf("URL parameter %d has an empty name and is left out", i+1)
			continue
		}
		parts = append(parts, url.QueryEscape(k)+"="+url.QueryEscape(sc.Render(row.value)))
	}
	u.RawQuery = strings.Join(parts, "&")
	u.ForceQuery = false
	u.Fragment, u.RawFragment = "", ""
	p := &httpPrepared{method: h.method, url: u.String(), host: u.Host}

	hasCT, hasUA := false, false
	for i, row := range h.headers {
		name := strings.TrimSpace(sc.Render(row.key))
		value := strings.TrimSpace(sc.Render(row.value))
		if name == "" {
			sc.Logf("header %d has an empty name and is left out", i+1)
			continue
		}
		if !httpValidHeaderName(name) {
			return nil, sc.Fail(CodeHTTPBadRequest, Params{"detail": fmt.Sprintf("'%s' is not a valid header name", name)})
		}
		if strings.ContainsAny(value, "\r\n\x00") {
			return nil, sc.Fail(CodeHTTPBadRequest, Params{"detail": fmt.Sprintf("the header '%s' contains a line break", name)})
		}
		if row.secret {
			sc.Secret(value)
		}
		name = http.CanonicalHeaderKey(name)
		hasCT = hasCT || name == "Content-Type"
		hasUA = hasUA || name == "User-Agent"
		p.headers = append(p.headers, KeyVal{Key: name, Value: value, Secret: row.secret})
	}

	body, ctype, err := h.renderBody(sc)
	if err != nil {
		return nil, err
	}
	if body != "" && (h.method == "GET" || h.method == "HEAD") {
		sc.Logf("a %s request carries no body, so the body is not sent", h.method)
		body = ""
	}
	p.body = body
	if body != "" && !hasCT && ctype != "" {
		p.headers = append(p.headers, KeyVal{Key: "Content-Type", Value: ctype})
	}
	if !hasUA {
		p.headers = append(p.headers, KeyVal{Key: "User-Agent", Value: httpUserAgent})
	}
	return p, nil
}

// renderBody returns the body and the Content-Type it gets when no header sets one.
func (h *httpStep) renderBody(sc *StepContext) (string, string, error) {
	switch h.bodyType {
	case httpBodyJSON:
		v := sc.Value(h.body)
		switch v.(type) {
		case map[string]any, []any:
			text, err := httpMarshal(v)
			if err != nil {
				return "", "", sc.Fail(CodeHTTPBodyNotJSON, Params{"detail": err.Error()})
			}
			return text, "application/json", nil
		}
		text := Stringify(v)
		if strings.TrimSpace(text) == "" {
			return "", "", nil
		}
		if _, err := decodeJSON([]byte(text)); err != nil {
			return "", "", sc.Fail(CodeHTTPBodyNotJSON, Params{"detail": err.Error()})
		}
		return text, "application/json", nil
	case httpBodyPrevious:
		switch x := sc.Input.(type) {
		case nil:
			return "", "", nil
		case map[string]any:
			if s, ok := x["body"].(string); ok {
				return s, "application/x-www-form-urlencoded", nil
			}
		case string:
			return x, httpGuessType(x), nil
		}
		text, err := httpMarshal(sc.Input)
		if err != nil {
			return "", "", sc.Fail(CodeHTTPBadRequest, Params{"detail": err.Error()})
		}
		return text, "application/json", nil
	default:
		text := sc.Render(h.body)
		return text, httpGuessType(text), nil
	}
}

func httpMarshal(v any) (string, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return "", err
	}
	return strings.TrimSuffix(buf.String(), "\n"), nil
}

// httpGuessType types a text body that has no Content-Type header.
func httpGuessType(s string) string {
	t := strings.TrimSpace(s)
	if t == "" {
		return ""
	}
	if (t[0] == '{' || t[0] == '[') && json.Valid([]byte(t)) {
		return "application/json"
	}
	if httpLooksLikeForm(t) {
		return "application/x-www-form-urlencoded"
	}
	return "text/plain; charset=utf-8"
}

// httpLooksLikeForm reports whether s is key=value pairs joined by & with nothing unencoded.
func httpLooksLikeForm(s string) bool {
	for _, pair := range strings.Split(s, "&") {
		k, _, ok := strings.Cut(pair, "=")
		if !ok || k == "" || strings.ContainsAny(pair, " \t\r\n\"<>{}") {
			return false
		}
	}
	_, err := url.ParseQuery(s)
	return err == nil
}

// send makes the attempts: retries on network errors, timeouts, 5xx and 429 with backoff.
func (h *httpStep) send(ctx context.Context, sc *StepContext, p *httpPrepared, x *HTTPExchange) (*httpResult, error) {
	attempts := 1 + h.retries
	for i := 0; i < attempts; i++ {
		start := sc.Env.Now()
		res, err := h.attempt(ctx, sc, p)
		a := HTTPAttempt{DurationMs: elapsed(sc.Env, start)}
		last := i == attempts-1
		var failure error
		tag := fmt.Sprintf("attempt %d of %d", i+1, attempts)
		if attempts == 1 {
			tag = "the request"
		}

		var ae *httpAttemptError
		switch {
		case errors.As(err, &ae) && ae.kind == httpErrCanceled:
			a.Error = "stopped"
			x.Attempts = append(x.Attempts, a)
			return nil, sc.Fail(CodeRunCanceled, nil)
		case errors.As(err, &ae) && ae.kind == httpErrTooLarge:
			a.Status = res.status
			x.Attempts = append(x.Attempts, a)
			x.Response = httpTraceResponse(res)
			sc.Logf("%s %s → HTTP %d, but the answer is larger than %s", p.method, p.url, res.status, httpSize(MaxResponseBytes))
			return nil, sc.Fail(CodeHTTPTooLarge, Params{"host": p.host, "limit": httpSize(MaxResponseBytes)})
		case errors.As(err, &ae) && ae.kind == httpErrTimeout:
			secs := strconv.FormatFloat(h.timeout.Seconds(), 'f', -1, 64)
			a.Error = "no answer within " + secs + " s"
			failure = sc.Fail(CodeHTTPTimeout, Params{"host": p.host, "seconds": secs})
			sc.Logf("%s: %s did not answer within %s s", tag, p.host, secs)
		case errors.As(err, &ae) && ae.kind == httpErrBuild:
			a.Error = ae.err.Error()
			x.Attempts = append(x.Attempts, a)
			return nil, sc.Fail(CodeHTTPBadRequest, Params{"detail": ae.err.Error()})
		case err != nil:
			detail := httpNetDetail(err)
			a.Error = detail
			failure = sc.Fail(CodeHTTPNetwork, Params{"host": p.host, "detail": detail})
			sc.Logf("%s: could not reach %s: %s", tag, p.host, detail)
		default:
			a.Status = res.status
			if attempts > 1 {
				sc.Logf("%s: %s %s → HTTP %d in %d ms", tag, p.method, p.url, res.status, a.DurationMs)
			} else {
				sc.Logf("%s %s → HTTP %d in %d ms", p.method, p.url, res.status, a.DurationMs)
			}
			if h.inRange(res.status) || (res.status < 500 && res.status != http.StatusTooManyRequests) {
				x.Attempts = append(x.Attempts, a)
				return res, nil
			}
			x.Response = httpTraceResponse(res)
			failure = h.statusError(sc, p, res)
		}

		if last {
			x.Attempts = append(x.Attempts, a)
			if attempts > 1 {
				sc.Logf("gave up after %d attempts", attempts)
			}
			return nil, failure
		}
		wait, asked := h.backoff(i), false
		if res != nil && (res.status == http.StatusTooManyRequests || res.status == http.StatusServiceUnavailable) {
			if d, ok := httpRetryAfter(res.headers.Get("Retry-After"), sc.Env.Now()); ok {
				if d > httpMaxRetryAfter {
					x.Attempts = append(x.Attempts, a)
					secs := strconv.FormatInt(int64(math.Ceil(d.Seconds())), 10)
					sc.Logf("%s asked to wait %s s before trying again, longer than %d s", p.host, secs, int(httpMaxRetryAfter.Seconds()))
					return nil, sc.Fail(CodeHTTPRetryAfter, Params{"host": p.host, "seconds": secs})
				}
				wait, asked = d, true
			}
		}
		a.WaitMs = wait.Milliseconds()
		x.Attempts = append(x.Attempts, a)
		if asked {
			sc.Logf("trying again in %s, as %s asked (Retry-After)", httpDuration(wait), p.host)
		} else {
			sc.Logf("trying again in %s", httpDuration(wait))
		}
		if err := sc.Env.Sleep(ctx, wait); err != nil {
			return nil, sc.Fail(CodeRunCanceled, nil)
		}
	}
	return nil, sc.Fail(CodeRunCanceled, nil) // not reached: the last attempt returns
}

// backoff is the pause after attempt i (0-based): full jitter over an exponential ceiling.
func (h *httpStep) backoff(i int) time.Duration {
	if h.delay <= 0 {
		return 0
	}
	ceiling := httpMaxDelay
	if i < 20 {
		ceiling = min(h.delay<<i, httpMaxDelay)
	}
	return time.Duration(rand.Int64N(int64(ceiling) + 1))
}

// httpRetryAfter reads Retry-After as seconds or as an HTTP date.
func httpRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n < 0 {
			return 0, false
		}
		if n > 1<<31 {
			n = 1 << 31
		}
		return time.Duration(n) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	return max(t.Sub(now), 0), true
}

type httpErrKind int

const (
	httpErrNetwork httpErrKind = iota
	httpErrTimeout
	httpErrCanceled
	httpErrTooLarge
	httpErrBuild
)

type httpAttemptError struct {
	kind httpErrKind
	err  error
}

func (e *httpAttemptError) Error() string { return e.err.Error() }
func (e *httpAttemptError) Unwrap() error { return e.err }

// attempt sends the request once and reads the answer within the timeout.
func (h *httpStep) attempt(ctx context.Context, sc *StepContext, p *httpPrepared) (*httpResult, error) {
	actx, cancel := context.WithTimeout(ctx, h.timeout)
	defer cancel()
	var body io.Reader
	if p.body != "" {
		body = strings.NewReader(p.body)
	}
	req, err := http.NewRequestWithContext(actx, p.method, p.url, body)
	if err != nil {
		return nil, &httpAttemptError{kind: httpErrBuild, err: err}
	}
	for _, kv := range p.headers {
		if kv.Key == "Host" {
			req.Host = kv.Value
			continue
		}
		req.Header.Add(kv.Key, kv.Value)
	}
	classify := func(err error) error {
		switch {
		case ctx.Err() != nil:
			return &httpAttemptError{kind: httpErrCanceled, err: err}
		case errors.Is(actx.Err(), context.DeadlineExceeded) || errors.Is(err, context.DeadlineExceeded) || httpIsTimeout(err):
			return &httpAttemptError{kind: httpErrTimeout, err: err}
		}
		return &httpAttemptError{kind: httpErrNetwork, err: err}
	}
	resp, err := sc.Env.HTTPClient().Do(req)
	if err != nil {
		return nil, classify(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, MaxResponseBytes+1))
	if err != nil {
		return nil, classify(err)
	}
	res := &httpResult{status: resp.StatusCode, headers: resp.Header, body: data}
	if res.headers == nil {
		res.headers = http.Header{}
	}
	if len(data) > MaxResponseBytes {
		res.body = data[:MaxResponseBytes]
		return res, &httpAttemptError{kind: httpErrTooLarge, err: errors.New("response too large")}
	}
	return res, nil
}

func httpIsTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}

// httpNetDetail says in plain words why a request did not get through.
func httpNetDetail(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	msg := err.Error()
	low := strings.ToLower(msg)
	switch {
	case strings.Contains(low, "connection refused"):
		return "the connection was refused (nothing answers at that address)"
	case strings.Contains(low, "no such host"):
		return "the server name is unknown (check the address)"
	case strings.Contains(low, "connection reset"):
		return "the connection was dropped by the server"
	case strings.Contains(low, "eof"):
		return "the server closed the connection without answering"
	case strings.Contains(low, "certificate") || strings.Contains(low, "tls"):
		return "the secure connection failed: " + msg
	}
	return msg
}

// finish checks the success rule and builds the output.
func (h *httpStep) finish(ctx context.Context, sc *StepContext, p *httpPrepared, res *httpResult) (any, error) {
	headers := map[string]any{}
	for k, v := range res.headers {
		if len(v) > 0 {
			headers[http.CanonicalHeaderKey(k)] = v[0]
		}
	}
	out := map[string]any{
		"status":  json.Number(strconv.Itoa(res.status)),
		"headers": headers,
		"body":    string(res.body),
	}
	parsed, isJSON := httpParseJSON(res)
	if isJSON {
		out["json"] = parsed
	}
	if !h.inRange(res.status) {
		return nil, h.statusError(sc, p, res)
	}
	if h.cond == nil {
		return out, nil
	}

	arg := map[string]any{}
	if obj, ok := parsed.(map[string]any); ok {
		for k, v := range obj {
			arg[k] = v
		}
	}
	response := map[string]any{"status": out["status"], "headers": headers, "body": out["body"]}
	if len(res.body) > httpConditionBodyMax {
		response["body"] = string(httpCutUTF8(res.body, httpConditionBodyMax))
	}
	if isJSON {
		response["json"] = parsed
	}
	arg["response"] = response
	v, logs, err := h.cond.run(ctx, arg, DefaultScriptTimeout)
	for _, l := range logs {
		sc.Logf("success rule: %s", l)
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil, sc.Fail(CodeRunCanceled, nil)
		}
		detail := err.Error()
		if errors.Is(err, errScriptTimeout) {
			detail = fmt.Sprintf("it ran longer than %s", httpDuration(DefaultScriptTimeout))
		}
		return nil, sc.Fail(CodeHTTPCondition, Params{"condition": h.condSrc, "detail": detail})
	}
	if truthy(v) {
		return out, nil
	}
	sc.Logf("the answer does not meet the success rule %s", h.condSrc)
	reply := h.reply(parsed, isJSON, res)
	if reply == "" {
		return nil, sc.Fail(CodeHTTPRejectedEmpty, Params{"host": p.host, "status": strconv.Itoa(res.status), "condition": h.condSrc})
	}
	return nil, sc.Fail(CodeHTTPRejected, Params{"host": p.host, "reply": reply})
}

func (h *httpStep) inRange(status int) bool { return status >= h.statusMin && status <= h.statusMax }

// statusError is the failure for a status outside the success range, quoting the answer.
func (h *httpStep) statusError(sc *StepContext, p *httpPrepared, res *httpResult) error {
	parsed, isJSON := httpParseJSON(res)
	reply := h.reply(parsed, isJSON, res)
	if reply != "" {
		reply = " — «" + reply + "»"
	}
	return sc.Fail(CodeHTTPStatus, Params{"host": p.host, "status": strconv.Itoa(res.status), "reply": reply})
}

// httpErrorPaths are where services usually put their error text, tried in order.
var httpErrorPaths = func() []Path {
	var out []Path
	for _, s := range []string{"error_message", "result.error_message", "error.message", "error", "message", "msg", "errors"} {
		p, err := ParsePath(s)
		if err != nil {
			panic(err)
		}
		out = append(out, p)
	}
	return out
}()

// reply finds the target's own words: the configured error path, the usual places, or a short
// excerpt of the body.
func (h *httpStep) reply(parsed any, isJSON bool, res *httpResult) string {
	if isJSON {
		if h.errorPath != nil {
			if v, _, ok := h.errorPath.Lookup(parsed); ok {
				if s := httpReplyText(v, true); s != "" {
					return httpExcerpt(s)
				}
			}
		}
		for _, p := range httpErrorPaths {
			if v, _, ok := p.Lookup(parsed); ok {
				if s := httpReplyText(v, false); s != "" {
					return httpExcerpt(s)
				}
			}
		}
	}
	body := strings.TrimSpace(string(res.body))
	if body == "" {
		return ""
	}
	if httpLooksLikeHTML(body) {
		body = httpHTMLText(body)
	}
	return httpExcerpt(body)
}

// httpReplyText turns a found error value into text. Outside an explicit path, flags and numbers
// ("error": true, "error": 0) are not messages.
func httpReplyText(v any, explicit bool) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return strings.TrimSpace(x)
	case bool, json.Number:
		if explicit {
			return Stringify(x)
		}
		return ""
	case []any:
		if len(x) == 0 {
			return ""
		}
		parts := make([]string, 0, len(x))
		for _, item := range x {
			s, ok := item.(string)
			if !ok {
				return Stringify(x)
			}
			parts = append(parts, s)
		}
		return strings.Join(parts, "; ")
	case map[string]any:
		if len(x) == 0 {
			return ""
		}
	}
	return Stringify(v)
}

func httpLooksLikeHTML(s string) bool {
	head := strings.ToLower(s[:min(len(s), 512)])
	return strings.HasPrefix(head, "<!doctype html") || strings.Contains(head, "<html")
}

// httpHTMLText gives an error page's title, or its text without tags.
func httpHTMLText(s string) string {
	low := strings.ToLower(s)
	if i := strings.Index(low, "<title>"); i >= 0 {
		if j := strings.Index(low[i:], "</title>"); j > 0 {
			if t := strings.TrimSpace(html.UnescapeString(s[i+7 : i+j])); t != "" {
				return t
			}
		}
	}
	var b strings.Builder
	in := false
	for _, r := range s {
		switch {
		case r == '<':
			in = true
			b.WriteByte(' ')
		case r == '>':
			in = false
		case !in:
			b.WriteRune(r)
		}
	}
	return html.UnescapeString(b.String())
}

// httpExcerpt collapses whitespace and keeps the first httpReplyExcerpt characters.
func httpExcerpt(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= httpReplyExcerpt {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:httpReplyExcerpt])) + "…"
}

// httpParseJSON parses a JSON answer, keeping numbers exact.
func httpParseJSON(res *httpResult) (any, bool) {
	body := bytes.TrimSpace(bytes.TrimPrefix(res.body, []byte("\xef\xbb\xbf")))
	if len(body) == 0 {
		return nil, false
	}
	ctype := strings.ToLower(res.headers.Get("Content-Type"))
	if body[0] != '{' && body[0] != '[' && !strings.Contains(ctype, "json") {
		return nil, false
	}
	v, err := decodeJSON(body)
	if err != nil {
		return nil, false
	}
	return v, true
}

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
