package flows

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// The http node is tested against real local servers (httptest): what the server receives is
// what a target system would receive.

// httpHit is one request as the test server received it.
type httpHit struct {
	Method string
	URI    string
	Header http.Header
	Body   string
}

// httpTarget is a local server that records every request and answers with reply(n, w, r),
// n counting from 1.
type httpTarget struct {
	*httptest.Server
	mu   sync.Mutex
	hits []httpHit
}

func newHTTPTarget(t *testing.T, reply func(n int, w http.ResponseWriter, r *http.Request)) *httpTarget {
	t.Helper()
	tg := &httpTarget{}
	tg.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		tg.mu.Lock()
		tg.hits = append(tg.hits, httpHit{Method: r.Method, URI: r.RequestURI, Header: r.Header.Clone(), Body: string(body)})
		n := len(tg.hits)
		tg.mu.Unlock()
		reply(n, w, r)
	}))
	t.Cleanup(tg.Close)
	return tg
}

func (tg *httpTarget) Hits() []httpHit {
	tg.mu.Lock()
	defer tg.mu.Unlock()
	return append([]httpHit(nil), tg.hits...)
}

// answer replies with a status, a JSON (or other) body and optional header pairs.
func httpAnswer(status int, body string, headerPairs ...string) func(int, http.ResponseWriter, *http.Request) {
	return func(_ int, w http.ResponseWriter, _ *http.Request) {
		for i := 0; i+1 < len(headerPairs); i += 2 {
			w.Header().Set(headerPairs[i], headerPairs[i+1])
		}
		if strings.HasPrefix(strings.TrimSpace(body), "{") && w.Header().Get("Content-Type") == "" {
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
		}
		w.WriteHeader(status)
		io.WriteString(w, body)
	}
}

// waits records the pauses the node asks for; they return at once.
type httpWaits struct {
	mu sync.Mutex
	d  []time.Duration
}

func (w *httpWaits) Wait(ctx context.Context, d time.Duration) error {
	w.mu.Lock()
	w.d = append(w.d, d)
	w.mu.Unlock()
	return ctx.Err()
}

func (w *httpWaits) All() []time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]time.Duration(nil), w.d...)
}

// GetCourse "user created" calls the webhook with the data in the query string.
var httpTestPayload = Payload{
	Method: "GET",
	Query:  json.RawMessage(`"name=%D0%98%D0%B2%D0%B0%D0%BD&phone=%2B7+(999)+123-45-67&email=ivan%40example.ru"`),
}

const httpTestForm = "api_key=KEY-123&name=%D0%98%D0%B2%D0%B0%D0%BD&phone=79991234567"

// httpTestFlow is "webhook → form_encode → http" with the http node's config given as JSON;
// %URL% in it is replaced by base.
func httpTestFlow(t *testing.T, base, httpConfig string) *Flow {
	t.Helper()
	return mustParse(t, `{"schema":1,"name":"GetCourse → target",
	"inputs":[{"key":"api_key","required":true},{"key":"token","secret":true}],
	"nodes":[
	  {"id":"trigger","kind":"webhook","config":{"preset":"generic"}},
	  {"id":"form","kind":"form_encode","config":{"fields":[
	    {"key":"api_key","value":"{{inputs.api_key}}"},
	    {"key":"name","value":"{{trigger.params.name}}"},
	    {"key":"phone","value":"{{trigger.params.phone | digits}}"}]}},
	  {"id":"send","kind":"http","config":`+strings.ReplaceAll(httpConfig, "%URL%", base)+`}
	],
	"edges":[{"from":"trigger","to":"form"},{"from":"form","to":"send"}]}`)
}

func httpTestEnv(client Doer, w *httpWaits) *BasicEnv {
	env := &BasicEnv{HTTP: client, Inputs: map[string]string{"api_key": "KEY-123", "token": "tok-SECRET-42"}}
	if w != nil {
		env.Wait = w.Wait
	}
	return env
}

// runHTTPFlow runs the flow and returns the trace and the http step's trace.
func runHTTPFlow(t *testing.T, f *Flow, env Env) (*Trace, *StepTrace) {
	t.Helper()
	tr, err := Run(context.Background(), f, httpTestPayload, env)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	st, ok := tr.Step("send")
	if !ok {
		t.Fatalf("no trace of the http step: %+v", tr)
	}
	return tr, st
}

func httpHeaderValue(kvs []KeyVal, name string) (string, bool) {
	for _, kv := range kvs {
		if strings.EqualFold(kv.Key, name) {
			return kv.Value, true
		}
	}
	return "", false
}

func httpMustSucceed(t *testing.T, tr *Trace, st *StepTrace) {
	t.Helper()
	if tr.Status != StatusSuccess || st.Status != StatusSuccess {
		t.Fatalf("run %s, step %s: %s\nlogs: %q", tr.Status, st.Status, st.Error, st.Logs)
	}
}

func httpMustFail(t *testing.T, tr *Trace, st *StepTrace, code string) {
	t.Helper()
	if tr.Status != StatusFailed || st.Status != StatusFailed {
		t.Fatalf("run %s, step %s, want failed with %s; logs: %q", tr.Status, st.Status, code, st.Logs)
	}
	if st.ErrorCode != code || tr.Error == nil || tr.Error.Code != code {
		t.Fatalf("error code %q (%s), want %s", st.ErrorCode, st.Error, code)
	}
}

