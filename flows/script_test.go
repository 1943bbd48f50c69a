package flows

import (
	"context"
	"encoding/json"
	"errors"
	"runtime"
	"strings"
	"testing"
	"time"
)

func mustScript(t *testing.T, code string, mode scriptMode) *script {
	t.Helper()
	s, err := compileScript("test", code, mode)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func bodyArg(input any) map[string]any {
	return map[string]any{"input": input, "steps": map[string]any{}, "inputs": map[string]any{}, "trigger": nil}
}

// On one and the same runtime (taken out of the pool by hand, so that the test does not depend
// on sync.Pool keeping it), whatever a run does to built-ins is gone or impossible in the next.
func TestScript_PollutionCannotReachTheNextRunOnTheSameRuntime(t *testing.T) {
	s := mustScript(t, `if (input === "pollute") {
	  const tries = [
	    () => { Object.prototype.polluted = 1 },
	    () => { Array.prototype.push = null },
	    () => { Object.defineProperty(Array.prototype, "polluted", {value: 1}) },
	    () => { String.prototype.trim = () => "hacked" },
	    () => { globalThis.leaked = input },
	    () => { Object.setPrototypeOf(Array.prototype, null) },
	    () => { JSON.parse = null },
	    () => { RegExp.prototype.exec = () => null },
	    () => { Error.prototype.toString = () => "hacked" },
	    () => { Object.getPrototypeOf(function*() {}).prototype.next = null },
	    () => { [].map.polluted = 1 },
	    () => { Object.getOwnPropertyDescriptor(Object.prototype, "__proto__").get.polluted = 1 },
	    () => { arguments.callee.polluted = 1 },
	  ];
	  let refused = 0;
	  for (const f of tries) { try { f() } catch (e) { if (e instanceof TypeError) refused++ } }
	  return refused;
	}
	return [({}).polluted, typeof [].push, [].polluted, " a ".trim(), typeof leaked, Object.getPrototypeOf([]) === Array.prototype,
	  JSON.parse("1"), /a/.test("a"), String(new Error("e")), typeof function*() {}().next, [].map.polluted]`, scriptBody)
	vm, err := s.newVM()
	if err != nil {
		t.Fatal(err)
	}
	refused, err := s.call(vm, bodyArg("pollute"))
	if err != nil {
		t.Fatal(err)
	}
	if refused != json.Number("12") { // all but arguments.callee, which strict mode refuses with a TypeError too
		t.Logf("refused %v of 13 attempts", refused)
	}
	out, err := s.call(vm, bodyArg("probe"))
	if err != nil {
		t.Fatal(err)
	}
	data, _ := json.Marshal(out)
	if want := `[null,"function",null,"a","undefined",true,1,true,"Error: e","function",null]`; string(data) != want {
		t.Fatalf("the second run on the same runtime sees\n %s\nwant %s", data, want)
	}
}

// An expression runs in sloppy mode (for `with`): assignments that would fail loudly in a body
// fail silently there, but must not stick either.
func TestScript_ExpressionCannotPolluteItsRuntime(t *testing.T) {
	s := mustScript(t, `pollute ? (Object.prototype.x = 1, Array.prototype.push = null, this.leak = 1, 0) : [({}).x, typeof [].push, typeof leak]`, scriptExpression)
	vm, err := s.newVM()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.call(vm, map[string]any{"pollute": true}); err != nil {
		t.Fatal(err)
	}
	out, err := s.call(vm, map[string]any{"pollute": false})
	if err != nil {
		t.Fatal(err)
	}
	if data, _ := json.Marshal(out); string(data) != `[null,"function","undefined"]` {
		t.Fatalf("got %s", data)
	}
}

func TestScript_ExpressionNamesComeFromItsArgument(t *testing.T) {
	for _, c := range []struct {
		expr string
		arg  map[string]any
		want string
	}{
		{`status == "success"`, map[string]any{"status": "success"}, `true`},
		{`missing === undefined && typeof missing === "undefined"`, map[string]any{}, `true`},
		{`Math.max(a, 2)`, map[string]any{"a": json.Number("5")}, `5`},
		{`Math`, map[string]any{"Math": "a step called Math"}, `"a step called Math"`},
		{`typeof toString + typeof constructor`, map[string]any{}, `"functionfunction"`},
		{`response.json.ok && response.status < 300`, map[string]any{"response": map[string]any{"status": json.Number("200"), "json": map[string]any{"ok": true}}}, `true`},
		{`trigger.params.sum > 1000`, map[string]any{"trigger": map[string]any{"params": map[string]any{"sum": "1990"}}}, `true`},
	} {
		s := mustScript(t, c.expr, scriptExpression)
		out, _, err := s.run(context.Background(), c.arg, 0)
		if err != nil {
			t.Fatalf("%s: %v", c.expr, err)
		}
		if data, _ := json.Marshal(out); string(data) != c.want {
			t.Errorf("%s = %s, want %s", c.expr, data, c.want)
		}
	}
}

func TestScript_TimedOutRuntimeIsNotReused(t *testing.T) {
	s := mustScript(t, `if (input) { while (true) {} } return 1`, scriptBody)
	_, _, err := s.run(context.Background(), bodyArg(true), 50*time.Millisecond)
	if !errors.Is(err, errScriptTimeout) {
		t.Fatalf("err %v", err)
	}
	// Whatever the pool holds now was never interrupted: a run right after works at once.
	for i := 0; i < 5; i++ {
		out, _, err := s.run(context.Background(), bodyArg(false), 50*time.Millisecond)
		if err != nil || out != json.Number("1") {
			t.Fatalf("run %d after a timeout: %v %v", i, out, err)
		}
	}
}

func TestScript_CanceledContextStopsARunningScript(t *testing.T) {
	s := mustScript(t, `while (true) {}`, scriptBody)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, _, err := s.run(ctx, bodyArg(nil), MaxScriptTimeout)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err %v", err)
	}
	if took := time.Since(start); took > 20*time.Second { // far under MaxScriptTimeout (30 s)
		t.Fatalf("took %v", took)
	}
	if _, _, err := s.run(ctx, bodyArg(nil), 0); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("a run with a done context should not start: %v", err)
	}
}

