package flows

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"time"
)

// StepContext is what a running step sees.
type StepContext struct {
	Node  Node
	Input any // the previous step's output (for the trigger: the payload)
	Scope *Scope
	Env   Env
	// Payload is the incoming request; the trigger turns it into its output.
	Payload Payload

	// Earlier is this step's trace in the attempt the run continues (RunFrom), when it did not
	// finish there: a Delay step reads the time it was waiting until.
	Earlier *StepTrace

	trace   *StepTrace
	secrets *[]string
	branch  string
	until   time.Time
}

// Preview reports whether requests must not be sent (browser preview, CLI --dry-run).
func (sc *StepContext) Preview() bool { return sc.Env.HTTPClient() == nil }

// Logf adds a line to the step's log in the trace.
func (sc *StepContext) Logf(format string, args ...any) {
	if len(sc.trace.Logs) < maxLogLines {
		sc.trace.Logs = append(sc.trace.Logs, fmt.Sprintf(format, args...))
	}
}

const maxLogLines = 200

// Render renders t as text; nil renders as "".
func (sc *StepContext) Render(t *Template) string {
	if t == nil {
		return ""
	}
	return t.Render(sc.Scope)
}

// Value renders t keeping the type of a single reference; nil gives nil.
func (sc *StepContext) Value(t *Template) any {
	if t == nil {
		return nil
	}
	return t.Value(sc.Scope)
}

// Fail builds the step's error: a problem with the node's kind and name in its sentence.
func (sc *StepContext) Fail(code string, params Params) error {
	p := problemAt(&sc.Node, "", code, params)
	return &p
}

// RecordHTTP puts the exchange into the trace.
func (sc *StepContext) RecordHTTP(x *HTTPExchange) { sc.trace.HTTP = x }

// Secret marks a value to be masked wherever the trace shows it.
func (sc *StepContext) Secret(v string) { *sc.secrets = append(*sc.secrets, v) }

// Branch sets which of its kind's Outputs the step takes (a filter's "true" or "false").
func (sc *StepContext) Branch(b string) { sc.branch = b }

// WaitUntil parks the run until t: the step ends as waiting, the steps after it do not run, and
// the run's status is waiting with Until t. The host stores it and resumes it then (RunFrom with
// this trace), when the step runs again and sees its time in Earlier. Only for a host that
// resumes runs (Resumes).
func (sc *StepContext) WaitUntil(t time.Time) { sc.until = t }

// Resumes reports whether the host stores a waiting run and resumes it later (the server's
// queue). Elsewhere (a test in the editor, hookflow run) a Delay notes its time and goes on.
func (sc *StepContext) Resumes() bool {
	r, ok := sc.Env.(interface{ ResumesRuns() bool })
	return ok && r.ResumesRuns()
}

// Run checks and runs a flow against one incoming request. The error is not nil only when the
// flow could not run at all (invalid flow, missing inputs); a failed step is a failed trace.
func Run(ctx context.Context, f *Flow, payload Payload, env Env) (*Trace, error) {
	prog, problems := Compile(f)
	if len(problems) > 0 {
		now := env.Now()
		return &Trace{Status: StatusFailed, Problems: problems, StartedAt: now, Steps: []StepTrace{}}, problems
	}
	return prog.Run(ctx, payload, env)
}

// Run runs the compiled flow.
func (p *Program) Run(ctx context.Context, payload Payload, env Env) (*Trace, error) {
	return p.run(ctx, payload, env, nil, nil)
}