func TestHTTPNode_SendsTheExactRequestForEachBodyType(t *testing.T) {
	cases := []struct {
		name       string
		config     string
		wantMethod string
		wantURI    string
		wantBody   string
		wantCT     string // "" = no Content-Type at all
		wantHeader map[string]string
	}{
		{
			name:       "previous step's form is sent as a form (Тело: результат предыдущего шага)",
			config:     `{"method":"POST","url":"%URL%/method/send_order","body_type":"previous"}`,
			wantMethod: "POST", wantURI: "/method/send_order",
			wantBody: httpTestForm, wantCT: "application/x-www-form-urlencoded",
		},
		{
			name:       "previous step's text output is sent as is",
			config:     `{"method":"PUT","url":"%URL%/x","body_type":"previous","headers":[{"key":"Content-Type","value":"text/csv"}]}`,
			wantMethod: "PUT", wantURI: "/x", wantBody: httpTestForm, wantCT: "text/csv",
		},
		{
			name:       "text body is a template; a form-looking text is typed as a form",
			config:     `{"method":"POST","url":"%URL%/t","body":"{{form.body}}&extra=1"}`,
			wantMethod: "POST", wantURI: "/t",
			wantBody: httpTestForm + "&extra=1", wantCT: "application/x-www-form-urlencoded",
		},
		{
			name:       "text body with an explicit Content-Type: the header wins",
			config:     `{"method":"POST","url":"%URL%/t","headers":[{"key":"content-type","value":"text/plain"}],"body":"Привет, {{trigger.params.name}}!"}`,
			wantMethod: "POST", wantURI: "/t", wantBody: "Привет, Иван!", wantCT: "text/plain",
		},
		{
			name:       "json body rendered from a template",
			config:     `{"method":"PATCH","url":"%URL%/j","body_type":"json","body":"{\"email\": {{trigger.params.email | json}}, \"phone\": \"{{trigger.params.phone | digits}}\", \"n\": 5}"}`,
			wantMethod: "PATCH", wantURI: "/j",
			wantBody: `{"email": "ivan@example.ru", "phone": "79991234567", "n": 5}`, wantCT: "application/json",
		},
		{
			name:       "json body that is one reference to an object is marshalled",
			config:     `{"method":"POST","url":"%URL%/j","body_type":"json","body":"{{form.fields}}"}`,
			wantMethod: "POST", wantURI: "/j",
			wantBody: `{"api_key":"KEY-123","name":"Иван","phone":"79991234567"}`, wantCT: "application/json",
		},
		{
			name:       "GET sends no body and no Content-Type; headers are templates, in order",
			config:     `{"url":"%URL%/get","body":"ignored","headers":[{"key":"X-Phone","value":"{{trigger.params.phone | digits}}"},{"key":"Accept","value":"application/json"}]}`,
			wantMethod: "GET", wantURI: "/get", wantBody: "", wantCT: "",
			wantHeader: map[string]string{"X-Phone": "79991234567", "Accept": "application/json"},
		},
		{
			name:       "DELETE with an explicit User-Agent keeps it",
			config:     `{"method":"DELETE","url":"%URL%/d/{{trigger.params.email}}","headers":[{"key":"User-Agent","value":"my-shop/1.0"}]}`,
			wantMethod: "DELETE", wantURI: "/d/ivan@example.ru", wantBody: "", wantCT: "",
			wantHeader: map[string]string{"User-Agent": "my-shop/1.0"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := newHTTPTarget(t, httpAnswer(200, `{"status":"success"}`))
			tr, st := runHTTPFlow(t, httpTestFlow(t, srv.URL, tc.config), httpTestEnv(srv.Client(), nil))
			httpMustSucceed(t, tr, st)

			hits := srv.Hits()
			if len(hits) != 1 {
				t.Fatalf("server got %d requests, want 1", len(hits))
			}
			got := hits[0]
			if got.Method != tc.wantMethod || got.URI != tc.wantURI || got.Body != tc.wantBody {
				t.Errorf("server got %s %s body %q\nwant %s %s body %q", got.Method, got.URI, got.Body, tc.wantMethod, tc.wantURI, tc.wantBody)
			}
			if ct := got.Header.Get("Content-Type"); ct != tc.wantCT {
				t.Errorf("Content-Type %q, want %q", ct, tc.wantCT)
			}
			if len(got.Header.Values("Content-Type")) > 1 {
				t.Errorf("Content-Type sent twice: %q", got.Header.Values("Content-Type"))
			}
			wantUA := "hookflow"
			if ua, ok := tc.wantHeader["User-Agent"]; ok {
				wantUA = ua
			}
			if ua := got.Header.Values("User-Agent"); len(ua) != 1 || ua[0] != wantUA {
				t.Errorf("User-Agent %q, want %q", ua, wantUA)
			}
			for k, v := range tc.wantHeader {
				if got.Header.Get(k) != v {
					t.Errorf("header %s = %q, want %q", k, got.Header.Get(k), v)
				}
			}

			// The trace shows exactly what went out.
			x := st.HTTP
			if x == nil || !x.Sent {
				t.Fatalf("trace has no sent exchange: %+v", x)
			}
			if x.Request.Method != got.Method || x.Request.URL != srv.URL+got.URI || x.Request.Body != got.Body {
				t.Errorf("trace request %s %s %q differs from what was received %s %s %q",
					x.Request.Method, x.Request.URL, x.Request.Body, got.Method, srv.URL+got.URI, got.Body)
			}
			for _, kv := range x.Request.Headers {
				if v := got.Header.Get(kv.Key); v != kv.Value {
					t.Errorf("trace header %s: %q, server got %q", kv.Key, kv.Value, v)
				}
			}
			if ct, ok := httpHeaderValue(x.Request.Headers, "Content-Type"); ok != (tc.wantCT != "") || ct != tc.wantCT {
				t.Errorf("trace Content-Type %q (present %v), want %q", ct, ok, tc.wantCT)
			}
			if ua, _ := httpHeaderValue(x.Request.Headers, "User-Agent"); ua != wantUA {
				t.Errorf("trace User-Agent %q, want %q", ua, wantUA)
			}
			if len(x.Attempts) != 1 || x.Attempts[0].Status != 200 {
				t.Errorf("attempts %+v, want one with status 200", x.Attempts)
			}
			if x.Response == nil || x.Response.Status != 200 || x.Response.Body != `{"status":"success"}` {
				t.Errorf("trace response %+v", x.Response)
			}
		})
	}
}

func TestHTTPNode_GETBodyIsLeftOutAndLogged(t *testing.T) {
	srv := newHTTPTarget(t, httpAnswer(200, ""))
	tr, st := runHTTPFlow(t, httpTestFlow(t, srv.URL, `{"url":"%URL%/","body":"x=1"}`), httpTestEnv(srv.Client(), nil))
	httpMustSucceed(t, tr, st)
	if !strings.Contains(strings.Join(st.Logs, "\n"), "carries no body") {
		t.Errorf("logs do not say the body was left out: %q", st.Logs)
	}
}

