package core

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hookflow/hookflow/flows"
	"github.com/hookflow/hookflow/server/live"
	"github.com/hookflow/hookflow/server/store"
)

// Intake takes webhooks in: it finds the flow of an address (cached by token), keeps each flow
// within its rate limit, stores the request durably with group commit (ingress.go) and hands it
// to the queue, and answers a webhook whose flow has a Reply step with what that step rendered.
type Intake struct {
	store   *store.Store
	cfg     *Config
	log     *slog.Logger
	metrics *Metrics
	hub     *live.Hub
	queue   *queue

	ingress  *ingress
	hooks    hookCache
	limiters rateLimiters
	// replies: event id → *pendingReply, a webhook's answer waiting for its run's Reply step.
	replies sync.Map
	// refusedBytes is the size of the last webhook refused for lack of space: Health's probe
	// writes as much to see whether there is room again.
	refusedBytes atomic.Int64
}

// forget drops what is cached of a flow's address after the flow changed; flowID, when given
// (the flow is gone), also drops its rate limiter.
func (in *Intake) forget(flowID, token string) {
	in.hooks.m.Delete(token)
	if flowID != "" {
		in.limiters.forget(flowID)
	}
}

func (in *Intake) publish(flowID string, ev live.Event) {
	if in.hub != nil {
		in.hub.Publish(flowID, ev)
	}
}

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

