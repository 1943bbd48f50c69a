package api_test

import (
	"net/http"
	"strings"
	"testing"
)

func TestSecurityHeaders_OnEveryAnswerIncludingErrorsAndWebhooks(t *testing.T) {
	s := startServer(t, "sqlite", nil)
	f := s.createFlow(t, `{"schema":1,"nodes":[{"id":"trigger","kind":"webhook","config":{}}]}`)
	cases := []struct {
		name, method, path string
	}{
		{"health", "GET", "/healthz"},
		{"api list", "GET", "/api/flows"},
		{"api not found", "GET", "/api/flows/nope"},
		{"unknown route", "GET", "/nowhere"},
		{"webhook", "POST", "/hook/" + tokenOf(f.WebhookURL)},
		{"unknown webhook", "POST", "/hook/nope"},
	}
	want := map[string]string{
		"X-Content-Type-Options": "nosniff",
		"Referrer-Policy":        "no-referrer",
		"X-Frame-Options":        "DENY",
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(tc.method, s.URL+tc.path, nil)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			for k, v := range want {
				if got := resp.Header.Get(k); got != v {
					t.Errorf("%s = %q, want %q", k, got, v)
				}
			}
			csp := resp.Header.Get("Content-Security-Policy")
			// The editor's wasm engine compiles in a worker from our origin and talks to the
			// API and live log on the same origin; React Flow needs inline styles.
			for _, directive := range []string{
				"script-src 'self' 'wasm-unsafe-eval'", "worker-src 'self'", "connect-src 'self'",
				"style-src 'self' 'unsafe-inline'", "img-src 'self' data:", "frame-ancestors 'none'",
			} {
				if !strings.Contains(csp, directive) {
					t.Errorf("CSP %q lacks %q", csp, directive)
				}
			}
			if strings.Contains(csp, "'unsafe-eval'") {
				t.Errorf("CSP allows JavaScript eval: %q", csp)
			}
		})
	}
}