func TestHTTPNode_QueryListKeepsOrderRepeatsAndEncodes(t *testing.T) {
	cases := []struct {
		name, config, wantURI string
	}{
		{
			name: "rows appended after the URL's own query, in order, repeated keys kept",
			config: `{"url":"%URL%/webmaster/order/?key=K1","query":[
				{"key":"flow","value":"a b"},
				{"key":"phone","value":"{{trigger.params.phone}}"},
				{"key":"flow","value":"Иван&co=1"},
				{"key":"{{trigger.params.email}}","value":""}]}`,
			wantURI: "/webmaster/order/?key=K1&flow=a+b&phone=%2B7+%28999%29+123-45-67&flow=%D0%98%D0%B2%D0%B0%D0%BD%26co%3D1&ivan%40example.ru=",
		},
		{
			name:    "text put into the URL by a template is made safe to send",
			config:  `{"url":"%URL%/s?q={{trigger.params.name}} {{trigger.params.phone | digits}}"}`,
			wantURI: "/s?q=%D0%98%D0%B2%D0%B0%D0%BD%2079991234567",
		},
		{
			name:    "a fragment is not sent",
			config:  `{"url":"%URL%/f#top","query":[{"key":"a","value":"1"}]}`,
			wantURI: "/f?a=1",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := newHTTPTarget(t, httpAnswer(200, "ok"))
			tr, st := runHTTPFlow(t, httpTestFlow(t, srv.URL, tc.config), httpTestEnv(srv.Client(), nil))
			httpMustSucceed(t, tr, st)
			hits := srv.Hits()
			if len(hits) != 1 || hits[0].URI != tc.wantURI {
				t.Fatalf("server got %+v\nwant URI %s", hits, tc.wantURI)
			}
			if st.HTTP.Request.URL != srv.URL+tc.wantURI {
				t.Errorf("trace URL %s, want %s", st.HTTP.Request.URL, srv.URL+tc.wantURI)
			}
		})
	}
}

func TestHTTPNode_RetriesTransientFailures(t *testing.T) {
	fixedNow := time.Date(2025, 3, 5, 10, 15, 0, 0, time.UTC)
	cases := []struct {
		name       string
		config     string
		reply      func(n int, w http.ResponseWriter, r *http.Request)
		wantHits   int
		wantStatus []int // attempt statuses
		wantWaits  []time.Duration
		maxWaits   []time.Duration // when waits are random: upper bounds
		wantCode   string          // "" = success
		wantError  string          // part of the run error
	}{
		{
			name:   "503 then 200: retried and succeeds",
			config: `{"method":"POST","url":"%URL%/","body_type":"previous"}`,
			reply: func(n int, w http.ResponseWriter, r *http.Request) {
				if n == 1 {
					httpAnswer(503, "busy")(n, w, r)
					return
				}
				httpAnswer(200, `{"status":"success"}`)(n, w, r)
			},
			wantHits: 2, wantStatus: []int{503, 200}, maxWaits: []time.Duration{500 * time.Millisecond},
		},
		{
			name:   "429 with Retry-After: 1 waits one second",
			config: `{"method":"POST","url":"%URL%/","body_type":"previous"}`,
			reply: func(n int, w http.ResponseWriter, r *http.Request) {
				if n == 1 {
					httpAnswer(429, "slow down", "Retry-After", "1")(n, w, r)
					return
				}
				httpAnswer(200, "ok")(n, w, r)
			},
			wantHits: 2, wantStatus: []int{429, 200}, wantWaits: []time.Duration{time.Second},
		},
		{
			name:   "503 with Retry-After as an HTTP date",
			config: `{"url":"%URL%/"}`,
			reply: func(n int, w http.ResponseWriter, r *http.Request) {
				if n == 1 {
					httpAnswer(503, "", "Retry-After", fixedNow.Add(3*time.Second).Format(http.TimeFormat))(n, w, r)
					return
				}
				httpAnswer(200, "ok")(n, w, r)
			},
			wantHits: 2, wantStatus: []int{503, 200}, wantWaits: []time.Duration{3 * time.Second},
		},
		{
			name:     "Retry-After longer than a minute fails instead of waiting",
			config:   `{"url":"%URL%/"}`,
			reply:    httpAnswer(429, "", "Retry-After", "120"),
			wantHits: 1, wantStatus: []int{429}, wantWaits: nil,
			wantCode: CodeHTTPRetryAfter, wantError: "try again in 120 s",
		},
		{
			name:     "5xx every time: backoff grows from retry_delay_ms, then the status error quotes the answer",
			config:   `{"url":"%URL%/","retries":3,"retry_delay_ms":100}`,
			reply:    httpAnswer(500, `{"message":"database is down"}`),
			wantHits: 4, wantStatus: []int{500, 500, 500, 500},
			maxWaits: []time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond},
			wantCode: CodeHTTPStatus, wantError: "HTTP status 500 — «database is down»",
		},
		{
			name:     "retries: 0 means one attempt only",
			config:   `{"url":"%URL%/","retries":0}`,
			reply:    httpAnswer(502, "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>", "Content-Type", "text/html"),
			wantHits: 1, wantStatus: []int{502},
			wantCode: CodeHTTPStatus, wantError: "HTTP status 502 — «502 Bad Gateway»",
		},
		{
			name:     "a 5xx declared a success is not retried",
			config:   `{"url":"%URL%/","success":{"status_min":200,"status_max":599}}`,
			reply:    httpAnswer(500, "fine"),
			wantHits: 1, wantStatus: []int{500},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := newHTTPTarget(t, tc.reply)
			w := &httpWaits{}
			env := httpTestEnv(srv.Client(), w)
			env.Clock = func() time.Time { return fixedNow }
			tr, st := runHTTPFlow(t, httpTestFlow(t, srv.URL, tc.config), env)
			if tc.wantCode == "" {
				httpMustSucceed(t, tr, st)
			} else {
				httpMustFail(t, tr, st, tc.wantCode)
				if !strings.Contains(tr.Error.Error(), tc.wantError) {
					t.Errorf("run error %q does not contain %q", tr.Error.Error(), tc.wantError)
				}
			}
			if got := len(srv.Hits()); got != tc.wantHits {
				t.Errorf("server got %d requests, want %d", got, tc.wantHits)
			}
			var statuses []int
			for _, a := range st.HTTP.Attempts {
				statuses = append(statuses, a.Status)
			}
			if fmt.Sprint(statuses) != fmt.Sprint(tc.wantStatus) {
				t.Errorf("attempts %v, want %v", statuses, tc.wantStatus)
			}
			got := w.All()
			switch {
			case tc.maxWaits != nil:
				if len(got) != len(tc.maxWaits) {
					t.Fatalf("waited %v, want %d pauses", got, len(tc.maxWaits))
				}
				for i, d := range got {
					if d < 0 || d > tc.maxWaits[i] {
						t.Errorf("pause %d is %v, want 0…%v", i+1, d, tc.maxWaits[i])
					}
				}
			case fmt.Sprint(got) != fmt.Sprint(tc.wantWaits):
				t.Errorf("waited %v, want %v", got, tc.wantWaits)
			}
			// Each pause is recorded on the attempt before it.
			for i, d := range got {
				if st.HTTP.Attempts[i].WaitMs != d.Milliseconds() {
					t.Errorf("attempt %d records wait %d ms, slept %v", i+1, st.HTTP.Attempts[i].WaitMs, d)
				}
			}
		})
	}
}

