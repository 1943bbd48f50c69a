package flows

import (
	"errors"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"time"

	"github.com/dop251/goja"
)

// Memory growth limit of user JavaScript. goja has no per-runtime allocation counter, and Go
// none per goroutine, so the bound is on the process heap: while scripts run, a watchdog samples
// the heap every few milliseconds. It judges the live heap as of the last collection (a script
// that makes much garbage but keeps little is fine; a growing live set forces collections, so
// the figure follows it), and, as a hard stop, everything the heap holds including garbage not
// yet collected (4 × the bound). When scripts have seen the heap grow by more than
// MaxScriptMemoryGrowth since they started, it interrupts the one that started last among them and gives the others a fresh
// allowance from the current heap. A script doubling a string or pushing into an array without
// end is stopped within a sample or two of crossing the bound; the runtime it ran on is dropped,
// and its memory given back.
//
// Why the newest: growth cannot be attributed (no per-runtime counter), but a script that
// started before the growth began is over the bound only if the growth happened during its run,
// and the one that started last is the most likely cause; when the guess is wrong, the real
// cause crosses its fresh allowance soon after and is stopped too. The watchdog is process-wide
// on purpose: the heap it watches is.

// MaxScriptMemoryGrowth is how much the heap may grow while one script runs.
const MaxScriptMemoryGrowth = 128 << 20

const (
	memWatchEvery = 5 * time.Millisecond
	memWatchIdle  = time.Second                          // the sampler stops after this long without scripts
	heapMetric    = "/memory/classes/heap/objects:bytes" // live objects and garbage not yet freed
	liveMetric    = "/gc/heap/live:bytes"                // live objects as of the last collection
	// hardFactor × MaxScriptMemoryGrowth of growth including garbage stops a script even before
	// a collection has measured it.
	hardFactor = 4
)

var errScriptMemory = errors.New("script memory")

type memWatcher struct {
	mu      sync.Mutex
	running map[*goja.Runtime]*watchedScript
	seq     uint64
	active  bool // the sampler goroutine is running
}

type watchedScript struct {
	base heapFigures // when the script started (or was given a fresh allowance)
	seq  uint64      // start order
}

type heapFigures struct{ objects, live uint64 }

func (h heapFigures) over(base heapFigures) bool {
	return h.live > base.live+MaxScriptMemoryGrowth || h.objects > base.objects+hardFactor*MaxScriptMemoryGrowth
}

var scriptMemory = &memWatcher{running: map[*goja.Runtime]*watchedScript{}}

func heapBytes() uint64 { return readHeap().objects }

func readHeap() heapFigures {
	s := []metrics.Sample{{Name: heapMetric}, {Name: liveMetric}}
	metrics.Read(s)
	var h heapFigures
	if s[0].Value.Kind() == metrics.KindUint64 {
		h.objects = s[0].Value.Uint64()
	}
	if s[1].Value.Kind() == metrics.KindUint64 {
		h.live = s[1].Value.Uint64()
	}
	return h
}

// watch starts watching rt's script; the returned func ends it.
func (w *memWatcher) watch(rt *goja.Runtime) (done func()) {
	base := readHeap()
	w.mu.Lock()
	w.seq++
	w.running[rt] = &watchedScript{base: base, seq: w.seq}
	if !w.active {
		w.active = true
		go w.sample()
	}
	w.mu.Unlock()
	return func() {
		w.mu.Lock()
		delete(w.running, rt)
		w.mu.Unlock()
	}
}

func (w *memWatcher) sample() {
	t := time.NewTicker(memWatchEvery)
	defer t.Stop()
	idleSince := time.Now()
	for range t.C {
		heap := readHeap()
		stopped := 0
		w.mu.Lock()
		if len(w.running) == 0 {
			if time.Since(idleSince) > memWatchIdle {
				w.active = false
				w.mu.Unlock()
				return
			}
		} else {
			idleSince = time.Now()
		}
		var newest *goja.Runtime
		for rt, ws := range w.running {
			// Growth is measured from the lowest heap seen while the script runs. The figures at
			// its start may be stale and high (the live figure is as of the last collection,
			// which may have found an earlier script's memory still in use; garbage counts until
			// it is swept): measured from them, a bomb could grow for a long time unseen.
			ws.base = heapFigures{objects: min(ws.base.objects, heap.objects), live: min(ws.base.live, heap.live)}
			if heap.over(ws.base) && (newest == nil || ws.seq > w.running[newest].seq) {
				newest = rt
			}
		}
		if newest != nil {
			newest.Interrupt(errScriptMemory)
			delete(w.running, newest)
			stopped++
			for _, ws := range w.running {
				ws.base = heapFigures{objects: max(ws.base.objects, heap.objects), live: max(ws.base.live, heap.live)}
			}
		}
		w.mu.Unlock()
		if stopped > 0 {
			// The interrupted script's memory is garbage once its runtime is dropped: hand it
			// back to the system now rather than when the heap next grows.
			go func() {
				time.Sleep(50 * time.Millisecond)
				debug.FreeOSMemory()
			}()
		}
	}
}

func memoryInterrupted(err error) bool {
	var interrupted *goja.InterruptedError
	return errors.As(err, &interrupted) && interrupted.Value() == errScriptMemory
}
