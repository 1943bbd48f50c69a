package flows

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// The schedule trigger starts the flow by the clock instead of a service's call: every day at
// 09:00, every Monday at 10:00, every 15 minutes, or by a cron expression for the rest. It is
// chosen from menus; the cron expression is the advanced choice. The server (server/core)
// computes the ticks with Schedule and stores one event per tick; the step turns that event into
// {scheduled_at, fired_at}. A step run without a tick (the editor's Test) takes the next tick
// from now, so the Test shows what the next run will see.

type scheduleConfig struct {
	Every    string `json:"every"`    // one of scheduleEvery
	Time     string `json:"time"`     // "09:00", for day, workdays and week
	Weekday  string `json:"weekday"`  // "monday"…, for week
	Cron     string `json:"cron"`     // for cron: five parts, minute hour day month weekday
	Timezone string `json:"timezone"` // one of scheduleZones (default Europe/Moscow)
	Missed   string `json:"missed"`   // after a downtime: "once" runs the latest missed tick, "skip" none
}

// Schedule defaults and choices.
const (
	ScheduleDefaultZone = "Europe/Moscow"
	MissedRunOnce       = "once"
	MissedSkip          = "skip"
	scheduleEveryCron   = "cron"
)

// scheduleEvery are the "how often" choices with their cron forms (day and week take the time
// and weekday fields).
var scheduleEvery = []struct {
	id, cron string
	label    Text
}{
	{"1m", "* * * * *", Text{"Every minute", "Каждую минуту"}},
	{"5m", "*/5 * * * *", Text{"Every 5 minutes", "Каждые 5 минут"}},
	{"10m", "*/10 * * * *", Text{"Every 10 minutes", "Каждые 10 минут"}},
	{"15m", "*/15 * * * *", Text{"Every 15 minutes", "Каждые 15 минут"}},
	{"30m", "*/30 * * * *", Text{"Every 30 minutes", "Каждые 30 минут"}},
	{"1h", "0 * * * *", Text{"Every hour", "Каждый час"}},
	{"2h", "0 */2 * * *", Text{"Every 2 hours", "Каждые 2 часа"}},
	{"3h", "0 */3 * * *", Text{"Every 3 hours", "Каждые 3 часа"}},
	{"4h", "0 */4 * * *", Text{"Every 4 hours", "Каждые 4 часа"}},
	{"6h", "0 */6 * * *", Text{"Every 6 hours", "Каждые 6 часов"}},
	{"12h", "0 */12 * * *", Text{"Every 12 hours", "Каждые 12 часов"}},
	{"day", "%m %h * * *", Text{"Every day", "Каждый день"}},
	{"workdays", "%m %h * * 1-5", Text{"Every working day (Mon–Fri)", "По будним дням (пн–пт)"}},
	{"week", "%m %h * * %d", Text{"Every week", "Каждую неделю"}},
	{scheduleEveryCron, "", Text{"Cron expression (advanced)", "Выражение cron (для опытных)"}},
}

var scheduleWeekdays = []struct {
	id    string
	label Text
}{
	{"monday", Text{"Monday", "Понедельник"}}, {"tuesday", Text{"Tuesday", "Вторник"}},
	{"wednesday", Text{"Wednesday", "Среда"}}, {"thursday", Text{"Thursday", "Четверг"}},
	{"friday", Text{"Friday", "Пятница"}}, {"saturday", Text{"Saturday", "Суббота"}},
	{"sunday", Text{"Sunday", "Воскресенье"}},
}

// scheduleZones are the time zones offered, with their UTC offsets: none of them changes its
// clocks any more, so the offset stands in where the zone database is missing (the browser's
// engine).
var scheduleZones = []struct {
	id     string
	offset int // hours east of UTC
	label  Text
}{
	{"Europe/Kaliningrad", 2, Text{"Kaliningrad (UTC+2)", "Калининград (МСК−1)"}},
	{"Europe/Moscow", 3, Text{"Moscow (UTC+3)", "Москва (МСК)"}},
	{"Europe/Samara", 4, Text{"Samara (UTC+4)", "Самара (МСК+1)"}},
	{"Asia/Yekaterinburg", 5, Text{"Yekaterinburg (UTC+5)", "Екатеринбург (МСК+2)"}},
	{"Asia/Omsk", 6, Text{"Omsk (UTC+6)", "Омск (МСК+3)"}},
	{"Asia/Novosibirsk", 7, Text{"Novosibirsk (UTC+7)", "Новосибирск (МСК+4)"}},
	{"Asia/Krasnoyarsk", 7, Text{"Krasnoyarsk (UTC+7)", "Красноярск (МСК+4)"}},
	{"Asia/Irkutsk", 8, Text{"Irkutsk (UTC+8)", "Иркутск (МСК+5)"}},
	{"Asia/Yakutsk", 9, Text{"Yakutsk (UTC+9)", "Якутск (МСК+6)"}},
	{"Asia/Vladivostok", 10, Text{"Vladivostok (UTC+10)", "Владивосток (МСК+7)"}},
	{"Asia/Magadan", 11, Text{"Magadan (UTC+11)", "Магадан (МСК+8)"}},
	{"Asia/Kamchatka", 12, Text{"Kamchatka (UTC+12)", "Камчатка (МСК+9)"}},
	{"Europe/Minsk", 3, Text{"Minsk (UTC+3)", "Минск (МСК)"}},
	{"Asia/Almaty", 5, Text{"Almaty (UTC+5)", "Алматы (МСК+2)"}},
	{"Asia/Tashkent", 5, Text{"Tashkent (UTC+5)", "Ташкент (МСК+2)"}},
	{"UTC", 0, Text{"UTC", "Всемирное время (UTC)"}},
}

