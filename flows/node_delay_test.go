package flows

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// delayFlow is webhook → delay (its config) → a set step saying it ran.
func delayFlow(t *testing.T, config string) *Flow {
	t.Helper()
	return mustParse(t, `{"schema":1,"nodes":[{"id":"trigger","kind":"webhook"},
	  {"id":"pause","kind":"delay","config":`+config+`},
	  {"id":"after","kind":"set","config":{"fields":[{"key":"ran","value":"yes"}]}}],
	  "edges":[{"from":"trigger","to":"pause"},{"from":"pause","to":"after"}]}`)
}

// resumingEnv is fixedEnv on a host that parks waiting runs (the server).
func resumingEnv(at time.Time) *BasicEnv {
	return &BasicEnv{Clock: func() time.Time { return at }, Resumes: true}
}

var delayNow = fixedEnv(nil).Now() // 2026-11-23 12:00 UTC, 15:00 in Moscow

func TestDelay_ForADurationParksTheRunUntilNowPlusIt(t *testing.T) {
	for _, c := range []struct {
		name, config string
		want         time.Duration
	}{
		{"one minute, the shortest", `{"mode":"for","amount":1,"unit":"minutes"}`, time.Minute},
		{"two hours", `{"mode":"for","amount":2,"unit":"hours"}`, 2 * time.Hour},
		{"a day and a half", `{"mode":"for","amount":1.5,"unit":"days"}`, 36 * time.Hour},
		{"30 days, the longest", `{"mode":"for","amount":30,"unit":"days"}`, 30 * 24 * time.Hour},
		{"no mode is a pause for a while", `{"amount":45,"unit":"minutes"}`, 45 * time.Minute},
	} {
		t.Run(c.name, func(t *testing.T) {
			tr, err := Run(context.Background(), delayFlow(t, c.config), queryPayload(""), resumingEnv(delayNow))
			if err != nil {
				t.Fatal(err)
			}
			want := delayNow.Add(c.want)
			st, _ := tr.Step("pause")
			if tr.Status != StatusWaiting || tr.Until == nil || !tr.Until.Equal(want) {
				t.Fatalf("run %s until %v, want waiting until %v", tr.Status, tr.Until, want)
			}
			if st.Status != StatusWaiting || st.Until == nil || !st.Until.Equal(want) || st.NoWait {
				t.Fatalf("step %+v", st)
			}
			if after, _ := tr.Step("after"); after.Status != StatusSkipped {
				t.Fatalf("the step after the delay ran while it waits: %s", after.Status)
			}
		})
	}
}

func TestDelay_UntilATimeFromTheDataReadsTheCommonFormats(t *testing.T) {
	moscow := func(day, hour int) time.Time { return time.Date(2026, 12, day, hour-3, 0, 0, 0, time.UTC) }
	for _, c := range []struct {
		name, date, zone string
		want             time.Time
	}{
		{"RFC 3339 with its own zone", "2026-12-01T09:00:00+05:00", "", time.Date(2026, 12, 1, 4, 0, 0, 0, time.UTC)},
		{"RFC 3339 in UTC", "2026-12-01T09:00:00Z", "", time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)},
		{"date and time, read in Moscow by default", "2026-12-01 09:00", "", moscow(1, 9)},
		{"with seconds", "2026-12-01 09:00:00", "", moscow(1, 9)},
		{"Russian day.month.year", "01.12.2026 09:00", "", moscow(1, 9)},
		{"spaces around", "  01.12.2026 09:00 ", "", moscow(1, 9)},
		{"a date alone is its midnight", "02.12.2026", "", moscow(2, 0)},
		{"unix seconds", "1796104800", "", time.Unix(1796104800, 0).UTC()},
		{"unix milliseconds", "1796104800000", "", time.Unix(1796104800, 0).UTC()},
		{"another time zone", "01.12.2026 09:00", "Asia/Yekaterinburg", time.Date(2026, 12, 1, 4, 0, 0, 0, time.UTC)},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := `{"mode":"until","until":"{{trigger.params.date}}","timezone":"` + c.zone + `"}`
			tr, err := Run(context.Background(), delayFlow(t, cfg), queryPayload("date="+url.QueryEscape(c.date)), resumingEnv(delayNow))
			if err != nil {
				t.Fatal(err)
			}
			if tr.Status != StatusWaiting || tr.Until == nil || !tr.Until.Equal(c.want) {
				t.Fatalf("run %s until %v (%+v), want waiting until %v", tr.Status, tr.Until, tr.Error, c.want)
			}
		})
	}
}

