package api_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/hookflow/hookflow/server/core"
	"github.com/hookflow/hookflow/server/store"
)

// The journal at a million runs, measured through the API (`make bench-journal`): one flow's
// journal of HOOKFLOW_BENCH_JOURNAL_RUNS runs seeded as `hookflow dev seed-journal` does, then
// the p99 of each page the editor asks for. Not in `make test` (seeding a million takes minutes);
// the plan test in server/store holds the queries to their indexes there.
func TestJournalAtScale_PagesChartAndFlowsListAnswerWithinTheirTargets(t *testing.T) {
	v := os.Getenv("HOOKFLOW_BENCH_JOURNAL_RUNS")
	if v == "" {
		t.Skip("set HOOKFLOW_BENCH_JOURNAL_RUNS (make bench-journal) to measure the journal at scale")
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1000 {
		t.Fatalf("HOOKFLOW_BENCH_JOURNAL_RUNS=%q: want a number of at least 1000", v)
	}
	const requests = 200
	onEachDatabase(t, func(t *testing.T, dialect string) {
		s := startServer(t, dialect, http.DefaultClient)
		flow := s.createFlow(t, `{"document":{"schema":1,"name":"a million runs","nodes":[{"id":"trigger","kind":"webhook"}],"edges":[]},
		  "settings":{"retention_days":36500,"retention_count":2000000000}}`)
		s.createFlow(t, `{"document":{"schema":1,"name":"another flow","nodes":[{"id":"trigger","kind":"webhook"}],"edges":[]}}`)
		st := s.st
		ctx := context.Background()
		team, err := st.FlowTeam(ctx, flow.ID)
		if err != nil {
			t.Fatal(err)
		}
		begin := time.Now()
		if err := st.SeedJournal(ctx, store.SeedJournalOptions{FlowID: flow.ID, TeamID: team, N: n, Seed: 1}); err != nil {
			t.Fatal(err)
		}
		seeded := time.Since(begin)

		// Cursors deep in the past: runs between 80% and 99% of the way back.
		var deep []string
		for _, frac := range []float64{0.8, 0.85, 0.9, 0.95, 0.99} {
			var ids []string
			if err := st.Read(ctx).Model(&store.Run{}).Where("flow_id = ? AND superseded = ?", flow.ID, false).
				Order("started_at desc, id desc").Offset(int(float64(n)*frac*0.95)).Limit(1).Pluck("id", &ids).Error; err != nil || len(ids) == 0 {
				t.Fatalf("a deep cursor: %v %v", ids, err)
			}
			deep = append(deep, ids[0])
		}
		runs := "/api/flows/" + flow.ID + "/runs"
		day := time.Now().UTC().AddDate(0, 0, -20).Truncate(24 * time.Hour)
		cases := []struct {
			name   string
			target time.Duration
			path   func(i int) string
		}{
			{"journal, first page", 50 * time.Millisecond, func(int) string { return runs + "?limit=50" }},
			{"journal, a page deep in the past", 50 * time.Millisecond, func(i int) string { return runs + "?limit=50&before=" + deep[i%len(deep)] }},
			{"journal, failed only, deep", 50 * time.Millisecond, func(i int) string { return runs + "?limit=50&status=failed&before=" + deep[i%len(deep)] }},
			{"journal, one day", 50 * time.Millisecond, func(int) string {
				return runs + "?limit=50&since=" + day.Format(time.RFC3339) + "&until=" + day.Add(24*time.Hour).Format(time.RFC3339)
			}},
			{"per-day chart of the flow, 14 days", 100 * time.Millisecond, func(int) string { return runs + "/daily?days=14&tz=Europe/Moscow" }},
			{"per-day chart of every flow, 14 days", 100 * time.Millisecond, func(int) string { return "/api/runs/daily?days=14&tz=Europe/Moscow" }},
			{"per-day chart of the flow, 30 days", 0, func(int) string { return runs + "/daily?days=30&tz=Europe/Moscow" }},
			{"GET /api/flows", 50 * time.Millisecond, func(int) string { return "/api/flows" }},
			{"GET /api/flows/{id}", 50 * time.Millisecond, func(int) string { return "/api/flows/" + flow.ID }},
		}
		var report string
		for _, c := range cases {
			for i := 0; i < 20; i++ { // warm the caches as a server in use has them
				s.call("GET", c.path(i), nil, nil)
			}
			lat := make([]time.Duration, requests)
			for i := range lat {
				start := time.Now()
				if code := s.call("GET", c.path(i), nil, nil); code != 200 {
					t.Fatalf("%s: %s → %d", c.name, c.path(i), code)
				}
				lat[i] = time.Since(start)
			}
			mark := ""
			switch {
			case c.target == 0:
			case p99(lat) <= c.target:
				mark = fmt.Sprintf("(target %s: met)", c.target)
			default:
				mark = fmt.Sprintf("(target %s: OVER)", c.target)
			}
			report += fmt.Sprintf("  %-40s p50 %7s  p99 %7s  %s\n", c.name, p50(lat).Round(10*time.Microsecond), p99(lat).Round(10*time.Microsecond), mark)
		}
		// What the chart costs when its past days are counted afresh (each flow once a minute).
		msk, _ := time.LoadLocation(core.DefaultTimeZone)
		fresh := make([]time.Duration, 20)
		for i := range fresh {
			start := time.Now()
			if _, err := st.DailyRuns(ctx, []string{flow.ID}, core.DayBounds(time.Now(), msk, 14)); err != nil {
				t.Fatal(err)
			}
			fresh[i] = time.Since(start)
		}
		report += fmt.Sprintf("  %-40s p50 %7s  p99 %7s  (once a minute per flow)\n", "14 days counted afresh (store)", p50(fresh).Round(10*time.Microsecond), p99(fresh).Round(10*time.Microsecond))
		fmt.Printf("journal of %d runs on %s (seeded in %s):\n%s", n, dialect, seeded.Round(time.Second), report)
	})
}

func p50(lat []time.Duration) time.Duration {
	s := append([]time.Duration(nil), lat...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}
