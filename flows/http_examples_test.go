package flows

import (
	"cmp"
	"context"
	"encoding/json"
	"net/url"
	"strings"
	"testing"
)

// A preview sends nothing. With no sample answer it must never say that the target answered:
// it continues with the known service's example answer, or says what to add.
func TestHTTPPreview_WithoutASampleAnswerNeverClaimsTheTargetAnswered(t *testing.T) {
	cases := []struct {
		name        string
		config      string
		wantCode    string // "" when the step succeeds
		wantService string
		// wantServiceRu is what the Russian sentence names, when it differs from wantService
		wantServiceRu string
		wantLog       string
		wantJSON      map[string]any // the output's json member, when the step succeeds on an example
	}{
		{
			name:        "unknown address with a success rule: says nothing was sent and what to add",
			config:      `{"method":"POST","url":"%URL%/method/send_order","body_type":"previous","success":{"condition":"status == \"success\""}}`,
			wantCode:    CodeHTTPPreviewNoAnswer,
			wantService: "127.0.0.1",
			wantLog:     "no sample answer",
		},
		{
			name:        "an empty sample answer left by the form counts as none",
			config:      `{"method":"POST","url":"%URL%/","body_type":"previous","success":{"condition":"status == \"success\""},"sample_response":{"status":200,"headers":{},"body":""}}`,
			wantCode:    CodeHTTPPreviewNoAnswer,
			wantService: "127.0.0.1",
		},
		{
			name:        "unknown address with a status range the empty answer misses",
			config:      `{"url":"%URL%/","success":{"status_min":201,"status_max":201}}`,
			wantCode:    CodeHTTPPreviewNoAnswer,
			wantService: "127.0.0.1",
		},
		{
			name:    "unknown address without a rule: continues, nothing claimed",
			config:  `{"url":"%URL%/"}`,
			wantLog: "no sample answer",
		},
		{
			name:     "CPA.House without a sample answer: its example passes the rule",
			config:   `{"method":"POST","url":"https://api.cpa.house/method/send_order","body_type":"previous","success":{"condition":"status == \"success\"","error_path":"msg"}}`,
			wantLog:  "CPA.House's example answer",
			wantJSON: map[string]any{"status": "success", "id": "1001"},
		},
		{
			name:     "aray without a sample answer",
			config:   `{"method":"POST","url":"https://api.aray.com/api/v2/order/create/","body_type":"previous","success":{"condition":"code == \"ok\""}}`,
			wantLog:  "aray's example answer",
			wantJSON: map[string]any{"code": "ok", "order_id": json.Number("5501")},
		},
		{
			name:    "GetCourse import API on the user's account",
			config:  `{"method":"POST","url":"https://school.getcourse.ru/pl/api/users","body_type":"previous","success":{"condition":"success && result.success"}}`,
			wantLog: "GetCourse's example answer",
		},
		{
			name:     "Telegram sendMessage: its example passes ok equals true",
			config:   `{"method":"POST","url":"https://api.telegram.org/bot123:abc/sendMessage","body_type":"previous","success":{"rules":[{"left":"ok","op":"equals","right":"true"}],"error_path":"description"}}`,
			wantLog:  "Telegram's example answer",
			wantJSON: map[string]any{"ok": true},
		},
		{
			name:     "Bitrix24 crm.lead.add on a portal: its example has the lead's number",
			config:   `{"method":"POST","url":"https://school.bitrix24.ru/rest/1/abc/crm.lead.add.json","body_type":"previous","success":{"match":"all","rules":[{"left":"result","op":"not_empty"},{"left":"error","op":"is_empty"}]}}`,
			wantLog:  "Bitrix24's example answer",
			wantJSON: map[string]any{"result": json.Number("1234")},
		},
		{
			name:        "a bitrix24.ru address outside /rest/ is not taken for the API",
			config:      `{"method":"POST","url":"https://school.bitrix24.ru/crm/lead/","body_type":"previous","success":{"rules":[{"left":"result","op":"not_empty"}]}}`,
			wantCode:    CodeHTTPPreviewNoAnswer,
			wantService: "school.bitrix24.ru",
		},
		{
			name:        "Offerrum, whose answer is not known: named, not made up",
			config:      `{"method":"POST","url":"https://api.offerrum.com/webmaster/order/","body_type":"previous","success":{"condition":"status == \"ok\""}}`,
			wantCode:    CodeHTTPPreviewNoAnswer,
			wantService: "Offerrum",
		},
		{
			name:        "the step's own sample answer that breaks the rule is called the sample answer",
			config:      `{"method":"POST","url":"%URL%/","body_type":"previous","success":{"condition":"status == \"success\""},"sample_response":{"body":"{\"status\":\"error\",\"msg\":\"Неверный api_key\"}"}}`,
			wantCode:    CodeHTTPPreviewRejected,
			wantService: "sample answer", wantServiceRu: "примера ответа",
			wantLog: "the sample answer",
		},
		{
			name:        "a sample status outside the range",
			config:      `{"url":"%URL%/","sample_response":{"status":503,"body":"maintenance"}}`,
			wantCode:    CodeHTTPPreviewStatus,
			wantService: "the sample answer has HTTP status 503", wantServiceRu: "HTTP-статус 503",
			wantLog: "the sample answer",
		},
		{
			name:        "CPA.House's example answer against a rule it does not meet",
			config:      `{"method":"POST","url":"https://api.cpa.house/method/send_order","body_type":"previous","success":{"condition":"status == \"queued\""}}`,
			wantCode:    CodeHTTPPreviewRejected,
			wantService: "CPA.House's example answer", wantServiceRu: "примера ответа CPA.House",
			wantLog: "CPA.House's example answer",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := newHTTPTarget(t, httpAnswer(200, "should never be called"))
			tr, st := runHTTPFlow(t, httpTestFlow(t, srv.URL, tc.config), httpTestEnv(nil, nil))
			if n := len(srv.Hits()); n != 0 {
				t.Fatalf("preview sent %d requests", n)
			}
			logs := strings.Join(st.Logs, "\n")
			if !strings.Contains(logs, "not sent") || !strings.Contains(logs, tc.wantLog) {
				t.Errorf("logs %q, want 'not sent' and %q", st.Logs, tc.wantLog)
			}
			if tc.wantCode == "" {
				httpMustSucceed(t, tr, st)
				if tc.wantJSON != nil {
					got, _ := st.Output.(map[string]any)["json"].(map[string]any)
					for k, v := range tc.wantJSON {
						if got[k] != v {
							t.Errorf("json %v: %s = %#v, want %#v", got, k, got[k], v)
						}
					}
				}
				if !strings.Contains(tc.wantLog, "example") && st.HTTP.Response != nil {
					t.Errorf("a made-up answer is shown as the target's: %+v", st.HTTP.Response)
				}
				return
			}
			httpMustFail(t, tr, st, tc.wantCode)
			if st.HTTP == nil || (tc.wantCode == CodeHTTPPreviewNoAnswer) != (st.HTTP.Response == nil) {
				t.Errorf("exchange %+v: the request must be shown, and an answer only when there was a sample", st.HTTP)
			}
			if tr.Error.Field != "sample_response" || tr.Error.Node != "send" {
				t.Errorf("error on %s.%s, want send.sample_response", tr.Error.Node, tr.Error.Field)
			}
			for _, lang := range []string{"en", "ru"} {
				msg := tr.Error.Text(lang)
				start := map[string]string{"en": "nothing was sent: this is a test", "ru": "ничего не отправлено: это проверка"}[lang]
				name := tc.wantService
				if lang == "ru" && tc.wantServiceRu != "" {
					name = tc.wantServiceRu
				}
				if !strings.Contains(msg, start) || !strings.Contains(msg, name) {
					t.Errorf("%s: %q, want it to say %q and name %s", lang, msg, start, name)
				}
				for _, claim := range []string{"answered", "ответил", "and nothing else", "без текста"} {
					if strings.Contains(msg, claim) {
						t.Errorf("%s: %q claims the target answered (%q)", lang, msg, claim)
					}
				}
			}
		})
	}
}

