package flows

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hookflow/hookflow/flows/flowstest"
)

// The seed integrations, run end to end against real local HTTPS servers standing in for
// CPA.House, aray, U-ON, Offerrum and GetCourse. The flows keep their real target URLs; the test
// client dials the local server whatever the host, so method, path, query, headers and body
// travel over real HTTP exactly as they would.

func loadJSON(t *testing.T, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", path))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

func seedRun(t *testing.T, templateID, payloadFile, inputsFile string, client *http.Client) *Trace {
	t.Helper()
	return seedRunWith(t, templateID, payloadFile, inputsFile, nil, client)
}

// seedRunWith is seedRun with some of the inputs file's values replaced (a key made by the test).
func seedRunWith(t *testing.T, templateID, payloadFile, inputsFile string, replace map[string]string, client *http.Client) *Trace {
	t.Helper()
	tpl, ok := TemplateByID(templateID)
	if !ok {
		t.Fatalf("no template %s", templateID)
	}
	var payload Payload
	loadJSON(t, "payloads/"+payloadFile, &payload)
	var inputs map[string]string
	loadJSON(t, "inputs/"+inputsFile, &inputs)
	for k, v := range replace {
		inputs[k] = v
	}
	env := fixedEnv(inputs)
	if client != nil {
		env.HTTP = client
	}
	env.Wait = func(ctx context.Context, d time.Duration) error { return ctx.Err() }
	tr, err := Run(context.Background(), tpl.Flow, payload, env)
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	return tr
}

// checkForm asserts the exact form fields (and nothing else) in order-insensitive form.
func checkForm(t *testing.T, got url.Values, want map[string]string) {
	t.Helper()
	for k, v := range want {
		if got.Get(k) != v || len(got[k]) != 1 {
			t.Errorf("field %s = %q, want %q", k, got[k], v)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("unexpected field %s = %q", k, got[k])
		}
	}
}

// seedDelivered runs a seed template against one target answering 200 with reply, expects the run
// to succeed with exactly one request to the target, and returns the trace and that request.
func seedDelivered(t *testing.T, template, payload, inputs, reply string) (*Trace, flowstest.Received) {
	t.Helper()
	target := flowstest.NewTarget(t)
	target.SetReplies(flowstest.Reply(200, reply))
	tr := seedRun(t, template, payload, inputs, target.Client())
	if tr.Status != StatusSuccess {
		t.Fatalf("status %s: %v", tr.Status, tr.Error)
	}
	reqs := target.Requests()
	if len(reqs) != 1 {
		t.Fatalf("%s: the target got %d requests", template, len(reqs))
	}
	return tr, reqs[0]
}

func checkRequest(t *testing.T, r flowstest.Received, method, path, contentType string) {
	t.Helper()
	if r.Method != method || r.Path != path || r.ContentType != contentType {
		t.Errorf("request = %s %s (%s), want %s %s (%s)", r.Method, r.Path, r.ContentType, method, path, contentType)
	}
}

func TestSeed_GetCourseUserToCPAHouse(t *testing.T) {
	tr, r := seedDelivered(t, "getcourse-cpa-house", "getcourse-user.json", "cpa-house.json", `{"status":"success","id":"1001"}`)
	checkRequest(t, r, "POST", "/method/send_order", "application/x-www-form-urlencoded")
	if r.Host != "api.cpa.house" || len(r.Query) != 0 {
		t.Errorf("host %s query %v", r.Host, r.Query)
	}
	checkForm(t, r.Form, map[string]string{
		"api_key": "cpa-secret-key-123", "id_webmaster": "501", "name": "Анна", "phone": "79161234567",
		"id_offer": "77", "id_source": "12", "id_stream": "3", "user_agent": "Mozilla/5.0",
		"ip_address": "203.0.113.7", "county_code": "RU", "sub_id_1": "yandex", "sub_id_2": "cpc",
		"sub_id_3": "spring", "sub_id_4": "anna.smirnova@example.ru",
	})
	if strings.Contains(Stringify(tr.Steps), "cpa-secret-key-123") {
		t.Error("the API key is visible in the trace")
	}
}

func TestSeed_KlientiksClientToCPAHouse(t *testing.T) {
	_, r := seedDelivered(t, "klientiks-cpa-house", "klientiks-client.json", "cpa-house.json", `{"status":"success"}`)
	checkRequest(t, r, "POST", "/method/send_order", "application/x-www-form-urlencoded")
	checkForm(t, r.Form, map[string]string{
		"api_key": "cpa-secret-key-123", "id_webmaster": "501", "name": "Иван Петров", "phone": "89167654321",
		"id_offer": "77", "id_source": "12", "id_stream": "3", "user_agent": "Klientiks", "ip_address": "0.0.0.0",
		"county_code": "RU", "sub_id_1": "7781", "sub_id_2": "ivan@example.ru",
	})
}

func TestSeed_SMSDelivererToAray(t *testing.T) {
	_, r := seedDelivered(t, "sms-deliverer-aray", "sms-deliverer.json", "aray.json", `{"code":"ok","order_id":5501}`)
	checkRequest(t, r, "POST", "/api/v2/order/create/", "application/x-www-form-urlencoded")
	if r.Host != "api.aray.com" {
		t.Errorf("host %s", r.Host)
	}
	checkForm(t, r.Form, map[string]string{
		"api_key": "aray-secret-key-456", "name": "SMS", "phone": "79161112233", "offer_id": "901",
		"country_code": "RU", "base_url": "https://landing.example.ru/promo", "price": "1990",
		"referrer": "https://landing.example.ru/promo", "ip": "0.0.0.0", "subacc": "Хочу заказать",
	})
}

const uonRequestJSON = `{"request":[{"id":48213,"dat":"2024-03-05 10:15:00","dat_lead":"2024-03-05 10:10:00","dat_close":null,"status_id":1,"status":"Новое","office_id":1,"office_name":"Главный офис","travel_type_id":2,"travel_type":"Пляжный отдых","manager_id":7,"manager_surname":"Петрова","manager_sname":"Ивановна","manager_name":"Мария","source_id":3,"source":"Сайт","client_name":"Анна","client_surname":"Смирнова","client_phone":"+7 (916) 123-45-67","client_email":"anna@example.ru"}]}`

// runUONOfferrum runs the uon-offerrum seed against a U-ON answering uonReply and an Offerrum
// that takes the order.
func runUONOfferrum(t *testing.T, uonReply http.HandlerFunc) (tr *Trace, uon, offerrum *flowstest.Target) {
	t.Helper()
	uon, offerrum = flowstest.NewTarget(t, uonReply), flowstest.NewTarget(t, flowstest.Reply(200, `{"id":90001}`))
	client := flowstest.RoutedClient(func(host string) *flowstest.Target {
		if host == "api.u-on.ru" {
			return uon
		}
		return offerrum
	})
	return seedRun(t, "uon-offerrum", "uon-request.json", "uon-offerrum.json", client), uon, offerrum
}

func TestSeed_UONRequestToOfferrum(t *testing.T) {
	tr, uon, offerrum := runUONOfferrum(t, flowstest.Reply(200, uonRequestJSON))
	if tr.Status != StatusSuccess {
		t.Fatalf("status %s: %v", tr.Status, tr.Error)
	}
	checkRequest(t, uon.Requests()[0], "GET", "/uon-secret-789/request/48213.json", "")
	parse, _ := tr.Step("parse")
	fields := parse.Output.(map[string]any)
	for k, want := range map[string]string{"id": "48213", "status": "Новое", "manager_surname": "Петрова", "source": "Сайт", "dat_close": ""} {
		if got := Stringify(fields[k]); got != want {
			t.Errorf("parsed %s = %q, want %q", k, got, want)
		}
	}
	r := offerrum.Requests()[0]
	checkRequest(t, r, "POST", "/webmaster/order/", "application/x-www-form-urlencoded")
	if r.Host != "api.offerrum.com" {
		t.Errorf("host %s", r.Host)
	}
	if got := r.Query.Encode(); got != "flow=fl42&key=off-secret-321&source=u-on&subid=form7" {
		t.Errorf("query = %s", got)
	}
	checkForm(t, r.Form, map[string]string{
		"default_country": "RU", "phone": "79161234567", "name": "Анна Смирнова", "order_time": "1709633700",
	})
}

func TestSeed_WebhookToGetCourseImport(t *testing.T) {
	_, r := seedDelivered(t, "webhook-getcourse-user", "site-form.json", "getcourse.json", `{"success":true,"action":"add","result":{"success":true,"user_id":123456,"error_message":""}}`)
	checkRequest(t, r, "POST", "/pl/api/users", "application/x-www-form-urlencoded")
	if r.Host != "myschool.getcourse.ru" {
		t.Errorf("host %s", r.Host)
	}
	if r.Form.Get("action") != "add" || r.Form.Get("key") != "gc-secret-key-654" || len(r.Form) != 3 {
		t.Errorf("form = %v", r.Form)
	}
	params, err := base64.StdEncoding.DecodeString(r.Form.Get("params"))
	if err != nil {
		t.Fatalf("params is not base64: %v", err)
	}
	want := `{"session":{"utm_source":"yandex"},"system":{"refresh_if_exists":1},"user":{"email":"anna@example.ru","first_name":"Анна","group_name":["Лиды с сайта"],"phone":"+7 916 123-45-67"}}`
	if string(params) != want {
		t.Errorf("params JSON = %s\nwant          %s", params, want)
	}
}

// The targets' own words reach the journal when they refuse a request.
func TestSeed_RefusalsQuoteTheTargetsMessage(t *testing.T) {
	cases := []struct {
		template, payload, inputs, reply, want string
	}{
		{"getcourse-cpa-house", "getcourse-user.json", "cpa-house.json", `{"status":"error","msg":"Неверный api_key"}`, "Неверный api_key"},
		{"sms-deliverer-aray", "sms-deliverer.json", "aray.json", `{"code":"error","error":"offer not found"}`, "offer not found"},
		{"webhook-getcourse-user", "site-form.json", "getcourse.json", `{"success":true,"result":{"success":false,"error_message":"Не указан email"}}`, "Не указан email"},
		{"webhook-getcourse-user", "site-form.json", "getcourse.json", `{"success":false,"error_message":"Неверный ключ"}`, "Неверный ключ"},
	}
	for _, c := range cases {
		t.Run(c.template+" "+c.want, func(t *testing.T) {
			ft := flowstest.NewTarget(t)
			ft.SetReplies(flowstest.Reply(200, c.reply))
			tr := seedRun(t, c.template, c.payload, c.inputs, ft.Client())
			if tr.Status != StatusFailed || tr.Error == nil {
				t.Fatalf("status %s", tr.Status)
			}
			if !strings.Contains(tr.Error.Message, c.want) || tr.Error.Node != "send" {
				t.Errorf("error = %q (node %s), want it to quote %q", tr.Error.Message, tr.Error.Node, c.want)
			}
			if len(ft.Requests()) != 1 {
				t.Errorf("a refusal must not be retried; got %d requests", len(ft.Requests()))
			}
		})
	}
}

func TestSeed_TargetErrorThenSuccessIsRetried(t *testing.T) {
	cpa := flowstest.NewTarget(t)
	cpa.SetReplies(flowstest.Reply(502, `bad gateway`), flowstest.Reply(503, `busy`), flowstest.Reply(200, `{"status":"success"}`))
	tr := seedRun(t, "getcourse-cpa-house", "getcourse-user.json", "cpa-house.json", cpa.Client())
	if tr.Status != StatusSuccess {
		t.Fatalf("status %s: %v", tr.Status, tr.Error)
	}
	reqs := cpa.Requests()
	if len(reqs) != 3 {
		t.Fatalf("want 3 attempts, got %d", len(reqs))
	}
	if reqs[0].Body != reqs[2].Body {
		t.Error("a retry must send the same body")
	}
	send, _ := tr.Step("send")
	if len(send.HTTP.Attempts) != 3 || send.HTTP.Attempts[0].Status != 502 {
		t.Errorf("attempts = %+v", send.HTTP.Attempts)
	}
}

func TestSeed_ClientErrorFailsAtOnceWithTheResponse(t *testing.T) {
	tr, uon, off := runUONOfferrum(t, flowstest.Reply(404, `{"error":"request not found"}`))
	if tr.Status != StatusFailed || tr.Error.Node != "fetch" {
		t.Fatalf("status %s error %+v", tr.Status, tr.Error)
	}
	fetch, _ := tr.Step("fetch")
	if fetch.HTTP == nil || fetch.HTTP.Response == nil || fetch.HTTP.Response.Status != 404 || !strings.Contains(fetch.HTTP.Response.Body, "request not found") {
		t.Fatalf("the response must be in the trace: %+v", fetch.HTTP)
	}
	if len(uon.Requests()) != 1 || len(off.Requests()) != 0 {
		t.Errorf("U-ON got %d requests, Offerrum %d", len(uon.Requests()), len(off.Requests()))
	}
	for _, id := range []string{"parse", "form", "send"} {
		if s, _ := tr.Step(id); s.Status != StatusSkipped {
			t.Errorf("%s = %s, want skipped", id, s.Status)
		}
	}
}

// Previews (browser, CLI --dry-run) send nothing and continue with each HTTP step's sample
// response; their traces are pinned in golden files.
func TestSeed_PreviewTracesMatchGolden(t *testing.T) {
	cases := []struct{ template, payload, inputs string }{
		{"getcourse-cpa-house", "getcourse-user.json", "cpa-house.json"},
		{"klientiks-cpa-house", "klientiks-client.json", "cpa-house.json"},
		{"sms-deliverer-aray", "sms-deliverer.json", "aray.json"},
		{"uon-offerrum", "uon-request.json", "uon-offerrum.json"},
		{"webhook-getcourse-user", "site-form.json", "getcourse.json"},
		{"tilda-bitrix24", "tilda-form.json", "bitrix24.json"},
		{"getcourse-telegram", "getcourse-user.json", "telegram.json"},
		{"webhook-google-sheets", "site-form.json", "google-sheets.json"},
		{"getcourse-amocrm", "getcourse-order.json", "amocrm.json"},
		{"webhook-ai-router", "tilda-lead-comment.json", "ai-router.json"},
		{"tilda-email", "tilda-form.json", "manager-email.json"},
	}
	for _, c := range cases {
		t.Run(c.template, func(t *testing.T) {
			tr := seedRun(t, c.template, c.payload, c.inputs, nil)
			if tr.Status != StatusSuccess {
				t.Errorf("preview status %s: %v", tr.Status, tr.Error)
			}
			for _, s := range tr.Steps {
				if s.HTTP != nil && s.HTTP.Sent {
					t.Errorf("%s was sent in a preview", s.Node)
				}
			}
			golden(t, "trace-"+c.template+".json", indentJSON(t, tr))
		})
	}
}

// Bitrix24's successful crm.lead.add answer: the new lead's number in result, and timings
// (apidocs.bitrix24.ru, crm.lead.add).
const bitrix24LeadAdded = `{"result":1234,"time":{"start":1709633700.1,"finish":1709633700.3,"duration":0.2,"processing":0.1,"date_start":"2024-03-05T13:15:00+03:00","date_finish":"2024-03-05T13:15:00+03:00"}}`

func TestSeed_TildaFormToBitrix24Lead(t *testing.T) {
	tr, r := seedDelivered(t, "tilda-bitrix24", "tilda-form.json", "bitrix24.json", bitrix24LeadAdded)
	checkRequest(t, r, "POST", "/rest/1/b24-secret-hook-987/crm.lead.add.json", "application/x-www-form-urlencoded")
	if r.Host != "school.bitrix24.ru" || len(r.Query) != 0 {
		t.Errorf("host %s query %v", r.Host, r.Query)
	}
	checkForm(t, r.Form, map[string]string{
		"fields[TITLE]": "Заявка с сайта (Tilda)", "fields[NAME]": "Анна Смирнова",
		"fields[PHONE][0][VALUE]": "+7 (916) 123-45-67", "fields[PHONE][0][VALUE_TYPE]": "WORK",
		"fields[EMAIL][0][VALUE]": "anna.smirnova@mail.ru", "fields[EMAIL][0][VALUE_TYPE]": "WORK",
		"fields[SOURCE_ID]": "WEB", "fields[SOURCE_DESCRIPTION]": "Tilda form512345678, заявка 5123456:7890123456",
		"fields[UTM_SOURCE]": "yandex", "fields[UTM_MEDIUM]": "cpc", "fields[UTM_CAMPAIGN]": "kurs_vesna",
		"params[REGISTER_SONET_EVENT]": "Y",
	})
	if strings.Contains(Stringify(tr.Steps), "b24-secret-hook-987") {
		t.Error("the Bitrix24 webhook code is visible in the trace")
	}
}

// Telegram's successful sendMessage answer: ok and the sent Message (core.telegram.org/bots/api).
const telegramMessageSent = `{"ok":true,"result":{"message_id":512,"from":{"id":7012345678,"is_bot":true,"first_name":"Заявки школы","username":"school_leads_bot"},"chat":{"id":123456789,"first_name":"Мария","type":"private"},"date":1709633700,"text":"Новый пользователь в GetCourse"}}`

func TestSeed_GetCourseUserToTelegramMessage(t *testing.T) {
	cases := []struct {
		name, payload, text string
	}{
		{"plain user", "getcourse-user.json",
			"<b>Новый пользователь в GetCourse</b>\nИмя: Анна Смирнова\nEmail: anna.smirnova@example.ru\nТелефон: +7 (916) 123-45-67\nИсточник: yandex"},
		// What the user typed stays text: Telegram would refuse the message ("can't parse
		// entities") or show a stranger's markup if it were not escaped.
		{"user data that looks like markup", "getcourse-user-markup.json",
			"<b>Новый пользователь в GetCourse</b>\nИмя: &lt;b&gt;Olga&lt;/b&gt; O'Brien &amp; Co\nEmail: o.brien@example.ru\nТелефон: +79161234567\nИсточник: &lt;script&gt;"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tr, r := seedDelivered(t, "getcourse-telegram", c.payload, "telegram.json", telegramMessageSent)
			checkRequest(t, r, "POST", "/bot7012345678:AAE-tg-secret-token/sendMessage", "application/x-www-form-urlencoded")
			if r.Host != "api.telegram.org" {
				t.Errorf("host %s", r.Host)
			}
			checkForm(t, r.Form, map[string]string{"chat_id": "123456789", "parse_mode": "HTML", "text": c.text})
			if strings.Contains(Stringify(tr.Steps), "AAE-tg-secret-token") {
				t.Error("the bot token is visible in the trace")
			}
		})
	}
}