// run runs the steps; reuse holds the outputs of steps that succeeded in an earlier attempt,
// earlier the traces of steps that were waiting there.
func (p *Program) run(ctx context.Context, payload Payload, env Env, reuse, earlier map[string]StepTrace) (*Trace, error) {
	start := env.Now()
	trace := &Trace{Status: StatusSuccess, StartedAt: start, Steps: make([]StepTrace, 0, len(p.order))}

	inputs := map[string]any{}
	var secrets []string
	for _, in := range p.Flow.Inputs {
		v, ok := env.Input(in.Key)
		if !ok || v == "" {
			v = in.Default
		}
		inputs[in.Key] = v
		if in.Secret {
			secrets = append(secrets, v)
		}
	}
	if missing := checkInputValues(p.Flow, env.Input); len(missing) > 0 {
		trace.Status, trace.Problems = StatusFailed, missing
		return trace, missing
	}

	var mask *masker
	maskedFor := -1
	outputs := map[string]any{}
	scope := NewScope(map[string]any{
		"inputs": inputs,
		"steps":  outputs,
		"event":  map[string]any{"id": payload.EventID},
	}, env.Now)

	type outcome struct {
		status string
		branch string
	}
	done := map[string]outcome{}
	stopped := "" // set to the run's status once a step failed or a filter stopped the run
	for _, n := range p.order {
		st := StepTrace{Node: n.ID, Kind: n.Kind, Name: n.Name, Status: StatusSkipped}
		input, active := p.inputOf(n, func(id string) (string, string, bool) {
			o, ok := done[id]
			return o.status, o.branch, ok
		}, outputs)
		if n == p.trigger {
			input, active = nil, true
		}
		if stopped != "" || !active || ctx.Err() != nil {
			if ctx.Err() != nil && stopped == "" {
				stopped = StatusFailed
				pr := problemAt(n, "", CodeRunCanceled, nil)
				trace.Error = &pr
			}
			done[n.ID] = outcome{status: StatusSkipped}
			trace.Steps = append(trace.Steps, st)
			continue
		}

		if prev, ok := reuse[n.ID]; ok {
			prev.Logs = append(append([]string(nil), prev.Logs...), "reused from the earlier attempt, not run again")
			outputs[n.ID] = prev.Output
			scope.Set(n.ID, prev.Output)
			if n == p.trigger {
				scope.Set("trigger", prev.Output)
			}
			done[n.ID] = outcome{status: StatusSuccess, branch: prev.Branch}
			trace.Steps = append(trace.Steps, prev)
			continue
		}
		env.OnStep(StepEvent{Type: "step_started", Node: n.ID})
		sc := &StepContext{Node: *n, Input: input, Scope: scope, Env: env, Payload: payload, trace: &st, secrets: &secrets}
		if e, ok := earlier[n.ID]; ok {
			sc.Earlier = &e
		}
		scope.Set("input", input)
		st.Input = input
		st.StartedAt = env.Now()
		out, err := runStep(ctx, p.steps[n.ID], sc)
		st.DurationMs = env.Now().Sub(st.StartedAt).Milliseconds()
		for _, note := range scope.TakeNotes() {
			sc.Logf("%s", note)
		}

		switch {
		case err != nil:
			st.Status = StatusFailed
			var pr *Problem
			if !errors.As(err, &pr) {
				p := problemAt(n, "", CodeNodeFailed, Params{"detail": err.Error()})
				pr = &p
			}
			st.Error, st.ErrorCode, st.ErrorParams = pr.Error(), pr.Code, pr.Params
			trace.Error = pr
			stopped = StatusFailed
		case !sc.until.IsZero():
			until := sc.until.UTC()
			st.Status, st.Until, trace.Until = StatusWaiting, &until, &until
			stopped = StatusWaiting
		case sc.branch != "" && sc.branch != p.main[n.ID] && !p.hasBranch(n.ID, sc.branch):
			st.Status = StatusFiltered
			stopped = StatusFiltered
		default:
			st.Status = StatusSuccess
		}
		if st.Status == StatusSuccess || st.Status == StatusFiltered {
			st.Output = out
			outputs[n.ID] = out
			scope.Set(n.ID, out)
			if n == p.trigger {
				scope.Set("trigger", out)
			}
		}
		if n == p.trigger {
			st.Input = nil // the payload itself; the output shows it parsed
		}
		done[n.ID] = outcome{status: st.Status, branch: sc.branch}
		st.Branch = sc.branch
		if len(secrets) != maskedFor { // a step may add secrets (headers marked secret)
			mask, maskedFor = p.masker(secrets), len(secrets)
		}
		mask.step(&st)
		trace.Steps = append(trace.Steps, st)
		stepCopy := st
		env.OnStep(StepEvent{Type: "step_finished", Node: n.ID, Step: &stepCopy})
	}
	if stopped != "" {
		trace.Status = stopped
	}
	if trace.Error != nil {
		masked := mask
		if len(secrets) != maskedFor {
			masked = p.masker(secrets)
		}
		trace.Error.Message = masked.text(trace.Error.Message)
		for k, v := range trace.Error.Params {
			trace.Error.Params[k] = masked.text(v)
		}
	}
	trace.DurationMs = env.Now().Sub(start).Milliseconds()
	env.OnStep(StepEvent{Type: "run_finished", Status: trace.Status})
	return trace, nil
}

// runStep runs one step, turning a panic into a failed step so that one bad node never takes
// the host down.
func runStep(ctx context.Context, s Step, sc *StepContext) (out any, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = sc.Fail(CodeNodeFailed, Params{"detail": fmt.Sprintf("internal error: %v", r)})
			sc.Logf("%s", debug.Stack())
		}
	}()
	return s.Run(ctx, sc)
}

// inputOf finds whether n runs (some incoming edge is active) and its input: the output of the
// latest finished step feeding it.
func (p *Program) inputOf(n *Node, outcome func(id string) (status, branch string, ok bool), outputs map[string]any) (any, bool) {
	var input any
	active := false
	latest := -1
	for _, e := range p.in[n.ID] {
		status, branch, ok := outcome(e.From)
		if !ok || status != StatusSuccess {
			continue
		}
		main := p.main[e.From]
		want := e.Branch
		if want == "" {
			want = main
		}
		if branch == "" {
			branch = main
		}
		if want != branch {
			continue
		}
		active = true
		if i := p.indexOf(e.From); i > latest {
			latest, input = i, outputs[e.From]
		}
	}
	return input, active
}

func (p *Program) indexOf(id string) int {
	for i, n := range p.order {
		if n.ID == id {
			return i
		}
	}
	return -1
}

func (p *Program) hasBranch(from, branch string) bool {
	for _, n := range p.order {
		for _, e := range p.in[n.ID] {
			if e.From == from && e.Branch == branch {
				return true
			}
		}
	}
	return false
}

// elapsed is a helper for kinds measuring attempts on the env's clock.
func elapsed(env Env, since time.Time) int64 { return env.Now().Sub(since).Milliseconds() }

// RunFrom runs the flow again after a failure or a wait, reusing the outputs of the steps that succeeded
// in prev instead of running them again (a retry "from the failed step": a lead already sent
// is not sent twice).
func (p *Program) RunFrom(ctx context.Context, payload Payload, env Env, prev *Trace) (*Trace, error) {
	reuse, earlier := map[string]StepTrace{}, map[string]StepTrace{}
	if prev != nil {
		for _, s := range prev.Steps {
			switch s.Status {
			case StatusSuccess:
				reuse[s.Node] = s
			case StatusWaiting:
				earlier[s.Node] = s
			}
		}
	}
	return p.run(ctx, payload, env, reuse, earlier)
}
