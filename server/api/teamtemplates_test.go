package api_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

const crmFlow = `{"document":{"schema":1,"name":"Lead to CRM","inputs":[{"key":"api_key","label":"CRM key","secret":true,"required":true}],
 "nodes":[{"id":"trigger","kind":"webhook"},
  {"id":"send","kind":"http","config":{"method":"POST","url":"https://crm.example.com/leads","headers":[
   {"key":"X-Token","value":"tok-SECRET-123","secret":true},{"key":"X-Key","value":"{{inputs.api_key}}"}]}}],
 "edges":[{"from":"trigger","to":"send"}]},
 "input_values":{"api_key":"KEY-SECRET-456"}}`

func TestTeamTemplates_SaveAsTemplateListInstantiateExportAndImportIntoAnotherTeam(t *testing.T) {
	t.Parallel()
	s := startServer(t, "sqlite", http.DefaultClient)
	var flow flowView
	if code := s.call("POST", "/api/flows", crmFlow, &flow); code != 201 {
		t.Fatalf("create: %d %+v", code, flow)
	}
	var tpl struct {
		ID   string
		Team bool
		Flow json.RawMessage
	}
	save := map[string]any{"name": "CRM leads", "inputs": []map[string]string{{"node": "send", "field": "url", "key": "crm_url", "label": "CRM address"}}}
	if code := s.call("POST", "/api/flows/"+flow.ID+"/save-template", save, &tpl); code != 201 || !tpl.Team {
		t.Fatalf("save as template: %d %+v", code, tpl)
	}
	var doc struct {
		Inputs []struct {
			Key, Default string
			Secret       bool
		}
		Nodes []struct {
			ID     string
			Config json.RawMessage
		}
	}
	_ = json.Unmarshal(tpl.Flow, &doc)
	inputs := map[string]string{}
	secret := map[string]bool{}
	for _, in := range doc.Inputs {
		inputs[in.Key], secret[in.Key] = in.Default, in.Secret
	}
	if inputs["crm_url"] != "https://crm.example.com/leads" || !strings.Contains(string(doc.Nodes[1].Config), `"url":"{{inputs.crm_url}}"`) {
		t.Fatalf("the chosen value did not become an input with its default: %s", tpl.Flow)
	}
	if !secret["api_key"] || inputs["api_key"] != "" || !secret["send_x_token"] || inputs["send_x_token"] != "" {
		t.Fatalf("secrets must be inputs without values: %+v %+v", inputs, secret)
	}

	var export string
	req, _ := http.NewRequest("GET", s.URL+"/api/templates/"+tpl.ID+"/export", nil)
	req.Header = s.authHeader()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var raw json.RawMessage
	_ = json.NewDecoder(resp.Body).Decode(&raw)
	resp.Body.Close()
	export = string(raw)
	if resp.StatusCode != 200 || strings.Contains(export, "tok-SECRET-123") || strings.Contains(export, "KEY-SECRET-456") {
		t.Fatalf("export: %d, must not hold secret values: %s", resp.StatusCode, export)
	}

	var list struct {
		Templates []struct {
			ID   string
			Team bool
		}
	}
	s.call("GET", "/api/templates", nil, &list)
	if len(list.Templates) < 2 || list.Templates[0].ID != tpl.ID || !list.Templates[0].Team || list.Templates[1].Team {
		t.Fatalf("the team's template should come first, next to the built-in ones: %+v", list.Templates)
	}
	var made flowView
	body := map[string]any{"name": "From our template", "inputs": map[string]string{"crm_url": "https://crm2.example.com/in", "api_key": "k", "send_x_token": "t"}}
	if code := s.call("POST", "/api/templates/"+tpl.ID+"/instantiate", body, &made); code != 201 || len(made.Problems) != 0 {
		t.Fatalf("instantiate the team template: %d %+v", code, made)
	}

	// Another team imports the file; the first team's library does not change.
	var teamB struct{ ID string }
	s.call("POST", "/api/teams", map[string]string{"name": "B"}, &teamB)
	if code := s.call("POST", "/api/auth/team", map[string]string{"team": teamB.ID}, nil); code != 200 {
		t.Fatalf("switch to team B: %d", code)
	}
	if code := s.call("GET", "/api/templates/"+tpl.ID+"/export", nil, nil); code != 404 {
		t.Fatalf("team B exports team A's template: %d, want 404", code)
	}
	var imported struct{ ID string }
	if code := s.call("POST", "/api/templates/import", export, &imported); code != 201 || imported.ID == tpl.ID {
		t.Fatalf("import into team B: %d %+v", code, imported)
	}
	s.call("GET", "/api/templates", nil, &list)
	if list.Templates[0].ID != imported.ID || list.Templates[1].Team {
		t.Fatalf("team B's library = %+v", list.Templates)
	}
	if code := s.call("DELETE", "/api/templates/"+imported.ID, nil, nil); code != 204 {
		t.Fatalf("delete: %d", code)
	}
	if code := s.call("DELETE", "/api/templates/getcourse-cpa-house", nil, nil); code != 404 {
		t.Fatalf("deleting a built-in template: %d, want 404", code)
	}
}

func TestTeamTemplates_ChoosingAValueThatIsNotThereIsExplained(t *testing.T) {
	t.Parallel()
	s := startServer(t, "sqlite", http.DefaultClient)
	var flow flowView
	s.call("POST", "/api/flows", crmFlow, &flow)
	var e struct {
		Error   string
		Details []struct{ Node, Field string }
	}
	save := map[string]any{"inputs": []map[string]string{{"node": "send", "field": "timeout_ms", "key": "t"}}}
	if code := s.call("POST", "/api/flows/"+flow.ID+"/save-template", save, &e); code != 422 || len(e.Details) != 1 || e.Details[0].Node != "send" || !strings.Contains(e.Error, "send") {
		t.Fatalf("a missing value: %d %+v, want 422 naming the step and field", code, e)
	}
}
