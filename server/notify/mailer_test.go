package notify

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/http"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/hookflow/hookflow/flows"
)

// Email steps' letters, sent by Mailer to a real SMTP server on this machine.

func newMailer(t *testing.T, cfg MailerConfig) *Mailer {
	t.Helper()
	m, err := NewMailer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// ownServer is an email step's own SMTP settings for a test server's address.
func ownServer(t *testing.T, addr, user, pass string) *flows.SMTPSettings {
	t.Helper()
	host, port, _ := net.SplitHostPort(addr)
	p, _ := strconv.Atoi(port)
	return &flows.SMTPSettings{Host: host, Port: p, User: user, Password: pass}
}

// parts reads a letter's text and HTML versions the way a mail client would.
func parts(t *testing.T, data []byte) (hdr mail.Header, subject, text, html string) {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("not a valid message: %v\n%s", err, data)
	}
	subject, _ = new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	decode := func(cte string, r io.Reader) string {
		switch strings.ToLower(cte) {
		case "quoted-printable":
			r = quotedprintable.NewReader(r)
		case "base64":
			r = base64.NewDecoder(base64.StdEncoding, r)
		}
		b, _ := io.ReadAll(r)
		return string(b)
	}
	mt, params, _ := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if !strings.HasPrefix(mt, "multipart/") {
		return m.Header, subject, decode(m.Header.Get("Content-Transfer-Encoding"), m.Body), ""
	}
	mr := multipart.NewReader(m.Body, params["boundary"])
	for {
		p, err := mr.NextRawPart()
		if err != nil {
			break
		}
		body := decode(p.Header.Get("Content-Transfer-Encoding"), p)
		if strings.HasPrefix(p.Header.Get("Content-Type"), "text/html") {
			html = body
		} else {
			text = body
		}
	}
	return m.Header, subject, text, html
}

func TestMailer_SendsThroughTheServersSettingsWithTextHTMLAndReplyTo(t *testing.T) {
	be := &backend{}
	addr := startServer(t, be, plainServer)
	m := newMailer(t, MailerConfig{SMTPURL: smtpURL(addr)})
	err := m.SendMail(context.Background(), &flows.EmailMessage{
		To: []string{"manager@school.test", `"Иванова, Мария" <maria@school.test>`}, ReplyTo: "anna@client.test",
		Subject: "Новая заявка: Анна", Text: "Имя: Анна\nТелефон: +7 916", HTML: "<b>Анна</b>",
	})
	if err != nil {
		t.Fatal(err)
	}
	got := be.received()
	if len(got) != 1 {
		t.Fatalf("%d messages, want 1", len(got))
	}
	if got[0].From != "alerts@hookflow.test" || strings.Join(got[0].To, ",") != "manager@school.test,maria@school.test" {
		t.Errorf("envelope from %s to %v", got[0].From, got[0].To)
	}
	hdr, subject, text, html := parts(t, got[0].Data)
	if subject != "Новая заявка: Анна" || text != "Имя: Анна\nТелефон: +7 916" || html != "<b>Анна</b>" {
		t.Errorf("subject %q text %q html %q", subject, text, html)
	}
	if !strings.Contains(hdr.Get("Reply-To"), "anna@client.test") || hdr.Get("Auto-Submitted") != "auto-generated" {
		t.Errorf("Reply-To %q Auto-Submitted %q", hdr.Get("Reply-To"), hdr.Get("Auto-Submitted"))
	}
}

func TestMailer_OwnServerGetsTheLoginOverSTARTTLSAndTheStepsSender(t *testing.T) {
	be := &backend{requireUser: "shop@school.test", requirePass: "app-password"}
	addr := startServer(t, be, startTLSServer)
	m := newMailer(t, MailerConfig{InsecureSkipVerify: true}) // no server settings at all
	err := m.SendMail(context.Background(), &flows.EmailMessage{
		SMTP: ownServer(t, addr, "shop@school.test", "app-password"), From: "Школа <shop@school.test>",
		To: []string{"manager@school.test"}, Subject: "s", Text: "t",
	})
	if err != nil {
		t.Fatal(err)
	}
	got := be.received()
	if len(got) != 1 || !got[0].TLS || got[0].AuthUser != "shop@school.test" || got[0].From != "shop@school.test" {
		t.Fatalf("got %+v", got)
	}
}

func TestMailer_FailuresSayWhatTheMailServerSaid(t *testing.T) {
	cases := []struct {
		name      string
		be        *backend
		msg       func(addr string) *flows.EmailMessage
		temporary bool
		want      string
	}{
		{"a refused recipient is final, in the server's words", &backend{rejectRcpt: map[string]string{"nobody@school.test": "No such mailbox here"}},
			func(string) *flows.EmailMessage {
				return &flows.EmailMessage{To: []string{"nobody@school.test"}, Subject: "s", Text: "t"}
			},
			false, "No such mailbox here"},
		{"a busy server is temporary", &backend{tempFailures: 1},
			func(string) *flows.EmailMessage {
				return &flows.EmailMessage{To: []string{"m@school.test"}, Subject: "s", Text: "t"}
			},
			true, "try again later"},
		{"a wrong password is final", &backend{requireUser: "u", requirePass: "right"},
			func(addr string) *flows.EmailMessage {
				return &flows.EmailMessage{SMTP: ownServer(t, addr, "u", "wrong"), From: "u@school.test", To: []string{"m@school.test"}, Subject: "s", Text: "t"}
			}, false, "535"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			addr := startServer(t, c.be, plainServer)
			m := newMailer(t, MailerConfig{SMTPURL: smtpURL(addr)})
			err := m.SendMail(context.Background(), c.msg(addr))
			var me *flows.MailError
			if !errors.As(err, &me) {
				t.Fatalf("error %v, want a MailError", err)
			}
			if me.Temporary != c.temporary || !strings.Contains(me.Detail, c.want) || me.Server != addr {
				t.Errorf("got %+v, want temporary=%v and %q", me, c.temporary, c.want)
			}
			if strings.Contains(me.Error(), "wrong") {
				t.Errorf("the password is in the error: %s", me.Error())
			}
			if len(c.be.received()) != 0 {
				t.Error("a message was delivered")
			}
		})
	}
}

