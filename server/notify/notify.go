package notify

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/mail"
	"net/textproto"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// Config is the SMTP and throttle configuration of a Notifier.
type Config struct {
	// SMTPURL is smtp://user:pass@host:587 (STARTTLS when offered),
	// smtps://user:pass@host:465 (implicit TLS) or smtp://host:25 without
	// auth. The query parameter ?from=hookflow@example.com sets the sender.
	SMTPURL string
	// From overrides ?from; default "hookflow@<hostname>".
	From string
	// Throttle is the window: at most one mail per flow per window
	// (default 15 minutes).
	Throttle time.Duration
	// Clock returns the current time (default time.Now).
	Clock func() time.Time
	// Logger receives send failures and dropped mails (default slog.Default()).
	Logger *slog.Logger
	// InsecureSkipVerify for tests with self-signed servers only.
	InsecureSkipVerify bool
}

// Failure describes one failed run.
type Failure struct {
	FlowID, FlowName string
	RunID            string
	Step             string    // the failed node's name (or id)
	Error            string    // the run error sentence (already masked by the engine)
	At               time.Time // when the run failed (default: now)
	RunURL           string    // link to the run in the journal
	Recipients       []string
	Lang             string // "en" or "ru": language of the mail
}

// DefaultThrottle is the default per-flow window.
const DefaultThrottle = 15 * time.Minute

// tuning holds what tests shorten; New uses defaultTuning.
type tuning struct {
	queueSize      int
	attempts       int             // sends per mail, first one included
	backoff        []time.Duration // wait before attempt 2, 3, … (last value repeats)
	commandTimeout time.Duration   // per SMTP command (go-mail connection timeout)
	attemptTimeout time.Duration   // one whole SMTP conversation
}

var defaultTuning = tuning{
	queueSize:      256,
	attempts:       3,
	backoff:        []time.Duration{5 * time.Second, 30 * time.Second},
	commandTimeout: 20 * time.Second,
	attemptTimeout: time.Minute,
}

// Notifier sends failure emails in the background. Its methods are safe for
// concurrent use; the methods of a nil *Notifier do nothing.
type Notifier struct {
	client   *gomail.Client
	from     *mail.Address
	server   string // host:port, for logs
	throttle time.Duration
	clock    func() time.Time
	log      *slog.Logger
	tune     tuning

	queue  chan job
	ctx    context.Context
	cancel context.CancelFunc
	done   chan struct{}
	once   sync.Once

	mu      sync.Mutex
	flows   map[string]*flowState
	pending int           // jobs queued or being sent
	idle    chan struct{} // closed when pending drops to 0
	closed  bool
}

type flowState struct {
	lastMail   time.Time // when the last mail for this flow was queued
	suppressed int       // failures counted, not mailed, since lastMail
	firstDrop  time.Time // first failure dropped on a full queue, while lastMail is zero
}

type job struct {
	f     Failure
	now   time.Time
	more  int       // failures since the previous mail, not mailed
	since time.Time // time of the previous mail (when more > 0)
}

// New validates the configuration and starts the sending goroutine.
func New(cfg Config) (*Notifier, error) {
	return newNotifier(cfg, defaultTuning)
}

func newNotifier(cfg Config, tune tuning) (*Notifier, error) {
	s, err := parseSMTPURL(cfg.SMTPURL)
	if err != nil {
		return nil, err
	}
	fromAddr, err := senderAddress(cfg.From, s)
	if err != nil {
		return nil, err
	}

	n := &Notifier{
		from:     fromAddr,
		server:   net.JoinHostPort(s.host, strconv.Itoa(s.port)),
		throttle: cfg.Throttle,
		clock:    cfg.Clock,
		log:      cfg.Logger,
		tune:     tune,
		queue:    make(chan job, tune.queueSize),
		done:     make(chan struct{}),
		flows:    make(map[string]*flowState),
	}
	if n.throttle <= 0 {
		n.throttle = DefaultThrottle
	}
	if n.clock == nil {
		n.clock = time.Now
	}
	if n.log == nil {
		n.log = slog.Default()
	}
	n.log = n.log.With("component", "notify", "smtp", n.server)
	n.ctx, n.cancel = context.WithCancel(context.Background())

	n.client, err = newSMTPClient(s, cfg.InsecureSkipVerify, tune.commandTimeout, nil)
	if err != nil {
		return nil, err
	}

	go n.run()
	return n, nil
}

