package core

import (
	"context"
	"encoding/json"
	"sync"

	"github.com/hookflow/hookflow/flows"
	"github.com/hookflow/hookflow/server/live"
	"github.com/hookflow/hookflow/server/store"
)

// runFlow executes a flow and returns the run to store with its trace. prev, when set, is the
// previous attempt's trace: its successful steps are reused.
func (a *App) runFlow(ctx context.Context, f *store.Flow, payload flows.Payload, prev *flows.Trace, eventID string, test bool) (*store.Run, *flows.Trace) {
	runID := store.NewID()
	defer a.intake.runEnded(eventID) // a webhook still waiting for the Reply step is answered now
	ctx, cancel := context.WithTimeout(ctx, a.cfg.RunTimeout)
	defer cancel()
	// The server's Env: real HTTP, the flow's stored input values, live events.
	// A webhook's run may wait (a Delay step): the queue resumes it. A test from the editor
	// has no stored request to resume, so its delays go on at once.
	env := &flows.BasicEnv{HTTP: a.cfg.HTTPClient, Inputs: parseInputs(f.Inputs), Scripts: a.cfg.Scripts, Mail: a.cfg.Mailer, Clock: a.cfg.Clock.Now,
		Resumes: eventID != "" && !test}
	var mu sync.Mutex
	env.Events = func(ev flows.StepEvent) {
		if ev.Type == "run_finished" {
			return // published after the run is stored, with its id
		}
		mu.Lock()
		defer mu.Unlock()
		le := live.Event{Type: ev.Type, RunID: runID, Node: ev.Node, Step: ev.Step}
		if ev.Type == "step_finished" && ev.Step != nil {
			a.intake.replyReached(eventID, ev.Step)
			a.metrics.stepFinished(ev.Step)
			le.ErrorText = errorTexts(ev.Step.Error, ev.Step.ErrorCode, ev.Step.ErrorParams)
		}
		a.publish(f.ID, le)
	}
	a.publish(f.ID, live.Event{Type: "run_started", RunID: runID})
	started := a.cfg.Clock.Now().UTC()
	var trace *flows.Trace
	prog, err := a.flows.program(f)
	if err == nil {
		payload.EventID = eventID
		trace, _ = prog.RunFrom(ctx, payload, env, prev)
	} else {
		trace = &flows.Trace{Status: flows.StatusFailed, StartedAt: started, Steps: []flows.StepTrace{}}
		if ps, ok := err.(flows.Problems); ok {
			trace.Problems = ps
		} else {
			p := flows.Problem{Code: flows.CodeDocumentSyntax, Message: err.Error()}
			trace.Problems = flows.Problems{p}
		}
	}
	data, _ := json.Marshal(trace)
	run := &store.Run{ID: runID, TeamID: f.TeamID, FlowID: f.ID, EventID: eventID, Status: trace.Status, Trace: string(data),
		Test: test, StartedAt: started, DurationMs: a.cfg.Clock.Since(started).Milliseconds()}
	switch {
	case trace.Status == flows.StatusWaiting && trace.Until != nil:
		until := trace.Until.UTC()
		run.RetryAt = &until // when the run goes on: the journal says "waiting until" it
	case trace.Error != nil:
		run.Error = trace.Error.Message
		run.ErrorCode, run.ErrorParams = trace.Error.Code, paramsJSON(trace.Error.Params)
		if n, ok := trace.Step(trace.Error.Node); ok {
			run.FailedStep = n.Name
			if run.FailedStep == "" {
				run.FailedStep = n.Node
			}
		}
	case len(trace.Problems) > 0:
		run.Error = trace.Problems.Error()
		if len(trace.Problems) == 1 { // several are left in English: one code cannot say them
			run.ErrorCode, run.ErrorParams = trace.Problems[0].Code, paramsJSON(trace.Problems[0].Params)
		}
	}
	return run, trace
}

func paramsJSON(p flows.Params) string {
	if len(p) == 0 {
		return ""
	}
	b, _ := json.Marshal(p)
	return string(b)
}

// errorTexts is an error in each language the editor speaks, for the live log (whose events
// are shared by every watcher whatever their language); nil when there is no error.
func errorTexts(english, code string, params flows.Params) map[string]string {
	if english == "" {
		return nil
	}
	out := map[string]string{"en": english, "ru": english}
	if code != "" {
		out["ru"] = flows.Message(code, "ru", params)
	}
	return out
}

// RunErrorTexts is a stored run's error in each language (see errorTexts).
func RunErrorTexts(r *store.Run) map[string]string {
	var p flows.Params
	if r.ErrorParams != "" {
		_ = json.Unmarshal([]byte(r.ErrorParams), &p)
	}
	return errorTexts(r.Error, r.ErrorCode, p)
}

func (a *App) publish(flowID string, ev live.Event) {
	if a.hub != nil {
		a.hub.Publish(flowID, ev)
	}
}

func parseInputs(s string) map[string]string {
	out := map[string]string{}
	if s != "" {
		_ = json.Unmarshal([]byte(s), &out)
	}
	return out
}
