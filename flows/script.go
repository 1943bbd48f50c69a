package flows

import (
	"container/list"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/big"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unsafe"

	"github.com/dlclark/regexp2/v2"
	"github.com/dop251/goja"
	"github.com/dop251/goja/ast"
	"github.com/dop251/goja/parser"
)

// User JavaScript (js nodes, filter expressions, http success conditions) runs on goja.
//
// A script is compiled once and runs on reused runtimes, so a run pays for a call, not for a new
// interpreter. A runtime is hardened once when it is made (see scriptPrelude): every built-in
// object is frozen, so what one run does to Object.prototype or Array.prototype cannot reach the
// next run on the same runtime; built-ins that could allocate without bound in one native call
// (repeat, padStart, join, fill, JSON.stringify, spreading a huge array, …) check sizes first;
// typed arrays and ArrayBuffer are removed. There is no require, no process, no timers and no
// network: goja has none of them and nothing is added but console.
//
// Values cross the boundary as copies: the host's maps become fresh JavaScript objects, and the
// result is read back into plain JSON values, so a script can never change another step's output.
// A run is stopped at its timeout or when ctx is done (vm.Interrupt); a runtime that was stopped
// mid-flight, or that may have been, is thrown away rather than reused.
//
// Known limits: goja only checks for an interrupt between JavaScript instructions, so one native
// call on a huge value runs to its end; strings built with + in a loop are not capped (a doubling
// loop reaches hundreds of MB within a second); and there is no memory limit per script. In the
// browser (wasm) the timer cannot fire while a script is busy, so the preview runs in a Web Worker
// that is terminated on timeout.

// Limits of user JavaScript.
const (
	DefaultScriptTimeout = 1 * time.Second
	MaxScriptTimeout     = 30 * time.Second
	MaxScriptIOBytes     = 1 << 20 // JSON size of what a script returns
	maxScriptInputBytes  = 8 << 20 // about the JSON size of what goes into a script
	maxScriptString      = 4 << 20 // longest text repeat/padStart/padEnd/join/replace/JSON.stringify may build
	maxScriptArray       = 1 << 18 // longest list a built-in walks in one native call (goja takes ~0.3 s for that)
	maxScriptArgs        = 1 << 16 // most arguments passed with apply
	maxScriptCallDepth   = 1000
	maxScriptDepth       = 1000 // nesting of values going in and out
	maxConsoleLines      = 100
	maxConsoleLineBytes  = 2000
	scriptRegexpTimeout  = 2 * time.Second // one backtracking regexp match (lookahead, backreferences)
	scriptFile           = "code"          // the file name user code is compiled under
)

func init() {
	// goja runs patterns with lookarounds or backreferences on regexp2, which backtracks and is
	// not interruptible; without a match timeout /(a|a)*b/ on hostile input runs forever.
	// (Patterns that RE2 can run go to Go's regexp and take linear time.)
	if regexp2.DefaultMatchTimeout > scriptRegexpTimeout {
		regexp2.DefaultMatchTimeout = scriptRegexpTimeout
	}
}

var (
	errScriptTimeout  = errors.New("script timeout")
	errScriptCanceled = errors.New("script canceled")
)

// scriptMode says how user code is wrapped.
type scriptMode int

const (
	// scriptBody is a function body using `return`; it sees input, steps, inputs and trigger.
	scriptBody scriptMode = iota
	// scriptExpression is one expression; every member of the argument object (step ids, or a
	// response's JSON fields) is a name in it: `status == "success"`. A name that is neither a
	// member nor a global is undefined rather than an error.
	scriptExpression
)

// The wrappers put the user's first line on the wrapper's first line, so that line numbers in
// errors are the user's own; columns on line 1 are corrected by the prefix length.
const (
	scriptBodyPrefix = `(function(input, steps, inputs, trigger) { "use strict"; `
	scriptBodySuffix = "\n})"
	scriptExprPrefix = `(function(__arg) { with (__scope(__arg)) { return (`
	scriptExprSuffix = "\n); } })"
)

// script is user JavaScript compiled once.
type script struct {
	prog   *goja.Program
	mode   scriptMode
	prefix int             // length of the wrapper before the user's code on line 1
	idle   []*list.Element // this script's idle runtimes in idleVMs, oldest first
	fresh  bool            // never reuse a runtime (benchmark baseline)
}

// Idle runtimes wait in one process-wide list, most recently used first. A hardened runtime
// costs milliseconds to make (every built-in is materialised and frozen) and holds about half a
// megabyte, so they are kept on purpose rather than in a sync.Pool, which empties at every
// garbage collection: at most maxIdleVMs of them, none idle longer than idleVMTTL.
const (
	maxIdleVMs = 64
	idleVMTTL  = 5 * time.Minute
)

var idleVMs struct {
	sync.Mutex
	list list.List // of *idleVM
}

type idleVM struct {
	s     *script
	vm    *scriptVM
	since time.Time
}

func (s *script) takeIdle() *scriptVM {
	idleVMs.Lock()
	defer idleVMs.Unlock()
	n := len(s.idle)
	if n == 0 {
		return nil
	}
	e := s.idle[n-1]
	s.idle[n-1] = nil
	s.idle = s.idle[:n-1]
	idleVMs.list.Remove(e)
	return e.Value.(*idleVM).vm
}