// senderAddress is the sender: from, else the SMTP URL's ?from=, else hookflow@<hostname>,
// named "hookflow" when it has no name.
func senderAddress(from string, s smtpSettings) (*mail.Address, error) {
	if from == "" {
		from = s.from
	}
	if from == "" {
		from = "hookflow@" + hostname()
	}
	addr, err := mail.ParseAddress(from)
	if err != nil {
		return nil, fmt.Errorf("sender address %q is not a valid email address", from)
	}
	if addr.Name == "" {
		addr.Name = "hookflow"
	}
	return addr, nil
}

// DialFunc connects to a mail server (the outbound policy's, for servers a flow names).
type DialFunc func(ctx context.Context, network, addr string) (net.Conn, error)

// newSMTPClient is a client for s: implicit TLS for smtps, else STARTTLS whenever the server
// offers it; credentials only over TLS or to localhost. dial nil connects directly.
func newSMTPClient(s smtpSettings, insecureSkipVerify bool, commandTimeout time.Duration, dial DialFunc) (*gomail.Client, error) {
	tlsConf := &tls.Config{
		ServerName:         s.host,
		MinVersion:         tls.VersionTLS12,
		InsecureSkipVerify: insecureSkipVerify, //nolint:gosec // tests with self-signed servers only
	}
	opts := []gomail.Option{
		gomail.WithPort(s.port),
		gomail.WithTimeout(commandTimeout),
		gomail.WithTLSConfig(tlsConf),
		gomail.WithHELO(hostname()),
		gomail.WithDialContextFunc(dialer(dial, s.implicitTLS, tlsConf)),
	}
	if s.implicitTLS {
		opts = append(opts, gomail.WithSSL())
	} else {
		// STARTTLS whenever the server offers it; plain otherwise.
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	}
	if s.user != "" {
		// PLAIN and LOGIN refuse to send the password over a connection that
		// is neither TLS nor to localhost; challenge-response mechanisms are
		// used when the server offers nothing else.
		opts = append(opts,
			gomail.WithOpportunisticSMTPAuth(gomail.SMTPAuthPlain, gomail.SMTPAuthLogin),
			gomail.WithUsername(s.user),
			gomail.WithPassword(s.pass),
		)
	}
	c, err := gomail.NewClient(s.host, opts...)
	if err != nil {
		return nil, fmt.Errorf("SMTP settings: %w", err)
	}
	return c, nil
}

// dialer connects through dial (with TLS for smtps) and closes the connection when the
// attempt's context ends, so Close never waits for a hung server.
func dialer(dial DialFunc, implicitTLS bool, conf *tls.Config) gomail.DialContextFunc {
	if dial == nil {
		dial = (&net.Dialer{}).DialContext
	}
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := dial(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		if implicitTLS {
			tc := tls.Client(conn, conf)
			if err := tc.HandshakeContext(ctx); err != nil {
				_ = conn.Close()
				return nil, err
			}
			conn = tc
		}
		// go-mail cancels ctx as soon as the handshake is done; the
		// conversation lives as long as the attempt's context.
		if actx, ok := ctx.Value(attemptKey{}).(context.Context); ok {
			context.AfterFunc(actx, func() { _ = conn.Close() })
		}
		return conn, nil
	}
}

// attemptKey carries the context of one send attempt to dialer.
type attemptKey struct{}

