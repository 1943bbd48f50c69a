package notify

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/hookflow/hookflow/server/internal/testkit"
)

// ---- in-process SMTP server ----

type received struct {
	From     string
	To       []string
	Data     []byte
	AuthUser string
	AuthPass string
	TLS      bool
}

type backend struct {
	mu   sync.Mutex
	msgs []received

	requireUser, requirePass string            // AUTH required when set
	rejectRcpt               map[string]string // address → permanent 550
	tempFailures             int               // DATA answered 451 this many times
}

func (b *backend) NewSession(c *smtp.Conn) (smtp.Session, error) {
	return &session{b: b, conn: c}, nil
}

// wantMessages is what the server received, which must be n messages.
func (b *backend) wantMessages(t *testing.T, n int) []received {
	t.Helper()
	got := b.received()
	if len(got) != n {
		t.Fatalf("got %d messages, want %d", len(got), n)
	}
	return got
}

func (b *backend) received() []received {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]received(nil), b.msgs...)
}

type session struct {
	b      *backend
	conn   *smtp.Conn
	authed bool
	user   string
	pass   string
	cur    received
}

func (s *session) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *session) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, username, password string) error {
		if username != s.b.requireUser || password != s.b.requirePass {
			return smtp.ErrAuthFailed
		}
		s.authed, s.user, s.pass = true, username, password
		return nil
	}), nil
}

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	if s.b.requireUser != "" && !s.authed {
		return smtp.ErrAuthRequired
	}
	s.cur.From, s.cur.To = from, nil
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.b.mu.Lock()
	reason, reject := s.b.rejectRcpt[to]
	s.b.mu.Unlock()
	if reject {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: reason}
	}
	s.cur.To = append(s.cur.To, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.b.mu.Lock()
	defer s.b.mu.Unlock()
	if s.b.tempFailures > 0 {
		s.b.tempFailures--
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
	}
	m := s.cur
	m.Data, m.AuthUser, m.AuthPass = data, s.user, s.pass
	_, m.TLS = s.conn.TLSConnectionState() // after STARTTLS too
	s.b.msgs = append(s.b.msgs, m)
	return nil
}

func (s *session) Reset()        { s.cur.From, s.cur.To = "", nil }
func (s *session) Logout() error { return nil }

type serverMode int

const (
	plainServer    serverMode = iota // no TLS at all
	startTLSServer                   // offers STARTTLS
	implicitTLS                      // smtps
)

// startServer runs an SMTP server on 127.0.0.1:0 and returns its address.
func startServer(t *testing.T, be *backend, mode serverMode) string {
	t.Helper()
	s := smtp.NewServer(be)
	s.Domain = "localhost"
	s.AllowInsecureAuth = true
	s.ReadTimeout, s.WriteTimeout = 5*time.Second, 5*time.Second
	s.ErrorLog = discardLogger{}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	switch mode {
	case startTLSServer:
		s.TLSConfig = selfSignedTLS(t)
	case implicitTLS:
		l = tls.NewListener(l, selfSignedTLS(t))
	}
	go func() { _ = s.Serve(l) }()
	t.Cleanup(func() { _ = s.Close() })
	return l.Addr().String()
}

type discardLogger struct{}

func (discardLogger) Printf(string, ...any) {}
func (discardLogger) Println(...any)        {}

func selfSignedTLS(t *testing.T) *tls.Config {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "localhost"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		DNSNames:     []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
}

// ---- helpers ----

type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

var msk = time.FixedZone("MSK", 3*60*60)

func newClock() *fakeClock {
	return &fakeClock{now: time.Date(2025, 3, 14, 14, 5, 0, 0, msk)}
}

var fastTuning = tuning{
	queueSize:      16,
	attempts:       3,
	backoff:        []time.Duration{20 * time.Millisecond},
	commandTimeout: 2 * time.Second,
	attemptTimeout: 3 * time.Second,
}

// plainMailer is a notifier that mails through a plain SMTP server of the test, on a clock of
// the test (at 14:05 MSK): the server's backend, the notifier, its logs and the clock.
func plainMailer(t *testing.T) (*backend, *Notifier, *testkit.SyncBuffer, *fakeClock) {
	t.Helper()
	be := &backend{}
	addr := startServer(t, be, plainServer)
	clock := newClock()
	n, logs := newTest(t, Config{SMTPURL: smtpURL(addr), Clock: clock.Now})
	return be, n, logs, clock
}

