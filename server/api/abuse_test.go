package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hookflow/hookflow/flows"
	"github.com/hookflow/hookflow/server/auth"
	"github.com/hookflow/hookflow/server/core"
	"github.com/hookflow/hookflow/server/internal/testdb"
	"github.com/hookflow/hookflow/server/sandbox"
	"golang.org/x/crypto/bcrypt"
)

// The test binary is its own JavaScript sandbox process when a server under test starts one.
func TestMain(m *testing.M) {
	if sandbox.IsChild() {
		os.Exit(sandbox.Main())
	}
	// Every account the tests create costs a password hash: at bcrypt's default cost those were
	// a sixth of this package's CPU under the race detector. The cost production uses is
	// auth's own test.
	auth.UseHashCost(bcrypt.MinCost)
	os.Exit(m.Run())
}

// withSandbox runs the server's JavaScript in sandbox processes, as `hookflow serve` does; the
// returned timings hold, for each script run, how long it ran from its start in its process until
// the server had its outcome or had stopped it.
func withSandbox(t testing.TB, workers int) (func(*core.Config), *scriptTimings) {
	timings := &scriptTimings{started: map[string]time.Time{}}
	pool := sandbox.New(sandbox.Options{Size: workers, Command: func() (*exec.Cmd, error) {
		return exec.Command(os.Args[0], "-test.run=^$"), nil
	}, Started: func(job flows.ScriptJob) {
		timings.mu.Lock()
		timings.started[job.Code] = time.Now()
		timings.mu.Unlock()
	}})
	t.Cleanup(pool.Close)
	timings.pool = pool
	return func(c *core.Config) {
		c.Workers = workers
		c.Scripts = timings
	}, timings
}

// scriptTimings is a flows.ScriptRunner over the pool that marks each job so that its start in
// the process (Options.Started) can be told from the others.
type scriptTimings struct {
	pool    *sandbox.Pool
	n       atomic.Int64
	mu      sync.Mutex
	started map[string]time.Time // by marked code
	ran     map[string][]time.Duration
}

func (st *scriptTimings) RunScript(ctx context.Context, job flows.ScriptJob) (flows.ScriptOutcome, error) {
	code := job.Code
	job.Code = "/*" + strconv.FormatInt(st.n.Add(1), 10) + "*/" + code
	out, err := st.pool.RunScript(ctx, job)
	end := time.Now()
	st.mu.Lock()
	defer st.mu.Unlock()
	if start, ok := st.started[job.Code]; ok {
		if st.ran == nil {
			st.ran = map[string][]time.Duration{}
		}
		st.ran[code] = append(st.ran[code], end.Sub(start))
	}
	return out, err
}

func (st *scriptTimings) longest(code string) (time.Duration, int) {
	st.mu.Lock()
	defer st.mu.Unlock()
	var d time.Duration
	for _, r := range st.ran[code] {
		d = max(d, r)
	}
	return d, len(st.ran[code])
}

// One team's JavaScript that the engine cannot interrupt (one native call on 16 or 32 million
// characters, a global replace that backtracks) and the classic bombs: each run is stopped within
// its time limit plus a second, the server's heap stays within 100 MB of where it was, and another
// team's flow, with a JavaScript step of its own, delivers at about its idle latency while twelve
// such events are running or queued.
func TestAbuse_UninterruptibleJavaScriptOfOneTeamNeitherStallsAnotherNorTakesServerMemory(t *testing.T) {
	for _, dialect := range testdb.Dialects() {
		t.Run(dialect, func(t *testing.T) { testUninterruptibleJavaScript(t, dialect) })
	}
}

