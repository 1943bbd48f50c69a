// Package testkit holds what the tests of several server packages share and is not a database
// (see testdb for those): waiting for something to happen, a log buffer safe to write from many
// goroutines. Only tests import it.
package testkit

import (
	"bytes"
	"fmt"
	"sync"
	"testing"
	"time"
)

// Eventually waits until cond holds, checking it every few milliseconds, and fails the test
// saying what did not happen when it still does not hold after within.
func Eventually(t testing.TB, within time.Duration, cond func() bool, what string, args ...any) {
	t.Helper()
	EventuallyNil(t, within, func() error {
		if !cond() {
			return fmt.Errorf(what, args...)
		}
		return nil
	})
}

// EventuallyNil waits until check returns nil, checking it every few milliseconds, and fails
// the test with its last error when it still has one after within: the error says how far
// things got ("12 of 20 runs stored").
func EventuallyNil(t testing.TB, within time.Duration, check func() error) {
	t.Helper()
	deadline := time.Now().Add(within)
	for pause := time.Millisecond; ; pause = min(2*pause, 20*time.Millisecond) {
		err := check()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %s: %v", within, err)
		}
		time.Sleep(pause)
	}
}

// SyncBuffer is a bytes.Buffer that a logger may write from many goroutines while the test reads it.
type SyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *SyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *SyncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
