package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/hookflow/hookflow/server/internal/testkit"
)

// startServe runs `hookflow serve` in this process with c (address and data directory filled
// in) and returns the address it listens on.
// logStop records how a test's server ended after its context was cancelled.
func logStop(t *testing.T, err error) {
	if err != nil {
		t.Logf("the server stopped with: %v", err)
	}
}

func startServe(t *testing.T, c serveConfig) string {
	t.Helper()
	c.Addr, c.DataDir, c.Workers, c.LogLevel = "127.0.0.1:0", t.TempDir(), 1, "error"
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	errc := make(chan error, 1)
	go func() { errc <- serve(ctx, c, io.Discard, ready) }()
	t.Cleanup(func() { cancel(); logStop(t, <-errc) })
	select {
	case addr := <-ready:
		return addr
	case err := <-errc:
		t.Fatal(err)
	case <-time.After(time.Minute): // a hang, not a speed bound
		t.Fatal("serve did not start")
	}
	return ""
}

// slowClient connects, sends head and then trickles one byte of more every 50 ms until the
// server hangs up or stop is closed. done receives how the connection ended.
type slowClient struct {
	conn net.Conn
	stop chan struct{}
	done chan error // nil: the server closed the connection
}

func startSlowClient(t *testing.T, addr, head, more string) *slowClient {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	if _, err := io.WriteString(conn, head); err != nil {
		t.Fatal(err)
	}
	s := &slowClient{conn: conn, stop: make(chan struct{}), done: make(chan error, 1)}
	go func() {
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for i := 0; ; i++ {
			select {
			case <-s.stop:
				return
			case <-tick.C:
			}
			if _, err := conn.Write([]byte{more[i%len(more)]}); err != nil {
				return
			}
		}
	}()
	go func() {
		// Whatever the server answers (a 4xx or nothing), it must then close the connection.
		_, err := io.Copy(io.Discard, conn)
		if errors.Is(err, net.ErrClosed) {
			s.done <- err // closed by this side
			return
		}
		s.done <- nil
	}()
	return s
}

func TestServe_SlowHeadersAndSlowBodiesAreCutOff(t *testing.T) {
	addr := startServe(t, serveConfig{HeaderTimeout: 500 * time.Millisecond, BodyTimeout: 800 * time.Millisecond})
	cases := []struct{ name, head, more string }{
		{"headers never end", "GET /healthz HTTP/1.1\r\nHost: x\r\n", "X-Pad: a\r\n"},
		{"body never ends", "POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{\"email\":\"", "a"},
		{"webhook body never ends", "POST /hook/unknown HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n", "a"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := startSlowClient(t, addr, tc.head, tc.more)
			// Still sending after the limit: the server must hang up on its own. The bound is 10
			// times the configured limit, far below the old 10 s / 60 s.
			select {
			case err := <-c.done:
				if err != nil {
					t.Fatalf("connection ended by the client: %v", err)
				}
			case <-time.After(8 * time.Second):
				t.Fatal("the server still holds a client that keeps the request unfinished")
			}
		})
	}
}

// getHealth asks /healthz through client.
func getHealth(client *http.Client, addr string) error {
	resp, err := client.Get("http://" + addr + "/healthz")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != 200 {
		return errors.New(resp.Status)
	}
	return nil
}

func TestServe_ConnectionCapQueuesNewClientsAndKeepsServingConnectedOnes(t *testing.T) {
	addr := startServe(t, serveConfig{MaxConnections: 3})
	// One kept-alive connection of a fast client, then two slow ones: the cap is reached.
	fast := &http.Client{Transport: &http.Transport{MaxConnsPerHost: 1}}
	if err := getHealth(fast, addr); err != nil {
		t.Fatal(err)
	}
	slowA := startSlowClient(t, addr, "GET /healthz HTTP/1.1\r\nHost: x\r\n", "X-Pad: a\r\n")
	startSlowClient(t, addr, "GET /healthz HTTP/1.1\r\nHost: x\r\n", "X-Pad: a\r\n")
	// The fast client's connection is still served.
	if err := getHealth(fast, addr); err != nil {
		t.Fatalf("a connected client is not served when the cap is reached: %v", err)
	}

	// A third slow client takes the fast client's idle place; then a newcomer is accepted by
	// the kernel but not served while every place is busy.
	startSlowClient(t, addr, "GET /healthz HTTP/1.1\r\nHost: x\r\n", "X-Pad: a\r\n")
	newcomer := healthOfNewcomer(addr)
	select {
	case err := <-newcomer:
		t.Fatalf("a connection beyond the cap of 3 was served (%v)", err)
	case <-time.After(time.Second): // a negative check: without a cap it is answered in milliseconds
	}

	// A slow client leaves: its place goes to the waiting one.
	close(slowA.stop)
	slowA.conn.Close()
	waitServed(t, newcomer, 20*time.Second, "the waiting client was not served after a place became free")
}

