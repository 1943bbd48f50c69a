package flows

import (
	"context"
	"math"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // time zones in the browser engine and on machines without a zone database
)

// delay ("Пауза") waits before the steps after it run: for a while (2 hours, 3 days; from a
// minute to 30 days) or until a time taken from the data ({{trigger.params.date}}: RFC 3339,
// "2026-12-01 09:00", "01.12.2026 09:00" or unix seconds; a time without its zone is in the
// step's time zone, Europe/Moscow unless set).
//
// It holds no worker while it waits: on the server the step parks the run (StepContext.WaitUntil),
// the run is stored as waiting, and its webhook goes back to the queue due at that time; when it
// is picked again the run goes on from the delay (RunFrom reuses the steps before it, so nothing
// is sent twice), and the step, seeing its earlier time passed, lets the run through. Where no
// one resumes runs (a Test in the editor, hookflow run) it notes the time it would wait until and
// goes on at once. Its output is its input, unchanged.

type delayConfig struct {
	Mode     string  `json:"mode"`
	Amount   float64 `json:"amount"`
	Unit     string  `json:"unit"`
	Until    string  `json:"until"`
	Timezone string  `json:"timezone"`
}

const (
	delayFor   = "for"
	delayUntil = "until"

	delayMin = time.Minute
	delayMax = 30 * 24 * time.Hour

	// DefaultTimeZone is where a time written without its zone is read (our users' clocks).
	DefaultTimeZone = "Europe/Moscow"
)

var delayUnits = map[string]time.Duration{"minutes": time.Minute, "hours": time.Hour, "days": 24 * time.Hour}

// Problem codes of the delay.
const (
	CodeDelayRange       = "delay.range"
	CodeDelayTimezone    = "delay.timezone"
	CodeDelayUntilEmpty  = "delay.until_empty"
	CodeDelayUntilBad    = "delay.until_invalid"
	CodeDelayUntilTooFar = "delay.until_too_far"
)

func init() {
	addMessages(map[string]Text{
		CodeDelayRange:       {"the pause is {duration}; it must be from 1 minute to 30 days", "пауза — {duration_ru}, а должна быть от 1 минуты до 30 дней"},
		CodeDelayTimezone:    {"'{zone}' is not a time zone; write a name such as Europe/Moscow or Asia/Yekaterinburg", "«{zone}» — не часовой пояс; укажите название, например «Europe/Moscow» или «Asia/Yekaterinburg»"},
		CodeDelayUntilEmpty:  {"the time to wait until is empty ({ref} gave nothing); check that the request has it", "время, до которого ждать, пустое ({ref} ничего не дал); проверьте, что оно есть в запросе"},
		CodeDelayUntilBad:    {"'{value}' is not a date and time hookflow can read; send it as 2026-12-01 09:00, 01.12.2026 09:00, 2026-12-01T09:00:00+03:00 or unix seconds", "«{value}» — не дата и время, которые понимает hookflow; передавайте их как 2026-12-01 09:00, 01.12.2026 09:00, 2026-12-01T09:00:00+03:00 или число секунд с 1970 года"},
		CodeDelayUntilTooFar: {"{until} is more than 30 days away; hookflow waits at most 30 days", "{until} — больше чем через 30 дней, а hookflow ждёт не дольше 30 дней"},
	})

	Register(KindSpec[delayConfig]{
		Name:  "delay",
		Title: Text{"Delay", "Пауза"},
		Help: Text{
			"Waits before the next steps: for a while (from a minute to 30 days) or until a date and time from the data. Survives restarts; the journal shows the run as waiting until then. A Test does not wait.",
			"Ждёт перед следующими шагами: заданное время (от минуты до 30 дней) или до даты и времени из данных. Переживает перезапуск; в журнале выполнение видно как «ждёт до …». Проверка в редакторе не ждёт.",
		},
		Fields: []Field{
			{Key: "mode", Type: FieldSelect, Label: Text{"Wait", "Ждать"}, Options: []string{delayFor, delayUntil}, Default: delayFor,
				OptionLabels: map[string]Text{
					delayFor:   {"for a while", "заданное время"},
					delayUntil: {"until a date from the data", "до даты из данных"},
				},
				Help: Text{"A fixed pause, or until a time the source sends (a visit, a webinar)", "Постоянная пауза или до времени, которое присылает источник (визит, вебинар)"}},
			{Key: "amount", Type: FieldNumber, Label: Text{"How long", "Сколько"}, Default: 1,
				Help: Text{"With the unit next: 2 hours, 3 days; from 1 minute to 30 days", "Вместе с единицей ниже: 2 часа, 3 дня; от 1 минуты до 30 дней"}},
			{Key: "unit", Type: FieldSelect, Label: Text{"Unit", "Единица"}, Options: []string{"minutes", "hours", "days"}, Default: "hours",
				OptionLabels: map[string]Text{
					"minutes": {"minutes", "минуты"},
					"hours":   {"hours", "часы"},
					"days":    {"days", "дни"},
				},
				Help: Text{"Minutes, hours or days", "Минуты, часы или дни"}},
			{Key: "until", Type: FieldString, Label: Text{"Until", "До"}, Template: true,
				Help: Text{"The date and time from the data, e.g. {{trigger.params.date}}: 2026-12-01 09:00, 01.12.2026 09:00, 2026-12-01T09:00:00+03:00 or unix seconds. A time already past does not wait",
					"Дата и время из данных, например {{trigger.params.date}}: 2026-12-01 09:00, 01.12.2026 09:00, 2026-12-01T09:00:00+03:00 или число секунд с 1970 года. Если это время уже прошло, пауза не ждёт"}},
			{Key: "timezone", Type: FieldString, Label: Text{"Time zone", "Часовой пояс"}, Default: DefaultTimeZone,
				Help: Text{"Where a time without its zone is read: Europe/Moscow, Asia/Yekaterinburg, Europe/Kaliningrad…",
					"В каком поясе читать время без указанного пояса: «Europe/Moscow» (Москва), «Asia/Yekaterinburg» (Екатеринбург), «Europe/Kaliningrad» (Калининград)…"}},
		},
		Build: buildDelay,
	})
}

