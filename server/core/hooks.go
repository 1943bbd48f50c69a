package core

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/hookflow/hookflow/flows"
	"github.com/hookflow/hookflow/server/live"
	"github.com/hookflow/hookflow/server/store"
)

// ErrUnknownHook is returned for a webhook token no flow has.
var ErrUnknownHook = errors.New("unknown webhook address")

// hookTarget is what ingress needs to know of a flow, cached by token: every webhook would
// otherwise cost a database read before its write.
type hookTarget struct {
	flowID    string
	teamID    string
	active    bool
	replyWait time.Duration // the wait of the flow's Reply step; 0 when it has none
	rateLimit *RateLimit
	// source is the preset of the flow's trigger: its connection check (Tilda's test=test) is
	// answered without being stored or run.
	source flows.Preset
	// scheduled: the flow is started by its schedule, and its address takes no requests.
	scheduled bool
	loadedAt  time.Time
}

// hookCacheTTL bounds how long another process's start/stop takes to be seen here.
const hookCacheTTL = 2 * time.Second

type hookCache struct{ m sync.Map }

func (a *App) hookTarget(ctx context.Context, token string) (*hookTarget, error) {
	if v, ok := a.hooks.m.Load(token); ok && time.Since(v.(*hookTarget).loadedAt) < hookCacheTTL {
		return v.(*hookTarget), nil
	}
	f, err := a.store.FlowByToken(ctx, token)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrUnknownHook
	}
	if err != nil {
		return nil, err
	}
	f = upgraded(f)
	settings := parseSettings(f.Settings)
	t := &hookTarget{flowID: f.ID, teamID: f.TeamID, active: f.Active, rateLimit: settings.RateLimit, loadedAt: time.Now()}
	if doc, err := flows.ParseFlow([]byte(f.Document)); err == nil {
		t.source, _ = doc.TriggerPreset()
		t.replyWait, _ = doc.ReplyWait()
		t.scheduled = doc.Scheduled()
	}
	a.hooks.m.Store(token, t)
	return t, nil
}

// forgetFlow drops the cached copies of a flow after it changed.
func (a *App) forgetFlow(f *store.Flow) {
	a.hooks.m.Delete(f.Token)
	a.flowsTTL.Delete(f.ID)
}

// Accepted is the outcome of a webhook: the stored event and how to answer.
type Accepted struct {
	EventID string
	FlowID  string
	Active  bool
	// ReplyWait is how long the answer may wait for the run's Reply step (see AwaitReply); 0 when
	// the flow is stopped or has no Reply step: it is answered at once.
	ReplyWait time.Duration
	reply     *pendingReply
	// SourceCheck is true for the source's connection check (Tilda's test=test): answered 200,
	// neither stored nor run, so it never shows in the journal or becomes a sample.
	SourceCheck bool
}

// AcceptWebhook stores an incoming request durably (queued when the flow is active, as a sample
// when it is stopped) and returns once it is on disk.
func (a *App) AcceptWebhook(ctx context.Context, token string, p flows.Payload) (*Accepted, error) {
	t, err := a.hookTarget(ctx, token)
	if err != nil {
		return nil, err
	}
	if t.scheduled {
		return nil, ErrUnknownHook
	}
	if t.source.IsTestRequest(p) {
		// Logged, so that "Tilda says the address works but nothing arrived" has an answer.
		a.log.Info("webhook: the source's connection check was answered, not stored", "flow", t.flowID, "source", t.source.Source)
		return &Accepted{FlowID: t.flowID, Active: t.active, SourceCheck: true}, nil
	}
	data, err := json.Marshal(p)
	if err != nil {
		return nil, err
	}
	now := a.cfg.Clock.Now().UTC()
	ev := &store.Event{ID: store.NewID(), TeamID: t.teamID, FlowID: t.flowID, Payload: string(data), Status: store.EventSample, NextAt: now, ReceivedAt: now}
	acc := &Accepted{EventID: ev.ID, FlowID: t.flowID, Active: t.active}
	if t.active {
		ev.Status = store.EventQueued
		if t.replyWait > 0 {
			// Waiting before the event is handed on: its run may reach the Reply step at once.
			acc.ReplyWait, acc.reply = t.replyWait, &pendingReply{done: make(chan struct{})}
			a.replies.Store(ev.ID, acc.reply)
		}
	}
	if err := a.ingress.submit(ctx, ev); err != nil {
		a.replies.Delete(ev.ID)
		if store.IsDiskFull(err) {
			a.metrics.webhookRejected("disk_full")
			return nil, fmt.Errorf("%w (%v)", ErrDiskFull, err)
		}
		a.metrics.webhookRejected("store")
		return nil, err
	}
	a.metrics.webhookAccepted()
	return acc, nil
}

// committed is called by ingress after a batch of events is on disk: it announces them on the
// live log, then hands the queued ones, reserved before the write, to the workers with the
// events as written (in that order, so a browser sees the request arrive before its run starts).
func (a *App) committed(events []*store.Event) {
	a.announce(events)
	full := false
	for _, ev := range events {
		if ev.Status != store.EventQueued {
			continue
		}
		if full { // reserved by ingress (reserve): left to the scheduler's scan
			a.queue.release(ev.ID)
			continue
		}
		full = !a.queue.hand(job{id: ev.ID, ev: ev})
	}
}

// announce tells the live log that requests arrived.
func (a *App) announce(events []*store.Event) {
	for _, ev := range events {
		a.publish(ev.FlowID, live.Event{Type: live.TypeEventReceived, EventID: ev.ID, Status: ev.Status})
	}
}

// TestFlow runs a flow now with real HTTP (the editor's "send for real"), streams it to the
// live log and stores it in the journal marked as a test.
func (a *App) TestFlow(ctx context.Context, id string, p flows.Payload, doc *flows.Flow) (*store.Run, *flows.Trace, error) {
	stored, err := a.storedFlow(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	if doc != nil { // the editor's unsaved document: masked secrets take the stored values
		next := *stored
		next.Document, next.Version = mustJSON(doc), -1
		if _, err := a.sealFlow(&next, stored, false); err != nil {
			return nil, nil, err
		}
		stored = &next
	}
	f, err := a.openFlow(stored)
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
	if err := a.store.RequeueEvent(ctx, r.EventID); err != nil {
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
	if err := a.store.RequeueEvent(ctx, eventID); err != nil {
		return err
	}
	a.queue.dispatch([]string{eventID})
	return nil
}
