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
	Register(KindSpec[delayConfig]{
		Name:  "delay",
		Title: T("delay.title"),
		Help:  T("delay.help"),
		Fields: []Field{
			{Key: "mode", Type: FieldSelect, Label: T("delay.mode.label"), Options: []string{delayFor, delayUntil}, Default: delayFor,
				OptionLabels: map[string]Text{
					delayFor:   T("delay.mode.option.for"),
					delayUntil: T("delay.mode.option.until"),
				},
				Help: T("delay.mode.help")},
			{Key: "amount", Type: FieldNumber, Label: T("delay.amount.label"), Default: 1,
				Help: T("delay.amount.help")},
			{Key: "unit", Type: FieldSelect, Label: T("delay.unit.label"), Options: []string{"minutes", "hours", "days"}, Default: "hours",
				OptionLabels: map[string]Text{
					"minutes": T("delay.unit.option.minutes"),
					"hours":   T("delay.unit.option.hours"),
					"days":    T("delay.unit.option.days"),
				},
				Help: T("delay.unit.help")},
			{Key: "until", Type: FieldString, Label: T("delay.until.label"), Template: true,
				Help: T("delay.until.help")},
			{Key: "timezone", Type: FieldString, Label: T("delay.timezone.label"), Default: DefaultTimeZone,
				Help: T("delay.timezone.help")},
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
				text = Same(strconv.FormatFloat(cfg.Amount, 'f', -1, 64))
			}
			params := Params{}
			params.put("duration", text)
			b.Problem("amount", CodeDelayRange, params)
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
			sc.Log("log.delay.waited", Params{"time": st.timeText(until)})
		} else {
			sc.Log("log.delay.passed", Params{"time": st.timeText(until)})
		}
	case sc.Resumes():
		sc.Log("log.delay.waits", Params{"time": st.timeText(until)})
		sc.WaitUntil(until)
	default:
		sc.trace.NoWait = true
		sc.Log("log.delay.preview", Params{"time": st.timeText(until)})
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
		d   time.Duration
		key string
	}{
		{24 * time.Hour, "duration.days"},
		{time.Hour, "duration.hours"},
		{time.Minute, "duration.minutes"},
		{time.Second, "duration.seconds"},
	}
	for _, u := range units {
		if d%u.d != 0 && u.d != time.Second {
			continue
		}
		return Count(u.key, int64(d/u.d))
	}
	return Text{}
}