func TestDelay_ABadTimeFailsTheStepSayingWhatToSendInBothLanguages(t *testing.T) {
	for _, c := range []struct {
		name, date, code string
		en, ru           []string
	}{
		{"not a date", "завтра утром", CodeDelayUntilBad,
			[]string{"Delay 'pause': 'завтра утром' is not a date and time", "01.12.2026 09:00"},
			[]string{"Пауза «pause»: «завтра утром» — не дата и время", "01.12.2026 09:00"}},
		{"a day that does not exist", "31.11.2026 09:00", CodeDelayUntilBad,
			[]string{"'31.11.2026 09:00' is not a date and time"}, []string{"«31.11.2026 09:00» — не дата и время"}},
		{"nothing sent", "", CodeDelayUntilEmpty,
			[]string{"the time to wait until is empty ({{trigger.params.date}} gave nothing)"},
			[]string{"время, до которого ждать, пустое ({{trigger.params.date}} ничего не дал)"}},
		{"further than 30 days", "01.02.2027 09:00", CodeDelayUntilTooFar,
			[]string{"2027-02-01 09:00 (Europe/Moscow) is more than 30 days away"},
			[]string{"2027-02-01 09:00 (Europe/Moscow) — больше чем через 30 дней"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := `{"mode":"until","until":"{{trigger.params.date}}"}`
			tr, err := Run(context.Background(), delayFlow(t, cfg), queryPayload("date="+url.QueryEscape(c.date)), resumingEnv(delayNow))
			if err != nil {
				t.Fatal(err)
			}
			if tr.Status != StatusFailed || tr.Error == nil || tr.Error.Code != c.code {
				t.Fatalf("run %s, error %+v; want failed with %s", tr.Status, tr.Error, c.code)
			}
			for lang, want := range map[string][]string{"en": c.en, "ru": c.ru} {
				got := tr.Error.Text(lang)
				for _, w := range want {
					if !strings.Contains(got, w) {
						t.Errorf("%s: %q does not say %q", lang, got, w)
					}
				}
			}
		})
	}
}

func TestDelay_ATimeAlreadyPastGoesOnAtOnce(t *testing.T) {
	cfg := `{"mode":"until","until":"{{trigger.params.date}}"}`
	tr, err := Run(context.Background(), delayFlow(t, cfg), queryPayload("date=2026-11-23+14:59"), resumingEnv(delayNow))
	if err != nil {
		t.Fatal(err)
	}
	st, _ := tr.Step("pause")
	if tr.Status != StatusSuccess || !strings.Contains(strings.Join(st.Logs, "\n"), "has passed already") {
		t.Fatalf("run %s, logs %q", tr.Status, st.Logs)
	}
}

func TestDelay_PauseOutsideOneMinuteTo30DaysIsAProblemInBothLanguages(t *testing.T) {
	for _, c := range []struct {
		name, config, en, ru string
	}{
		{"zero", `{"mode":"for","amount":0,"unit":"hours"}`, "the pause is 0; it must be from 1 minute to 30 days", "пауза — 0, а должна быть от 1 минуты до 30 дней"},
		{"negative", `{"mode":"for","amount":-2,"unit":"hours"}`, "the pause is -2;", "пауза — -2,"},
		{"half a minute", `{"mode":"for","amount":0.5,"unit":"minutes"}`, "the pause is 30 seconds;", "пауза — 30 секунд,"},
		{"31 days", `{"mode":"for","amount":31,"unit":"days"}`, "the pause is 31 days;", "пауза — 31 день,"},
		{"800 hours", `{"mode":"for","amount":800,"unit":"hours"}`, "the pause is 800 hours;", "пауза — 800 часов,"},
		{"until with no time", `{"mode":"until","until":""}`, "Until is empty", "не заполнено поле «До»"},
		{"an unknown time zone", `{"mode":"for","amount":2,"unit":"hours","timezone":"Moscow"}`, "'Moscow' is not a time zone", "«Moscow» — не часовой пояс"},
		{"an unknown unit", `{"mode":"for","amount":2,"unit":"weeks"}`, "Unit must be one of minutes, hours, days", "Единица: допустимы minutes, hours, days"},
	} {
		t.Run(c.name, func(t *testing.T) {
			problems := Validate(delayFlow(t, c.config), nil)
			if len(problems) != 1 {
				t.Fatalf("problems %v, want one", problems)
			}
			p := problems[0]
			if p.Node != "pause" || !strings.Contains(p.Text("en"), c.en) || !strings.Contains(p.Text("ru"), c.ru) {
				t.Fatalf("problem %q / %q, want %q / %q", p.Text("en"), p.Text("ru"), c.en, c.ru)
			}
		})
	}
}

