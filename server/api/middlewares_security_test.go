package api_test

import (
	"net/http"
	"strings"
	"testing"
)

// Every answer carries the headers; the editor's own files get the policy that lets the editor
// run, and everything else (API, webhooks, errors, a missing file) the inert one.
func TestSecurityHeaders_OnEveryAnswerIncludingErrorsAndWebhooks(t *testing.T) {
	t.Parallel()
	s := startServer(t, "sqlite", nil)
	f := s.createFlow(t, `{"schema":1,"nodes":[{"id":"trigger","kind":"webhook","config":{}}]}`)
	cases := []struct {
		name, method, path string
		editor             bool
	}{
		{"editor page", "GET", "/", true},
		{"editor bundle", "GET", "/assets/app-1.js", true},
		{"engine worker", "GET", "/engine/worker.js", true},
		{"missing editor file", "GET", "/assets/nope.js", false},
		{"health", "GET", "/healthz", false},
		{"api list", "GET", "/api/flows", false},
		{"api not found", "GET", "/api/flows/nope", false},
		{"flow export", "GET", "/api/flows/" + f.ID + "/export", false},
		{"unknown route", "GET", "/nowhere/at/all", false},
		{"webhook", "POST", "/hook/" + tokenOf(f.WebhookURL), false},
		{"unknown webhook", "POST", "/hook/nope", false},
	}
	want := map[string]string{
		"X-Content-Type-Options": "nosniff",
		"Referrer-Policy":        "no-referrer",
		"X-Frame-Options":        "DENY",
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(tc.method, s.URL+tc.path, nil)
			req.Header.Set("Authorization", "Bearer "+s.token)
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
			if !tc.editor {
				if csp != hookPolicy {
					t.Errorf("CSP %q, want %q", csp, hookPolicy)
				}
				return
			}
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
