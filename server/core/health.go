package core

import (
	"context"
	"errors"
	"time"

	"github.com/hookflow/hookflow/server/store"
)

// ErrDatabaseDown is Health's answer when the database does not answer at all.
var ErrDatabaseDown = errors.New("the database does not answer")

// noteWrite follows the outcome of intake's writes: a write that failed for lack of space marks
// the disk full (webhooks, finished runs, schedule ticks), the next webhook or tick stored (or
// Health's probe) clears it; a finished run stored does not, since it may fit in free pages where
// a new webhook does not. Intake keeps trying every request, so it recovers by itself as soon as
// there is room again.
func (a *App) noteWrite(err error) {
	switch {
	case err == nil:
		if a.diskFull.CompareAndSwap(true, false) {
			a.log.Info("the disk has room again: webhooks are stored again")
		}
	case store.IsDiskFull(err):
		if !a.diskFull.Swap(true) {
			a.log.Error("the disk is full: webhooks are refused with 503 until there is room", "err", err)
		}
	}
}

// DiskFull reports whether the last write failed because the disk is full.
func (a *App) DiskFull() bool { return a.diskFull.Load() }

// Health reports whether the service can take webhooks: ErrDatabaseDown, ErrDiskFull or nil.
// While the disk is marked full it tries a write as large as the last webhook refused for lack
// of space (16 KB at least), so that it turns healthy again as soon as there is room for it even
// when no webhook arrives to find out. (SQLite can take a small write on a full disk when its
// files have free pages; that is no sign of room for the next webhook.)
//
// /healthz answers anyone, and such a write may be as large as --max-body and holds the writer
// (SQLite's only one, which the finished runs still need) while it lasts: at most one probe runs
// each probeEvery, the calls in between answer from the last.
func (a *App) Health(ctx context.Context) error {
	if err := a.store.Ping(ctx); err != nil {
		return ErrDatabaseDown
	}
	if a.diskFull.Load() {
		a.probeMu.Lock()
		if now := a.cfg.Clock.Now(); now.Sub(a.probedAt) >= probeEvery { // never probed: the zero time is long ago
			a.probedAt = now
			a.noteWrite(a.store.ProbeWrite(ctx, int(max(a.intake.refusedBytes.Load(), 16<<10))))
		}
		a.probeMu.Unlock()
		if a.diskFull.Load() {
			return ErrDiskFull
		}
	}
	return nil
}

// probeEvery is how often Health may try a write while the disk is marked full.
const probeEvery = time.Second
