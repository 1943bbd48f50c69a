package flows

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// The engine's side of the email step: the letter it composes, what a preview shows, and how
// the host's answers are worded. Real SMTP is in server/notify (mailer_test.go) and the server's
// end-to-end test (server/api).

// mailbox is a Mailer that keeps the letters, or fails with err.
type mailbox struct {
	mu      sync.Mutex
	letters []EmailMessage
	err     error
}

func (m *mailbox) SendMail(_ context.Context, msg *EmailMessage) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.err != nil {
		return m.err
	}
	m.letters = append(m.letters, *msg)
	return nil
}

func emailFlow(t *testing.T, config string) *Flow {
	t.Helper()
	return mustParse(t, `{"schema":1,"inputs":[{"key":"smtp_password","secret":true}],"nodes":[{"id":"trigger","kind":"webhook"},
	  {"id":"mail","kind":"email","name":"Письмо менеджеру","config":`+config+`}],
	  "edges":[{"from":"trigger","to":"mail"}]}`)
}

const managerLetter = `{"to":"manager@school.ru, {{trigger.params.email}}","subject":"Заявка: {{trigger.params.name}}",
  "text":"Имя: {{trigger.params.name}}","html":"<b>{{trigger.params.name | html}}</b>","reply_to":"{{trigger.params.email}}"}`

func formPayload(v url.Values) Payload {
	return Payload{Method: "POST", Headers: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, Body: v.Encode()}
}

// sendingEnv is a run that sends: a (never used) HTTP client and the mailbox.
func sendingEnv(box *mailbox, inputs map[string]string) *BasicEnv {
	env := fixedEnv(inputs)
	env.HTTP, env.Mail = noHTTP{}, box
	return env
}

type noHTTP struct{}

func (noHTTP) Do(*http.Request) (*http.Response, error) {
	return nil, errors.New("no HTTP in this test")
}

func TestEmail_SendsTheRenderedLetterThroughTheServersSettings(t *testing.T) {
	box := &mailbox{}
	tr, err := Run(context.Background(), emailFlow(t, managerLetter), formPayload(url.Values{"name": {"Анна <b>"}, "email": {"anna@client.ru"}}), sendingEnv(box, nil))
	if err != nil || tr.Status != StatusSuccess {
		t.Fatalf("run %s: %v %+v", tr.Status, err, tr.Error)
	}
	if len(box.letters) != 1 {
		t.Fatalf("%d letters", len(box.letters))
	}
	m := box.letters[0]
	if m.SMTP != nil || m.From != "" || strings.Join(m.To, ",") != "manager@school.ru,anna@client.ru" || m.ReplyTo != "anna@client.ru" {
		t.Errorf("letter %+v", m)
	}
	if m.Subject != "Заявка: Анна <b>" || m.Text != "Имя: Анна <b>" || m.HTML != "<b>Анна &lt;b&gt;</b>" {
		t.Errorf("subject %q text %q html %q", m.Subject, m.Text, m.HTML)
	}
	st, _ := tr.Step("mail")
	if out := st.Output.(map[string]any); out["sent"] != true || out["subject"] != m.Subject {
		t.Errorf("output %v", out)
	}
}

func TestEmail_OwnServerFromTheStepWithTheSecretPasswordMasked(t *testing.T) {
	box := &mailbox{}
	cfg := `{"smtp":"own","host":"smtp.yandex.ru","port":"465","user":"shop@school.ru","password":"{{inputs.smtp_password}}",
	  "from":"Школа <shop@school.ru>","to":"manager@school.ru","subject":"s","text":"t"}`
	tr, _ := Run(context.Background(), emailFlow(t, cfg), queryPayload(""), sendingEnv(box, map[string]string{"smtp_password": "app-pass-7781"}))
	if tr.Status != StatusSuccess || len(box.letters) != 1 {
		t.Fatalf("run %s %+v, %d letters", tr.Status, tr.Error, len(box.letters))
	}
	want := SMTPSettings{Host: "smtp.yandex.ru", Port: 465, User: "shop@school.ru", Password: "app-pass-7781"}
	if m := box.letters[0]; m.SMTP == nil || *m.SMTP != want || m.From != "Школа <shop@school.ru>" {
		t.Errorf("settings %+v from %q", m.SMTP, m.From)
	}
	if strings.Contains(Stringify(tr.Steps), "app-pass-7781") {
		t.Error("the password is visible in the trace")
	}
}