func newTest(t *testing.T, cfg Config) (*Notifier, *testkit.SyncBuffer) {
	t.Helper()
	logs := &testkit.SyncBuffer{}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	n, err := newNotifier(cfg, fastTuning)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(n.Close)
	return n, logs
}

func flush(t *testing.T, n *Notifier) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Second)
	defer cancel()
	if err := n.Flush(ctx); err != nil {
		t.Fatal(err)
	}
}

func failure(flowID string, rcpts ...string) Failure {
	return Failure{
		FlowID:     flowID,
		FlowName:   "GetCourse → CPA.House",
		RunID:      "run-42",
		Step:       "Send to CPA.House",
		Error:      `HTTP POST https://cpa.house/api/lead answered 502 Bad Gateway`,
		At:         time.Date(2025, 3, 14, 14, 5, 7, 0, msk),
		RunURL:     "https://hookflow.example.com/flows/" + flowID + "/runs/run-42",
		Recipients: rcpts,
		Lang:       "en",
	}
}

type parsed struct {
	header  mail.Header
	subject string
	body    string
}

// parse reads a received message the way a mail client would.
func parse(t *testing.T, data []byte) parsed {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("not a valid message: %v\n%s", err, data)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	if err != nil {
		t.Fatalf("subject %q: %v", m.Header.Get("Subject"), err)
	}
	mt, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil || mt != "text/plain" || !strings.EqualFold(params["charset"], "utf-8") {
		t.Fatalf("Content-Type = %q, want text/plain; charset=UTF-8", m.Header.Get("Content-Type"))
	}
	body := io.Reader(m.Body)
	switch cte := strings.ToLower(m.Header.Get("Content-Transfer-Encoding")); cte {
	case "quoted-printable":
		body = quotedprintable.NewReader(m.Body)
	case "base64":
		body = base64.NewDecoder(base64.StdEncoding, m.Body)
	case "", "7bit", "8bit":
	default:
		t.Fatalf("unexpected Content-Transfer-Encoding %q", cte)
	}
	b, err := io.ReadAll(body)
	if err != nil {
		t.Fatal(err)
	}
	if m.Header.Get("MIME-Version") != "1.0" {
		t.Errorf("MIME-Version = %q", m.Header.Get("MIME-Version"))
	}
	if _, err := m.Header.Date(); err != nil {
		t.Errorf("Date header: %v", err)
	}
	if id := m.Header.Get("Message-ID"); !strings.HasPrefix(id, "<") || !strings.Contains(id, "@") {
		t.Errorf("Message-ID = %q", id)
	}
	return parsed{header: m.Header, subject: subject, body: string(b)}
}

func smtpURL(addr string) string { return "smtp://" + addr + "?from=alerts@hookflow.test" }

// ---- behaviours ----

func TestFailureMailsEachRecipientWithFlowStepErrorAndRunLink(t *testing.T) {
	be, n, logs, _ := plainMailer(t)

	f := failure("flow-1", "anna@example.com", "Boris <boris@example.com>", "ANNA@example.com", "not an address")
	n.RunFailed(f)
	flush(t, n)

	got := be.received()
	if len(got) != 2 {
		t.Fatalf("got %d messages, want one per distinct valid recipient (2)\n%s", len(got), logs)
	}
	var rcpts []string
	for _, m := range got {
		if m.From != "alerts@hookflow.test" {
			t.Errorf("MAIL FROM = %q", m.From)
		}
		if len(m.To) != 1 {
			t.Fatalf("RCPT TO = %v, want one recipient per message", m.To)
		}
		rcpts = append(rcpts, m.To[0])
		p := parse(t, m.Data)
		if p.header.Get("To") != "<"+m.To[0]+">" && p.header.Get("To") != m.To[0] {
			t.Errorf("To header %q does not match RCPT %q", p.header.Get("To"), m.To[0])
		}
		from, err := p.header.AddressList("From")
		if err != nil || from[0].Address != "alerts@hookflow.test" {
			t.Errorf("From = %q (%v)", p.header.Get("From"), err)
		}
		if want := `hookflow: flow "GetCourse → CPA.House" failed`; p.subject != want {
			t.Errorf("subject = %q, want %q", p.subject, want)
		}
		if p.header.Get("Auto-Submitted") != "auto-generated" {
			t.Errorf("Auto-Submitted = %q", p.header.Get("Auto-Submitted"))
		}
		bodyHas(t, p.body,
			`The flow "GetCourse → CPA.House" failed.`,
			"Step:  Send to CPA.House",
			"Error: HTTP POST https://cpa.house/api/lead answered 502 Bad Gateway",
			"Time:  2025-03-14 14:05:07 MSK",
			"Run:   https://hookflow.example.com/flows/flow-1/runs/run-42",
		)
		if strings.Contains(p.body, "more failure") {
			t.Errorf("first mail mentions earlier failures:\n%s", p.body)
		}
	}
	if strings.Join(rcpts, ",") != "anna@example.com,boris@example.com" &&
		strings.Join(rcpts, ",") != "boris@example.com,anna@example.com" {
		t.Errorf("recipients = %v", rcpts)
	}
}

