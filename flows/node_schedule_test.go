package flows

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestSchedule_MenuChoicesFireAtTheirTimesInTheChosenZone(t *testing.T) {
	msk := time.FixedZone("MSK", 3*3600)
	// Tuesday 1 December 2026, 08:59:30 in Moscow
	from := time.Date(2026, 12, 1, 8, 59, 30, 0, msk)
	for _, c := range []struct {
		name, config string
		want         []time.Time // the next ticks after from
	}{
		{"every day at 09:00 (the default zone is Moscow)", `{"every":"day","time":"09:00"}`,
			[]time.Time{time.Date(2026, 12, 1, 9, 0, 0, 0, msk), time.Date(2026, 12, 2, 9, 0, 0, 0, msk)}},
		{"nothing chosen is every day at 09:00 Moscow time", `{}`,
			[]time.Time{time.Date(2026, 12, 1, 9, 0, 0, 0, msk)}},
		{"every Monday at 10:00", `{"every":"week","weekday":"monday","time":"10:00"}`,
			[]time.Time{time.Date(2026, 12, 7, 10, 0, 0, 0, msk), time.Date(2026, 12, 14, 10, 0, 0, 0, msk)}},
		{"every Sunday at 23:45", `{"every":"week","weekday":"sunday","time":"23:45"}`,
			[]time.Time{time.Date(2026, 12, 6, 23, 45, 0, 0, msk)}},
		{"every 15 minutes", `{"every":"15m"}`,
			[]time.Time{time.Date(2026, 12, 1, 9, 0, 0, 0, msk), time.Date(2026, 12, 1, 9, 15, 0, 0, msk)}},
		{"every 2 hours counts from midnight", `{"every":"2h"}`,
			[]time.Time{time.Date(2026, 12, 1, 10, 0, 0, 0, msk), time.Date(2026, 12, 1, 12, 0, 0, 0, msk)}},
		{"working days skip the weekend", `{"every":"workdays","time":"09:00"}`,
			[]time.Time{time.Date(2026, 12, 1, 9, 0, 0, 0, msk), time.Date(2026, 12, 2, 9, 0, 0, 0, msk),
				time.Date(2026, 12, 3, 9, 0, 0, 0, msk), time.Date(2026, 12, 4, 9, 0, 0, 0, msk), time.Date(2026, 12, 7, 9, 0, 0, 0, msk)}},
		{"Yekaterinburg's 09:00 is Moscow's 07:00", `{"every":"day","time":"09:00","timezone":"Asia/Yekaterinburg"}`,
			[]time.Time{time.Date(2026, 12, 2, 7, 0, 0, 0, msk)}},
		{"a cron expression: the 1st of the month at 08:30", `{"every":"cron","cron":"30 8 1 * *"}`,
			[]time.Time{time.Date(2027, 1, 1, 8, 30, 0, 0, msk), time.Date(2027, 2, 1, 8, 30, 0, 0, msk)}},
		{"a cron expression with names", `{"every":"cron","cron":" 0 12 * * MON-FRI "}`,
			[]time.Time{time.Date(2026, 12, 1, 12, 0, 0, 0, msk)}},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, err := ScheduleOf(json.RawMessage(c.config))
			if err != nil {
				t.Fatal(err)
			}
			at := from
			for i, want := range c.want {
				at = s.Next(at)
				if !at.Equal(want) {
					t.Fatalf("tick %d: %s, want %s", i+1, at, want.In(msk))
				}
			}
		})
	}
}

func TestSchedule_MissedTicksDefaultToRunningOnce(t *testing.T) {
	for config, want := range map[string]string{`{}`: MissedRunOnce, `{"missed":"once"}`: MissedRunOnce, `{"missed":"skip"}`: MissedSkip} {
		s, err := ScheduleOf(json.RawMessage(config))
		if err != nil || s.Missed != want {
			t.Fatalf("%s: %v %v, want %s", config, s, err, want)
		}
	}
}

// scheduleFlow is a schedule trigger followed by a set step that quotes the tick.
func scheduleFlow(t *testing.T, config string) *Flow {
	t.Helper()
	return mustParse(t, `{"schema":1,"nodes":[{"id":"trigger","kind":"schedule","config":`+config+`},
	  {"id":"say","kind":"set","config":{"fields":[{"key":"at","value":"{{trigger.scheduled_at}}"},{"key":"day","value":"{{trigger.date}} {{trigger.time}}"}]}}],
	  "edges":[{"from":"trigger","to":"say"}]}`)
}

