package api_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/hookflow/hookflow/flows/flowstest"
)

// A Russian-speaking user reads why a run failed in Russian: the run page asks with ?lang=ru and
// the stored error is rendered again from its code, keeping the target's own words and the rest
// of the trace as stored.
func TestRunDetail_ErrorsInTheRequestedLanguage(t *testing.T) {
	t.Parallel()
	cpa := flowstest.NewTarget(t, flowstest.Reply(400, `{"status":"error","msg":"Неверный телефон","id":12345678901234567}`))
	s := startServer(t, "sqlite", cpa.Client())
	v := s.cpaHouse()
	hook(t, v.WebhookURL, "GET", "email=a%40b.c&phone=%2B79161234567&first_name=Anna", "", "")
	runs := s.waitRuns(v.ID, "failed", 1, 30*time.Second)

	read := func(query string) (runView, map[string]string, string) {
		var r runView
		if code := s.call("GET", "/api/runs/"+runs[0].ID+query, nil, &r); code != 200 {
			t.Fatalf("run %s: %d", query, code)
		}
		var tr struct {
			Steps []struct {
				Node  string `json:"node"`
				Error string `json:"error"`
			} `json:"steps"`
		}
		if err := json.Unmarshal(r.Trace, &tr); err != nil {
			t.Fatal(err)
		}
		errs := map[string]string{}
		for _, st := range tr.Steps {
			errs[st.Node] = st.Error
		}
		return r, errs, string(r.Trace)
	}
	en, enSteps, enTrace := read("")
	ru, ruSteps, ruTrace := read("?lang=ru")

	if !strings.HasPrefix(enSteps["send"], "HTTP request '") {
		t.Errorf("English step error %q", enSteps["send"])
	}
	if !strings.HasPrefix(ruSteps["send"], "HTTP-запрос «") {
		t.Errorf("Russian step error %q, want it to start with the Russian kind", ruSteps["send"])
	}
	for _, got := range []string{ruSteps["send"], ru.Error} {
		if !strings.Contains(got, "Неверный телефон") {
			t.Errorf("the target's own message is lost: %q", got)
		}
	}
	if en.Error == ru.Error || ru.Error == "" {
		t.Errorf("run error: en %q, ru %q", en.Error, ru.Error)
	}
	// The stored trace is otherwise untouched: the answer's big id keeps all its digits.
	for _, tr := range []string{enTrace, ruTrace} {
		if !strings.Contains(tr, "12345678901234567") {
			t.Errorf("the trace lost the answer's id digits")
		}
	}
	var unknown runView
	s.call("GET", "/api/runs/"+runs[0].ID+"?lang=xx", nil, &unknown)
	if unknown.Error != en.Error {
		t.Errorf("an unknown language answers %q, want English", unknown.Error)
	}
}
