package flows

import (
	"errors"
	"net/http"
	"strings"
)

// What a preview continues with when an HTTP step has no sample answer of its own.
//
// A preview sends nothing, so there is no answer to check the step's success rule against. For
// the services our users send to, the shape of a successful answer is known (CONNECTORS.md):
// the preview continues with that example and says so in the step's log. For any other address
// it continues with an empty answer, and if that does not pass the success rule the step fails
// with CodeHTTPPreviewNoAnswer, which says that nothing was sent and what to add — never that
// the target answered.

// serviceAnswer is a known target service and its successful answer.
type serviceAnswer struct {
	Service string // brand name, the same in every language
	host    string // the exact host, or ".example.ru" for any host under it
	path    string // the path must start with this ("" for any)
	body    string // a successful answer's JSON; "" when its shape is not known
}

var serviceAnswers = []serviceAnswer{
	{Service: "CPA.House", host: "api.cpa.house", body: `{"status":"success","id":"1001"}`},
	{Service: "aray", host: "api.aray.com", body: `{"code":"ok","order_id":5501}`},
	{Service: "GetCourse", host: ".getcourse.ru", path: "/pl/api/",
		body: `{"success":true,"action":"add","result":{"success":true,"user_id":123456,"error_message":""}}`},
	{Service: "U-ON", host: "api.u-on.ru", path: "/",
		body: `{"request":[{"id":48213,"dat":"2024-03-05 10:15:00","dat_lead":"2024-03-05 10:10:00","dat_close":null,"status_id":1,"status":"Новое","office_id":1,"office_name":"Главный офис","travel_type_id":2,"travel_type":"Пляжный отдых","manager_id":7,"manager_surname":"Петрова","manager_sname":"Ивановна","manager_name":"Мария","source_id":3,"source":"Сайт","client_name":"Анна","client_surname":"Смирнова","client_phone":"+7 (916) 123-45-67","client_email":"anna@example.ru"}]}`},
	// Telegram Bot API, sendMessage: {"ok": true, "result": <the sent Message>}
	// (core.telegram.org/bots/api#making-requests).
	{Service: "Telegram", host: "api.telegram.org", path: "/bot",
		body: `{"ok":true,"result":{"message_id":512,"from":{"id":7012345678,"is_bot":true,"first_name":"Заявки школы","username":"school_leads_bot"},"chat":{"id":123456789,"first_name":"Мария","type":"private"},"date":1709633700,"text":"Новый пользователь в GetCourse"}}`},
	// Bitrix24 REST through an incoming webhook (https://PORTAL.bitrix24.ru/rest/USER/CODE/
	// method.json): crm.lead.add answers the new lead's number in result (apidocs.bitrix24.ru).
	{Service: "Bitrix24", host: ".bitrix24.ru", path: "/rest/", body: bitrix24Answer},
	{Service: "Bitrix24", host: ".bitrix24.com", path: "/rest/", body: bitrix24Answer},
	{Service: "Bitrix24", host: ".bitrix24.by", path: "/rest/", body: bitrix24Answer},
	{Service: "Bitrix24", host: ".bitrix24.kz", path: "/rest/", body: bitrix24Answer},
	{Service: "Bitrix24", host: ".bitrix24.ua", path: "/rest/", body: bitrix24Answer},
	// Google Sheets API, spreadsheets.values.append: an AppendValuesResponse
	// (developers.google.com/sheets/api/reference/rest/v4/spreadsheets.values/append).
	{Service: "Google Sheets", host: "sheets.googleapis.com", path: "/v4/spreadsheets/",
		body: `{"spreadsheetId":"1BxiMVs0XRA5nFMdKvBdBZjgmUUqptlbs74OgvE2upms","tableRange":"Заявки!A1:E7","updates":{"spreadsheetId":"1BxiMVs0XRA5nFMdKvBdBZjgmUUqptlbs74OgvE2upms","updatedRange":"Заявки!A8:E8","updatedRows":1,"updatedColumns":5,"updatedCells":5}}`},
	// amoCRM API v4, POST /api/v4/leads/complex: the lead's and the contact's ids per lead sent
	// (amocrm.ru/developers/content/crm_platform/leads-api#leads-complex-add).
	{Service: "amoCRM", host: ".amocrm.ru", path: "/api/v4/", body: amoCRMAnswer},
	{Service: "amoCRM", host: ".amocrm.com", path: "/api/v4/", body: amoCRMAnswer},
	// Offerrum's answer is not documented: its name is known, its answer is not.
	{Service: "Offerrum", host: "api.offerrum.com"},
}

const bitrix24Answer = `{"result":1234,"time":{"start":1709633700.1,"finish":1709633700.3,"duration":0.2,"processing":0.1,"date_start":"2024-03-05T13:15:00+03:00","date_finish":"2024-03-05T13:15:00+03:00"}}`

const amoCRMAnswer = `[{"id":9774766,"contact_id":12117258,"company_id":null,"request_id":["0"],"merged":false}]`

// serviceAnswerFor finds the known service an address belongs to.
func serviceAnswerFor(host, path string) (serviceAnswer, bool) {
	host = strings.ToLower(host)
	if h, _, ok := strings.Cut(host, ":"); ok {
		host = h
	}
	for _, s := range serviceAnswers {
		matches := host == s.host
		if strings.HasPrefix(s.host, ".") {
			matches = strings.HasSuffix(host, s.host) || host == s.host[1:]
		}
		if matches && strings.HasPrefix(path, s.path) {
			return s, true
		}
	}
	return serviceAnswer{}, false
}

// previewAnswer is what a preview continues with: the step's own sample answer, else the known
// service's example, else an empty 200. own is false when the sample is not the step's own;
// service names the target for the log and for CodeHTTPPreviewNoAnswer (its host when unknown).
func (h *httpStep) previewAnswer(p *httpPrepared) (res *httpResult, own bool, service string, example bool) {
	// An empty sample with the default status is what the form leaves when nothing was typed.
	if h.sampleSet && (len(h.sample.body) > 0 || h.sample.status != 200) {
		return &h.sample, true, p.host, false
	}
	service = p.host
	path := "/"
	if u, ok := httpParseURL(p.url); ok {
		service, path = u.Hostname(), u.EscapedPath()
	}
	s, known := serviceAnswerFor(service, path)
	if known {
		service = s.Service
	}
	if known && s.body != "" {
		headers := http.Header{}
		headers.Set("Content-Type", "application/json")
		return &httpResult{status: 200, headers: headers, body: []byte(s.body)}, false, service, true
	}
	return &h.sample, false, service, false
}

// previewFailure words a preview's failed success check as what it is: a check of the sample
// answer (example names the service whose example answer it was, "" for the step's own sample),
// with nothing sent. The target's own sentences ("CPA.House answered that…") are for runs that
// were sent.
func previewFailure(sc *StepContext, err error, example string) error {
	var pr *Problem
	if !errors.As(err, &pr) {
		return err
	}
	params := Params{"answer": "the sample answer", "answer_ru": "примера ответа", "status": pr.Params["status"], "reply": pr.Params["reply"]}
	if example != "" {
		params["answer"], params["answer_ru"] = example+"'s example answer", "примера ответа "+example
	}
	var code string
	switch pr.Code {
	case CodeHTTPStatus, CodeHTTPRejectedEmpty:
		code = CodeHTTPPreviewStatus
		if pr.Code == CodeHTTPRejectedEmpty {
			params["reply"] = ""
		}
	case CodeHTTPRejected:
		code = CodeHTTPPreviewRejected
	default:
		return err
	}
	np := problemAt(&sc.Node, "sample_response", code, params)
	return &np
}
