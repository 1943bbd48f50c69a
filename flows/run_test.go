package flows

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func fixedEnv(inputs map[string]string) *BasicEnv {
	at := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	return &BasicEnv{Inputs: inputs, Clock: func() time.Time { return at }}
}

func queryPayload(q string) Payload {
	raw, _ := json.Marshal(q)
	return Payload{Method: "GET", Query: raw}
}

func TestRun_StepsRunInOrderAndSeeEarlierOutputs(t *testing.T) {
	f := mustParse(t, `{"schema":1,"name":"order",
	"nodes":[
	  {"id":"c","kind":"set","config":{"fields":[{"key":"v","value":"{{b.v}}+c"}]}},
	  {"id":"trigger","kind":"webhook"},
	  {"id":"b","kind":"set","config":{"fields":[{"key":"v","value":"{{a.v}}+b"}]}},
	  {"id":"a","kind":"set","config":{"fields":[{"key":"v","value":"{{trigger.params.x}}"}]}}],
	"edges":[{"from":"trigger","to":"a"},{"from":"a","to":"b"},{"from":"b","to":"c"}]}`)
	tr, err := Run(context.Background(), f, queryPayload("x=1"), fixedEnv(nil))
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, s := range tr.Steps {
		order = append(order, s.Node)
	}
	if strings.Join(order, ",") != "trigger,a,b,c" {
		t.Fatalf("order = %v", order)
	}
	c, _ := tr.Step("c")
	if got := c.Output.(map[string]any)["v"]; got != "1+b+c" {
		t.Fatalf("c.v = %v", got)
	}
	if b, _ := tr.Step("b"); b.Input.(map[string]any)["v"] != "1" {
		t.Fatalf("b's input should be a's output, got %v", b.Input)
	}
}

func TestRun_FailedStepStopsTheRestAndSaysWhy(t *testing.T) {
	f := mustParse(t, `{"schema":1,"nodes":[{"id":"trigger","kind":"webhook"},
	  {"id":"a","kind":"set","name":"Numbers","config":{"fields":[{"key":"n","value":"{{trigger.params.x}}","type":"number"}]}},
	  {"id":"b","kind":"set","config":{"fields":[{"key":"v","value":"1"}]}}],
	  "edges":[{"from":"trigger","to":"a"},{"from":"a","to":"b"}]}`)
	var events []string
	env := fixedEnv(nil)
	env.Events = func(e StepEvent) { events = append(events, e.Type+":"+e.Node+e.Status) }
	tr, err := Run(context.Background(), f, queryPayload("x=free"), env)
	if err != nil {
		t.Fatal(err)
	}
	if tr.Status != StatusFailed || tr.Error == nil || tr.Error.Node != "a" || tr.Error.Code != CodeSetValue {
		t.Fatalf("trace = %+v", tr)
	}
	if !strings.Contains(tr.Error.Message, "Set fields 'Numbers'") || !strings.Contains(tr.Error.Message, `"free" has no number`) {
		t.Errorf("error message = %q", tr.Error.Message)
	}
	if b, _ := tr.Step("b"); b.Status != StatusSkipped {
		t.Errorf("b status = %s, want skipped", b.Status)
	}
	want := "step_started:trigger,step_finished:trigger,step_started:a,step_finished:a,run_finished:failed"
	if strings.Join(events, ",") != want {
		t.Errorf("events = %v", events)
	}
}

func TestRun_MissingRequiredInputStopsBeforeAnyStep(t *testing.T) {
	f := mustParse(t, `{"schema":1,"inputs":[{"key":"api_key","required":true}],"nodes":[{"id":"trigger","kind":"webhook"}]}`)
	tr, err := Run(context.Background(), f, queryPayload(""), fixedEnv(nil))
	if err == nil || tr.Status != StatusFailed || len(tr.Steps) != 0 {
		t.Fatalf("err=%v trace=%+v", err, tr)
	}
	if !strings.Contains(err.Error(), "api_key") {
		t.Errorf("error %q should name the input", err)
	}
}

