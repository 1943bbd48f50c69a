package flows

// Tests of the js node (node_javascript.go). The file is not called node_js_test.go because a
// _js suffix is a GOOS build constraint: Go would compile it only for GOOS=js.

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"
)

// jsTestFlow is webhook → x (js with the given config).
func jsTestFlow(t *testing.T, config string) *Flow {
	t.Helper()
	return mustParse(t, `{"schema":1,"name":"js","inputs":[{"key":"api_key"}],
	  "nodes":[{"id":"trigger","kind":"webhook"},{"id":"x","kind":"js","config":`+config+`}],
	  "edges":[{"from":"trigger","to":"x"}]}`)
}

func jsConfigJSON(code string, timeoutMs int) string {
	cfg := map[string]any{"code": code}
	if timeoutMs > 0 {
		cfg["timeout_ms"] = timeoutMs
	}
	data, _ := json.Marshal(cfg)
	return string(data)
}

// runJS runs a compiled flow once and returns its trace and the js step.
func runJS(t *testing.T, prog *Program, query string) (*Trace, *StepTrace) {
	t.Helper()
	tr, err := prog.Run(context.Background(), queryPayload(query), fixedEnv(map[string]string{"api_key": "k-1"}))
	if err != nil {
		t.Fatal(err)
	}
	st, ok := tr.Step("x")
	if !ok {
		t.Fatal("no step x in the trace")
	}
	return tr, st
}

func compileJS(t *testing.T, code string, timeoutMs int) *Program {
	t.Helper()
	return mustCompile(t, jsTestFlow(t, jsConfigJSON(code, timeoutMs)))
}

func jsMustSucceed(t *testing.T, tr *Trace, st *StepTrace) any {
	t.Helper()
	if tr.Status != StatusSuccess || st.Status != StatusSuccess {
		t.Fatalf("run %s, step %s: %s (logs %q)", tr.Status, st.Status, st.Error, st.Logs)
	}
	return st.Output
}

func jsMustFail(t *testing.T, st *StepTrace, code, contains string) {
	t.Helper()
	if st.Status != StatusFailed || st.ErrorCode != code {
		t.Fatalf("want a failure %s, got status %s code %s: %s", code, st.Status, st.ErrorCode, st.Error)
	}
	if !strings.Contains(st.Error, contains) {
		t.Fatalf("error %q does not say %q", st.Error, contains)
	}
}