// RunFailed records a failed run and, unless the flow is inside its throttle
// window, queues a mail. It never blocks: when the queue is full the mail is
// dropped and logged (and counted for the next one).
func (n *Notifier) RunFailed(f Failure) {
	if n == nil {
		return
	}
	f.Recipients = cleanRecipients(f.Recipients)
	if len(f.Recipients) == 0 {
		return
	}
	now := n.clock()
	if f.At.IsZero() {
		f.At = now
	}
	key := f.FlowID
	if key == "" {
		key = f.FlowName
	}

	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed {
		return
	}
	st := n.flows[key]
	if st == nil {
		n.pruneLocked(now)
		st = &flowState{}
		n.flows[key] = st
	}
	if !st.lastMail.IsZero() && now.Sub(st.lastMail) < n.throttle {
		st.suppressed++
		return
	}
	since := st.lastMail
	if since.IsZero() {
		since = st.firstDrop
	}
	j := job{f: f, now: now, more: st.suppressed, since: since}
	select {
	case n.queue <- j:
		st.lastMail = now
		st.suppressed = 0
		st.firstDrop = time.Time{}
		if n.pending == 0 {
			n.idle = make(chan struct{})
		}
		n.pending++
	default:
		st.suppressed++ // reported by the next mail that gets through
		if st.lastMail.IsZero() && st.firstDrop.IsZero() {
			st.firstDrop = now
		}
		n.log.Warn("failure email dropped: mail queue is full",
			"flow_id", f.FlowID, "run_id", f.RunID)
	}
}

// pruneLocked forgets flows whose window is over and that have nothing to
// report, so the map does not grow with every flow that ever failed.
func (n *Notifier) pruneLocked(now time.Time) {
	if len(n.flows) < 1024 {
		return
	}
	for k, st := range n.flows {
		if st.suppressed == 0 && now.Sub(st.lastMail) >= n.throttle {
			delete(n.flows, k)
		}
	}
}

// Flush waits until every queued mail has been sent (or given up on).
func (n *Notifier) Flush(ctx context.Context) error {
	if n == nil {
		return nil
	}
	n.mu.Lock()
	if n.pending == 0 {
		n.mu.Unlock()
		return nil
	}
	idle := n.idle
	n.mu.Unlock()
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("failure emails still being sent: %w", ctx.Err())
	}
}

// Close stops the sender: a mail being sent is abandoned, queued mails are
// dropped (call Flush first to send them). RunFailed after Close does nothing.
func (n *Notifier) Close() {
	if n == nil {
		return
	}
	n.once.Do(func() {
		n.mu.Lock()
		n.closed = true
		n.mu.Unlock()
		n.cancel()
		<-n.done
	})
}

func (n *Notifier) run() {
	defer close(n.done)
	for {
		select {
		case <-n.ctx.Done():
			n.drop()
			return
		case j := <-n.queue:
			n.deliver(j)
			n.finish(1)
		}
	}
}

// drop discards what is still queued at Close, releasing Flush waiters.
func (n *Notifier) drop() {
	dropped := 0
	for {
		select {
		case j := <-n.queue:
			dropped++
			n.log.Warn("failure email not sent: notifier closed", "flow_id", j.f.FlowID, "run_id", j.f.RunID)
		default:
			n.finish(dropped)
			return
		}
	}
}

func (n *Notifier) finish(k int) {
	if k == 0 {
		return
	}
	n.mu.Lock()
	n.pending -= k
	if n.pending == 0 && n.idle != nil {
		close(n.idle)
		n.idle = nil
	}
	n.mu.Unlock()
}

