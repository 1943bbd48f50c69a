package core

import (
	"context"
	"sync"
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
// A flow that does not exist is store.ErrNotFound.
func (j *Journal) DailyRuns(ctx context.Context, flowID string, now time.Time, loc *time.Location, days int) (*Daily, error) {
	var ids []string
	if flowID != "" {
		if _, err := j.store.Flow(ctx, flowID); err != nil {
			return nil, err
		}
		ids = []string{flowID}
	} else if team := TeamOf(ctx); team != "" {
		list, err := j.store.TeamFlows(ctx, team)
		if err != nil {
			return nil, err
		}
		ids = make([]string, 0, len(list))
		for _, f := range list {
			ids = append(ids, f.ID)
		}
	}
	bounds := DayBounds(now, loc, days)
	counts, err := j.dailyCounts(ctx, ids, bounds)
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

// The chart's past days are kept for a while. Counting a day reads its part of the flow/time
// index (about 16,000 entries a day in a journal of a million runs over two months), so a chart
// of 14 days counted afresh at every view of the journal took 300–600 ms at a million runs on the
// shared machine; the days before today change only when a retry or retention touches them, so
// they are counted at most once per dailyTTL, and today is always counted afresh. A past day may
// so lag by up to dailyTTL (a retry of yesterday's webhook); a retention pass that deleted runs
// forgets them all.
const (
	dailyTTL     = time.Minute
	dailyMaxKeep = 100000 // flow-days kept before the cache starts over (bounds the memory)
)

type dayKey struct {
	flow     string
	from, to int64 // the day's bounds, Unix seconds: a day of one time zone
}

type dayCounts struct {
	counts []store.DayCount // Day is 0: the one day
	at     time.Time
}

type dailyCache struct {
	mu   sync.Mutex
	days map[dayKey]dayCounts
}

func (c *dailyCache) forget() {
	c.mu.Lock()
	c.days = nil
	c.mu.Unlock()
}

// dailyCounts is store.DailyRuns with the past days from the cache when fresh.
func (j *Journal) dailyCounts(ctx context.Context, ids []string, bounds []time.Time) ([]store.DayCount, error) {
	past := len(bounds) - 2 // days before the last one, today
	if ids == nil || past < 1 {
		return j.store.DailyRuns(ctx, ids, bounds)
	}
	now := j.clock.Now()
	key := func(flow string, day int) dayKey {
		return dayKey{flow, bounds[day].Unix(), bounds[day+1].Unix()}
	}
	var out []store.DayCount
	var missing []string
	c := &j.daily
	c.mu.Lock()
	for _, id := range ids {
		fresh := true
		for d := 0; d < past && fresh; d++ {
			e, ok := c.days[key(id, d)]
			fresh = ok && now.Sub(e.at) < dailyTTL
		}
		if !fresh {
			missing = append(missing, id)
			continue
		}
		for d := 0; d < past; d++ {
			for _, n := range c.days[key(id, d)].counts {
				n.Day = d
				out = append(out, n)
			}
		}
	}
	c.mu.Unlock()
	if len(missing) > 0 {
		counted, err := j.store.DailyRuns(ctx, missing, bounds[:past+1])
		if err != nil {
			return nil, err
		}
		byDay := map[dayKey][]store.DayCount{}
		for _, n := range counted {
			k := key(n.FlowID, n.Day)
			byDay[k] = append(byDay[k], store.DayCount{FlowID: n.FlowID, Status: n.Status, N: n.N})
		}
		c.mu.Lock()
		if c.days == nil || len(c.days) > dailyMaxKeep {
			c.days = map[dayKey]dayCounts{}
		}
		for _, id := range missing {
			for d := 0; d < past; d++ {
				c.days[key(id, d)] = dayCounts{counts: byDay[key(id, d)], at: now}
			}
		}
		c.mu.Unlock()
		out = append(out, counted...)
	}
	today, err := j.store.DailyRuns(ctx, ids, bounds[past:])
	if err != nil {
		return nil, err
	}
	for _, n := range today {
		n.Day = past
		out = append(out, n)
	}
	return out, nil
}
