package flows

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/hookflow/hookflow/flows/flowstest"
)

// Any webhook → Google Sheets row, against a local token endpoint and Sheets API: the key's
// token_uri points at the stand-in, the row goes to the table from its browser address.
func TestSeed_WebhookToGoogleSheetsRow(t *testing.T) {
	g := flowstest.NewGoogle(t)
	tr := seedRunWith(t, "webhook-google-sheets", "site-form.json", "google-sheets.json", map[string]string{"google_key": g.Key}, g.Client())
	if tr.Status != StatusSuccess {
		t.Fatalf("status %s: %v", tr.Status, tr.Error)
	}
	if g.Issued() != 1 {
		t.Errorf("%d tokens given", g.Issued())
	}
	reqs := g.Sheets.Requests()
	if len(reqs) != 1 {
		t.Fatalf("the Sheets API got %d requests", len(reqs))
	}
	checkRequest(t, reqs[0], "POST", "/v4/spreadsheets/1BxiMVs0XRA5nFMdKvBdBZjgmUUqptlbs74OgvE2upms/values/'Заявки':append", "application/json")
	// The run's clock is 23.11.2026 12:00 UTC; the phone stays text.
	want := `{"majorDimension":"ROWS","values":[["23.11.2026 12:00","Анна","'+7 916 123-45-67","anna@example.ru","yandex"]]}`
	if reqs[0].Body != want {
		t.Errorf("row = %s\nwant  %s", reqs[0].Body, want)
	}
	if s := Stringify(tr.Steps); strings.Contains(s, "PRIVATE KEY") || strings.Contains(s, flowstest.AccessToken(1)) {
		t.Error("the key or the token is visible in the trace")
	}
}

// amoCRM's successful leads/complex answer: the ids per lead sent (amoCRM API v4 docs).
const amoCRMLeadAdded = `[{"id":9774766,"contact_id":12117258,"company_id":null,"request_id":["0"],"merged":false}]`

func TestSeed_GetCourseOrderToAmoCRMLead(t *testing.T) {
	tr, r := seedDelivered(t, "getcourse-amocrm", "getcourse-order.json", "amocrm.json", amoCRMLeadAdded)
	checkRequest(t, r, "POST", "/api/v4/leads/complex", "application/json")
	if r.Host != "school.amocrm.ru" || len(r.Query) != 0 {
		t.Errorf("host %s query %v", r.Host, r.Query)
	}
	if got := r.Header.Get("Authorization"); got != "Bearer amo-long-lived-secret-token-555" {
		t.Errorf("Authorization = %q", got)
	}
	var body, want any
	if err := json.Unmarshal([]byte(r.Body), &body); err != nil {
		t.Fatalf("the body is not JSON: %v\n%s", err, r.Body)
	}
	_ = json.Unmarshal([]byte(`[{"name":"Заказ №5417 из GetCourse","price":1990,"_embedded":{"contacts":[{"first_name":"Анна","last_name":"Смирнова \"Кузнецова\"",
		"custom_fields_values":[{"field_code":"PHONE","values":[{"value":"+79161234567","enum_code":"WORK"}]},{"field_code":"EMAIL","values":[{"value":"anna.smirnova@mail.ru","enum_code":"WORK"}]}]}]}}]`), &want)
	if Stringify(body) != Stringify(want) {
		t.Errorf("body = %s\nwant   %s", Stringify(body), Stringify(want))
	}
	send, _ := tr.Step("send")
	if Stringify(send.Output.(map[string]any)["json"]) != Stringify(mustDecode(t, amoCRMLeadAdded)) {
		t.Errorf("output = %v", send.Output)
	}
	if strings.Contains(Stringify(tr.Steps), "amo-long-lived-secret-token-555") {
		t.Error("the amoCRM token is visible in the trace")
	}
}

func mustDecode(t *testing.T, s string) any {
	t.Helper()
	v, err := decodeJSON([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// What the journal quotes of a problem-details answer (application/problem+json): its detail,
// then each validation error; anything else is not one.
func TestHTTPProblemDetails_QuotesDetailAndValidationErrors(t *testing.T) {
	cases := []struct{ body, want string }{
		{`{"title":"Unauthorized","type":"https://httpstatus.es/401","status":401,"detail":"Unauthorized"}`, "Unauthorized"},
		{`{"title":"Payment Required","status":402}`, "Payment Required"},
		{`{"validation-errors":[{"request_id":"0","errors":[{"code":"NotBlank","path":"name","detail":"This value should not be blank."},{"code":"X","path":"price"}]}],"title":"Bad Request","status":400,"detail":"Request validation failed"}`,
			"Request validation failed — name: This value should not be blank.; price: X"},
		{`{"title":"Мой заказ","price":1990}`, ""},
		{`[{"id":1}]`, ""},
	}
	for _, c := range cases {
		if got := httpProblemDetails(mustDecode(t, c.body)); got != c.want {
			t.Errorf("httpProblemDetails(%s) = %q, want %q", c.body, got, c.want)
		}
	}
}

// Problem details come from the target: any answer is read without a panic, into one line.
func FuzzProblemDetails(f *testing.F) {
	f.Add(`{"validation-errors":[{"request_id":"0","errors":[{"code":"NotBlank","path":"name","detail":"x"}]}],"title":"Bad Request","status":400,"detail":"d"}`)
	f.Add(`{"title":"t","type":"u","validation-errors":[1,{"errors":[null,{"path":5}]}]}`)
	f.Fuzz(func(t *testing.T, body string) {
		v, err := decodeJSON([]byte(body))
		if err != nil {
			return
		}
		if s := httpProblemDetails(v); s != "" && !strings.Contains(body, "title") {
			t.Fatalf("%q read as problem details %q", body, s)
		}
	})
}
