package core

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hookflow/hookflow/flows"
	"github.com/hookflow/hookflow/server/auth"
	"github.com/hookflow/hookflow/server/live"
	"github.com/hookflow/hookflow/server/notify"
	"github.com/hookflow/hookflow/server/outbound"
	"github.com/jonboulle/clockwork"

	"github.com/hookflow/hookflow/server/secrets"
	"github.com/hookflow/hookflow/server/store"
)

// Config is how the service runs.
type Config struct {
	PublicURL    string        // base of webhook and journal links, e.g. https://hooks.example.com
	Workers      int           // runs executed at once (default 8)
	RunTimeout   time.Duration // one run's limit (default 5 min)
	MaxBodyBytes int64         // webhook body limit (default 1 MiB)
	MaxAttempts  int           // whole-run attempts when a target is down (default 8)
	// RetryBase is the first pause before a whole run is tried again (default 5 s; it triples).
	RetryBase time.Duration
	// RetryMax caps that pause (default 1 h).
	RetryMax time.Duration
	// Lease is how long an event claimed on PostgreSQL stays this process's without a heartbeat
	// (default DefaultLease): the longest a dead process's events wait to be taken over, less
	// one scan. Heartbeat is how often the leases are renewed (default Lease/4).
	Lease, Heartbeat time.Duration
	// HTTPClient sends the flows' requests (default: outbound.Policy{}'s client).
	HTTPClient flows.Doer
	Logger     *slog.Logger
	// Scripts runs the flows' JavaScript (nil: in this process; `hookflow serve` gives a
	// pool of sandbox processes).
	Scripts flows.ScriptRunner
	// Mailer sends the letters of email steps (nil: they fail, saying the server cannot send
	// mail; `hookflow serve` gives notify's, with the server's SMTP settings when set).
	Mailer flows.Mailer
	// Secrets seals secret values at rest (nil: stored as given; `hookflow serve` always sets it).
	Secrets *secrets.Box
	// Clock schedules retries and the scheduler's scans and times runs (default: the real
	// clock); tests pass a fake one and move it. Leases follow the wall clock, which is what the
	// other processes see.
	Clock clockwork.Clock
}

func (c *Config) defaults() {
	if c.Workers <= 0 {
		c.Workers = 8
	}
	if c.RunTimeout <= 0 {
		c.RunTimeout = 5 * time.Minute
	}
	if c.MaxBodyBytes <= 0 {
		c.MaxBodyBytes = 1 << 20
	}
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = 8
	}
	if c.RetryBase <= 0 {
		c.RetryBase = 5 * time.Second
	}
	if c.RetryMax <= 0 {
		c.RetryMax = time.Hour
	}
	if c.Lease <= 0 {
		c.Lease = DefaultLease
	}
	if c.Heartbeat <= 0 || c.Heartbeat >= c.Lease {
		c.Heartbeat = c.Lease / 4
	}
	if c.HTTPClient == nil {
		// Even unconfigured, flows never reach link-local or cloud metadata addresses.
		c.HTTPClient = (&outbound.Policy{}).Client()
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Clock == nil {
		c.Clock = clockwork.NewRealClock()
	}
}

// App is the running service.
type App struct {
	cfg      Config
	store    *store.Store
	hub      *live.Hub
	notifier Notifier
	metrics  *Metrics
	log      *slog.Logger

	intake        *Intake     // webhooks in: addresses, rate limits, durable write, replies (intake.go)
	queue         *queue      // events on their way to and through the workers (queue.go)
	flows         *Flows      // the flow service (flows.go, flowsvc.go, secrets.go, teamtemplates.go)
	ticks         ticker      // the schedules this process fires (schedule.go)
	diskFull      atomic.Bool // the last write failed for lack of space (see noteWrite)
	active        sync.Map    // ids of the flows that stored runs since their last retention pass
	autovacuumOff sync.Once   // the warning that PostgreSQL vacuums nothing by itself, said once
	probeMu       sync.Mutex  // Health's write probe while the disk is full: one at a time,
	probedAt      time.Time   // and when the last ran

	journal  *Journal      // the runs recorded, for reading (journal.go)
	teams    *Teams        // members, invitations, tokens, audit (teams.go)
	accounts *auth.Service // sign-up, sign-in, sessions

	ctx    context.Context // canceled when the grace period of Close is over: interrupts runs
	cancel context.CancelFunc
	quit   chan struct{} // closed by Close: workers take no new runs
	wg     sync.WaitGroup
}

