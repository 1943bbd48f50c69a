package core

import (
	"errors"
	"time"

	"github.com/hookflow/hookflow/server/store"
)

// Workers read the flow of every event; a short cache spares the database a read per run.
// Saving, starting or stopping a flow here drops its entry at once; another process's changes
// are seen within flowCacheTTL.
const flowCacheTTL = 2 * time.Second

type cachedFlow struct {
	flow     *store.Flow
	loadedAt time.Time
}

func (s *Flows) byID(id string) (*store.Flow, error) {
	if v, ok := s.cache.Load(id); ok && time.Since(v.(*cachedFlow).loadedAt) < flowCacheTTL {
		return v.(*cachedFlow).flow, nil
	}
	stored, err := s.stored(s.ctx, id)
	if err != nil {
		return nil, err
	}
	f, err := s.openFlow(stored)
	var unreadable *UnreadableFlowError
	if errors.As(err, &unreadable) {
		f, err = stored, nil // nothing to decrypt: its runs fail with the reason (see program)
	}
	if err != nil {
		return nil, err
	}
	s.cache.Store(id, &cachedFlow{flow: f, loadedAt: time.Now()})
	return f, nil
}
