package api_test

import (
	"encoding/base64"
	"io"
	"log/slog"
	"mime/quotedprintable"
	"net/http"
	"net/mail"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hookflow/hookflow/flows/flowstest"
	"github.com/hookflow/hookflow/server/internal/testdb"
)

// sendFlow is a webhook → one HTTP request without retries inside the step, so that every
// failure of the target is a whole attempt of the webhook.
const sendFlow = `{"document":{"schema":1,"name":"journal","nodes":[{"id":"trigger","kind":"webhook"},
  {"id":"send","kind":"http","name":"Send the lead","config":{"method":"GET","url":"https://api.cpa.house/lead","retries":0}}],
  "edges":[{"from":"trigger","to":"send"}]}}`

type journalRun struct {
	ID          string       `json:"id"`
	Status      string       `json:"status"`
	Error       string       `json:"error"`
	Attempts    int          `json:"attempts"`
	RetryAt     *time.Time   `json:"retry_at"`
	AttemptList []journalRun `json:"attempt_list"`
}

type dailyCounts struct {
	TimeZone string   `json:"timezone"`
	Days     []string `json:"days"`
	Flows    map[string]struct {
		Success, Failed, Filtered, Waiting []int64
	} `json:"flows"`
}

// A target that is down twice and then takes the lead: the journal shows one row, a success
// with 3 attempts; the run page lists the three attempts; the flows list counts no failure; the
// chart counts one delivered webhook today, for the flow and for the team.
func TestJournal_WebhookFailedTwiceThenDeliveredIsOneRowWith3Attempts(t *testing.T) {
	t.Parallel()
	onEachDatabase(t, func(t *testing.T, dialect string) {
		target := flowstest.NewTarget(t, flowstest.Reply(503, `{"error":"busy"}`), flowstest.Reply(503, `{"error":"busy"}`),
			flowstest.Reply(200, `{"status":"success"}`))
		s := startServer(t, dialect, target.Client())
		v := s.createFlow(t, sendFlow)
		s.call("POST", "/api/flows/"+v.ID+"/start", nil, nil)
		hook(t, v.WebhookURL, "GET", "phone=1", "", "")
		s.waitRuns(v.ID, "success", 1, 20*time.Second)

		var list struct{ Runs []journalRun }
		s.call("GET", "/api/flows/"+v.ID+"/runs", nil, &list)
		if len(list.Runs) != 1 || list.Runs[0].Status != "success" || list.Runs[0].Attempts != 3 {
			t.Fatalf("journal = %+v, want one success with 3 attempts", list.Runs)
		}
		var run journalRun
		s.call("GET", "/api/runs/"+list.Runs[0].ID+"?lang=ru", nil, &run)
		if len(run.AttemptList) != 3 || run.AttemptList[0].Status != "failed" || run.AttemptList[2].ID != run.ID {
			t.Fatalf("attempts inside the run = %+v", run.AttemptList)
		}
		if !regexp.MustCompile(`[а-я]`).MatchString(run.AttemptList[0].Error) {
			t.Errorf("a failed attempt's error in Russian: %q", run.AttemptList[0].Error)
		}
		var flowsList struct {
			Flows []struct {
				ID         string `json:"id"`
				FailedRuns int64  `json:"failed_runs"`
				LastStatus string `json:"last_status"`
			}
		}
		s.call("GET", "/api/flows", nil, &flowsList)
		if len(flowsList.Flows) != 1 || flowsList.Flows[0].FailedRuns != 0 || flowsList.Flows[0].LastStatus != "success" {
			t.Errorf("flows list = %+v, want no failed webhook", flowsList.Flows)
		}
		today := time.Now().In(mustZone(t, "Europe/Moscow")).Format(time.DateOnly)
		for _, path := range []string{"/api/flows/" + v.ID + "/runs/daily", "/api/runs/daily"} {
			var d dailyCounts
			if code := s.call("GET", path, nil, &d); code != 200 {
				t.Fatalf("%s: %d", path, code)
			}
			f, ok := d.Flows[v.ID]
			if d.TimeZone != "Europe/Moscow" || len(d.Days) != 14 || d.Days[13] != today || !ok || f.Success[13] != 1 || f.Failed[13] != 0 || f.Waiting[13] != 0 {
				t.Errorf("%s = %+v", path, d)
			}
		}
	})
}

