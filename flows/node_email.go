package flows

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"strconv"
	"strings"
	"unicode"
)

// email ("Письмо") sends a letter: through the server's own mail settings (the SMTP server that
// also sends the failure emails, HOOKFLOW_SMTP_URL) or through an SMTP server given in the step
// (host, port, user, password, sender — usually the flow's settings, the password a secret one).
// To, subject and text (and an optional HTML version) are templates.
//
// The engine only composes the letter; sending is the host's (Env's Mailer: server/notify on
// the server, none in the browser), so the engine still builds for js/wasm. A preview sends
// nothing: the step's output is the letter it would send, and its log says so.
//
// Header injection: the recipients and the sender are parsed as addresses and refused when they
// hold a line break or any other control character (a "To" of "boss@x.ru\r\nBcc: …" fails the
// step, nothing is sent); a reply address that is not one is left out (it usually comes from
// what a client typed, and the letter matters more); the subject's line breaks and control
// characters become spaces, so a name typed into a form cannot add a header either.

// EmailMessage is one letter an email step sends.
type EmailMessage struct {
	// SMTP is the step's own server; nil sends through the server's mail settings.
	SMTP *SMTPSettings
	// From is the sender ("Name <address>" or an address); "" with the server's settings means
	// the server's sender.
	From    string
	To      []string
	ReplyTo string
	Subject string
	Text    string
	HTML    string // optional: sent as the letter's HTML version beside Text
}

// SMTPSettings are an email step's own mail server. Port 465 is implicit TLS; any other port
// uses STARTTLS when the server offers it, and the password is only ever sent encrypted (or to
// this machine).
type SMTPSettings struct {
	Host     string
	Port     int
	User     string
	Password string
}

// Mailer sends the letters of email steps. The server's (server/notify) takes the server's SMTP
// settings and checks the step's own servers against the outbound policy.
type Mailer interface {
	SendMail(ctx context.Context, m *EmailMessage) error
}

// ErrNoServerMail is what a Mailer returns for a letter meant for the server's mail settings
// when the server has none.
var ErrNoServerMail = errors.New("this hookflow has no mail settings")

// MailError is a letter the mail server did not take, in the server's own words.
type MailError struct {
	Server string // host:port
	Detail string // what the server (or the connection) said
	// Temporary: no connection, a timeout or a 4xx answer; trying the run later may succeed.
	Temporary bool
}

func (e *MailError) Error() string { return e.Server + ": " + e.Detail }

// mailerOf is the Mailer env offers, or nil.
func mailerOf(env Env) Mailer {
	if e, ok := env.(interface{ Mailer() Mailer }); ok {
		return e.Mailer()
	}
	return nil
}

// Email step limits.
const (
	emailMaxRecipients = 20
	emailSubjectRunes  = 250
	emailDefaultPort   = 465
)

// Where the letter goes out.
const (
	emailViaServer = "server"
	emailViaOwn    = "own"
)

type emailConfig struct {
	SMTP     string `json:"smtp"`
	Host     string `json:"host"`
	Port     string `json:"port"`
	User     string `json:"user"`
	Password string `json:"password"`
	From     string `json:"from"`
	To       string `json:"to"`
	ReplyTo  string `json:"reply_to"`
	Subject  string `json:"subject"`
	Text     string `json:"text"`
	HTML     string `json:"html"`
}

// Problem codes of the email step.
const (
	CodeEmailAddress     = "email.address"
	CodeEmailNoTo        = "email.no_recipient"
	CodeEmailTooMany     = "email.too_many_recipients"
	CodeEmailNoServer    = "email.no_server_settings"
	CodeEmailNoHost      = "email.no_host"
	CodeEmailPort        = "email.port"
	CodeEmailNoFrom      = "email.no_sender"
	CodeEmailRefused     = "email.refused"
	CodeEmailUnavailable = "email.unavailable"
	CodeEmailDenied      = "email.denied"
	CodeEmailNoMailer    = "email.no_mailer"
)

