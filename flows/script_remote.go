package flows

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"time"
)

// User JavaScript may run in another process. goja checks for interrupts only between
// JavaScript instructions, so one native call on a huge value (s.match(/a/g) on 16 million
// characters, a global replace with a backtracking pattern) runs to its end whatever the time
// limit, and allocates without bound. A server that lets many teams run code gives it a
// ScriptRunner that runs each script in a sandbox process it can kill (server/sandbox); the
// browser preview and `hookflow run` have none and run scripts here.
//
// A job carries the script's source and its argument as JSON; the sandbox compiles it (once per
// source, as here) and runs it on the same hardened runtimes with RunScriptJob. The outcome
// comes back as JSON and becomes the same errors as an in-process run, so users see the same
// messages either way.

// ScriptRunner runs user JavaScript somewhere this process can stop at any time.
type ScriptRunner interface {
	// RunScript runs one job. It returns ErrScriptTimeout when the script had to be stopped
	// for its time limit, ErrScriptMemory for its memory bound, ctx's error when ctx ended.
	RunScript(ctx context.Context, job ScriptJob) (ScriptOutcome, error)
}

// Errors a ScriptRunner returns when it stops a script from outside.
var (
	ErrScriptTimeout = errScriptTimeout
	ErrScriptMemory  = errScriptMemory
)

// ScriptJob is one run of user JavaScript.
type ScriptJob struct {
	Code       string          `json:"code"`
	Expression bool            `json:"expression,omitempty"` // a filter or success condition rather than a function body
	Arg        json.RawMessage `json:"arg"`
	TimeoutMs  int64           `json:"timeout_ms"`
}

// ScriptOutcome is what a job gave: its result (JSON) or its failure, and what it logged.
type ScriptOutcome struct {
	Result json.RawMessage `json:"result,omitempty"`
	Logs   []string        `json:"logs,omitempty"`
	Fail   *ScriptFailure  `json:"fail,omitempty"`
}

// ScriptFailure is a failed job, enough to rebuild the in-process error.
type ScriptFailure struct {
	Kind      string `json:"kind"` // timeout, memory, canceled, size, script
	Message   string `json:"message,omitempty"`
	Line      int    `json:"line,omitempty"`
	Column    int    `json:"column,omitempty"`
	Recursion bool   `json:"recursion,omitempty"`
	What      string `json:"what,omitempty"` // size: input or result
	Limit     int    `json:"limit,omitempty"`
}

// ScriptRunnerOf is the runner env offers, or nil when scripts run in this process.
func scriptRunnerOf(env Env) ScriptRunner {
	if e, ok := env.(interface{ ScriptRunner() ScriptRunner }); ok {
		return e.ScriptRunner()
	}
	return nil
}

// exec runs the script with env's runner when it has one, else here (see run).
func (s *script) exec(ctx context.Context, env Env, arg any, timeout time.Duration) (any, []string, error) {
	r := scriptRunnerOf(env)
	if r == nil {
		return s.run(ctx, arg, timeout)
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	timeout = clampScriptTimeout(timeout)
	data, err := json.Marshal(arg)
	if err != nil {
		return nil, nil, &scriptError{msg: "the data given to the code cannot be read: " + err.Error()}
	}
	if len(data) > maxScriptInputBytes {
		return nil, nil, &scriptSizeError{what: "input", limit: maxScriptInputBytes}
	}
	out, err := r.RunScript(ctx, ScriptJob{Code: s.code, Expression: s.mode == scriptExpression, Arg: data, TimeoutMs: timeout.Milliseconds()})
	if err != nil {
		if ctx.Err() != nil && !errors.Is(err, errScriptTimeout) && !errors.Is(err, errScriptMemory) {
			return nil, out.Logs, ctx.Err()
		}
		return nil, out.Logs, err
	}
	if f := out.Fail; f != nil {
		return nil, out.Logs, f.err()
	}
	var result any
	if len(out.Result) > 0 {
		dec := json.NewDecoder(bytes.NewReader(out.Result))
		dec.UseNumber() // numbers stay json.Number, as fromJS gives them
		if err := dec.Decode(&result); err != nil {
			return nil, out.Logs, &scriptError{msg: "the code's result cannot be read: " + err.Error()}
		}
	}
	return result, out.Logs, nil
}

func (f *ScriptFailure) err() error {
	switch f.Kind {
	case "timeout":
		return errScriptTimeout
	case "memory":
		return errScriptMemory
	case "canceled":
		return context.Canceled
	case "size":
		return &scriptSizeError{what: f.What, limit: f.Limit}
	}
	return &scriptError{msg: f.Message, line: f.Line, column: f.Column, recursion: f.Recursion}
}

// RunScriptJob runs a job in this process: the sandbox's side of ScriptRunner. started, when not
// nil, is called as the script's time limit starts (compiling and making a runtime come before).
func RunScriptJob(ctx context.Context, job ScriptJob, started func()) ScriptOutcome {
	mode := scriptBody
	if job.Expression {
		mode = scriptExpression
	}
	s, err := compileScript("code", job.Code, mode)
	if err != nil {
		return ScriptOutcome{Fail: failureOf(err)}
	}
	var arg any
	dec := json.NewDecoder(bytes.NewReader(job.Arg))
	dec.UseNumber()
	if err := dec.Decode(&arg); err != nil {
		return ScriptOutcome{Fail: &ScriptFailure{Kind: "script", Message: "the data given to the code cannot be read"}}
	}
	out, logs, err := s.runNotify(ctx, arg, time.Duration(job.TimeoutMs)*time.Millisecond, started)
	if err != nil {
		return ScriptOutcome{Logs: logs, Fail: failureOf(err)}
	}
	data, err := json.Marshal(out)
	if err != nil {
		return ScriptOutcome{Logs: logs, Fail: &ScriptFailure{Kind: "script", Message: "the code's result cannot be written as JSON"}}
	}
	return ScriptOutcome{Result: data, Logs: logs}
}

func failureOf(err error) *ScriptFailure {
	var size *scriptSizeError
	var se *scriptError
	switch {
	case errors.Is(err, errScriptTimeout):
		return &ScriptFailure{Kind: "timeout"}
	case errors.Is(err, errScriptMemory):
		return &ScriptFailure{Kind: "memory"}
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return &ScriptFailure{Kind: "canceled"}
	case errors.As(err, &size):
		return &ScriptFailure{Kind: "size", What: size.what, Limit: size.limit}
	case errors.As(err, &se):
		return &ScriptFailure{Kind: "script", Message: se.msg, Line: se.line, Column: se.column, Recursion: se.recursion}
	}
	return &ScriptFailure{Kind: "script", Message: err.Error()}
}
