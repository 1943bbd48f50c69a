package api_test

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/hookflow/hookflow/server/live"
)

// liveConn opens the flow's live log with the given headers.
func liveConn(t *testing.T, s *testServer, flowID string, header http.Header) *websocket.Conn {
	t.Helper()
	conn, resp, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(s.URL, "http")+"/api/flows/"+flowID+"/live", header)
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		t.Fatalf("opening the live log: %v (%d)", err, status)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// closedWith reads until the server closes the connection and returns the close code and reason
// (0 when the connection is still open after a few seconds).
// wantClosed checks that the server closed conn with code and a reason that says says; what names
// the connection in the failure.
func wantClosed(t *testing.T, conn *websocket.Conn, code int, says, what string) {
	t.Helper()
	if got, reason := closedWith(t, conn); got != code || !strings.Contains(reason, says) {
		t.Fatalf("%s: close %d %q, want %d saying %q", what, got, reason, code, says)
	}
}

func closedWith(t *testing.T, conn *websocket.Conn) (int, string) {
	t.Helper()
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		_, _, err := conn.ReadMessage()
		if err == nil {
			continue
		}
		var ce *websocket.CloseError
		if errors.As(err, &ce) {
			return ce.Code, ce.Text
		}
		return 0, err.Error()
	}
}

// stillOpen proves a connection still streams: an event published now reaches it.
func stillOpen(t *testing.T, s *testServer, flowID string, conn *websocket.Conn) {
	t.Helper()
	ev := s.app.Hub().Publish(flowID, live.Event{Type: live.TypeRunStarted, RunID: "probe"})
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		var got live.Event
		if err := conn.ReadJSON(&got); err != nil {
			t.Fatalf("a connection that should stay open: %v", err)
		}
		if got.Seq == ev.Seq {
			return
		}
	}
}

// The live log is tied to the credential it was opened with: signing out, revoking the API token
// or leaving the team closes it at once, with a code and a sentence, instead of streaming on.
func TestLive_ConnectionClosesWhenItsSessionTokenOrMembershipEnds(t *testing.T) {
	t.Parallel()
	s := startServer(t, "sqlite", http.DefaultClient)
	flow := s.createFlow(t, minimalFlow)
	anon := &testServer{t: t, URL: s.URL}
	join := func(email, role string) (session, userID string) {
		var inv struct{ Token string }
		s.call("POST", "/api/invitations", map[string]string{"role": role}, &inv)
		var me struct {
			Token string
			User  struct{ ID string }
		}
		if code := anon.call("POST", "/api/auth/signup", map[string]string{"email": email, "password": "password of " + role, "invitation": inv.Token}, &me); code != 201 {
			t.Fatalf("signup: %d", code)
		}
		return me.Token, me.User.ID
	}
	bearer := func(token string) http.Header { return http.Header{"Authorization": {"Bearer " + token}} }
	apiToken := func(session string) (token, id string) {
		var tok struct{ ID, Token string }
		(&testServer{t: t, URL: s.URL, token: session}).call("POST", "/api/tokens", map[string]string{"name": "watcher"}, &tok)
		return tok.Token, tok.ID
	}
	ownerConn := liveConn(t, s, flow.ID, s.authHeader())
	// part runs one case, then reads the owner's log, which stays open: a log nobody reads
	// misses the server's pings.
	part := func(name string, run func(t *testing.T)) {
		t.Run(name, func(t *testing.T) {
			run(t)
			stillOpen(t, s, flow.ID, ownerConn)
		})
	}

	part("signing out", func(t *testing.T) {
		session, _ := join("out@example.com", "viewer")
		b := newBrowser(t, s.URL)
		if code, body := b.send("POST", "/api/auth/login", `{"email":"out@example.com","password":"password of viewer"}`); code != 200 {
			t.Fatalf("login: %d %s", code, body)
		}
		cookie := http.Header{"Cookie": {"hookflow_session=" + b.cookie("hookflow_session")}}
		browserConn := liveConn(t, s, flow.ID, cookie)
		otherBrowser := liveConn(t, s, flow.ID, bearer(session)) // the same person, signed in elsewhere
		if code, _ := b.send("POST", "/api/auth/logout", "", "X-CSRF-Token", b.cookie("hookflow_csrf")); code != 204 {
			t.Fatalf("logout: %d", code)
		}
		wantClosed(t, browserConn, live.CloseSignedOut, "signed out", "the signed-out browser's live log")
		stillOpen(t, s, flow.ID, otherBrowser)
	})

	part("revoking the API token", func(t *testing.T) {
		session, _ := join("script@example.com", "viewer")
		token, id := apiToken(session)
		scriptConn := liveConn(t, s, flow.ID, bearer(token))
		other, _ := apiToken(session)
		otherConn := liveConn(t, s, flow.ID, bearer(other))
		if code := (&testServer{t: t, URL: s.URL, token: session}).call("DELETE", "/api/tokens/"+id, nil, nil); code != 204 {
			t.Fatalf("revoke: %d", code)
		}
		wantClosed(t, scriptConn, live.CloseSignedOut, "revoked", "the revoked token's live log")
		stillOpen(t, s, flow.ID, otherConn)
	})

	part("removing the member", func(t *testing.T) {
		session, userID := join("gone@example.com", "editor")
		token, _ := apiToken(session)
		conns := []*websocket.Conn{liveConn(t, s, flow.ID, bearer(session)), liveConn(t, s, flow.ID, bearer(token))}
		if code := s.call("DELETE", "/api/members/"+userID, nil, nil); code != 204 {
			t.Fatalf("remove: %d", code)
		}
		for i, conn := range conns {
			wantClosed(t, conn, live.CloseNoAccess, "no longer a member", fmt.Sprintf("connection %d of the removed member", i))
		}
	})

	part("a lower role keeps watching", func(t *testing.T) {
		session, userID := join("lower@example.com", "editor")
		conn := liveConn(t, s, flow.ID, bearer(session))
		if code := s.call("PUT", "/api/members/"+userID, map[string]string{"role": "viewer"}, nil); code != 200 {
			t.Fatalf("role: %d", code)
		}
		stillOpen(t, s, flow.ID, conn)
	})
}