// Built-ins that would build a huge value in one native call (which an interrupt cannot stop)
// refuse up front.
func TestScript_BuiltInsRefuseHugeValuesWithoutAllocatingThem(t *testing.T) {
	for _, code := range []string{
		`'x'.repeat(1e9)`,
		`'ab'.repeat(3e6)`,
		`'x'.padStart(2e9)`,
		`'x'.padEnd(1e9, 'ab')`,
		`Array(1e9).join('')`,
		`Array(5e5).fill('ab'.repeat(100)).join('')`,
		`String(Array(3e7))`,
		`Array(1e9).fill(0)`,
		`new Array(1e8).map(x => 1)`,
		`new Array(1e8).indexOf(1)`,
		`Array.prototype.fill.call({length: 1e9}, 0)`,
		`[...Array(1e8)]`,
		`Math.max(...Array(1e8))`,
		`Array.from({length: 1e9})`,
		`Array.from(Array(1e9))`,
		`new Set(Array(1e9))`,
		`Array(1e6).concat(Array(1e6))`,
		`Array(1e3).fill(Array(1e4).fill(1)).flat()`,
		`(() => { const big = Array(1e5).fill(1); return Array(10).fill(0).flatMap(() => big) })()`,
		`String.fromCharCode.apply(null, Array(1e7))`,
		`Reflect.apply(Math.max, null, Array(1e7))`,
		`JSON.stringify(Array(1e4).fill('x'.repeat(1e5)))`,
		`JSON.stringify(Array(2e5).fill({a: 1}), null, 10)`,
		`(() => { let o = {}; for (let i = 0; i < 5000; i++) o = {a: o}; return JSON.stringify(o) })()`,
		`'x'.repeat(1000).replace(/x/g, () => 'y'.repeat(1e5))`,
		`'x'.repeat(4e6).replace(/x/g, 'yy')`,
		`'x'.repeat(3e6).replaceAll('x', '$&$&')`,
		`new Uint8Array(1e9)`,
		`new ArrayBuffer(1e9)`,
	} {
		t.Run(code, func(t *testing.T) {
			s := mustScript(t, "return "+code, scriptBody)
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			// A refusal is a RangeError; a guard that did not fire would end in the timeout or an
			// allocation far above the bound below. (No wall-clock bound: the machine is shared, and
			// the slowest refusal takes several seconds under -race on a loaded machine.)
			_, _, err := s.run(context.Background(), bodyArg(nil), 60*time.Second)
			runtime.ReadMemStats(&after)
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), "RangeError") && !strings.Contains(err.Error(), "ReferenceError") {
				t.Fatalf("err %v", err)
			}
			if grew := after.TotalAlloc - before.TotalAlloc; grew > 256<<20 {
				t.Fatalf("allocated %d MB", grew>>20)
			}
		})
	}
}