func asJSON(t *testing.T, v any) string {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func TestJSNode_ReturnsTheTransformedValue(t *testing.T) {
	prog := compileJS(t, `return {name: trigger.params.name.toUpperCase(), phone: input.params.phone.replace(/\D/g, "")}`, 0)
	tr, st := runJS(t, prog, "name=Anna&phone=%2B7+(916)+123-45-67")
	if got := asJSON(t, jsMustSucceed(t, tr, st)); got != `{"name":"ANNA","phone":"79161234567"}` {
		t.Fatalf("output %s", got)
	}
}

func TestJSNode_SeesInputStepsInputsAndTrigger(t *testing.T) {
	f := mustParse(t, `{"schema":1,"inputs":[{"key":"api_key"}],"nodes":[{"id":"trigger","kind":"webhook"},
	  {"id":"lead","kind":"set","config":{"fields":[{"key":"name","value":"{{trigger.params.name}}"}]}},
	  {"id":"x","kind":"js","config":{"code":"return {input: input, lead: steps.lead, same: input === steps.lead, key: inputs.api_key, trigger: trigger.params.name, ids: Object.keys(steps), sameTrigger: trigger === steps.trigger}"}}],
	  "edges":[{"from":"trigger","to":"lead"},{"from":"lead","to":"x"}]}`)
	tr, err := Run(context.Background(), f, queryPayload("name=Anna"), fixedEnv(map[string]string{"api_key": "k-1"}))
	if err != nil {
		t.Fatal(err)
	}
	st, _ := tr.Step("x")
	got := asJSON(t, jsMustSucceed(t, tr, st))
	want := `{"ids":["lead","trigger"],"input":{"name":"Anna"},"key":"k-1","lead":{"name":"Anna"},"same":true,"sameTrigger":true,"trigger":"Anna"}`
	if got != want {
		t.Fatalf("output\n got %s\nwant %s", got, want)
	}
}

func TestJSNode_ResultIsPlainJSON(t *testing.T) {
	for _, c := range []struct{ name, code, want string }{
		{"nothing returned", `let a = 1`, `null`},
		{"text", `return "hi"`, `"hi"`},
		{"numbers", `return [1, 1.5, -0, 1e21, 2**53, 0.1 + 0.2]`, `[1,1.5,0,1e+21,9007199254740992,0.30000000000000004]`},
		{"NaN and Infinity become null", `return [NaN, Infinity]`, `[null,null]`},
		{"Number objects are written as the same numbers", `return [new Number(1234567.5), 1234567.5, new Number(1e21), new Number(-0), new Number(2**53), new Number(NaN), new Number(0.1 + 0.2)]`,
			`[1234567.5,1234567.5,1e+21,0,9007199254740992,null,0.30000000000000004]`},
		{"Boolean objects are booleans", `return [new Boolean(false), new Boolean(1)]`, `[false,true]`},
		{"undefined and functions are left out of objects", `return {a: undefined, f() {}, s: Symbol("x"), b: 1}`, `{"b":1}`},
		{"and become null in lists", `return [undefined, () => 1]`, `[null,null]`},
		{"dates are ISO text", `return {at: new Date(Date.UTC(2024, 0, 31, 10))}`, `{"at":"2024-01-31T10:00:00.000Z"}`},
		{"toJSON is used", `return {a: {toJSON() { return "custom" }}}`, `{"a":"custom"}`},
		{"long ids from the request pass through exactly", `return Number(trigger.params.id) === 12345678901234 ? trigger.params : null`, `{"id":"12345678901234"}`},
		{"BigInt becomes an exact number", `return 12345678901234567890n`, `12345678901234567890`},
		{"a Promise is awaited", `return Promise.resolve({ok: true})`, `{"ok":true}`},
		{"Map and Set are objects like in JSON.stringify", `return [new Map([["a", 1]]), new Set([1])]`, `[{},{}]`},
	} {
		t.Run(c.name, func(t *testing.T) {
			tr, st := runJS(t, compileJS(t, c.code, 0), "id=12345678901234")
			if got := asJSON(t, jsMustSucceed(t, tr, st)); got != c.want {
				t.Fatalf("got %s, want %s", got, c.want)
			}
		})
	}
}

func TestJSNode_ConsoleLinesGoToTheStepLogBounded(t *testing.T) {
	prog := compileJS(t, `console.log("lead", {name: input.params.name}, [1, 2]);
	console.warn("careful");
	console.log("x".repeat(5000));
	for (let i = 0; i < 1000; i++) console.log("line", i);
	return 1`, 0)
	tr, st := runJS(t, prog, "name=Anna")
	jsMustSucceed(t, tr, st)
	if len(st.Logs) < 3 || st.Logs[0] != `lead {"name":"Anna"} [1,2]` || st.Logs[1] != "warn: careful" {
		t.Fatalf("logs start %q", st.Logs[:min(3, len(st.Logs))])
	}
	if n := len(st.Logs[2]); n > maxConsoleLineBytes+10 || !strings.HasSuffix(st.Logs[2], "…") {
		t.Fatalf("a long line is cut: %d bytes", n)
	}
	if len(st.Logs) != maxConsoleLines+1 || st.Logs[maxConsoleLines] != "… 903 more console lines not shown" {
		t.Fatalf("%d lines, last %q", len(st.Logs), st.Logs[len(st.Logs)-1])
	}
}

func TestJSNode_SyntaxErrorIsFoundAtBuildWithTheUsersLine(t *testing.T) {
	for _, c := range []struct{ name, code, line, column, says string }{
		{"second line", "let a = 1;\nlet b = ;\nreturn a", "2", "9", "Unexpected token ;"},
		{"first line column is the user's", "return (;", "1", "9", "Unexpected token ;"},
		{"redeclared name", "let input = 1;\nreturn input", "1", "", "input"},
		{"closing the wrapper early", "return 1 }); (function() {", "", "", "more closing brackets"},
		{"missing brace", "if (true) {\n return 1", "", "", "SyntaxError"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, problems := Compile(jsTestFlow(t, jsConfigJSON(c.code, 0)))
			if len(problems) != 1 {
				t.Fatalf("problems %v", problems)
			}
			p := problems[0]
			if p.Code != CodeScriptSyntax || p.Node != "x" || p.Field != "code" {
				t.Fatalf("problem %+v", p)
			}
			if p.Params["line"] != c.line && c.line != "" || c.column != "" && p.Params["column"] != c.column {
				t.Fatalf("line %q column %q, want %q %q (%s)", p.Params["line"], p.Params["column"], c.line, c.column, p.Message)
			}
			if !strings.Contains(p.Message, c.says) || !strings.HasPrefix(p.Message, "JavaScript 'x': the JavaScript has an error: ") {
				t.Fatalf("message %q", p.Message)
			}
			if ru := p.Text("ru"); !strings.Contains(ru, "ошибка в коде JavaScript") {
				t.Fatalf("ru %q", ru)
			}
		})
	}
}

