package flows

import (
	"context"
	"strings"
	"testing"
)

// The HTTP step's success rule written as rows, checked in Go against real local targets.

func rowsSuccess(match string, rows ...[3]string) string {
	var b strings.Builder
	b.WriteString(`{"match":"` + match + `","rules":[`)
	for i, r := range rows {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(`{"left":` + quoteJSON(r[0]) + `,"op":` + quoteJSON(r[1]) + `,"right":` + quoteJSON(r[2]) + `}`)
	}
	b.WriteString(`]}`)
	return b.String()
}

func quoteJSON(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"', '\\':
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	b.WriteByte('"')
	return b.String()
}

func TestHTTPNode_SuccessRowsAreCheckedAgainstTheAnswer(t *testing.T) {
	status := [3]string{"status", "equals", "success"}
	for _, c := range []struct {
		name     string
		success  string
		code     int
		body     string
		wantCode string // "" = success
		en, ru   string // parts of the run error
		log      string // a line of the step's log
	}{
		{"CPA.House accepted", rowsSuccess("all", status), 200, `{"status":"success","id":"1001"}`, "", "", "",
			"success rule 1: 'success' equals 'success' → yes"},
		{"letter case and spaces do not matter", rowsSuccess("all", status), 200, `{"status":" Success "}`, "", "", "", ""},
		{"CPA.House refused: the rule and its message are quoted", rowsSuccess("all", status), 200, `{"status":"error","msg":"Неверный api_key"}`,
			CodeHTTPRuleFailed, "did not accept the data: the answer's status is not 'success' (it is 'error') — «Неверный api_key»",
			"не принял данные: поле ответа «status» не равно «success» (в ответе «error») — «Неверный api_key»",
			"success rule 1: 'error' equals 'success' → no"},
		{"a refusal without a message still says which rule failed", rowsSuccess("all", status), 200, `{"status":"error"}`,
			CodeHTTPRuleFailed, "the answer's status is not 'success' (it is 'error')", "поле ответа «status» не равно «success»", ""},
		{"an empty answer has no such field", rowsSuccess("all", status), 200, ``,
			CodeHTTPRuleFailed, "(there is no such field)", "(такого поля нет)", ""},
		{"GetCourse: both flags must be true", rowsSuccess("all", [3]string{"success", "equals", "true"}, [3]string{"result.success", "equals", "true"}), 200,
			`{"success":true,"result":{"success":false,"error_message":"Не указан email"}}`,
			CodeHTTPRuleFailed, "the answer's result.success is not 'true' (it is 'false') — «Не указан email»", "поле ответа «result.success» не равно «true»",
			"success rule 2: 'false' equals 'true' → no"},
		{"any: one rule is enough", rowsSuccess("any", status, [3]string{"code", "equals", "ok"}), 200, `{"code":"OK"}`, "", "", "",
			"success rule 2: 'OK' equals 'ok' → yes"},
		{"any: the refusal names every rule", rowsSuccess("any", status, [3]string{"code", "equals", "ok"}), 200, `{"code":"fail"}`,
			CodeHTTPRuleFailed, "status is not 'success' (there is no such field) and the answer's code is not 'ok' (it is 'fail')", " и поле ответа «code»", ""},
		{"Offerrum: no error field", rowsSuccess("all", [3]string{"error", "is_empty", ""}), 200, `{"id":90001}`, "", "", "", ""},
		{"Offerrum refused", rowsSuccess("all", [3]string{"error", "is_empty", ""}), 200, `{"error":"Invalid key"}`,
			CodeHTTPRuleFailed, "the answer's error is not empty — «Invalid key»", "поле ответа «error» не пусто — «Invalid key»", ""},
		{"the HTTP status as a number", rowsSuccess("all", [3]string{"response.status", "equals", "201"}), 201, `{}`, "", "", "", ""},
		{"a text answer through response.body", rowsSuccess("all", [3]string{"response.body", "starts_with", "OK"}), 200, `OK 15`, "", "", "", ""},
		{"a text refusal is quoted", rowsSuccess("all", [3]string{"response.body", "starts_with", "OK"}), 200, `ERROR: no phone`,
			CodeHTTPRuleFailed, "the answer's text does not start with 'OK' (it is 'ERROR: no phone') — «ERROR: no phone»", "содержимое ответа не начинается с «OK»", ""},
		{"a number in the answer", rowsSuccess("all", [3]string{"balance", "gte", "100"}), 200, `{"balance":"1 500 руб."}`, "", "", "", ""},
		{"a value from the flow's settings", rowsSuccess("all", [3]string{"key", "equals", "{{inputs.api_key}}"}), 200, `{"key":"key-123"}`, "", "", "", ""},
		{"the status range still comes first", rowsSuccess("all", status), 500, `{"status":"success"}`, CodeHTTPStatus, "HTTP status 500", "", ""},
		{"a pattern that renders invalid cannot be checked", rowsSuccess("all", [3]string{"status", "matches", "{{trigger.params.name}}("}), 200, `{"status":"x"}`,
			CodeHTTPCondition, "cannot be checked: rule 1: the pattern", "не проверяется", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			srv := newHTTPTarget(t, httpAnswer(c.code, c.body))
			cfg := `{"method":"POST","url":"%URL%/method/send_order","body_type":"previous","retries":0,"success":` + c.success + `}`
			tr, st := runHTTPFlow(t, httpTestFlow(t, srv.URL, cfg), httpTestEnv(srv.Client(), &httpWaits{}))
			if c.log != "" && !strings.Contains(strings.Join(st.Logs, "\n"), c.log) {
				t.Errorf("logs %q do not contain %q", st.Logs, c.log)
			}
			if c.wantCode == "" {
				httpMustSucceed(t, tr, st)
				return
			}
			httpMustFail(t, tr, st, c.wantCode)
			if en := tr.Error.Text("en"); !strings.Contains(en, c.en) || !strings.HasPrefix(en, "HTTP request 'send': ") {
				t.Errorf("en %q does not contain %q", en, c.en)
			}
			if ru := tr.Error.Text("ru"); !strings.Contains(ru, c.ru) || httpUnfilledParam.MatchString(ru) {
				t.Errorf("ru %q does not contain %q", ru, c.ru)
			}
			if len(srv.Hits()) != 1 {
				t.Errorf("%d requests", len(srv.Hits()))
			}
		})
	}
}

