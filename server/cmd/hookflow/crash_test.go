package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/signal"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/hookflow/hookflow/server/core"
	"github.com/hookflow/hookflow/server/internal/testdb"
	"github.com/hookflow/hookflow/server/internal/testkit"
	"github.com/hookflow/hookflow/server/sandbox"
)

// TestMain lets the crash test start this test binary as a real `hookflow serve` process, and
// make bench-pg as its load generator.
func TestMain(m *testing.M) {
	if sandbox.IsChild() { // a JavaScript sandbox process of a server under test
		os.Exit(sandbox.Main())
	}
	if os.Getenv("HOOKFLOW_TEST_SUBPROCESS") == "load" { // the load generator of make bench-pg
		os.Exit(loadMain())
	}
	if os.Getenv("HOOKFLOW_TEST_SUBPROCESS") == "serve" {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		cfg, err := parseServeFlags(nil, os.Stderr)
		if err != nil {
			os.Exit(2)
		}
		// Short leases keep the PostgreSQL crash tests quick.
		if d, err := time.ParseDuration(os.Getenv("HOOKFLOW_TEST_LEASE")); err == nil {
			cfg.Lease, cfg.Heartbeat = d, d/4
		}
		ready := make(chan string, 1)
		go func() { fmt.Println("READY", <-ready) }()
		if err := serve(ctx, cfg, io.Discard, ready); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// serverProcess is `hookflow serve` in a child process.
type serverProcess struct {
	*testkit.Child
	addr string
}

// startServerProcess starts `hookflow serve` on the SQLite file in dataDir, or on the database
// of env's HOOKFLOW_DATABASE_URL=….
func startServerProcess(t *testing.T, dataDir string, env ...string) *serverProcess {
	t.Helper()
	p := &serverProcess{}
	env = append([]string{"HOOKFLOW_TEST_SUBPROCESS=serve", "HOOKFLOW_ADDR=127.0.0.1:0",
		"HOOKFLOW_DATA_DIR=" + dataDir, "HOOKFLOW_WORKERS=8"}, env...)
	p.Child = testkit.StartChild(t, env, func(line string) bool {
		addr, ok := strings.CutPrefix(line, "READY ")
		if ok && p.addr == "" {
			p.addr = "http://" + addr
		}
		return ok
	})
	return p
}

// sink is the flow's target: it counts deliveries by event id.
type sink struct {
	mu  sync.Mutex
	got map[string]int
}

func (s *sink) handler(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	s.mu.Lock()
	s.got[r.Form.Get("event_id")]++
	s.mu.Unlock()
	w.Write([]byte(`{"ok":true}`))
}

func (s *sink) delivered(id string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.got[id]
}

// A crash (kill -9) while thousands of webhooks arrive loses none that were acknowledged:
// after a restart each is delivered to the target. On PostgreSQL the events the dead process was
// running come back when their leases end (short ones here).
func TestCrash_Kill9LosesNoAcknowledgedWebhook(t *testing.T) {
	if testing.Short() {
		t.Skip("starts server processes")
	}
	for _, dialect := range testdb.Dialects() {
		t.Run(dialect, func(t *testing.T) { testKill9LosesNothing(t, dialect) })
	}
}

func testKill9LosesNothing(t *testing.T, dialect string) {
	target := &sink{got: map[string]int{}}
	ts := httptest.NewServer(http.HandlerFunc(target.handler))
	defer ts.Close()
	dataDir := t.TempDir()
	var env []string
	if dialect == "postgres" {
		env = []string{"HOOKFLOW_DATABASE_URL=" + testdb.Options(t, dialect).DatabaseURL, "HOOKFLOW_TEST_LEASE=3s"}
	}
	proc := startServerProcess(t, dataDir, env...)

	flowDoc := `{"schema":1,"name":"crash","nodes":[{"id":"trigger","kind":"webhook"},
	  {"id":"form","kind":"form_encode","config":{"fields":[{"key":"event_id","value":"{{event.id}}"},{"key":"n","value":"{{trigger.params.n}}"}]}},
	  {"id":"send","kind":"http","config":{"method":"POST","url":"` + ts.URL + `/lead","body_type":"previous","retries":5,"retry_delay_ms":50}}],
	  "edges":[{"from":"trigger","to":"form"},{"from":"form","to":"send"}]}`
	token := signUp(t, proc.addr)
	// The test floods one webhook address on purpose: lift the flow's rate limit.
	create := `{"document":` + flowDoc + `,"settings":{"rate_limit":{"per_second":1000000,"burst":1000000}}}`
	_, hookPath := createAndStart(t, proc.addr, token, create)

	const total, senders = 3000, 32
	var next, acked atomic.Int64
	var mu sync.Mutex
	ackedIDs := []string{}
	client := &http.Client{Timeout: 5 * time.Second}
	var wg sync.WaitGroup
	var base atomic.Value
	base.Store(proc.addr)
	for i := 0; i < senders; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				n := next.Add(1)
				if n > total {
					return
				}
				resp, err := client.Get(base.Load().(string) + hookPath + "?n=" + fmt.Sprint(n))
				if err != nil {
					continue // the server is down: this one was never acknowledged
				}
				var ack struct {
					EventID string `json:"event_id"`
				}
				// A reply cut short by the kill leaves no event id: not an acknowledgement.
				_ = json.NewDecoder(resp.Body).Decode(&ack)
				resp.Body.Close()
				if resp.StatusCode/100 == 2 && ack.EventID != "" {
					mu.Lock()
					ackedIDs = append(ackedIDs, ack.EventID)
					mu.Unlock()
					acked.Add(1)
				}
			}
		}()
	}
	testkit.Eventually(t, time.Minute, func() bool { return acked.Load() >= total/3 }, "a third of %d webhooks acknowledged", total)
	proc.Kill()
	wg.Wait()

	startServerProcess(t, dataDir, env...) // delivers what was acknowledged; the test's clean-up stops it
	mu.Lock()
	ids := append([]string(nil), ackedIDs...)
	mu.Unlock()
	testkit.EventuallyNil(t, 90*time.Second, func() error {
		for _, id := range ids {
			if target.delivered(id) == 0 {
				return fmt.Errorf("acknowledged event %s was never delivered (%d acknowledged)", id, len(ids))
			}
		}
		return nil
	})
	dup := 0
	target.mu.Lock()
	for _, n := range target.got {
		if n > 1 {
			dup++
		}
	}
	target.mu.Unlock()
	t.Logf("%d webhooks acknowledged before and around kill -9, all delivered after restart; %d delivered more than once (deduplicated by event id)", len(ids), dup)
}

