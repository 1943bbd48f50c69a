package api_test

import (
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/hookflow/hookflow/server/live"
)

// The editor's "wait for a test request" listens for event_received on the live log and then
// shows that stored request: it must be announced, with its id, whether the flow runs or not.
func TestServer_LiveLogAnnouncesEachStoredRequestWithItsID(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name       string
		stopped    bool
		wantStatus string
	}{
		{"a stopped flow keeps the request as a sample", true, "sample"},
		{"an active flow queues it for a run", false, "queued"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, _ := startWithCPA(t)
			v := s.cpaHouse()
			if tc.stopped {
				if code := s.call("POST", "/api/flows/"+v.ID+"/stop", nil, &v); code != 200 || v.Active {
					t.Fatalf("stop: %d %+v", code, v)
				}
			}
			conn, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(s.URL, "http")+"/api/flows/"+v.ID+"/live", s.authHeader())
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			reply := hook(t, v.WebhookURL, "GET", "email=a%40b.c&phone=1", "", "")
			eventID, _ := reply["event_id"].(string)
			if eventID == "" {
				t.Fatalf("webhook reply has no event_id: %v", reply)
			}

			conn.SetReadDeadline(time.Now().Add(10 * time.Second))
			var ev live.Event
			if err := conn.ReadJSON(&ev); err != nil {
				t.Fatalf("reading the live log: %v", err)
			}
			if ev.Type != live.TypeEventReceived || ev.EventID != eventID || ev.Status != tc.wantStatus {
				t.Fatalf("first live event = %+v, want event_received of %s with status %s", ev, eventID, tc.wantStatus)
			}

			var got struct {
				Samples []struct {
					EventID string         `json:"event_id"`
					Payload map[string]any `json:"payload"`
				} `json:"samples"`
			}
			if code := s.call("GET", "/api/flows/"+v.ID+"/samples", nil, &got); code != 200 {
				t.Fatalf("samples: %d", code)
			}
			found := false
			for _, smp := range got.Samples {
				if smp.EventID == eventID {
					found = smp.Payload["query"] == "email=a%40b.c&phone=1"
				}
			}
			if !found {
				t.Fatalf("the announced request %s is not among the samples with its query: %+v", eventID, got.Samples)
			}
		})
	}
}
