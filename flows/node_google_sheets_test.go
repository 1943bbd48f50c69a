package flows

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hookflow/hookflow/flows/flowstest"
)

// A flow: webhook → google_sheets, the key as a secret input, the row from the request.
func sheetsFlow(t *testing.T, spreadsheet, sheet string, cells ...string) *Flow {
	t.Helper()
	rows := make([]map[string]string, len(cells))
	for i, c := range cells {
		rows[i] = map[string]string{"value": c}
	}
	cfg, _ := json.Marshal(map[string]any{"key": "{{inputs.google_key}}", "spreadsheet": spreadsheet, "sheet": sheet, "cells": rows})
	return mustParse(t, `{"schema":1,"name":"sheet",
	"inputs":[{"key":"google_key","label":"key","secret":true,"required":true}],
	"nodes":[{"id":"trigger","kind":"webhook"},{"id":"row","kind":"google_sheets","config":`+string(cfg)+`}],
	"edges":[{"from":"trigger","to":"row"}]}`)
}

const sheetURL = "https://docs.google.com/spreadsheets/d/1BxiMVs0XRA5nFMdKvBdBZjgmUUqptlbs74OgvE2upms/edit#gid=0"

func runSheets(t *testing.T, f *Flow, key string, client Doer, query string) *Trace {
	t.Helper()
	env := fixedEnv(map[string]string{"google_key": key})
	if client != nil {
		env.HTTP = client
	}
	env.Wait = func(ctx context.Context, d time.Duration) error { return ctx.Err() }
	tr, err := Run(context.Background(), f, queryPayload(query), env)
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	return tr
}

