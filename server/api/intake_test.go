package api_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/hookflow/hookflow/server/core"
)

// What a webhook stores is its method, query, headers and body: the --max-body limit applies to
// all of it, or a sender passes megabytes in headers and the query on top of the body.
func TestWebhook_HeadersAndQueryCountTowardsTheSizeLimit(t *testing.T) {
	t.Parallel()
	s := startServer(t, "sqlite", http.DefaultClient, configured(func(c *core.Config) { c.MaxBodyBytes = 4096 }))
	f := s.createFlow(t, `{"schema":1,"name":"x","nodes":[{"id":"trigger","kind":"webhook"}],"edges":[]}`)
	pad := strings.Repeat("a", 3500)
	cases := []struct {
		name, query, header string
		body                string
		chunked             bool
		status              int
	}{
		{"small request", "a=1", "", strings.Repeat("b", 1000), false, 202},
		{"big header and body", "", pad, strings.Repeat("b", 1000), false, 413},
		{"big query and body", "q=" + pad, "", strings.Repeat("b", 1000), false, 413},
		{"big header and body of unknown length", "", pad, strings.Repeat("b", 1000), true, 413},
		{"headers alone over the limit", "", pad + pad, "", false, 413},
	}
	stored := 0
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			u := f.WebhookURL
			if tc.query != "" {
				u += "?" + tc.query
			}
			var body io.Reader = strings.NewReader(tc.body)
			if tc.chunked {
				body = io.MultiReader(body) // no length known in advance: sent chunked
			}
			req, _ := http.NewRequest("POST", u, body)
			if tc.header != "" {
				req.Header.Set("X-Pad", tc.header)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var e struct{ Error string }
			data, _ := io.ReadAll(resp.Body)
			_ = json.Unmarshal(data, &e)
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d (%s), want %d", resp.StatusCode, data, tc.status)
			}
			if tc.status == 413 && (!strings.Contains(e.Error, "larger than the limit of 4 KB") || !strings.Contains(e.Error, "headers")) {
				t.Errorf("the refusal does not say what is too large: %q", e.Error)
			}
			if tc.status/100 == 2 {
				stored++
			}
		})
	}
	var res struct{ Samples []json.RawMessage }
	s.call("GET", "/api/flows/"+f.ID+"/samples", nil, &res)
	if len(res.Samples) != stored {
		t.Errorf("%d requests stored, want %d (refused ones are not kept)", len(res.Samples), stored)
	}
}
