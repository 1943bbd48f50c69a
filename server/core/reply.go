package core

import (
	"context"
	"encoding/json"
	"strings"
	"sync"

	"github.com/hookflow/hookflow/flows"
	"github.com/hookflow/hookflow/server/store"
)

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
func (a *App) replyReached(eventID string, st *flows.StepTrace) {
	if eventID == "" || st == nil || st.Kind != flows.ReplyKind || st.Status != flows.StatusSuccess {
		return
	}
	if p, ok := a.replies.Load(eventID); ok {
		if ans, ok := flows.AnswerOf(st.Output); ok {
			p.(*pendingReply).settle(&ans)
		}
	}
}

// runEnded is called when a run of this process ends: a webhook still waiting for its Reply step
// is answered the acknowledgement at once.
func (a *App) runEnded(eventID string) {
	if p, ok := a.replies.Load(eventID); ok && eventID != "" {
		p.(*pendingReply).settle(nil)
	}
}

// AwaitReply waits for the answer of an accepted webhook's Reply step: at most the step's wait,
// and no longer than the run takes to end without it. False: answer the acknowledgement (the flow
// has no Reply step, is stopped, the run failed or was filtered before the step, or it is late).
func (a *App) AwaitReply(ctx context.Context, acc *Accepted) (flows.Answer, bool) {
	p := acc.reply
	if p == nil {
		return flows.Answer{}, false
	}
	defer a.replies.CompareAndDelete(acc.EventID, p)
	deadline := a.cfg.Clock.NewTimer(acc.ReplyWait)
	defer deadline.Stop()
	// On PostgreSQL another process may run the event: its outcome is read from the journal when
	// that run's end reaches this process's live log, and every second in case that was missed
	// (replywake.go).
	look, ended, stop := a.otherProcessRun(acc.EventID)
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
			if ans, stored := a.storedReply(ctx, acc.EventID); stored {
				return ans, ans != (flows.Answer{})
			}
		case <-look:
			if ans, ended := a.storedReply(ctx, acc.EventID); ended {
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
func (a *App) storedReply(ctx context.Context, eventID string) (ans flows.Answer, ended bool) {
	r, err := a.store.LatestRun(ctx, eventID)
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

// Flows saved before the Reply step kept the webhook's answer in their settings ("reply"). Such a
// flow is upgraded whenever it is read — by the API, the ingress and the workers alike — and the
// upgrade is stored with its next save: the answer becomes a Reply step placed where it answers
// the same (flows.Flow.AddReplyStep), and the setting is removed. Nothing is rewritten in bulk: a
// flow keeps working as it was until someone saves it, an older process sharing the database
// still reads what is stored, and imports, API clients and rows written by other means that
// still carry the setting go through the same code.

// upgradeReply moves settings' reply into doc as a Reply step; true when settings changed. A
// document that already has a Reply step keeps it: the step is what answers, and the setting is
// dropped.
func upgradeReply(doc *flows.Flow, s *FlowSettings) bool {
	rp := s.Reply
	if rp == nil {
		return false
	}
	s.Reply = nil
	if _, has := doc.ReplyWait(); !has {
		doc.AddReplyStep(rp.Status, rp.ContentType, rp.Body, rp.WaitMs)
	}
	return true
}

// upgraded is a stored flow as it reads now: f itself, or a copy whose reply setting is a step.
func upgraded(f *store.Flow) *store.Flow {
	if f == nil || !strings.Contains(f.Settings, `"reply"`) {
		return f
	}
	settings := parseSettings(f.Settings)
	doc, err := flows.ParseFlow([]byte(f.Document))
	if err != nil || !upgradeReply(doc, &settings) {
		return f // an unreadable document is reported where it is used
	}
	next := *f
	next.Document, next.Settings = mustJSON(doc), withoutReply(f.Settings)
	return &next
}

// withoutReply is stored settings JSON without its reply, members of a newer hookflow kept.
func withoutReply(stored string) string {
	out := map[string]json.RawMessage{}
	_ = json.Unmarshal([]byte(stored), &out)
	delete(out, "reply")
	return mustJSON(out)
}

// storedFlow reads a flow, upgraded (see upgraded).
func (a *App) storedFlow(ctx context.Context, id string) (*store.Flow, error) {
	f, err := a.store.Flow(ctx, id)
	return upgraded(f), err
}