// Problem codes of the schedule.
const (
	CodeScheduleCronParts = "schedule.cron_parts"
	CodeScheduleCronPart  = "schedule.cron_part"
	CodeScheduleCronZone  = "schedule.cron_zone"
	CodeScheduleNever     = "schedule.never"
)

func init() {
	addMessages(map[string]Text{
		CodeScheduleCronParts: {
			"the cron expression '{cron}' must have 5 parts separated by spaces (minute hour day month weekday), not {count}; or choose how often from the list",
			"в выражении cron «{cron}» должно быть 5 частей через пробел (минута час день месяц день недели), а их {count}; или выберите, как часто, из списка"},
		CodeScheduleCronPart: {
			"in the cron expression '{cron}' the {part} '{value}' cannot be read: use numbers from {range}, '*', ranges like 1-5, lists like 1,15 or steps like */10",
			"в выражении cron «{cron}» {part_ru} «{value}» не читается: используйте числа {range_ru}, «*», диапазоны вида 1-5, списки вида 1,15 или шаг вида */10"},
		CodeScheduleCronZone: {
			"the cron expression must not set a time zone ('{value}'); choose the time zone in its own field",
			"в выражении cron не указывается часовой пояс («{value}»); выберите его в поле «Часовой пояс»"},
		CodeScheduleNever: {
			"the cron expression '{cron}' never comes true (such a date does not exist); check the day and the month",
			"выражение cron «{cron}» никогда не сработает (такой даты нет); проверьте день и месяц"},
	})

	every, everyLabels := []string{}, map[string]Text{}
	for _, e := range scheduleEvery {
		every = append(every, e.id)
		everyLabels[e.id] = e.label
	}
	days, dayLabels := []string{}, map[string]Text{}
	for _, d := range scheduleWeekdays {
		days = append(days, d.id)
		dayLabels[d.id] = d.label
	}
	zones, zoneLabels := []string{}, map[string]Text{}
	for _, z := range scheduleZones {
		zones = append(zones, z.id)
		zoneLabels[z.id] = z.label
	}
	var times []string
	for m := 0; m < 24*60; m += 15 {
		times = append(times, fmt.Sprintf("%02d:%02d", m/60, m%60))
	}
	Register(KindSpec[scheduleConfig]{
		Name:     "schedule",
		Title:    Text{"Schedule", "Расписание"},
		Help:     Text{"Starts the flow by the clock: every day at a time, every week, every few minutes or hours. Each time runs once, even with several servers.", "Запускает процесс по часам: каждый день в заданное время, раз в неделю, каждые несколько минут или часов. Каждый запуск выполняется один раз, даже если серверов несколько."},
		Trigger:  true,
		Schedule: ScheduleOf,
		Fields: []Field{
			{Key: "every", Type: FieldSelect, Label: Text{"How often", "Как часто"}, Options: every, OptionLabels: everyLabels, Default: "day"},
			{Key: "time", Type: FieldSelect, Label: Text{"At", "Во сколько"}, Options: times, Default: "09:00",
				Help: Text{"For every day, working days and every week", "Для «каждый день», «по будним дням» и «каждую неделю»"}},
			{Key: "weekday", Type: FieldSelect, Label: Text{"Day of the week", "День недели"}, Options: days, OptionLabels: dayLabels, Default: "monday",
				Help: Text{"For every week", "Для «каждую неделю»"}},
			{Key: "cron", Type: FieldString, Label: Text{"Cron expression", "Выражение cron"},
				Help: Text{"For the advanced choice: minute hour day month weekday, e.g. 30 8 1 * * is the 1st of every month at 08:30", "Для опытных: минута час день месяц день недели, например 30 8 1 * * — 1-го числа каждого месяца в 08:30"}},
			{Key: "timezone", Type: FieldSelect, Label: Text{"Time zone", "Часовой пояс"}, Options: zones, OptionLabels: zoneLabels, Default: ScheduleDefaultZone},
			{Key: "missed", Type: FieldSelect, Label: Text{"After hookflow was off", "Если hookflow был выключен"}, Options: []string{MissedRunOnce, MissedSkip},
				OptionLabels: map[string]Text{
					MissedRunOnce: {"Run the missed time once", "Выполнить пропущенный запуск один раз"},
					MissedSkip:    {"Skip missed times", "Пропустить пропущенные запуски"},
				}, Default: MissedRunOnce,
				Help: Text{"What to do when a time came while hookflow was stopped", "Что делать, если время запуска пришлось на остановку hookflow"}},
		},
		Build: buildSchedule,
	})
}

