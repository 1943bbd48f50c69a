package api_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/hookflow/hookflow/flows"
	"github.com/hookflow/hookflow/flows/flowstest"
	"github.com/hookflow/hookflow/server/api"
	"github.com/hookflow/hookflow/server/core"
	"github.com/hookflow/hookflow/server/internal/testdb"
	"github.com/hookflow/hookflow/server/internal/testkit"
	"github.com/hookflow/hookflow/server/live"
	"github.com/hookflow/hookflow/server/store"
	"github.com/jonboulle/clockwork"
	"github.com/labstack/echo/v4"
)

// testServer is the real service (store, workers, HTTP API) on a random port.
type testServer struct {
	t   testing.TB
	URL string
	app *core.App
	st  *store.Store // the service's database, for what a test checks or prepares underneath the API
	e   *echo.Echo
	// token is the Bearer token of the instance's owner, who signed up when the server started:
	// call acts as them.
	token string
	// stop shuts the service down (once; the test's end does it too).
	stop func()
}

// serverOption changes how startServer runs the service.
type serverOption func(*serverSetup)

type serverSetup struct {
	store    *store.Store
	notifier core.Notifier
	config   []func(*core.Config)
	noOwner  bool
}

// onStore runs the service on a store the caller opened (the dialect is then ignored).
func onStore(st *store.Store) serverOption { return func(s *serverSetup) { s.store = st } }

// notifying sends the failure emails through n.
func notifying(n core.Notifier) serverOption { return func(s *serverSetup) { s.notifier = n } }

// withClock runs retries, schedules and run times on clock (a fake one the test moves).
func withClock(clock clockwork.Clock) serverOption {
	return configured(func(c *core.Config) { c.Clock = clock })
}

// configured changes the service's settings before it starts.
func configured(f func(*core.Config)) serverOption {
	return func(s *serverSetup) { s.config = append(s.config, f) }
}

// withoutOwner starts the service without signing up an owner: a restart over a database that
// has one.
func withoutOwner() serverOption { return func(s *serverSetup) { s.noOwner = true } }

// startServer runs the service on a fresh database of the dialect (or the store of onStore), with
// flows' requests sent through client (nil: the default outbound policy's), and signs up the
// instance's owner, whom call acts as. stop ends it before the test does.
func startServer(t testing.TB, dialect string, client flows.Doer, opts ...serverOption) *testServer {
	t.Helper()
	var setup serverSetup
	for _, o := range opts {
		o(&setup)
	}
	st := setup.store
	if st == nil {
		st = testdb.Open(t, dialect)
	}
	hub := live.NewHub(live.Options{})
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	cfg := core.Config{HTTPClient: client, Workers: 4, Logger: log, RetryBase: 50 * time.Millisecond}
	for _, f := range setup.config {
		f(&cfg)
	}
	srv := httptest.NewUnstartedServer(nil)
	cfg.PublicURL = "http://" + srv.Listener.Addr().String()
	app := core.New(cfg, st, hub, setup.notifier)
	if err := app.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	e := api.New(app, log)
	api.MountUI(e, testUI) // as `hookflow serve` does, so every route it serves is under test
	srv.Config.Handler = e
	srv.Start()
	s := &testServer{t: t, URL: srv.URL, app: app, st: st, e: e}
	var once sync.Once
	s.stop = func() {
		once.Do(func() {
			hub.Close()
			srv.Close()
			app.Close(5 * time.Second)
		})
	}
	t.Cleanup(s.stop)
	if !setup.noOwner {
		s.signUpOwner()
	}
	return s
}

// testUI stands in for the built editor (frontend.Dist()).
var testUI = fstest.MapFS{
	"index.html":       {Data: []byte("<!doctype html><title>hookflow</title>")},
	"favicon.svg":      {Data: []byte("<svg/>")},
	"assets/app-1.js":  {Data: []byte("console.log(1)")},
	"engine/worker.js": {Data: []byte("self.onmessage = null")},
}

// signUpOwner creates the instance's owner and makes call act as them.
func (s *testServer) signUpOwner() {
	s.t.Helper()
	var me struct{ Token string }
	if code := s.call("POST", "/api/auth/signup", map[string]string{"email": "owner@example.com", "password": "password of owner"}, &me); code != 201 {
		s.t.Fatalf("signing up the owner: %d", code)
	}
	s.token = me.Token
}

