package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/hookflow/hookflow/server/internal/testkit"
	"github.com/hookflow/hookflow/server/store"
)

// When the database's disk is full, a webhook is refused with a 503, a sentence and
// Retry-After (a source that honours it sends it again; one that does not at least sees a
// clear refusal, not a generic 500), /healthz and /metrics say so, and as soon as there is
// room again intake works with no restart; every webhook acknowledged before, during and
// after has its run stored. The full disk is a size-limited database file (max_page_count)
// and, where the test may mount one (as root), a real 3 MB tmpfs.
func TestServer_DiskFullRefusesWebhooksWith503AndRecoversByItself(t *testing.T) {
	for _, tc := range []struct {
		name  string
		start func(t *testing.T) (s *testServer, fill, free func())
	}{
		{"size-limited file", func(t *testing.T) (*testServer, func(), func()) {
			s := startServer(t, "sqlite", http.DefaultClient)
			limit := func(pages string) {
				var got int
				if err := s.st.Write(context.Background()).Raw("PRAGMA max_page_count = " + pages).Scan(&got).Error; err != nil {
					t.Fatal(err)
				}
			}
			fill := func() { // the file may not grow past its size now
				var pages int
				if err := s.st.Write(context.Background()).Raw("PRAGMA page_count").Scan(&pages).Error; err != nil {
					t.Fatal(err)
				}
				limit(fmt.Sprint(pages))
			}
			return s, fill, func() { limit("1073741823") }
		}},
		{"small tmpfs", func(t *testing.T) (*testServer, func(), func()) {
			dir := t.TempDir()
			if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", dir).CombinedOutput(); err != nil {
				t.Skipf("cannot mount a tmpfs here (%v: %s); the size-limited file covers the same path", err, out)
			}
			t.Cleanup(func() { _ = exec.Command("umount", dir).Run() }) // after the server's own cleanup
			st, err := store.Open(context.Background(), store.Options{DataDir: dir})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close() })
			s := startServer(t, "", http.DefaultClient, onStore(st))
			return s, func() {}, func() { // the webhooks fill it; then it grows
				if out, err := exec.Command("mount", "-o", "remount,size=32m", dir).CombinedOutput(); err != nil {
					t.Fatalf("growing the tmpfs: %v: %s", err, out)
				}
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, fill, free := tc.start(t)
			diskFullAndBack(t, s, fill, free)
		})
	}
}

// diskFullAndBack fills the disk, checks the refusals, frees it and checks the recovery.
func diskFullAndBack(t *testing.T, s *testServer, fill, free func()) {
	var flow flowView
	if code := s.call("POST", "/api/flows", `{"document":{"schema":1,"name":"leads","nodes":[{"id":"trigger","kind":"webhook"}],"edges":[]},
	  "settings":{"rate_limit":{"per_second":1000000,"burst":1000000}}}`, &flow); code != 201 {
		t.Fatalf("create flow: %d", code)
	}
	s.call("POST", "/api/flows/"+flow.ID+"/start", nil, nil)
	st := s.st
	ctx := context.Background()

	type answer struct {
		code       int
		retryAfter string
		err        string
		eventID    string
	}
	send := func(i int) answer {
		t.Helper()
		body := fmt.Sprintf(`{"email":"u%d@example.ru","comment":%q}`, i, strings.Repeat("x", 32<<10))
		resp, err := http.Post(flow.WebhookURL, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out struct {
			Error   string `json:"error"`
			EventID string `json:"event_id"`
		}
		data, _ := io.ReadAll(resp.Body)
		_ = json.Unmarshal(data, &out)
		return answer{resp.StatusCode, resp.Header.Get("Retry-After"), out.Error, out.EventID}
	}
	health := func() (int, string) {
		resp, err := http.Get(s.URL + "/healthz")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out struct{ Reason string }
		_ = json.NewDecoder(resp.Body).Decode(&out)
		return resp.StatusCode, out.Reason
	}
	metric := func(name string) string {
		resp, err := http.Get(s.URL + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		data, _ := io.ReadAll(resp.Body)
		for _, line := range strings.Split(string(data), "\n") {
			if v, ok := strings.CutPrefix(line, name+" "); ok {
				return v
			}
		}
		return ""
	}
	var acked []string
	for i := 0; i < 5; i++ {
		a := send(i)
		if a.code != 200 {
			t.Fatalf("webhook before the disk is full → %d %s", a.code, a.err)
		}
		acked = append(acked, a.eventID)
	}

	fill()
	var refused *answer
	for i := 5; i < 200 && refused == nil; i++ {
		switch a := send(i); a.code {
		case 200:
			acked = append(acked, a.eventID) // still fitted in the file's free pages
		case 503:
			refused = &a
		default:
			t.Fatalf("webhook on a full disk → %d %s, want 503", a.code, a.err)
		}
	}
	if refused == nil {
		t.Fatal("200 webhooks of 32 KB all fitted on the full disk")
	}
	if want := "hookflow's disk is full; the request was not stored; send it again later"; refused.err != want || refused.retryAfter != "60" {
		t.Fatalf("refusal = %+v, want the sentence %q and Retry-After: 60", *refused, want)
	}
	if code, reason := health(); code != 503 || reason != "disk_full" {
		t.Fatalf("/healthz on a full disk → %d %q, want 503 disk_full", code, reason)
	}
	if v := metric("hookflow_disk_full"); v != "1" {
		t.Fatalf("hookflow_disk_full = %q on a full disk, want 1", v)
	}
	if v := metric(`hookflow_webhooks_rejected_total{reason="disk_full"}`); v == "" || v == "0" {
		t.Fatalf("no webhook counted as rejected for a full disk (%q)", v)
	}
	if a := send(1000); a.code != 503 {
		t.Fatalf("second webhook on a full disk → %d", a.code)
	}

	// Room again: no restart, no webhook needed for /healthz to see it (at its next probe of the
	// disk, a second at most after the last).
	free()
	testkit.EventuallyNil(t, 5*time.Second, func() error {
		if code, reason := health(); code != 200 {
			return fmt.Errorf("/healthz after space came back → %d %q, want 200", code, reason)
		}
		return nil
	})
	if v := metric("hookflow_disk_full"); v != "0" {
		t.Fatalf("hookflow_disk_full = %q after space came back, want 0", v)
	}
	for i := 2000; i < 2005; i++ {
		a := send(i)
		if a.code != 200 {
			t.Fatalf("webhook after space came back → %d %s", a.code, a.err)
		}
		acked = append(acked, a.eventID)
	}

	// Nothing acknowledged is lost: every one has its run.
	testkit.EventuallyNil(t, time.Minute, func() error {
		var n int64
		if err := st.Read(ctx).Model(&store.Run{}).Where("event_id IN ?", acked).Distinct("event_id").Count(&n).Error; err != nil {
			t.Fatal(err)
		}
		if n != int64(len(acked)) {
			return fmt.Errorf("%d of %d acknowledged webhooks have a stored run since space came back", n, len(acked))
		}
		return nil
	})
}
