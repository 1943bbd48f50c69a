package api_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

func TestWebhook_OverTheFlowsRateLimitGets429WithRetryAfter(t *testing.T) {
	s := startServer(t, "sqlite", nil)
	doc := `{"schema":1,"nodes":[{"id":"trigger","kind":"webhook","config":{}}]}`
	var limited, other flowView
	// One request per 100 s after a burst of 2: the third is refused however slow the machine.
	body := `{"document":` + doc + `,"settings":{"rate_limit":{"per_second":0.01,"burst":2}}}`
	if code := s.call("POST", "/api/flows", body, &limited); code != 201 {
		t.Fatalf("create: %d", code)
	}
	other = s.createFlow(t, doc)

	send := func(url string) (*http.Response, []byte) {
		resp, err := http.Post(url, "text/plain", strings.NewReader("x"))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		data, _ := io.ReadAll(resp.Body)
		return resp, data
	}
	for i := 0; i < 2; i++ {
		if resp, data := send(limited.WebhookURL); resp.StatusCode >= 300 {
			t.Fatalf("request %d within the burst: %d %s", i+1, resp.StatusCode, data)
		}
	}
	resp, data := send(limited.WebhookURL)
	if resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("over the limit: %d %s, want 429", resp.StatusCode, data)
	}
	if ra, err := strconv.Atoi(resp.Header.Get("Retry-After")); err != nil || ra < 1 {
		t.Errorf("Retry-After %q, want whole seconds ≥ 1", resp.Header.Get("Retry-After"))
	}
	var e struct{ Error string }
	if err := json.Unmarshal(data, &e); err != nil || !strings.Contains(e.Error, "slow down") {
		t.Errorf("error body %s, want a sentence asking to slow down", data)
	}
	if resp, data := send(other.WebhookURL); resp.StatusCode >= 300 {
		t.Errorf("another flow is limited too: %d %s", resp.StatusCode, data)
	}
}