// The same built-ins still do their ordinary work.
func TestScript_GuardedBuiltInsBehaveAsUsual(t *testing.T) {
	s := mustScript(t, `return [
	  "ab".repeat(3), "5".padStart(3, "0"), [1, 2, 3].join("-"), String([1, [2, 3]]), Array(3).fill(0),
	  [1, 2, 3].map(x => x * 2), [...[1, 2]], Math.max(...[1, 5, 3]), Array.from("ab"), Array.from({length: 2}, (_, i) => i),
	  [1].concat([2], 3), [[1], [2, [3]]].flat(Infinity), [1, 2].flatMap(x => [x, x]),
	  Math.max.apply(null, [1, 9]), Reflect.apply(Math.min, null, [4, 2]),
	  JSON.stringify({a: [1, {b: "c"}], d: undefined}), JSON.stringify({a: 1, b: 2}, ["b"]), JSON.stringify({a: 5}, (k, v) => typeof v === "number" ? v * 2 : v),
	  JSON.stringify([new Date(0)]), JSON.stringify("x", null, 2),
	  "a-b-c".replace("-", "+"), "a-b-c".replace(/-/g, "+"), "a-b-c".replaceAll("-", "$&$&"), "abc".replace(/b/, m => m.toUpperCase()),
	  "John Smith".replace(/(\w+)\s(\w+)/, "$2, $1"), [...new Map([["k", 1]]).keys()], Object.fromEntries([["x", 1]]),
	]`, scriptBody)
	out, _, err := s.run(context.Background(), bodyArg(nil), 0)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := json.Marshal(out)
	want := `["ababab","005","1-2-3","1,2,3",[0,0,0],[2,4,6],[1,2],5,["a","b"],[0,1],[1,2,3],[1,2,3],[1,1,2,2],9,2,` +
		`"{\"a\":[1,{\"b\":\"c\"}]}","{\"b\":2}","{\"a\":10}","[\"1970-01-01T00:00:00.000Z\"]","\"x\"",` +
		`"a+b-c","a+b+c","a--b--c","aBc","Smith, John",["k"],{"x":1}]`
	if string(data) != want {
		t.Fatalf("got  %s\nwant %s", data, want)
	}
}

func TestScript_InputsAreCopiesOfTheHostValues(t *testing.T) {
	in := map[string]any{"name": "Anna", "tags": []any{"a"}, "deep": map[string]any{"n": json.Number("1")}}
	s := mustScript(t, `input.name = "x"; input.tags.push("b"); input.deep.n = 2; delete input.deep; return input`, scriptBody)
	out, _, err := s.run(context.Background(), bodyArg(in), 0)
	if err != nil {
		t.Fatal(err)
	}
	if data, _ := json.Marshal(in); string(data) != `{"deep":{"n":1},"name":"Anna","tags":["a"]}` {
		t.Fatalf("host value changed: %s", data)
	}
	if data, _ := json.Marshal(out); string(data) != `{"name":"x","tags":["a","b"]}` {
		t.Fatalf("result %s", data)
	}
}