func TestGoogleSheets_AppendsTheRowSignedInAsTheServiceAccount(t *testing.T) {
	g := flowstest.NewGoogle(t)
	f := sheetsFlow(t, sheetURL, "Заявки", "{{trigger.params.name}}", "{{trigger.params.phone}}", "{{trigger.params.sum}}", "{{trigger.params.note}}", "=ROW()")
	tr := runSheets(t, f, g.Key, g.Client(), "name=%D0%90%D0%BD%D0%BD%D0%B0&phone=%2B7+916+123-45-67&sum=-1990&note=%3DHYPERLINK(%22https%3A%2F%2Fevil.example%22)")
	if tr.Status != StatusSuccess {
		t.Fatalf("status %s: %v", tr.Status, tr.Error)
	}

	// The token: a JWT grant signed with the key, sent to the key's token_uri.
	if got := g.Token.Requests(); len(got) != 1 || got[0].Path != "/token" || got[0].Form.Get("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer" {
		t.Fatalf("token endpoint got %+v", got)
	}
	reqs := g.Sheets.Requests()
	if len(reqs) != 1 {
		t.Fatalf("the Sheets API got %d requests", len(reqs))
	}
	r := reqs[0]
	checkRequest(t, r, "POST", "/v4/spreadsheets/1BxiMVs0XRA5nFMdKvBdBZjgmUUqptlbs74OgvE2upms/values/'Заявки':append", "application/json")
	if r.Host != "sheets.googleapis.com" || r.Query.Get("valueInputOption") != "USER_ENTERED" || len(r.Query) != 1 {
		t.Errorf("host %s query %v", r.Host, r.Query)
	}
	if got := r.Header.Get("Authorization"); got != "Bearer "+flowstest.AccessToken(1) {
		t.Errorf("Authorization = %q", got)
	}
	// A phone and a lead's "formula" stay text; a negative number and the user's own formula do not.
	want := `{"majorDimension":"ROWS","values":[["Анна","'+7 916 123-45-67","-1990","'=HYPERLINK(\"https://evil.example\")","=ROW()"]]}`
	if r.Body != want {
		t.Errorf("body = %s\nwant   %s", r.Body, want)
	}

	row, _ := tr.Step("row")
	out := row.Output.(map[string]any)
	if got := Stringify(out["json"].(map[string]any)["updates"].(map[string]any)["updatedRange"]); got != "Заявки!A8:E8" {
		t.Errorf("updatedRange = %q", got)
	}
	if row.HTTP == nil || !row.HTTP.Sent || row.HTTP.Request.Headers[0].Value != maskText {
		t.Errorf("the exchange in the trace: %+v", row.HTTP)
	}
	trace := Stringify(tr)
	for _, secret := range []string{flowstest.AccessToken(1), "BEGIN PRIVATE KEY", g.PrivateKeyID, strings.Split(g.Key, "\n")[0] + strings.Split(g.Key, "\n")[1]} {
		if strings.Contains(trace, secret) {
			t.Errorf("the trace shows %q", secret)
		}
	}
	if !strings.Contains(strings.Join(row.Logs, "\n"), g.Email) {
		t.Errorf("the log does not name the service account: %q", row.Logs)
	}
}

// A token is asked for once and used until shortly before it expires.
func TestGoogleSheets_KeepsTheTokenUntilItExpires(t *testing.T) {
	g := flowstest.NewGoogle(t)
	f := sheetsFlow(t, "1BxiMVs0XRA5nFMdKvBdBZjgmUUqptlbs74OgvE2upms", "", "{{trigger.params.name}}")
	now := time.Now()
	for i, at := range []time.Time{now, now.Add(30 * time.Minute), now.Add(59 * time.Minute)} {
		env := &BasicEnv{HTTP: g.Client(), Inputs: map[string]string{"google_key": g.Key}, Clock: func() time.Time { return at }}
		tr, err := Run(context.Background(), f, queryPayload("name=A"), env)
		if err != nil || tr.Status != StatusSuccess {
			t.Fatalf("run %d: %v %v", i, err, tr.Error)
		}
	}
	if got := g.Issued(); got != 2 {
		t.Errorf("%d tokens asked for, want 2 (one kept for the second run, a new one when it nearly expired)", got)
	}
	if r := g.Sheets.Requests()[0]; r.Path != "/v4/spreadsheets/1BxiMVs0XRA5nFMdKvBdBZjgmUUqptlbs74OgvE2upms/values/A1:append" {
		t.Errorf("without a sheet name the row goes to the first sheet: %s", r.Path)
	}
}

// Google's refusals reach the journal in Google's words, with what to do.
func TestGoogleSheets_RefusalsQuoteGoogle(t *testing.T) {
	cases := []struct {
		name          string
		token, sheets []http.HandlerFunc
		code, want    string
		appends       int
	}{
		{"the key was deleted", []http.HandlerFunc{flowstest.Reply(400, `{"error":"invalid_grant","error_description":"Invalid JWT Signature."}`)}, nil,
			CodeSheetsToken, "invalid_grant: Invalid JWT Signature.", 0},
		{"the token endpoint is down", []http.HandlerFunc{flowstest.Reply(503, `{"error":"internal_failure","error_description":"Backend Error"}`)}, nil,
			CodeHTTPStatus, "Backend Error", 0},
		{"the table is not shared with the service account", nil, []http.HandlerFunc{flowstest.Reply(403, `{"error":{"code":403,"message":"The caller does not have permission","status":"PERMISSION_DENIED"}}`)},
			CodeSheetsNoAccess, "The caller does not have permission", 1},
		{"no such sheet", nil, []http.HandlerFunc{flowstest.Reply(400, `{"error":{"code":400,"message":"Unable to parse range: 'Заявки'","status":"INVALID_ARGUMENT"}}`)},
			CodeHTTPStatus, "Unable to parse range: 'Заявки'", 1},
		{"Google busy, then the row", nil, []http.HandlerFunc{flowstest.Reply(503, `{"error":{"code":503,"message":"The service is currently unavailable.","status":"UNAVAILABLE"}}`), nil},
			"", "", 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := flowstest.NewGoogle(t)
			if c.token != nil {
				g.Token.SetReplies(c.token...)
			}
			if c.sheets != nil {
				if c.sheets[len(c.sheets)-1] == nil {
					c.sheets[len(c.sheets)-1] = g.AppendReply
				}
				g.Sheets.SetReplies(c.sheets...)
			}
			tr := runSheets(t, sheetsFlow(t, sheetURL, "Заявки", "{{trigger.params.name}}"), g.Key, g.Client(), "name=A")
			if got := len(g.Sheets.Requests()); got != c.appends {
				t.Errorf("%d appends, want %d", got, c.appends)
			}
			if c.code == "" {
				if tr.Status != StatusSuccess {
					t.Fatalf("status %s: %v", tr.Status, tr.Error)
				}
				return
			}
			if tr.Status != StatusFailed || tr.Error.Code != c.code || !strings.Contains(tr.Error.Message, c.want) {
				t.Fatalf("error = %+v, want %s quoting %q", tr.Error, c.code, c.want)
			}
			if c.code == CodeSheetsNoAccess && !strings.Contains(tr.Error.Message, g.Email) {
				t.Errorf("the error does not say whom to share the table with: %s", tr.Error.Message)
			}
			if ru := tr.Error.Text("ru"); !strings.Contains(ru, c.want) {
				t.Errorf("the Russian sentence does not quote Google: %s", ru)
			}
		})
	}
}