func TestRun_SecretInputsAreMaskedInTheTrace(t *testing.T) {
	f := mustParse(t, `{"schema":1,"inputs":[{"key":"api_key","secret":true},{"key":"plain"}],
	  "nodes":[{"id":"trigger","kind":"webhook"},
	  {"id":"form","kind":"form_encode","config":{"fields":[{"key":"k","value":"{{inputs.api_key}}"},{"key":"p","value":"{{inputs.plain}}"}]}},
	  {"id":"copy","kind":"set","config":{"fields":[{"key":"body","value":"{{form.body}}"}]}}],
	  "edges":[{"from":"trigger","to":"form"},{"from":"form","to":"copy"}]}`)
	tr, err := Run(context.Background(), f, queryPayload(""), fixedEnv(map[string]string{"api_key": "s3cr/et+key", "plain": "visible"}))
	if err != nil {
		t.Fatal(err)
	}
	data, _ := json.Marshal(tr)
	if strings.Contains(string(data), "s3cr") || strings.Contains(string(data), "s3cr%2Fet") {
		t.Fatalf("secret leaked into the trace: %s", data)
	}
	if !strings.Contains(string(data), "visible") {
		t.Fatalf("plain inputs should stay visible: %s", data)
	}
	// The steps themselves got the real value: only the trace is masked.
	copyStep, _ := tr.Step("copy")
	if copyStep.Output.(map[string]any)["body"] != "k="+maskText+"&p=visible" {
		t.Errorf("copy output = %v", copyStep.Output)
	}
}

func TestRun_CanceledContextStopsTheRun(t *testing.T) {
	f := mustParse(t, `{"schema":1,"nodes":[{"id":"trigger","kind":"webhook"},{"id":"a","kind":"set","config":{"fields":[{"key":"v","value":"1"}]}}],
	  "edges":[{"from":"trigger","to":"a"}]}`)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	tr, _ := Run(ctx, f, queryPayload(""), fixedEnv(nil))
	if tr.Status != StatusFailed || tr.Error == nil || tr.Error.Code != CodeRunCanceled {
		t.Fatalf("trace = %+v", tr)
	}
}

func TestWebhook_ReadsEveryKindOfRequest(t *testing.T) {
	cases := []struct {
		name    string
		payload Payload
		want    map[string]string // params → value
		part    string            // which part holds them
	}{
		{"GET query (GetCourse)", queryPayload("email=a%40b.c&phone=%2B7999"), map[string]string{"email": "a@b.c", "phone": "+7999"}, "query"},
		{"query as object", Payload{Method: "GET", Query: json.RawMessage(`{"r_id": 5, "tag": ["a","b"]}`)}, map[string]string{"r_id": "5", "tag": `["a","b"]`}, "query"},
		{"POST form (U-ON)", Payload{Method: "POST", Headers: map[string]string{"content-type": "application/x-www-form-urlencoded; charset=utf-8"}, Body: "r_id=48213"}, map[string]string{"r_id": "48213"}, "form"},
		{"JSON", Payload{Method: "POST", Headers: map[string]string{"Content-Type": "application/json"}, Body: `{"name":"Анна","n":12345678901234567890,"deep":{"x":1}}`}, map[string]string{"name": "Анна", "n": "12345678901234567890", "deep": `{"x":1}`}, "json"},
		{"JSON without content type", Payload{Method: "POST", Body: `{"a":"b"}`}, map[string]string{"a": "b"}, "json"},
		{"multipart with a file", Payload{Method: "POST", Headers: map[string]string{"Content-Type": "multipart/form-data; boundary=XX"},
			Body: "--XX\r\nContent-Disposition: form-data; name=\"phone\"\r\n\r\n+7916\r\n--XX\r\nContent-Disposition: form-data; name=\"doc\"; filename=\"a.txt\"\r\nContent-Type: text/plain\r\n\r\nhello\r\n--XX--\r\n"},
			map[string]string{"phone": "+7916"}, "form"},
		{"query and form merged", Payload{Method: "POST", Query: json.RawMessage(`"a=1&b=1"`), Headers: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, Body: "b=2"}, map[string]string{"a": "1", "b": "2"}, "form"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, err := ParseRequest(c.payload)
			if err != nil {
				t.Fatal(err)
			}
			params := out["params"].(map[string]any)
			for k, want := range c.want {
				if got := Stringify(params[k]); got != want {
					t.Errorf("params.%s = %q, want %q", k, got, want)
				}
			}
			if out[c.part] == nil {
				t.Errorf("output has no %q part: %v", c.part, out)
			}
		})
	}
	out, _ := ParseRequest(cases[5].payload)
	files := out["files"].([]any)
	if len(files) != 1 || files[0].(map[string]any)["filename"] != "a.txt" || Stringify(files[0].(map[string]any)["size"]) != "5" {
		t.Errorf("files = %v", files)
	}
}

func TestWebhook_BadRequestsGiveClearErrors(t *testing.T) {
	cases := []struct {
		name    string
		payload Payload
		want    string
	}{
		{"broken JSON marked as JSON", Payload{Method: "POST", Headers: map[string]string{"Content-Type": "application/json"}, Body: `{"a":`}, "marked as JSON but is not valid JSON"},
		{"multipart without boundary", Payload{Method: "POST", Headers: map[string]string{"Content-Type": "multipart/form-data"}, Body: "x"}, "no boundary"},
		{"bad base64", Payload{Method: "POST", BodyBase64: "!!"}, "not base64"},
		{"query of a wrong type", Payload{Method: "GET", Query: json.RawMessage(`5`)}, "query must be text"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseRequest(c.payload)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want %q", err, c.want)
			}
		})
	}
}

