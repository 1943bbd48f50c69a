package core_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/hookflow/hookflow/server/core"
	"github.com/hookflow/hookflow/server/internal/testdb"
	"github.com/hookflow/hookflow/server/internal/testkit"
	"github.com/hookflow/hookflow/server/store"
)

// On PostgreSQL the claims the workers ask for while one is on its way to the database go
// together in the next statement: eight claims made while the first waits take two statements,
// not eight, and each event is claimed once, for this process, with its attempt counted.
func TestClaims_WorkersClaimsAskedMeanwhileGoInOneStatement(t *testing.T) {
	testdb.SkipWithoutPostgres(t, "claims with leases are PostgreSQL's")
	app := startApp(t, "postgres", nil, func(c *core.Config) {
		c.Clock = clockwork.NewFakeClock() // no scan hands the events to the workers: the test claims them
		c.Workers = 8
	})
	ctx := context.Background()
	st := core.StoreOf(app)
	now := time.Now().UTC()
	var evs []*store.Event
	for i := 0; i < 8; i++ {
		evs = append(evs, &store.Event{ID: store.NewID(), FlowID: "f", Payload: "{}", Status: store.EventQueued, NextAt: now, ReceivedAt: now})
	}
	if err := st.InsertEvents(ctx, evs); err != nil {
		t.Fatal(err)
	}
	// The events table locked against writes: the first claim's statement waits, and the others
	// are asked meanwhile.
	tx := st.Write(ctx).Begin()
	if err := tx.Exec("LOCK TABLE events IN EXCLUSIVE MODE").Error; err != nil {
		t.Fatal(err)
	}
	before, taken := core.ClaimRounds(app), core.ClaimsTaken(app)
	var wg sync.WaitGroup
	got := make([]*store.Event, len(evs))
	for i, ev := range evs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e, ok, err := core.ClaimLeased(app, ev.ID)
			if err != nil || !ok {
				t.Errorf("claiming %s: %v %v", ev.ID, ok, err)
			}
			got[i] = e
		}()
	}
	// The first statement on its way (it waits for the lock) and every claim asked: in it, or
	// waiting for the next.
	testkit.EventuallyNil(t, 10*time.Second, func() error {
		rounds, inIt, waiting := core.ClaimRounds(app)-before, core.ClaimsTaken(app)-taken, core.ClaimsWaiting(app)
		if rounds != 1 || inIt+int64(waiting) != int64(len(evs)) {
			return fmt.Errorf("%d statements made with %d claims, %d claims waiting; want one statement on its way and all %d claims in it or waiting", rounds, inIt, waiting, len(evs))
		}
		return nil
	})
	if err := tx.Rollback().Error; err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	if rounds := core.ClaimRounds(app) - before; rounds > 2 {
		t.Errorf("eight claims took %d statements; want the seven asked while the first waited in one", rounds)
	}
	for i, e := range got {
		if e == nil || e.ID != evs[i].ID || e.Status != store.EventRunning || e.Attempts != 1 || e.LeaseOwner == "" {
			t.Errorf("claim %d = %+v; want the event running under this process's lease, attempt 1", i, e)
		}
	}
}
