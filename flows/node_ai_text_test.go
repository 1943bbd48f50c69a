package flows

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hookflow/hookflow/flows/flowstest"
)

// The AI step against a local HTTPS server answering as the OpenAI API does
// (platform.openai.com/docs/api-reference/chat/create); the flow keeps OpenAI's real address.

func aiFlow(t *testing.T, config string) *Flow {
	t.Helper()
	return mustParse(t, `{"schema":1,"inputs":[{"key":"ai_key","secret":true}],"nodes":[{"id":"trigger","kind":"webhook"},
	  {"id":"ai","kind":"ai_text","name":"Оценить заявку","config":`+config+`}],
	  "edges":[{"from":"trigger","to":"ai"}]}`)
}

const aiClassify = `{"api_key":"{{inputs.ai_key}}","model":"gpt-4o-mini","answer":"json",
  "system":"Ты оцениваешь заявки. Ответь в JSON: {\"class\": \"hot\" или \"cold\"}",
  "prompt":"Имя: {{trigger.params.name}}\nКомментарий: {{trigger.params.comment}}","sample_answer":"{\"class\":\"hot\"}"}`

var aiLead = url.Values{"name": {"Анна"}, "comment": {"Хочу купить курс сегодня"}}

func aiRun(t *testing.T, config string, target *flowstest.Target) *Trace {
	t.Helper()
	env := fixedEnv(map[string]string{"ai_key": "sk-test-4f9a2c"})
	if target != nil {
		env.HTTP = target.Client()
	}
	env.Wait = func(ctx context.Context, d time.Duration) error { return ctx.Err() }
	tr, err := Run(context.Background(), aiFlow(t, config), formPayload(aiLead), env)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

func TestAIText_AsksTheChatCompletionAndOutputsTheJSONFields(t *testing.T) {
	for _, c := range []struct{ name, content string }{
		{"plain JSON", `{"class":"hot"}`},
		{"JSON in a code fence, as some compatible services answer", "```json\n{\"class\": \"hot\"}\n```"},
	} {
		t.Run(c.name, func(t *testing.T) {
			ai := flowstest.NewTarget(t, flowstest.Reply(200, flowstest.ChatCompletion(c.content)))
			tr := aiRun(t, aiClassify, ai)
			if tr.Status != StatusSuccess {
				t.Fatalf("status %s: %+v", tr.Status, tr.Error)
			}
			reqs := ai.Requests()
			if len(reqs) != 1 {
				t.Fatalf("%d requests", len(reqs))
			}
			r := reqs[0]
			checkRequest(t, r, "POST", "/v1/chat/completions", "application/json")
			if r.Host != "api.openai.com" || r.Header.Get("Authorization") != "Bearer sk-test-4f9a2c" {
				t.Errorf("host %s authorization %q", r.Host, r.Header.Get("Authorization"))
			}
			var body struct {
				Model          string              `json:"model"`
				Messages       []map[string]string `json:"messages"`
				ResponseFormat map[string]string   `json:"response_format"`
			}
			if err := json.Unmarshal([]byte(r.Body), &body); err != nil {
				t.Fatal(err)
			}
			if body.Model != "gpt-4o-mini" || len(body.Messages) != 2 || body.Messages[0]["role"] != "system" ||
				body.Messages[1]["role"] != "user" || body.Messages[1]["content"] != "Имя: Анна\nКомментарий: Хочу купить курс сегодня" ||
				body.ResponseFormat["type"] != "json_object" {
				t.Errorf("body %s", r.Body)
			}
			st, _ := tr.Step("ai")
			out := st.Output.(map[string]any)
			if Stringify(out["json"]) != `{"class":"hot"}` || out["text"] != c.content || out["model"] != "gpt-4o-mini-2024-07-18" {
				t.Errorf("output %v", out)
			}
			if strings.Contains(Stringify(tr.Steps), "sk-test-4f9a2c") {
				t.Error("the API key is visible in the trace")
			}
		})
	}
}

func TestAIText_TextAnswerSendsNoResponseFormat(t *testing.T) {
	ai := flowstest.NewTarget(t, flowstest.Reply(200, flowstest.ChatCompletion("Здравствуйте, Анна! Курс ждёт вас.")))
	tr := aiRun(t, `{"api_key":"{{inputs.ai_key}}","model":"gpt-4o-mini","base_url":"https://llm.school.ru/api/v1/","prompt":"Напиши ответ для {{trigger.params.name}}"}`, ai)
	if tr.Status != StatusSuccess {
		t.Fatalf("status %s: %+v", tr.Status, tr.Error)
	}
	r := ai.Requests()[0]
	if r.Host != "llm.school.ru" || r.Path != "/api/v1/chat/completions" || strings.Contains(r.Body, "response_format") || strings.Contains(r.Body, `"system"`) {
		t.Errorf("request %s %s %s", r.Host, r.Path, r.Body)
	}
	st, _ := tr.Step("ai")
	if out := st.Output.(map[string]any); out["text"] != "Здравствуйте, Анна! Курс ждёт вас." || out["json"] != nil {
		t.Errorf("output %v", out)
	}
}

// The provider's own words reach the journal; a busy or broken provider is asked again.
func TestAIText_ProviderErrorsAreQuotedInTheirOwnWords(t *testing.T) {
	for _, c := range []struct {
		name     string
		status   int
		reply    string
		code     string
		want     string
		attempts int
	}{
		{"a wrong key", 401, flowstest.ChatError("Incorrect API key provided: sk-test-****2c. You can find your API key at https://platform.openai.com/account/api-keys.", "invalid_request_error", "invalid_api_key"),
			CodeHTTPStatus, "api.openai.com answered with HTTP status 401 — «Incorrect API key provided", 1},
		{"a model that does not exist", 404, flowstest.ChatError("The model `gpt-5-mega` does not exist or you do not have access to it.", "invalid_request_error", "model_not_found"),
			CodeHTTPStatus, "does not exist or you do not have access to it", 1},
		{"no money left", 429, flowstest.ChatError("You exceeded your current quota, please check your plan and billing details.", "insufficient_quota", "insufficient_quota"),
			CodeHTTPStatus, "You exceeded your current quota", 3},
		{"the provider is down", 500, flowstest.ChatError("The server had an error while processing your request. Sorry about that!", "server_error", ""),
			CodeHTTPStatus, "The server had an error", 3},
		{"not JSON in JSON mode", 200, flowstest.ChatCompletion("Горячий лид"), CodeAINotJSON, "the AI answered text that is not JSON: «Горячий лид»", 1},
		{"an address that is not an OpenAI-compatible one", 200, `{"ok":true}`, CodeAINoAnswer, "answered without the AI's text — «{\"ok\":true}»", 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			ai := flowstest.NewTarget(t, flowstest.Reply(c.status, c.reply))
			tr := aiRun(t, aiClassify, ai)
			if tr.Status != StatusFailed || tr.Error.Code != c.code || !strings.Contains(tr.Error.Message, c.want) {
				t.Fatalf("error %+v, want %s with %q", tr.Error, c.code, c.want)
			}
			if got := len(ai.Requests()); got != c.attempts {
				t.Errorf("%d requests, want %d", got, c.attempts)
			}
			if ru := Message(tr.Error.Code, "ru", tr.Error.Params); !strings.HasPrefix(ru, "ИИ: текст «Оценить заявку»:") || strings.Contains(ru, "{reply}") {
				t.Errorf("ru: %s", ru)
			}
		})
	}
}