// The chart's days begin where the reader lives: ?tz= picks the zone, a wrong one is refused
// with a sentence, and the number of days is bounded.
func TestJournal_DailyRunsQueryIsChecked(t *testing.T) {
	t.Parallel()
	s := startServer(t, "sqlite", flowstest.NewTarget(t).Client())
	v := s.createFlow(t, sendFlow)
	cases := []struct {
		query string
		code  int
		zone  string
		days  int
	}{
		{"", 200, "Europe/Moscow", 14},
		{"?tz=Asia/Novosibirsk&days=7", 200, "Asia/Novosibirsk", 7},
		{"?tz=Mars/Olympus", 400, "", 0},
		{"?tz=Local", 400, "", 0},
		{"?days=0", 400, "", 0},
		{"?days=1000", 400, "", 0},
	}
	for _, c := range cases {
		var d dailyCounts
		code := s.call("GET", "/api/flows/"+v.ID+"/runs/daily"+c.query, nil, &d)
		if code != c.code || (code == 200 && (d.TimeZone != c.zone || len(d.Days) != c.days || len(d.Flows[v.ID].Success) != c.days)) {
			t.Errorf("%q: %d %+v, want %d %s %d days", c.query, code, d, c.code, c.zone, c.days)
		}
	}
}

// A failed webhook's error reads in the journal list in the language asked for, from the code
// and params stored on the run; English stays the stored sentence.
func TestJournal_ListErrorsInTheReadersLanguage(t *testing.T) {
	t.Parallel()
	target := flowstest.NewTarget(t, flowstest.Reply(http.StatusBadRequest, `{"error":"wrong phone"}`))
	s := startServer(t, "sqlite", target.Client())
	v := s.createFlow(t, sendFlow)
	s.call("POST", "/api/flows/"+v.ID+"/start", nil, nil)
	hook(t, v.WebhookURL, "GET", "phone=1", "", "")
	s.waitRuns(v.ID, "failed", 1, 20*time.Second)
	for _, c := range []struct {
		lang  string
		words *regexp.Regexp
	}{{"en", regexp.MustCompile(`Send the lead.*400`)}, {"ru", regexp.MustCompile(`Send the lead».*400`)}} {
		var list struct{ Runs []journalRun }
		s.call("GET", "/api/flows/"+v.ID+"/runs?lang="+c.lang, nil, &list)
		if len(list.Runs) != 1 || !c.words.MatchString(list.Runs[0].Error) {
			t.Errorf("%s: %+v", c.lang, list.Runs)
		}
		if c.lang == "ru" && strings.Contains(list.Runs[0].Error, "answered") {
			t.Errorf("ru error keeps English words: %q", list.Runs[0].Error)
		}
	}
}

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// A flow whose mails go out in Russian says the failed request's error in Russian too: the mail
// is written from the code and params stored on the run.
func TestJournal_FailureMailSaysTheErrorInTheMailsLanguage(t *testing.T) {
	t.Parallel()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	box, n := startMailer(t, log)
	target := flowstest.NewTarget(t, flowstest.Reply(http.StatusBadRequest, `{"error":"wrong phone"}`))
	s := startServer(t, "", target.Client(), onStore(testdb.Open(t, "sqlite")), notifying(n))
	v := s.createFlow(t, sendFlow)
	s.call("PUT", "/api/flows/"+v.ID, map[string]any{"settings": map[string]any{"recipients": []string{"owner@example.com"}, "lang": "ru"}}, nil)
	s.call("POST", "/api/flows/"+v.ID+"/start", nil, nil)
	hook(t, v.WebhookURL, "GET", "phone=1", "", "")
	s.waitRuns(v.ID, "failed", 1, 20*time.Second)
	msgs := sentMails(t, box, n, 5*time.Second)
	if len(msgs) != 1 {
		t.Fatalf("%d mails, want 1", len(msgs))
	}
	m, err := mail.ReadMessage(strings.NewReader(msgs[0]))
	if err != nil {
		t.Fatal(err)
	}
	body := io.Reader(m.Body)
	switch strings.ToLower(m.Header.Get("Content-Transfer-Encoding")) {
	case "base64":
		body = base64.NewDecoder(base64.StdEncoding, m.Body)
	case "quoted-printable":
		body = quotedprintable.NewReader(m.Body)
	}
	text, err := io.ReadAll(body)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(text), "ответил HTTP-статусом 400") || strings.Contains(string(text), "answered with") {
		t.Errorf("the Russian mail's error is not in Russian:\n%s", text)
	}
}
