package core

import (
	"context"
	"encoding/json"
	"time"

	"github.com/hookflow/hookflow/flows"
	"github.com/hookflow/hookflow/server/live"
	"github.com/hookflow/hookflow/server/store"
)

// Backfill rebuilds live events from stored traces for a browser that reconnects with a
// ?since= older than the hub's memory (live sequence numbers are microsecond times). It is
// live.Options.Backfill.
func (j *Journal) Backfill(ctx context.Context, flowID string, since uint64) ([]live.Event, error) {
	from := time.UnixMicro(int64(since)).Add(-time.Second)
	runs, err := j.store.Runs(ctx, flowID, store.RunFilter{Since: from, Limit: 100})
	if err != nil {
		return nil, err
	}
	var out []live.Event
	for i := len(runs) - 1; i >= 0; i-- { // oldest first
		r, err := j.store.Run(ctx, runs[i].ID)
		if err != nil {
			continue
		}
		var t flows.Trace
		if json.Unmarshal([]byte(r.Trace), &t) != nil {
			continue
		}
		at := r.StartedAt
		for j := range t.Steps {
			s := t.Steps[j]
			if s.Status == flows.StatusSkipped {
				continue
			}
			if !s.StartedAt.IsZero() {
				at = s.StartedAt
			}
			out = append(out, live.Event{FlowID: flowID, RunID: r.ID, Type: live.TypeStepFinished, Node: s.Node, Step: &s, At: at})
		}
		end := r.StartedAt.Add(time.Duration(r.DurationMs) * time.Millisecond)
		out = append(out, live.Event{FlowID: flowID, RunID: r.ID, Type: live.TypeRunFinished, Status: r.Status, At: end})
	}
	// Sequence numbers are the events' times, kept strictly increasing.
	var prev uint64
	for i := range out {
		out[i].Seq = max(uint64(out[i].At.UnixMicro()), prev+1)
		prev = out[i].Seq
	}
	kept := out[:0]
	for _, ev := range out {
		if ev.Seq > since {
			kept = append(kept, ev)
		}
	}
	return kept, nil
}
