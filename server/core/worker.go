package core

import (
	"context"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/hookflow/hookflow/flows"
	"github.com/hookflow/hookflow/server/live"
	"github.com/hookflow/hookflow/server/notify"
	"github.com/hookflow/hookflow/server/store"
)

// execute runs a claimed event and says how its attempt ended; nil when it goes back to the
// queue as it was (the flow could not be read, or the service is stopping).
func (a *App) execute(ctx context.Context, ev *store.Event) *finishing {
	flow, err := a.flows.byID(ev.FlowID)
	if errors.Is(err, store.ErrNotFound) {
		return &finishing{Finish: store.Finish{Status: store.EventFailed}}
	}
	if err != nil {
		return nil
	}
	var payload flows.Payload
	if err := json.Unmarshal([]byte(ev.Payload), &payload); err != nil {
		a.log.Error("stored event is unreadable", "event", ev.ID, "err", err)
		return &finishing{Finish: store.Finish{Status: store.EventFailed}, flow: flow}
	}

	var prev *flows.Trace
	if ev.Attempts > 1 {
		prev = a.lastTrace(ev.ID)
	}
	run, trace := a.runFlow(ctx, flow, payload, prev, ev.ID, false)
	if a.ctx.Err() != nil {
		return nil // interrupted by shutdown: run it again after the restart
	}
	run.Attempt = ev.Attempts

	f := &finishing{Finish: store.Finish{Run: run, Status: store.EventDone}, flow: flow, traceStatus: trace.Status}
	switch trace.Status {
	case flows.StatusWaiting:
		// A Delay parked the run: the webhook goes back to the queue, due when the delay ends,
		// and no worker waits for it. Its next attempt goes on from the delay.
		f.Status, f.RetryAt = store.EventQueued, *run.RetryAt
	case flows.StatusFailed:
		f.Status = store.EventFailed
		// Waits are not failed attempts: they count neither towards the limit nor the pause.
		tries := ev.Attempts
		if tries > 1 {
			tries -= a.waits(ev.ID)
		}
		if retryable(trace) && tries < a.cfg.MaxAttempts {
			f.RetryAt = a.cfg.Clock.Now().Add(a.backoff(tries))
			at := f.RetryAt.UTC()
			run.RetryAt = &at // the journal says "waiting for a retry" and when, in the reader's words
		} else {
			f.alert = true
		}
	}
	return f
}

// afterStored acts on an attempt once it is stored: counts it, puts its end on the live log and
// sends the failure alert.
func (a *App) afterStored(f *finishing) {
	a.metrics.runFinished(f.traceStatus)
	if f.Run != nil {
		a.active.LoadOrStore(f.flow.ID, struct{}{}) // its journal grew: the next retention pass looks at it
		status := f.traceStatus
		var until *time.Time
		switch {
		case f.Run.Status == store.RunWaiting:
			until = f.Run.RetryAt // waiting at a Delay step: the live log says until when
		case f.Run.RetryAt != nil:
			status = store.RunWaiting // the live log says it will be tried again, as the journal does
		}
		// With its request's id: a webhook waiting for its answer in another process wakes on it.
		a.publish(f.flow.ID, live.Event{Type: "run_finished", RunID: f.Run.ID, EventID: f.Run.EventID, Status: status, Until: until, ErrorText: RunErrorTexts(f.Run)})
	}
	if f.alert {
		a.alert(f.flow, f.Run)
	}
}

// teamOf is a flow's team, for the workers' shares ("" when the flow cannot be read).
func (a *App) teamOf(flowID string) string {
	if f, err := a.flows.byID(flowID); err == nil {
		return f.TeamID
	}
	return ""
}

// scheduler feeds the workers with due events: retries whose time came, events that did not fit
// in the dispatch channel, events left by a crash or by another process; and enqueues the
// schedule flows' ticks (schedule.go).
func (a *App) scheduler() {
	defer a.wg.Done()
	for {
		a.fireSchedulesNow()
		// A scan that filled the workers' channel leaves more behind (a backlog after a restart):
		// look again as soon as there is room instead of a second later.
		wait := a.queue.scan()
		select {
		case <-a.quit:
			return
		case <-a.cfg.Clock.After(wait):
		}
	}
}

// waits counts the attempts of an event that ended waiting (a Delay), not failing.
func (a *App) waits(eventID string) int {
	n, err := a.store.WaitingRuns(a.ctx, eventID)
	if err != nil {
		return 0
	}
	return n
}

// lastTrace is the trace of the event's previous attempt, to continue from its failed step.
func (a *App) lastTrace(eventID string) *flows.Trace {
	r, err := a.store.LatestRun(a.ctx, eventID)
	if err != nil {
		return nil
	}
	var t flows.Trace
	if json.Unmarshal([]byte(r.Trace), &t) != nil {
		return nil
	}
	return &t
}

// retryable reports whether the run failed because a target was unreachable or overloaded, so
// trying the whole run later may succeed. A refusal (4xx, a failed success rule) is final.
func retryable(t *flows.Trace) bool {
	if t.Error == nil {
		return false
	}
	switch t.Error.Code {
	case flows.CodeHTTPNetwork, flows.CodeHTTPTimeout, flows.CodeHTTPRetryAfter, flows.CodeEmailUnavailable:
		return true
	case flows.CodeHTTPStatus:
		s := t.Error.Params["status"]
		return s == "429" || (len(s) == 3 && s[0] == '5')
	case flows.CodeCollectItemsFailed:
		return anyItemRetryable(t)
	}
	return false
}

// anyItemRetryable reports whether an item of a loop failed as retryable says: a retry then
// sends only the failed items again, reusing the others.
func anyItemRetryable(t *flows.Trace) bool {
	for _, st := range t.Steps {
		for _, it := range st.Items {
			if it.ErrorCode != "" && it.ErrorCode != flows.CodeCollectItemsFailed &&
				retryable(&flows.Trace{Error: &flows.Problem{Code: it.ErrorCode, Params: it.ErrorParams}}) {
				return true
			}
		}
	}
	return false
}

// backoff is the pause before attempt n+1: RetryBase tripled each time, at most RetryMax, with
// jitter so that a recovered target is not hit by every retry at once.
func (a *App) backoff(attempt int) time.Duration {
	d := a.cfg.RetryBase
	for i := 1; i < attempt && d < a.cfg.RetryMax; i++ {
		d *= 3
	}
	d = min(d, a.cfg.RetryMax)
	return d/2 + rand.N(d/2+1)
}

func (a *App) alert(flow *store.Flow, run *store.Run) {
	if a.notifier == nil {
		return
	}
	settings := parseSettings(flow.Settings)
	if len(settings.Recipients) == 0 {
		return
	}
	errText := run.Error
	if strings.HasPrefix(strings.ToLower(settings.Lang), "ru") { // the mail's language, from the stored code
		if s, ok := RunErrorTexts(run)["ru"]; ok {
			errText = s
		}
	}
	a.notifier.RunFailed(notify.Failure{
		FlowID: flow.ID, FlowName: flow.Name, RunID: run.ID, Step: run.FailedStep, Error: errText,
		At: run.StartedAt, RunURL: a.cfg.PublicURL + "/flows/" + flow.ID + "/runs/" + run.ID,
		Recipients: settings.Recipients, Lang: settings.Lang,
	})
}