func TestRussianMailHasDecodableUTF8SubjectAndBody(t *testing.T) {
	be, n, _, _ := plainMailer(t)

	f := failure("flow-ru", "marketer@example.ru")
	f.Lang = "ru"
	f.Error = "Сервер CPA.House ответил 502: «Bad Gateway»"
	f.Step = "Отправка в CPA.House"
	n.RunFailed(f)
	flush(t, n)

	got := be.wantMessages(t, 1)
	raw := got[0].Data
	if i := bytes.Index(raw, []byte("\r\n\r\n")); bytes.ContainsFunc(raw[:i], func(r rune) bool { return r > 127 }) {
		t.Errorf("headers are not ASCII (not MIME-encoded):\n%s", raw[:i])
	}
	p := parse(t, raw)
	if cte := p.header.Get("Content-Transfer-Encoding"); cte != "base64" {
		t.Errorf("Content-Transfer-Encoding = %q, want base64 for Cyrillic text", cte)
	}
	if want := "hookflow: ошибка в процессе «GetCourse → CPA.House»"; p.subject != want {
		t.Errorf("subject = %q, want %q", p.subject, want)
	}
	bodyHas(t, p.body,
		"В процессе «GetCourse → CPA.House» произошла ошибка.",
		"Шаг:    Отправка в CPA.House",
		"Ошибка: Сервер CPA.House ответил 502: «Bad Gateway»",
		"Время:  2025-03-14 14:05:07 MSK",
		"Запуск: https://hookflow.example.com/flows/flow-ru/runs/run-42",
		"не больше одного письма по процессу за 15 мин",
	)
}

func TestSecondFailureWithinWindowSendsNothing(t *testing.T) {
	be, n, _, clock := plainMailer(t)

	n.RunFailed(failure("flow-1", "anna@example.com"))
	flush(t, n)
	clock.Advance(14*time.Minute + 59*time.Second)
	n.RunFailed(failure("flow-1", "anna@example.com"))
	flush(t, n)

	if got := len(be.received()); got != 1 {
		t.Fatalf("got %d messages, want 1 (the second failure is inside the 15-minute window)", got)
	}
}

func TestMailAfterWindowSaysHowManyFailuresHappenedSince(t *testing.T) {
	be, n, _, clock := plainMailer(t) // 14:05 MSK

	n.RunFailed(failure("flow-1", "anna@example.com")) // mailed
	for range 7 {
		clock.Advance(time.Minute)
		n.RunFailed(failure("flow-1", "anna@example.com")) // counted
	}
	clock.Advance(9 * time.Minute) // 14:21, window over
	f := failure("flow-1", "anna@example.com")
	f.At = clock.Now()
	n.RunFailed(f)
	flush(t, n)

	got := be.wantMessages(t, 2)
	p := parse(t, got[1].Data)
	if want := `hookflow: flow "GetCourse → CPA.House" failed (and 7 more since 14:05)`; p.subject != want {
		t.Errorf("subject = %q, want %q", p.subject, want)
	}
	if want := "And 7 more failures since 14:05, not mailed separately."; !strings.Contains(p.body, want) {
		t.Errorf("body lacks %q:\n%s", want, p.body)
	}

	// The count starts again after each mail.
	clock.Advance(16 * time.Minute)
	n.RunFailed(failure("flow-1", "anna@example.com"))
	flush(t, n)
	got = be.received()
	if len(got) != 3 {
		t.Fatalf("got %d messages, want 3", len(got))
	}
	if p := parse(t, got[2].Data); strings.Contains(p.body, "more failure") || strings.Contains(p.subject, "more") {
		t.Errorf("third mail reports failures that were already reported:\n%s\n%s", p.subject, p.body)
	}
}