func TestHTTPNode_ClientErrorsFailAtOnceWithTheAnswerInTheTrace(t *testing.T) {
	for _, status := range []int{400, 401, 404, 422} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			body := `{"error":"phone is invalid"}`
			srv := newHTTPTarget(t, httpAnswer(status, body))
			w := &httpWaits{}
			tr, st := runHTTPFlow(t, httpTestFlow(t, srv.URL, `{"method":"POST","url":"%URL%/","body_type":"previous","retries":5}`), httpTestEnv(srv.Client(), w))
			httpMustFail(t, tr, st, CodeHTTPStatus)
			if n := len(srv.Hits()); n != 1 {
				t.Errorf("server got %d requests, want 1 (no retries on 4xx)", n)
			}
			if len(w.All()) != 0 {
				t.Errorf("waited %v on a 4xx", w.All())
			}
			want := fmt.Sprintf("answered with HTTP status %d — «phone is invalid»", status)
			if !strings.Contains(tr.Error.Error(), want) {
				t.Errorf("run error %q, want it to contain %q", tr.Error.Error(), want)
			}
			if ru := tr.Error.Text("ru"); !strings.Contains(ru, "ответил HTTP-статусом") || !strings.Contains(ru, "«phone is invalid»") {
				t.Errorf("Russian error %q", ru)
			}
			if r := st.HTTP.Response; r == nil || r.Status != status || r.Body != body {
				t.Errorf("trace response %+v", r)
			}
			if st.Output != nil {
				t.Errorf("a failed step has output %v", st.Output)
			}
		})
	}
}

func TestHTTPNode_NetworkErrorIsRetriedThenFails(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	client, base := srv.Client(), srv.URL
	srv.Close() // nothing listens there any more

	w := &httpWaits{}
	tr, st := runHTTPFlow(t, httpTestFlow(t, base, `{"method":"POST","url":"%URL%/","body_type":"previous"}`), httpTestEnv(client, w))
	httpMustFail(t, tr, st, CodeHTTPNetwork)
	if got := len(st.HTTP.Attempts); got != 3 {
		t.Fatalf("%d attempts, want 3 (default 2 retries): %+v", got, st.HTTP.Attempts)
	}
	for i, a := range st.HTTP.Attempts {
		if a.Status != 0 || a.Error == "" {
			t.Errorf("attempt %d: %+v, want an error and no status", i+1, a)
		}
	}
	if len(w.All()) != 2 {
		t.Errorf("waited %v, want 2 pauses", w.All())
	}
	host := strings.TrimPrefix(base, "http://")
	if !strings.Contains(tr.Error.Error(), "could not reach "+host) || tr.Error.Params["host"] != host {
		t.Errorf("run error %q (params %v)", tr.Error.Error(), tr.Error.Params)
	}
	if st.HTTP.Response != nil {
		t.Errorf("a response is recorded although none came: %+v", st.HTTP.Response)
	}
}

func TestHTTPNode_TimeoutFails(t *testing.T) {
	release := make(chan struct{})
	srv := newHTTPTarget(t, func(n int, w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	defer close(release) // before srv.Close (cleanup), so a stuck handler ends

	w := &httpWaits{}
	tr, st := runHTTPFlow(t, httpTestFlow(t, srv.URL, `{"url":"%URL%/slow","timeout_ms":50,"retries":1}`), httpTestEnv(srv.Client(), w))
	httpMustFail(t, tr, st, CodeHTTPTimeout)
	if !strings.Contains(tr.Error.Error(), "did not answer within 0.05 s") {
		t.Errorf("run error %q", tr.Error.Error())
	}
	if got := len(st.HTTP.Attempts); got != 2 {
		t.Errorf("%d attempts, want 2: %+v", got, st.HTTP.Attempts)
	}
	for _, a := range st.HTTP.Attempts {
		if !strings.Contains(a.Error, "no answer within") {
			t.Errorf("attempt error %q", a.Error)
		}
	}
}

func TestHTTPNode_ResponseSizeLimit(t *testing.T) {
	cases := []struct {
		name     string
		size     int
		wantCode string
	}{
		{"exactly the limit is read", MaxResponseBytes, ""},
		{"one byte over the limit fails", MaxResponseBytes + 1, CodeHTTPTooLarge},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := newHTTPTarget(t, func(n int, w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/plain")
				io.WriteString(w, strings.Repeat("я", tc.size/2)+strings.Repeat("x", tc.size%2))
			})
			w := &httpWaits{}
			tr, st := runHTTPFlow(t, httpTestFlow(t, srv.URL, `{"url":"%URL%/big"}`), httpTestEnv(srv.Client(), w))
			if tc.wantCode == "" {
				httpMustSucceed(t, tr, st)
				out := st.Output.(map[string]any)
				if len(out["body"].(string)) != tc.size {
					t.Errorf("output body is %d bytes, want %d", len(out["body"].(string)), tc.size)
				}
			} else {
				httpMustFail(t, tr, st, tc.wantCode)
				if !strings.Contains(tr.Error.Error(), "larger than 2 MB") {
					t.Errorf("run error %q", tr.Error.Error())
				}
				if len(srv.Hits()) != 1 {
					t.Errorf("a too large answer was retried: %d requests", len(srv.Hits()))
				}
			}
			// The trace keeps 64 KiB of the body, cut on a character boundary.
			r := st.HTTP.Response
			if r == nil || r.Status != 200 {
				t.Fatalf("trace response %+v", r)
			}
			kept, note, _ := strings.Cut(r.Body, "\n…")
			if len(kept) > 64<<10 || len(kept) < 64<<10-4 || !strings.Contains(note, fmt.Sprintf("%d bytes in total", min(tc.size, MaxResponseBytes))) {
				t.Errorf("trace body kept %d bytes, note %q", len(kept), note)
			}
			if !json.Valid([]byte(fmt.Sprintf("%q", r.Body))) || strings.ContainsRune(kept, '\uFFFD') {
				t.Errorf("trace body was cut inside a character")
			}
		})
	}
}