// deliver sends one mail per recipient (so one rejected address does not
// stop the others), retrying temporary failures with backoff.
func (n *Notifier) deliver(j job) {
	e := compose(j, n.throttle)
	type out struct{ to, msgID string }
	todo := make([]out, 0, len(j.f.Recipients))
	for _, rcpt := range j.f.Recipients {
		todo = append(todo, out{rcpt, n.messageID()})
	}
	log := n.log.With("flow_id", j.f.FlowID, "run_id", j.f.RunID)

	for attempt := 1; ; attempt++ {
		msgs := make([]*gomail.Msg, 0, len(todo))
		sending := make([]out, 0, len(todo))
		for _, o := range todo {
			m, err := n.message(e, o.to, o.msgID, j.now)
			if err != nil { // cannot happen with parsed addresses; never retry it
				log.Error("failure email not sent: cannot compose it", "to", o.to, "error", err)
				continue
			}
			msgs = append(msgs, m)
			sending = append(sending, o)
		}
		if len(msgs) == 0 {
			return
		}
		err := n.send(msgs)
		var retry []out
		if err != nil {
			var perMsg bool
			for i, m := range msgs {
				if !m.HasSendError() {
					continue
				}
				perMsg = true
				serr := m.SendError()
				if permanent(serr) {
					log.Error("failure email rejected by the mail server", "to", sending[i].to, "error", serr)
					continue
				}
				retry = append(retry, sending[i])
			}
			if !perMsg { // no conversation: connection, TLS or AUTH problem
				if permanent(err) {
					log.Error("failure email not sent: the mail server refused it", "error", err)
					return
				}
				retry = sending
			}
		}
		if len(retry) == 0 {
			return
		}
		if n.ctx.Err() != nil {
			log.Warn("failure email not sent: notifier closed", "error", err)
			return
		}
		if attempt >= n.tune.attempts {
			log.Error("failure email not sent, giving up", "attempts", attempt,
				"recipients", len(retry), "error", err)
			return
		}
		wait := n.tune.backoff[min(attempt-1, len(n.tune.backoff)-1)]
		log.Warn("failure email not sent, will retry", "attempt", attempt,
			"retry_in", wait.String(), "recipients", len(retry), "error", err)
		select {
		case <-time.After(wait):
		case <-n.ctx.Done():
			log.Warn("failure email not sent: notifier closed", "error", err)
			return
		}
		todo = retry
	}
}

func (n *Notifier) send(msgs []*gomail.Msg) error {
	return converse(n.ctx, n.client, n.server, n.tune.attemptTimeout, n.log, msgs...)
}

// converse sends msgs in one SMTP conversation that lasts at most timeout.
func converse(ctx context.Context, client *gomail.Client, server string, timeout time.Duration, log *slog.Logger, msgs ...*gomail.Msg) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	c, err := client.DialToSMTPClientWithContext(context.WithValue(ctx, attemptKey{}, ctx))
	if err != nil {
		return fmt.Errorf("connect to %s: %w", server, err)
	}
	err = client.SendWithSMTPClient(c, msgs...)
	if cerr := client.CloseWithSMTPClient(c); cerr != nil && err == nil {
		// Every message was accepted; a failing QUIT changes nothing.
		log.Debug("closing SMTP connection", "error", cerr)
	}
	return err
}

// permanent reports an explicit 5xx answer of the server (a rejected
// recipient, wrong credentials): sending the same again will not help.
func permanent(err error) bool {
	var se *gomail.SendError
	if errors.As(err, &se) && se.ErrorCode() >= 500 {
		return true
	}
	var te *textproto.Error
	return errors.As(err, &te) && te.Code >= 500
}

func (n *Notifier) messageID() string { return messageID(n.from) }

// messageID is a random message id in the sender's domain.
func messageID(from *mail.Address) string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	domain := from.Address[strings.LastIndexByte(from.Address, '@')+1:]
	return hex.EncodeToString(b[:]) + "@" + domain
}

func (n *Notifier) message(e email, to, msgID string, date time.Time) (*gomail.Msg, error) {
	enc := gomail.EncodingB64
	if e.mostlyASCII {
		enc = gomail.EncodingQP
	}
	m := automatedMessage(enc, n.from, e.subject, msgID, date)
	if err := m.To(to); err != nil {
		return nil, err
	}
	m.SetBodyString(gomail.TypeTextPlain, e.body)
	return m, nil
}