// The token is asked for through the run's client: the server's outbound policy applies to it.
func TestGoogleSheets_TokenGoesThroughTheRunsClient(t *testing.T) {
	g := flowstest.NewGoogle(t)
	denied := doerFunc(func(r *http.Request) (*http.Response, error) {
		return nil, &DeniedError{Host: r.URL.Hostname(), Address: "169.254.169.254", Reason: "a cloud metadata service", ReasonRu: "служба метаданных облака"}
	})
	tr := runSheets(t, sheetsFlow(t, sheetURL, "", "x"), g.Key, denied, "")
	if tr.Status != StatusFailed || tr.Error.Code != CodeHTTPDenied {
		t.Fatalf("error = %+v, want %s", tr.Error, CodeHTTPDenied)
	}
	if len(g.Token.Requests()) != 0 {
		t.Error("the token endpoint was reached around the run's client")
	}
}

type doerFunc func(*http.Request) (*http.Response, error)

func (f doerFunc) Do(r *http.Request) (*http.Response, error) { return f(r) }

// The preview (browser, --dry-run) signs in nowhere and sends nothing: it shows the request with
// the token masked and continues with Google's example answer.
func TestGoogleSheets_PreviewShowsTheRequestAndSendsNothing(t *testing.T) {
	g := flowstest.NewGoogle(t)
	for _, key := range []string{g.Key, maskText} {
		tr := runSheets(t, sheetsFlow(t, sheetURL, "Leads", "{{trigger.params.name}}", "{{trigger.params.phone}}"), key, nil, "name=Anna&phone=79161234567")
		if tr.Status != StatusSuccess {
			t.Fatalf("preview with key %.10q: %s %v", key, tr.Status, tr.Error)
		}
		row, _ := tr.Step("row")
		x := row.HTTP
		if x == nil || x.Sent || x.Request.URL != "https://sheets.googleapis.com/v4/spreadsheets/1BxiMVs0XRA5nFMdKvBdBZjgmUUqptlbs74OgvE2upms/values/Leads:append?valueInputOption=USER_ENTERED" {
			t.Fatalf("exchange %+v", x)
		}
		if x.Request.Body != `{"majorDimension":"ROWS","values":[["Anna","79161234567"]]}` || x.Request.Headers[0].Value != maskText {
			t.Errorf("request %+v", x.Request)
		}
		if !strings.Contains(strings.Join(row.Logs, "\n"), "Google Sheets's example answer") {
			t.Errorf("logs %q", row.Logs)
		}
	}
	if len(g.Token.Requests())+len(g.Sheets.Requests()) != 0 {
		t.Error("a preview reached Google")
	}
}

func TestGoogleSheets_KeyAndTableProblemsSayWhatToDo(t *testing.T) {
	g := flowstest.NewGoogle(t)
	cases := []struct {
		name, key, spreadsheet, code, want string
	}{
		{"a key that is not JSON", "ya29.secret-token-text", sheetURL, CodeSheetsKey, "not JSON"},
		{"a user's key, not a service account's", `{"type":"authorized_user","client_id":"1","client_secret":"s","refresh_token":"r"}`, sheetURL, CodeSheetsKey, `"authorized_user"`},
		{"a spreadsheet address from somewhere else", g.Key, "{{trigger.params.table}}", CodeSheetsSpreadsheet, "https://example.com/table"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tr := runSheets(t, sheetsFlow(t, c.spreadsheet, "", "x"), c.key, g.Client(), "table=https%3A%2F%2Fexample.com%2Ftable")
			if tr.Status != StatusFailed || tr.Error.Code != c.code || !strings.Contains(tr.Error.Message, c.want) {
				t.Fatalf("error = %+v, want %s with %q", tr.Error, c.code, c.want)
			}
			if strings.Contains(Stringify(tr), "ya29.secret-token-text") {
				t.Error("the key is visible in the trace")
			}
		})
	}
	// Written into the step, a wrong address and an empty row are problems before any run.
	f := mustParse(t, `{"schema":1,"name":"x","nodes":[{"id":"trigger","kind":"webhook"},
	  {"id":"row","kind":"google_sheets","config":{"key":"{}","spreadsheet":"my table","cells":[]}}],"edges":[{"from":"trigger","to":"row"}]}`)
	_, problems := Compile(f)
	var codes []string
	for _, p := range problems {
		codes = append(codes, p.Code+"@"+p.Field)
	}
	if got := strings.Join(codes, " "); got != CodeSheetsSpreadsheet+"@spreadsheet "+CodeSheetsNoCells+"@cells" {
		t.Errorf("problems %s", got)
	}
}

