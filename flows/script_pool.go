package flows

import (
	"container/list"
	"sync"
	"time"

	"github.com/dop251/goja"
)

// The pool of idle runtimes, shared by all scripts. Making a runtime is in script_harden.go; a
// runtime that a run stopped mid-flight is dropped rather than put back here (see run).

// scriptVM is one hardened runtime with the script's function loaded.
type scriptVM struct {
	rt      *goja.Runtime
	fn      goja.Callable
	logs    []string
	dropped int
	broken  bool // a Go panic went through the runtime: do not reuse it
}

// Idle runtimes wait in one process-wide list, most recently used first. A hardened runtime
// costs milliseconds to make (every built-in is materialised and frozen) and holds about half a
// megabyte, so they are kept on purpose rather than in a sync.Pool, which empties at every
// garbage collection: at most maxIdleVMs of them, none idle longer than idleVMTTL.
const (
	maxIdleVMs = 64
	idleVMTTL  = 5 * time.Minute
)

var idleVMs struct {
	sync.Mutex
	list list.List // of *idleVM
}

type idleVM struct {
	s     *script
	vm    *scriptVM
	since time.Time
}

func (s *script) getVM() (*scriptVM, error) {
	if !s.fresh {
		if vm := s.takeIdle(); vm != nil {
			return vm, nil
		}
	}
	return s.newVM()
}

func (s *script) takeIdle() *scriptVM {
	idleVMs.Lock()
	defer idleVMs.Unlock()
	n := len(s.idle)
	if n == 0 {
		return nil
	}
	e := s.idle[n-1]
	s.idle[n-1] = nil
	s.idle = s.idle[:n-1]
	idleVMs.list.Remove(e)
	return e.Value.(*idleVM).vm
}

func (s *script) release(vm *scriptVM) {
	now := time.Now()
	idleVMs.Lock()
	defer idleVMs.Unlock()
	s.idle = append(s.idle, idleVMs.list.PushFront(&idleVM{s: s, vm: vm, since: now}))
	for {
		back := idleVMs.list.Back()
		if back == nil {
			return
		}
		old := back.Value.(*idleVM)
		if idleVMs.list.Len() <= maxIdleVMs && now.Sub(old.since) < idleVMTTL {
			return
		}
		// The globally oldest idle runtime is also the oldest of its script.
		old.s.idle[0] = nil
		old.s.idle = old.s.idle[1:]
		idleVMs.list.Remove(back)
	}
}