func TestScript_KeysNamedLikeBuiltInsAreOrdinaryData(t *testing.T) {
	in := map[string]any{"__proto__": map[string]any{"polluted": true}, "constructor": "c", "toString": "t", "hasOwnProperty": "h"}
	s := mustScript(t, `return [input.constructor, input.toString, input.hasOwnProperty, ({}).polluted, Object.keys(input).sort(), input.__proto__.polluted]`, scriptBody)
	out, _, err := s.run(context.Background(), bodyArg(in), 0)
	if err != nil {
		t.Fatal(err)
	}
	if data, _ := json.Marshal(out); string(data) != `["c","t","h",null,["__proto__","constructor","hasOwnProperty","toString"],true]` {
		t.Fatalf("got %s", data)
	}
}

func TestScript_InputLimits(t *testing.T) {
	big := strings.Repeat("x", maxScriptInputBytes)
	s := mustScript(t, `return input.length`, scriptBody)
	_, _, err := s.run(context.Background(), bodyArg(big), 0)
	var size *scriptSizeError
	if !errors.As(err, &size) || size.what != "input" {
		t.Fatalf("err %v", err)
	}
	// steps are copied in when read, and the limit applies then.
	s = mustScript(t, `return steps.big.length`, scriptBody)
	_, _, err = s.run(context.Background(), map[string]any{"steps": map[string]any{"big": big}}, 0)
	if !errors.As(err, &size) || size.what != "input" {
		t.Fatalf("err %v", err)
	}
	// ...and costs nothing when not read.
	s = mustScript(t, `return Object.keys(steps)`, scriptBody)
	out, _, err := s.run(context.Background(), map[string]any{"steps": map[string]any{"big": big}}, 0)
	if err != nil || len(out.([]any)) != 1 {
		t.Fatalf("%v %v", out, err)
	}
	var deep any = "x"
	for i := 0; i < maxScriptDepth+5; i++ {
		deep = []any{deep}
	}
	_, _, err = mustScript(t, `return 1`, scriptBody).run(context.Background(), bodyArg(deep), 0)
	if err == nil || !strings.Contains(err.Error(), "nested deeper") {
		t.Fatalf("err %v", err)
	}
}

func TestScript_CompiledOnceAndShared(t *testing.T) {
	a := mustScript(t, "return 'shared'", scriptBody)
	b := mustScript(t, "return 'shared'", scriptBody)
	c := mustScript(t, "'shared'", scriptExpression)
	if a != b || a == c {
		t.Fatal("the same code in the same mode should be one compiled script")
	}
}

// Runtimes are expensive to make, so they are kept across garbage collections (a sync.Pool
// would drop them and a busy server would rebuild them all the time).
func TestScript_RuntimesAreReusedAcrossGarbageCollections(t *testing.T) {
	s := mustScript(t, `return "reuse " + input`, scriptBody)
	if _, _, err := s.run(context.Background(), bodyArg("1"), 0); err != nil {
		t.Fatal(err)
	}
	first := s.takeIdle()
	if first == nil {
		t.Fatal("the runtime was not kept")
	}
	s.release(first)
	runtime.GC()
	runtime.GC()
	if _, _, err := s.run(context.Background(), bodyArg("2"), 0); err != nil {
		t.Fatal(err)
	}
	if again := s.takeIdle(); again != first {
		t.Fatal("a new runtime was made although an idle one was kept")
	}
}

func TestScript_IdleRuntimesAreBounded(t *testing.T) {
	s := mustScript(t, `return "bounded"`, scriptBody)
	vms := make([]*scriptVM, maxIdleVMs+10)
	for i := range vms {
		vm, err := s.newVM()
		if err != nil {
			t.Fatal(err)
		}
		vms[i] = vm
	}
	for _, vm := range vms {
		s.release(vm)
	}
	idleVMs.Lock()
	total, mine := idleVMs.list.Len(), len(s.idle)
	idleVMs.Unlock()
	if total > maxIdleVMs || mine > maxIdleVMs {
		t.Fatalf("%d idle runtimes kept (%d of this script), at most %d", total, mine, maxIdleVMs)
	}
	// The most recently released are the ones kept.
	if got := s.takeIdle(); got != vms[len(vms)-1] {
		t.Fatal("the newest idle runtime was dropped")
	}
	for s.takeIdle() != nil {
	}
}
