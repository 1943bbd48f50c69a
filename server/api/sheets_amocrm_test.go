package api_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/hookflow/hookflow/flows/flowstest"
	"github.com/hookflow/hookflow/server/core"
	"github.com/hookflow/hookflow/server/internal/testdb"
	"github.com/hookflow/hookflow/server/secrets"
)

// Any webhook → Google Sheets through the server: the lead arrives as JSON, the run signs in at
// the key's token_uri through the server's HTTP client and appends the row; when the table is
// not shared, the journal says so in Google's words and names the account to share it with,
// with the key and the token masked.
func TestServer_WebhookLeadBecomesAGoogleSheetsRow(t *testing.T) {
	t.Parallel()
	g := flowstest.NewGoogle(t)
	s := startServer(t, "sqlite", g.Client())
	f := s.instantiate("webhook-google-sheets", map[string]string{
		"google_key":  g.Key,
		"spreadsheet": "https://docs.google.com/spreadsheets/d/1BxiMVs0XRA5nFMdKvBdBZjgmUUqptlbs74OgvE2upms/edit#gid=0",
		"sheet":       "Leads",
	})
	hook(t, f.WebhookURL, "POST", "", "application/json", `{"name":"Анна","phone":"+7 916 123-45-67","email":"Anna@Mail.ru","utm_source":"yandex"}`)
	s.waitRuns(f.ID, "success", 1, 10*time.Second)
	got := g.Sheets.Requests()
	if len(got) != 1 || got[0].Host != "sheets.googleapis.com" || got[0].Path != "/v4/spreadsheets/1BxiMVs0XRA5nFMdKvBdBZjgmUUqptlbs74OgvE2upms/values/Leads:append" {
		t.Fatalf("Sheets got %+v", got)
	}
	var body struct{ Values [][]string }
	if err := json.Unmarshal([]byte(got[0].Body), &body); err != nil || len(body.Values) != 1 || len(body.Values[0]) != 5 ||
		strings.Join(body.Values[0][1:], "|") != "Анна|'+7 916 123-45-67|anna@mail.ru|yandex" {
		t.Fatalf("row = %s", got[0].Body)
	}

	g.Sheets.SetReplies(flowstest.Reply(403, `{"error":{"code":403,"message":"The caller does not have permission","status":"PERMISSION_DENIED"}}`))
	hook(t, f.WebhookURL, "POST", "", "application/json", `{"name":"Иван"}`)
	failed := s.waitRuns(f.ID, "failed", 1, 10*time.Second)
	if !strings.Contains(failed[0].Error, "The caller does not have permission") || !strings.Contains(failed[0].Error, g.Email) {
		t.Errorf("the journal says %q, want Google's words and the account to share the table with", failed[0].Error)
	}
	if n := len(g.Sheets.Requests()); n != 2 {
		t.Errorf("Sheets got %d requests; a refusal must not be retried", n)
	}
	var detail runView
	s.call("GET", "/api/runs/"+failed[0].ID, nil, &detail)
	trace := string(detail.Trace)
	if strings.Contains(trace, "PRIVATE KEY") || strings.Contains(trace, flowstest.AccessToken(1)) || strings.Contains(trace, g.PrivateKeyID) {
		t.Error("the key or the token is visible in the journal")
	}
}