func (s *script) release(vm *scriptVM) {
	now := time.Now()
	idleVMs.Lock()
	defer idleVMs.Unlock()
	s.idle = append(s.idle, idleVMs.list.PushFront(&idleVM{s: s, vm: vm, since: now}))
	for {
		back := idleVMs.list.Back()
		if back == nil {
			return
		}
		old := back.Value.(*idleVM)
		if idleVMs.list.Len() <= maxIdleVMs && now.Sub(old.since) < idleVMTTL {
			return
		}
		// The globally oldest idle runtime is also the oldest of its script.
		old.s.idle[0] = nil
		old.s.idle = old.s.idle[1:]
		idleVMs.list.Remove(back)
	}
}

// scriptError is an error thrown by (or found in) user code, with the user's line.
type scriptError struct {
	msg       string
	line      int
	column    int
	recursion bool // the call stack limit was hit
}

func (e *scriptError) Error() string {
	switch {
	case e.line > 0 && e.column > 0:
		return fmt.Sprintf("%s (line %d, column %d)", e.msg, e.line, e.column)
	case e.line > 0:
		return fmt.Sprintf("%s (line %d)", e.msg, e.line)
	}
	return e.msg
}

// scriptErrorParams are the problem parameters of a script error: detail, and line when known.
func scriptErrorParams(err error) Params {
	p := Params{"detail": err.Error()}
	var se *scriptError
	if errors.As(err, &se) && se.line > 0 {
		p["line"] = strconv.Itoa(se.line)
		if se.column > 0 {
			p["column"] = strconv.Itoa(se.column)
		}
	}
	return p
}

type scriptSizeError struct {
	what  string // "input" or "result"
	limit int
}

func (e *scriptSizeError) Error() string {
	return fmt.Sprintf("the %s is larger than %s", e.what, sizeText(e.limit))
}

func sizeText(n int) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%d MB", n>>20)
	}
	return fmt.Sprintf("%d KB", n>>10)
}

// Compiled scripts are shared by their source: flows.Run compiles the flow on every call, and
// validating in the editor compiles it on every keystroke, so a cache keeps both from paying
// for parsing and, above all, for new runtimes. Scripts hold no state between runs.
type scriptKey struct {
	mode scriptMode
	code string
}

const maxCachedScripts = 512

var scriptCache = struct {
	sync.Mutex
	m map[scriptKey]*script
}{m: map[scriptKey]*script{}}

// compileScript compiles user code once; name is only used in messages of the caller.
func compileScript(name, code string, mode scriptMode) (*script, error) {
	key := scriptKey{mode, code}
	scriptCache.Lock()
	s := scriptCache.m[key]
	scriptCache.Unlock()
	if s != nil {
		return s, nil
	}
	prefix, suffix := scriptBodyPrefix, scriptBodySuffix
	if mode == scriptExpression {
		prefix, suffix = scriptExprPrefix, scriptExprSuffix
	}
	prog, err := compileWrapped(prefix, code, suffix)
	if err != nil {
		return nil, err
	}
	s = &script{prog: prog, mode: mode, prefix: len(prefix)}
	scriptCache.Lock()
	if len(scriptCache.m) >= maxCachedScripts {
		for k := range scriptCache.m { // drop an arbitrary half
			delete(scriptCache.m, k)
			if len(scriptCache.m) < maxCachedScripts/2 {
				break
			}
		}
	}
	if old := scriptCache.m[key]; old != nil {
		s = old
	} else {
		scriptCache.m[key] = s
	}
	scriptCache.Unlock()
	return s, nil
}

func compileWrapped(prefix, code, suffix string) (*goja.Program, error) {
	src := prefix + code + suffix
	// Source maps off: goja would otherwise read the file a //# sourceMappingURL= comment names.
	tree, err := parser.ParseFile(nil, scriptFile, src, 0, parser.WithDisableSourceMaps)
	if err != nil {
		var list parser.ErrorList
		if errors.As(err, &list) && len(list) > 0 {
			return nil, syntaxError(list[0].Message, list[0].Position.Line, list[0].Position.Column, len(prefix))
		}
		return nil, &scriptError{msg: "SyntaxError: " + err.Error()}
	}
	// Code such as `}); (function() {` would close the wrapper early and make the program
	// something else than one function.
	if len(tree.Body) != 1 {
		return nil, &scriptError{msg: "SyntaxError: there are more closing brackets than opening ones"}
	}
	if st, ok := tree.Body[0].(*ast.ExpressionStatement); !ok {
		return nil, &scriptError{msg: "SyntaxError: there are more closing brackets than opening ones"}
	} else if _, ok := st.Expression.(*ast.FunctionLiteral); !ok {
		return nil, &scriptError{msg: "SyntaxError: there are more closing brackets than opening ones"}
	}
	prog, err := goja.CompileAST(tree, false)
	if err != nil {
		var ce *goja.CompilerSyntaxError
		if errors.As(err, &ce) && ce.File != nil {
			pos := ce.File.Position(ce.Offset)
			return nil, syntaxError(ce.Message, pos.Line, pos.Column, len(prefix))
		}
		return nil, &scriptError{msg: "SyntaxError: " + cleanScriptError(err.Error())}
	}
	return prog, nil
}

