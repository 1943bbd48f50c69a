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
	{"1m", "* * * * *", T("schedule.every.option.1m")},
	{"5m", "*/5 * * * *", T("schedule.every.option.5m")},
	{"10m", "*/10 * * * *", T("schedule.every.option.10m")},
	{"15m", "*/15 * * * *", T("schedule.every.option.15m")},
	{"30m", "*/30 * * * *", T("schedule.every.option.30m")},
	{"1h", "0 * * * *", T("schedule.every.option.1h")},
	{"2h", "0 */2 * * *", T("schedule.every.option.2h")},
	{"3h", "0 */3 * * *", T("schedule.every.option.3h")},
	{"4h", "0 */4 * * *", T("schedule.every.option.4h")},
	{"6h", "0 */6 * * *", T("schedule.every.option.6h")},
	{"12h", "0 */12 * * *", T("schedule.every.option.12h")},
	{"day", "%m %h * * *", T("schedule.every.option.day")},
	{"workdays", "%m %h * * 1-5", T("schedule.every.option.workdays")},
	{"week", "%m %h * * %d", T("schedule.every.option.week")},
	{scheduleEveryCron, "", T("schedule.every.option.cron")},
}

var scheduleWeekdays = []struct {
	id    string
	label Text
}{
	{"monday", T("schedule.weekday.option.monday")}, {"tuesday", T("schedule.weekday.option.tuesday")},
	{"wednesday", T("schedule.weekday.option.wednesday")}, {"thursday", T("schedule.weekday.option.thursday")},
	{"friday", T("schedule.weekday.option.friday")}, {"saturday", T("schedule.weekday.option.saturday")},
	{"sunday", T("schedule.weekday.option.sunday")},
}

// scheduleZones are the time zones offered, with their UTC offsets: none of them changes its
// clocks any more, so the offset stands in where the zone database is missing (the browser's
// engine).
var scheduleZones = []struct {
	id     string
	offset int // hours east of UTC
	label  Text
}{
	{"Europe/Kaliningrad", 2, T("schedule.timezone.option.Europe/Kaliningrad")},
	{"Europe/Moscow", 3, T("schedule.timezone.option.Europe/Moscow")},
	{"Europe/Samara", 4, T("schedule.timezone.option.Europe/Samara")},
	{"Asia/Yekaterinburg", 5, T("schedule.timezone.option.Asia/Yekaterinburg")},
	{"Asia/Omsk", 6, T("schedule.timezone.option.Asia/Omsk")},
	{"Asia/Novosibirsk", 7, T("schedule.timezone.option.Asia/Novosibirsk")},
	{"Asia/Krasnoyarsk", 7, T("schedule.timezone.option.Asia/Krasnoyarsk")},
	{"Asia/Irkutsk", 8, T("schedule.timezone.option.Asia/Irkutsk")},
	{"Asia/Yakutsk", 9, T("schedule.timezone.option.Asia/Yakutsk")},
	{"Asia/Vladivostok", 10, T("schedule.timezone.option.Asia/Vladivostok")},
	{"Asia/Magadan", 11, T("schedule.timezone.option.Asia/Magadan")},
	{"Asia/Kamchatka", 12, T("schedule.timezone.option.Asia/Kamchatka")},
	{"Europe/Minsk", 3, T("schedule.timezone.option.Europe/Minsk")},
	{"Asia/Almaty", 5, T("schedule.timezone.option.Asia/Almaty")},
	{"Asia/Tashkent", 5, T("schedule.timezone.option.Asia/Tashkent")},
	{"UTC", 0, T("schedule.timezone.option.UTC")},
}

// Problem codes of the schedule.
const (
	CodeScheduleCronParts = "schedule.cron_parts"
	CodeScheduleCronPart  = "schedule.cron_part"
	CodeScheduleCronZone  = "schedule.cron_zone"
	CodeScheduleNever     = "schedule.never"
)

func init() {
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
		Title:    T("schedule.title"),
		Help:     T("schedule.help"),
		Trigger:  true,
		Schedule: ScheduleOf,
		Fields: []Field{
			{Key: "every", Type: FieldSelect, Label: T("schedule.every.label"), Options: every, OptionLabels: everyLabels, Default: "day"},
			{Key: "time", Type: FieldSelect, Label: T("schedule.time.label"), Options: times, Default: "09:00",
				Help: T("schedule.time.help")},
			{Key: "weekday", Type: FieldSelect, Label: T("schedule.weekday.label"), Options: days, OptionLabels: dayLabels, Default: "monday",
				Help: T("schedule.weekday.help")},
			{Key: "cron", Type: FieldString, Label: T("schedule.cron.label"),
				Help: T("schedule.cron.help")},
			{Key: "timezone", Type: FieldSelect, Label: T("schedule.timezone.label"), Options: zones, OptionLabels: zoneLabels, Default: ScheduleDefaultZone},
			{Key: "missed", Type: FieldSelect, Label: T("schedule.missed.label"), Options: []string{MissedRunOnce, MissedSkip},
				OptionLabels: map[string]Text{
					MissedRunOnce: T("schedule.missed.option.once"),
					MissedSkip:    T("schedule.missed.option.skip"),
				}, Default: MissedRunOnce,
				Help: T("schedule.missed.help")},
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
	n, _ := f.scheduleNode()
	return n != nil
}

// FlowSchedule is the schedule of a flow whose trigger is fired by the clock; nil when it has
// another trigger.
func FlowSchedule(f *Flow) (*Schedule, error) {
	if n, k := f.scheduleNode(); n != nil {
		return k.schedule(n.Config)
	}
	return nil, nil
}

// scheduleNode is the flow's node whose kind the server fires by the clock, and that kind; nil
// when there is none.
func (f *Flow) scheduleNode() (*Node, *kind) {
	for i := range f.Nodes {
		if k, ok := kindByName(f.Nodes[i].Kind); ok && k.schedule != nil {
			return &f.Nodes[i], k
		}
	}
	return nil, nil
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

// cronParts name the parts of a cron expression and the values each takes.
var cronParts = []struct{ name, values Text }{
	{T("schedule.cron.minute"), T("schedule.cron.minute.values")},
	{T("schedule.cron.hour"), T("schedule.cron.hour.values")},
	{T("schedule.cron.day"), T("schedule.cron.day.values")},
	{T("schedule.cron.month"), T("schedule.cron.month.values")},
	{T("schedule.cron.weekday"), T("schedule.cron.weekday.values")},
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
			params := Params{"cron": expr, "value": parts[i]}
			params.put("part", p.name)
			params.put("range", p.values)
			return nil, &scheduleError{"cron", CodeScheduleCronPart, params}
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
