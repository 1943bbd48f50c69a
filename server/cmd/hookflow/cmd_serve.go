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
	"strconv"
	"strings"
	"time"

	"github.com/hookflow/hookflow/frontend"
	"github.com/hookflow/hookflow/server/api"
	"github.com/hookflow/hookflow/server/core"
	"github.com/hookflow/hookflow/server/live"
	"github.com/hookflow/hookflow/server/notify"
	"github.com/hookflow/hookflow/server/sandbox"
	"github.com/hookflow/hookflow/server/store"
)

// serveConfig is `hookflow serve`'s configuration: each flag also reads a HOOKFLOW_* variable.
type serveConfig struct {
	Addr, DataDir, DatabaseURL, PublicURL, SecretKey, SMTPURL string
	Workers                                                   int
	MaxBody                                                   int64
	LogLevel                                                  string
	OutboundStrict                                            bool
	OutboundAllow                                             string
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
	fs.StringVar(&c.Addr, "addr", env("HOOKFLOW_ADDR", ":8080"), "address to listen on (HOOKFLOW_ADDR)")
	fs.StringVar(&c.DataDir, "data-dir", env("HOOKFLOW_DATA_DIR", "./data"), "directory of the built-in SQLite database (HOOKFLOW_DATA_DIR)")
	fs.StringVar(&c.DatabaseURL, "database-url", env("HOOKFLOW_DATABASE_URL", ""), "postgres://… to use PostgreSQL instead of SQLite (HOOKFLOW_DATABASE_URL)")
	fs.StringVar(&c.PublicURL, "public-url", env("HOOKFLOW_PUBLIC_URL", ""), "base of webhook URLs, e.g. https://hooks.example.com (HOOKFLOW_PUBLIC_URL)")
	fs.StringVar(&c.SecretKey, "secret-key", env("HOOKFLOW_SECRET_KEY", ""), "key that encrypts secrets at rest (HOOKFLOW_SECRET_KEY)")
	fs.StringVar(&c.SMTPURL, "smtp-url", env("HOOKFLOW_SMTP_URL", ""), "smtp://user:pass@host:587?from=… for failure emails (HOOKFLOW_SMTP_URL)")
	fs.IntVar(&c.Workers, "workers", envInt("HOOKFLOW_WORKERS", 8), "runs executed at once (HOOKFLOW_WORKERS)")
	fs.Int64Var(&c.MaxBody, "max-body", int64(envInt("HOOKFLOW_MAX_BODY", 1<<20)), "largest webhook body in bytes (HOOKFLOW_MAX_BODY)")
	fs.StringVar(&c.LogLevel, "log-level", env("HOOKFLOW_LOG_LEVEL", "info"), "debug, info, warn or error (HOOKFLOW_LOG_LEVEL)")
	fs.BoolVar(&c.OutboundStrict, "outbound-strict", envBool("HOOKFLOW_OUTBOUND_STRICT"), "flows may not call loopback, private, CGNAT or unique-local addresses (HOOKFLOW_OUTBOUND_STRICT)")
	fs.StringVar(&c.OutboundAllow, "outbound-allow", env("HOOKFLOW_OUTBOUND_ALLOW", ""), "hosts, IPs and networks exempt from --outbound-strict, comma-separated: crm.local,10.1.0.0/16 (HOOKFLOW_OUTBOUND_ALLOW)")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	return c, nil
}

func env(name, def string) string {
	if v, ok := os.LookupEnv(name); ok {
		return v
	}
	return def
}

func envInt(name string, def int) int {
	if v, ok := os.LookupEnv(name); ok {
		if n, err := strconv.Atoi(v); err == nil {
			return n
		}
	}
	return def
}

// serve runs the server until ctx ends. ready, when set, receives the bound address.
func serve(ctx context.Context, c serveConfig, logOut io.Writer, ready chan<- string) error {
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.LogLevel)); err != nil {
		return fmt.Errorf("log level %q: use debug, info, warn or error", c.LogLevel)
	}
	log := slog.New(slog.NewJSONHandler(logOut, &slog.HandlerOptions{Level: level}))

	st, err := store.Open(ctx, store.Options{DatabaseURL: c.DatabaseURL, DataDir: c.DataDir})
	if err != nil {
		return err
	}
	defer st.Close()

	ln, err := net.Listen("tcp", c.Addr)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", c.Addr, err)
	}
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
		return app.Backfill(ctx, flowID, since)
	}})
	defer hub.Close()
	policy, err := outboundPolicy(c)
	if err != nil {
		return err
	}
	box, err := secretBox(c, log)
	if err != nil {
		return err
	}
	// JavaScript steps run in sandbox processes of this binary, one per worker at most, which
	// are killed when a script outlasts its limit or its memory bound (see server/sandbox).
	scripts := sandbox.New(sandbox.Options{Size: max(c.Workers, 1)})
	defer scripts.Close()
	app = core.New(core.Config{PublicURL: public, Workers: c.Workers, MaxBodyBytes: c.MaxBody, Logger: log,
		HTTPClient: policy.Client(), Secrets: box, Scripts: scripts}, st, hub, notifier)
	if err := app.Start(ctx); err != nil { // e.g. a secret key that does not open the stored secrets
		app.Close(0)
		ln.Close()
		return err
	}
	handler := api.New(app, log)
	api.MountUI(handler, frontend.Dist())
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 60 * time.Second, IdleTimeout: 2 * time.Minute}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	log.Info("hookflow is serving", "addr", ln.Addr().String(), "public_url", public, "database", st.Dialect())
	if ready != nil {
		ready <- ln.Addr().String()
	}

	select {
	case err := <-errc:
		app.Close(5 * time.Second)
		return err
	case <-ctx.Done():
	}
	// Graceful stop: finish answering webhooks, then let running flows finish (or re-queue them).
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	hub.Close()
	_ = srv.Shutdown(shutdownCtx)
	app.Close(10 * time.Second)
	log.Info("hookflow stopped")
	return nil
}

func displayAddr(addr string) string {
	if strings.HasPrefix(addr, "[::]:") || strings.HasPrefix(addr, "0.0.0.0:") {
		return "localhost:" + addr[strings.LastIndex(addr, ":")+1:]
	}
	return addr
}