// Each built-in template's HTTP steps preview as well without their sample answers: the known
// services' example answers meet the templates' own success rules.
func TestHTTPPreview_TemplatesWithoutSampleAnswersPassOnTheServicesExamples(t *testing.T) {
	for _, tpl := range Templates() {
		t.Run(tpl.ID, func(t *testing.T) {
			flow := *tpl.Flow
			flow.Nodes = append([]Node(nil), tpl.Flow.Nodes...)
			stripped := 0
			for i, n := range flow.Nodes {
				if n.Kind != "http" {
					continue
				}
				var cfg map[string]json.RawMessage
				if err := json.Unmarshal(n.Config, &cfg); err != nil {
					t.Fatal(err)
				}
				delete(cfg, "sample_response")
				flow.Nodes[i].Config, _ = json.Marshal(cfg)
				stripped++
			}
			if stripped == 0 {
				t.Skip("no http step")
			}
			query := url.Values{}
			if p, ok := tpl.Preset(); ok {
				query, _ = url.ParseQuery(p.SampleQuery())
			}
			for _, k := range []string{"phone", "r_id", "email", "name"} {
				if query.Get(k) == "" {
					query.Set(k, "79161234567")
				}
			}
			q, _ := json.Marshal(query.Encode())
			inputs := sampleInputs(flow.Inputs)
			// A Bitrix24 portal is the user's own host; the example answer follows it.
			if _, ok := inputs["bitrix_portal"]; ok {
				inputs["bitrix_portal"] = "school.bitrix24.ru"
			}
			tr, err := Run(context.Background(), &flow, Payload{Method: "GET", Query: q}, &BasicEnv{Inputs: inputs})
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			for _, st := range tr.Steps {
				// (a router's other route is skipped)
				if st.Kind == "http" && st.Status != StatusSuccess && st.Status != StatusSkipped {
					t.Errorf("step %s: %s %s; logs %q", st.Node, st.Status, st.Error, st.Logs)
				}
			}
		})
	}
}

// sampleInputs fills a template's settings for a preview: a default where there is one (the AI
// service's address), an address for a setting that is one (…_url), else "sample-<key>".
func sampleInputs(inputs []Input) map[string]string {
	out := map[string]string{}
	for _, in := range inputs {
		out[in.Key] = cmp.Or(in.Default, "sample-"+in.Key)
		if strings.HasSuffix(in.Key, "_url") && in.Default == "" {
			out[in.Key] = "https://hooks.example.ru/" + in.Key
		}
	}
	return out
}