// automatedMessage is a UTF-8 message from hookflow with its sender, subject, date and id, marked
// as sent by a program so that vacation responders do not answer it.
func automatedMessage(enc gomail.Encoding, from *mail.Address, subject, msgID string, date time.Time) *gomail.Msg {
	m := gomail.NewMsg(gomail.WithCharset(gomail.CharsetUTF8),
		gomail.WithEncoding(enc), gomail.WithNoDefaultUserAgent())
	m.FromMailAddress(from)
	m.Subject(subject)
	m.SetDateWithValue(date)
	m.SetMessageIDWithValue(msgID)
	m.SetGenHeader(gomail.HeaderUserAgent, "hookflow")
	// RFC 3834: tells vacation responders not to answer.
	m.SetGenHeader("Auto-Submitted", "auto-generated")
	m.SetGenHeader(gomail.HeaderXAutoResponseSuppress, "All")
	return m
}

// cleanRecipients keeps the valid, distinct addresses (bare address form).
func cleanRecipients(in []string) []string {
	out := make([]string, 0, len(in))
	seen := make(map[string]bool, len(in))
	for _, r := range in {
		a, err := mail.ParseAddress(strings.TrimSpace(r))
		if err != nil {
			continue
		}
		k := strings.ToLower(a.Address)
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, a.Address)
	}
	return out
}

func hostname() string {
	h, err := os.Hostname()
	if err != nil || h == "" {
		return "localhost"
	}
	return h
}

type smtpSettings struct {
	host        string
	port        int
	implicitTLS bool
	user, pass  string
	from        string
}

func parseSMTPURL(raw string) (smtpSettings, error) {
	var s smtpSettings
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return s, errors.New("SMTP URL is empty: set it like smtp://user:password@smtp.example.com:587")
	}
	u, err := url.Parse(raw)
	if err != nil {
		// url.Error would repeat the URL, password included.
		return s, errors.New("SMTP URL cannot be read: it should look like smtp://user:password@smtp.example.com:587 " +
			"(percent-encode special characters in the user name and password)")
	}
	switch strings.ToLower(u.Scheme) {
	case "smtp":
	case "smtps":
		s.implicitTLS = true
	case "":
		return s, errors.New("SMTP URL must start with smtp:// or smtps://")
	default:
		return s, fmt.Errorf("SMTP URL must start with smtp:// or smtps://, not %s://", u.Scheme)
	}
	if u.Opaque != "" {
		return s, errors.New("SMTP URL must start with smtp:// or smtps:// (two slashes)")
	}
	s.host = u.Hostname()
	if s.host == "" {
		return s, errors.New("SMTP URL has no server name: write it like smtp://smtp.example.com:587")
	}
	if u.User != nil {
		s.user = u.User.Username()
		s.pass, _ = u.User.Password()
		if s.user == "" {
			return s, errors.New("SMTP URL has a password but no user name")
		}
	}
	switch p := u.Port(); {
	case p != "":
		port, err := strconv.Atoi(p)
		if err != nil || port < 1 || port > 65535 {
			return s, fmt.Errorf("SMTP URL port %q is not a port number (1–65535)", p)
		}
		s.port = port
	case s.implicitTLS:
		s.port = 465
	case s.user != "":
		s.port = 587
	default:
		s.port = 25
	}
	if u.Path != "" && u.Path != "/" {
		return s, fmt.Errorf("SMTP URL should have no path, found %q", u.Path)
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return s, errors.New("SMTP URL query cannot be read: use ?from=hookflow@example.com")
	}
	for k := range q {
		if k != "from" {
			return s, fmt.Errorf("SMTP URL has an unknown parameter %q (only ?from= is understood)", k)
		}
	}
	if from := q.Get("from"); from != "" {
		if _, err := mail.ParseAddress(from); err != nil {
			return s, fmt.Errorf("SMTP URL ?from=%q is not a valid email address", from)
		}
		s.from = from
	}
	return s, nil
}
