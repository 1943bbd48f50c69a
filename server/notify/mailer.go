package notify

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/mail"
	"net/textproto"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/hookflow/hookflow/flows"
)

// Mailer sends the letters of flows' email steps (flows.Mailer), with the same SMTP code as the
// failure emails: through the server's SMTP settings (HOOKFLOW_SMTP_URL, the same as the
// failure emails') or through the server a step names, which is reached through the outbound
// policy's dialer (a flow must not reach the cloud's metadata service by calling it a mail
// server). A letter is sent at once, in the run; a failure is returned for the step to report,
// and the run's retries try again later.
type Mailer struct {
	server   *smtpSettings // nil: no server settings
	from     *mail.Address // the server settings' sender
	dial     DialFunc
	insecure bool
	tune     tuning
	log      *slog.Logger
}

// MailerConfig configures a Mailer.
type MailerConfig struct {
	// SMTPURL is the server's settings, as for the failure emails; empty: letters can only go
	// through a step's own server.
	SMTPURL string
	// Dial connects to the servers steps name (the outbound policy's DialContext); nil
	// connects directly.
	Dial DialFunc
	// InsecureSkipVerify for tests with self-signed servers only.
	InsecureSkipVerify bool
	Logger             *slog.Logger
}

// NewMailer checks the server's settings (when given).
func NewMailer(cfg MailerConfig) (*Mailer, error) {
	m := &Mailer{dial: cfg.Dial, insecure: cfg.InsecureSkipVerify, tune: defaultTuning, log: cfg.Logger}
	if m.log == nil {
		m.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if strings.TrimSpace(cfg.SMTPURL) != "" {
		s, err := parseSMTPURL(cfg.SMTPURL)
		if err != nil {
			return nil, err
		}
		if m.from, err = senderAddress("", s); err != nil {
			return nil, err
		}
		m.server = &s
	}
	return m, nil
}

// SendMail sends one letter (flows.Mailer).
func (m *Mailer) SendMail(ctx context.Context, msg *flows.EmailMessage) error {
	var s smtpSettings
	dial := m.dial
	from := m.from
	if msg.SMTP == nil {
		if m.server == nil {
			return flows.ErrNoServerMail
		}
		s, dial = *m.server, nil // the administrator's own server: not a flow's address
	} else {
		s = smtpSettings{host: msg.SMTP.Host, port: msg.SMTP.Port, implicitTLS: msg.SMTP.Port == 465,
			user: msg.SMTP.User, pass: msg.SMTP.Password}
		from = nil
	}
	server := net.JoinHostPort(s.host, strconv.Itoa(s.port))
	if msg.From != "" {
		a, err := mail.ParseAddress(msg.From)
		if err != nil {
			return &flows.MailError{Server: server, Detail: fmt.Sprintf("the sender %q is not an address", msg.From)}
		}
		from = a
	}
	if from == nil {
		return &flows.MailError{Server: server, Detail: "no sender address"}
	}
	client, err := newSMTPClient(s, m.insecure, m.tune.commandTimeout, dial)
	if err != nil {
		return &flows.MailError{Server: server, Detail: err.Error()}
	}
	gm, err := letter(msg, from)
	if err != nil {
		return &flows.MailError{Server: server, Detail: err.Error()}
	}
	err = converse(ctx, client, server, m.tune.attemptTimeout, m.log, gm)
	if err == nil {
		return nil
	}
	var denied *flows.DeniedError
	if errors.As(err, &denied) {
		return denied
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return &flows.MailError{Server: server, Detail: mailDetail(err), Temporary: !permanent(err)}
}

// letter is the message of an email step: text, and HTML beside it when given.
func letter(msg *flows.EmailMessage, from *mail.Address) (*gomail.Msg, error) {
	enc := gomail.EncodingB64
	if asciiShare(msg.Subject+msg.Text+msg.HTML) > 0.8 {
		enc = gomail.EncodingQP
	}
	gm := automatedMessage(enc, from, msg.Subject, messageID(from), time.Now())
	if err := gm.To(msg.To...); err != nil {
		return nil, err
	}
	if msg.ReplyTo != "" {
		if err := gm.ReplyTo(msg.ReplyTo); err != nil {
			return nil, err
		}
	}
	gm.SetBodyString(gomail.TypeTextPlain, msg.Text)
	if msg.HTML != "" {
		gm.AddAlternativeString(gomail.TypeTextHTML, msg.HTML)
	}
	return gm, nil
}

// mailDetail is what the mail server said, without go-mail's wrapping around it.
func mailDetail(err error) string {
	var te *textproto.Error
	if errors.As(err, &te) {
		return fmt.Sprintf("%d %s", te.Code, te.Msg)
	}
	s := err.Error()
	if i := strings.Index(s, ", affected message ID: "); i > 0 {
		s = s[:i]
	}
	return s
}
