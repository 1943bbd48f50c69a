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
	loop    *loopRun    // Collect: the items of its loop
	items   []ItemTrace // Collect: the rows it shows, one per item
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

// Lang is the language the step's log is written in: the Env's (a preview's reader's), English
// when the Env names none.
func (sc *StepContext) Lang() string {
	if e, ok := sc.Env.(interface{ Language() string }); ok && e.Language() != "" {
		return e.Language()
	}
	return "en"
}

// Log adds a line from the catalogs to the step's log: key's sentence in the log's language
// (Lang), with {name} filled from params and a {count} picking its form, as in a problem's
// sentence.
func (sc *StepContext) Log(key string, params Params) {
	if len(sc.trace.Logs) < maxLogLines {
		sc.trace.Logs = append(sc.trace.Logs, render(counted(key, sc.Lang(), params["count"]), sc.Lang(), params))
	}
}

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
	return p.run(ctx, payload, env, nil, nil, nil)
}

// outcome is how a step ended in a pass: its status and the branch it took.
type outcome struct {
	status string
	branch string
}

// pass is one walk over steps: the run's own, or one item's through the steps of a loop.
type pass struct {
	outputs map[string]any
	scope   *Scope
	done    map[string]outcome
	stopped string     // set to the pass's status once a step failed or a filter stopped it
	until   *time.Time // a Delay step parked the pass until then (status waiting)
	err     *Problem   // why the pass failed
	steps   []StepTrace
	loops   map[string]*loopRun // the items of each loop that ran, by its Collect's id
}

func (ps *pass) outcome(id string) (string, string, bool) {
	o, ok := ps.done[id]
	return o.status, o.branch, ok
}

// runner holds what every pass of a run shares.
type runner struct {
	p         *Program
	ctx       context.Context
	env       Env
	payload   Payload
	secrets   []string
	mask      *masker
	maskedFor int
	earlier   map[string]StepTrace // steps that were waiting in the attempt continued
}

// masker is the masker of the secrets known so far; a step may add secrets (headers marked secret).
func (r *runner) masker() *masker {
	if len(r.secrets) != r.maskedFor {
		r.mask, r.maskedFor = r.p.masker(r.secrets), len(r.secrets)
	}
	return r.mask
}

// run runs the steps; reuse holds the outputs of steps that succeeded in an earlier attempt
// (reuseItems, a loop's items there), earlier the traces of steps that were waiting there.
func (p *Program) run(ctx context.Context, payload Payload, env Env, reuse map[string]StepTrace, reuseItems map[string][]ItemTrace, earlier map[string]StepTrace) (*Trace, error) {
	start := env.Now()
	trace := &Trace{Status: StatusSuccess, StartedAt: start, Steps: make([]StepTrace, 0, len(p.order))}

	inputs := map[string]any{}
	r := &runner{p: p, ctx: ctx, env: env, payload: payload, maskedFor: -1, earlier: earlier}
	for _, in := range p.Flow.Inputs {
		v, ok := env.Input(in.Key)
		if !ok || v == "" {
			v = in.Default
		}
		inputs[in.Key] = v
		if in.Secret {
			r.secrets = append(r.secrets, v)
		}
	}
	if missing := checkInputValues(p.Flow, env.Input); len(missing) > 0 {
		trace.Status, trace.Problems = StatusFailed, missing
		return trace, missing
	}

	outputs := map[string]any{}
	ps := &pass{outputs: outputs, done: map[string]outcome{}, steps: trace.Steps, loops: map[string]*loopRun{}}
	ps.scope = NewScope(map[string]any{
		"inputs": inputs,
		"steps":  outputs,
		"event":  map[string]any{"id": payload.EventID},
	}, env.Now)
	for _, n := range p.order {
		if p.loops.body[n.ID] != nil {
			continue // run once per item by its loop, below
		}
		st := r.step(ps, n, reuse, true)
		ps.steps = append(ps.steps, st)
		if lp := p.loops.each[n.ID]; lp != nil {
			r.runLoop(ps, lp, reuseItems[n.ID])
		}
	}
	trace.Steps = ps.steps
	if ps.stopped != "" {
		trace.Status = ps.stopped
	}
	trace.Until = ps.until
	if ps.err != nil {
		trace.Error = ps.err
		masked := r.masker()
		trace.Error.Message = masked.text(trace.Error.Message)
		for k, v := range trace.Error.Params {
			trace.Error.Params[k] = masked.text(v)
		}
	}
	trace.DurationMs = env.Now().Sub(start).Milliseconds()
	env.OnStep(StepEvent{Type: "run_finished", Status: trace.Status})
	return trace, nil
}

