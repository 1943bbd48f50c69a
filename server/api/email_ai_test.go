package api_test

import (
	"encoding/json"
	"mime"
	"net/mail"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hookflow/hookflow/flows"
	"github.com/hookflow/hookflow/flows/flowstest"
	"github.com/hookflow/hookflow/server/core"
	"github.com/hookflow/hookflow/server/internal/testdb"
	"github.com/hookflow/hookflow/server/notify"
)

// The email and AI steps under the whole server: a webhook arrives, the run sends for real (a
// letter to an SMTP server on this machine, a chat completion to a local HTTPS stand-in for
// OpenAI) and the journal shows what each step did.

// runTrace is a run's trace from the journal.
func (s *testServer) runTrace(id string) flows.Trace {
	s.t.Helper()
	var run runView
	s.call("GET", "/api/runs/"+id, nil, &run)
	var tr flows.Trace
	if err := json.Unmarshal(run.Trace, &tr); err != nil {
		s.t.Fatalf("trace of run %s: %v", id, err)
	}
	return tr
}

var tildaLead = url.Values{"Name": {"Анна Смирнова"}, "Phone": {"+7 (916) 123-45-67"}, "Email": {"anna@client.test"},
	"Comment": {"Хочу купить курс, позвоните сегодня"}, "formid": {"form512345678"}}

func TestServer_WebhookSendsTheManagerALetterAndTheJournalShowsIt(t *testing.T) {
	t.Parallel()
	box, addr := startMailbox(t)
	mailer, err := notify.NewMailer(notify.MailerConfig{SMTPURL: "smtp://" + addr + "?from=leads@school.test"})
	if err != nil {
		t.Fatal(err)
	}
	s := startServer(t, "", nil, onStore(testdb.Open(t, "sqlite")), configured(func(c *core.Config) { c.Mailer = mailer }))
	v := s.instantiate("tilda-email", map[string]string{"manager_email": "manager@school.test"})
	hook(t, v.WebhookURL, "POST", "", "application/x-www-form-urlencoded", tildaLead.Encode())
	runs := s.waitRuns(v.ID, flows.StatusSuccess, 1, 10*time.Second)

	msgs := box.messages()
	if len(msgs) != 1 || len(box.rcpt) != 1 || box.rcpt[0] != "manager@school.test" {
		t.Fatalf("%d letters to %v", len(msgs), box.rcpt)
	}
	m, err := mail.ReadMessage(strings.NewReader(msgs[0]))
	if err != nil {
		t.Fatal(err)
	}
	subject, _ := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	if subject != "Заявка с сайта: Анна Смирнова" || !strings.Contains(m.Header.Get("Reply-To"), "anna@client.test") || !strings.Contains(m.Header.Get("From"), "leads@school.test") {
		t.Errorf("subject %q reply-to %q from %q", subject, m.Header.Get("Reply-To"), m.Header.Get("From"))
	}

	tr := s.runTrace(runs[0].ID)
	st, _ := tr.Step("letter")
	out, _ := st.Output.(map[string]any)
	if st.Status != flows.StatusSuccess || out["sent"] != true || out["subject"] != subject || len(st.Logs) == 0 || !strings.Contains(st.Logs[0], "went to manager@school.test") {
		t.Errorf("journal step %+v", st)
	}
}

// A busy mail server (451) fails the attempt in its own words, and the run is tried again later.
func TestServer_ABusyMailServerIsTriedAgainLater(t *testing.T) {
	t.Parallel()
	box, addr := startMailbox(t)
	box.busy = 1
	mailer, _ := notify.NewMailer(notify.MailerConfig{SMTPURL: "smtp://" + addr + "?from=leads@school.test"})
	s := startServer(t, "", nil, onStore(testdb.Open(t, "sqlite")), configured(func(c *core.Config) { c.Mailer = mailer }))
	v := s.instantiate("tilda-email", map[string]string{"manager_email": "manager@school.test"})
	hook(t, v.WebhookURL, "POST", "", "application/x-www-form-urlencoded", tildaLead.Encode())
	runs := s.waitRuns(v.ID, flows.StatusSuccess, 1, 15*time.Second)
	if runs[0].Attempt != 2 || len(box.messages()) != 1 {
		t.Fatalf("attempt %d, %d letters", runs[0].Attempt, len(box.messages()))
	}
}

