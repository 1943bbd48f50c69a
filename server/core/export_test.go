package core

import (
	"context"
	"fmt"
	"syscall"

	"github.com/hookflow/hookflow/server/store"
)

// StoreOf is the app's database, for tests that look underneath core's API; the service itself
// reaches the store only through core.
func StoreOf(a *App) *store.Store { return a.store }

// PruneActive applies the retention of the flows that stored runs since their last pass.
func PruneActive(a *App, ctx context.Context) int64 { return a.pruneActive(ctx) }

// Settled reports whether nothing is on its way through the workers: every attempt handed out
// was stored and followed up (the journal's retention marks, the live log).
func Settled(a *App) bool { return a.queue.inflightN.Load() == 0 }

// MarkDiskFull marks the disk full as a refused webhook of size bytes would.
func MarkDiskFull(a *App, size int64) {
	a.intake.refusedBytes.Store(size)
	a.noteWrite(fmt.Errorf("storing a webhook: %w", syscall.ENOSPC))
}

// ClaimLeased claims an event as a worker of the app does (PostgreSQL), and ClaimRounds counts
// the statements its workers' claims took.
func ClaimLeased(a *App, id string) (*store.Event, bool, error) { return a.queue.claimLeased(id) }

func ClaimRounds(a *App) int64 { return a.queue.claimRounds.Load() }

// ClaimsWaiting counts the workers' claims waiting for the claimer, ClaimsTaken those it took
// into its statements.
func ClaimsWaiting(a *App) int { return len(a.queue.claims) }

func ClaimsTaken(a *App) int64 { return a.queue.claimsTaken.Load() }