func syntaxError(msg string, line, column, prefix int) error {
	if line == 1 {
		column -= prefix
	}
	if column < 1 {
		column = 1
	}
	return &scriptError{msg: "SyntaxError: " + msg, line: line, column: column}
}

// cleanScriptError drops goja's wrapper frames from messages so users see their own line numbers.
func cleanScriptError(msg string) string {
	if i := strings.Index(msg, " at "); i > 0 && strings.Contains(msg[i:], "(native)") {
		msg = msg[:i]
	}
	return strings.TrimSpace(msg)
}

// scriptVM is one hardened runtime with the script's function loaded.
type scriptVM struct {
	rt      *goja.Runtime
	fn      goja.Callable
	logs    []string
	dropped int
	broken  bool // a Go panic went through the runtime: do not reuse it
}

// scriptPrelude hardens a fresh runtime. It runs once per runtime, before any user code.
const scriptPrelude = `(function(maxString, maxLength, maxArgs, maxDepth) {
"use strict";
const g = globalThis, O = Object, A = Array, R = Reflect, S = String, N = Number;
const apply = R.apply, ownKeys = R.ownKeys, deleteProperty = R.deleteProperty,
	getProto = O.getPrototypeOf, defineProperty = O.defineProperty, getOwnDesc = O.getOwnPropertyDescriptor,
	freeze = O.freeze, isArray = A.isArray, hasOwn = O.prototype.hasOwnProperty, floor = Math.floor,
	RE = RegExp, matchAll = S.prototype.match, SetCtor = Set, push = A.prototype.push, pop = A.prototype.pop;
// Once the prelude has run every built-in is frozen, so the wrappers below may call built-in
// methods directly (s.indexOf, f.call): user code can no longer replace them.

// Nothing a transform needs, and each of them allocates its whole length at once.
const removed = ["ArrayBuffer", "SharedArrayBuffer", "DataView", "Int8Array", "Uint8Array", "Uint8ClampedArray",
	"Int16Array", "Uint16Array", "Int32Array", "Uint32Array", "Float16Array", "Float32Array", "Float64Array",
	"BigInt64Array", "BigUint64Array"];
for (let i = 0; i < removed.length; i++) deleteProperty(g, removed[i]);

// Intrinsics that no global property leads to.
const hidden = [
	getProto([][Symbol.iterator]()), getProto(new Map()[Symbol.iterator]()), getProto(new Set()[Symbol.iterator]()),
	getProto(""[Symbol.iterator]()), getProto(/a/[Symbol.matchAll]("a")),
	getProto(function*() {}), getProto(function*() {}()), getProto(async function() {}), getProto(() => {}),
];
try { hidden.push(getProto(Function("return async function*() {}")())); } catch (e) {}

function tooLong() { throw new RangeError("the text would be longer than " + maxString + " characters"); }
function tooMany() { throw new RangeError("the list would have more than " + maxLength + " items"); }
function tooDeep() { throw new RangeError("the value is nested deeper than " + maxDepth + " levels"); }
function toLength(v) { v = +v; if (!(v > 0)) return 0; return v > 9007199254740991 ? 9007199254740991 : floor(v); }
function lengthOf(o) { return o == null ? 0 : toLength(O(o).length); }

function replace(obj, key, make) {
	const orig = obj[key];
	if (typeof orig !== "function") return;
	const f = make(orig);
	defineProperty(f, "name", {value: typeof key === "symbol" ? "[" + key.description + "]" : key});
	defineProperty(f, "length", {value: orig.length});
	defineProperty(obj, key, {value: f, writable: true, enumerable: false, configurable: true});
}

// Text builders.
const SP = S.prototype;
replace(SP, "repeat", orig => function(count) {
	const n = +count;
	if (n > 0 && this != null && S(this).length * n > maxString) tooLong();
	return apply(orig, this, arguments);
});
for (const name of ["padStart", "padEnd"]) replace(SP, name, orig => function(length) {
	if (+length > maxString) tooLong();
	return apply(orig, this, arguments);
});
for (const name of ["replace", "replaceAll"]) replace(SP, name, orig => function(pattern, replacement) {
	if (this == null) return apply(orig, this, arguments);
	const s = typeof this === "string" ? this : S(this);
	if (typeof replacement === "function") {
		let used = s.length;
		const f = replacement;
		return orig.call(s, pattern, function() {
			const r = S(apply(f, this, arguments));
			if ((used += r.length) > maxString) tooLong();
			return r;
		});
	}
	const r = typeof replacement === "string" ? replacement : S(replacement);
	const dollar = r.indexOf("$") >= 0;
	if (!dollar && (s.length + 1) * (r.length + 1) <= maxString) return orig.call(s, pattern, r);
	// Each replacement adds r, and each $-pattern in r at most the whole text: count the matches,
	// up to the number that would make the result too long.
	let dollars = 0;
	for (let i = r.indexOf("$"); i >= 0; i = r.indexOf("$", i + 1)) dollars++;
	const each = r.length + dollars * s.length;
	const allowed = floor((maxString - s.length) / (each || 1));
	const cap = allowed < 0 ? 1 : allowed + 1;
	const isRegExp = pattern instanceof RE;
	const global = name === "replaceAll" || (isRegExp && pattern.global);
	let n = 0;
	if (isRegExp) {
		const re = new RE(pattern.source, pattern.global ? pattern.flags : pattern.flags + "g");
		for (let m; n < cap && (m = re.exec(s)) !== null; n++) {
			if (m[0] === "") re.lastIndex++;
			if (!global) { n++; break; }
		}
	} else {
		const p = S(pattern);
		for (let i = s.indexOf(p); i >= 0 && n < cap; i = s.indexOf(p, i + (p.length || 1))) {
			n++;
			if (!global) break;
		}
	}
	if (n > 0 && s.length + n * each > maxString) tooLong();
	return orig.call(s, pattern, r);
});

// Lists: every built-in that walks a list in one native call checks its length first.
const AP = A.prototype;
for (const name of ["copyWithin", "every", "fill", "filter", "find", "findIndex", "findLast", "findLastIndex",
	"forEach", "includes", "indexOf", "lastIndexOf", "map", "reduce", "reduceRight", "reverse", "shift", "slice",
	"some", "sort", "splice", "toLocaleString", "unshift", "toReversed", "toSorted", "toSpliced", "with",
	"keys", "entries", "values"]) {
	replace(AP, name, orig => function() {
		if (lengthOf(this) > maxLength) tooMany();
		return apply(orig, this, arguments);
	});
}
defineProperty(AP, Symbol.iterator, {value: AP.values, writable: true, enumerable: false, configurable: true});
replace(AP, "join", orig => function(sep) {
	const o = O(this), n = lengthOf(o);
	if (n > maxLength) tooMany();
	let total = n > 0 ? (n - 1) * (sep === undefined ? 1 : S(sep).length) : 0;
	if (total > maxString) tooLong();
	for (let i = 0; i < n; i++) {
		const v = o[i];
		if (typeof v === "string" && (total += v.length) > maxString) tooLong();
	}
	return apply(orig, this, arguments);
});
replace(AP, "concat", orig => function() {
	let n = lengthOf(this);
	for (let i = 0; i < arguments.length; i++) n += isArray(arguments[i]) ? lengthOf(arguments[i]) : 1;
	if (n > maxLength) tooMany();
	return apply(orig, this, arguments);
});
function flatSize(o, depth, n) {
	const len = lengthOf(o);
	if (len > maxLength) tooMany();
	for (let i = 0; i < len; i++) {
		const v = o[i];
		if (depth > 0 && isArray(v)) n = flatSize(v, depth - 1, n);
		else if (++n > maxLength) tooMany();
	}
	return n;
}
replace(AP, "flat", orig => function(depth) {
	flatSize(O(this), depth === undefined ? 1 : +depth, 0);
	return apply(orig, this, arguments);
});
replace(AP, "flatMap", orig => function(f, thisArg) {
	if (lengthOf(this) > maxLength) tooMany();
	if (typeof f !== "function") return apply(orig, this, arguments);
	let n = 0;
	return apply(orig, this, [function(v, i, a) {
		const r = apply(f, this, [v, i, a]);
		if ((n += isArray(r) ? lengthOf(r) : 1) > maxLength) tooMany();
		return r;
	}, thisArg]);
});
replace(A, "from", orig => function(items) {
	if (items != null && (items[Symbol.iterator] === undefined || isArray(items)) && lengthOf(items) > maxLength) tooMany();
	return apply(orig, this, arguments);
});

// Argument lists built from arrays.
function tooManyArgs() { throw new RangeError("more than " + maxArgs + " arguments"); }
replace(Function.prototype, "apply", orig => function(thisArg, args) {
	if (lengthOf(args) > maxArgs) tooManyArgs();
	return apply(orig, this, arguments);
});
replace(R, "apply", orig => function(f, thisArg, args) {
	if (lengthOf(args) > maxArgs) tooManyArgs();
	return apply(orig, this, arguments);
});
replace(R, "construct", orig => function(f, args) {
	if (lengthOf(args) > maxArgs) tooManyArgs();
	return apply(orig, this, arguments);
});

// JSON.stringify counts what it writes through a replacer, which also bounds nesting.
function counting(user, gap) {
	let used = 0;
	const stack = [];
	return function(k, v) {
		if (user !== null) v = apply(user, this, [k, v]);
		while (stack.length > 0 && stack[stack.length - 1] !== this) apply(pop, stack, []);
		if (typeof v === "object" && v !== null) {
			apply(push, stack, [v]);
			if (stack.length > maxDepth) tooDeep();
		}
		used += k.length + 4 + gap * stack.length + (typeof v === "string" ? v.length : 4);
		if (used > maxString) tooLong();
		return v;
	};
}
replace(JSON, "stringify", orig => function(value, replacer, space) {
	let gap = 0;
	if (typeof space === "number") gap = space >= 10 ? 10 : space >= 1 ? floor(space) : 0;
	else if (typeof space === "string") gap = space.length > 10 ? 10 : space.length;
	if (isArray(replacer)) {
		apply(orig, JSON, [value, counting(null, gap), space]); // a dry run within the limits
		return apply(orig, JSON, [value, replacer, space]);
	}
	return apply(orig, JSON, [value, counting(typeof replacer === "function" ? replacer : null, gap), space]);
});

// Names of an expression: members of its argument first, then globals, else undefined.
const scopeHandler = {
	has(t, k) { return typeof k === "string" && (k in t || !(k in g)); },
	get(t, k) { return k === Symbol.unscopables ? undefined : t[k]; },
};
defineProperty(g, "__scope", {value: function(target) { return new Proxy(target, scopeHandler); }});

// Frozen built-ins make "obj.toString = f" fail where an inherited read-only property of the same
// name exists (the "override mistake"). For the names user code assigns in practice, the data
// property becomes an accessor whose setter defines an own property on the object assigned to.
function tame(obj, key) {
	const d = getOwnDesc(obj, key);
	if (d === undefined || !apply(hasOwn, d, ["value"])) return;
	const value = d.value;
	defineProperty(obj, key, {
		get: function() { return value; },
		set: function(v) {
			if (this === obj) throw new TypeError("Cannot change the built-in " + S(key));
			defineProperty(this, key, {value: v, writable: true, enumerable: true, configurable: true});
		},
		enumerable: d.enumerable, configurable: false,
	});
}
for (const key of ownKeys(O.prototype)) if (key !== "__proto__") tame(O.prototype, key);
for (const E of [Error, EvalError, RangeError, ReferenceError, SyntaxError, TypeError, URIError]) {
	for (const key of ["name", "message", "constructor", "toString"]) tame(E.prototype, key);
}
tame(Function.prototype, "toString");

// Freeze everything reachable from the global object and the hidden intrinsics.
function harden(root) {
	const seen = new SetCtor(), todo = [root];
	while (todo.length > 0) {
		const o = todo.pop();
		if (o === null || (typeof o !== "object" && typeof o !== "function") || seen.has(o)) continue;
		seen.add(o);
		todo.push(getProto(o));
		const keys = ownKeys(o);
		for (let i = 0; i < keys.length; i++) {
			const d = getOwnDesc(o, keys[i]);
			if (d === undefined) continue;
			if ("value" in d) todo.push(d.value);
			else todo.push(d.get, d.set);
		}
		freeze(o);
	}
	return root;
}
harden(hidden);
harden(g);
return harden;
})`