func TestHTTPNode_SuccessRuleQuotesTheTarget(t *testing.T) {
	cases := []struct {
		name      string
		success   string // the success object
		status    int
		body      string
		wantCode  string // "" = success
		wantQuote string // in the run error
	}{
		{"CPA.House accepted", `{"condition":"status == \"success\""}`, 200, `{"status":"success","id":"1001"}`, "", ""},
		{"a trailing semicolon is forgiven", `{"condition":"status == \"success\"; "}`, 200, `{"status":"success"}`, "", ""},
		{"CPA.House refused: msg is quoted", `{"condition":"status == \"success\"","error_path":"msg"}`, 200,
			`{"status":"error","msg":"Неверный api_key"}`, CodeHTTPRejected, "«Неверный api_key»"},
		{"CPA.House refused, no error_path: msg found anyway", `{"condition":"status == \"success\""}`, 200,
			`{"status":"error","msg":"Неверный api_key"}`, CodeHTTPRejected, "«Неверный api_key»"},
		{"GetCourse accepted", `{"condition":"success == true && result.success == true"}`, 200,
			`{"success":true,"action":"add","result":{"success":true,"user_id":123456,"error_message":""}}`, "", ""},
		{"GetCourse refused inside result", `{"condition":"success == true && result.success == true"}`, 200,
			`{"success":true,"action":"add","result":{"success":false,"error_message":"Не указан email"}}`, CodeHTTPRejected, "«Не указан email»"},
		{"aray refused", `{"condition":"code == \"ok\"","error_path":"error"}`, 200,
			`{"code":"error","error":"offer_id not found"}`, CodeHTTPRejected, "«offer_id not found»"},
		{"Offerrum accepted without an error field", `{"condition":"!error"}`, 200, `{"id":90001}`, "", ""},
		{"Offerrum refused", `{"condition":"!error"}`, 200, `{"error":"Invalid key"}`, CodeHTTPRejected, "«Invalid key»"},
		{"errors list joined", `{"condition":"ok"}`, 200, `{"ok":false,"errors":["phone is empty","name is empty"]}`, CodeHTTPRejected, "«phone is empty; name is empty»"},
		{"error flag is not the message", `{"condition":"!error"}`, 200, `{"error":true,"message":"Лимит исчерпан"}`, CodeHTTPRejected, "«Лимит исчерпан»"},
		{"no known field: a short excerpt of the body", `{"condition":"done"}`, 200, `{"done":false,"info":"` + strings.Repeat("a", 400) + `"}`, CodeHTTPRejected, "«{\"done\":false,\"info\":\"aaaa"},
		{"the response object is there too", `{"condition":"response.status == 201 && response.headers[\"X-Id\"] == \"7\""}`, 201, `{}`, "", ""},
		{"text answers are checked through response.body", `{"condition":"response.body.indexOf(\"OK\") == 0"}`, 200, `OK 15`, "", ""},
		{"empty answer against a rule", `{"condition":"status == \"success\""}`, 200, ``, CodeHTTPRejectedEmpty, "HTTP status 200 and nothing else"},
		{"a rule that cannot be checked", `{"condition":"result.success"}`, 200, `{"success":true}`, CodeHTTPCondition, "cannot be checked"},
		{"custom status range", `{"status_min":200,"status_max":200}`, 201, `{"message":"created, but we wanted 200"}`, CodeHTTPStatus, "HTTP status 201 — «created, but we wanted 200»"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := newHTTPTarget(t, httpAnswer(tc.status, tc.body, "X-Id", "7"))
			cfg := `{"method":"POST","url":"%URL%/method/send_order","body_type":"previous","success":` + tc.success + `}`
			tr, st := runHTTPFlow(t, httpTestFlow(t, srv.URL, cfg), httpTestEnv(srv.Client(), &httpWaits{}))
			if tc.wantCode == "" {
				httpMustSucceed(t, tr, st)
				return
			}
			httpMustFail(t, tr, st, tc.wantCode)
			if !strings.Contains(tr.Error.Error(), tc.wantQuote) {
				t.Errorf("run error %q does not contain %q", tr.Error.Error(), tc.wantQuote)
			}
			if len(srv.Hits()) != 1 {
				t.Errorf("a refusal was retried: %d requests", len(srv.Hits()))
			}
			if reply := tr.Error.Params["reply"]; len([]rune(reply)) > 310 {
				t.Errorf("quoted reply is %d characters long", len([]rune(reply)))
			}
			if st.HTTP.Response == nil || st.HTTP.Response.Body != tc.body {
				t.Errorf("trace response %+v", st.HTTP.Response)
			}
		})
	}
}