type delayStep struct {
	wait  time.Duration // mode "for"
	until *Template     // mode "until"
	src   string        // the until field as written, for messages
	loc   *time.Location
}

func buildDelay(b *Builder, cfg *delayConfig) Step {
	st := &delayStep{loc: delayLocation(b, cfg.Timezone)}
	switch cfg.Mode {
	case delayUntil:
		if strings.TrimSpace(cfg.Until) == "" {
			b.Problem("until", CodeFieldRequired, nil)
		}
		st.until, st.src = b.Template("until", cfg.Until), strings.TrimSpace(cfg.Until)
	default: // "for", also when unset; another value is reported by the field's options
		unit, ok := delayUnits[cfg.Unit]
		if !ok {
			unit = time.Hour
		}
		d := time.Duration(math.Round(cfg.Amount*float64(unit)/float64(time.Second))) * time.Second
		if cfg.Amount <= 0 || math.IsInf(cfg.Amount, 0) || d < delayMin || d > delayMax {
			text := durationText(d)
			if cfg.Amount <= 0 {
				text = Text{strconv.FormatFloat(cfg.Amount, 'f', -1, 64), strconv.FormatFloat(cfg.Amount, 'f', -1, 64)}
			}
			b.Problem("amount", CodeDelayRange, Params{"duration": text.En, "duration_ru": text.Ru})
		}
		st.wait = d
	}
	return st
}

func delayLocation(b *Builder, zone string) *time.Location {
	zone = strings.TrimSpace(zone)
	if zone == "" {
		zone = DefaultTimeZone
	}
	loc, err := time.LoadLocation(zone)
	if err != nil || zone == "Local" {
		b.Problem("timezone", CodeDelayTimezone, Params{"zone": zone})
		return time.UTC
	}
	return loc
}

func (st *delayStep) Run(ctx context.Context, sc *StepContext) (any, error) {
	now := sc.Env.Now()
	var until time.Time
	switch {
	case sc.Earlier != nil && sc.Earlier.Until != nil:
		until = *sc.Earlier.Until // resumed: the time it was waiting until, not a new pause from now
	case st.until != nil:
		raw := strings.TrimSpace(sc.Render(st.until))
		if raw == "" {
			return nil, sc.Fail(CodeDelayUntilEmpty, Params{"ref": st.src})
		}
		t, ok := parseTimeIn(raw, st.loc)
		if !ok {
			return nil, sc.Fail(CodeDelayUntilBad, Params{"value": raw})
		}
		if t.Sub(now) > delayMax {
			return nil, sc.Fail(CodeDelayUntilTooFar, Params{"until": st.timeText(t)})
		}
		until = t
	default:
		until = now.Add(st.wait)
	}
	at := until.UTC()
	sc.trace.Until = &at
	switch {
	case !now.Before(until):
		if sc.Earlier != nil {
			sc.Logf("waited until %s", st.timeText(until))
		} else {
			sc.Logf("%s has passed already, so the run goes on at once", st.timeText(until))
		}
	case sc.Resumes():
		sc.Logf("waits until %s", st.timeText(until))
		sc.WaitUntil(until)
	default:
		sc.trace.NoWait = true
		sc.Logf("would wait until %s; a test does not wait, so the run goes on at once", st.timeText(until))
	}
	return sc.Input, nil
}

// timeText is a time as the step's zone reads it: "2026-12-01 09:00 (Europe/Moscow)".
func (st *delayStep) timeText(t time.Time) string {
	return t.In(st.loc).Format("2006-01-02 15:04") + " (" + st.loc.String() + ")"
}

// durationText says a pause in words: "2 hours" / "2 часа", in the largest whole unit.
func durationText(d time.Duration) Text {
	units := []struct {
		d  time.Duration
		en string
		ru [3]string // one, few, many
	}{
		{24 * time.Hour, "day", [3]string{"день", "дня", "дней"}},
		{time.Hour, "hour", [3]string{"час", "часа", "часов"}},
		{time.Minute, "minute", [3]string{"минута", "минуты", "минут"}},
		{time.Second, "second", [3]string{"секунда", "секунды", "секунд"}},
	}
	for _, u := range units {
		if d%u.d != 0 && u.d != time.Second {
			continue
		}
		n := int64(d / u.d)
		en := u.en
		if n != 1 {
			en += "s"
		}
		return Text{strconv.FormatInt(n, 10) + " " + en, strconv.FormatInt(n, 10) + " " + u.ru[ruPlural(n)]}
	}
	return Text{}
}

// ruPlural picks the Russian form for n: 1 день, 2 дня, 5 дней (21 день, 11 дней).
func ruPlural(n int64) int {
	n %= 100
	switch {
	case n%10 == 1 && n != 11:
		return 0
	case n%10 >= 2 && n%10 <= 4 && (n < 12 || n > 14):
		return 1
	}
	return 2
}