// call sends a JSON request and decodes the JSON answer into out (when not nil).
func (s *testServer) call(method, path string, body any, out any) int {
	s.t.Helper()
	return testkit.CallJSON(s.t, s.URL, s.token, method, path, body, out)
}

type flowView struct {
	ID         string            `json:"id"`
	Active     bool              `json:"active"`
	Version    int               `json:"version"`
	WebhookURL string            `json:"webhook_url"`
	Values     map[string]string `json:"input_values"`
	Problems   []flows.Problem   `json:"problems"`
}

type runView struct {
	ID        string          `json:"id"`
	EventID   string          `json:"event_id"`
	Status    string          `json:"status"`
	Error     string          `json:"error"`
	Attempt   int             `json:"attempt"`
	Trace     json.RawMessage `json:"trace"`
	StartedAt time.Time       `json:"started_at"`
}

// eventually waits until cond holds and fails the test saying what did not happen.
var eventually = testkit.Eventually

// startWithCPA starts a server on SQLite whose requests all go to a CPA.House stand-in that
// accepts every lead.
func startWithCPA(t *testing.T) (*testServer, *flowstest.Target) {
	t.Helper()
	cpa := flowstest.NewTarget(t, flowstest.Reply(200, `{"status":"success"}`))
	return startServer(t, "sqlite", cpa.Client()), cpa
}

// hostElse is a client that sends requests for host to target and every other to rest.
func hostElse(host string, target, rest *flowstest.Target) *http.Client {
	return flowstest.RoutedClient(func(h string) *flowstest.Target {
		if h == host {
			return target
		}
		return rest
	})
}

// waitRuns polls the journal until the flow has n runs matching status ("" = any).
func (s *testServer) waitRuns(flowID, status string, n int, within time.Duration) []runView {
	s.t.Helper()
	var runs []runView
	eventually(s.t, within, func() bool {
		runs = s.runsWith(flowID, status)
		return len(runs) >= n
	}, "flow %s has fewer than %d %q runs", flowID, n, status)
	return runs
}

// runsWith is the flow's journal, newest first, of runs with that status ("" = any).
func (s *testServer) runsWith(flowID, status string) []runView {
	s.t.Helper()
	var res struct{ Runs []runView }
	s.call("GET", "/api/flows/"+flowID+"/runs?limit=500&status="+status, nil, &res)
	return res.Runs
}

// createFlow stores a flow document and returns it.
func (s *testServer) createFlow(t testing.TB, doc string) flowView {
	t.Helper()
	var v flowView
	if code := s.call("POST", "/api/flows", doc, &v); code != 201 {
		t.Fatalf("create flow: %d %+v", code, v)
	}
	return v
}

// cpaHouse makes and starts a flow of the GetCourse → CPA.House template with test inputs.
func (s *testServer) cpaHouse() flowView {
	s.t.Helper()
	return s.instantiate("getcourse-cpa-house", map[string]string{"api_key": "k", "id_webmaster": "1", "id_offer": "2", "id_source": "3", "id_stream": "4"})
}

// invite makes an invitation to the team with role and returns its token.
func (s *testServer) invite(role string) string {
	s.t.Helper()
	var inv struct{ Token string }
	if code := s.call("POST", "/api/invitations", map[string]string{"role": role}, &inv); code != 201 {
		s.t.Fatalf("invitation as %s: %d", role, code)
	}
	return inv.Token
}

// onEachDatabase runs test once on each database the tests run on.
func onEachDatabase(t *testing.T, test func(t *testing.T, dialect string)) {
	for _, dialect := range testdb.Dialects() {
		t.Run(dialect, func(t *testing.T) { test(t, dialect) })
	}
}

func (s *testServer) instantiate(id string, inputs map[string]string) flowView {
	s.t.Helper()
	var v flowView
	if code := s.call("POST", "/api/templates/"+id+"/instantiate", map[string]any{"inputs": inputs}, &v); code != 201 {
		s.t.Fatalf("instantiate %s: %d %+v", id, code, v)
	}
	if code := s.call("POST", "/api/flows/"+v.ID+"/start", nil, &v); code != 200 || !v.Active {
		s.t.Fatalf("start: %d %+v", code, v)
	}
	return v
}