func TestHTTPNode_SuccessRowsCheckThePreviewsSampleAnswer(t *testing.T) {
	for _, c := range []struct {
		sample string
		pass   bool
	}{
		{`{"status":200,"body":"{\"status\":\"success\"}"}`, true},
		{`{"status":200,"body":"{\"status\":\"error\",\"msg\":\"Неверный api_key\"}"}`, false},
	} {
		cfg := `{"method":"POST","url":"https://api.cpa.house/method/send_order","body_type":"previous","sample_response":` + c.sample +
			`,"success":` + rowsSuccess("all", [3]string{"status", "equals", "success"}) + `}`
		tr, err := Run(context.Background(), httpTestFlow(t, "", cfg), httpTestPayload, &BasicEnv{Inputs: map[string]string{"api_key": "k"}})
		if err != nil {
			t.Fatal(err)
		}
		if (tr.Status == StatusSuccess) != c.pass {
			t.Errorf("%s: run %s %v", c.sample, tr.Status, tr.Error)
		}
		if !c.pass && tr.Error.Text("ru") != "HTTP-запрос «send»: api.cpa.house не принял данные: поле ответа «status» не равно «success» (в ответе «error») — «Неверный api_key»" {
			t.Errorf("ru %q", tr.Error.Text("ru"))
		}
	}
}

func TestHTTPNode_SuccessRowsProblemsAreFoundAtBuild(t *testing.T) {
	for _, c := range []struct {
		name, success string
		want          string // code@field
	}{
		{"rows and an expression at once", `{"condition":"ok","rules":[{"left":"status","op":"equals","right":"success"}]}`, CodeFilterBoth + "@success.condition"},
		{"no field to check", rowsSuccess("all", [3]string{"", "equals", "success"}), CodeFieldRequired + "@success.rules[0].left"},
		{"a field path that cannot be read", rowsSuccess("all", [3]string{"result..msg", "equals", "x"}), CodePathInvalid + "@success.rules[0].left"},
		{"no value to compare with", rowsSuccess("all", [3]string{"status", "equals", ""}), CodeFilterValueMissing + "@success.rules[0].right"},
		{"a number check against text", rowsSuccess("all", [3]string{"sum", "gt", "many"}), CodeFilterNotNumber + "@success.rules[0].right"},
		{"a broken pattern", rowsSuccess("all", [3]string{"status", "matches", "(x"}), CodeRegexInvalid + "@success.rules[0].right"},
		{"an unknown check", rowsSuccess("all", [3]string{"status", "looks_like", "x"}), CodeFieldOption + "@success.rules[0].op"},
		{"match must be all or any", rowsSuccess("some", [3]string{"status", "not_empty", ""}), CodeFieldOption + "@success.match"},
	} {
		t.Run(c.name, func(t *testing.T) {
			problems := Validate(httpTestFlow(t, "https://api.cpa.house", `{"url":"%URL%/x","success":`+c.success+`}`), nil)
			var got []string
			for _, p := range problems {
				got = append(got, p.Code+"@"+p.Field)
				if ru := p.Text("ru"); httpUnfilledParam.MatchString(ru) || !strings.HasPrefix(ru, "HTTP-запрос «send»: ") {
					t.Errorf("ru %q", ru)
				}
			}
			if strings.Join(got, ",") != c.want {
				t.Fatalf("problems %v, want %s", got, c.want)
			}
		})
	}
	good := rowsSuccess("any", [3]string{"status", "equals", "success"}, [3]string{"error", "is_empty", ""}, [3]string{"response.status", "lt", "300"})
	if ps := Validate(httpTestFlow(t, "https://api.cpa.house", `{"url":"%URL%/x","success":`+good+`}`), nil); len(ps) != 0 {
		t.Errorf("valid rows: %v", ps)
	}
}