func TestHTTPNode_RussianErrorQuotesTheTarget(t *testing.T) {
	srv := newHTTPTarget(t, httpAnswer(200, `{"status":"error","msg":"Неверный api_key"}`))
	cfg := `{"method":"POST","url":"%URL%/method/send_order","body_type":"previous","success":{"condition":"status == \"success\"","error_path":"msg"}}`
	tr, _ := runHTTPFlow(t, httpTestFlow(t, srv.URL, cfg), httpTestEnv(srv.Client(), nil))
	host := strings.TrimPrefix(srv.URL, "http://")
	want := "HTTP-запрос «send»: " + host + " ответил, что запрос не выполнен: «Неверный api_key»"
	if got := tr.Error.Text("ru"); got != want {
		t.Errorf("ru: %q\nwant %q", got, want)
	}
}

func TestHTTPNode_OutputFeedsLaterSteps(t *testing.T) {
	srv := newHTTPTarget(t, func(n int, w http.ResponseWriter, r *http.Request) {
		w.Header().Add("X-Request-Id", "first")
		w.Header().Add("X-Request-Id", "second")
		httpAnswer(200, `{"request":[{"id":12345678901234567890,"client_name":"Анна"}]}`)(n, w, r)
	})
	f := mustParse(t, `{"schema":1,"name":"U-ON",
	"nodes":[
	  {"id":"trigger","kind":"webhook"},
	  {"id":"send","kind":"http","config":{"url":"`+srv.URL+`/request/{{trigger.params.r_id}}.json"}},
	  {"id":"pick","kind":"set","config":{"fields":[
	    {"key":"id","value":"{{send.json.request.0.id}}"},
	    {"key":"status","value":"{{steps.send.status}}"},
	    {"key":"rid","value":"{{send.headers.X-Request-Id}}"}]}}
	],
	"edges":[{"from":"trigger","to":"send"},{"from":"send","to":"pick"}]}`)
	tr, err := Run(context.Background(), f, Payload{Method: "POST", Query: json.RawMessage(`"r_id=48213"`)}, &BasicEnv{HTTP: srv.Client()})
	if err != nil || tr.Status != StatusSuccess {
		t.Fatalf("run %v %+v", err, tr.Error)
	}
	if hits := srv.Hits(); len(hits) != 1 || hits[0].URI != "/request/48213.json" {
		t.Fatalf("server got %+v", hits)
	}
	send, _ := tr.Step("send")
	out := send.Output.(map[string]any)
	if out["status"] != json.Number("200") {
		t.Errorf("status %#v, want the number 200", out["status"])
	}
	if h := out["headers"].(map[string]any); h["X-Request-Id"] != "first" || h["Content-Type"] != "application/json; charset=utf-8" {
		t.Errorf("headers %v", h)
	}
	pick, _ := tr.Step("pick")
	got := pick.Output.(map[string]any)
	if Stringify(got["id"]) != "12345678901234567890" || Stringify(got["status"]) != "200" || got["rid"] != "first" {
		t.Errorf("later step got %#v", got)
	}

	// A body that is not JSON has no json member.
	srv2 := newHTTPTarget(t, httpAnswer(200, "plain words"))
	tr, st := runHTTPFlow(t, httpTestFlow(t, srv2.URL, `{"url":"%URL%/"}`), httpTestEnv(srv2.Client(), nil))
	httpMustSucceed(t, tr, st)
	if o := st.Output.(map[string]any); o["body"] != "plain words" || o["json"] != nil {
		t.Errorf("output %#v", o)
	}
	if _, has := st.Output.(map[string]any)["json"]; has {
		t.Errorf("json member present for a text answer")
	}
}

func TestHTTPNode_PreviewSendsNothingAndUsesTheSample(t *testing.T) {
	cases := []struct {
		name       string
		config     string
		wantCode   string
		wantStatus json.Number
		wantJSON   bool
	}{
		{
			name: "sample answer is used and checked",
			config: `{"method":"POST","url":"%URL%/method/send_order","body_type":"previous",
				"success":{"condition":"status == \"success\""},
				"sample_response":{"status":200,"headers":{"Content-Type":"application/json"},"body":"{\"status\":\"success\",\"id\":\"1001\"}"}}`,
			wantStatus: "200", wantJSON: true,
		},
		{
			name:       "no sample: an empty 200",
			config:     `{"method":"POST","url":"%URL%/","body_type":"previous"}`,
			wantStatus: "200",
		},
		{
			name: "a sample that breaks the rule fails the preview",
			config: `{"method":"POST","url":"%URL%/","body_type":"previous","success":{"condition":"status == \"success\""},
				"sample_response":{"body":"{\"status\":\"error\",\"msg\":\"Неверный api_key\"}"}}`,
			wantCode: CodeHTTPPreviewRejected,
		},
		{
			name:     "a sample status outside the range fails the preview",
			config:   `{"url":"%URL%/","sample_response":{"status":404,"headers":[{"key":"Content-Type","value":"text/plain"}],"body":"no such page"}}`,
			wantCode: CodeHTTPPreviewStatus,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := newHTTPTarget(t, httpAnswer(200, "should never be called"))
			env := httpTestEnv(nil, nil) // no HTTP client: preview
			tr, st := runHTTPFlow(t, httpTestFlow(t, srv.URL, tc.config), env)
			if n := len(srv.Hits()); n != 0 {
				t.Fatalf("preview sent %d requests", n)
			}
			x := st.HTTP
			if x == nil || x.Sent || len(x.Attempts) != 0 {
				t.Fatalf("exchange %+v, want the unsent request", x)
			}
			if x.Request.URL == "" || x.Request.Method == "" {
				t.Errorf("request not recorded: %+v", x.Request)
			}
			if strings.Contains(tc.config, "previous") && x.Request.Body != httpTestForm {
				t.Errorf("preview request body %q, want %q", x.Request.Body, httpTestForm)
			}
			if !strings.Contains(strings.Join(st.Logs, "\n"), "not sent") {
				t.Errorf("logs do not say it was not sent: %q", st.Logs)
			}
			if tc.wantCode != "" {
				httpMustFail(t, tr, st, tc.wantCode)
				return
			}
			httpMustSucceed(t, tr, st)
			out := st.Output.(map[string]any)
			if out["status"] != tc.wantStatus {
				t.Errorf("status %v, want %v", out["status"], tc.wantStatus)
			}
			if _, has := out["json"]; has != tc.wantJSON {
				t.Errorf("output %v: json present %v, want %v", out, has, tc.wantJSON)
			}
		})
	}
}