// hook sends a webhook the way a source system does.
func hook(t *testing.T, webhookURL, method, query, contentType, body string) map[string]any {
	t.Helper()
	u := webhookURL
	if query != "" {
		u += "?" + query
	}
	req, _ := http.NewRequest(method, u, strings.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	data, _ := io.ReadAll(resp.Body)
	_ = json.Unmarshal(data, &out)
	if resp.StatusCode/100 != 2 {
		t.Fatalf("webhook answered %d: %s", resp.StatusCode, data)
	}
	return out
}

func TestServer_SeedIntegrationsEndToEnd(t *testing.T) {
	t.Parallel()
	onEachDatabase(t, func(t *testing.T, dialect string) {
		cpa := flowstest.NewTarget(t, flowstest.Reply(200, `{"status":"success"}`))
		aray := flowstest.NewTarget(t, flowstest.Reply(200, `{"code":"ok"}`))
		uon := flowstest.NewTarget(t, flowstest.Reply(200, `{"request":[{"id":48213,"dat":"2024-03-05 10:15:00","client_name":"Анна","client_surname":"Смирнова","client_phone":"+7 (916) 123-45-67"}]}`))
		offerrum := flowstest.NewTarget(t, flowstest.Reply(200, `{"id":1}`))
		gc := flowstest.NewTarget(t, flowstest.Reply(200, `{"success":true,"result":{"success":true,"user_id":1}}`))
		client := flowstest.RoutedClient(func(host string) *flowstest.Target {
			switch host {
			case "api.cpa.house":
				return cpa
			case "api.aray.com":
				return aray
			case "api.u-on.ru":
				return uon
			case "api.offerrum.com":
				return offerrum
			default:
				return gc
			}
		})
		s := startServer(t, dialect, client)
		cpaInputs := map[string]string{"api_key": "cpa-key", "id_webmaster": "501", "id_offer": "77", "id_source": "12", "id_stream": "3"}

		// GetCourse: a process calls the URL with the user's fields in the query string.
		getcourse := s.instantiate("getcourse-cpa-house", cpaInputs)
		ack := hook(t, getcourse.WebhookURL, "GET", "email=anna%40example.ru&phone=%2B7+916+123-45-67&first_name=%D0%90%D0%BD%D0%BD%D0%B0&ip_address=203.0.113.7&user_agent=Mozilla", "", "")
		if ack["ok"] != true || ack["event_id"] == "" {
			t.Fatalf("ack = %v", ack)
		}
		runs := s.waitRuns(getcourse.ID, "", 1, 10*time.Second)
		if runs[0].Status != "success" || runs[0].EventID != ack["event_id"] {
			t.Fatalf("run = %+v", runs[0])
		}
		got := cpa.Requests()
		if len(got) != 1 || got[0].Path != "/method/send_order" || got[0].Form.Get("name") != "Анна" || got[0].Form.Get("phone") != "79161234567" || got[0].Form.Get("api_key") != "cpa-key" {
			t.Fatalf("CPA.House got %+v", got)
		}

		// Klientiks: GET with its parameter list.
		klientiks := s.instantiate("klientiks-cpa-house", cpaInputs)
		hook(t, klientiks.WebhookURL, "GET", "client_id=7781&client_phone=8+916+765-43-21&client_name=%D0%98%D0%B2%D0%B0%D0%BD&client_email=ivan%40example.ru", "", "")
		if s.waitRuns(klientiks.ID, "", 1, 10*time.Second)[0].Status != "success" {
			t.Fatal("klientiks run failed")
		}
		if got := cpa.Requests(); len(got) != 2 || got[1].Form.Get("name") != "Иван" || got[1].Form.Get("sub_id_1") != "7781" {
			t.Fatalf("CPA.House got %+v", got[len(got)-1])
		}

		// U-ON: posts r_id; the flow fetches the request and posts to Offerrum.
		uonFlow := s.instantiate("uon-offerrum", map[string]string{"uon_api_key": "uk", "offerrum_key": "ok", "flow": "fl"})
		hook(t, uonFlow.WebhookURL, "POST", "", "application/x-www-form-urlencoded", "r_id=48213")
		if r := s.waitRuns(uonFlow.ID, "", 1, 10*time.Second)[0]; r.Status != "success" {
			t.Fatalf("U-ON run: %+v", r)
		}
		if got := uon.Requests(); len(got) != 1 || got[0].Path != "/uk/request/48213.json" {
			t.Fatalf("U-ON got %+v", got)
		}
		if got := offerrum.Requests(); len(got) != 1 || got[0].Form.Get("name") != "Анна Смирнова" || got[0].Query.Get("flow") != "fl" {
			t.Fatalf("Offerrum got %+v", got)
		}

		// SMS Deliverer: posts a form.
		sms := s.instantiate("sms-deliverer-aray", map[string]string{"api_key": "ak", "offer_id": "9", "base_url": "https://l.example", "price": "1 990 руб."})
		hook(t, sms.WebhookURL, "POST", "", "application/x-www-form-urlencoded", "phone=%2B79161112233&message=hi")
		s.waitRuns(sms.ID, "success", 1, 10*time.Second)
		if got := aray.Requests(); len(got) != 1 || got[0].Form.Get("price") != "1990" || got[0].Form.Get("phone") != "79161112233" {
			t.Fatalf("aray got %+v", got)
		}

		// Any service → GetCourse import API, JSON body.
		gcFlow := s.instantiate("webhook-getcourse-user", map[string]string{"account": "school", "secret_key": "gk"})
		hook(t, gcFlow.WebhookURL, "POST", "", "application/json", `{"email":"a@b.ru","name":"A"}`)
		s.waitRuns(gcFlow.ID, "success", 1, 10*time.Second)
		if got := gc.Requests(); len(got) != 1 || got[0].Host != "school.getcourse.ru" || got[0].Form.Get("action") != "add" {
			t.Fatalf("GetCourse got %+v", got)
		}

		// The run detail has the whole trace, with secrets masked.
		var detail runView
		s.call("GET", "/api/runs/"+runs[0].ID, nil, &detail)
		var trace flows.Trace
		if err := json.Unmarshal(detail.Trace, &trace); err != nil || len(trace.Steps) != 3 {
			t.Fatalf("trace: %v %s", err, detail.Trace)
		}
		if strings.Contains(string(detail.Trace), "cpa-key") {
			t.Error("the API key is visible in the journal")
		}
		var fv flowView
		s.call("GET", "/api/flows/"+getcourse.ID, nil, &fv)
		if fv.Values["api_key"] != core.SecretMask {
			t.Errorf("secret input returned: %q", fv.Values["api_key"])
		}
	})
}

func TestServer_StoppedFlowKeepsRequestsAsSamples(t *testing.T) {
	t.Parallel()
	s, cpa := startWithCPA(t)
	var v flowView
	s.call("POST", "/api/templates/getcourse-cpa-house/instantiate", map[string]any{"inputs": map[string]string{"api_key": "k", "id_webmaster": "1", "id_offer": "2", "id_source": "3", "id_stream": "4"}}, &v)
	req, _ := http.NewRequest("GET", v.WebhookURL+"?email=a%40b.c&phone=123&utm_source=vk", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 202 {
		t.Fatalf("a stopped flow answers %d, want 202", resp.StatusCode)
	}
	var samples struct {
		Samples []struct {
			EventID string `json:"event_id"`
			Status  string `json:"status"`
		}
		Fields []struct{ Key, Example string }
	}
	s.call("GET", "/api/flows/"+v.ID+"/samples", nil, &samples)
	if len(samples.Samples) != 1 || samples.Samples[0].Status != "sample" {
		t.Fatalf("samples = %+v", samples)
	}
	keys := []string{}
	for _, f := range samples.Fields {
		keys = append(keys, f.Key+"="+f.Example)
	}
	if strings.Join(keys, ",") != "email=a@b.c,phone=123,utm_source=vk" {
		t.Fatalf("learned fields = %v", keys)
	}
	// A sample is stored, not queued: no worker takes it.
	if len(cpa.Requests()) != 0 || len(s.runsWith(v.ID, "")) != 0 {
		t.Fatal("a stopped flow must not run")
	}
	// Replay runs it now that the flow is started, once: the journal then holds that one run.
	s.call("POST", "/api/flows/"+v.ID+"/start", nil, nil)
	if code := s.call("POST", "/api/flows/"+v.ID+"/events/"+samples.Samples[0].EventID+"/replay", nil, nil); code != 202 {
		t.Fatalf("replay: %d", code)
	}
	s.waitRuns(v.ID, "success", 1, 10*time.Second)
	if len(cpa.Requests()) != 1 {
		t.Fatalf("replay sent %d requests", len(cpa.Requests()))
	}
	if runs := s.runsWith(v.ID, ""); len(runs) != 1 || runs[0].EventID != samples.Samples[0].EventID {
		t.Fatalf("after the replay the journal holds %+v, want the sample's one run", runs)
	}
}

func TestServer_FailedRunIsRetriedFromTheFailedStep(t *testing.T) {
	t.Parallel()
	uon := flowstest.NewTarget(t, flowstest.Reply(200, `{"request":[{"client_name":"A","client_phone":"+7 916"}]}`))
	offerrum := flowstest.NewTarget(t, flowstest.Reply(400, `{"error":"flow is closed"}`))
	client := hostElse("api.u-on.ru", uon, offerrum)
	s := startServer(t, "sqlite", client)
	v := s.instantiate("uon-offerrum", map[string]string{"uon_api_key": "uk", "offerrum_key": "ok", "flow": "fl"})
	hook(t, v.WebhookURL, "GET", "r_id=5", "", "")
	failed := s.waitRuns(v.ID, "failed", 1, 10*time.Second)
	if !strings.Contains(failed[0].Error, "flow is closed") {
		t.Fatalf("error = %q", failed[0].Error)
	}
	offerrum.SetReplies(flowstest.Reply(200, `{"id":7}`))
	if code := s.call("POST", "/api/runs/"+failed[0].ID+"/retry", nil, nil); code != 202 {
		t.Fatalf("retry: %d", code)
	}
	ok := s.waitRuns(v.ID, "success", 1, 10*time.Second)
	var detail runView
	s.call("GET", "/api/runs/"+ok[0].ID, nil, &detail)
	if len(uon.Requests()) != 1 {
		t.Errorf("U-ON was fetched %d times; the retry must reuse the earlier answer", len(uon.Requests()))
	}
	if !strings.Contains(string(detail.Trace), "reused from the earlier attempt") {
		t.Errorf("trace does not show the reuse: %s", detail.Trace)
	}
}

// The target is down for 30 s, then back: every lead is delivered by whole-run retries. The
// service's clock is a fake one moved a second at a time, so the 30 s pass at once.
func TestServer_TargetDownFor30sThenBackIsDelivered(t *testing.T) {
	t.Parallel()
	cpa := flowstest.NewTarget(t, flowstest.Reply(503, `down`))
	clock := clockwork.NewFakeClock()
	// MaxAttempts grows to match the short pauses, so that no lead uses up its attempts during
	// the 30 s (with the defaults, 8 attempts span hours).
	s := startServer(t, "sqlite", cpa.Client(), configured(func(c *core.Config) {
		c.RetryBase, c.RetryMax, c.MaxAttempts, c.Clock = time.Second, 4*time.Second, 100, clock
	}))
	v := s.cpaHouse()
	for i := 0; i < 5; i++ {
		hook(t, v.WebhookURL, "GET", "email=u"+string(rune('a'+i))+"%40b.c&phone=7916000000"+string(rune('0'+i)), "", "")
	}
	s.waitRuns(v.ID, "waiting", 5, 10*time.Second) // every lead was tried, failed and waits for a retry
	tick := func() {
		// the scheduler waits on the clock between scans: move it once it does
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := clock.BlockUntilContext(ctx, 1); err != nil {
			t.Fatal("the scheduler does not wait on the service's clock")
		}
		clock.Advance(time.Second)
	}
	for i := 0; i < 30; i++ {
		tick()
	}
	tried := len(cpa.Requests())
	if tried < 5*4 {
		t.Fatalf("%d attempts in 30 s of downtime; retries every 1-4 s make at least 20", tried)
	}
	cpa.SetReplies(flowstest.Reply(200, `{"status":"success"}`))
	for deadline := time.Now().Add(20 * time.Second); len(s.runsWith(v.ID, "success")) < 5; {
		if time.Now().After(deadline) {
			t.Fatalf("delivered %d of 5 after the target came back", len(s.runsWith(v.ID, "success")))
		}
		tick()
	}
	delivered := map[string]bool{}
	for _, r := range cpa.Requests() {
		if r.Form.Get("phone") != "" {
			delivered[r.Form.Get("phone")] = true
		}
	}
	if len(delivered) != 5 {
		t.Fatalf("delivered %d distinct leads, want 5", len(delivered))
	}
}

func TestServer_BadInputGetsClearErrors(t *testing.T) {
	t.Parallel()
	s := startServer(t, "sqlite", http.DefaultClient, configured(func(c *core.Config) { c.MaxBodyBytes = 1024 }))
	var created flowView
	s.call("POST", "/api/flows", `{"schema":1,"name":"x","nodes":[{"id":"trigger","kind":"webhook"}],"edges":[]}`, &created)
	cases := []struct {
		name, method, path, body string
		status                   int
		mention                  string
	}{
		{"malformed JSON", "POST", "/api/flows", `{"nodes": [`, 400, "JSON"},
		{"invalid flow", "POST", "/api/flows", `{"schema":1,"nodes":[{"id":"a","kind":"http","config":{}}],"edges":[]}`, 422, "URL is empty"},
		{"unknown flow", "GET", "/api/flows/nope", "", 404, "not found"},
		{"unknown run", "GET", "/api/runs/nope", "", 404, "not found"},
		{"unknown template", "POST", "/api/templates/nope/instantiate", `{}`, 404, "no template"},
		{"template missing input", "POST", "/api/templates/getcourse-cpa-house/instantiate", `{"inputs":{}}`, 422, "api_key"},
		{"bad status filter", "GET", "/api/flows/" + created.ID + "/runs?status=weird", "", 400, "status"},
		{"bad version", "GET", "/api/flows/" + created.ID + "/versions/x", "", 400, "version"},
		{"unknown webhook", "POST", "/hook/nosuchtoken", "a=1", 404, "no flow has this webhook"},
		{"huge webhook", "POST", "/hook/" + tokenOf(created.WebhookURL), strings.Repeat("a", 5000), 413, "larger than the limit"},
		{"test without payload", "POST", "/api/flows/" + created.ID + "/test", `{}`, 400, "payload"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var e struct {
				Error   string
				Details []flows.Problem
			}
			code := s.call(c.method, c.path, c.body, &e)
			text := e.Error
			for _, d := range e.Details {
				text += "\n" + d.Message
			}
			if code != c.status || !strings.Contains(text, c.mention) {
				t.Fatalf("%d %q, want %d mentioning %q", code, e.Error, c.status, c.mention)
			}
			if c.status == 422 && len(e.Details) == 0 {
				t.Error("422 without details")
			}
		})
	}
}

func tokenOf(webhookURL string) string {
	u, _ := url.Parse(webhookURL)
	return strings.TrimPrefix(u.Path, "/hook/")
}

func TestServer_FlowVersionsExportImport(t *testing.T) {
	t.Parallel()
	s := startServer(t, "sqlite", http.DefaultClient)
	var v flowView
	doc := `{"schema":1,"name":"v1","x_custom":{"kept":true},"nodes":[{"id":"trigger","kind":"webhook"}],"edges":[]}`
	s.call("POST", "/api/flows", doc, &v)
	s.call("PUT", "/api/flows/"+v.ID, strings.Replace(doc, `"v1"`, `"v2"`, 1), &v)
	if v.Version != 2 {
		t.Fatalf("version %d", v.Version)
	}
	var versions struct{ Versions []struct{ Version int } }
	s.call("GET", "/api/flows/"+v.ID+"/versions", nil, &versions)
	if len(versions.Versions) != 2 {
		t.Fatalf("versions %+v", versions)
	}
	s.call("POST", "/api/flows/"+v.ID+"/versions/1/restore", nil, &v)
	var exported map[string]any
	s.call("GET", "/api/flows/"+v.ID+"/export", nil, &exported)
	if exported["name"] != "v1" || exported["x_custom"] == nil || v.Version != 3 {
		t.Fatalf("restored/exported = %v (version %d)", exported, v.Version)
	}
	data, _ := json.Marshal(exported)
	var imported flowView
	if code := s.call("POST", "/api/flows/import", string(data), &imported); code != 201 || imported.ID == v.ID || imported.Active {
		t.Fatalf("import: %d %+v", code, imported)
	}
}

// callWith sends a request with one extra header and returns the status.
func (s *testServer) callWith(method, path, body, header, value string) int {
	s.t.Helper()
	req, _ := http.NewRequest(method, s.URL+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(header, value)
	if s.token != "" {
		req.Header.Set("Authorization", "Bearer "+s.token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// authHeader is the owner's Authorization header, for requests call does not make.
func (s *testServer) authHeader() http.Header {
	return http.Header{"Authorization": {"Bearer " + s.token}}
}
