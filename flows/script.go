package flows

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/dop251/goja"
)

// Limits of user JavaScript (js nodes, filter expressions, success conditions).
const (
	DefaultScriptTimeout = 1 * time.Second
	MaxScriptTimeout     = 30 * time.Second
	MaxScriptIOBytes     = 1 << 20 // JSON size of what goes into and comes out of a script
	maxScriptString      = 4 << 20 // longest string repeat/padStart/padEnd may build
	maxScriptCallDepth   = 1000
	maxConsoleLines      = 100
	maxConsoleLineBytes  = 2000
)

var errScriptTimeout = errors.New("script timeout")

// scriptMode says how user code is wrapped.
type scriptMode int

const (
	// scriptBody is a function body using `return`; it sees input, steps, inputs and trigger.
	scriptBody scriptMode = iota
	// scriptExpression is one expression; every member of the argument object (step ids, or a
	// response's JSON fields) is a name in it: `status == "success"`.
	scriptExpression
)

// script is user JavaScript compiled once and run on pooled runtimes, so a run pays for a call,
// not for a new interpreter.
type script struct {
	prog *goja.Program
	pool sync.Pool // *scriptVM
}

// scriptVM is one runtime with the script's function loaded.
type scriptVM struct {
	rt    *goja.Runtime
	fn    goja.Callable
	parse goja.Callable
	logs  []string
}

func compileScript(name, code string, mode scriptMode) (*script, error) {
	var src string
	switch mode {
	case scriptExpression:
		// Sloppy mode for `with`: names resolve to members of the argument first, then globals.
		src = "(function(__arg) { with (__scope(__arg)) { return (" + code + "\n); } })"
	default:
		src = "(function(__arg) { \"use strict\"; const input = __arg.input, steps = __arg.steps, inputs = __arg.inputs, trigger = __arg.trigger; " + code + "\n})"
	}
	prog, err := goja.Compile(name, src, false)
	if err != nil {
		return nil, fmt.Errorf("%s", cleanScriptError(err.Error()))
	}
	return &script{prog: prog}, nil
}

// scriptPrelude hardens a fresh runtime: bounded string builders, and __scope for expressions.
const scriptPrelude = `(function(max) {
	function guard(name, size) {
		const orig = String.prototype[name];
		Object.defineProperty(String.prototype, name, {value: function() {
			if (size(this, arguments) > max) throw new RangeError("the text would be longer than " + max + " characters");
			return orig.apply(this, arguments);
		}, writable: false, configurable: false});
	}
	guard("repeat", function(s, a) { return String(s).length * Number(a[0]); });
	guard("padStart", function(s, a) { return Number(a[0]); });
	guard("padEnd", function(s, a) { return Number(a[0]); });
	const g = this;
	Object.defineProperty(g, "__scope", {value: function(target) {
		return new Proxy(target, {
			has: function(t, k) { return typeof k === "string" && (k in t || !(k in g)); },
			get: function(t, k) { return k === Symbol.unscopables ? undefined : t[k]; }
		});
	}});
})`

func (s *script) newVM() (*scriptVM, error) {
	rt := goja.New()
	rt.SetMaxCallStackSize(maxScriptCallDepth)
	vm := &scriptVM{rt: rt}
	prelude, err := rt.RunString(scriptPrelude)
	if err != nil {
		return nil, err
	}
	setup, _ := goja.AssertFunction(prelude)
	if _, err := setup(rt.GlobalObject(), rt.ToValue(maxScriptString)); err != nil {
		return nil, err
	}
	console := rt.NewObject()
	for _, level := range []string{"log", "info", "warn", "error", "debug"} {
		prefix := ""
		if level == "warn" || level == "error" {
			prefix = level + ": "
		}
		_ = console.Set(level, func(call goja.FunctionCall) goja.Value {
			if len(vm.logs) >= maxConsoleLines {
				return goja.Undefined()
			}
			parts := make([]string, len(call.Arguments))
			for i, a := range call.Arguments {
				parts[i] = consoleString(rt, a)
			}
			line := prefix + strings.Join(parts, " ")
			if len(line) > maxConsoleLineBytes {
				line = line[:maxConsoleLineBytes] + "…"
			}
			vm.logs = append(vm.logs, line)
			return goja.Undefined()
		})
	}
	if err := rt.Set("console", console); err != nil {
		return nil, err
	}
	fnValue, err := rt.RunProgram(s.prog)
	if err != nil {
		return nil, err
	}
	vm.fn, _ = goja.AssertFunction(fnValue)
	vm.parse, _ = goja.AssertFunction(rt.Get("JSON").ToObject(rt).Get("parse"))
	return vm, nil
}