// Bitrix24 and Telegram refuse with an HTTP error status and a JSON body; the journal quotes
// their own words (error_description, description). A refusal is not retried; a busy service is.
func TestSeed_ServiceRefusalsQuoteTheServicesOwnWords(t *testing.T) {
	cases := []struct {
		name, template, payload, inputs string
		status                          int
		reply, want                     string
		attempts                        int
	}{
		{"Bitrix24: webhook address wrong", "tilda-bitrix24", "tilda-form.json", "bitrix24.json",
			401, `{"error":"INVALID_CREDENTIALS","error_description":"Invalid request credentials"}`, "Invalid request credentials", 1},
		{"Bitrix24: webhook without the CRM permission", "tilda-bitrix24", "tilda-form.json", "bitrix24.json",
			403, `{"error":"insufficient_scope","error_description":"The request requires higher privileges than provided by the webhook token"}`, "higher privileges", 1},
		{"Bitrix24: too many requests", "tilda-bitrix24", "tilda-form.json", "bitrix24.json",
			503, `{"error":"QUERY_LIMIT_EXCEEDED","error_description":"Too many requests"}`, "Too many requests", 4},
		{"Bitrix24: a field refused", "tilda-bitrix24", "tilda-form.json", "bitrix24.json",
			400, `{"error":"","error_description":"Не заполнено обязательное поле «Название лида»"}`, "Не заполнено обязательное поле", 1},
		{"Bitrix24: an answer without a lead number", "tilda-bitrix24", "tilda-form.json", "bitrix24.json",
			200, `{"error":"","error_description":"Лид не добавлен"}`, "Лид не добавлен", 1},
		{"Telegram: chat not found", "getcourse-telegram", "getcourse-user.json", "telegram.json",
			400, `{"ok":false,"error_code":400,"description":"Bad Request: chat not found"}`, "Bad Request: chat not found", 1},
		{"Telegram: wrong token", "getcourse-telegram", "getcourse-user.json", "telegram.json",
			401, `{"ok":false,"error_code":401,"description":"Unauthorized"}`, "Unauthorized", 1},
		{"Telegram: the manager blocked the bot", "getcourse-telegram", "getcourse-user.json", "telegram.json",
			403, `{"ok":false,"error_code":403,"description":"Forbidden: bot was blocked by the user"}`, "bot was blocked by the user", 1},
		{"amoCRM: wrong or expired token", "getcourse-amocrm", "getcourse-order.json", "amocrm.json",
			401, `{"title":"Unauthorized","type":"https://httpstatus.es/401","status":401,"detail":"Unauthorized"}`, "«Unauthorized»", 1},
		{"amoCRM: a field refused", "getcourse-amocrm", "getcourse-order.json", "amocrm.json",
			400, `{"validation-errors":[{"request_id":"0","errors":[{"code":"NotSupportedChoice","path":"_embedded.contacts.0.custom_fields_values.0.field_code","detail":"The value you selected is not a valid choice."}]}],"title":"Bad Request","type":"https://httpstatus.es/400","status":400,"detail":"Request validation failed"}`,
			"Request validation failed — _embedded.contacts.0.custom_fields_values.0.field_code: The value you selected is not a valid choice.", 1},
		{"amoCRM: the account's subscription ended", "getcourse-amocrm", "getcourse-order.json", "amocrm.json",
			402, `{"title":"Payment Required","type":"https://httpstatus.es/402","status":402,"detail":"Account is not paid"}`, "Account is not paid", 1},
		{"amoCRM: too many requests", "getcourse-amocrm", "getcourse-order.json", "amocrm.json",
			429, `{"title":"Too Many Requests","type":"https://httpstatus.es/429","status":429,"detail":"Too many requests"}`, "Too many requests", 4},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ft := flowstest.NewTarget(t)
			ft.SetReplies(flowstest.Reply(c.status, c.reply))
			tr := seedRun(t, c.template, c.payload, c.inputs, ft.Client())
			if tr.Status != StatusFailed || tr.Error == nil {
				t.Fatalf("status %s", tr.Status)
			}
			if !strings.Contains(tr.Error.Message, c.want) || tr.Error.Node != "send" {
				t.Errorf("error = %q (node %s), want it to quote %q", tr.Error.Message, tr.Error.Node, c.want)
			}
			if got := len(ft.Requests()); got != c.attempts {
				t.Errorf("%d requests, want %d", got, c.attempts)
			}
		})
	}
}