// A manager's address that is not one fails the run, and the journal says which and why.
func TestServer_ALetterToAWrongAddressFailsTheRunInWords(t *testing.T) {
	t.Parallel()
	box, addr := startMailbox(t)
	mailer, _ := notify.NewMailer(notify.MailerConfig{SMTPURL: "smtp://" + addr + "?from=leads@school.test"})
	s := startServer(t, "", nil, onStore(testdb.Open(t, "sqlite")), configured(func(c *core.Config) { c.Mailer = mailer }))
	v := s.instantiate("tilda-email", map[string]string{"manager_email": "manager@school.test"})
	// A setting is a reference, checked when the run renders it: "nobody" has no @.
	var doc map[string]any
	s.call("GET", "/api/flows/"+v.ID+"/export", nil, &doc)
	s.call("PUT", "/api/flows/"+v.ID, map[string]any{"document": doc, "input_values": map[string]string{"manager_email": "nobody"}}, nil)
	hook(t, v.WebhookURL, "POST", "", "application/x-www-form-urlencoded", tildaLead.Encode())
	runs := s.waitRuns(v.ID, flows.StatusFailed, 1, 10*time.Second)
	tr := s.runTrace(runs[0].ID)
	if tr.Error == nil || tr.Error.Code != flows.CodeEmailAddress || !strings.Contains(tr.Error.Message, "'nobody' is not an email address") {
		t.Fatalf("error %+v", tr.Error)
	}
	if len(box.messages()) != 0 {
		t.Error("a letter was sent")
	}
}

func TestServer_WebhookIsSortedByTheAIAndReachesTheHotTarget(t *testing.T) {
	t.Parallel()
	ai := flowstest.NewTarget(t, flowstest.Reply(200, flowstest.ChatCompletion(`{"class":"hot"}`)))
	hot, cold := flowstest.NewTarget(t), flowstest.NewTarget(t)
	targets := map[string]*flowstest.Target{"api.openai.com": ai, "crm.school.test": hot, "mail.school.test": cold}
	client := flowstest.RoutedClient(func(host string) *flowstest.Target { return targets[host] })
	s := startServer(t, "", client, onStore(testdb.Open(t, "sqlite")))
	v := s.instantiate("webhook-ai-router", map[string]string{"ai_key": "sk-proj-server-7310",
		"hot_url": "https://crm.school.test/hot", "cold_url": "https://mail.school.test/cold"})
	hook(t, v.WebhookURL, "POST", "", "application/x-www-form-urlencoded", tildaLead.Encode())
	runs := s.waitRuns(v.ID, flows.StatusSuccess, 1, 10*time.Second)

	if len(ai.Requests()) != 1 || len(hot.Requests()) != 1 || len(cold.Requests()) != 0 {
		t.Fatalf("requests: AI %d, hot %d, cold %d", len(ai.Requests()), len(hot.Requests()), len(cold.Requests()))
	}
	if got := ai.Requests()[0].Header.Get("Authorization"); got != "Bearer sk-proj-server-7310" {
		t.Errorf("Authorization %q", got)
	}
	tr := s.runTrace(runs[0].ID)
	classify, _ := tr.Step("classify")
	route, _ := tr.Step("route")
	if classify.HTTP == nil || !classify.HTTP.Sent || route.Branch != "r_hot" {
		t.Errorf("classify %+v, route took %q", classify.HTTP, route.Branch)
	}
	if raw, _ := json.Marshal(tr); strings.Contains(string(raw), "sk-proj-server-7310") {
		t.Error("the API key is in the journal")
	}
}