func testUninterruptibleJavaScript(t *testing.T, dialect string) {
	var mu sync.Mutex
	arrived := map[string]time.Time{}
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		arrived[r.URL.Query().Get("n")] = time.Now()
		mu.Unlock()
		w.Write([]byte(`{"status":"success"}`))
	}))
	defer target.Close()
	const workers = 8
	tweak, timings := withSandbox(t, workers)
	s := startServer(t, dialect, nil, configured(tweak))

	// Team B's flow: a small transform, then a POST to the target.
	var teamB struct{ ID string }
	if code := s.call("POST", "/api/teams", map[string]string{"name": "B"}, &teamB); code != 201 {
		t.Fatalf("create team B: %d", code)
	}
	inB := func(method, path, body string, out any) {
		req, _ := http.NewRequest(method, s.URL+path, strings.NewReader(body))
		req.Header = s.authHeader()
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Hookflow-Team", teamB.ID)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode/100 != 2 {
			t.Fatalf("%s %s in team B: %d", method, path, resp.StatusCode)
		}
		if out != nil {
			if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
				t.Fatalf("%s %s in team B: %v", method, path, err)
			}
		}
	}
	var victim flowView
	inB("POST", "/api/flows", `{"schema":1,"name":"leads","nodes":[{"id":"trigger","kind":"webhook"},
	  {"id":"tidy","kind":"js","config":{"code":"return {n: trigger.query.n}"}},
	  {"id":"send","kind":"http","config":{"method":"POST","url":"`+target.URL+`/lead?n={{tidy.n}}","body":"{}"}}],
	  "edges":[{"from":"trigger","to":"tidy"},{"from":"tidy","to":"send"}]}`, &victim)
	inB("POST", "/api/flows/"+victim.ID+"/start", "", nil)
	deliver := func(n string) time.Duration {
		start := time.Now()
		hook(t, victim.WebhookURL, "GET", "n="+n, "", "")
		deadline := start.Add(20 * time.Second)
		for time.Now().Before(deadline) {
			mu.Lock()
			at, ok := arrived[n]
			mu.Unlock()
			if ok {
				return at.Sub(start)
			}
			time.Sleep(5 * time.Millisecond)
		}
		var res struct{ Runs []runView }
		inB("GET", "/api/flows/"+victim.ID+"/runs?limit=50", "", &res)
		for _, r := range res.Runs {
			t.Logf("%s %s %s", r.Status, r.Error, r.Trace)
		}
		t.Fatalf("event %s of team B was not delivered within a minute", n)
		return 0
	}
	var idle []time.Duration
	for i := range 5 {
		idle = append(idle, deliver("idle"+strconv.Itoa(i)))
	}
	idleLatency := slices.Min(idle)

	// 16 million characters: repeat is capped at 4 MB, concatenation is not.
	const big = `let s = 'a'.repeat(4 << 20); s = s + s + s + s; `
	type attack struct {
		name, code string
		// A regular expression match that backtracks is also cut at 2 s by the engine, which
		// ends the replace early with the text unchanged; on a slow machine one match can
		// reach that before the time limit does. Such a run ends in time all the same.
		mayEndEarly bool
	}
	uninterruptible := []attack{
		{name: "match on 16M characters", code: big + `return s.match(/a/g).length`},
		{name: "match on 32M characters", code: big + `s = s + s; return s.match(/a/g).length`},
		{name: "global replace with backtracking", code: `return ('a'.repeat(20) + '!').repeat(2000).replace(/(?:(?:a|aa)+(?=b)|a+)!/g, '').length`, mayEndEarly: true},
		{name: "split into 16M strings", code: big + `return s.split('').length`},
	}
	// Two of each, enough to hold every worker if nothing shared them out, then the bombs the
	// engine stops itself.
	attacks := append(slices.Clone(uninterruptible), uninterruptible...)
	attacks = append(attacks, []attack{
		{name: "busy loop", code: `while (true) {}`},
		{name: "doubling string", code: `let s = 'x'; while (true) s += s;`},
		{name: "array push loop", code: `const a = []; while (true) a.push({n: a.length});`},
		{name: "array of arrays", code: `const a = []; while (true) a.push([a.length, [a.length]]);`},
	}...)
	const limitMs = 5000
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	var peak atomic.Uint64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		for {
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			if m.HeapAlloc > peak.Load() {
				peak.Store(m.HeapAlloc)
			}
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	hostile := make([]flowView, len(attacks))
	for i, a := range attacks {
		hostile[i] = s.createFlow(t, jsFlow(a.code, limitMs))
		s.call("POST", "/api/flows/"+hostile[i].ID+"/start", nil, nil)
	}
	for _, f := range hostile {
		hook(t, f.WebhookURL, "GET", "", "", "")
	}
	// While they run, team B's events are delivered about as fast as when the server was idle.
	var busy []time.Duration
	for i := range 5 {
		busy = append(busy, deliver("busy"+strconv.Itoa(i)))
	}
	// Scripts burning both cores, and sandbox processes starting in place of killed ones, slow
	// everything down on a small machine; but waiting for a worker would take an attack's whole
	// time limit or more, which the bound stays under.
	bound := min(20*idleLatency+3*time.Second, limitMs*time.Millisecond-500*time.Millisecond)
	t.Logf("team B: idle %s, during the attack %v (bound %s)", idleLatency, busy, bound)
	if worst := slices.Max(busy); worst > bound {
		t.Errorf("team B's events took up to %s during the attack, idle %s: more than %s", worst, idleLatency, bound)
	}

	for i, a := range attacks {
		t.Run(strconv.Itoa(i)+" "+a.name, func(t *testing.T) {
			runs := s.waitRuns(hostile[i].ID, "", 1, 60*time.Second)
			var run runView
			s.call("GET", "/api/runs/"+runs[0].ID, nil, &run)
			var trace flows.Trace
			mustUnmarshal(t, run.Trace, &trace)
			if a.mayEndEarly && run.Status == flows.StatusSuccess {
				t.Logf("ended by the engine's regular expression timeout")
			} else if run.Status != flows.StatusFailed || trace.Error == nil ||
				(trace.Error.Code != flows.CodeJSTimeout && trace.Error.Code != flows.CodeJSMemory) {
				t.Fatalf("run %s: %+v, want stopped for its time limit or its memory", run.Status, trace.Error)
			}
			// From the script's start in its process (the time limit counts from there, as
			// in-process; before it the run may have waited for a process to start and for the
			// script to compile, seconds under the race detector on a busy machine).
			ran, n := timings.longest(a.code)
			if n == 0 {
				t.Fatal("the script never started in a sandbox process")
			}
			if ran > limitMs*time.Millisecond+time.Second {
				t.Errorf("stopped %s after its start, more than its limit of %d ms plus 1 s", ran, limitMs)
			}
			t.Logf("%s: ran %s", run.Status, ran.Round(time.Millisecond))
		})
	}
	close(stop)
	<-sampled
	grown := int64(peak.Load()) - int64(before.HeapAlloc)
	t.Logf("the server's heap grew by at most %d MB during the attack", grown>>20)
	if grown > 100<<20 {
		t.Errorf("the server's heap grew by %d MB during the attack", grown>>20)
	}
}

