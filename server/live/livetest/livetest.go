// Package livetest reads live logs in tests of the packages that serve them (livepg, the
// hookflow command); only tests import it.
package livetest

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/hookflow/hookflow/server/live"
)

// Read is the next event of a live log; the test fails when none comes within the time.
func Read(tb testing.TB, conn *websocket.Conn, within time.Duration) live.Event {
	tb.Helper()
	_ = conn.SetReadDeadline(time.Now().Add(within))
	_, data, err := conn.ReadMessage()
	if err != nil {
		tb.Fatalf("live log: %v", err)
	}
	var ev live.Event
	if err := json.Unmarshal(data, &ev); err != nil {
		tb.Fatal(err)
	}
	return ev
}
