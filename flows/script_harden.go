package flows

import (
	"errors"
	"sync"

	"github.com/dop251/goja"
)

// Hardening a fresh runtime: the prelude freezes every built-in, removes typed arrays, and wraps
// the built-ins that could allocate without bound in one native call with size checks. It is
// apart from running scripts because it runs once per runtime, not once per run.

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