func TestSchedule_BadCronIsAProblemInBothLanguages(t *testing.T) {
	for _, c := range []struct {
		name, cron, code, en, ru string
	}{
		{"too few parts", "0 9 *", CodeScheduleCronParts, "must have 5 parts", "должно быть 5 частей"},
		{"seconds are not a part", "0 0 9 * * *", CodeScheduleCronParts, "not 6", "а их 6"},
		{"empty", "", CodeScheduleCronParts, "not 0", "а их 0"},
		{"an hour past 23", "0 25 * * *", CodeScheduleCronPart, "the hour '25' cannot be read", "час «25» не читается"},
		{"a word for a minute", "x 9 * * *", CodeScheduleCronPart, "the minute 'x'", "минута «x»"},
		{"an unknown weekday", "0 9 * * FUNDAY", CodeScheduleCronPart, "the day of the week 'FUNDAY'", "день недели «FUNDAY»"},
		{"a month past 12", "0 9 1 13 *", CodeScheduleCronPart, "the month '13'", "месяц «13»"},
		{"a date that never comes", "0 9 30 2 *", CodeScheduleNever, "never comes true", "никогда не сработает"},
		{"a time zone inside", "TZ=UTC 0 9 * * *", CodeScheduleCronZone, "choose the time zone in its own field", "выберите его в поле «Часовой пояс»"},
		{"a descriptor", "@every 5m", CodeScheduleCronParts, "must have 5 parts", "должно быть 5 частей"},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg, _ := json.Marshal(map[string]string{"every": "cron", "cron": c.cron})
			ps := Validate(scheduleFlow(t, string(cfg)), nil)
			if len(ps) != 1 || ps[0].Code != c.code || ps[0].Field != "cron" || ps[0].Node != "trigger" {
				t.Fatalf("problems %+v, want one %s on cron", ps, c.code)
			}
			if en := ps[0].Text("en"); !strings.Contains(en, c.en) {
				t.Fatalf("en: %q lacks %q", en, c.en)
			}
			if ru := ps[0].Text("ru"); !strings.Contains(ru, c.ru) || !strings.HasPrefix(ru, "Расписание «trigger»") {
				t.Fatalf("ru: %q lacks %q", ru, c.ru)
			}
		})
	}
}

func TestSchedule_UnknownChoicesAreFieldProblems(t *testing.T) {
	for _, c := range []struct{ config, field, code string }{
		{`{"every":"fortnight"}`, "every", CodeFieldOption},
		{`{"every":"day","timezone":"Mars/Olympus"}`, "timezone", CodeFieldOption},
		{`{"every":"day","time":"25:00"}`, "time", CodeFieldOption},
		{`{"missed":"twice"}`, "missed", CodeFieldOption},
	} {
		ps := Validate(scheduleFlow(t, c.config), nil)
		if len(ps) != 1 || ps[0].Code != c.code || ps[0].Field != c.field {
			t.Fatalf("%s: problems %+v, want one %s on %s", c.config, ps, c.code, c.field)
		}
	}
}

func TestSchedule_TheRunSeesTheTicksTimes(t *testing.T) {
	f := scheduleFlow(t, `{"every":"day","time":"09:00"}`)
	scheduled := time.Date(2026, 12, 1, 6, 0, 0, 0, time.UTC)
	tr, err := Run(context.Background(), f, TickPayload(scheduled, scheduled.Add(1500*time.Millisecond)), fixedEnv(nil))
	if err != nil || tr.Status != StatusSuccess {
		t.Fatalf("run %v %v", tr, err)
	}
	trig, _ := tr.Step("trigger")
	if got := asJSON(t, trig.Output); got != `{"date":"01.12.2026","fired_at":"2026-12-01T09:00:01+03:00","scheduled_at":"2026-12-01T09:00:00+03:00","time":"09:00"}` {
		t.Fatalf("trigger output %s", got)
	}
	say, _ := tr.Step("say")
	if got := asJSON(t, say.Output); got != `{"at":"2026-12-01T09:00:00+03:00","day":"01.12.2026 09:00"}` {
		t.Fatalf("set output %s", got)
	}
}

func TestSchedule_ATestWithoutATickSeesTheNextTick(t *testing.T) {
	// fixedEnv's clock: 23 November 2026 12:00 UTC, 15:00 in Moscow; the next Monday 10:00 is the 30th
	f := scheduleFlow(t, `{"every":"week","weekday":"monday","time":"10:00"}`)
	for _, p := range []Payload{{}, {Method: "GET"}, TickPayload(time.Time{}, time.Time{})} {
		tr, err := Run(context.Background(), f, p, fixedEnv(nil))
		if err != nil || tr.Status != StatusSuccess {
			t.Fatalf("run %v %v", tr, err)
		}
		say, _ := tr.Step("say")
		if got := asJSON(t, say.Output); got != `{"at":"2026-11-30T10:00:00+03:00","day":"30.11.2026 10:00"}` {
			t.Fatalf("%+v: set output %s", p, got)
		}
	}
}

func TestSchedule_IsATriggerAndAFlowHasOnlyOne(t *testing.T) {
	f := mustParse(t, `{"schema":1,"nodes":[{"id":"trigger","kind":"schedule"},{"id":"hook","kind":"webhook"}],"edges":[]}`)
	ps := Validate(f, nil)
	if len(ps) != 1 || ps[0].Code != CodeManyTriggers {
		t.Fatalf("problems %+v, want %s", ps, CodeManyTriggers)
	}
	s, err := FlowSchedule(scheduleFlow(t, `{"every":"1h"}`))
	if err != nil || s == nil {
		t.Fatalf("FlowSchedule: %v %v", s, err)
	}
	if s, err := FlowSchedule(mustParse(t, parityFlow)); s != nil || err != nil {
		t.Fatalf("a webhook flow has a schedule: %v %v", s, err)
	}
}