func TestJSNode_RuntimeErrorNamesTheUsersLine(t *testing.T) {
	tr, st := runJS(t, compileJS(t, "const p = input.params;\n\nreturn p.missing.toUpperCase()", 0), "name=Anna")
	if tr.Status != StatusFailed {
		t.Fatalf("run %s", tr.Status)
	}
	jsMustFail(t, st, CodeJSError, "TypeError: Cannot read property 'toUpperCase' of undefined or null (line 3)")
	if st.ErrorParams["line"] != "3" {
		t.Fatalf("params %v", st.ErrorParams)
	}
	_, st = runJS(t, compileJS(t, `throw {reason: "no phone"}`, 0), "")
	jsMustFail(t, st, CodeJSError, `the code threw {"reason":"no phone"}`)
}

func TestJSNode_InfiniteLoopStopsAtTheTimeoutAndTheNodeStillWorks(t *testing.T) {
	prog := compileJS(t, `if (input.params.loop) { while (true) {} } return "done"`, 150)
	start := time.Now()
	tr, st := runJS(t, prog, "loop=1")
	took := time.Since(start)
	if tr.Status != StatusFailed {
		t.Fatalf("run %s", tr.Status)
	}
	jsMustFail(t, st, CodeJSTimeout, "ran longer than 150 ms and was stopped")
	// Lower bound: not before the timeout. Upper bound only far from it (the machine is shared).
	if took < 150*time.Millisecond || took > 20*time.Second {
		t.Fatalf("stopped after %v", took)
	}
	for i := 0; i < 3; i++ {
		tr, st = runJS(t, prog, "")
		if out := jsMustSucceed(t, tr, st); out != "done" {
			t.Fatalf("run after the timeout: %v", out)
		}
	}
}

func TestJSNode_DefaultTimeoutIsOneSecond(t *testing.T) {
	start := time.Now()
	_, st := runJS(t, compileJS(t, `for (;;) {}`, 0), "")
	jsMustFail(t, st, CodeJSTimeout, "1000 ms")
	if took := time.Since(start); took < time.Second || took > 20*time.Second {
		t.Fatalf("stopped after %v", took)
	}
}

func TestJSNode_CanceledRunInterruptsTheScript(t *testing.T) {
	prog := compileJS(t, `while (true) {}`, 30000)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	start := time.Now()
	tr, err := prog.Run(ctx, queryPayload(""), fixedEnv(nil))
	if err != nil {
		t.Fatal(err)
	}
	// Well under the script's own 30 s limit: the cancel, not the timeout, stopped it.
	if took := time.Since(start); took > 20*time.Second {
		t.Fatalf("the script ran on for %v after the cancel", took)
	}
	st, _ := tr.Step("x")
	jsMustFail(t, st, CodeRunCanceled, "stopped before it finished")
}