func (s *script) newVM() (*scriptVM, error) {
	rt := goja.New()
	rt.SetMaxCallStackSize(maxScriptCallDepth)
	vm := &scriptVM{rt: rt}
	console := rt.NewObject()
	for _, level := range []string{"log", "info", "warn", "error", "debug"} {
		prefix := ""
		if level == "warn" || level == "error" {
			prefix = level + ": "
		}
		_ = console.Set(level, func(call goja.FunctionCall) goja.Value {
			vm.log(prefix, call.Arguments)
			return goja.Undefined()
		})
	}
	if err := rt.Set("console", console); err != nil {
		return nil, err
	}
	prelude, err := rt.RunProgram(scriptPreludeProgram())
	if err != nil {
		return nil, err
	}
	setup, _ := goja.AssertFunction(prelude)
	harden, err := setup(goja.Undefined(), rt.ToValue(maxScriptString), rt.ToValue(maxScriptArray), rt.ToValue(maxScriptArgs), rt.ToValue(maxScriptDepth))
	if err != nil {
		return nil, err
	}
	fnValue, err := rt.RunProgram(s.prog)
	if err != nil {
		return nil, err
	}
	fn, ok := goja.AssertFunction(fnValue)
	if !ok {
		return nil, errors.New("the script is not a function")
	}
	// In an expression (sloppy mode) arguments.callee reaches the wrapper; freeze it too.
	hardenFn, _ := goja.AssertFunction(harden)
	if _, err := hardenFn(goja.Undefined(), fnValue); err != nil {
		return nil, err
	}
	vm.fn = fn
	return vm, nil
}

