package sandbox_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hookflow/hookflow/flows"
	"github.com/hookflow/hookflow/server/sandbox"
)

// The test binary is its own sandbox process when started as one.
func TestMain(m *testing.M) {
	if sandbox.IsChild() {
		os.Exit(sandbox.Main())
	}
	os.Exit(m.Run())
}

func testPool(t testing.TB, size int, started ...func(flows.ScriptJob)) *sandbox.Pool {
	opts := sandbox.Options{Size: size, Command: func() (*exec.Cmd, error) {
		return exec.Command(os.Args[0], "-test.run=^$"), nil
	}}
	if len(started) > 0 {
		opts.Started = started[0]
	}
	p := sandbox.New(opts)
	t.Cleanup(p.Close)
	return p
}

func job(code string, timeoutMs int64) flows.ScriptJob {
	return flows.ScriptJob{Code: code, Arg: json.RawMessage(`{"input":{"name":"Anna"},"steps":{},"inputs":{},"trigger":{}}`), TimeoutMs: timeoutMs}
}

// Attacks goja cannot interrupt in one native call, and the classic bombs, are all stopped within
// their time limit plus a second, and the server's heap does not take what they allocate.
func TestPool_UninterruptibleScriptsAreStoppedWithinTheirLimitPlusASecond(t *testing.T) {
	// 16 million characters: repeat is capped at 4 MB, concatenation is not.
	const big = `let s = 'a'.repeat(4 << 20); s = s + s + s + s; `
	cases := []struct {
		name, code string
		want       error
	}{
		{"match on 16M characters", big + `return s.match(/a/g).length`, flows.ErrScriptMemory},
		{"global replace with backtracking", `return ('a'.repeat(20) + '!').repeat(2000).replace(/(?:(?:a|aa)+(?=b)|a+)!/g, '').length`, flows.ErrScriptTimeout},
		{"split into 16M strings", big + `return s.split('').length`, flows.ErrScriptMemory},
		{"busy loop", `while (true) {}`, flows.ErrScriptTimeout},
		{"doubling string", `let s = 'x'; while (true) s += s;`, flows.ErrScriptMemory},
		{"array push loop", `const a = []; while (true) a.push({n: a.length});`, flows.ErrScriptMemory},
	}
	// The limit counts from the script's start in its process; compiling it and making its
	// runtime come first (a second under the race detector on a busy machine).
	var mu sync.Mutex
	var scriptStart time.Time
	p := testPool(t, 2, func(flows.ScriptJob) {
		mu.Lock()
		scriptStart = time.Now()
		mu.Unlock()
	})
	// A process at hand, as in a running server (the pool keeps spares started).
	if _, err := p.RunScript(context.Background(), job(`return 1`, 1000)); err != nil {
		t.Fatal(err)
	}
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	var peak uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			peak = max(peak, m.HeapAlloc)
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	const limit = 1000
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			mu.Lock()
			scriptStart = time.Time{}
			mu.Unlock()
			out, err := p.RunScript(context.Background(), job(tc.code, limit))
			end := time.Now()
			mu.Lock()
			start := scriptStart
			mu.Unlock()
			if start.IsZero() {
				t.Fatalf("the script never started: %+v %v", out, err)
			}
			took := end.Sub(start)
			if err == nil && out.Fail != nil {
				switch out.Fail.Kind {
				case "timeout":
					err = flows.ErrScriptTimeout
				case "memory":
					err = flows.ErrScriptMemory
				}
			}
			if err == nil && out.Fail == nil && strings.Contains(tc.code, ".replace(") && took <= limit*time.Millisecond+time.Second {
				// The engine also cuts one backtracking match at 2 s, ending the replace early
				// with the text unchanged; on a slow machine that may come first.
				t.Logf("ended by the engine's regular expression timeout after %s", took)
				return
			}
			// Under memory pressure a slow machine may reach the time limit first; either stop
			// is a stop.
			if !errors.Is(err, tc.want) && !(errors.Is(err, flows.ErrScriptTimeout) || errors.Is(err, flows.ErrScriptMemory)) {
				t.Fatalf("got %+v, %v; want %v", out, err, tc.want)
			}
			if !errors.Is(err, tc.want) {
				t.Logf("stopped by %v rather than %v", err, tc.want)
			}
			if took > limit*time.Millisecond+time.Second {
				t.Errorf("stopped after %s, more than its limit of %d ms plus 1 s", took, limit)
			}
			t.Logf("stopped after %s: %v", took.Round(time.Millisecond), err)
		})
	}
	close(stop)
	wg.Wait()
	if grown := int64(peak) - int64(before.HeapAlloc); grown > 64<<20 {
		t.Errorf("the server's heap grew by %d MB while the scripts ran", grown>>20)
	}
	// The pool goes on: a plain script runs on a fresh process.
	out, err := p.RunScript(context.Background(), job(`return {name: input.name.toUpperCase()}`, 1000))
	if err != nil || out.Fail != nil || string(out.Result) != `{"name":"ANNA"}` {
		t.Fatalf("after the attacks: %s %+v %v", out.Result, out.Fail, err)
	}
}

// A script's ordinary failures come back as the engine describes them.
func TestPool_ScriptErrorsComeBackWithTheirLine(t *testing.T) {
	p := testPool(t, 1)
	out, err := p.RunScript(context.Background(), job("const a = 1;\nnull.x", 1000))
	if err != nil || out.Fail == nil || out.Fail.Kind != "script" || out.Fail.Line != 2 || !strings.Contains(out.Fail.Message, "TypeError") {
		t.Fatalf("%+v %v", out.Fail, err)
	}
}