// A form's lead is sorted by the AI (a local stand-in answering as OpenAI does) and reaches the
// target of its class only.
func TestSeed_WebhookAIRouterSendsEachLeadToItsClassesTarget(t *testing.T) {
	for _, c := range []struct{ class, to string }{{"hot", "crm.school.ru"}, {"cold", "mail.school.ru"}} {
		t.Run(c.class, func(t *testing.T) {
			ai, hot, cold := flowstest.NewTarget(t), flowstest.NewTarget(t), flowstest.NewTarget(t)
			ai.SetReplies(flowstest.Reply(200, flowstest.ChatCompletion(`{"class": "`+c.class+`"}`)))
			targets := map[string]*flowstest.Target{"api.openai.com": ai, "crm.school.ru": hot, "mail.school.ru": cold}
			tr := seedRun(t, "webhook-ai-router", "tilda-lead-comment.json", "ai-router.json", flowstest.RoutedClient(func(host string) *flowstest.Target { return targets[host] }))
			if tr.Status != StatusSuccess {
				t.Fatalf("status %s: %+v", tr.Status, tr.Error)
			}
			asked := ai.Requests()
			if len(asked) != 1 || asked[0].Path != "/v1/chat/completions" || !strings.Contains(asked[0].Body, `Комментарий: Хочу купить курс, позвоните сегодня`) ||
				!strings.Contains(asked[0].Body, `"response_format":{"type":"json_object"}`) || asked[0].Header.Get("Authorization") != "Bearer sk-proj-ai-secret-5521" {
				t.Fatalf("the AI was asked %+v", asked)
			}
			for host, target := range map[string]*flowstest.Target{"crm.school.ru": hot, "mail.school.ru": cold} {
				reqs := target.Requests()
				if host != c.to {
					if len(reqs) != 0 {
						t.Errorf("%s got %d requests", host, len(reqs))
					}
					continue
				}
				if len(reqs) != 1 {
					t.Fatalf("%s got %d requests", host, len(reqs))
				}
				checkRequest(t, reqs[0], "POST", "/hooks/"+c.class, "application/json")
				want := `{"name": "Анна Смирнова", "phone": "+7 (916) 123-45-67", "email": "anna.smirnova@mail.ru", "comment": "Хочу купить курс, позвоните сегодня", "class": "` + c.class + `"}`
				if reqs[0].Body != want {
					t.Errorf("body %s\nwant %s", reqs[0].Body, want)
				}
			}
			if strings.Contains(Stringify(tr.Steps), "sk-proj-ai-secret-5521") {
				t.Error("the API key is visible in the trace")
			}
		})
	}
}