func TestMailer_WithoutServerSettingsOnlyOwnServersWork(t *testing.T) {
	m := newMailer(t, MailerConfig{})
	err := m.SendMail(context.Background(), &flows.EmailMessage{To: []string{"m@school.test"}, Subject: "s", Text: "t"})
	if !errors.Is(err, flows.ErrNoServerMail) {
		t.Fatalf("error %v, want ErrNoServerMail", err)
	}
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	err = m.SendMail(context.Background(), &flows.EmailMessage{SMTP: ownServer(t, addr, "", ""), From: "a@b.test", To: []string{"m@school.test"}, Subject: "s", Text: "t"})
	var me *flows.MailError
	if !errors.As(err, &me) || !me.Temporary {
		t.Fatalf("an unreachable server: %v, want a temporary MailError", err)
	}
}

// A step's own server is reached through the outbound policy's dialer, whose refusal the step
// reports as such; the server's own settings are the administrator's and are not.
func TestMailer_OwnServersGoThroughThePolicysDialer(t *testing.T) {
	be := &backend{}
	addr := startServer(t, be, plainServer)
	dialed := 0
	deny := func(ctx context.Context, network, a string) (net.Conn, error) {
		dialed++
		return nil, &flows.DeniedError{Host: "smtp.evil.test", Address: "169.254.169.254", Reason: "a link-local address"}
	}
	m := newMailer(t, MailerConfig{SMTPURL: smtpURL(addr), Dial: deny})
	err := m.SendMail(context.Background(), &flows.EmailMessage{SMTP: ownServer(t, addr, "", ""), From: "a@b.test", To: []string{"m@school.test"}, Subject: "s", Text: "t"})
	var denied *flows.DeniedError
	if !errors.As(err, &denied) || dialed != 1 {
		t.Fatalf("error %v (dialed %d), want the policy's refusal", err, dialed)
	}
	if err := m.SendMail(context.Background(), &flows.EmailMessage{To: []string{"m@school.test"}, Subject: "s", Text: "t"}); err != nil || dialed != 1 {
		t.Fatalf("through the server's settings: %v (dialed %d)", err, dialed)
	}
}

// The attack: what a webhook sender types into a form must not add recipients or headers. An
// email step's letter goes through the engine and the real SMTP server.
func TestMailer_EmailStepCannotBeMadeToMailAnyoneElse(t *testing.T) {
	doc := `{"schema":1,"nodes":[{"id":"trigger","kind":"webhook"},
	  {"id":"mail","kind":"email","config":{"to":"{{trigger.params.to}}","subject":"Заявка: {{trigger.params.name}}","text":"{{trigger.params.name}}","reply_to":"{{trigger.params.email}}"}}],
	  "edges":[{"from":"trigger","to":"mail"}]}`
	f, err := flows.ParseFlow([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, to, subjectName, email string
		sent                         bool
	}{
		{"a line break in the subject becomes a space", "manager@school.test", "Анна\r\nBcc: victim@evil.test", "anna@client.test", true},
		{"a header smuggled into the recipient fails the step", "manager@school.test\r\nBcc: victim@evil.test", "Анна", "anna@client.test", false},
		{"a header smuggled into the reply address leaves it out", "manager@school.test", "Анна", "anna@client.test\nBcc: victim@evil.test", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			be := &backend{}
			addr := startServer(t, be, plainServer)
			env := &flows.BasicEnv{HTTP: http.DefaultClient, Mail: newMailer(t, MailerConfig{SMTPURL: smtpURL(addr)})}
			body := url.Values{"to": {c.to}, "name": {c.subjectName}, "email": {c.email}}.Encode()
			tr, err := flows.Run(context.Background(), f, flows.Payload{Method: "POST", Headers: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, Body: body}, env)
			if err != nil {
				t.Fatal(err)
			}
			got := be.received()
			if !c.sent {
				if tr.Status != flows.StatusFailed || tr.Error.Code != flows.CodeEmailAddress || len(got) != 0 {
					t.Fatalf("status %s error %+v, %d letters", tr.Status, tr.Error, len(got))
				}
				return
			}
			if tr.Status != flows.StatusSuccess || len(got) != 1 {
				t.Fatalf("status %s error %+v, %d letters", tr.Status, tr.Error, len(got))
			}
			if strings.Join(got[0].To, ",") != "manager@school.test" {
				t.Errorf("recipients %v", got[0].To)
			}
			hdr, subject, _, _ := parts(t, got[0].Data)
			if hdr.Get("Bcc") != "" || strings.Contains(hdr.Get("Reply-To"), "evil") || !strings.HasPrefix(subject, "Заявка: Анна") || strings.ContainsAny(subject, "\r\n") {
				t.Errorf("Bcc %q subject %q", hdr.Get("Bcc"), subject)
			}
		})
	}
}