func init() {
	Register(KindSpec[emailConfig]{
		Name:  "email",
		Title: T("email.title"),
		Help:  T("email.help"),
		Fields: []Field{
			{Key: "to", Type: FieldString, Label: T("email.to.label"), Required: true, Template: true,
				Help: T("email.to.help")},
			{Key: "subject", Type: FieldString, Label: T("email.subject.label"), Required: true, Template: true,
				Help: T("email.subject.help")},
			{Key: "text", Type: FieldText, Label: T("email.text.label"), Required: true, Template: true,
				Help: T("email.text.help")},
			{Key: "html", Type: FieldText, Label: T("email.html.label"), Template: true,
				Help: T("email.html.help")},
			{Key: "reply_to", Type: FieldString, Label: T("email.reply_to.label"), Template: true,
				Help: T("email.reply_to.help")},
			{Key: "smtp", Type: FieldSelect, Label: T("email.smtp.label"), Options: []string{emailViaServer, emailViaOwn}, Default: emailViaServer,
				OptionLabels: map[string]Text{
					emailViaServer: T("email.smtp.option.server"),
					emailViaOwn:    T("email.smtp.option.own"),
				},
				Help: T("email.smtp.help")},
			{Key: "host", Type: FieldString, Label: T("email.host.label"), Template: true,
				Help: T("email.host.help")},
			{Key: "port", Type: FieldString, Label: T("email.port.label"), Template: true, Default: "465",
				Help: T("email.port.help")},
			{Key: "user", Type: FieldString, Label: T("email.user.label"), Template: true,
				Help: T("email.user.help")},
			{Key: "password", Type: FieldString, Label: T("email.password.label"), Template: true, Secret: true,
				Help: T("email.password.help")},
			{Key: "from", Type: FieldString, Label: T("email.from.label"), Template: true,
				Help: T("email.from.help")},
		},
		Build: buildEmail,
	})
}

type emailStep struct {
	own                        bool
	host, port, user, password *Template
	from, to, replyTo, subject *Template
	text, html                 *Template
}

func buildEmail(b *Builder, cfg *emailConfig) Step {
	st := &emailStep{own: cfg.SMTP == emailViaOwn}
	st.to = b.Template("to", cfg.To)
	st.subject = b.Template("subject", cfg.Subject)
	st.text = b.Template("text", cfg.Text)
	st.html = b.TemplateOrNil("html", cfg.HTML)
	st.replyTo = b.TemplateOrNil("reply_to", cfg.ReplyTo)
	st.from = b.TemplateOrNil("from", cfg.From)
	for _, f := range []struct{ field, src string }{{"to", cfg.To}, {"reply_to", cfg.ReplyTo}, {"from", cfg.From}} {
		if s := strings.TrimSpace(f.src); s != "" && !strings.Contains(s, "{{") {
			if _, err := emailAddresses(s); err != "" {
				b.Problem(f.field, CodeEmailAddress, Params{"value": err})
			}
		}
	}
	if st.own {
		st.host = b.Template("host", cfg.Host)
		st.port = b.TemplateOrNil("port", cfg.Port)
		st.user = b.TemplateOrNil("user", cfg.User)
		st.password = b.TemplateOrNil("password", cfg.Password)
		if strings.TrimSpace(cfg.Host) == "" {
			b.Problem("host", CodeEmailNoHost, nil)
		} else if reason, reasonRu, denied := literalDenied(strings.TrimSpace(cfg.Host)); denied {
			b.Problem("host", CodeURLDenied, Params{"url": cfg.Host, "reason": reason, "reason_ru": reasonRu})
		}
		if p := strings.TrimSpace(cfg.Port); p != "" && !strings.Contains(p, "{{") {
			if _, ok := emailPort(p); !ok {
				b.Problem("port", CodeEmailPort, Params{"value": p})
			}
		}
		if strings.TrimSpace(cfg.From) == "" {
			b.Problem("from", CodeEmailNoFrom, nil)
		}
	}
	return st
}