// jsFlow is webhook → js with code and a generous time limit.
func jsFlow(code string, timeoutMs int) string {
	c, _ := json.Marshal(code)
	return `{"schema":1,"name":"hostile","nodes":[{"id":"trigger","kind":"webhook"},
	  {"id":"js","kind":"js","name":"Hostile code","config":{"code":` + string(c) + `,"timeout_ms":` + jsonNumber(uint64(timeoutMs)) + `}}],
	  "edges":[{"from":"trigger","to":"js"}]}`
}

// Hostile JavaScript in one flow leaves the server answering and another flow delivering.
func TestAbuse_HostileJavaScriptLeavesTheServerAndOtherFlowsRunning(t *testing.T) {
	var delivered atomic.Int64
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		delivered.Add(1)
		w.Write([]byte(`{"status":"success"}`))
	}))
	defer target.Close()
	s := startServer(t, "sqlite", nil)

	good := s.createFlow(t, `{"schema":1,"name":"good","nodes":[{"id":"trigger","kind":"webhook"},
	  {"id":"send","kind":"http","config":{"method":"POST","url":"`+target.URL+`/lead","body":"{{trigger.params.n}}"}}],
	  "edges":[{"from":"trigger","to":"send"}]}`)
	s.call("POST", "/api/flows/"+good.ID+"/start", nil, nil)

	// The busy loop ends on its 2 s limit; the bombs on the memory watchdog, or on their 10 s limit
	// when that comes first: a doubling string's last step is one huge copy the engine cannot be
	// interrupted in, and on a loaded machine under -race it can outlast the time limit, whose stop
	// is then the one reported. Either way the run fails, is named, and the server goes on;
	// flows/script_memory_test.go proves the watchdog itself.
	cases := []struct {
		name, code, wantCode string
	}{
		{"busy loop", `while (true) {}`, flows.CodeJSTimeout},
		{"doubling string", `let s = 'x'; while (true) s += s;`, flows.CodeJSMemory},
		{"array push loop", `const a = []; while (true) a.push({n: a.length});`, flows.CodeJSMemory},
		// Built-ins are frozen: the assignments fail (or are ignored), the run's outcome does not matter.
		{"prototype pollution", `Object.prototype.polluted = 1; Array.prototype.push = null; Object.defineProperty(Object.prototype, 'x', {get() { while (true) {} }}); return 1`, ""},
		{"constructor escape", `return (function(){}).constructor('return process')()`, flows.CodeJSError},
	}
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	hostile := make([]flowView, len(cases))
	for i, tc := range cases {
		limit := 10000
		if tc.wantCode == flows.CodeJSTimeout {
			limit = 2000
		}
		hostile[i] = s.createFlow(t, jsFlow(tc.code, limit))
		s.call("POST", "/api/flows/"+hostile[i].ID+"/start", nil, nil)
		hook(t, hostile[i].WebhookURL, "GET", "", "", "")
	}
	// While the hostile runs go on, the server answers and the good flow delivers.
	for i := 0; i < 5; i++ {
		if code := s.call("GET", "/healthz", nil, nil); code != 200 {
			t.Fatalf("health: %d", code)
		}
		hook(t, good.WebhookURL, "GET", "n="+jsonNumber(uint64(i)), "", "")
	}
	s.waitRuns(good.ID, "success", 5, 60*time.Second)
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			runs := s.waitRuns(hostile[i].ID, "", 1, 60*time.Second)
			if tc.wantCode == "" {
				return
			}
			var run runView
			s.call("GET", "/api/runs/"+runs[0].ID, nil, &run)
			var trace flows.Trace
			mustUnmarshal(t, run.Trace, &trace)
			code := ""
			if trace.Error != nil {
				code = trace.Error.Code
			}
			// Heap growth cannot be attributed to one script: a busy loop that started just after
			// a bomb may be stopped for the bomb's memory (see flows/script_memory.go). Either way
			// it is stopped and the server goes on.
			if tc.wantCode == flows.CodeJSTimeout && code == flows.CodeJSMemory {
				code = flows.CodeJSTimeout
			}
			if tc.wantCode == flows.CodeJSMemory && code == flows.CodeJSTimeout {
				code = flows.CodeJSMemory
			}
			if run.Status != flows.StatusFailed || code != tc.wantCode {
				t.Fatalf("run %s: %+v, want %s", run.Status, trace.Error, tc.wantCode)
			}
			if !strings.Contains(runs[0].Error, "Hostile code") {
				t.Errorf("the error does not name the step: %q", runs[0].Error)
			}
		})
	}
	// Nothing the hostile code did leaked into the engine: a fresh flow still pushes and reads
	// plain objects.
	clean := s.createFlow(t, jsFlow(`const a = []; a.push(1); return {p: ({}).polluted === undefined, n: a.length}`, 1000))
	var result struct {
		Trace flows.Trace `json:"trace"`
	}
	s.call("POST", "/api/flows/"+clean.ID+"/test", map[string]any{"payload": map[string]any{"method": "GET"}}, &result)
	if st, ok := result.Trace.Step("js"); !ok || st.Status != flows.StatusSuccess || !bytes.Contains(mustJSON(st.Output), []byte(`"p":true`)) {
		t.Fatalf("a clean flow after the hostile ones: %+v", result.Trace)
	}
	debug.FreeOSMemory()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	if grown := int64(after.HeapInuse) - int64(before.HeapInuse); grown > 256<<20 {
		t.Errorf("the heap holds %d MB more after the hostile runs", grown>>20)
	}
}

func mustJSON(v any) []byte {
	data, _ := json.Marshal(v)
	return data
}