// A preview (the editor's Test, the CLI's --dry-run) sends nothing and shows the letter.
func TestEmail_PreviewShowsTheLetterItWouldSend(t *testing.T) {
	box := &mailbox{}
	env := fixedEnv(nil)
	env.Mail = box
	tr, _ := Run(context.Background(), emailFlow(t, managerLetter), formPayload(url.Values{"name": {"Анна"}, "email": {"anna@client.ru"}}), env)
	if tr.Status != StatusSuccess || len(box.letters) != 0 {
		t.Fatalf("run %s, %d letters sent in a preview", tr.Status, len(box.letters))
	}
	st, _ := tr.Step("mail")
	out := st.Output.(map[string]any)
	if out["sent"] != false || out["subject"] != "Заявка: Анна" || out["html"] != "<b>Анна</b>" || Stringify(out["to"]) != `["manager@school.ru","anna@client.ru"]` {
		t.Errorf("output %v", out)
	}
	if len(st.Logs) == 0 || !strings.Contains(st.Logs[0], "not sent: this is a preview; the letter «Заявка: Анна» would go to manager@school.ru, anna@client.ru through the server's mail settings") {
		t.Errorf("logs %q", st.Logs)
	}
}

// What a webhook sender types cannot add a header: an address with a line break fails the step
// and nothing is sent; a subject's line breaks become spaces.
func TestEmail_HeaderInjectionThroughTheDataIsRefused(t *testing.T) {
	for _, c := range []struct {
		name, to, email, subject string
		code                     string
	}{
		{"Bcc after a line break in the recipient", "manager@school.ru\r\nBcc: victim@evil.ru", "a@b.ru", "Анна", CodeEmailAddress},
		{"a bare LF in the recipient", "manager@school.ru\nBcc: victim@evil.ru", "a@b.ru", "Анна", CodeEmailAddress},
		{"a header in the reply address leaves the reply address out", "manager@school.ru", "a@b.ru\nBcc: victim@evil.ru", "Анна", ""},
		{"a line break in the subject is folded", "manager@school.ru", "a@b.ru", "Анна\r\nBcc: victim@evil.ru", ""},
		{"no recipient at all", "", "a@b.ru", "Анна", CodeEmailNoTo},
		{"too many recipients", strings.Repeat("x@y.ru,", 21), "a@b.ru", "Анна", CodeEmailTooMany},
	} {
		t.Run(c.name, func(t *testing.T) {
			box := &mailbox{}
			cfg := `{"to":"{{trigger.params.to}}","subject":"Заявка: {{trigger.params.name}}","text":"t","reply_to":"{{trigger.params.email}}"}`
			tr, _ := Run(context.Background(), emailFlow(t, cfg), formPayload(url.Values{"to": {c.to}, "email": {c.email}, "name": {c.subject}}), sendingEnv(box, nil))
			if c.code != "" {
				if tr.Status != StatusFailed || tr.Error.Code != c.code || len(box.letters) != 0 {
					t.Fatalf("status %s error %+v, %d letters", tr.Status, tr.Error, len(box.letters))
				}
				if ru := Message(tr.Error.Code, "ru", tr.Error.Params); !strings.Contains(ru, "Письмо «Письмо менеджеру»") {
					t.Errorf("ru: %s", ru)
				}
				return
			}
			if tr.Status != StatusSuccess || len(box.letters) != 1 || strings.Join(box.letters[0].To, ",") != "manager@school.ru" {
				t.Fatalf("status %s, letters %+v", tr.Status, box.letters)
			}
			m := box.letters[0]
			if strings.ContainsAny(m.Subject+m.ReplyTo, "\r\n") || (m.ReplyTo != "" && m.ReplyTo != "a@b.ru") {
				t.Errorf("subject %q reply to %q", m.Subject, m.ReplyTo)
			}
		})
	}
}

