package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"github.com/hookflow/hookflow/frontend"
	"github.com/hookflow/hookflow/server/api"
	"github.com/hookflow/hookflow/server/core"
	"github.com/hookflow/hookflow/server/live"
	"github.com/hookflow/hookflow/server/livepg"
	"github.com/hookflow/hookflow/server/notify"
	"github.com/hookflow/hookflow/server/sandbox"
	"github.com/hookflow/hookflow/server/store"
)

// serveConfig is `hookflow serve`'s configuration: each flag also reads a HOOKFLOW_* variable.
type serveConfig struct {
	Addr, DataDir, DatabaseURL, PublicURL, SecretKey, SMTPURL string
	SQLiteSynchronous                                         string
	Workers                                                   int
	MaxBody                                                   int64
	LogLevel                                                  string
	OutboundStrict                                            bool
	OutboundAllow                                             string
	// DebugAddr, when set, serves Go's profiles (net/http/pprof) there; keep it on loopback.
	DebugAddr string
	// Lease and Heartbeat are core.Config's (zero: its defaults); only tests change them.
	Lease, Heartbeat time.Duration
	// MaxConnections caps the connections served at once; more wait in the kernel's queue.
	MaxConnections int
	// HeaderTimeout and BodyTimeout bound how long a client may take to send a request's
	// headers and then its body (zero: 10 s and 30 s).
	HeaderTimeout, BodyTimeout time.Duration
	// WriteTimeout bounds how long one write of an answer may wait for the client to read
	// (zero: 30 s).
	WriteTimeout time.Duration
}

func cmdServe(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cfg, err := parseServeFlags(args, stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintln(stderr, err)
		return 2
	}
	tuneGC()
	if err := serve(ctx, cfg, stderr, nil); err != nil {
		fmt.Fprintln(stderr, "hookflow:", err)
		return 1
	}
	return 0
}

func parseServeFlags(args []string, stderr io.Writer) (serveConfig, error) {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c serveConfig
	fs.StringVar(&c.Addr, "addr", ":8080", "address to listen on (HOOKFLOW_ADDR)")
	fs.StringVar(&c.DataDir, "data-dir", "./data", "directory of the built-in SQLite database (HOOKFLOW_DATA_DIR)")
	fs.StringVar(&c.SQLiteSynchronous, "sqlite-synchronous", "FULL", "FULL: an acknowledged webhook survives a power loss; NORMAL: faster, survives a crash of hookflow but a power loss may drop the last seconds (HOOKFLOW_SQLITE_SYNCHRONOUS)")
	fs.StringVar(&c.DatabaseURL, "database-url", "", "postgres://… to use PostgreSQL instead of SQLite (HOOKFLOW_DATABASE_URL)")
	fs.StringVar(&c.PublicURL, "public-url", "", "base of webhook URLs, e.g. https://hooks.example.com (HOOKFLOW_PUBLIC_URL)")
	fs.StringVar(&c.SecretKey, "secret-key", "", "key that encrypts secrets at rest (HOOKFLOW_SECRET_KEY)")
	fs.StringVar(&c.SMTPURL, "smtp-url", "", "smtp://user:pass@host:587?from=… for failure emails (HOOKFLOW_SMTP_URL)")
	fs.IntVar(&c.Workers, "workers", 8, "runs executed at once (HOOKFLOW_WORKERS)")
	fs.Int64Var(&c.MaxBody, "max-body", 1<<20, "largest webhook body in bytes (HOOKFLOW_MAX_BODY)")
	fs.IntVar(&c.MaxConnections, "max-connections", 1024, "connections served at once; more wait until one closes (HOOKFLOW_MAX_CONNECTIONS)")
	fs.StringVar(&c.LogLevel, "log-level", "info", "debug, info, warn or error (HOOKFLOW_LOG_LEVEL)")
	fs.BoolVar(&c.OutboundStrict, "outbound-strict", false, "flows may not call loopback, private, CGNAT or unique-local addresses (HOOKFLOW_OUTBOUND_STRICT)")
	fs.StringVar(&c.OutboundAllow, "outbound-allow", "", "hosts, IPs and networks exempt from --outbound-strict, comma-separated: crm.local,10.1.0.0/16 (HOOKFLOW_OUTBOUND_ALLOW)")
	fs.StringVar(&c.DebugAddr, "debug-addr", "", "serve Go's profiles (/debug/pprof/) on this address, e.g. 127.0.0.1:6060; keep it private (HOOKFLOW_DEBUG_ADDR)")
	if err := fromEnvironment(fs); err != nil {
		return c, err
	}
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	for _, n := range []struct {
		flag  string
		value int64
	}{{"workers", int64(c.Workers)}, {"max-body", c.MaxBody}, {"max-connections", int64(c.MaxConnections)}} {
		if n.value < 1 {
			return c, fmt.Errorf("--%s (%s) is %d: it must be at least 1", n.flag, envName(n.flag), n.value)
		}
	}
	return c, nil
}

