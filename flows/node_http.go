package flows

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
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
			OptionLabels: map[string]Text{
				httpBodyText:     {"Text below, as written", "Текст ниже, как есть"},
				httpBodyJSON:     {"JSON below", "JSON ниже"},
				httpBodyPrevious: {"Result of the previous step", "Результат предыдущего шага"},
			},
			Help: Text{"The result of the previous step: a form from “Form” is sent as a form. GET and HEAD send no body.",
				"Результат предыдущего шага: форма из шага «Форма» отправляется как форма. GET и HEAD тело не отправляют."}},
		{Key: "body", Type: FieldCode, Label: Text{"Body text", "Текст тела"}, Template: true,
			Help: Text{"What to send; for JSON put text values in with | json, e.g. {\"name\": {{trigger.params.name | json}}}",
				"Что отправить; в JSON вставляйте текст через «| json», например «{\"name\": {{trigger.params.name | json}}}»"}},
		{Key: "timeout_ms", Type: FieldNumber, Label: Text{"Timeout, ms", "Время ожидания, мс"}, Default: 10000, Min: bound(0), Max: bound(httpMaxTimeoutMs),
			Help: Text{"How long to wait for the answer of one attempt (10000 = 10 seconds)", "Сколько ждать ответа на одну попытку (10000 = 10 секунд)"}},
		{Key: "retries", Type: FieldNumber, Label: Text{"Retries", "Повторы"}, Default: httpDefaultRetries, Min: bound(0), Max: bound(httpMaxRetries),
			Help: Text{"How many times to try again when the service is unreachable, too slow, busy (429) or broken (5xx); 0 = never",
				"Сколько раз повторить, если сервис недоступен, не ответил вовремя, перегружен (код 429) или сломан (коды 500–599); 0 — не повторять"}},
		{Key: "retry_delay_ms", Type: FieldNumber, Label: Text{"First pause, ms", "Первая пауза, мс"}, Default: 500, Min: bound(0), Max: bound(float64(httpMaxDelay.Milliseconds())),
			Help: Text{"Pause before the first retry; each next pause is up to twice as long (at most 30 s). A Retry-After from the service is obeyed.",
				"Пауза перед первым повтором; каждая следующая — до двух раз длиннее (не больше 30 с). Заголовок «Retry-After» от сервиса соблюдается."}},
		{Key: "success", Type: FieldObject, Label: Text{"Success rule", "Условие успеха"},
			Help: Text{"When the service's answer counts as accepted", "Когда ответ сервиса считается успешным"},
			Fields: []Field{
				{Key: "status_min", Type: FieldNumber, Label: Text{"Lowest status", "Минимальный статус"}, Default: 200, Min: bound(100), Max: bound(599),
					Help: Text{"Lowest HTTP status that is a success", "Наименьший HTTP-статус, который считается успехом"}},
				{Key: "status_max", Type: FieldNumber, Label: Text{"Highest status", "Максимальный статус"}, Default: 299, Min: bound(100), Max: bound(599),
					Help: Text{"Highest HTTP status that is a success", "Наибольший HTTP-статус, который считается успехом"}},
				{Key: "match", Type: FieldSelect, Label: Text{"Success when", "Успех, если"}, Options: ruleMatches, Default: "all",
					Help: Text{"all: every rule must hold; any: one rule is enough", "выполняются все правила или хотя бы одно"}},
				{Key: "rules", Type: FieldRules, Label: Text{"Rules of success", "Правила успеха"}, Match: "match", Expression: "condition",
					Help: Text{"Rules about fields of the answer, e.g. status equals success; text checks ignore letter case and spaces at the ends",
						"Правила о полях ответа сервиса: поле, проверка и значение; текстовые проверки не различают заглавные и строчные буквы и пробелы по краям"},
					Options: ruleOps, Fields: ruleFields(false)},
				{Key: "condition", Type: FieldCode, Label: Text{"Condition", "Условие"},
					Help: Text{`Instead of rules, a JavaScript check of the JSON answer by field names: status == "success", code == "ok", success == true && result.success == true, !error. The whole answer is response (response.status, response.body, response.json).`,
						`Вместо правил — проверка JSON-ответа на JavaScript по названиям полей: «status == "success"», «code == "ok"», «success == true && result.success == true», «!error». Весь ответ — «response» («response.status», «response.body», «response.json»).`}},
				{Key: "error_path", Type: FieldString, Label: Text{"Error text field", "Поле с текстом ошибки"},
					Help: Text{"Where the answer puts its error text, e.g. msg or result.error_message; when empty, the usual places are tried",
						"Где в ответе текст ошибки, например «msg» или «result.error_message»; если пусто, проверяются обычные места"}},
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
			sc.Logf("not sent: this is a preview, so nothing went to %s; continuing with the sample answer (HTTP %d)", p.host, res.status)
		case example:
			sc.Logf("not sent: this is a preview, so nothing went to %s; continuing with %s's example answer (HTTP %d), as the step has no sample answer", p.host, service, res.status)
		default:
			// Nothing to show as an answer: the empty one the preview continues with is made up.
			sc.Logf("not sent: this is a preview, so nothing went to %s, and the step has no sample answer to continue with", p.host)
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
