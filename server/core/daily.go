package core

import (
	"context"
	"time"

	"github.com/hookflow/hookflow/server/store"
)

// DefaultTimeZone is where days begin when the reader's time zone is unknown: most of our users
// work on Moscow time.
const DefaultTimeZone = "Europe/Moscow"

// Daily is the number of webhooks per day and final status, for the journal's and the flows
// list's charts. Days holds the dates (YYYY-MM-DD in the time zone), oldest first; each status
// list of a flow has one count per day.
type Daily struct {
	TimeZone string                `json:"timezone"`
	Days     []string              `json:"days"`
	Flows    map[string]*DailyFlow `json:"flows"`
}

// DailyFlow is one flow's counts per day.
type DailyFlow struct {
	Success  []int64 `json:"success"`  // delivered
	Failed   []int64 `json:"failed"`   // failed for good
	Filtered []int64 `json:"filtered"` // stopped by a filter on purpose
	Waiting  []int64 `json:"waiting"`  // failed so far, will be tried again
}

// DayBounds are the starts of the n days up to and including now's day in loc, followed by the
// end of that day. Days are built from the calendar, so a day with a clock change is 23 or 25
// hours long.
func DayBounds(now time.Time, loc *time.Location, n int) []time.Time {
	now = now.In(loc)
	y, m, d := now.Date()
	out := make([]time.Time, n+1)
	for i := 0; i <= n; i++ {
		out[i] = time.Date(y, m, d-(n-1)+i, 0, 0, 0, 0, loc)
	}
	return out
}

// DailyRuns counts the runs of the last days, per day, of one flow or (flowID empty) of every
// flow of the caller's team.
func (a *App) DailyRuns(ctx context.Context, flowID string, now time.Time, loc *time.Location, days int) (*Daily, error) {
	var ids []string
	if flowID != "" {
		ids = []string{flowID}
	} else if team := TeamOf(ctx); team != "" {
		list, err := a.store.TeamFlows(ctx, team)
		if err != nil {
			return nil, err
		}
		ids = make([]string, 0, len(list))
		for _, f := range list {
			ids = append(ids, f.ID)
		}
	}
	bounds := DayBounds(now, loc, days)
	counts, err := a.store.DailyRuns(ctx, ids, bounds)
	if err != nil {
		return nil, err
	}
	out := &Daily{TimeZone: loc.String(), Days: make([]string, days), Flows: map[string]*DailyFlow{}}
	for i := range days {
		out.Days[i] = bounds[i].Format(time.DateOnly)
	}
	flow := func(id string) *DailyFlow {
		f := out.Flows[id]
		if f == nil {
			f = &DailyFlow{Success: make([]int64, days), Failed: make([]int64, days), Filtered: make([]int64, days), Waiting: make([]int64, days)}
			out.Flows[id] = f
		}
		return f
	}
	for _, id := range ids {
		flow(id)
	}
	for _, c := range counts {
		if c.Day < 0 || c.Day >= days {
			continue
		}
		f := flow(c.FlowID)
		switch c.Status {
		case "success":
			f.Success[c.Day] += c.N
		case "failed":
			f.Failed[c.Day] += c.N
		case "filtered":
			f.Filtered[c.Day] += c.N
		case store.RunWaiting:
			f.Waiting[c.Day] += c.N
		}
	}
	return out, nil
}