// envName is the variable that sets a flag: --max-body is HOOKFLOW_MAX_BODY.
func envName(flagName string) string {
	return "HOOKFLOW_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// fromEnvironment sets each flag from its HOOKFLOW_* variable, before the command line (which
// wins). A value that does not fit is refused with the variable's name rather than replaced by
// the default.
func fromEnvironment(fs *flag.FlagSet) error {
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		name := envName(f.Name)
		v, ok := os.LookupEnv(name)
		if !ok || err != nil {
			return
		}
		if b, isBool := f.Value.(interface{ IsBoolFlag() bool }); isBool && b.IsBoolFlag() {
			switch strings.ToLower(strings.TrimSpace(v)) {
			case "1", "true", "yes", "on":
				v = "true"
			case "", "0", "false", "no", "off":
				v = "false"
			default:
				err = fmt.Errorf("%s=%q: say yes or no (1, true, yes, on or 0, false, no, off)", name, v)
				return
			}
		}
		if e := fs.Set(f.Name, v); e != nil {
			err = fmt.Errorf("%s=%q: give a whole number", name, v)
		}
	})
	return err
}

// Garbage collection of `hookflow serve` when GOGC and GOMEMLIMIT are not set: the heap may
// grow to four times what is live before a collection (Go's default is twice), which takes a
// tenth of the CPU a webhook costs under load for some 10 MB more memory, and collections
// become more frequent as it nears 384 MiB, so large requests in flight cannot make it balloon.
const (
	gcPercent   = 300
	memoryLimit = 384 << 20
)

func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memoryLimit)
	}
}

// serve runs the server until ctx ends. ready, when set, receives the bound address.
func serve(ctx context.Context, c serveConfig, logOut io.Writer, ready chan<- string) error {
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.LogLevel)); err != nil {
		return fmt.Errorf("log level %q: use debug, info, warn or error", c.LogLevel)
	}
	log := slog.New(slog.NewJSONHandler(logOut, &slog.HandlerOptions{Level: level}))

	if c.DatabaseURL == "" {
		// One server per SQLite data directory; `hookflow restore` checks this lock too.
		if err := os.MkdirAll(c.DataDir, 0o700); err != nil {
			return fmt.Errorf("creating the data directory: %w", err)
		}
		unlock, err := store.LockDataDir(c.DataDir)
		if err != nil {
			return err
		}
		defer unlock()
	}
	st, err := store.Open(ctx, store.Options{DatabaseURL: c.DatabaseURL, DataDir: c.DataDir, Synchronous: c.SQLiteSynchronous})
	if err != nil {
		return err
	}
	defer st.Close() //nolint:errcheck // on the way out: what was committed is kept

	ln, err := net.Listen("tcp", c.Addr)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", c.Addr, err)
	}
	writeTimeout := c.WriteTimeout
	if writeTimeout <= 0 {
		writeTimeout = defaultWriteTimeout
	}
	limiter := newConnLimiter(ln, c.MaxConnections, writeTimeout)
	ln = limiter
	public := c.PublicURL
	if public == "" {
		public = "http://" + displayAddr(ln.Addr().String())
	}

	var notifier core.Notifier
	if c.SMTPURL != "" {
		n, err := notify.New(notify.Config{SMTPURL: c.SMTPURL, Logger: log})
		if err != nil {
			return err
		}
		defer n.Close()
		notifier = n
	}
	var app *core.App
	hub := live.NewHub(live.Options{Backfill: func(ctx context.Context, flowID string, since uint64) ([]live.Event, error) {
		return app.Journal().Backfill(ctx, flowID, since)
	}})
	defer hub.Close()
	// On PostgreSQL the live log travels between the processes sharing it (server/livepg): the
	// hub's events are numbered there, so it listens before anything runs or is served.
	var relay *livepg.Relay
	if st.Dialect() == "postgres" {
		relay, err = livepg.Start(ctx, livepg.Options{DatabaseURL: c.DatabaseURL, Hub: hub, Logger: log})
		if err != nil {
			ln.Close()
			return err
		}
	}
	closeRelay := func() {
		if relay != nil {
			relay.Close(2 * time.Second) // what the last runs published is still sent
		}
	}
	defer closeRelay()
	policy, err := outboundPolicy(c)
	if err != nil {
		return err
	}
	box, discardKey, err := secretBox(c, log)
	if err != nil {
		return err
	}
	// JavaScript steps run in sandbox processes of this binary, one per worker at most, which
	// are killed when a script outlasts its limit or its memory bound (see server/sandbox).
	// Email steps send through the same SMTP settings as the failure emails, or through a
	// server they name, reached under the outbound policy.
	mailer, err := notify.NewMailer(notify.MailerConfig{SMTPURL: c.SMTPURL, Dial: policy.DialContext, Logger: log})
	if err != nil {
		return err
	}
	scripts := sandbox.New(sandbox.Options{Size: max(c.Workers, 1)})
	defer scripts.Close()
	app = core.New(core.Config{PublicURL: public, Workers: c.Workers, MaxBodyBytes: c.MaxBody, Logger: log,
		HTTPClient: policy.Client(), Secrets: box, Scripts: scripts, Mailer: mailer, Lease: c.Lease, Heartbeat: c.Heartbeat}, st, hub, notifier)
	if err := app.Start(ctx); err != nil { // e.g. a secret key that does not open the stored secrets
		if errors.Is(err, core.ErrSecretKeyMismatch) {
			discardKey() // the key it made opens nothing stored; any other failure may have used it
		}
		app.Close(0)
		ln.Close()
		return err
	}
	if c.DebugAddr != "" {
		stopDebug, err := serveDebug(c.DebugAddr, log)
		if err != nil {
			app.Close(0)
			ln.Close()
			return err
		}
		defer stopDebug()
	}
	handler := api.New(app, log)
	api.MountUI(handler, frontend.Dist())
	srv := httpServer(c, handler)
	srv.ConnState = limiter.connState
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	log.Info("hookflow is serving", "addr", ln.Addr().String(), "public_url", public, "database", st.Dialect())
	if ready != nil {
		ready <- ln.Addr().String()
	}

	select {
	case err := <-errc:
		app.Close(5 * time.Second)
		closeRelay()
		return err
	case <-ctx.Done():
	}
	// Graceful stop: finish answering webhooks, then let running flows finish (or re-queue them).
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	hub.Close()
	_ = srv.Shutdown(shutdownCtx)
	app.Close(10 * time.Second)
	closeRelay()
	log.Info("hookflow stopped")
	return nil
}

