package core

import (
	"encoding/json"
	"errors"
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	"github.com/hookflow/hookflow/flows"
	"github.com/hookflow/hookflow/server/notify"
	"github.com/hookflow/hookflow/server/store"
)

// job is an event on its way to a worker. ev, when set, is the event as stored, read or just
// written by this process: while the id is in flight nothing else here changes it, so the worker
// need not read it again (on PostgreSQL the claim still asks the database).
type job struct {
	id string
	ev *store.Event
}

// dispatch hands events to the workers without waiting. An event already on its way (in the
// channel, running, or being stored) is skipped; what does not fit is picked up by the
// scheduler's next scan of the queue.
func (a *App) dispatch(ids []string) {
	for _, id := range ids {
		if _, busy := a.inflight.LoadOrStore(id, struct{}{}); busy {
			continue
		}
		a.inflightN.Add(1)
		if !a.hand(job{id: id}) {
			return
		}
	}
}

// hand gives an event already marked in flight to the workers, or releases it when their
// channel is full (the scheduler's scan finds it later).
func (a *App) hand(j job) bool {
	select {
	case a.work <- j:
		return true
	default:
		a.release(j.id)
		return false
	}
}

// reserve marks webhook events in flight before they are written, so that no scan of the queue
// can dispatch one of them between its commit and its hand-over by committed.
func (a *App) reserve(events []*store.Event) {
	for _, ev := range events {
		if ev.Status == store.EventQueued {
			a.inflight.Store(ev.ID, struct{}{})
			a.inflightN.Add(1)
		}
	}
}

// unreserve forgets events whose write failed: they were not stored.
func (a *App) unreserve(events []*store.Event) {
	for _, ev := range events {
		if ev.Status == store.EventQueued {
			a.release(ev.ID)
		}
	}
}

// release forgets an event that is no longer on its way to or through a worker.
func (a *App) release(id string) {
	if _, ok := a.inflight.LoadAndDelete(id); ok {
		a.inflightN.Add(-1)
	}
	a.dropLease(id)
}

func (a *App) worker() {
	defer a.wg.Done()
	for {
		select {
		case <-a.quit:
			return
		case j := <-a.work:
			a.execute(j)
		}
	}
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
		wait := time.Second
		if a.scan() {
			wait = 20 * time.Millisecond
		}
		select {
		case <-a.quit:
			return
		case <-a.cfg.Clock.After(wait):
		}
	}
}

// scan dispatches due events; it reports whether it found as many as there was room for.
func (a *App) scan() bool {
	room := cap(a.work)/2 - len(a.work)
	if room <= 0 {
		return true
	}
	// On SQLite events on their way still read as queued: ask for that many more so that the
	// scan reaches past them.
	busy := int(a.inflightN.Load())
	ids, err := a.store.DueEvents(a.ctx, a.cfg.Clock.Now(), room+busy)
	if err != nil {
		if a.ctx.Err() == nil {
			a.log.Error("scanning the queue", "err", err)
		}
		return false
	}
	a.dispatch(ids)
	return len(ids) == room+busy
}