func TestDelay_ATestOrDryRunDoesNotWaitButSaysUntilWhen(t *testing.T) {
	// fixedEnv does not resume runs: the editor's Test, hookflow run --dry-run, a test sent for real
	tr, err := Run(context.Background(), delayFlow(t, `{"mode":"for","amount":2,"unit":"hours"}`), queryPayload(""), fixedEnv(nil))
	if err != nil {
		t.Fatal(err)
	}
	st, _ := tr.Step("pause")
	after, _ := tr.Step("after")
	if tr.Status != StatusSuccess || after.Status != StatusSuccess {
		t.Fatalf("run %s, after %s: a test must go on", tr.Status, after.Status)
	}
	want := delayNow.Add(2 * time.Hour)
	if !st.NoWait || st.Until == nil || !st.Until.Equal(want) || tr.Until != nil {
		t.Fatalf("step %+v, run until %v: want no wait, until %v", st, tr.Until, want)
	}
	if logs := strings.Join(st.Logs, "\n"); !strings.Contains(logs, "would wait until 2026-11-23 17:00 (Europe/Moscow)") {
		t.Fatalf("logs %q", logs)
	}
}

// A resumed run sends what comes after the delay once, reusing what ran before it, and a run
// picked up before its time (a clock behind) keeps its first time instead of starting anew.
func TestDelay_ResumedRunGoesOnFromTheDelayAndSendsOnce(t *testing.T) {
	var before, after atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/before" {
			before.Add(1)
		} else {
			after.Add(1)
		}
		w.Write([]byte(`ok`))
	}))
	defer srv.Close()
	f := mustParse(t, `{"schema":1,"nodes":[{"id":"trigger","kind":"webhook"},
	  {"id":"first","kind":"http","config":{"method":"POST","url":"`+srv.URL+`/before"}},
	  {"id":"pause","kind":"delay","config":{"mode":"for","amount":2,"unit":"hours"}},
	  {"id":"send","kind":"http","config":{"method":"POST","url":"`+srv.URL+`/after"}}],
	  "edges":[{"from":"trigger","to":"first"},{"from":"first","to":"pause"},{"from":"pause","to":"send"}]}`)
	prog := mustCompile(t, f)
	env := func(at time.Time) *BasicEnv {
		e := resumingEnv(at)
		e.HTTP = srv.Client()
		return e
	}
	first, _ := prog.Run(context.Background(), queryPayload(""), env(delayNow))
	if first.Status != StatusWaiting || before.Load() != 1 || after.Load() != 0 {
		t.Fatalf("first attempt %s, sent %d before and %d after", first.Status, before.Load(), after.Load())
	}
	early, _ := prog.RunFrom(context.Background(), queryPayload(""), env(delayNow.Add(time.Hour)), first)
	if early.Status != StatusWaiting || !early.Until.Equal(*first.Until) || after.Load() != 0 {
		t.Fatalf("picked up an hour early: %s until %v, want still waiting until %v", early.Status, early.Until, first.Until)
	}
	done, _ := prog.RunFrom(context.Background(), queryPayload(""), env(delayNow.Add(2*time.Hour)), early)
	if done.Status != StatusSuccess || before.Load() != 1 || after.Load() != 1 {
		t.Fatalf("resumed: %s, sent %d before and %d after; want success, each once", done.Status, before.Load(), after.Load())
	}
	st, _ := done.Step("pause")
	if st.Status != StatusSuccess || !strings.Contains(strings.Join(st.Logs, "\n"), "waited until 2026-11-23 17:00") {
		t.Fatalf("delay step %+v", st)
	}
}

func TestDelay_DurationTextSaysItInRussianForms(t *testing.T) {
	for d, want := range map[time.Duration]string{
		time.Minute: "1 минута", 2 * time.Minute: "2 минуты", 5 * time.Minute: "5 минут", 21 * time.Minute: "21 минута",
		2 * time.Hour: "2 часа", 11 * time.Hour: "11 часов", 24 * time.Hour: "1 день", 22 * 24 * time.Hour: "22 дня",
		90 * time.Minute: "90 минут", 12 * 24 * time.Hour: "12 дней",
	} {
		if got := durationText(d).In("ru"); got != want {
			t.Errorf("%v: %q, want %q", d, got, want)
		}
	}
}

func FuzzDelayUntil(f *testing.F) {
	for _, s := range []string{"2026-12-01T09:00:00+03:00", "2026-12-01 09:00", "01.12.2026 09:00", "1796104800", "", "31.11.2026", "9999999999999999999"} {
		f.Add(s)
	}
	moscow, _ := time.LoadLocation(DefaultTimeZone)
	f.Fuzz(func(t *testing.T, s string) {
		tm, ok := parseTimeIn(s, moscow)
		if !ok && !tm.IsZero() {
			t.Fatalf("%q: unreadable but a time %v", s, tm)
		}
	})
}