var scriptPreludeProgram = sync.OnceValue(func() *goja.Program {
	return goja.MustCompile("prelude", scriptPrelude, true)
})

func (vm *scriptVM) log(prefix string, args []goja.Value) {
	if len(vm.logs) >= maxConsoleLines {
		vm.dropped++
		return
	}
	var b strings.Builder
	b.WriteString(prefix)
	for i, a := range args {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(consoleString(vm.rt, a))
		if b.Len() > maxConsoleLineBytes {
			break
		}
	}
	line := b.String()
	if len(line) > maxConsoleLineBytes {
		line = cutUTF8(line, maxConsoleLineBytes) + "…"
	}
	vm.logs = append(vm.logs, line)
}

func cutUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && n < len(s) && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}

// consoleString shows a logged value: text as it is, objects as JSON.
func consoleString(rt *goja.Runtime, v goja.Value) string {
	o, isObj := v.(*goja.Object)
	switch {
	case v == nil || goja.IsUndefined(v):
		return "undefined"
	case !isObj:
		return v.String()
	}
	if _, isFn := goja.AssertFunction(o); isFn {
		return "function"
	}
	switch o.ClassName() {
	case "Error":
		return o.String()
	case "Date":
		if t, ok := o.Export().(time.Time); ok {
			return t.UTC().Format(time.RFC3339Nano)
		}
	}
	c := &fromJS{budget: 16 * maxConsoleLineBytes}
	out, _, err := c.value(o, 0)
	if err != nil {
		var size *scriptSizeError
		if errors.As(err, &size) {
			return "[too large to show]"
		}
		return "[" + err.Error() + "]"
	}
	data, err := json.Marshal(out)
	if err != nil {
		return o.String()
	}
	return string(data)
}