func TestRussianCountUsesRussianPlural(t *testing.T) {
	for n, want := range map[int]string{1: "1 ошибка", 3: "3 ошибки", 7: "7 ошибок", 11: "11 ошибок", 22: "22 ошибки", 101: "101 ошибка"} {
		f := failure("f", "a@example.com")
		f.Lang = "ru"
		e := compose(job{f: f, more: n, since: f.At.Add(-20 * time.Minute)}, DefaultThrottle)
		if !strings.Contains(e.body, "И ещё "+want+" с 13:45") {
			t.Errorf("count %d: body lacks %q:\n%s", n, want, e.body)
		}
	}
	f := failure("f", "a@example.com")
	if e := compose(job{f: f, more: 1, since: f.At.Add(-24 * time.Hour)}, DefaultThrottle); !strings.Contains(e.body, "And 1 more failure since 2025-03-13 14:05,") {
		t.Errorf("english singular / other-day time:\n%s", e.body)
	}
}

func TestFlowsAreThrottledIndependently(t *testing.T) {
	be, n, _, clock := plainMailer(t)

	n.RunFailed(failure("flow-a", "anna@example.com"))
	n.RunFailed(failure("flow-a", "anna@example.com")) // throttled
	clock.Advance(time.Minute)
	n.RunFailed(failure("flow-b", "anna@example.com")) // its own window
	n.RunFailed(failure("flow-b", "anna@example.com")) // throttled
	flush(t, n)

	got := be.received()
	if len(got) != 2 {
		t.Fatalf("got %d messages, want one per flow (2)", len(got))
	}
	var links []string
	for _, m := range got {
		p := parse(t, m.Data)
		for _, l := range strings.Split(p.body, "\n") {
			if strings.HasPrefix(l, "Run:") {
				links = append(links, strings.TrimSpace(strings.TrimPrefix(l, "Run:")))
			}
		}
	}
	if len(links) != 2 || links[0] == links[1] {
		t.Errorf("run links = %v, want one for flow-a and one for flow-b", links)
	}

	// flow-a's window ends before flow-b's.
	clock.Advance(14*time.Minute + 30*time.Second) // a: 15:30 after, b: 14:30 after
	n.RunFailed(failure("flow-a", "anna@example.com"))
	n.RunFailed(failure("flow-b", "anna@example.com"))
	flush(t, n)
	got = be.received()
	if len(got) != 3 {
		t.Fatalf("got %d messages, want 3 (flow-a mailed again, flow-b still throttled)", len(got))
	}
	if p := parse(t, got[2].Data); !strings.Contains(p.body, "/flows/flow-a/") || !strings.Contains(p.body, "And 1 more failure since 14:05") {
		t.Errorf("third mail should be flow-a's with its own count:\n%s", p.body)
	}
}

func TestAuthCredentialsFromURLReachServer(t *testing.T) {
	be := &backend{requireUser: "alice@example.com", requirePass: "p@ss:wörd/1"}
	addr := startServer(t, be, plainServer)
	url := "smtp://alice%40example.com:p%40ss%3Aw%C3%B6rd%2F1@" + addr + "?from=alerts@hookflow.test"
	n, _ := newTest(t, Config{SMTPURL: url, Clock: newClock().Now})

	n.RunFailed(failure("flow-1", "anna@example.com"))
	flush(t, n)

	got := be.wantMessages(t, 1)
	if got[0].AuthUser != be.requireUser || got[0].AuthPass != be.requirePass {
		t.Errorf("server saw AUTH %q / %q", got[0].AuthUser, got[0].AuthPass)
	}
}

func TestWrongPasswordIsLoggedWithoutThePassword(t *testing.T) {
	be := &backend{requireUser: "alice", requirePass: "right"}
	addr := startServer(t, be, plainServer)
	n, logs := newTest(t, Config{SMTPURL: "smtp://alice:Wr0ngSecret@" + addr, Clock: newClock().Now})

	n.RunFailed(failure("flow-1", "anna@example.com"))
	flush(t, n)

	if len(be.received()) != 0 {
		t.Fatal("a mail was accepted with a wrong password")
	}
	if l := logs.String(); !strings.Contains(l, "the mail server refused it") || !strings.Contains(l, "535") {
		t.Errorf("log does not tell that authentication failed:\n%s", l)
	}
	if strings.Contains(logs.String(), "will retry") {
		t.Errorf("wrong credentials were retried:\n%s", logs.String())
	}
	if strings.Contains(logs.String(), "Wr0ngSecret") {
		t.Errorf("password in the log:\n%s", logs.String())
	}
}