func TestWebhook_RequiredFieldMissingFailsTheRun(t *testing.T) {
	f := mustParse(t, `{"schema":1,"nodes":[{"id":"trigger","kind":"webhook","name":"U-ON","config":{"preset":"uon.request","fields":[{"key":"r_id","required":true}]}}]}`)
	tr, _ := Run(context.Background(), f, queryPayload("x=1"), fixedEnv(nil))
	if tr.Status != StatusFailed || tr.Error.Code != CodeTriggerFieldEmpty || !strings.Contains(tr.Error.Message, "'r_id'") {
		t.Fatalf("trace = %+v", tr.Error)
	}
}

func TestFormEncode_KeepsOrderRepeatsAndSkipsEmptyOptionalFields(t *testing.T) {
	f := mustParse(t, `{"schema":1,"nodes":[{"id":"trigger","kind":"webhook"},
	  {"id":"form","kind":"form_encode","config":{"fields":[
	    {"key":"z","value":"last letter"},{"key":"a","value":"{{trigger.params.a}}"},{"key":"tag","value":"x"},{"key":"tag","value":"y&z"},
	    {"key":"sub_id_1","value":"{{trigger.params.none}}","optional":true},{"key":"kept","value":""}]}}],
	  "edges":[{"from":"trigger","to":"form"}]}`)
	tr, _ := Run(context.Background(), f, queryPayload("a=%D0%90"), fixedEnv(nil))
	form, _ := tr.Step("form")
	out := form.Output.(map[string]any)
	if want := "z=last+letter&a=%D0%90&tag=x&tag=y%26z&kept="; out["body"] != want {
		t.Errorf("body = %q, want %q", out["body"], want)
	}
	if tags := Stringify(out["fields"].(map[string]any)["tag"]); tags != `["x","y&z"]` {
		t.Errorf("fields.tag = %s", tags)
	}
}

func TestSet_BuildsNestedTypedObjects(t *testing.T) {
	f := mustParse(t, `{"schema":1,"nodes":[{"id":"trigger","kind":"webhook"},
	  {"id":"user","kind":"set","config":{"fields":[
	    {"key":"user.email","value":"{{trigger.params.email | lower}}"},
	    {"key":"user.group_name","value":"[\"Лиды\"]","type":"json"},
	    {"key":"system.refresh_if_exists","value":"1","type":"number"},
	    {"key":"paid","value":"да","type":"bool"},
	    {"key":"raw","value":"{{trigger.params}}"}]}}],
	  "edges":[{"from":"trigger","to":"user"}]}`)
	tr, _ := Run(context.Background(), f, queryPayload("email=A%40B.C"), fixedEnv(nil))
	st, _ := tr.Step("user")
	got := Stringify(st.Output)
	want := `{"paid":true,"raw":{"email":"A@B.C"},"system":{"refresh_if_exists":1},"user":{"email":"a@b.c","group_name":["Лиды"]}}`
	if got != want {
		t.Errorf("output = %s\nwant     %s", got, want)
	}
}

func TestJSONParse_TakesFieldsFromTheHTTPAnswer(t *testing.T) {
	f := mustParse(t, `{"schema":1,"nodes":[{"id":"trigger","kind":"webhook"},
	  {"id":"parse","kind":"json_parse","config":{"fields":[{"key":"id","path":"[\"request\"][0][\"id\"]"},{"key":"gone","path":"request.0.gone"}]}},
	  {"id":"bad","kind":"json_parse","config":{"source":"{{trigger.params.text}}","fields":[{"key":"x","path":"x"}]}}],
	  "edges":[{"from":"trigger","to":"parse"},{"from":"parse","to":"bad"}]}`)
	p := Payload{Method: "POST", Headers: map[string]string{"Content-Type": "application/json"}, Body: `{"request":[{"id":48213}]}`, Query: json.RawMessage(`"text=not+json"`)}
	tr, _ := Run(context.Background(), f, p, fixedEnv(nil))
	parse, _ := tr.Step("parse")
	if Stringify(parse.Output) != `{"gone":null,"id":48213}` {
		t.Errorf("parse output = %s", Stringify(parse.Output))
	}
	if !strings.Contains(strings.Join(parse.Logs, "\n"), "gone: nothing at request.0.gone") {
		t.Errorf("logs = %v", parse.Logs)
	}
	bad, _ := tr.Step("bad")
	if bad.Status != StatusFailed || bad.ErrorCode != CodeJSONNotJSON {
		t.Errorf("bad = %+v", bad)
	}
}
