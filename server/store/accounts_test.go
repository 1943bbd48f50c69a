package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/hookflow/hookflow/server/store"
)

func TestAccounts_FirstOwnerAdoptsFlowsStoredBeforeAccountsAndOnlyOnce(t *testing.T) {
	forEachDB(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		// A flow with a run, stored by a hookflow without accounts (no team).
		f := &store.Flow{Name: "old", Document: `{"schema":1,"nodes":[]}`}
		if err := st.CreateFlow(ctx, f); err != nil {
			t.Fatal(err)
		}
		if err := st.CreateRun(ctx, &store.Run{ID: store.NewID(), FlowID: f.ID, Status: "success"}); err != nil {
			t.Fatal(err)
		}
		team := &store.Team{ID: store.NewID(), Name: "A"}
		if err := st.CreateOwner(ctx, &store.User{ID: store.NewID(), Email: "a@example.com"}, team); err != nil {
			t.Fatal(err)
		}
		flows, err := st.TeamFlows(ctx, team.ID)
		if err != nil || len(flows) != 1 || flows[0].ID != f.ID {
			t.Fatalf("team flows = %v %v, want the old flow", flows, err)
		}
		var orphans int64
		for _, table := range []string{"flows", "flow_versions", "runs"} {
			var n int64
			st.Read(ctx).Table(table).Where("team_id = ''").Count(&n)
			orphans += n
		}
		if orphans != 0 {
			t.Fatalf("%d rows still without a team", orphans)
		}
		err = st.CreateOwner(ctx, &store.User{ID: store.NewID(), Email: "b@example.com"}, &store.Team{ID: store.NewID(), Name: "B"})
		if !errors.Is(err, store.ErrTaken) {
			t.Fatalf("a second first owner: %v, want ErrTaken", err)
		}
	})
}

// Two owners changing each other at the same moment: on PostgreSQL under READ COMMITTED each
// transaction used to count two owners and both went through, leaving the team with none.
func TestAccounts_ConcurrentMemberChangesKeepAnOwner(t *testing.T) {
	forEachDB(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		team := &store.Team{ID: store.NewID(), Name: "A"}
		a, b := &store.User{ID: store.NewID(), Email: "a@example.com"}, &store.User{ID: store.NewID(), Email: "b@example.com"}
		if err := st.CreateOwner(ctx, a, team); err != nil {
			t.Fatal(err)
		}
		if err := st.Write(ctx).Create(b).Error; err != nil {
			t.Fatal(err)
		}
		if err := st.Write(ctx).Create(&store.Member{TeamID: team.ID, UserID: b.ID, Role: store.RoleOwner}).Error; err != nil {
			t.Fatal(err)
		}
		for try := 1; try <= 20; try++ {
			for _, id := range []string{a.ID, b.ID} {
				if err := st.Write(ctx).Model(&store.Member{}).Where("team_id = ? AND user_id = ?", team.ID, id).Update("role", store.RoleOwner).Error; err != nil {
					t.Fatal(err)
				}
			}
			changes := []func() error{
				func() error { return st.SetMemberRole(ctx, team.ID, a.ID, b.ID, store.RoleViewer) },
				func() error { return st.SetMemberRole(ctx, team.ID, b.ID, a.ID, store.RoleViewer) },
			}
			if try%2 == 0 {
				changes = []func() error{
					func() error { return st.RemoveMember(ctx, team.ID, a.ID, a.ID) },
					func() error { return st.RemoveMember(ctx, team.ID, b.ID, b.ID) },
				}
			}
			errs := make([]error, len(changes))
			start := make(chan struct{})
			var wg sync.WaitGroup
			for i, change := range changes {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					errs[i] = change()
				}()
			}
			close(start)
			wg.Wait()
			var owners int64
			st.Read(ctx).Model(&store.Member{}).Where("team_id = ? AND role = ?", team.ID, store.RoleOwner).Count(&owners)
			if owners != 1 {
				t.Fatalf("try %d: errors %v leave %d owners, want 1", try, errs, owners)
			}
			// Put a removed member back for the next try.
			for _, id := range []string{a.ID, b.ID} {
				st.Write(ctx).Where("team_id = ? AND user_id = ?", team.ID, id).FirstOrCreate(&store.Member{TeamID: team.ID, UserID: id, Role: store.RoleOwner})
			}
		}
	})
}