func TestEmail_TheMailServersAnswersInWords(t *testing.T) {
	for _, c := range []struct {
		name string
		err  error
		code string
		want string
	}{
		{"no server settings", ErrNoServerMail, CodeEmailNoServer, "HOOKFLOW_SMTP_URL"},
		{"a refusal quotes the server", &MailError{Server: "smtp.school.ru:465", Detail: "550 5.1.1 No such mailbox"}, CodeEmailRefused, "the mail server smtp.school.ru:465 refused the letter: «550 5.1.1 No such mailbox»"},
		{"an unavailable server", &MailError{Server: "smtp.school.ru:465", Detail: "connection refused", Temporary: true}, CodeEmailUnavailable, "unavailable: connection refused"},
		{"the outbound policy", &DeniedError{Host: "smtp.school.ru", Address: "169.254.169.254", Reason: "a link-local address", ReasonRu: "локальный адрес"}, CodeEmailDenied, "169.254.169.254 is a link-local address"},
	} {
		t.Run(c.name, func(t *testing.T) {
			tr, _ := Run(context.Background(), emailFlow(t, `{"to":"m@school.ru","subject":"s","text":"t"}`), queryPayload(""), sendingEnv(&mailbox{err: c.err}, nil))
			if tr.Status != StatusFailed || tr.Error.Code != c.code || !strings.Contains(tr.Error.Message, c.want) {
				t.Fatalf("error %+v, want %s with %q", tr.Error, c.code, c.want)
			}
			if ru := Message(c.code, "ru", tr.Error.Params); ru == tr.Error.Message || strings.Contains(ru, "{") {
				t.Errorf("ru: %s", ru)
			}
		})
	}
	t.Run("a run that sends without a mailer", func(t *testing.T) {
		env := sendingEnv(nil, nil)
		env.Mail = nil
		tr, _ := Run(context.Background(), emailFlow(t, `{"to":"m@school.ru","subject":"s","text":"t"}`), queryPayload(""), env)
		if tr.Error == nil || tr.Error.Code != CodeEmailNoMailer {
			t.Fatalf("error %+v", tr.Error)
		}
	})
}

func TestEmail_ValidationNamesTheField(t *testing.T) {
	for _, c := range []struct {
		name, config, field, code string
	}{
		{"not an address", `{"to":"manager at school","subject":"s","text":"t"}`, "to", CodeEmailAddress},
		{"no subject", `{"to":"m@school.ru","text":"t"}`, "subject", CodeFieldRequired},
		{"own server without its address", `{"smtp":"own","from":"a@b.ru","to":"m@school.ru","subject":"s","text":"t"}`, "host", CodeEmailNoHost},
		{"own server without a sender", `{"smtp":"own","host":"smtp.b.ru","to":"m@school.ru","subject":"s","text":"t"}`, "from", CodeEmailNoFrom},
		{"a port that is not one", `{"smtp":"own","host":"smtp.b.ru","port":"smtp","from":"a@b.ru","to":"m@school.ru","subject":"s","text":"t"}`, "port", CodeEmailPort},
		{"the cloud's metadata service as a mail server", `{"smtp":"own","host":"169.254.169.254","from":"a@b.ru","to":"m@school.ru","subject":"s","text":"t"}`, "host", CodeURLDenied},
	} {
		t.Run(c.name, func(t *testing.T) {
			if _, problems := Compile(emailFlow(t, c.config)); !hasProblem(problems, c.code, c.field) {
				t.Errorf("problems %+v, want %s on %s", problems, c.code, c.field)
			}
		})
	}
}

// The editor's Test (Preview, in the browser's engine and on the server) writes the steps' logs
// in the language it is asked for, as it does their errors; a run's journal stays English.
func TestEmail_PreviewLogIsInTheReadersLanguage(t *testing.T) {
	doc := `{"schema":1,"nodes":[{"id":"trigger","kind":"webhook"},
	  {"id":"mail","kind":"email","config":{"to":"manager@school.ru","subject":"Заявка","text":"Новая заявка"}}],
	  "edges":[{"from":"trigger","to":"mail"}]}`
	for lang, want := range map[string]string{
		"ru": "не отправлено: это проверка; письмо «Заявка» ушло бы на manager@school.ru через почту этого сервера",
		"en": "not sent: this is a preview; the letter «Заявка» would go to manager@school.ru through the server's mail settings",
		"":   "not sent: this is a preview; the letter «Заявка» would go to manager@school.ru through the server's mail settings",
	} {
		tr := Preview(context.Background(), []byte(doc), []byte(`{"method":"POST","body":"{}"}`), nil, lang, nil)
		var logs []string
		for _, st := range tr.Steps {
			if st.Node == "mail" {
				logs = st.Logs
			}
		}
		if len(logs) != 1 || logs[0] != want {
			t.Errorf("%q: logs %q, want %q", lang, logs, want)
		}
	}
}
