package flows

import (
	"context"
	"errors"
	"strconv"
	"time"
)

// js runs a small JavaScript transform: the code is a function body that returns the step's
// output. It sees input (the previous step's output), steps (every finished step by id), inputs
// (the flow's settings) and trigger; console.log lines go to the step's log.

type jsConfig struct {
	Code      string `json:"code"`
	TimeoutMs int    `json:"timeout_ms"`
}

func init() {
	Register(KindSpec[jsConfig]{
		Name:  "js",
		Title: T("js.title"),
		Help:  T("js.help"),
		Fields: []Field{
			{Key: "code", Type: FieldCode, Label: T("js.code.label"), Required: true,
				Help:    T("js.code.help"),
				Default: "return input;"},
			{Key: "timeout_ms", Type: FieldNumber, Label: T("js.timeout_ms.label"),
				Help:    T("js.timeout_ms.help"),
				Default: int(DefaultScriptTimeout / time.Millisecond), Min: bound(1), Max: bound(float64(MaxScriptTimeout / time.Millisecond))},
		},
		Build: buildJS,
	})
}

type jsStep struct {
	script  *script
	timeout time.Duration
}

func buildJS(b *Builder, cfg *jsConfig) Step {
	st := &jsStep{timeout: DefaultScriptTimeout}
	if cfg.TimeoutMs > 0 {
		st.timeout = min(time.Duration(cfg.TimeoutMs)*time.Millisecond, MaxScriptTimeout)
	}
	s, err := compileScript(b.Node().ID, cfg.Code, scriptBody)
	if err != nil {
		b.Problem("code", CodeScriptSyntax, scriptErrorParams(err))
		return nil
	}
	st.script = s
	return st
}

func (st *jsStep) Run(ctx context.Context, sc *StepContext) (any, error) {
	arg := map[string]any{
		"input":   sc.Input,
		"steps":   sc.Scope.scriptRoot("steps"),
		"inputs":  sc.Scope.scriptRoot("inputs"),
		"trigger": sc.Scope.scriptRoot("trigger"),
	}
	out, logs, err := st.script.exec(ctx, sc.Env, arg, st.timeout)
	for _, line := range logs {
		sc.Logf("%s", line)
	}
	if err != nil {
		return nil, scriptFailure(ctx, sc, err, st.timeout)
	}
	return out, nil
}

// scriptFailure is the step error for a failed js run.
func scriptFailure(ctx context.Context, sc *StepContext, err error, timeout time.Duration) error {
	var size *scriptSizeError
	var se *scriptError
	switch {
	case errors.Is(err, errScriptTimeout):
		return sc.Fail(CodeJSTimeout, Params{"ms": strconv.FormatInt(timeout.Milliseconds(), 10)})
	case errors.Is(err, errScriptMemory):
		return sc.Fail(CodeJSMemory, Params{"limit": sizeText(MaxScriptMemoryGrowth)})
	case ctx.Err() != nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
		return sc.Fail(CodeRunCanceled, nil)
	case errors.As(err, &size):
		whatRu := "Результат"
		if size.what == "input" {
			whatRu = "Входные данные"
		}
		return sc.Fail(CodeJSTooLarge, Params{"what": size.what, "what_ru": whatRu, "limit": sizeText(size.limit)})
	case errors.As(err, &se) && se.recursion:
		return sc.Fail(CodeJSRecursion, Params{"depth": strconv.Itoa(maxScriptCallDepth)})
	}
	return sc.Fail(CodeJSError, scriptErrorParams(err))
}