func (vm *scriptVM) takeLogs() []string {
	logs := vm.logs
	if vm.dropped > 0 {
		logs = append(logs, fmt.Sprintf("… %d more console lines not shown", vm.dropped))
	}
	vm.logs, vm.dropped = nil, 0
	return logs
}

func (s *script) getVM() (*scriptVM, error) {
	if !s.fresh {
		if vm := s.takeIdle(); vm != nil {
			return vm, nil
		}
	}
	return s.newVM()
}

// run calls the script and returns its result as a plain JSON value, plus what it logged.
//
// For scriptBody, arg is a map with input, steps, inputs and trigger. For scriptExpression, arg's
// members (a map) are the names of the expression. The values are copied into the runtime, so the
// script cannot change the host's values. Errors: errScriptTimeout, the context's error,
// *scriptSizeError, or an error describing what the script threw (*scriptError).
func (s *script) run(ctx context.Context, arg any, timeout time.Duration) (any, []string, error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	vm, err := s.getVM()
	if err != nil {
		return nil, nil, err
	}
	if timeout <= 0 {
		timeout = DefaultScriptTimeout
	}
	if timeout > MaxScriptTimeout {
		timeout = MaxScriptTimeout
	}
	timer := time.AfterFunc(timeout, func() { vm.rt.Interrupt(errScriptTimeout) })
	stopCtx := context.AfterFunc(ctx, func() { vm.rt.Interrupt(errScriptCanceled) })
	result, callErr := s.call(vm, arg)
	timerStopped := timer.Stop()
	ctxStopped := stopCtx()
	logs := vm.takeLogs()

	var interrupted *goja.InterruptedError
	var overflow *goja.StackOverflowError
	switch {
	case errors.As(callErr, &interrupted):
		// A runtime stopped mid-flight is not reused.
		if interrupted.Value() == errScriptTimeout {
			return nil, logs, errScriptTimeout
		}
		if err := ctx.Err(); err != nil {
			return nil, logs, err
		}
		return nil, logs, context.Canceled
	case errors.As(callErr, &overflow):
		return nil, logs, &scriptError{msg: fmt.Sprintf("too deep recursion: functions call each other more than %d levels deep", maxScriptCallDepth), recursion: true}
	}
	// The timer or the context may have fired just after the call returned, leaving an interrupt
	// pending: such a runtime is dropped rather than cleared, as Interrupt may still be running.
	if timerStopped && ctxStopped && !vm.broken && !s.fresh {
		vm.rt.ClearInterrupt()
		s.release(vm)
	}
	if callErr != nil {
		return nil, logs, callErr
	}
	return result, logs, nil
}

// call runs the function on vm. Everything that may run user code (getters, toJSON, toString of
// a thrown object) happens here, while the timeout is armed.
func (s *script) call(vm *scriptVM, arg any) (out any, err error) {
	defer func() {
		if r := recover(); r != nil {
			vm.broken = true
			if e, ok := r.(error); ok {
				err = s.describe(vm, e)
			} else {
				err = fmt.Errorf("%v", r)
			}
		}
	}()
	rt := vm.rt
	in := &toJS{rt: rt, budget: maxScriptInputBytes}
	var ret goja.Value
	if s.mode == scriptBody {
		m, _ := arg.(map[string]any)
		args := make([]goja.Value, 4)
		for i, name := range [...]string{"input", "steps", "inputs", "trigger"} {
			if steps, ok := m[name].(map[string]any); ok && name == "steps" {
				args[i] = in.lazy(steps, true)
				continue
			}
			if args[i], err = in.value(m[name], 0); err != nil {
				return nil, err
			}
		}
		ret, err = vm.fn(goja.Undefined(), args...)
	} else {
		var scope goja.Value
		if scope, err = in.scope(arg); err != nil {
			return nil, err
		}
		ret, err = vm.fn(goja.Undefined(), scope)
	}
	if in.err != nil {
		return nil, in.err // a value the script asked for could not be given to it
	}
	if err != nil {
		return nil, s.describe(vm, err)
	}
	if o, ok := ret.(*goja.Object); ok && o.ExportType() == reflect.TypeOf((*goja.Promise)(nil)) {
		if p, ok := o.Export().(*goja.Promise); ok {
			switch p.State() {
			case goja.PromiseStateFulfilled:
				ret = p.Result()
			case goja.PromiseStateRejected:
				return nil, s.describe(vm, &goja.Exception{}, p.Result())
			default:
				return nil, &scriptError{msg: "the code returned a Promise that never settled; return the value itself"}
			}
		}
	}
	c := &fromJS{budget: MaxScriptIOBytes}
	out, _, err = c.value(ret, 0)
	if err != nil {
		var size *scriptSizeError
		if errors.As(err, &size) {
			size.what = "result"
		}
		return nil, err
	}
	return out, nil
}