func emailPort(s string) (int, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return emailDefaultPort, true
	}
	n, err := strconv.Atoi(s)
	return n, err == nil && n >= 1 && n <= 65535
}

// emailAddresses parses a comma-separated list of addresses. On failure it returns the part that
// is not an address (line breaks shown as ⏎), for the sentence.
func emailAddresses(s string) ([]string, string) {
	var out []string
	for _, part := range splitAddressList(s) {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if strings.IndexFunc(part, unicode.IsControl) >= 0 {
			return nil, strings.NewReplacer("\r", "⏎", "\n", "⏎").Replace(part)
		}
		a, err := mail.ParseAddress(part)
		if err != nil {
			return nil, part
		}
		out = append(out, emailFormat(a))
	}
	return out, ""
}

// emailFormat writes an address as people read it: anna@example.ru, Школа <hello@school.ru>,
// or the name quoted when it holds a comma or the like. The sender encodes it for the header.
func emailFormat(a *mail.Address) string {
	if a.Name == "" {
		return a.Address
	}
	name := a.Name
	if strings.ContainsAny(name, `",;<>@:()[]\`) {
		name = `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(name) + `"`
	}
	return name + " <" + a.Address + ">"
}

// splitAddressList cuts at commas and semicolons outside quotes ("Иванова, Анна" <a@b.ru>).
func splitAddressList(s string) []string {
	var parts []string
	quoted, start := false, 0
	for i, r := range s {
		switch {
		case r == '"':
			quoted = !quoted
		case (r == ',' || r == ';') && !quoted:
			parts = append(parts, s[start:i])
			start = i + 1
		}
	}
	return append(parts, s[start:])
}

// emailOneLine makes a subject one line: control characters (CR, LF, tabs) become spaces and
// runs of spaces one, so nothing typed into a form adds a header.
func emailOneLine(s string) string {
	s = OneLine(s)
	if r := []rune(s); len(r) > emailSubjectRunes {
		s = string(r[:emailSubjectRunes-1]) + "…"
	}
	return s
}

// compose renders the letter.
func (st *emailStep) compose(sc *StepContext) (*EmailMessage, error) {
	m := &EmailMessage{Subject: emailOneLine(sc.Render(st.subject)), Text: sc.Render(st.text), HTML: sc.Render(st.html)}
	addrs := func(field string, t *Template) ([]string, error) {
		list, bad := emailAddresses(sc.Render(t))
		if bad != "" {
			params := Params{"value": bad}
			params.put("label", labelFor(kindFieldsOf(sc.Node.Kind), field).Text)
			return nil, sc.Fail(CodeEmailAddress, params)
		}
		return list, nil
	}
	var err error
	if m.To, err = addrs("to", st.to); err != nil {
		return nil, err
	}
	if len(m.To) == 0 {
		return nil, sc.Fail(CodeEmailNoTo, nil)
	}
	if len(m.To) > emailMaxRecipients {
		return nil, sc.Fail(CodeEmailTooMany, Params{"count": strconv.Itoa(len(m.To)), "max": strconv.Itoa(emailMaxRecipients)})
	}
	from, err := addrs("from", st.from)
	if err != nil {
		return nil, err
	}
	if len(from) > 0 {
		m.From = from[0]
	}
	// A reply address usually comes from what the client typed: one that is not an address is
	// left out rather than losing the letter (and cannot add a header either way).
	if replyTo, bad := emailAddresses(sc.Render(st.replyTo)); bad != "" {
		sc.Log("log.email.bad_reply_to", Params{"address": bad})
	} else if len(replyTo) > 0 {
		m.ReplyTo = replyTo[0]
	}
	if !st.own {
		return m, nil
	}
	s := &SMTPSettings{Host: strings.TrimSpace(sc.Render(st.host)), User: strings.TrimSpace(sc.Render(st.user)), Password: sc.Render(st.password)}
	sc.Secret(s.Password)
	if s.Host == "" {
		return nil, sc.Fail(CodeEmailNoHost, nil)
	}
	port, ok := emailPort(sc.Render(st.port))
	if !ok {
		params := Params{"value": sc.Render(st.port)}
		params.put("label", labelFor(kindFieldsOf(sc.Node.Kind), "port").Text)
		return nil, sc.Fail(CodeEmailPort, params)
	}
	s.Port = port
	if m.From == "" {
		return nil, sc.Fail(CodeEmailNoFrom, nil)
	}
	m.SMTP = s
	return m, nil
}