func TestSeed_TildaFormToALetterForTheManager(t *testing.T) {
	tpl, _ := TemplateByID("tilda-email")
	var payload Payload
	loadJSON(t, "payloads/tilda-form.json", &payload)
	var inputs map[string]string
	loadJSON(t, "inputs/manager-email.json", &inputs)
	box := &mailbox{}
	tr, err := Run(context.Background(), tpl.Flow, payload, sendingEnv(box, inputs))
	if err != nil || tr.Status != StatusSuccess || len(box.letters) != 1 {
		t.Fatalf("run %s %v %+v, %d letters", tr.Status, err, tr.Error, len(box.letters))
	}
	m := box.letters[0]
	if m.SMTP != nil || strings.Join(m.To, ", ") != "manager@school.ru, Мария Иванова <maria@school.ru>" || m.ReplyTo != "Anna.Smirnova@Mail.ru" ||
		m.Subject != "Заявка с сайта: Анна Смирнова" {
		t.Errorf("letter %+v", m)
	}
	if want := "Новая заявка с сайта.\n\nИмя: Анна Смирнова\nТелефон: +7 (916) 123-45-67\nEmail: Anna.Smirnova@Mail.ru\nИсточник: yandex\nФорма: form512345678"; m.Text != want {
		t.Errorf("text %q\nwant %q", m.Text, want)
	}
	if !strings.Contains(m.HTML, "Имя: <b>Анна Смирнова</b>") {
		t.Errorf("html %q", m.HTML)
	}
}