// describe turns what the script threw into an error with the user's line. thrown, when given,
// replaces the exception's value (a rejected Promise).
func (s *script) describe(vm *scriptVM, err error, thrown ...goja.Value) error {
	var ex *goja.Exception
	if !errors.As(err, &ex) {
		return err
	}
	val := ex.Value()
	if len(thrown) > 0 {
		val = thrown[0]
	}
	msg := "the code threw an error"
	if val != nil {
		if o, ok := val.(*goja.Object); ok && o.ClassName() != "Error" {
			msg = "the code threw " + consoleString(vm.rt, o)
		} else if !goja.IsUndefined(val) {
			msg = val.String()
		}
	}
	e := &scriptError{msg: msg}
	for _, f := range ex.Stack() {
		if f.SrcName() != scriptFile {
			continue
		}
		if pos := f.Position(); pos.Line > 0 {
			e.line = pos.Line
		}
		break
	}
	return e
}

// toJS copies plain Go values (the engine's JSON values) into a runtime. A map or list that
// appears twice (input is also steps.<id>) becomes one object.
type toJS struct {
	rt     *goja.Runtime
	budget int
	seen   map[unsafe.Pointer]goja.Value
	keys   []string
	err    error // the first failure of a lazy read
}

func (c *toJS) spend(n int) error {
	c.budget -= n
	if c.budget < 0 {
		return &scriptSizeError{what: "input", limit: maxScriptInputBytes}
	}
	return nil
}

// scope builds the argument of an expression: a lazy object without a prototype, so that only
// its own members (not toString, constructor, …) shadow globals.
func (c *toJS) scope(arg any) (goja.Value, error) {
	m, ok := arg.(map[string]any)
	if !ok && arg != nil {
		n, err := normalize(arg)
		if err != nil {
			return nil, err
		}
		m, _ = n.(map[string]any)
	}
	return c.lazy(m, false), nil
}

// lazy makes an object whose members are copied in when the script first reads them, so that
// steps (every output of the run so far) costs only what the script uses.
func (c *toJS) lazy(src map[string]any, withPrototype bool) *goja.Object {
	o := c.rt.NewDynamicObject(&lazyObject{c: c, src: src})
	if !withPrototype {
		_ = o.SetPrototype(nil)
	}
	return o
}

// lazyObject is a goja.DynamicObject over a host map. What the script sets or deletes stays in
// the runtime; the host map is never written.
type lazyObject struct {
	c       *toJS
	src     map[string]any
	done    map[string]goja.Value
	deleted map[string]bool
}

func (l *lazyObject) Get(key string) goja.Value {
	if v, ok := l.done[key]; ok {
		return v
	}
	if l.deleted[key] {
		return nil
	}
	raw, ok := l.src[key]
	if !ok {
		return nil
	}
	v, err := l.c.value(raw, 1)
	if err != nil {
		if l.c.err == nil {
			l.c.err = err
		}
		panic(l.c.rt.NewTypeError("%s", err.Error()))
	}
	if l.done == nil {
		l.done = map[string]goja.Value{}
	}
	l.done[key] = v
	return v
}

func (l *lazyObject) Set(key string, v goja.Value) bool {
	if l.done == nil {
		l.done = map[string]goja.Value{}
	}
	l.done[key] = v
	delete(l.deleted, key)
	return true
}

func (l *lazyObject) Has(key string) bool {
	if _, ok := l.done[key]; ok {
		return true
	}
	_, ok := l.src[key]
	return ok && !l.deleted[key]
}

func (l *lazyObject) Delete(key string) bool {
	delete(l.done, key)
	if _, ok := l.src[key]; ok {
		if l.deleted == nil {
			l.deleted = map[string]bool{}
		}
		l.deleted[key] = true
	}
	return true
}