func TestHTTPNode_SecretsAreMaskedInTheTrace(t *testing.T) {
	srv := newHTTPTarget(t, httpAnswer(200, "ok"))
	cfg := `{"method":"POST","url":"%URL%/","body_type":"previous","headers":[
		{"key":"Authorization","value":"Bearer {{inputs.token}}"},
		{"key":"X-Api-Key","value":"key-abc-987","secret":true}]}`
	tr, st := runHTTPFlow(t, httpTestFlow(t, srv.URL, cfg), httpTestEnv(srv.Client(), nil))
	httpMustSucceed(t, tr, st)

	got := srv.Hits()[0].Header
	if got.Get("X-Api-Key") != "key-abc-987" || got.Get("Authorization") != "Bearer tok-SECRET-42" {
		t.Fatalf("the server did not get the real values: %v", got)
	}
	if v, _ := httpHeaderValue(st.HTTP.Request.Headers, "X-Api-Key"); v != maskText {
		t.Errorf("secret header shows %q in the trace", v)
	}
	if v, _ := httpHeaderValue(st.HTTP.Request.Headers, "Authorization"); v != maskText {
		t.Errorf("a header holding a secret input shows %q in the trace, want it masked whole", v)
	}
	data, _ := json.Marshal(tr)
	for _, secret := range []string{"key-abc-987", "tok-SECRET-42"} {
		if strings.Contains(string(data), secret) {
			t.Errorf("trace JSON contains %q", secret)
		}
	}
}

var httpUnfilledParam = regexp.MustCompile(`\{[a-z_]+\}`)

func TestHTTPNode_ConfigProblemsAreFoundAtBuild(t *testing.T) {
	cases := []struct {
		name, config, code, field string
		text                      string // part of the message, when it matters
	}{
		{"empty URL", `{"url":""}`, CodeFieldRequired, "url", ""},
		{"not a web address", `{"url":"api.cpa.house/method/send_order"}`, CodeURLInvalid, "url", ""},
		{"ftp", `{"url":"ftp://files.example.ru/x"}`, CodeURLInvalid, "url", ""},
		{"templated URL with a wrong scheme", `{"url":"htps://{{inputs.api_key}}.getcourse.ru/pl/api/users"}`, CodeURLInvalid, "url", ""},
		{"unknown method", `{"url":"https://x.ru/","method":"SEND"}`, CodeFieldOption, "method", ""},
		{"unknown body type", `{"url":"https://x.ru/","body_type":"xml"}`, CodeFieldOption, "body_type", ""},
		{"constant JSON body that is not JSON", `{"url":"https://x.ru/","method":"POST","body_type":"json","body":"{name: 1}"}`, CodeHTTPBodyNotJSON, "body", ""},
		{"header name with a space", `{"url":"https://x.ru/","headers":[{"key":"Content Type","value":"x"}]}`, CodeHTTPHeaderName, "headers[0].key", ""},
		{"header without a name", `{"url":"https://x.ru/","headers":[{"key":"","value":"x"}]}`, CodeFieldRequired, "headers[0].key", ""},
		{"reference to a step that does not exist", `{"url":"https://x.ru/{{later.id}}"}`, CodeRefUnknownRoot, "url", ""},
		{"timeout too long", `{"url":"https://x.ru/","timeout_ms":600000}`, CodeFieldRange, "timeout_ms", ""},
		{"too many retries", `{"url":"https://x.ru/","retries":50}`, CodeFieldRange, "retries", ""},
		{"status range upside down", `{"url":"https://x.ru/","success":{"status_min":300,"status_max":200}}`, CodeStatusRange, "success.status_min", ""},
		{"condition with a syntax error, at the user's own position", `{"url":"https://x.ru/","success":{"condition":"status = = \"success\""}}`, CodeScriptSyntax, "success.condition", "Unexpected token = (line 1, column 10)"},
		{"error path that cannot be read", `{"url":"https://x.ru/","success":{"error_path":"result..msg"}}`, CodePathInvalid, "success.error_path", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := httpTestFlow(t, "", tc.config)
			problems := Validate(f, nil)
			found := false
			for _, p := range problems {
				if p.Code == tc.code && p.Node == "send" && p.Field == tc.field {
					found = true
					if !strings.Contains(p.Message, tc.text) {
						t.Errorf("message %q does not contain %q", p.Message, tc.text)
					}
					ru := Message(p.Code, "ru", p.Params)
					if !strings.HasPrefix(p.Message, "HTTP request 'send': ") || !strings.HasPrefix(ru, "HTTP-запрос «send»: ") ||
						httpUnfilledParam.MatchString(p.Message) || httpUnfilledParam.MatchString(ru) {
						t.Errorf("message %q / %q", p.Message, ru)
					}
				}
			}
			if !found {
				t.Errorf("problems %v, want %s on send.%s", problemKeys(problems), tc.code, tc.field)
			}
			// Run refuses the flow too, sending nothing.
			tr, err := Run(context.Background(), f, httpTestPayload, &BasicEnv{HTTP: http.DefaultClient})
			var ps Problems
			if !errors.As(err, &ps) || tr.Status != StatusFailed {
				t.Errorf("Run: %v, status %s", err, tr.Status)
			}
		})
	}

	// A good config has no problems.
	if ps := Validate(httpTestFlow(t, "https://api.cpa.house", `{"method":"POST","url":"%URL%/method/send_order?x={{trigger.params.a}}","body_type":"json","body":"{\"a\":1}","success":{"condition":"status == \"success\"","error_path":"msg"},"retries":0}`), nil); len(ps) != 0 {
		t.Errorf("valid config: %v", ps)
	}
}

