package api_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"runtime"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hookflow/hookflow/flows"
)

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
			json.Unmarshal(run.Trace, &trace)
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
