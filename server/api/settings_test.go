package api_test

import (
	"encoding/json"
	"strings"
	"testing"
)

// Flow settings the service would act on wrongly are refused with the setting named, and
// nothing stored changes; good ones are kept.
func TestFlowSettings_BadValuesAreNamedAndNothingChanges(t *testing.T) {
	t.Parallel()
	s, _ := startWithCPA(t)
	v := s.cpaHouse()
	var full struct {
		Document json.RawMessage `json:"document"`
		Settings map[string]any  `json:"settings"`
	}
	s.call("GET", "/api/flows/"+v.ID, nil, &full)

	for _, tc := range []struct {
		name, settings, field, words string
	}{
		{"not an email", `{"recipients":["owner@example.com","owner-at-example"]}`, "settings.recipients", `"owner-at-example" is not an email address`},
		{"a name around the address", `{"recipients":["Owner <owner@example.com>"]}`, "settings.recipients", "is not an email address"},
		{"unknown email language", `{"lang":"de"}`, "settings.lang", "must be en or ru"},
		{"negative retention", `{"retention_days":-1}`, "settings.retention", "cannot be negative"},
		{"negative rate", `{"rate_limit":{"per_second":-5}}`, "settings.rate_limit", "cannot be negative"},
		{"answer status", `{"reply":{"status":700}}`, "settings.reply.status", "from 200 to 599"},
		{"answer wait", `{"reply":{"wait_ms":600000}}`, "settings.reply.wait_ms", "at most 30000 ms"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var res struct {
				Error   string
				Details []struct{ Code, Field, Message string }
			}
			body := `{"document":` + string(full.Document) + `,"settings":` + tc.settings + `}`
			if code := s.call("PUT", "/api/flows/"+v.ID+"?draft=1", body, &res); code != 422 {
				t.Fatalf("status %d, want 422 (%+v)", code, res)
			}
			if len(res.Details) != 1 || res.Details[0].Field != tc.field || !strings.Contains(res.Details[0].Message, tc.words) {
				t.Fatalf("details %+v, want %s: %s", res.Details, tc.field, tc.words)
			}
			var after struct{ Settings map[string]any }
			s.call("GET", "/api/flows/"+v.ID, nil, &after)
			if len(after.Settings) != len(full.Settings) {
				t.Errorf("settings changed to %v", after.Settings)
			}
		})
	}

	good := `{"document":` + string(full.Document) + `,"settings":{"recipients":["owner@example.com"],"lang":"ru","rate_limit":{"per_second":50},"reply":{"status":200,"body":"OK"}}}`
	var saved struct{ Settings map[string]any }
	if code := s.call("PUT", "/api/flows/"+v.ID, good, &saved); code != 200 {
		t.Fatalf("good settings: %d", code)
	}
	if saved.Settings["lang"] != "ru" {
		t.Errorf("saved settings %v", saved.Settings)
	}
}
