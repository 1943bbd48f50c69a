package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/hookflow/hookflow/server/internal/testdb"
	"github.com/hookflow/hookflow/server/store"
)

func TestAccounts_FirstOwnerAdoptsFlowsStoredBeforeAccountsAndOnlyOnce(t *testing.T) {
	for _, dialect := range testdb.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			st := testdb.Open(t, dialect)
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
}