// execute runs one queued event. At-least-once: the event stays in the queue until its run is
// stored; a crash in between runs it again, and targets can drop the repeat by {{event.id}}.
func (a *App) execute(j job) {
	id := j.id
	slot, ok := a.admit(&j)
	if !ok {
		return
	}
	defer a.leave(slot)
	ev, ok, err := a.claim(j)
	if err != nil || !ok {
		if err != nil && a.ctx.Err() == nil {
			a.log.Error("claiming an event", "event", id, "err", err)
		}
		a.release(id)
		return
	}
	claimed := a.store.Dialect() == "postgres"
	done := func(f finishing) {
		f.EventID, f.Claimed = id, claimed
		a.finished <- f
	}
	flow, err := a.flowByID(ev.FlowID)
	if errors.Is(err, store.ErrNotFound) {
		done(finishing{Finish: store.Finish{Status: store.EventFailed}})
		return
	}
	if err != nil {
		a.release(id)
		a.requeue(id)
		return
	}
	var payload flows.Payload
	if err := json.Unmarshal([]byte(ev.Payload), &payload); err != nil {
		a.log.Error("stored event is unreadable", "event", id, "err", err)
		done(finishing{Finish: store.Finish{Status: store.EventFailed}, flow: flow})
		return
	}

	var prev *flows.Trace
	if ev.Attempts > 1 {
		prev = a.lastTrace(ev.ID)
	}
	run, trace := a.runFlow(a.runContext(id), flow, payload, prev, ev.ID, false)
	if a.ctx.Err() != nil {
		a.release(id)
		a.requeue(id) // interrupted by shutdown: run it again after the restart
		return
	}
	run.Attempt = ev.Attempts

	f := finishing{Finish: store.Finish{Run: run, Status: store.EventDone}, flow: flow, traceStatus: trace.Status}
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
	done(f)
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

// Fair workers. One team's flood of slow events (scripts running to their limit, targets that
// answer late) must not make another team's webhook wait for a free worker. Each team and each
// flow has a share of the workers: a team at most half of them, a flow a quarter (at least one
// each). While more than a quarter of the workers are idle the shares do not apply, so a lone
// team still gets most of the pool; once only that quarter is left, an event whose team or flow
// is at its share is parked in memory (it stays queued in the database, nothing is lost) and
// dispatched again when a run ends. The idle quarter is thus kept for teams under their share:
// their events start at once however busy the others are.
type fairness struct {
	mu      sync.Mutex
	running int
	teams   map[string]int // running events by team
	flows   map[string]int // by flow
	parked  []fairSlot     // oldest first
}

type fairSlot struct {
	job
	team, flow string
}

// maxParked bounds the events parked in memory; beyond it an event is left to the scheduler's
// next scan of the queue.
const maxParked = 1024

func (a *App) shares() (team, flow, reserve int) {
	w := a.cfg.Workers
	return max(1, w/2), max(1, w/4), max(1, w/4)
}

// admit decides whether a worker may run the event now; when not, the event is parked.
func (a *App) admit(j *job) (fairSlot, bool) {
	if j.ev == nil {
		ev, err := a.store.Event(a.ctx, j.id)
		if err != nil {
			if a.ctx.Err() == nil && !errors.Is(err, store.ErrNotFound) {
				a.log.Error("reading an event", "event", j.id, "err", err)
			}
			a.release(j.id)
			return fairSlot{}, false
		}
		j.ev = ev
	}
	id := j.id
	slot := fairSlot{job: *j, flow: j.ev.FlowID}
	if f, err := a.flowByID(j.ev.FlowID); err == nil {
		slot.team = f.TeamID
	}
	f := &a.fair
	f.mu.Lock()
	defer f.mu.Unlock()
	if !a.mayStart(slot) {
		if len(f.parked) >= maxParked {
			a.release(id)
		} else {
			f.parked = append(f.parked, slot)
		}
		return slot, false
	}
	a.started(slot)
	return slot, true
}

// mayStart is the share rule; f.mu is held.
func (a *App) mayStart(s fairSlot) bool {
	f := &a.fair
	teamShare, flowShare, reserve := a.shares()
	if a.cfg.Workers-f.running-1 >= reserve {
		return true
	}
	return f.teams[s.team] < teamShare && f.flows[s.flow] < flowShare
}

func (a *App) started(s fairSlot) {
	f := &a.fair
	if f.teams == nil {
		f.teams, f.flows = map[string]int{}, map[string]int{}
	}
	f.running++
	f.teams[s.team]++
	f.flows[s.flow]++
}

// leave ends a run's hold on its shares and hands the worker to the oldest parked event that
// may start now.
func (a *App) leave(s fairSlot) {
	f := &a.fair
	f.mu.Lock()
	defer f.mu.Unlock()
	f.running--
	if f.teams[s.team]--; f.teams[s.team] <= 0 {
		delete(f.teams, s.team)
	}
	if f.flows[s.flow]--; f.flows[s.flow] <= 0 {
		delete(f.flows, s.flow)
	}
	for i, p := range f.parked {
		if !a.mayStart(p) {
			continue
		}
		select {
		case a.work <- p.job:
			f.parked = append(f.parked[:i], f.parked[i+1:]...)
		default: // the workers have plenty to do; a later run's end tries again
		}
		return
	}
}