func (in *Intake) hookTarget(ctx context.Context, token string) (*hookTarget, error) {
	if v, ok := in.hooks.m.Load(token); ok && time.Since(v.(*hookTarget).loadedAt) < hookCacheTTL {
		return v.(*hookTarget), nil
	}
	f, err := in.store.FlowByToken(ctx, token)
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
	in.hooks.m.Store(token, t)
	return t, nil
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
func (in *Intake) AcceptWebhook(ctx context.Context, token string, p flows.Payload) (*Accepted, error) {
	t, err := in.hookTarget(ctx, token)
	if err != nil {
		return nil, err
	}
	if t.scheduled {
		return nil, ErrUnknownHook
	}
	if t.source.IsTestRequest(p) {
		// Logged, so that "Tilda says the address works but nothing arrived" has an answer.
		in.log.Info("webhook: the source's connection check was answered, not stored", "flow", t.flowID, "source", t.source.Source)
		return &Accepted{FlowID: t.flowID, Active: t.active, SourceCheck: true}, nil
	}
	data, err := json.Marshal(p)
	if err != nil {
		return nil, err
	}
	now := in.cfg.Clock.Now().UTC()
	ev := &store.Event{ID: store.NewID(), TeamID: t.teamID, FlowID: t.flowID, Payload: string(data), Status: store.EventSample, NextAt: now, ReceivedAt: now}
	acc := &Accepted{EventID: ev.ID, FlowID: t.flowID, Active: t.active}
	if t.active {
		ev.Status = store.EventQueued
		if t.replyWait > 0 {
			// Waiting before the event is handed on: its run may reach the Reply step at once.
			acc.ReplyWait, acc.reply = t.replyWait, &pendingReply{done: make(chan struct{})}
			in.replies.Store(ev.ID, acc.reply)
		}
	}
	if err := in.ingress.submit(ctx, ev); err != nil {
		in.replies.Delete(ev.ID)
		if store.IsDiskFull(err) {
			in.refusedBytes.Store(int64(len(ev.Payload)))
			in.metrics.webhookRejected("disk_full")
			return nil, fmt.Errorf("%w (%v)", ErrDiskFull, err)
		}
		in.metrics.webhookRejected("store")
		return nil, err
	}
	in.metrics.webhookAccepted()
	return acc, nil
}

// committed is called by ingress after a batch of events is on disk: it announces them on the
// live log, then hands the queued ones, reserved before the write, to the workers with the
// events as written (in that order, so a browser sees the request arrive before its run starts).
func (in *Intake) committed(events []*store.Event, claimed bool) {
	in.announce(events)
	in.queue.handWritten(events, claimed)
}

// announce tells the live log that requests arrived.
func (in *Intake) announce(events []*store.Event) {
	for _, ev := range events {
		in.publish(ev.FlowID, live.Event{Type: live.TypeEventReceived, EventID: ev.ID, Status: ev.Status})
	}
}

// A webhook whose flow has a Reply step answers what that step rendered: its answer waits (at
// most the step's wait) until the run reaches the step. The request is stored before the wait
// begins, so a run that fails, or a wait that runs out, costs the source only the answer it reads:
// it gets the usual acknowledgement and the event is run (and retried) as any other.

// pendingReply is a webhook's answer waiting for its run's Reply step.
type pendingReply struct {
	done   chan struct{}
	once   sync.Once
	answer *flows.Answer // nil: the run ended without reaching the step
}

func (p *pendingReply) settle(a *flows.Answer) {
	p.once.Do(func() {
		p.answer = a
		close(p.done)
	})
}

// replyReached is called by a run of this process as a step finishes: a Reply step's answer goes
// to the webhook waiting for it, if any.
func (in *Intake) replyReached(eventID string, st *flows.StepTrace) {
	if eventID == "" || st == nil || st.Kind != flows.ReplyKind || st.Status != flows.StatusSuccess {
		return
	}
	if p, ok := in.replies.Load(eventID); ok {
		if ans, ok := flows.AnswerOf(st.Output); ok {
			p.(*pendingReply).settle(&ans)
		}
	}
}

// runEnded is called when a run of this process ends: a webhook still waiting for its Reply step
// is answered the acknowledgement at once.
func (in *Intake) runEnded(eventID string) {
	if p, ok := in.replies.Load(eventID); ok && eventID != "" {
		p.(*pendingReply).settle(nil)
	}
}

// AwaitReply waits for the answer of an accepted webhook's Reply step: at most the step's wait,
// and no longer than the run takes to end without it. False: answer the acknowledgement (the flow
// has no Reply step, is stopped, the run failed or was filtered before the step, or it is late).
func (in *Intake) AwaitReply(ctx context.Context, acc *Accepted) (flows.Answer, bool) {
	p := acc.reply
	if p == nil {
		return flows.Answer{}, false
	}
	defer in.replies.CompareAndDelete(acc.EventID, p)
	deadline := in.cfg.Clock.NewTimer(acc.ReplyWait)
	defer deadline.Stop()
	// On PostgreSQL another process may run the event: its outcome is read from the journal when
	// that run's end reaches this process's live log, and every second in case that was missed
	// (replywake.go).
	look, ended, stop := in.otherProcessRun(acc.EventID)
	defer stop()
	for {
		select {
		case <-p.done:
			if p.answer == nil {
				return flows.Answer{}, false
			}
			return *p.answer, true
		case <-ended:
			ended = nil // closed, and so ready forever: the safety poll goes on alone
			if ans, stored := in.storedReply(ctx, acc.EventID); stored {
				return ans, ans != (flows.Answer{})
			}
		case <-look:
			if ans, ended := in.storedReply(ctx, acc.EventID); ended {
				return ans, ans != (flows.Answer{})
			}
		case <-deadline.Chan():
			return flows.Answer{}, false
		case <-ctx.Done():
			return flows.Answer{}, false
		}
	}
}

// storedReply reads the answer of an event's Reply step from its stored run; ended is false while
// no run is stored, and the answer empty when the run ended without the step.
func (in *Intake) storedReply(ctx context.Context, eventID string) (ans flows.Answer, ended bool) {
	r, err := in.store.LatestRun(ctx, eventID)
	if err != nil {
		return flows.Answer{}, false
	}
	var tr flows.Trace
	if json.Unmarshal([]byte(r.Trace), &tr) == nil {
		for _, st := range tr.Steps {
			if st.Kind == flows.ReplyKind && st.Status == flows.StatusSuccess {
				ans, _ = flows.AnswerOf(st.Output)
			}
		}
	}
	return ans, true
}

// AllowWebhook checks, before the request is read, that the webhook address exists and its flow
// is within its rate limit.
func (in *Intake) AllowWebhook(ctx context.Context, token string) error {
	t, err := in.hookTarget(ctx, token)
	if err != nil {
		return err
	}
	if err := in.limiters.allow(t.flowID, t.rateLimit, in.cfg.Clock.Now()); err != nil {
		in.metrics.webhookRejected("rate_limited")
		return err
	}
	return nil
}