// Kept-alive connections cost a client nothing to hold: at the cap, the one idle longest makes
// room for a new client (instead of keeping it out for the 2 minutes of the idle timeout).
func TestServe_IdleConnectionsMakeRoomForNewClientsAtTheCap(t *testing.T) {
	addr := startServe(t, serveConfig{MaxConnections: 3})
	var hoarders []*http.Client
	for range 3 {
		c := &http.Client{Transport: &http.Transport{MaxConnsPerHost: 1}}
		if err := getHealth(c, addr); err != nil {
			t.Fatal(err)
		}
		hoarders = append(hoarders, c)
	}
	done := make(chan error, 1)
	go func() { done <- getHealth(&http.Client{Transport: &http.Transport{DisableKeepAlives: true}}, addr) }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second): // a hang, not a speed bound: without room it waits 2 minutes
		t.Fatal("a new client waits while 3 idle connections fill the cap")
	}
	// The client whose idle connection was closed simply connects again.
	for i, c := range hoarders {
		if err := getHealth(c, addr); err != nil {
			t.Errorf("client %d after the eviction: %v", i, err)
		}
	}
}

func TestServe_HugeHeadersAreRefusedWith431(t *testing.T) {
	addr := startServe(t, serveConfig{})
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	go io.WriteString(conn, "POST /hook/x HTTP/1.1\r\nHost: x\r\nX-Pad: "+strings.Repeat("a", 200<<10)+"\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Fatalf("status %d for 200 KB of headers, want 431", resp.StatusCode)
	}
}

func TestServeFlags_MaxConnectionsFromFlagAndEnvironment(t *testing.T) {
	if c, _ := parseServeFlags(nil, io.Discard); c.MaxConnections != 1024 {
		t.Errorf("default %d, want 1024", c.MaxConnections)
	}
	t.Setenv("HOOKFLOW_MAX_CONNECTIONS", "64")
	if c, _ := parseServeFlags(nil, io.Discard); c.MaxConnections != 64 {
		t.Errorf("from the environment: %d, want 64", c.MaxConnections)
	}
	if c, _ := parseServeFlags([]string{"--max-connections", "5"}, io.Discard); c.MaxConnections != 5 {
		t.Errorf("from the flag: %d, want 5", c.MaxConnections)
	}
}

// A client that asks and never reads the answers would hold its connection (and its place under
// the cap) for ever once the socket buffers are full: a write making no progress is cut off.
func TestServe_ClientThatDoesNotReadItsAnswersIsCutOff(t *testing.T) {
	addr := startServe(t, serveConfig{MaxConnections: 1, WriteTimeout: 500 * time.Millisecond})
	stuck, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer stuck.Close()
	// Pipelined requests until their unread answers fill the buffers of both sides: the server
	// then stops reading requests, and a write of ours waits.
	blocked := make(chan struct{})
	go func() {
		batch := strings.Repeat("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n", 100)
		for {
			stuck.SetWriteDeadline(time.Now().Add(time.Second))
			if _, err := io.WriteString(stuck, batch); err != nil {
				close(blocked)
				return
			}
		}
	}()
	select {
	case <-blocked:
	case <-time.After(time.Minute):
		t.Fatal("the server reads requests whose answers are not read")
	}

	// The only place is the stuck client's: a newcomer is served once the server gives up on it.
	waitServed(t, healthOfNewcomer(addr), 30*time.Second, "a client that does not read its answers holds its connection")
}

// The per-request deadlines are for requests: a live log (websocket) outlives them all.
func TestServe_LiveLogOutlivesTheRequestDeadlines(t *testing.T) {
	addr := startServe(t, serveConfig{MaxConnections: 4, HeaderTimeout: 200 * time.Millisecond,
		BodyTimeout: 200 * time.Millisecond, WriteTimeout: 200 * time.Millisecond})
	base := "http://" + addr
	post := func(path, token, body string, out any) {
		t.Helper()
		var answer json.RawMessage
		if code := testkit.CallJSON(t, base, token, "POST", path, body, &answer); code/100 != 2 {
			t.Fatalf("POST %s: %d %s", path, code, answer)
		}
		if out != nil {
			if err := json.Unmarshal(answer, out); err != nil {
				t.Fatal(err)
			}
		}
	}
	var me struct{ Token string }
	post("/api/auth/signup", "", `{"email":"owner@example.com","password":"password of owner"}`, &me)
	var flow struct {
		ID         string `json:"id"`
		WebhookURL string `json:"webhook_url"`
	}
	post("/api/flows", me.Token, `{"schema":1,"name":"x","nodes":[{"id":"trigger","kind":"webhook"}],"edges":[]}`, &flow)

	ws, _, err := websocket.DefaultDialer.Dial("ws://"+addr+"/api/flows/"+flow.ID+"/live",
		http.Header{"Authorization": {"Bearer " + me.Token}})
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	time.Sleep(time.Second) // five times every deadline: what is tested is that nothing cuts the log
	post("/hook/"+flow.WebhookURL[strings.LastIndex(flow.WebhookURL, "/")+1:], "", `{"a":1}`, nil)
	ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	var ev struct{ Type string }
	if err := ws.ReadJSON(&ev); err != nil || ev.Type == "" {
		t.Fatalf("the live log after the deadlines: %+v %v", ev, err)
	}
}

// healthOfNewcomer asks for /healthz on a connection of its own: the answer's error, when it comes.
func healthOfNewcomer(addr string) <-chan error {
	done := make(chan error, 1)
	go func() { done <- getHealth(&http.Client{Transport: &http.Transport{DisableKeepAlives: true}}, addr) }()
	return done
}

// waitServed waits for a newcomer's answer: it must come, without an error, within the given
// time (a hang, not a speed bound); hung says what a hang means.
func waitServed(t *testing.T, newcomer <-chan error, within time.Duration, hung string) {
	t.Helper()
	select {
	case err := <-newcomer:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(within):
		t.Fatal(hung)
	}
}
