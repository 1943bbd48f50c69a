package flows

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"
)

// A trigger fired by the clock and a list whose rows can be marked secret, declared in this file
// alone: the server learns of both from the kind (ScheduleKinds, FlowSchedule, SecretRowLists),
// as it does of the built-in Schedule trigger and the HTTP step's headers. No other file names it.

type hourlyConfig struct {
	Minute  int       `json:"minute"`
	Secrets []httpRow `json:"tokens"`
}

func init() {
	Register(KindSpec[hourlyConfig]{
		Name:    "test_hourly",
		Title:   tw("Every hour (test)", "Каждый час (тест)"),
		Help:    tw("Starts the flow every hour at a minute.", "Запускает процесс каждый час в заданную минуту."),
		Trigger: true,
		Schedule: func(config json.RawMessage) (*Schedule, error) {
			var cfg hourlyConfig
			if err := json.Unmarshal(config, &cfg); err != nil {
				return nil, err
			}
			cron, _ := json.Marshal(map[string]string{"every": "cron", "cron": itoa(cfg.Minute) + " * * * *", "timezone": "UTC"})
			return ScheduleOf(cron)
		},
		Fields: []Field{
			{Key: "minute", Type: FieldNumber, Label: tw("Minute", "Минута"), Help: tw("Minute of the hour", "Минута часа")},
			{Key: "tokens", Type: FieldList, Label: tw("Tokens", "Токены"), Help: tw("Tokens", "Токены"), Fields: []Field{
				{Key: "key", Type: FieldString, Label: tw("Name", "Название"), Help: tw("Name", "Название")},
				{Key: "value", Type: FieldString, Label: tw("Value", "Значение"), Help: tw("Value", "Значение")},
				{Key: "secret", Type: FieldBool, Label: tw("Secret", "Секретный"), Help: tw("Secret", "Секретный")},
			}},
		},
		Build: func(b *Builder, cfg *hourlyConfig) Step {
			return StepFunc(func(ctx context.Context, sc *StepContext) (any, error) { return sc.Input, nil })
		},
	})
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

func TestKinds_WhatTheServerProvidesComesFromTheKinds(t *testing.T) {
	if got := ScheduleKinds(); !slices.Contains(got, "schedule") || !slices.Contains(got, "test_hourly") || slices.Contains(got, "webhook") {
		t.Errorf("ScheduleKinds() = %v, want the clock-fired triggers: schedule and test_hourly, not webhook", got)
	}
	for _, c := range []struct {
		kind string
		want []string
	}{
		{"http", []string{"headers"}},
		{"test_hourly", []string{"tokens"}},
		{"form_encode", nil},
		{"no_such_kind", nil},
	} {
		if got := SecretRowLists(c.kind); !slices.Equal(got, c.want) {
			t.Errorf("SecretRowLists(%q) = %v, want %v", c.kind, got, c.want)
		}
	}

	f := mustParse(t, `{"schema":1,"nodes":[{"id":"trigger","kind":"test_hourly","config":{"minute":30}},
	  {"id":"s","kind":"set","config":{"fields":[{"key":"a","value":"b"}]}}],"edges":[{"from":"trigger","to":"s"}]}`)
	if !f.Scheduled() {
		t.Fatal("a flow started by test_hourly is not seen as started by the clock")
	}
	s, err := FlowSchedule(f)
	if err != nil || s == nil {
		t.Fatalf("FlowSchedule: %v, %v", s, err)
	}
	from := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	if next := s.Next(from); !next.Equal(from.Add(30 * time.Minute)) {
		t.Errorf("next tick after %s = %s, want 10:30 UTC (the kind's own reading of its config)", from, next)
	}
	if webhook := mustParse(t, parityFlow); webhook.Scheduled() {
		t.Error("a webhook flow is seen as started by the clock")
	}
}