// GetCourse order → amoCRM through the server: the lead with its contact arrives with the
// Bearer token, and amoCRM's validation error is journaled with the refused field.
func TestServer_GetCourseOrderBecomesAnAmoCRMLead(t *testing.T) {
	t.Parallel()
	amo := flowstest.NewTarget(t,
		flowstest.Reply(200, `[{"id":9774766,"contact_id":12117258,"company_id":null,"request_id":["0"],"merged":false}]`),
		flowstest.Reply(400, `{"validation-errors":[{"request_id":"0","errors":[{"code":"NotBlank","path":"_embedded.contacts.0.custom_fields_values.1.values.0.value","detail":"This value should not be blank."}]}],"title":"Bad Request","type":"https://httpstatus.es/400","status":400,"detail":"Request validation failed"}`))
	s := startServer(t, "sqlite", amo.Client())
	f := s.instantiate("getcourse-amocrm", map[string]string{"amo_subdomain": "school", "amo_token": "amo-server-token-777"})

	hook(t, f.WebhookURL, "GET", "number=5417&cost_money_value=1990&user_first_name=%D0%90%D0%BD%D0%BD%D0%B0&user_phone=%2B79161234567&user_email=anna%40mail.ru", "", "")
	s.waitRuns(f.ID, "success", 1, 10*time.Second)
	got := amo.Requests()
	if len(got) != 1 || got[0].Host != "school.amocrm.ru" || got[0].Path != "/api/v4/leads/complex" || got[0].Header.Get("Authorization") != "Bearer amo-server-token-777" {
		t.Fatalf("amoCRM got %+v", got)
	}
	var leads []struct {
		Name     string `json:"name"`
		Price    int    `json:"price"`
		Embedded struct {
			Contacts []struct {
				FirstName string `json:"first_name"`
			} `json:"contacts"`
		} `json:"_embedded"`
	}
	if err := json.Unmarshal([]byte(got[0].Body), &leads); err != nil || len(leads) != 1 || leads[0].Price != 1990 || leads[0].Embedded.Contacts[0].FirstName != "Анна" {
		t.Fatalf("body = %s (%v)", got[0].Body, err)
	}

	// amoCRM's validation error in the journal; the amoCRM token nowhere in it.
	refusedRun(t, s, f, "number=5418&cost_money_value=500&user_first_name=Ivan",
		"custom_fields_values.1.values.0.value: This value should not be blank.", "amo-server-token-777")
}

// A key pasted into the Google Sheets step itself (a flow built by hand has no settings) is a
// secret like a secret header: sealed in the database, masked in the API's answers, kept when
// the editor sends the mask back, and opened only to run.
func TestServer_SheetsKeyPastedIntoTheStepIsSealedAndMasked(t *testing.T) {
	t.Parallel()
	g := flowstest.NewGoogle(t)
	opts := testdb.Options(t, "sqlite")
	st := openStore(t, opts)
	box := newBox(t, opts.DataDir)
	s := startServer(t, "", g.Client(), onStore(st), configured(func(c *core.Config) { c.Secrets = box }))
	cfg, _ := json.Marshal(map[string]any{"key": g.Key, "spreadsheet": "1BxiMVs0XRA5nFMdKvBdBZjgmUUqptlbs74OgvE2upms", "sheet": "Leads",
		"cells": []map[string]string{{"value": "{{trigger.params.name}}"}}})
	doc := `{"schema":1,"name":"by hand","nodes":[{"id":"trigger","kind":"webhook"},{"id":"row","kind":"google_sheets","config":` + string(cfg) + `}],
		"edges":[{"from":"trigger","to":"row"}]}`
	f := s.createFlow(t, doc)

	stored, err := st.Flow(context.Background(), f.ID)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(stored.Document, "PRIVATE KEY") || !strings.Contains(stored.Document, secrets.Prefix) {
		t.Fatalf("the key is not sealed in the database: %.300s", stored.Document)
	}
	var view struct {
		Document struct {
			Nodes []struct {
				Config map[string]any `json:"config"`
			} `json:"nodes"`
		} `json:"document"`
	}
	s.call("GET", "/api/flows/"+f.ID, nil, &view)
	if got := view.Document.Nodes[1].Config["key"]; got != core.SecretMask {
		t.Fatalf("the API shows the key as %.40q", got)
	}
	// The editor saves the flow with the mask in the field: the stored key stays.
	var raw map[string]any
	s.call("GET", "/api/flows/"+f.ID, nil, &raw)
	if code := s.call("PUT", "/api/flows/"+f.ID, raw, nil); code != 200 {
		t.Fatalf("save: %d", code)
	}
	if code := s.call("POST", "/api/flows/"+f.ID+"/start", nil, nil); code != 200 {
		t.Fatalf("start: %d", code)
	}
	hook(t, f.WebhookURL, "GET", "name=Anna", "", "")
	s.waitRuns(f.ID, "success", 1, 10*time.Second)
	if got := g.Sheets.Requests(); len(got) != 1 || got[0].Body != `{"majorDimension":"ROWS","values":[["Anna"]]}` {
		t.Fatalf("Sheets got %+v", got)
	}
}