func TestJSNode_RunawayCodeFailsCleanly(t *testing.T) {
	for _, c := range []struct{ name, code, code2, says string }{
		{"huge repeat", `return 'x'.repeat(1e9)`, CodeJSError, "RangeError: the text would be longer than"},
		{"huge padEnd", `return 'x'.padEnd(1e9)`, CodeJSError, "RangeError"},
		{"deep recursion", `function f(n) { return f(n + 1) + 1 } return f(0)`, CodeJSRecursion, "more than 1000 levels deep"},
		{"mutual recursion through a built-in", `const o = {toJSON() { return JSON.stringify(this) }}; return JSON.stringify(o)`, CodeJSRecursion, "levels deep"},
		{"result over the limit", `return 'x'.repeat(2 << 20)`, CodeJSTooLarge, "result of the JavaScript is larger than 1 MB"},
		{"many small items over the limit", `const a = []; for (let i = 0; i < 20000; i++) a.push("abcdefgh".repeat(8)); return a`, CodeJSTooLarge, "larger than 1 MB"},
		{"circular result", `const a = {}; a.self = a; return a`, CodeJSError, "circular"},
	} {
		t.Run(c.name, func(t *testing.T) {
			prog := compileJS(t, `if (input.params.go) { `+c.code+` } return "ok"`, 5000)
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			_, st := runJS(t, prog, "go=1")
			runtime.ReadMemStats(&after)
			jsMustFail(t, st, c.code2, c.says) // a guard that did not fire ends in the 5 s timeout instead
			if grew := after.TotalAlloc - before.TotalAlloc; grew > 200<<20 {
				t.Fatalf("allocated %d MB", grew>>20)
			}
			tr, st := runJS(t, prog, "")
			if out := jsMustSucceed(t, tr, st); out != "ok" {
				t.Fatalf("next run: %v", out)
			}
		})
	}
}

func TestJSNode_NoRequireProcessNetworkOrTimers(t *testing.T) {
	tr, st := runJS(t, compileJS(t, `return [typeof require, typeof process, typeof fetch, typeof XMLHttpRequest,
	  typeof setTimeout, typeof setInterval, typeof module, typeof Deno, typeof Uint8Array, typeof ArrayBuffer]`, 0), "")
	if got := asJSON(t, jsMustSucceed(t, tr, st)); got != `["undefined","undefined","undefined","undefined","undefined","undefined","undefined","undefined","undefined","undefined"]` {
		t.Fatalf("got %s", got)
	}
	_, st = runJS(t, compileJS(t, `return require("fs")`, 0), "")
	jsMustFail(t, st, CodeJSError, "ReferenceError: require is not defined (line 1)")
}

func TestJSNode_CannotChangeThePreviousStepsOutput(t *testing.T) {
	f := mustParse(t, `{"schema":1,"nodes":[{"id":"trigger","kind":"webhook"},
	  {"id":"lead","kind":"set","config":{"fields":[{"key":"name","value":"{{trigger.params.name}}"},{"key":"tags","value":"{{trigger.query.tag}}"}]}},
	  {"id":"x","kind":"js","config":{"code":"input.name = 'changed'; steps.lead.extra = 1; trigger.params.name = 'changed'; steps.trigger = null; delete steps.lead; return input"}},
	  {"id":"y","kind":"js","config":{"code":"return [steps.lead, trigger.params.name, steps.x.name]"}}],
	  "edges":[{"from":"trigger","to":"lead"},{"from":"lead","to":"x"},{"from":"x","to":"y"}]}`)
	tr, err := Run(context.Background(), f, queryPayload("name=Anna&tag=a&tag=b"), fixedEnv(nil))
	if err != nil {
		t.Fatal(err)
	}
	lead, _ := tr.Step("lead")
	if got := asJSON(t, lead.Output); got != `{"name":"Anna","tags":["a","b"]}` {
		t.Fatalf("lead's output was changed: %s", got)
	}
	y, _ := tr.Step("y")
	if got := asJSON(t, jsMustSucceed(t, tr, y)); got != `[{"name":"Anna","tags":["a","b"]},"Anna","changed"]` {
		t.Fatalf("y sees %s", got)
	}
}

