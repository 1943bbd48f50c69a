package live

import (
	"sync"
	"sync/atomic"
	"time"
)

// Relay carries a published event to every process sharing the database (this one included),
// where it is numbered and comes back through Deliver. It must not wait: Publish never does.
type Relay func(Event)

// relayAhead is how far ahead of this process's clock a ?since= may be and still be taken as
// "seen through another process, on its way here" rather than as a cursor of another history.
const relayAhead = time.Minute

// reasonResumed is sent (with close 1013) to watchers when the relay missed events (its connection
// to the database was lost for a while, or a process dropped events the database did not take as
// fast as they came): they reconnect with ?since= and get the missed runs from the journal.
const reasonResumed = "live: events were missed (the database was out of reach or did not keep up); reconnect with ?since=<last seq>"

// relayState is the part of a Hub that serves a relay; Hub.mu guards relay and base.
type relayState struct {
	relay Relay
	base  uint64        // with a relay: the cursor it resumed at (the horizon of flows seen later)
	seen  atomic.Uint64 // the highest Seq delivered (or resumed at)

	waitMu sync.Mutex
	ends   map[string][]chan struct{} // event id → channels closed by the run_finished carrying it
}

// SetRelay makes Publish hand events to r instead of numbering them here, and the hub then holds
// the events Deliver gives it: numbered once, by whoever relays them, the same in every process.
// Call it before the first Publish or Serve, then Resume once the relay listens.
func (h *Hub) SetRelay(r Relay) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.relay = r
}

// Relayed reports whether a relay carries the events (SetRelay).
func (h *Hub) Relayed() bool {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return h.relay != nil
}

// Resume tells the hub that the relay (again) listens and that every event numbered after cursor
// will reach Deliver. When events up to cursor were numbered that never reached this hub (the
// relay's connection was lost for a while), the flows' histories are dropped — their horizon
// becomes cursor — and their watchers are disconnected with 1013: they reconnect with ?since=
// and get what they missed from Backfill (the journal), or a gap.
func (h *Hub) Resume(cursor uint64) {
	h.mu.Lock()
	h.base = max(h.base, cursor)
	missed := cursor > h.seen.Load()
	if missed {
		h.seen.Store(cursor)
	}
	var fhs []*flowHub
	if missed {
		for _, fh := range h.flows {
			fhs = append(fhs, fh)
		}
	}
	h.mu.Unlock()
	for _, fh := range fhs {
		fh.mu.Lock()
		if cursor > fh.horizon {
			clear(fh.hist)
			fh.hist, fh.bytes = fh.hist[:0], 0
			fh.horizon = cursor
			fh.last = max(fh.last, cursor)
			for c := range fh.clients {
				delete(fh.clients, c)
				c.kick(closeSlow, reasonResumed)
			}
		}
		fh.mu.Unlock()
	}
}

// Deliver holds an event numbered by the relay (Seq set) and sends it to the flow's watchers. The
// relay delivers each flow's events in increasing Seq; one at or below what the flow already
// holds (or below its horizon) is dropped, and Deliver reports false.
func (h *Hub) Deliver(ev Event) bool {
	if ev.Seq == 0 || ev.FlowID == "" {
		return false
	}
	e := &entry{seq: ev.Seq, data: encode(ev)}
	for {
		h.mu.RLock()
		fh := h.flows[ev.FlowID]
		if fh != nil {
			fh.mu.Lock()
			ok := ev.Seq > fh.last && ev.Seq > fh.horizon
			if ok {
				fh.last = ev.Seq
				fh.add(e, h.opts)
			}
			fh.mu.Unlock()
			h.mu.RUnlock()
			if ok {
				if ev.Seq > h.seen.Load() { // only the relay's one goroutine delivers
					h.seen.Store(ev.Seq)
				}
				h.runEnded(ev)
			}
			return ok
		}
		h.mu.RUnlock()
		h.mu.Lock()
		if h.flows[ev.FlowID] == nil {
			h.flows[ev.FlowID] = h.newFlowHub(ev.FlowID)
		}
		h.mu.Unlock()
	}
}

// RunEnded returns a channel closed when a run_finished event carrying eventID (the stored
// request the run was for) reaches this hub — published here or delivered from another process —
// and a function to call when the channel is no longer wanted.
func (h *Hub) RunEnded(eventID string) (<-chan struct{}, func()) {
	ch := make(chan struct{})
	h.waitMu.Lock()
	if h.ends == nil {
		h.ends = make(map[string][]chan struct{})
	}
	h.ends[eventID] = append(h.ends[eventID], ch)
	h.waitMu.Unlock()
	return ch, func() {
		h.waitMu.Lock()
		defer h.waitMu.Unlock()
		chs := h.ends[eventID]
		for i, c := range chs {
			if c == ch {
				chs = append(chs[:i], chs[i+1:]...)
				break
			}
		}
		if len(chs) == 0 {
			delete(h.ends, eventID)
		} else {
			h.ends[eventID] = chs
		}
	}
}

// runEnded closes the channels waiting for ev when it is a run's end.
func (h *Hub) runEnded(ev Event) {
	if ev.Type != TypeRunFinished || ev.EventID == "" {
		return
	}
	h.waitMu.Lock()
	chs := h.ends[ev.EventID]
	delete(h.ends, ev.EventID)
	h.waitMu.Unlock()
	for _, c := range chs {
		close(c)
	}
}