func TestSpreadsheetID_FromAnAddressOrAnID(t *testing.T) {
	cases := []struct {
		in, want string
		ok       bool
	}{
		{sheetURL, "1BxiMVs0XRA5nFMdKvBdBZjgmUUqptlbs74OgvE2upms", true},
		{"https://docs.google.com/spreadsheets/u/0/d/1BxiMVs0XRA5nFMdKvBdBZjgmUUqptlbs74OgvE2upms/", "1BxiMVs0XRA5nFMdKvBdBZjgmUUqptlbs74OgvE2upms", true},
		{"  1BxiMVs0XRA5nFMdKvBdBZjgmUUqptlbs74OgvE2upms ", "1BxiMVs0XRA5nFMdKvBdBZjgmUUqptlbs74OgvE2upms", true},
		{"docs.google.com/spreadsheets/d/abc_DEF-123/edit?usp=sharing", "abc_DEF-123", true},
		{"https://example.com/table", "", false},
		{"my table", "", false},
		{"", "", false},
	}
	for _, c := range cases {
		got, ok := SpreadsheetID(c.in)
		if got != c.want || ok != c.ok {
			t.Errorf("SpreadsheetID(%q) = %q, %v; want %q, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}

func TestSheetsRange_QuotesNamesThatNeedIt(t *testing.T) {
	for in, want := range map[string]string{
		"": "A1", "Leads": "Leads", "Sheet_2": "Sheet_2", "Заявки": "'Заявки'", "My leads": "'My leads'",
		"A1": "'A1'", "r1c1": "'r1c1'", "Anna's": "'Anna''s'",
	} {
		if got := sheetsRange(in); got != want {
			t.Errorf("sheetsRange(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSheetsCellText_KeepsDataLikeFormulasAsText(t *testing.T) {
	cases := []struct {
		in      string
		formula bool
		want    string
	}{
		{"Анна", false, "Анна"}, {"", false, ""}, {"1990", false, "1990"}, {"-1990", false, "-1990"}, {"-19,5", false, "-19,5"},
		{"+79161234567", false, "'+79161234567"}, {"=1+1", false, "'=1+1"}, {"@anna", false, "'@anna"}, {"-", false, "'-"},
		{"=ROW()", true, "=ROW()"},
	}
	for _, c := range cases {
		if got := sheetsCellText(c.in, c.formula); got != c.want {
			t.Errorf("sheetsCellText(%q, %v) = %q, want %q", c.in, c.formula, got, c.want)
		}
	}
}

// What is read from a pasted address is an ID Google could have made, taken from the text, and
// a sheet's name always makes one range that names that sheet.
func FuzzSpreadsheetID(f *testing.F) {
	for _, s := range []string{sheetURL, "1BxiMVs0XRA5nFMdKvBdBZjgmUUqptlbs74OgvE2upms", "/spreadsheets/d/", "my table", "Anna's 'sheet'"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		if id, ok := SpreadsheetID(in); ok && (id == "" || !strings.Contains(in, id) || strings.Trim(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") != "") {
			t.Fatalf("SpreadsheetID(%q) = %q", in, id)
		}
		r := sheetsRange(in)
		if strings.HasPrefix(r, "'") {
			inner := r[1 : len(r)-1]
			if !strings.HasSuffix(r, "'") || len(r) < 2 || strings.ReplaceAll(inner, "''", "") != strings.ReplaceAll(strings.TrimSpace(in), "'", "") {
				t.Fatalf("sheetsRange(%q) = %q", in, r)
			}
		} else if r != "A1" && r != strings.TrimSpace(in) {
			t.Fatalf("sheetsRange(%q) = %q", in, r)
		}
	})
}
