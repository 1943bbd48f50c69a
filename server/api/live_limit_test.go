package api_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// Each live log holds a connection of the server's capped number: one user (or one leaked API
// token) must not be able to take them all and keep webhooks out.
func TestLive_OneUserCannotHoldMoreThanTheCapOfLiveLogs(t *testing.T) {
	s := startServer(t, "sqlite", nil)
	f := s.createFlow(t, `{"schema":1,"name":"x","nodes":[{"id":"trigger","kind":"webhook"}],"edges":[]}`)
	url := "ws" + strings.TrimPrefix(s.URL, "http") + "/api/flows/" + f.ID + "/live"
	var open []*websocket.Conn
	t.Cleanup(func() {
		for _, c := range open {
			c.Close()
		}
	})
	for i := 0; i < 32; i++ {
		c, _, err := websocket.DefaultDialer.Dial(url, s.authHeader())
		if err != nil {
			t.Fatalf("live log %d of 32 refused: %v", i+1, err)
		}
		open = append(open, c)
	}
	_, resp, err := websocket.DefaultDialer.Dial(url, s.authHeader())
	if err == nil || resp == nil || resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("the 33rd live log of one user: %v %v, want 429", err, resp)
	}
	// Closing one gives its place back (once the server has seen it close).
	open[0].Close()
	open = open[1:]
	eventually(t, 10*time.Second, func() bool {
		c, _, err := websocket.DefaultDialer.Dial(url, s.authHeader())
		if err != nil {
			return false
		}
		open = append(open, c)
		return true
	}, "the closed live log's place was not given back")
}