func (l *lazyObject) Keys() []string {
	keys := make([]string, 0, len(l.src)+len(l.done))
	for k := range l.src {
		if !l.deleted[k] {
			keys = append(keys, k)
		}
	}
	for k := range l.done {
		if _, inSrc := l.src[k]; !inSrc {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return keys
}

func sortedKeys(m map[string]any, buf []string) []string {
	keys := buf[:0]
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func (c *toJS) value(v any, depth int) (goja.Value, error) {
	if depth > maxScriptDepth {
		return nil, &scriptError{msg: fmt.Sprintf("the input is nested deeper than %d levels", maxScriptDepth)}
	}
	switch x := v.(type) {
	case nil:
		return goja.Null(), c.spend(4)
	case string:
		return c.rt.ToValue(x), c.spend(len(x) + 2)
	case bool:
		return c.rt.ToValue(x), c.spend(5)
	case json.Number:
		if err := c.spend(len(x)); err != nil {
			return nil, err
		}
		if i, err := strconv.ParseInt(string(x), 10, 64); err == nil {
			return c.rt.ToValue(i), nil
		}
		f, err := x.Float64()
		if err != nil && !errors.Is(err, strconv.ErrRange) {
			return c.rt.ToValue(string(x)), nil
		}
		return c.rt.ToValue(f), nil
	case float64:
		return c.rt.ToValue(x), c.spend(8)
	case int:
		return c.rt.ToValue(x), c.spend(8)
	case int64:
		return c.rt.ToValue(x), c.spend(8)
	case map[string]any:
		ptr := reflect.ValueOf(x).UnsafePointer()
		if done, ok := c.seen[ptr]; ok {
			return done, nil
		}
		obj := c.rt.NewObject()
		if c.seen == nil {
			c.seen = map[unsafe.Pointer]goja.Value{}
		}
		c.seen[ptr] = obj
		if err := c.spend(2); err != nil {
			return nil, err
		}
		keys := sortedKeys(x, c.keys)
		c.keys = nil // the nested calls need their own
		for _, k := range keys {
			if err := c.spend(len(k) + 4); err != nil {
				return nil, err
			}
			val, err := c.value(x[k], depth+1)
			if err != nil {
				return nil, err
			}
			if err := obj.DefineDataProperty(k, val, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_TRUE); err != nil {
				return nil, err
			}
		}
		c.keys = keys
		return obj, nil
	case []any:
		if err := c.spend(2 + len(x)); err != nil {
			return nil, err
		}
		items := make([]any, len(x))
		for i, item := range x {
			val, err := c.value(item, depth+1)
			if err != nil {
				return nil, err
			}
			items[i] = val
		}
		return c.rt.NewArray(items...), nil
	}
	n, err := normalize(v)
	if err != nil {
		return nil, fmt.Errorf("a value cannot be given to the script: %v", err)
	}
	return c.value(n, depth)
}

// fromJS reads a script's value back as a plain JSON value with JSON.stringify's rules: toJSON
// is called, functions, symbols and undefined members are left out (null in lists), NaN and
// Infinity are null. Cycles, too deep nesting and a result over budget are errors.
type fromJS struct {
	budget int
	stack  []*goja.Object
}

func (c *fromJS) spend(n int) error {
	c.budget -= n
	if c.budget < 0 {
		return &scriptSizeError{what: "result", limit: MaxScriptIOBytes}
	}
	return nil
}

// value converts v; present is false for what JSON leaves out (undefined, functions, symbols).
func (c *fromJS) value(v goja.Value, depth int) (out any, present bool, err error) {
	if v == nil || goja.IsUndefined(v) {
		return nil, false, nil
	}
	if goja.IsNull(v) {
		return nil, true, c.spend(4)
	}
	if _, isSymbol := v.(*goja.Symbol); isSymbol {
		return nil, false, nil
	}
	o, isObj := v.(*goja.Object)
	if !isObj {
		switch x := v.Export().(type) {
		case string:
			return x, true, c.spend(len(x) + 2)
		case bool:
			return x, true, c.spend(5)
		case int64:
			return json.Number(strconv.FormatInt(x, 10)), true, c.spend(8)
		case float64:
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return nil, true, c.spend(4)
			}
			if x == 0 {
				return json.Number("0"), true, c.spend(1) // also -0, as JSON.stringify writes it
			}
			if x == math.Trunc(x) && math.Abs(x) < 1e21 {
				return json.Number(strconv.FormatFloat(x, 'f', -1, 64)), true, c.spend(8)
			}
			return json.Number(v.String()), true, c.spend(24)
		case *big.Int:
			s := x.String()
			return json.Number(s), true, c.spend(len(s))
		}
		return nil, false, nil // symbols
	}
	if _, isFn := goja.AssertFunction(o); isFn {
		return nil, false, nil
	}
	if toJSON, ok := goja.AssertFunction(o.Get("toJSON")); ok {
		r, err := toJSON(o)
		if err != nil {
			panic(err)
		}
		if r2, ok := r.(*goja.Object); !ok || r2 != o {
			return c.value(r, depth)
		}
	}
	switch o.ClassName() {
	case "String":
		s := o.String()
		return s, true, c.spend(len(s) + 2)
	case "Number", "Boolean":
		switch x := o.Export().(type) {
		case bool:
			return x, true, c.spend(5)
		case int64:
			return json.Number(strconv.FormatInt(x, 10)), true, c.spend(8)
		case float64:
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return nil, true, c.spend(4)
			}
			return json.Number(strconv.FormatFloat(x, 'g', -1, 64)), true, c.spend(24)
		}
	}
	if depth >= maxScriptDepth {
		return nil, false, &scriptError{msg: fmt.Sprintf("the result is nested deeper than %d levels", maxScriptDepth)}
	}
	for _, p := range c.stack {
		if p == o {
			return nil, false, &scriptError{msg: "the result contains itself (a circular reference), so it cannot be passed on"}
		}
	}
	c.stack = append(c.stack, o)
	defer func() { c.stack = c.stack[:len(c.stack)-1] }()
	if o.ClassName() == "Array" {
		n := o.Get("length").ToInteger()
		if err := c.spend(2 + int(min(n, int64(MaxScriptIOBytes)))); err != nil {
			return nil, false, err
		}
		list := make([]any, n)
		for i := range list {
			item, _, err := c.value(o.Get(strconv.Itoa(i)), depth+1)
			if err != nil {
				return nil, false, err
			}
			list[i] = item
		}
		return list, true, nil
	}
	if err := c.spend(2); err != nil {
		return nil, false, err
	}
	keys := o.Keys()
	obj := make(map[string]any, len(keys))
	for _, k := range keys {
		item, ok, err := c.value(o.Get(k), depth+1)
		if err != nil {
			return nil, false, err
		}
		if ok {
			if err := c.spend(len(k) + 4); err != nil {
				return nil, false, err
			}
			obj[k] = item
		}
	}
	return obj, true, nil
}

// scriptRoot reads a root of the scope (steps, inputs, trigger) for scripts.
func (s *Scope) scriptRoot(name string) any { return s.roots[name] }