func TestHTTPNode_URLThatRendersBadFailsTheRun(t *testing.T) {
	srv := newHTTPTarget(t, httpAnswer(200, "ok"))
	tr, st := runHTTPFlow(t, httpTestFlow(t, "", `{"url":"{{trigger.params.email}}/x"}`), httpTestEnv(srv.Client(), nil))
	httpMustFail(t, tr, st, CodeURLInvalid)
	if !strings.Contains(tr.Error.Error(), "'ivan@example.ru/x' is not a web address") {
		t.Errorf("run error %q", tr.Error.Error())
	}
}

func TestHTTPNode_JSONBodyThatRendersInvalidFailsTheRun(t *testing.T) {
	srv := newHTTPTarget(t, httpAnswer(200, "ok"))
	// The name is put in without | json, so a quote in it would break the JSON; here the
	// unquoted phone does.
	cfg := `{"method":"POST","url":"%URL%/","body_type":"json","body":"{\"phone\": {{trigger.params.phone}}}"}`
	tr, st := runHTTPFlow(t, httpTestFlow(t, srv.URL, cfg), httpTestEnv(srv.Client(), nil))
	httpMustFail(t, tr, st, CodeHTTPBodyNotJSON)
	if len(srv.Hits()) != 0 {
		t.Errorf("an invalid body was sent")
	}
}

func TestHTTPNode_CanceledRunStopsWaiting(t *testing.T) {
	srv := newHTTPTarget(t, httpAnswer(503, "busy"))
	ctx, cancel := context.WithCancel(context.Background())
	env := httpTestEnv(srv.Client(), nil)
	env.Wait = func(ctx context.Context, d time.Duration) error {
		cancel()
		return context.Canceled
	}
	tr, err := Run(ctx, httpTestFlow(t, srv.URL, `{"url":"%URL%/"}`), httpTestPayload, env)
	if err != nil {
		t.Fatal(err)
	}
	st, _ := tr.Step("send")
	httpMustFail(t, tr, st, CodeRunCanceled)
	if len(srv.Hits()) != 1 {
		t.Errorf("%d requests after cancel", len(srv.Hits()))
	}
}

func TestHTTPNode_SchemaDescribesEveryFieldInBothLanguages(t *testing.T) {
	var info *KindInfo
	for _, k := range Kinds() {
		if k.Name == "http" {
			info = &k
		}
	}
	if info == nil {
		t.Fatal("http kind not registered")
	}
	if info.Title.In("en") == "" || info.Title.In("ru") == "" || info.Help.In("en") == "" || info.Help.In("ru") == "" {
		t.Errorf("kind title/help: %+v %+v", info.Title, info.Help)
	}
	want := []string{"method", "url", "query", "headers", "body_type", "body", "timeout_ms", "retries", "retry_delay_ms", "success", "sample_response"}
	var keys []string
	var walk func(prefix string, fs []Field)
	walk = func(prefix string, fs []Field) {
		for _, f := range fs {
			name := prefix + f.Key
			if f.Label.In("en") == "" || f.Label.In("ru") == "" || f.Help.In("en") == "" || f.Help.In("ru") == "" {
				t.Errorf("%s: label %+v help %+v", name, f.Label, f.Help)
			}
			if f.Type == FieldSelect && len(f.Options) == 0 {
				t.Errorf("%s: select without options", name)
			}
			walk(name+".", f.Fields)
		}
	}
	for _, f := range info.Fields {
		keys = append(keys, f.Key)
	}
	walk("", info.Fields)
	if fmt.Sprint(keys) != fmt.Sprint(want) {
		t.Errorf("fields %v, want %v", keys, want)
	}
	byKey := map[string]Field{}
	for _, f := range info.Fields {
		byKey[f.Key] = f
	}
	if !byKey["url"].Required || !byKey["url"].Template || !byKey["body"].Template {
		t.Errorf("url must be a required template, body a template")
	}
	if fmt.Sprint(byKey["method"].Options) != "[GET POST PUT PATCH DELETE HEAD]" {
		t.Errorf("method options %v", byKey["method"].Options)
	}
	var schema map[string]any
	if err := json.Unmarshal(info.Schema, &schema); err != nil {
		t.Fatal(err)
	}
	if req, _ := schema["required"].([]any); len(req) != 1 || req[0] != "url" {
		t.Errorf("schema required %v", schema["required"])
	}
}

func TestHTTPNode_BuiltInTemplatesPreviewWithTheirSamples(t *testing.T) {
	// Every built-in template previews (nothing sent) on its source's sample request, and each
	// http step's success rule accepts the template's own sample answer.
	for _, tpl := range Templates() {
		t.Run(tpl.ID, func(t *testing.T) {
			preset, ok := tpl.Preset()
			if !ok {
				t.Skip("template without a webhook preset")
			}
			if !slices.ContainsFunc(tpl.Flow.Nodes, func(n Node) bool { return n.Kind == "http" }) {
				t.Skip("template without an http step")
			}
			query := preset.SampleQuery()
			// Sources without fixed parameters (SMS Deliverer, generic) send what the trigger expects.
			for _, n := range tpl.Flow.Nodes {
				var cfg struct {
					Fields []struct{ Key, Example string }
				}
				if n.Kind != "webhook" || json.Unmarshal(n.Config, &cfg) != nil {
					continue
				}
				for _, f := range cfg.Fields {
					v := f.Example
					if v == "" {
						v = "sample"
					}
					if query != "" {
						query += "&"
					}
					query += url.QueryEscape(f.Key) + "=" + url.QueryEscape(v)
				}
			}
			q, _ := json.Marshal(query)
			inputs := sampleInputs(tpl.Flow.Inputs)
			tr, err := Run(context.Background(), tpl.Flow, Payload{Method: "GET", Query: q}, &BasicEnv{Inputs: inputs})
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			ran := 0
			for _, st := range tr.Steps {
				if (st.Kind != "http" && st.HTTP == nil) || st.Status == StatusSkipped { // a service's own kind records its request too
					continue
				}
				ran++
				if st.Status != StatusSuccess || st.HTTP == nil || st.HTTP.Sent {
					t.Errorf("step %s: %s %s (exchange %+v)", st.Node, st.Status, st.Error, st.HTTP)
				}
			}
			if ran == 0 {
				t.Errorf("no http step ran: %s %+v", tr.Status, tr.Error)
			}
		})
	}
}