// A preview sends nothing: it shows the request and continues with the sample answer, wrapped
// as the provider answers, so the router after it can be tested.
func TestAIText_PreviewShowsTheRequestAndUsesTheSampleAnswer(t *testing.T) {
	for _, c := range []struct{ name, config, text string }{
		{"the step's sample answer", aiClassify, `{"class":"hot"}`},
		{"no sample answer: an empty object", strings.Replace(aiClassify, `"sample_answer":"{\"class\":\"hot\"}"`, `"sample_answer":""`, 1), `{}`},
	} {
		t.Run(c.name, func(t *testing.T) {
			tr := aiRun(t, c.config, nil)
			if tr.Status != StatusSuccess {
				t.Fatalf("status %s: %+v", tr.Status, tr.Error)
			}
			st, _ := tr.Step("ai")
			if st.HTTP == nil || st.HTTP.Sent || st.HTTP.Request.URL != "https://api.openai.com/v1/chat/completions" ||
				!strings.Contains(st.HTTP.Request.Body, `"response_format":{"type":"json_object"}`) || st.HTTP.Response == nil {
				t.Fatalf("exchange %+v", st.HTTP)
			}
			if out := st.Output.(map[string]any); out["text"] != c.text {
				t.Errorf("output %v", out)
			}
			if !strings.Contains(st.Logs[0], "not sent: this is a preview, so nothing went to api.openai.com") {
				t.Errorf("logs %q", st.Logs)
			}
		})
	}
}

func TestAIText_ValidationNamesTheField(t *testing.T) {
	for _, c := range []struct{ name, config, field, code string }{
		{"JSON asked for without the word JSON", `{"api_key":"k","model":"m","answer":"json","prompt":"Оцени заявку"}`, "system", CodeAINoJSONWord},
		{"a sample that is not JSON in JSON mode", `{"api_key":"k","model":"m","answer":"json","prompt":"JSON","sample_answer":"hot"}`, "sample_answer", CodeHTTPBodyNotJSON},
		{"no message", `{"api_key":"k","model":"m"}`, "prompt", CodeFieldRequired},
		{"no key", `{"model":"m","prompt":"p"}`, "api_key", CodeFieldRequired},
		{"the cloud's metadata service as the address", `{"api_key":"k","model":"m","prompt":"p","base_url":"http://169.254.169.254/v1"}`, "base_url", CodeURLDenied},
		{"not an address", `{"api_key":"k","model":"m","prompt":"p","base_url":"api.openai.com"}`, "base_url", CodeURLInvalid},
	} {
		t.Run(c.name, func(t *testing.T) {
			if _, problems := Compile(aiFlow(t, c.config)); !hasProblem(problems, c.code, c.field) {
				t.Errorf("problems %+v, want %s on %s", problems, c.code, c.field)
			}
		})
	}
}
