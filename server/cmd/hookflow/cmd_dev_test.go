package main

import (
	"context"
	"strings"
	"testing"

	"github.com/hookflow/hookflow/server/store"
)

// `hookflow dev seed-journal N` makes a flow whose journal holds N runs: one row per webhook
// (earlier attempts superseded), every status of the journal present; --flow adds to a flow.
func TestDev_SeedJournalFillsAFlowsJournal(t *testing.T) {
	dir := t.TempDir()
	code, out, errOut := cli(t, "dev", "seed-journal", "3000", "--data-dir", dir, "--days", "2")
	if code != 0 || !strings.Contains(out, "3000 runs in flow") {
		t.Fatalf("seed-journal → %d\n%s%s", code, out, errOut)
	}
	flowID := strings.Fields(out)[4]
	if code, out, errOut := cli(t, "dev", "seed-journal", "--flow", flowID, "1000", "--data-dir", dir); code != 0 {
		t.Fatalf("seed-journal --flow → %d\n%s%s", code, out, errOut)
	}
	st, err := store.Open(context.Background(), store.Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var rows []struct {
		Status     string
		Superseded bool
		N          int
	}
	if err := st.Read(context.Background()).Model(&store.Run{}).Select("status, superseded, count(*) AS n").
		Where("flow_id = ?", flowID).Group("status, superseded").Scan(&rows).Error; err != nil {
		t.Fatal(err)
	}
	total, seen := 0, map[string]bool{}
	for _, r := range rows {
		total += r.N
		seen[r.Status] = true
		if r.Superseded {
			seen["superseded"] = true
		}
	}
	if total != 4000 || !seen["success"] || !seen["failed"] || !seen["filtered"] || !seen["superseded"] {
		t.Fatalf("the journal: %+v; want 4000 runs with every status and superseded attempts", rows)
	}
	if code, _, errOut := cli(t, "dev", "seed-journal", "lots", "--data-dir", dir); code != 2 || !strings.Contains(errOut, "give the number of runs") {
		t.Fatalf("a bad N → %d %q", code, errOut)
	}
}