func TestJSNode_PollutionInOneRunDoesNotReachTheNext(t *testing.T) {
	const probe = `return [({}).polluted, typeof [].push, "a".toUpperCase(), JSON.stringify({a: 1}), typeof leaked,
	  Math.max(1, 2), [1, 2].map(x => x * 2).join(), Object.keys({b: 1}).length, typeof console.log]`
	const clean = `[null,"function","A","{\"a\":1}","undefined",2,"2,4",1,"function"]`
	for _, pollution := range []string{
		`Object.prototype.polluted = 1`,
		`Object.defineProperty(Object.prototype, "polluted", {get() { return 1 }})`,
		`Array.prototype.push = null`,
		`delete Array.prototype.map`,
		`String.prototype.toUpperCase = () => "hacked"`,
		`JSON.stringify = () => "hacked"`,
		`globalThis.leaked = 1`,
		`Math.max = () => 0`,
		`Object.keys = () => []`,
		`Object.setPrototypeOf(Object.prototype, {polluted: 1})`,
		`console.log = null`,
		`Function.prototype.call = null`,
		`[].push.polluted = 1; Object.getPrototypeOf([][Symbol.iterator]()).next = null`,
	} {
		t.Run(pollution, func(t *testing.T) {
			prog := compileJS(t, `if (input.params.pollute) { try { `+pollution+` } catch (e) {} }
			`+probe, 0)
			for _, q := range []string{"pollute=1", "", "pollute=1", ""} {
				tr, st := runJS(t, prog, q)
				if got := asJSON(t, jsMustSucceed(t, tr, st)); got != clean {
					t.Fatalf("run %q sees %s", q, got)
				}
			}
		})
	}
}

func TestJSNode_OrdinaryCodeStillWorksWithFrozenBuiltIns(t *testing.T) {
	tr, st := runJS(t, compileJS(t, `
	class NotFound extends Error { constructor(m) { super(m); this.name = "NotFound"; } }
	const e = new NotFound("no lead");
	const o = {}; o.toString = () => "custom"; o.constructor = "c"; o.valueOf = () => 42;
	const err = new Error(); err.message = "set later";
	function Lead(n) { this.n = n } Lead.prototype.hello = function() { return "hi " + this.n };
	const list = [3, 1, 2]; list.sort(); list.push(4);
	return [e.name, String(e), String(o), o + 1, err.message, new Lead("Anna").hello(), list,
	  Object.entries({a: 1}), [..."ab"], Array.from(new Set([1, 1, 2])), "a-b".split("-"),
	  JSON.parse('{"x":[1]}').x, "x".padStart(3, "-"), [1, [2, [3]]].flat(2)]`, 0), "")
	want := `["NotFound","NotFound: no lead","custom",43,"set later","hi Anna",[1,2,3,4],[["a",1]],["a","b"],[1,2],["a","b"],[1],"--x",[1,2,3]]`
	if got := asJSON(t, jsMustSucceed(t, tr, st)); got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
}

func TestJSNode_TimeoutMustBeWithinLimits(t *testing.T) {
	_, problems := Compile(jsTestFlow(t, `{"code":"return 1","timeout_ms":60000}`))
	if len(problems) != 1 || problems[0].Code != CodeFieldRange || problems[0].Field != "timeout_ms" {
		t.Fatalf("problems %v", problems)
	}
	_, problems = Compile(jsTestFlow(t, `{"timeout_ms":100}`))
	if len(problems) != 1 || problems[0].Code != CodeFieldRequired || problems[0].Field != "code" {
		t.Fatalf("problems %v", problems)
	}
}