// step runs node n in the pass (or finds it skipped, or reuses its earlier result) and returns
// its trace; announce sends the step's events to Env.OnStep.
func (r *runner) step(ps *pass, n *Node, reuse map[string]StepTrace, announce bool) StepTrace {
	p, ctx, env := r.p, r.ctx, r.env
	st := StepTrace{Node: n.ID, Kind: n.Kind, Name: n.Name, Status: StatusSkipped}
	input, active := p.inputOf(n, ps.outcome, ps.outputs)
	lr := ps.loops[n.ID]
	switch {
	case n == p.trigger:
		input, active = nil, true
	case p.loops.collect[n.ID] != nil:
		input, active = lr.results(), lr != nil
	}
	if ps.stopped != "" || !active || ctx.Err() != nil {
		if ctx.Err() != nil && ps.stopped == "" {
			ps.stopped = StatusFailed
			pr := problemAt(n, "", CodeRunCanceled, nil)
			ps.err = &pr
		}
		ps.done[n.ID] = outcome{status: StatusSkipped}
		return st
	}

	if prev, ok := reuse[n.ID]; ok {
		prev.Logs = append(append([]string(nil), prev.Logs...), "reused from the earlier attempt, not run again")
		ps.outputs[n.ID] = prev.Output
		ps.scope.Set(n.ID, prev.Output)
		if n == p.trigger {
			ps.scope.Set("trigger", prev.Output)
		}
		ps.done[n.ID] = outcome{status: StatusSuccess, branch: prev.Branch}
		return prev
	}
	if announce {
		env.OnStep(StepEvent{Type: "step_started", Node: n.ID})
	}
	sc := &StepContext{Node: *n, Input: input, Scope: ps.scope, Env: env, Payload: r.payload, trace: &st, secrets: &r.secrets, loop: lr}
	if e, ok := r.earlier[n.ID]; ok {
		sc.Earlier = &e
	}
	ps.scope.Set("input", input)
	st.Input = input
	st.StartedAt = env.Now()
	out, err := runStep(ctx, p.steps[n.ID], sc)
	st.DurationMs = env.Now().Sub(st.StartedAt).Milliseconds()
	for _, note := range ps.scope.TakeNotes() {
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
		st.Output = out // what a failed step still tells (Collect: the items' results), never used by later steps
		ps.err = pr
		ps.stopped = StatusFailed
	case !sc.until.IsZero():
		until := sc.until.UTC()
		st.Status, st.Until, ps.until = StatusWaiting, &until, &until
		ps.stopped = StatusWaiting
	case sc.branch != "" && sc.branch != p.main[n.ID] && !p.hasBranch(n.ID, sc.branch):
		st.Status = StatusFiltered
		ps.stopped = StatusFiltered
	default:
		st.Status = StatusSuccess
	}
	if st.Status == StatusSuccess || st.Status == StatusFiltered {
		st.Output = out
		ps.outputs[n.ID] = out
		ps.scope.Set(n.ID, out)
		if n == p.trigger {
			ps.scope.Set("trigger", out)
		}
	}
	if n == p.trigger {
		st.Input = nil // the payload itself; the output shows it parsed
	}
	ps.done[n.ID] = outcome{status: st.Status, branch: sc.branch}
	st.Branch = sc.branch
	st.Items = sc.items
	r.masker().step(&st)
	if announce {
		stepCopy := st
		env.OnStep(StepEvent{Type: "step_finished", Node: n.ID, Step: &stepCopy})
	}
	return st
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
// is not sent twice). In a loop, each item's steps that succeeded are reused the same way, so
// only the items that failed are sent again.
func (p *Program) RunFrom(ctx context.Context, payload Payload, env Env, prev *Trace) (*Trace, error) {
	if prev == nil {
		return p.run(ctx, payload, env, nil, nil, nil)
	}
	earlier := map[string]StepTrace{}
	for _, s := range prev.Steps {
		if s.Status == StatusWaiting {
			earlier[s.Node] = s
		}
	}
	items := map[string][]ItemTrace{}
	for _, s := range prev.Steps {
		if p.loops.each[s.Node] != nil {
			items[s.Node] = s.Items // the loop runs again, reusing the items' steps that succeeded
		}
	}
	// A loop's For each and Collect run again: the list is read anew, the items gathered anew.
	reuse := succeeded(prev.Steps, func(id string) bool { return p.loops.each[id] != nil || p.loops.collect[id] != nil })
	return p.run(ctx, payload, env, reuse, items, earlier)
}

// succeeded indexes the steps that succeeded by node, leaving out those skip names.
func succeeded(steps []StepTrace, skip func(id string) bool) map[string]StepTrace {
	out := map[string]StepTrace{}
	for _, s := range steps {
		if s.Status == StatusSuccess && (skip == nil || !skip(s.Node)) {
			out[s.Node] = s
		}
	}
	return out
}
