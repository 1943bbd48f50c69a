package api_test

import (
	"strings"
	"testing"
	"time"

	"github.com/hookflow/hookflow/flows"
)

func TestOutbound_MetadataAddressIsRefusedAtSaveAndAtRunWithoutRetries(t *testing.T) {
	t.Parallel()
	s := startServer(t, "sqlite", nil) // the default client: the outbound policy applies

	t.Run("literal URL at save", func(t *testing.T) {
		var e struct {
			Error   string
			Details []flows.Problem
		}
		code := s.call("POST", "/api/flows", `{"schema":1,"nodes":[{"id":"trigger","kind":"webhook"},
		  {"id":"send","kind":"http","name":"Steal keys","config":{"url":"http://169.254.169.254/latest/meta-data/iam/"}}],
		  "edges":[{"from":"trigger","to":"send"}]}`, &e)
		if code != 422 || len(e.Details) != 1 || e.Details[0].Code != flows.CodeURLDenied || e.Details[0].Node != "send" || e.Details[0].Field != "url" {
			t.Fatalf("%d %+v", code, e)
		}
		if !strings.Contains(e.Error, "Steal keys") || !strings.Contains(e.Error, "cloud metadata") {
			t.Errorf("error %q", e.Error)
		}
	})

	t.Run("address from a setting at run", func(t *testing.T) {
		var v flowView
		s.call("POST", "/api/flows", `{"document":{"schema":1,"inputs":[{"key":"url"}],"nodes":[{"id":"trigger","kind":"webhook"},
		  {"id":"send","kind":"http","name":"Steal keys","config":{"url":"{{inputs.url}}","retries":3}}],
		  "edges":[{"from":"trigger","to":"send"}]},"input_values":{"url":"http://169.254.169.254/latest/"}}`, &v)
		s.call("POST", "/api/flows/"+v.ID+"/start", nil, nil)
		hook(t, v.WebhookURL, "GET", "", "", "")
		runs := s.waitRuns(v.ID, "failed", 1, 20*time.Second)
		if !strings.Contains(runs[0].Error, "Steal keys") || !strings.Contains(runs[0].Error, "169.254.169.254") {
			t.Errorf("error %q does not name the step and the address", runs[0].Error)
		}
		if strings.Contains(runs[0].Error, "will try again") {
			t.Errorf("a refused address is retried: %q", runs[0].Error)
		}
	})
}