// Schedule is a parsed schedule trigger: when it fires, in which time zone, and what to do with
// the times missed while the server was down.
type Schedule struct {
	spec   cron.Schedule
	Zone   *time.Location
	Missed string // MissedRunOnce or MissedSkip
}

// Next is the first tick strictly after t (zero when there is none within five years).
func (s *Schedule) Next(t time.Time) time.Time {
	return s.spec.Next(t.In(s.Zone))
}

// scheduleError is a schedule that cannot be read: the problem's code, field and params.
type scheduleError struct {
	field, code string
	params      Params
}

func (e *scheduleError) Error() string { return Message(e.code, "en", e.params) }

// ScheduleOf reads a schedule trigger's config (a node's "config"): the server's scheduler
// and the step share it, so what the editor checks is what fires.
func ScheduleOf(raw json.RawMessage) (*Schedule, error) {
	var cfg scheduleConfig
	if len(raw) > 0 && string(raw) != "null" {
		if err := json.Unmarshal(raw, &cfg); err != nil {
			return nil, err
		}
	}
	return parseSchedule(&cfg)
}

// Scheduled reports whether the flow is started by the clock (and so has no webhook).
func (f *Flow) Scheduled() bool {
	return f.scheduleNode() != nil
}

// FlowSchedule is the schedule of a flow whose trigger is fired by the clock; nil when it has
// another trigger.
func FlowSchedule(f *Flow) (*Schedule, error) {
	if n := f.scheduleNode(); n != nil {
		k, _ := kindByName(n.Kind)
		return k.schedule(n.Config)
	}
	return nil, nil
}

// scheduleNode is the flow's node whose kind the server fires by the clock, if any.
func (f *Flow) scheduleNode() *Node {
	for i := range f.Nodes {
		if k, ok := kindByName(f.Nodes[i].Kind); ok && k.schedule != nil {
			return &f.Nodes[i]
		}
	}
	return nil
}

func parseSchedule(cfg *scheduleConfig) (*Schedule, error) {
	s := &Schedule{Zone: scheduleZone(cfg.Timezone), Missed: cfg.Missed}
	if s.Missed != MissedSkip {
		s.Missed = MissedRunOnce
	}
	expr, err := scheduleCron(cfg)
	if err != nil {
		return nil, err
	}
	spec, err := parseCron(expr)
	if err != nil {
		return nil, err
	}
	s.spec = spec
	if s.Next(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)).IsZero() {
		return nil, &scheduleError{"cron", CodeScheduleNever, Params{"cron": expr}}
	}
	return s, nil
}

// scheduleCron is the cron expression of a config's menu choices.
func scheduleCron(cfg *scheduleConfig) (string, error) {
	every := cfg.Every
	if every == "" {
		every = "day"
	}
	if every == scheduleEveryCron {
		return strings.TrimSpace(cfg.Cron), nil
	}
	for _, e := range scheduleEvery {
		if e.id != every {
			continue
		}
		if !strings.Contains(e.cron, "%") {
			return e.cron, nil
		}
		at := cfg.Time
		if at == "" {
			at = "09:00"
		}
		hh, mm, ok := clockTime(at)
		if !ok {
			return "", &scheduleError{"time", CodeFieldOption, Params{"value": at}} // reported by the field check
		}
		day := 1
		for i, d := range scheduleWeekdays {
			if d.id == cfg.Weekday {
				day = (i + 1) % 7 // cron counts from Sunday = 0
			}
		}
		return strings.NewReplacer("%m", fmt.Sprint(mm), "%h", fmt.Sprint(hh), "%d", fmt.Sprint(day)).Replace(e.cron), nil
	}
	return "", &scheduleError{"every", CodeFieldOption, Params{"value": every}} // reported by the field check
}

// clockTime reads "09:00".
func clockTime(s string) (h, m int, ok bool) {
	t, err := time.Parse("15:04", s)
	if err != nil {
		return 0, 0, false
	}
	return t.Hour(), t.Minute(), true
}

var cronParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow)

var cronParts = []struct {
	en, ru, rangeRu string
	rangeEn         string
}{
	{"minute", "минута", "от 0 до 59", "0 to 59"},
	{"hour", "час", "от 0 до 23", "0 to 23"},
	{"day of the month", "день месяца", "от 1 до 31", "1 to 31"},
	{"month", "месяц", "от 1 до 12 или JAN–DEC", "1 to 12 or JAN–DEC"},
	{"day of the week", "день недели", "от 0 (воскресенье) до 6 или SUN–SAT", "0 (Sunday) to 6 or SUN–SAT"},
}

// parseCron reads a five-part cron expression, naming the part that is wrong.
func parseCron(expr string) (cron.Schedule, error) {
	if strings.HasPrefix(expr, "TZ=") || strings.HasPrefix(expr, "CRON_TZ=") || strings.HasPrefix(expr, "@") {
		first, _, _ := strings.Cut(expr, " ")
		if strings.HasPrefix(expr, "@") {
			return nil, &scheduleError{"cron", CodeScheduleCronParts, Params{"cron": expr, "count": "1"}}
		}
		return nil, &scheduleError{"cron", CodeScheduleCronZone, Params{"value": first}}
	}
	parts := strings.Fields(expr)
	if len(parts) != 5 {
		return nil, &scheduleError{"cron", CodeScheduleCronParts, Params{"cron": expr, "count": fmt.Sprint(len(parts))}}
	}
	spec, err := cronParser.Parse(expr)
	if err == nil {
		return spec, nil
	}
	for i, p := range cronParts {
		probe := []string{"*", "*", "*", "*", "*"}
		probe[i] = parts[i]
		if _, perr := cronParser.Parse(strings.Join(probe, " ")); perr != nil {
			return nil, &scheduleError{"cron", CodeScheduleCronPart, Params{"cron": expr, "part": p.en, "part_ru": p.ru,
				"value": parts[i], "range": p.rangeEn, "range_ru": p.rangeRu}}
		}
	}
	return nil, &scheduleError{"cron", CodeScheduleCronParts, Params{"cron": expr, "count": fmt.Sprint(len(parts))}}
}

// scheduleZone is the time zone by name: from the zone database, or from its fixed offset
// where there is none.
func scheduleZone(name string) *time.Location {
	if name == "" {
		name = ScheduleDefaultZone
	}
	if loc, err := time.LoadLocation(name); err == nil {
		return loc
	}
	for _, z := range scheduleZones {
		if z.id == name {
			return time.FixedZone(name, z.offset*3600)
		}
	}
	return scheduleZone(ScheduleDefaultZone)
}

// ScheduleTick is what a tick's stored event carries, and what the step gives the later steps.
type ScheduleTick struct {
	ScheduledAt time.Time `json:"scheduled_at"` // the time the schedule names (09:00:00)
	FiredAt     time.Time `json:"fired_at"`     // when the run was started (a little later)
}

// TickPayload is the stored request of one tick.
func TickPayload(scheduled, fired time.Time) Payload {
	body, _ := json.Marshal(ScheduleTick{ScheduledAt: scheduled, FiredAt: fired})
	return Payload{Method: "POST", Headers: map[string]string{"Content-Type": "application/json"}, Body: string(body)}
}

func buildSchedule(b *Builder, cfg *scheduleConfig) Step {
	s, err := parseSchedule(cfg)
	var se *scheduleError
	if errors.As(err, &se) {
		if se.code != CodeFieldOption { // the field check has said it already
			b.Problem(se.field, se.code, se.params)
		}
		return nil
	}
	return StepFunc(func(ctx context.Context, sc *StepContext) (any, error) {
		var tick ScheduleTick
		body, _ := sc.Payload.BodyBytes()
		if len(strings.TrimSpace(string(body))) == 0 || json.Unmarshal(body, &tick) != nil || tick.ScheduledAt.IsZero() {
			// no tick (a Test): the next one from now, as the next run will see it
			next := s.Next(sc.Env.Now())
			tick = ScheduleTick{ScheduledAt: next, FiredAt: next}
		}
		if tick.FiredAt.IsZero() {
			tick.FiredAt = tick.ScheduledAt
		}
		at := func(t time.Time) string { return t.In(s.Zone).Format(time.RFC3339) }
		return map[string]any{
			"scheduled_at": at(tick.ScheduledAt),
			"fired_at":     at(tick.FiredAt),
			"date":         tick.ScheduledAt.In(s.Zone).Format("02.01.2006"),
			"time":         tick.ScheduledAt.In(s.Zone).Format("15:04"),
		}, nil
	})
}