func consoleString(rt *goja.Runtime, v goja.Value) string {
	if v == nil || goja.IsUndefined(v) {
		return "undefined"
	}
	if _, isObj := v.(*goja.Object); isObj {
		if data, err := json.Marshal(v.Export()); err == nil {
			return string(data)
		}
	}
	return v.String()
}

// run calls the script with arg (passed as a JSON copy, so the script cannot change the host's
// values) and returns its result as a plain JSON value, plus what it logged.
func (s *script) run(ctx context.Context, arg any, timeout time.Duration) (any, []string, error) {
	in, err := json.Marshal(arg)
	if err != nil {
		return nil, nil, err
	}
	if len(in) > MaxScriptIOBytes {
		return nil, nil, &scriptSizeError{what: "input"}
	}
	vm, _ := s.pool.Get().(*scriptVM)
	if vm == nil {
		if vm, err = s.newVM(); err != nil {
			return nil, nil, err
		}
	}
	vm.logs = nil
	if timeout <= 0 {
		timeout = DefaultScriptTimeout
	}
	timer := time.AfterFunc(timeout, func() { vm.rt.Interrupt(errScriptTimeout) })
	stopCtx := context.AfterFunc(ctx, func() { vm.rt.Interrupt(ctx.Err()) })
	result, callErr := s.call(vm, string(in))
	timer.Stop()
	stopCtx()
	logs := vm.logs
	vm.logs = nil

	var interrupted *goja.InterruptedError
	if errors.As(callErr, &interrupted) {
		// A runtime stopped mid-flight is not reused.
		if errors.Is(callErr, errScriptTimeout) || interrupted.Value() == errScriptTimeout {
			return nil, logs, errScriptTimeout
		}
		return nil, logs, ctx.Err()
	}
	var overflow *goja.StackOverflowError
	if errors.As(callErr, &overflow) {
		return nil, logs, fmt.Errorf("too deep recursion (more than %d nested calls)", maxScriptCallDepth)
	}
	vm.rt.ClearInterrupt()
	s.pool.Put(vm)
	if callErr != nil {
		return nil, logs, fmt.Errorf("%s", cleanScriptError(callErr.Error()))
	}
	return result, logs, nil
}

func (s *script) call(vm *scriptVM, in string) (out any, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	arg, err := vm.parse(goja.Undefined(), vm.rt.ToValue(in))
	if err != nil {
		return nil, err
	}
	v, err := vm.fn(goja.Undefined(), arg)
	if err != nil {
		return nil, err
	}
	if v == nil || goja.IsUndefined(v) || goja.IsNull(v) {
		return nil, nil
	}
	data, err := json.Marshal(v.Export())
	if err != nil {
		return nil, fmt.Errorf("the result cannot be written as JSON: %v", err)
	}
	if len(data) > MaxScriptIOBytes {
		return nil, &scriptSizeError{what: "result"}
	}
	return decodeJSON(data)
}

type scriptSizeError struct{ what string }

func (e *scriptSizeError) Error() string {
	return fmt.Sprintf("the %s is larger than %d KB", e.what, MaxScriptIOBytes>>10)
}

// cleanScriptError drops goja's wrapper frames from messages so users see their own line numbers.
func cleanScriptError(msg string) string {
	if i := strings.Index(msg, " at "); i > 0 && strings.Contains(msg[i:], "(native)") {
		msg = msg[:i]
	}
	return strings.TrimSpace(msg)
}
