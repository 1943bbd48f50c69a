package flows

import (
	"container/list"
	"context"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"

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
// call on a huge value runs to its end; strings built with + in a loop are not capped by size but
// by the memory watchdog (script_memory.go), which stops a script once the heap grew by
// MaxScriptMemoryGrowth while it ran. In the
// browser (wasm) the timer cannot fire while a script is busy, so the preview runs in a Web Worker
// that is terminated on timeout.
//
// This file compiles, caches and runs scripts. Runtimes are pooled in script_pool.go and
// hardened in script_harden.go; console is in script_console.go and the copying of values in
// script_values.go.

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
	code   string // the user's source, for a ScriptRunner
	mode   scriptMode
	prefix int             // length of the wrapper before the user's code on line 1
	idle   []*list.Element // this script's idle runtimes in idleVMs, oldest first
	fresh  bool            // never reuse a runtime (benchmark baseline)
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
	s = &script{prog: prog, code: code, mode: mode, prefix: len(prefix)}
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

// run calls the script and returns its result as a plain JSON value, plus what it logged.
//
// For scriptBody, arg is a map with input, steps, inputs and trigger. For scriptExpression, arg's
// members (a map) are the names of the expression. The values are copied into the runtime, so the
// script cannot change the host's values. Errors: errScriptTimeout, the context's error,
// *scriptSizeError, or an error describing what the script threw (*scriptError).
func (s *script) run(ctx context.Context, arg any, timeout time.Duration) (any, []string, error) {
	return s.runNotify(ctx, arg, timeout, nil)
}

// runNotify is run that calls started, when not nil, as the time limit starts: after the
// runtime is ready, which may take a while on a cold runtime.
func (s *script) runNotify(ctx context.Context, arg any, timeout time.Duration, started func()) (any, []string, error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	vm, err := s.getVM()
	if err != nil {
		return nil, nil, err
	}
	timeout = clampScriptTimeout(timeout)
	if started != nil {
		started()
	}
	timer := time.AfterFunc(timeout, func() { vm.rt.Interrupt(errScriptTimeout) })
	stopCtx := context.AfterFunc(ctx, func() { vm.rt.Interrupt(errScriptCanceled) })
	unwatch := scriptMemory.watch(vm.rt)
	result, callErr := s.call(vm, arg)
	unwatch()
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
		if interrupted.Value() == errScriptMemory {
			return nil, logs, errScriptMemory
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
	// The memory watchdog may have fired too: the runtime is reused only if nothing interrupted it.
	if timerStopped && ctxStopped && !vm.broken && !s.fresh && !memoryInterrupted(callErr) {
		vm.rt.ClearInterrupt()
		s.release(vm)
	}
	if callErr != nil {
		return nil, logs, callErr
	}
	return result, logs, nil
}

func clampScriptTimeout(timeout time.Duration) time.Duration {
	if timeout <= 0 {
		return DefaultScriptTimeout
	}
	return min(timeout, MaxScriptTimeout)
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

// scriptRoot reads a root of the scope (steps, inputs, trigger) for scripts.
func (s *Scope) scriptRoot(name string) any { return s.roots[name] }
