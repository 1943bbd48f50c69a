package api_test

import (
	"strings"
	"testing"
	"time"

	"github.com/hookflow/hookflow/flows/flowstest"
	"github.com/hookflow/hookflow/server/core"
)

// The API shows secret input values masked, so only the server can copy them: a duplicate that is
// started must send the original's real API key.
func TestServer_DuplicateKeepsSecretInputsAndStartsStopped(t *testing.T) {
	t.Parallel()
	onEachDatabase(t, func(t *testing.T, dialect string) {
		cpa := flowstest.NewTarget(t, flowstest.Reply(200, `{"status":"success"}`))
		s := startServer(t, dialect, cpa.Client(), configured(keyed(t))) // secrets sealed for the original flow
		orig := s.instantiate("getcourse-cpa-house", map[string]string{"api_key": "cpa-secret", "id_webmaster": "501", "id_offer": "77", "id_source": "12", "id_stream": "3"})

		var dup struct {
			flowView
			Name     string         `json:"name"`
			Settings map[string]any `json:"settings"`
		}
		if code := s.call("POST", "/api/flows/"+orig.ID+"/duplicate", nil, &dup); code != 201 {
			t.Fatalf("duplicate: %d %+v", code, dup)
		}
		if dup.ID == orig.ID || dup.WebhookURL == orig.WebhookURL || dup.Active {
			t.Fatalf("the copy must be a new, stopped flow with its own webhook: %+v", dup)
		}
		if !strings.HasSuffix(dup.Name, " (copy)") || dup.Values["api_key"] != core.SecretMask || dup.Values["id_offer"] != "77" {
			t.Fatalf("copy = name %q values %v", dup.Name, dup.Values)
		}
		if len(dup.Problems) != 0 {
			t.Fatalf("the copy lost input values: %+v", dup.Problems)
		}

		var started flowView
		if code := s.call("POST", "/api/flows/"+dup.ID+"/start", nil, &started); code != 200 {
			t.Fatalf("start copy: %d %+v", code, started)
		}
		hook(t, dup.WebhookURL, "GET", "email=anna%40example.ru&phone=%2B79161234567&first_name=Anna", "", "")
		s.waitRuns(dup.ID, "success", 1, 10*time.Second)
		got := cpa.Requests()
		if len(got) != 1 || got[0].Form.Get("api_key") != "cpa-secret" {
			t.Fatalf("CPA.House got %+v, want the original's secret api_key", got)
		}
		var origRuns struct{ Runs []runView }
		s.call("GET", "/api/flows/"+orig.ID+"/runs", nil, &origRuns)
		if len(origRuns.Runs) != 0 {
			t.Fatalf("the copy's run is in the original's journal: %+v", origRuns.Runs)
		}
	})
}

func TestServer_DuplicateTakesANameAndRefusesBadRequests(t *testing.T) {
	t.Parallel()
	s := startServer(t, "sqlite", nil)
	orig := s.createFlow(t, `{"schema":1,"name":"Leads","nodes":[{"id":"trigger","kind":"webhook"}],"edges":[]}`)
	cases := []struct {
		name, path string
		body       any
		wantCode   int
		wantName   string
		wantError  string
	}{
		{"named copy", "/api/flows/" + orig.ID + "/duplicate", map[string]string{"name": "Копия Leads"}, 201, "Копия Leads", ""},
		{"empty body gives the default name", "/api/flows/" + orig.ID + "/duplicate", nil, 201, "Leads (copy)", ""},
		{"unknown flow", "/api/flows/nope/duplicate", nil, 404, "", ""},
		{"body is not JSON", "/api/flows/" + orig.ID + "/duplicate", "name=x", 400, "", "the copy's name"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var out struct {
				Name  string `json:"name"`
				Error string `json:"error"`
			}
			code := s.call("POST", tc.path, tc.body, &out)
			if code != tc.wantCode || out.Name != tc.wantName || !strings.Contains(out.Error, tc.wantError) {
				t.Fatalf("%d %+v, want %d name %q error containing %q", code, out, tc.wantCode, tc.wantName, tc.wantError)
			}
		})
	}
}
