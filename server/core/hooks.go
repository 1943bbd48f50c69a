package core

import (
	"context"

	"github.com/hookflow/hookflow/flows"
	"github.com/hookflow/hookflow/server/live"
	"github.com/hookflow/hookflow/server/store"
)

// TestFlow runs a flow now with real HTTP (the editor's "send for real"), streams it to the
// live log and stores it in the journal marked as a test.
func (a *App) TestFlow(ctx context.Context, id string, p flows.Payload, doc *flows.Flow) (*store.Run, *flows.Trace, error) {
	stored, err := a.flows.stored(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	if doc != nil { // the editor's unsaved document: masked secrets take the stored values
		next := *stored
		next.Document, next.Version = mustJSON(doc), -1
		if _, err := a.flows.sealFlow(&next, stored, false); err != nil {
			return nil, nil, err
		}
		stored = &next
	}
	f, err := a.flows.openFlow(stored)
	if err != nil {
		return nil, nil, err
	}
	run, trace := a.runFlow(ctx, f, p, nil, "", true)
	if err := a.store.CreateRun(context.Background(), run); err != nil {
		return nil, nil, err
	}
	a.metrics.runFinished(trace.Status)
	a.publish(id, live.Event{Type: "run_finished", RunID: run.ID, Status: trace.Status, ErrorText: RunErrorTexts(run)})
	return run, trace, nil
}

// RetryRun runs a failed run's event again from its failed step, reusing earlier outputs.
func (a *App) RetryRun(ctx context.Context, runID string) (string, error) {
	r, err := a.store.Run(ctx, runID)
	if err != nil {
		return "", err
	}
	if r.EventID == "" {
		return "", &InvalidError{Problems: flows.Problems{{Code: "run.not_retryable", Message: "a test run has no stored request to retry; run the test again"}}}
	}
	if err := a.store.RequeueEvent(ctx, r.EventID, a.cfg.Clock.Now()); err != nil {
		return "", err
	}
	a.queue.dispatch([]string{r.EventID})
	return r.EventID, nil
}

// ReplayEvent queues a stored request again, as if it had just arrived (a sample captured while
// the flow was stopped, or a finished one).
func (a *App) ReplayEvent(ctx context.Context, flowID, eventID string) error {
	ev, err := a.store.Event(ctx, eventID)
	if err != nil || ev.FlowID != flowID {
		return store.ErrNotFound
	}
	// A replay starts from scratch: earlier attempts' outputs are not reused.
	if err := a.store.ResetAttempts(ctx, eventID); err != nil {
		return err
	}
	a.queue.changed(eventID)
	if err := a.store.RequeueEvent(ctx, eventID, a.cfg.Clock.Now()); err != nil {
		return err
	}
	a.queue.dispatch([]string{eventID})
	return nil
}