// On PostgreSQL, a process killed with kill -9 in the middle of a run loses that event to another
// process within 30 s (its lease is not renewed any more), and the target gets the event again
// with the same event id. While the first process lives, its heartbeat keeps the event its own
// well past the lease length.
func TestCrash_Kill9OnPostgresHandsTheRunningEventToAnotherProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("starts server processes")
	}
	// The production defaults: a dead process's events are taken over within the lease and one
	// scan of the queue (1 s), renewed several times per lease.
	if core.DefaultLease+time.Second > 30*time.Second || core.DefaultHeartbeat*3 > core.DefaultLease {
		t.Fatalf("lease %v with a heartbeat every %v: a dead process's events must be taken over within 30 s, and a live one must renew several times per lease",
			core.DefaultLease, core.DefaultHeartbeat)
	}
	testdb.SkipWithoutPostgres(t, "")
	const lease = 2 * time.Second
	// The target holds the first delivery (the run in progress when the process dies) and
	// answers the next ones.
	type delivery struct {
		eventID string
		at      time.Time
	}
	deliveries := make(chan delivery, 16)
	release := make(chan struct{})
	defer close(release)
	var first atomic.Bool
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		deliveries <- delivery{r.Form.Get("event_id"), time.Now()}
		if first.CompareAndSwap(false, true) {
			select {
			case <-r.Context().Done():
			case <-release:
			}
			return
		}
		w.Write([]byte(`{"ok":true}`))
	}))
	defer ts.Close()
	env := []string{"HOOKFLOW_DATABASE_URL=" + testdb.Options(t, "postgres").DatabaseURL, "HOOKFLOW_TEST_LEASE=" + lease.String()}
	dataDir := t.TempDir() // both processes read the secret key there
	a := startServerProcess(t, dataDir, env...)
	token := signUp(t, a.addr)
	flowDoc := `{"schema":1,"name":"slow","nodes":[{"id":"trigger","kind":"webhook"},
	  {"id":"form","kind":"form_encode","config":{"fields":[{"key":"event_id","value":"{{event.id}}"}]}},
	  {"id":"send","kind":"http","config":{"method":"POST","url":"` + ts.URL + `/lead","body_type":"previous","timeout_ms":60000}}],
	  "edges":[{"from":"trigger","to":"form"},{"from":"form","to":"send"}]}`
	_, hookPath := createAndStart(t, a.addr, token, `{"document":`+flowDoc+`}`)
	resp, err := http.Get(a.addr + hookPath + "?n=1")
	if err != nil {
		t.Fatal(err)
	}
	var ack struct {
		EventID string `json:"event_id"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&ack); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if ack.EventID == "" {
		t.Fatalf("webhook answered %d without an event id", resp.StatusCode)
	}
	wait := func(d time.Duration) (delivery, bool) {
		select {
		case got := <-deliveries:
			return got, true
		case <-time.After(d):
			return delivery{}, false
		}
	}
	got, ok := wait(30 * time.Second)
	if !ok || got.eventID != ack.EventID {
		t.Fatalf("the run did not reach the target (got %+v)", got)
	}

	// A second process shares the queue. While the first one lives, its heartbeat keeps the event:
	// three lease lengths pass without a second delivery.
	startServerProcess(t, dataDir, env...)
	if again, ok := wait(3 * lease); ok {
		t.Fatalf("the event was delivered again while the process running it was alive: %+v", again)
	}

	a.Kill()
	killed := time.Now()
	again, ok := wait(30 * time.Second)
	if !ok {
		t.Fatal("no other process took the event over within 30 s of kill -9")
	}
	if again.eventID != ack.EventID {
		t.Fatalf("delivered again with event id %q, want %q (targets deduplicate by it)", again.eventID, ack.EventID)
	}
	t.Logf("taken over %v after kill -9 (lease %v)", again.at.Sub(killed).Round(10*time.Millisecond), lease)
}

// signUp creates the owner of a fresh instance and returns their Bearer token.
func signUp(t *testing.T, addr string) string {
	t.Helper()
	resp, err := http.Post(addr+"/api/auth/signup", "application/json", strings.NewReader(`{"email":"owner@example.com","password":"owner-password"}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var me struct{ Token string }
	if err := json.NewDecoder(resp.Body).Decode(&me); err != nil || me.Token == "" {
		t.Fatalf("signup: %d %v", resp.StatusCode, err)
	}
	return me.Token
}

// createAndStart creates a flow through the API (body: what POST /api/flows takes) and starts it;
// it returns the flow's id and the path of its webhook.
func createAndStart(t *testing.T, addr, token, body string) (flowID, hookPath string) {
	t.Helper()
	resp, err := postAs(token, addr+"/api/flows", body)
	if err != nil {
		t.Fatal(err)
	}
	var flow struct {
		ID         string `json:"id"`
		WebhookURL string `json:"webhook_url"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&flow); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if flow.ID == "" {
		t.Fatal("flow not created")
	}
	resp, err = postAs(token, addr+"/api/flows/"+flow.ID+"/start", "")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("start: %v", err)
	}
	resp.Body.Close()
	return flow.ID, flow.WebhookURL[strings.Index(flow.WebhookURL, "/hook/"):]
}

func postAs(token, url, body string) (*http.Response, error) {
	req, err := http.NewRequest("POST", url, strings.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	return http.DefaultClient.Do(req)
}
