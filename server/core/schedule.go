package core

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/hookflow/hookflow/flows"
	"github.com/hookflow/hookflow/server/store"
)

// Schedule triggers. Every second (on the service's clock) each process looks for the ticks of
// active schedule flows that are due and stores one event per tick, which the workers then run
// like a webhook's. A tick's event id is made from the flow and the tick's time, so every
// process names it alike: the first insert stores it and the others' inserts do nothing. Each
// tick is thus enqueued exactly once however many processes share the database, without a
// lock, and run once by the queue's claims.
//
// Ticks are counted from the flow's latest tick, or from when it was started if that is later,
// so the times a flow was stopped are never made up for. A tick is on time within
// scheduleGrace; older ones were missed (every process was down): the flow's setting runs the
// latest of them once, or skips them. A tick that is on time stands for the missed ones too.

// scheduleGrace is how late a tick may be enqueued and still be on time.
const scheduleGrace = time.Minute

// scheduleScan is how often the ticks are looked for.
const scheduleScan = time.Second

// scheduleLookBack bounds how far back missed ticks are looked for.
const scheduleLookBack = 400 * 24 * time.Hour

// tickNamespace makes tick event ids: name-based UUIDs (version 5), where a webhook's events
// have time-ordered ones (version 7).
var tickNamespace = uuid.MustParse("0d6f3c1e-5a1b-4c86-9b2e-7f4d2a9c8e51")

// TickEventID is the id of the event of a flow's tick at the given time: the same in every
// process.
func TickEventID(flowID string, at time.Time) string {
	return uuid.NewSHA1(tickNamespace, []byte(flowID+"@"+strconv.FormatInt(at.Unix(), 10))).String()
}

// IsTickEvent reports whether an event was enqueued by a schedule rather than a webhook.
func IsTickEvent(id string) bool {
	u, err := uuid.Parse(id)
	return err == nil && u.Version() == 5
}

// ticker is a process's memory of the schedules it fires.
type ticker struct {
	mu       sync.Mutex
	lastScan time.Time
	flows    map[string]*tickState
}

type tickState struct {
	version int
	sched   *flows.Schedule
	last    time.Time // the latest tick enqueued or passed over; zero: not looked up yet
}

// fireSchedulesNow is the scheduler's call: at most once per scheduleScan.
func (a *App) fireSchedulesNow() {
	now := a.cfg.Clock.Now()
	a.ticks.mu.Lock()
	due := now.Sub(a.ticks.lastScan) >= scheduleScan
	a.ticks.mu.Unlock()
	if !due {
		return
	}
	if _, err := a.FireSchedules(a.ctx); err != nil && a.ctx.Err() == nil {
		a.log.Error("firing schedules", "err", err)
	}
}

// FireSchedules enqueues the due ticks of every active schedule flow at the clock's time and
// hands them to the workers. It returns the ids of the events this call stored (a tick another
// process stored first is not among them). The scheduler calls it every second.
func (a *App) FireSchedules(ctx context.Context) ([]string, error) {
	a.ticks.mu.Lock()
	defer a.ticks.mu.Unlock()
	now := a.cfg.Clock.Now()
	a.ticks.lastScan = now
	list, err := a.store.ScheduledFlows(ctx, flows.ScheduleKinds())
	if err != nil {
		return nil, err
	}
	if a.ticks.flows == nil {
		a.ticks.flows = map[string]*tickState{}
	}
	seen := map[string]bool{}
	var stored []*store.Event
	var firstErr error
	for i := range list {
		f := &list[i]
		seen[f.ID] = true
		evs, err := a.fireFlow(ctx, f, now)
		stored = append(stored, evs...)
		if err != nil && firstErr == nil {
			firstErr = err
		}
	}
	for id := range a.ticks.flows {
		if !seen[id] { // stopped, deleted or no longer a schedule: its next start looks again
			delete(a.ticks.flows, id)
		}
	}
	ids := make([]string, len(stored))
	for i, ev := range stored {
		ids[i] = ev.ID
	}
	if len(stored) > 0 {
		// Ticks are not reserved as webhooks are (ingress), so they go by id: the worker reads
		// each one's stored state.
		a.intake.announce(stored)
		a.queue.dispatch(ids)
	}
	return ids, firstErr
}

// fireFlow enqueues one flow's due ticks; a.ticks.mu is held.
func (a *App) fireFlow(ctx context.Context, f *store.Flow, now time.Time) ([]*store.Event, error) {
	st := a.ticks.flows[f.ID]
	if st == nil || st.version != f.Version {
		doc, err := flows.ParseFlow([]byte(f.Document))
		if err != nil {
			return nil, nil // its runs would fail; starting it refuses it anyway
		}
		s, err := flows.FlowSchedule(doc)
		if err != nil || s == nil {
			return nil, nil
		}
		next := &tickState{version: f.Version, sched: s}
		if st != nil {
			next.last = st.last
		}
		st = next
		a.ticks.flows[f.ID] = st
	}
	if st.last.IsZero() {
		last, err := a.latestTick(ctx, f.ID)
		if err != nil {
			return nil, err
		}
		st.last = last
	}
	from := st.last
	if f.StartedAt != nil && f.StartedAt.After(from) {
		from = *f.StartedAt
	}
	if from.IsZero() {
		from = now // neither a tick nor a start noted (a flow started before schedules existed)
	}
	from = later(from, now.Add(-scheduleLookBack))
	var missed time.Time
	var onTime []time.Time
	for t := st.sched.Next(from); !t.IsZero() && !t.After(now); t = st.sched.Next(t) {
		if now.Sub(t) < scheduleGrace {
			onTime = append(onTime, t)
		} else {
			missed = t
		}
	}
	fire := onTime
	if len(onTime) == 0 && !missed.IsZero() && st.sched.Missed == flows.MissedRunOnce {
		fire = []time.Time{missed}
	}
	var stored []*store.Event
	for _, t := range fire {
		payload, _ := json.Marshal(flows.TickPayload(t, now))
		ev := &store.Event{ID: TickEventID(f.ID, t), TeamID: f.TeamID, FlowID: f.ID, Payload: string(payload),
			Status: store.EventQueued, NextAt: now.UTC(), ReceivedAt: now.UTC()}
		ok, err := a.store.InsertOnce(ctx, ev)
		a.noteWrite(err)
		if err != nil {
			return stored, err
		}
		if ok {
			stored = append(stored, ev)
		}
		st.last = later(st.last, t)
	}
	if len(onTime) > 0 {
		st.last = later(st.last, onTime[len(onTime)-1])
	}
	st.last = later(st.last, missed) // skipped, or stood for by a tick on time
	if st.last.IsZero() {
		st.last = from // nothing due yet: no need to look the latest tick up again
	}
	return stored, nil
}

// latestTick is the time of the newest tick stored for a flow (zero: none).
func (a *App) latestTick(ctx context.Context, flowID string) (time.Time, error) {
	ev, err := a.store.LatestEvent(ctx, flowID)
	if errors.Is(err, store.ErrNotFound) {
		return time.Time{}, nil
	}
	if err != nil || !IsTickEvent(ev.ID) {
		return time.Time{}, err
	}
	var p flows.Payload
	var tick flows.ScheduleTick
	if json.Unmarshal([]byte(ev.Payload), &p) != nil || json.Unmarshal([]byte(p.Body), &tick) != nil {
		return time.Time{}, nil
	}
	return tick.ScheduledAt, nil
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