// Notifier is told about failed runs (email).
type Notifier interface {
	RunFailed(notify.Failure)
}

// New assembles the service. Start begins executing queued runs.
func New(cfg Config, st *store.Store, hub *live.Hub, n Notifier) *App {
	cfg.defaults()
	ctx, cancel := context.WithCancel(context.Background())
	a := &App{cfg: cfg, store: st, hub: hub, notifier: n, log: cfg.Logger, ctx: ctx, cancel: cancel, quit: make(chan struct{})}
	a.queue = newQueue(st, &a.cfg, ctx, a.quit)
	a.queue.execute, a.queue.teamOf, a.queue.stored, a.queue.noteWrite = a.execute, a.teamOf, a.afterStored, a.noteWrite
	a.journal = newJournal(st, cfg.Clock)
	a.teams = &Teams{store: st}
	a.accounts = auth.New(st)
	a.metrics = newMetrics(a)
	a.intake = &Intake{store: st, cfg: &a.cfg, log: cfg.Logger, metrics: a.metrics, hub: hub, queue: a.queue}
	a.flows = &Flows{store: st, cfg: &a.cfg, log: cfg.Logger, ctx: ctx, intake: a.intake}
	a.intake.ingress = newIngress(st, ingressHooks{reserve: a.queue.reserve, write: a.queue.write, writeWith: st.InsertAndFinish,
		unreserve: a.queue.unreserve, committed: a.intake.committed, written: a.noteWrite})
	a.queue.alongside = a.intake.ingress.finishAlongside
	a.intake.ingress.start() // webhooks are stored from the start; Start adds the workers
	return a
}

// Flows is the flow service.
func (a *App) Flows() *Flows { return a.flows }

// Intake takes webhooks in.
func (a *App) Intake() *Intake { return a.intake }

// Journal reads the runs the service recorded.
func (a *App) Journal() *Journal { return a.journal }

// Teams is the teams' members, invitations, tokens, audit log and templates.
func (a *App) Teams() *Teams { return a.teams }

// Accounts signs people up and in and keeps their sessions, invitations and API tokens.
func (a *App) Accounts() *auth.Service { return a.accounts }

// Hub is the live log hub.
func (a *App) Hub() *live.Hub { return a.hub }

// Metrics is the app's Prometheus registry.
func (a *App) Metrics() *Metrics { return a.metrics }

// Config is the app's configuration with defaults filled in.
func (a *App) Config() Config { return a.cfg }

// Start re-queues runs interrupted by a crash and starts the workers and the scheduler.
func (a *App) Start(ctx context.Context) error {
	if err := a.flows.sealStored(ctx); err != nil {
		return err
	}
	// On SQLite this process owns the database, so whatever is marked running was interrupted.
	// On PostgreSQL another process may be running it right now: expired leases bring those
	// back instead (store.DueEvents).
	if a.store.Dialect() != "postgres" {
		n, err := a.store.RequeueRunning(ctx)
		if err != nil {
			return fmt.Errorf("recovering interrupted runs: %w", err)
		}
		if n > 0 {
			a.log.Info("re-queued runs interrupted by a stop", "count", n)
		}
	}
	a.queue.start()
	a.wg.Add(2)
	go a.scheduler()
	go a.pruner()
	return nil
}

// Close stops taking webhooks, lets in-flight runs finish for up to grace, and interrupts
// the rest; interrupted runs go back to the queue for the next start.
func (a *App) Close(grace time.Duration) {
	a.intake.ingress.stop()
	close(a.quit)
	done := make(chan struct{})
	go func() {
		a.wg.Wait()
		a.queue.workers.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(grace):
		a.cancel()
		<-done
	}
	a.cancel()
	a.queue.stop() // workers are gone: store what they finished, then stop
}