// What one client may take of the server. Headers (request line and query included) are capped
// at 64 KB, far above what webhook senders use; the default 10 s for them and 30 s for a body
// still let a 1 MB webhook through a 300 kbit/s mobile link.
const (
	maxHeaderBytes       = 64 << 10
	defaultHeaderTimeout = 10 * time.Second
	defaultBodyTimeout   = 30 * time.Second
	defaultWriteTimeout  = 30 * time.Second // for one write of an answer to make progress
)

// httpServer is the HTTP server of `hookflow serve`. There is no overall ReadTimeout: it would
// also cancel a handler still working after it (a webhook waiting for its run to reply), so the
// body gets its own deadline (bodyDeadline), and the number of connections is capped by the
// listener (connLimiter).
func httpServer(c serveConfig, h http.Handler) *http.Server {
	header, body := c.HeaderTimeout, c.BodyTimeout
	if header <= 0 {
		header = defaultHeaderTimeout
	}
	if body <= 0 {
		body = defaultBodyTimeout
	}
	return &http.Server{Handler: bodyDeadline(h, body), ReadHeaderTimeout: header,
		MaxHeaderBytes: maxHeaderBytes, IdleTimeout: 2 * time.Minute}
}

// bodyDeadline gives a request's body d to arrive: a client sending it slowly (or never) loses
// its connection instead of holding it. Once the body is read the deadline is lifted, so the
// handler may take its time answering.
func bodyDeadline(next http.Handler, d time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil && r.Body != http.NoBody {
			rc := http.NewResponseController(w)
			if rc.SetReadDeadline(time.Now().Add(d)) == nil {
				r.Body = &deadlineBody{ReadCloser: r.Body, lift: func() { _ = rc.SetReadDeadline(time.Time{}) }}
			}
		}
		next.ServeHTTP(w, r)
	})
}

// deadlineBody lifts the read deadline when the body has been read to its end.
type deadlineBody struct {
	io.ReadCloser
	lift func()
}

func (b *deadlineBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err == io.EOF && b.lift != nil {
		b.lift()
		b.lift = nil
	}
	return n, err
}

func displayAddr(addr string) string {
	if strings.HasPrefix(addr, "[::]:") || strings.HasPrefix(addr, "0.0.0.0:") {
		return "localhost:" + addr[strings.LastIndex(addr, ":")+1:]
	}
	return addr
}
