package api_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/hookflow/hookflow/flows/flowstest"
	"github.com/hookflow/hookflow/server/internal/testdb"
	"github.com/hookflow/hookflow/server/notify"
)

// mailbox is an SMTP server that keeps what it receives.
type mailbox struct {
	mu   sync.Mutex
	msgs []string
	rcpt []string
	busy int // letters answered "451 try again later" before one is taken
}

func (m *mailbox) NewSession(*smtp.Conn) (smtp.Session, error) { return &mailSession{box: m}, nil }

type mailSession struct{ box *mailbox }

func (s *mailSession) Mail(string, *smtp.MailOptions) error { return nil }
func (s *mailSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.box.mu.Lock()
	s.box.rcpt = append(s.box.rcpt, to)
	s.box.mu.Unlock()
	return nil
}
func (s *mailSession) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	s.box.mu.Lock()
	defer s.box.mu.Unlock()
	if s.box.busy > 0 {
		s.box.busy--
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Try again later"}
	}
	s.box.msgs = append(s.box.msgs, string(data))
	return err
}
func (s *mailSession) Reset()        {}
func (s *mailSession) Logout() error { return nil }

func (m *mailbox) messages() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]string(nil), m.msgs...)
}

// startMailbox starts an SMTP server that keeps what it receives, stopped when the test ends,
// and returns it with its address.
func startMailbox(t *testing.T) (*mailbox, string) {
	t.Helper()
	box := &mailbox{}
	srv := smtp.NewServer(box)
	srv.Domain, srv.AllowInsecureAuth = "localhost", true
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }() // ends with ErrServerClosed at clean-up
	t.Cleanup(func() { _ = srv.Close() })
	return box, ln.Addr().String()
}

// startMailer starts a mailbox and a notifier sending to it; both stop when the test ends.
// sentMails waits, at most the given time, until the notifier has handed every mail to the
// mailbox: the mails it holds.
func sentMails(t *testing.T, box *mailbox, n *notify.Notifier, within time.Duration) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), within)
	defer cancel()
	if err := n.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	return box.messages()
}

func startMailer(t *testing.T, log *slog.Logger) (*mailbox, *notify.Notifier) {
	t.Helper()
	box, addr := startMailbox(t)
	n, err := notify.New(notify.Config{SMTPURL: "smtp://" + addr + "?from=hookflow@example.com", Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Close() })
	return box, n
}

// A failed run mails the flow's recipients once, with the failed step, the error and a link.
func TestServer_FailedRunSendsOneThrottledEmail(t *testing.T) {
	t.Parallel()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	box, n := startMailer(t, log)
	cpa := flowstest.NewTarget(t, flowstest.Reply(200, `{"status":"error","msg":"Неверный api_key"}`))
	st := testdb.Open(t, "sqlite")
	s := startServer(t, "", cpa.Client(), onStore(st), notifying(n))

	v := s.cpaHouse()
	var doc map[string]any
	s.call("GET", "/api/flows/"+v.ID+"/export", nil, &doc)
	s.call("PUT", "/api/flows/"+v.ID, map[string]any{"document": doc, "settings": map[string]any{"recipients": []string{"owner@example.com"}}}, nil)
	for i := 0; i < 3; i++ {
		hook(t, v.WebhookURL, "GET", "email=a%40b.c&phone=1", "", "")
	}
	runs := s.waitRuns(v.ID, "failed", 3, 10*time.Second)
	msgs := sentMails(t, box, n, 5*time.Second)
	if len(msgs) != 1 {
		t.Fatalf("%d mails for 3 failures within 15 minutes, want 1", len(msgs))
	}
	for _, want := range []string{"GetCourse", "CPA.House: send order", "/flows/" + v.ID + "/runs/"} {
		if !strings.Contains(decodeMail(msgs[0]), want) {
			t.Errorf("the mail lacks %q:\n%s", want, msgs[0])
		}
	}
	linked := false
	for _, r := range runs {
		linked = linked || strings.Contains(decodeMail(msgs[0]), "/runs/"+r.ID)
	}
	if !linked {
		t.Errorf("the mail links none of the failed runs")
	}
	if box.rcpt[0] != "owner@example.com" {
		t.Errorf("recipients %v", box.rcpt)
	}
}

// decodeMail undoes quoted-printable soft breaks so that the body can be searched.
func decodeMail(m string) string {
	return strings.NewReplacer("=\r\n", "", "=3D", "=").Replace(m)
}