func TestSTARTTLSIsUsedWhenOfferedAndCarriesCredentials(t *testing.T) {
	be := &backend{requireUser: "alice", requirePass: "secret"}
	addr := startServer(t, be, startTLSServer)
	n, _ := newTest(t, Config{SMTPURL: "smtp://alice:secret@" + addr, Clock: newClock().Now, InsecureSkipVerify: true})

	n.RunFailed(failure("flow-1", "anna@example.com"))
	flush(t, n)

	got := be.wantMessages(t, 1)
	if !got[0].TLS {
		t.Error("the mail was not sent over TLS although the server offered STARTTLS")
	}
	if got[0].AuthUser != "alice" {
		t.Errorf("AUTH user = %q", got[0].AuthUser)
	}
	if !strings.HasPrefix(got[0].From, "hookflow@") {
		t.Errorf("default sender = %q, want hookflow@<hostname>", got[0].From)
	}
}

func TestSTARTTLSRejectsUnverifiedCertificateByDefault(t *testing.T) {
	be := &backend{}
	addr := startServer(t, be, startTLSServer)
	n, logs := newTest(t, Config{SMTPURL: smtpURL(addr), Clock: newClock().Now})

	n.RunFailed(failure("flow-1", "anna@example.com"))
	flush(t, n)

	if len(be.received()) != 0 {
		t.Fatal("mail sent despite an untrusted certificate")
	}
	if !strings.Contains(logs.String(), "certificate") {
		t.Errorf("log does not mention the certificate:\n%s", logs.String())
	}
}

func TestImplicitTLSWithSMTPS(t *testing.T) {
	be := &backend{requireUser: "alice", requirePass: "secret"}
	addr := startServer(t, be, implicitTLS)
	n, _ := newTest(t, Config{
		SMTPURL: "smtps://alice:secret@" + addr, From: "Alerts <alerts@hookflow.test>",
		Clock: newClock().Now, InsecureSkipVerify: true,
	})

	n.RunFailed(failure("flow-1", "anna@example.com"))
	flush(t, n)

	got := be.wantMessages(t, 1)
	if !got[0].TLS || got[0].AuthUser != "alice" || got[0].From != "alerts@hookflow.test" {
		t.Errorf("got TLS=%v user=%q from=%q", got[0].TLS, got[0].AuthUser, got[0].From)
	}
	if p := parse(t, got[0].Data); !strings.Contains(p.header.Get("From"), "Alerts") {
		t.Errorf("From header = %q, want the configured display name", p.header.Get("From"))
	}
}

func TestBadSMTPURLGivesClearError(t *testing.T) {
	for _, tc := range []struct{ url, want string }{
		{"", "SMTP URL is empty"},
		{"http://mail.example.com", "must start with smtp:// or smtps://, not http://"},
		{"mail.example.com:587", "must start with smtp:// or smtps://"},
		{"smtp://", "no server name"},
		{"smtp://mail.example.com:99999", `port "99999" is not a port number`},
		{"smtp://mail.example.com:587?form=a@b.c", `unknown parameter "form"`},
		{"smtp://mail.example.com?from=not-an-address", "is not a valid email address"},
		{"smtp://user:se%zzcret@mail.example.com", "cannot be read"},
		{"smtp://mail.example.com/inbox", "should have no path"},
		{"smtp://:secret@mail.example.com", "no user name"},
	} {
		n, err := New(Config{SMTPURL: tc.url})
		if err == nil {
			n.Close()
			t.Errorf("New(%q) accepted it", tc.url)
			continue
		}
		if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("New(%q) = %q, want it to say %q", tc.url, err, tc.want)
		}
		if strings.Contains(err.Error(), "secret") || strings.Contains(err.Error(), "se%zz") {
			t.Errorf("New(%q) error reveals the password: %q", tc.url, err)
		}
	}
	if _, err := New(Config{SMTPURL: "smtp://mail.example.com", From: "nobody"}); err == nil ||
		!strings.Contains(err.Error(), `sender address "nobody"`) {
		t.Errorf("bad From: %v", err)
	}
}

func TestUnreachableServerDoesNotBlockRunFailedAndIsLogged(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now

	n, logs := newTest(t, Config{SMTPURL: smtpURL(addr), Clock: newClock().Now})
	start := time.Now()
	n.RunFailed(failure("flow-down", "anna@example.com"))
	if d := time.Since(start); d > time.Second { // generous for a shared machine; sending inline would wait on the dial and retries
		t.Errorf("RunFailed took %v", d)
	}
	flush(t, n)

	l2 := logs.String()
	for _, want := range []string{"will retry", "failure email not sent, giving up", "attempts=3", "flow_id=flow-down", "run_id=run-42", "connection refused"} {
		if !strings.Contains(l2, want) {
			t.Errorf("log lacks %q:\n%s", want, l2)
		}
	}
}