func kindFieldsOf(name string) []Field {
	if k, ok := kindByName(name); ok {
		return k.Fields
	}
	return nil
}

// via names where the letter goes out, for a sentence in English.
func (m *EmailMessage) via() string { return m.viaIn("en") }

// viaIn names where the letter goes out in lang: the server's mail settings, or host:port.
func (m *EmailMessage) viaIn(lang string) string {
	if m.SMTP == nil {
		return word("log.email.via_server", lang)
	}
	return fmt.Sprintf("%s:%d", m.SMTP.Host, m.SMTP.Port)
}

// output is what later steps (and the preview) see of the letter.
func (m *EmailMessage) output(sent bool) map[string]any {
	to := make([]any, len(m.To))
	for i, a := range m.To {
		to[i] = a
	}
	out := map[string]any{"sent": sent, "to": to, "subject": m.Subject, "text": m.Text}
	if m.From != "" {
		out["from"] = m.From
	}
	if m.ReplyTo != "" {
		out["reply_to"] = m.ReplyTo
	}
	if m.HTML != "" {
		out["html"] = m.HTML
	}
	return out
}

func (st *emailStep) Run(ctx context.Context, sc *StepContext) (any, error) {
	m, err := st.compose(sc)
	if err != nil {
		return nil, err
	}
	to := strings.Join(m.To, ", ")
	if sc.Preview() {
		sc.Log("log.email.preview", Params{"subject": m.Subject, "to": to, "via": m.viaIn(sc.Lang())})
		return m.output(false), nil
	}
	mailer := mailerOf(sc.Env)
	if mailer == nil {
		return nil, sc.Fail(CodeEmailNoMailer, nil)
	}
	start := sc.Env.Now()
	err = mailer.SendMail(ctx, m)
	var me *MailError
	var denied *DeniedError
	switch {
	case err == nil:
		sc.Log("log.email.sent", Params{"subject": m.Subject, "to": to, "via": m.viaIn(sc.Lang()), "ms": strconv.FormatInt(elapsed(sc.Env, start), 10)})
		return m.output(true), nil
	case ctx.Err() != nil:
		return nil, sc.Fail(CodeRunCanceled, nil)
	case errors.Is(err, ErrNoServerMail):
		return nil, sc.Fail(CodeEmailNoServer, nil)
	case errors.As(err, &denied):
		return nil, sc.Fail(CodeEmailDenied, Params{"server": m.via(), "address": denied.Address, "reason": denied.Reason, "reason_ru": denied.ReasonRu})
	case errors.As(err, &me) && !me.Temporary:
		sc.Log("log.email.refused", Params{"server": me.Server, "to": to, "detail": me.Detail})
		return nil, sc.Fail(CodeEmailRefused, Params{"server": me.Server, "detail": me.Detail})
	case errors.As(err, &me):
		sc.Log("log.email.unavailable", Params{"server": me.Server, "detail": me.Detail})
		return nil, sc.Fail(CodeEmailUnavailable, Params{"server": me.Server, "detail": me.Detail})
	}
	sc.Log("log.email.not_sent", Params{"to": to, "detail": err.Error()})
	return nil, sc.Fail(CodeEmailUnavailable, Params{"server": m.via(), "detail": err.Error()})
}

// OneLine makes s a single line of words for a mail header: control characters (line breaks
// among them, which could add headers) become spaces, and runs of spaces one.
func OneLine(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}
