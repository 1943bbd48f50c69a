package main

import (
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// connLimiter caps the connections served at once. A connection beyond the cap waits (accepted,
// but not read) until one closes; if some connection is idle between requests, the one idle
// longest is closed to make room, so that clients holding kept-alive connections they do not
// use cannot fill the server. Busy connections are bounded by the header and body timeouts, by
// writeTimeout when the client stops reading its answer, and websockets by their owners' limits.
type connLimiter struct {
	net.Listener
	writeTimeout time.Duration
	slots        chan struct{} // nil: no cap
	idleCh       chan struct{} // a connection became idle: the waiting one may take its place
	closed       chan struct{}
	once         sync.Once

	mu   sync.Mutex
	idle map[net.Conn]time.Time // since when
}

// newConnLimiter caps ln at max connections (0: no cap), each write waiting at most
// writeTimeout for the client.
func newConnLimiter(ln net.Listener, max int, writeTimeout time.Duration) *connLimiter {
	l := &connLimiter{Listener: ln, writeTimeout: writeTimeout, idleCh: make(chan struct{}, 1),
		closed: make(chan struct{}), idle: map[net.Conn]time.Time{}}
	if max > 0 {
		l.slots = make(chan struct{}, max)
	}
	return l
}

func (l *connLimiter) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	if l.slots == nil {
		return &limitedConn{Conn: c, l: l}, nil
	}
	for {
		select {
		case l.slots <- struct{}{}:
			return &limitedConn{Conn: c, l: l}, nil
		default:
		}
		l.closeIdlest()
		select {
		case l.slots <- struct{}{}:
			return &limitedConn{Conn: c, l: l}, nil
		case <-l.idleCh:
		case <-l.closed:
			c.Close()
			return nil, net.ErrClosed
		}
	}
}

func (l *connLimiter) Close() error {
	l.once.Do(func() { close(l.closed) })
	return l.Listener.Close()
}

// connState is the http.Server's ConnState hook: it keeps which connections are idle.
func (l *connLimiter) connState(c net.Conn, s http.ConnState) {
	if s == http.StateHijacked {
		if lc, ok := c.(*limitedConn); ok {
			lc.hijacked.Store(true) // a websocket: it sets its own deadlines
		}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if s == http.StateIdle {
		l.idle[c] = time.Now()
		select {
		case l.idleCh <- struct{}{}:
		default:
		}
		return
	}
	delete(l.idle, c)
}

// closeIdlest closes the connection idle the longest, if any.
func (l *connLimiter) closeIdlest() {
	l.mu.Lock()
	var oldest net.Conn
	var since time.Time
	for c, t := range l.idle {
		if oldest == nil || t.Before(since) {
			oldest, since = c, t
		}
	}
	delete(l.idle, oldest)
	l.mu.Unlock()
	if oldest != nil {
		oldest.Close()
	}
}

// limitedConn gives its place back when closed, and bounds how long a write waits.
type limitedConn struct {
	net.Conn
	l        *connLimiter
	once     sync.Once
	hijacked atomic.Bool
}

func (c *limitedConn) Write(p []byte) (int, error) {
	if !c.hijacked.Load() {
		_ = c.Conn.SetWriteDeadline(time.Now().Add(c.l.writeTimeout))
	}
	return c.Conn.Write(p)
}

func (c *limitedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() {
		c.l.mu.Lock()
		delete(c.l.idle, c)
		c.l.mu.Unlock()
		if c.l.slots != nil {
			<-c.l.slots
		}
	})
	return err
}
