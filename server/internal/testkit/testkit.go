// Package testkit holds what the tests of several server packages share and is not a database
// (see testdb for those): waiting for something to happen, a log buffer safe to write from many
// goroutines, the test binary run again as a child process, a JSON call to a server under test. Only tests import it.
package testkit

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
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

// Child is the test binary run again as a process of its own: a package's TestMain turns it
// into what the test needs (`hookflow serve`, a queue under load) by an environment variable.
type Child struct {
	cmd *exec.Cmd
}

// StartChild runs the test binary with env added to the test's environment and hands each
// line it prints to line, which says when the child is ready; it returns then, and fails the
// test when the child is not ready within a minute. The test's clean-up kills it.
func StartChild(tb testing.TB, env []string, line func(string) (ready bool)) *Child {
	tb.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), env...)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	c := &Child{cmd: cmd}
	tb.Cleanup(c.Kill)
	ready := make(chan struct{})
	go func() {
		var once sync.Once
		lines := bufio.NewScanner(out)
		for lines.Scan() {
			if line(lines.Text()) {
				once.Do(func() { close(ready) })
			}
		}
	}()
	select {
	case <-ready:
		return c
	case <-time.After(60 * time.Second):
		tb.Fatalf("the child process %v did not start", env)
		return nil
	}
}

// Kill ends the child at once (SIGKILL: no clean-up of its own) and waits for it.
func (c *Child) Kill() {
	_ = c.cmd.Process.Signal(syscall.SIGKILL)
	_ = c.cmd.Wait()
}

// CallJSON sends body (a string as it is, anything else as JSON) to base+path with the Bearer
// token when there is one, and decodes the JSON answer into out when out is not nil, failing
// the test when the answer is not JSON. It returns the answer's status.
func CallJSON(tb testing.TB, base, token, method, path string, body, out any) int {
	tb.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	default:
		data, _ := json.Marshal(b)
		r = bytes.NewReader(data)
	}
	req, _ := http.NewRequest(method, base+path, r)
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			tb.Fatalf("%s %s → %d: not JSON: %s", method, path, resp.StatusCode, data)
		}
	}
	return resp.StatusCode
}
