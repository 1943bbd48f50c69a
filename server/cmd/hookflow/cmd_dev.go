package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/hookflow/hookflow/flows"
	"github.com/hookflow/hookflow/server/store"
)

// `hookflow dev …` are tools for developers, not in the usage: they write made-up data.
const devUsage = `hookflow dev seed-journal N [--flow ID] [--days 60] [--data-dir ./data] [--database-url postgres://…]
    Insert N made-up runs (delivered, filtered, failed, waiting, retried) spread over the last
    days into one flow's journal, for measuring the journal at scale. Without --flow a new,
    stopped flow "Journal of N runs" is made in the first team, with retention off.
`

func cmdDev(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "seed-journal" {
		fmt.Fprint(stderr, devUsage)
		return 2
	}
	return cmdSeedJournal(ctx, args[1:], stdout, stderr)
}

func cmdSeedJournal(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("dev seed-journal", flag.ContinueOnError)
	fs.SetOutput(stderr)
	flowID := fs.String("flow", "", "the flow whose journal gets the runs (default: a new flow)")
	days := fs.Int("days", 60, "the runs are spread over this many days up to now")
	dataDir := fs.String("data-dir", "./data", "directory of the built-in SQLite database (HOOKFLOW_DATA_DIR)")
	dbURL := fs.String("database-url", "", "postgres://… to use PostgreSQL instead of SQLite (HOOKFLOW_DATABASE_URL)")
	if err := fromEnvironment(fs); err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	rest, perr := parseInterleaved(fs, args)
	if perr != nil {
		return 2
	}
	n, err := 0, error(nil)
	if len(rest) == 1 {
		n, err = strconv.Atoi(rest[0])
	}
	if err != nil || n < 1 || *days < 1 {
		fmt.Fprint(stderr, "give the number of runs, e.g. hookflow dev seed-journal 1000000, and --days of at least 1\n\n"+devUsage)
		return 2
	}
	st, err := store.Open(ctx, store.Options{DataDir: *dataDir, DatabaseURL: *dbURL})
	if err != nil {
		fmt.Fprintln(stderr, "hookflow:", err)
		return 1
	}
	defer st.Close() //nolint:errcheck // on the way out: what was committed is kept
	flow, err := seedFlow(ctx, st, *flowID, n)
	if err != nil {
		fmt.Fprintln(stderr, "hookflow:", err)
		return 1
	}
	begin, last := time.Now(), time.Now()
	err = st.SeedJournal(ctx, store.SeedJournalOptions{FlowID: flow.ID, TeamID: flow.TeamID, N: n, Span: time.Duration(*days) * 24 * time.Hour,
		Seed: uint64(time.Now().UnixNano()), Progress: func(done int) {
			if time.Since(last) > 5*time.Second {
				last = time.Now()
				fmt.Fprintf(stderr, "%d of %d runs\n", done, n)
			}
		}})
	if err != nil {
		fmt.Fprintln(stderr, "hookflow:", err)
		return 1
	}
	took := time.Since(begin)
	fmt.Fprintf(stdout, "%d runs in flow %s (%q) in %s (%.0f runs/s)\n", n, flow.ID, flow.Name, took.Round(time.Millisecond), float64(n)/took.Seconds())
	return 0
}

// seedFlow is the flow given by id, or a new stopped GetCourse → CPA.House flow in the first team.
func seedFlow(ctx context.Context, st *store.Store, id string, n int) (*store.Flow, error) {
	if id != "" {
		f, err := st.Flow(ctx, id)
		if err != nil {
			return nil, fmt.Errorf("flow %s: %w (the flows list or the editor's address shows a flow's id)", id, err)
		}
		return f, nil
	}
	t, ok := flows.TemplateByID("getcourse-cpa-house")
	if !ok {
		return nil, fmt.Errorf("the built-in template getcourse-cpa-house is missing")
	}
	doc, err := json.Marshal(t.Flow)
	if err != nil {
		return nil, err
	}
	var team string
	if err := st.Read(ctx).Model(&store.Team{}).Order("created_at").Limit(1).Pluck("id", &team).Error; err != nil {
		return nil, err
	}
	f := &store.Flow{TeamID: team, Name: fmt.Sprintf("Journal of %d runs", n), Document: string(doc), Inputs: "{}",
		Settings: `{"retention_days":36500,"retention_count":2000000000}`} // retention must not undo the seeding
	return f, st.CreateFlow(ctx, f)
}