func TestHungServerBlocksNeitherRunFailedNorClose(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var conns sync.WaitGroup
	go func() { // accepts and never answers
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			conns.Add(1)
			go func() { defer conns.Done(); _, _ = io.Copy(io.Discard, c); c.Close() }()
		}
	}()
	t.Cleanup(func() { l.Close(); conns.Wait() })

	n, logs := newTest(t, Config{SMTPURL: smtpURL(l.Addr().String()), Clock: newClock().Now})
	start := time.Now()
	for i := range 100 { // more flows than the queue holds
		n.RunFailed(failure(fmt.Sprintf("flow-%d", i), "anna@example.com"))
	}
	if d := time.Since(start); d > 2*time.Second { // a blocking call would wait on the hung server
		t.Errorf("100 RunFailed calls took %v while the server hangs", d)
	}
	if !strings.Contains(logs.String(), "mail queue is full") {
		t.Errorf("dropped mails are not logged:\n%s", logs.String())
	}

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := n.Flush(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Flush = %v, want a deadline error while mails are stuck", err)
	}

	start = time.Now()
	n.Close()
	if d := time.Since(start); d > 5*time.Second { // waiting on the hung server would take its whole timeout
		t.Errorf("Close took %v with a hung server", d)
	}
	if err := n.Flush(context.Background()); err != nil {
		t.Errorf("Flush after Close = %v", err)
	}
	n.RunFailed(failure("after-close", "anna@example.com")) // no panic, no effect
}

func TestTemporaryRejectionIsRetried(t *testing.T) {
	be := &backend{tempFailures: 1}
	addr := startServer(t, be, plainServer)
	n, logs := newTest(t, Config{SMTPURL: smtpURL(addr), Clock: newClock().Now})

	n.RunFailed(failure("flow-1", "anna@example.com"))
	flush(t, n)

	if got := len(be.received()); got != 1 {
		t.Fatalf("got %d messages, want 1 after a retry", got)
	}
	if !strings.Contains(logs.String(), "will retry") || !strings.Contains(logs.String(), "451") {
		t.Errorf("the temporary failure is not logged:\n%s", logs.String())
	}
}

func TestRejectedRecipientDoesNotStopTheOthers(t *testing.T) {
	be := &backend{rejectRcpt: map[string]string{"gone@example.com": "no such user"}}
	addr := startServer(t, be, plainServer)
	n, logs := newTest(t, Config{SMTPURL: smtpURL(addr), Clock: newClock().Now})

	n.RunFailed(failure("flow-1", "gone@example.com", "anna@example.com"))
	flush(t, n)

	got := be.received()
	if len(got) != 1 || got[0].To[0] != "anna@example.com" {
		t.Fatalf("received %+v, want one mail to anna", got)
	}
	l := logs.String()
	if !strings.Contains(l, "rejected by the mail server") || !strings.Contains(l, "gone@example.com") {
		t.Errorf("the rejected recipient is not logged:\n%s", l)
	}
	if strings.Contains(l, "will retry") {
		t.Errorf("a permanent rejection was retried:\n%s", l)
	}
}

func TestNilNotifierDoesNothing(t *testing.T) {
	var n *Notifier
	n.RunFailed(failure("flow-1", "anna@example.com"))
	if err := n.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	n.Close()
}

func TestFlowNameCannotInjectHeaders(t *testing.T) {
	be, n, _, _ := plainMailer(t)

	f := failure("flow-1", "anna@example.com")
	f.FlowName = "Evil\r\nBcc: victim@example.com\r\n"
	n.RunFailed(f)
	flush(t, n)

	got := be.wantMessages(t, 1)
	p := parse(t, got[0].Data)
	if p.header.Get("Bcc") != "" || len(got[0].To) != 1 {
		t.Errorf("header injected: Bcc=%q rcpt=%v", p.header.Get("Bcc"), got[0].To)
	}
	if p.subject != `hookflow: flow "Evil Bcc: victim@example.com" failed` {
		t.Errorf("subject = %q", p.subject)
	}
}

// bodyHas checks that a mail's body says each of wants.
func bodyHas(t *testing.T, body string, wants ...string) {
	t.Helper()
	for _, want := range wants {
		if !strings.Contains(body, want) {
			t.Errorf("body lacks %q:\n%s", want, body)
		}
	}
}
