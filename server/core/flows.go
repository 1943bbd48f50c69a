package core

import (
	"context"
	"log/slog"
	"sync"

	"github.com/hookflow/hookflow/flows"
	"github.com/hookflow/hookflow/server/store"
)

// Flows is the flow service: the flows of all teams with their versions, secrets sealed at rest,
// samples and team templates, and the copies the workers read (a short cache of opened flows,
// each saved version compiled once).
type Flows struct {
	store  *store.Store
	cfg    *Config
	log    *slog.Logger
	ctx    context.Context // the service's
	intake *Intake         // its cached addresses and rate limits follow a flow's changes

	cache    sync.Map // flow id → *cachedFlow (flowcache.go)
	programs sync.Map // flow id → *compiled
}

// compiled is a flow document checked and built once per saved version.
type compiled struct {
	version int
	prog    *flows.Program
	err     error
}

// program compiles a flow once per saved version. An unsaved document (Version < 0: the
// editor's test run) is compiled for that run only and never cached.
func (s *Flows) program(f *store.Flow) (*flows.Program, error) {
	if c, ok := s.programs.Load(f.ID); ok && f.Version >= 0 && c.(*compiled).version == f.Version {
		return c.(*compiled).prog, c.(*compiled).err
	}
	c := &compiled{version: f.Version}
	doc, err := flows.ParseFlow([]byte(f.Document))
	if err != nil {
		err = &UnreadableFlowError{ID: f.ID, Err: err}
	} else {
		var problems flows.Problems
		c.prog, problems = flows.Compile(doc)
		if len(problems) > 0 {
			err = problems
		}
	}
	c.err = err
	if f.Version >= 0 {
		s.programs.Store(f.ID, c)
	}
	return c.prog, c.err
}

// stored reads a flow, upgraded (see upgraded).
func (s *Flows) stored(ctx context.Context, id string) (*store.Flow, error) {
	f, err := s.store.Flow(ctx, id)
	return upgraded(f), err
}

// forget drops the cached copies of a flow after it changed.
func (s *Flows) forget(f *store.Flow) {
	s.intake.forget("", f.Token)
	s.cache.Delete(f.ID)
}