func TestJSNode_SourceMapCommentDoesNotReadFiles(t *testing.T) {
	if _, err := exec.LookPath("mkfifo"); err != nil {
		t.Skip("no mkfifo")
	}
	// Reading a named pipe without a writer blocks: if compiling read the file named in the
	// comment, this test would hang.
	fifo := filepath.Join(t.TempDir(), "map")
	if err := exec.Command("mkfifo", fifo).Run(); err != nil {
		t.Skip(err)
	}
	// goja resolves the name against the script's name ("code"), which makes it relative to the
	// working directory.
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	rel, err := filepath.Rel(wd, fifo)
	if err != nil {
		t.Skip(err)
	}
	done := make(chan []Problem, 1)
	go func() {
		_, problems := Compile(jsTestFlow(t, jsConfigJSON("return 1\n//# sourceMappingURL="+filepath.ToSlash(rel), 0)))
		done <- problems
	}()
	select {
	case problems := <-done:
		if len(problems) > 0 {
			t.Fatal(problems)
		}
	case <-time.After(5 * time.Second):
		_ = os.WriteFile(fifo, []byte("{}"), 0o600) // unblock the reader before failing
		t.Fatal("compiling read the source map file")
	}
}

func TestJSNode_SchemaDescribesEveryFieldInBothLanguages(t *testing.T) {
	for _, kind := range []string{"js", "filter"} {
		var info *KindInfo
		for _, k := range Kinds() {
			if k.Name == kind {
				info = &k
			}
		}
		if info == nil {
			t.Fatalf("kind %s is not registered", kind)
		}
		if info.Title.In("en") == "" || info.Title.In("ru") == "" || info.Help.In("en") == "" || info.Help.In("ru") == "" {
			t.Fatalf("%s: title/help %+v %+v", kind, info.Title, info.Help)
		}
		var walk func(prefix string, fields []Field)
		walk = func(prefix string, fields []Field) {
			for _, f := range fields {
				if f.Label.In("en") == "" || f.Label.In("ru") == "" || (f.Help.In("en") == "") != (f.Help.In("ru") == "") {
					t.Errorf("%s %s%s: label %+v help %+v", kind, prefix, f.Key, f.Label, f.Help)
				}
				if f.Type == FieldSelect && len(f.Options) == 0 {
					t.Errorf("%s %s%s: select without options", kind, prefix, f.Key)
				}
				walk(prefix+f.Key+".", f.Fields)
			}
		}
		walk("", info.Fields)
		var schema map[string]any
		if err := json.Unmarshal(info.Schema, &schema); err != nil {
			t.Fatal(err)
		}
		props := schema["properties"].(map[string]any)
		keys := make([]string, 0, len(props))
		for k := range props {
			keys = append(keys, k)
		}
		want := map[string][]string{"js": {"code", "timeout_ms"}, "filter": {"expression", "match", "rules"}}[kind]
		if !sameSet(keys, want) {
			t.Errorf("%s schema has %v, the format says %v", kind, keys, want)
		}
	}
}

func sameSet(a, b []string) bool {
	m := map[string]int{}
	for _, x := range a {
		m[x]++
	}
	for _, x := range b {
		m[x]--
	}
	for _, n := range m {
		if n != 0 {
			return false
		}
	}
	return true
}

func TestJSNode_ConcurrentRunsDoNotMixValues(t *testing.T) {
	prog := compileJS(t, `let s = 0; for (let i = 0; i < 200; i++) s += i; return input.params.n + ":" + s`, 0)
	errs := make(chan error, 8)
	for g := 0; g < 8; g++ {
		go func(g int) {
			for i := 0; i < 20; i++ {
				n := fmt.Sprint(g*100 + i)
				tr, err := prog.Run(context.Background(), queryPayload("n="+n), fixedEnv(nil))
				if err != nil {
					errs <- err
					return
				}
				st, _ := tr.Step("x")
				if !reflect.DeepEqual(st.Output, n+":19900") {
					errs <- fmt.Errorf("run %s got %v (%s)", n, st.Output, st.Error)
					return
				}
			}
			errs <- nil
		}(g)
	}
	for g := 0; g < 8; g++ {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}
