package flows

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"time"
)

// ai_text ("ИИ: текст") asks a language model through an OpenAI-compatible chat completion
// (POST {base}/chat/completions: OpenAI, or any provider that speaks the same API) and outputs
// its answer as text or, when asked for JSON, as fields ("classify this lead": {"class": "hot"}).
//
// The request goes through the flow's HTTP client, so the server's outbound policy applies, and
// is retried like an http step's (network errors, 429, 5xx). A refusal quotes the provider's
// own words ({"error": {"message": …}}). JSON mode sends response_format {"type":
// "json_object"}; OpenAI refuses it unless a message says "JSON", so validation asks for the
// word. A preview sends nothing: it shows the request and continues with the step's sample
// answer (or a stand-in one), wrapped as the provider would answer.
//
// Shapes: platform.openai.com/docs/api-reference/chat/create (docs/connectors.md).

type aiTextConfig struct {
	BaseURL      string `json:"base_url"`
	APIKey       string `json:"api_key"`
	Model        string `json:"model"`
	System       string `json:"system"`
	Prompt       string `json:"prompt"`
	Answer       string `json:"answer"`
	TimeoutMs    int    `json:"timeout_ms"`
	SampleAnswer string `json:"sample_answer"`
}

const (
	aiDefaultBase    = "https://api.openai.com/v1"
	aiDefaultModel   = "gpt-4o-mini"
	aiDefaultTimeout = 60 * time.Second
	aiAnswerText     = "text"
	aiAnswerJSON     = "json"
	aiRetries        = 2
	aiRetryDelay     = time.Second
	aiPreviewText    = "…"
)

// Problem codes of the AI step.
const (
	CodeAINotJSON    = "ai.not_json"
	CodeAINoAnswer   = "ai.no_answer"
	CodeAINoJSONWord = "ai.json_word"
)

func init() {
	Register(KindSpec[aiTextConfig]{
		Name:  "ai_text",
		Title: T("ai_text.title"),
		Help:  T("ai_text.help"),
		Fields: []Field{
			{Key: "prompt", Type: FieldText, Label: T("ai_text.prompt.label"), Required: true, Template: true,
				Help: T("ai_text.prompt.help")},
			{Key: "system", Type: FieldText, Label: T("ai_text.system.label"), Template: true,
				Help: T("ai_text.system.help")},
			{Key: "answer", Type: FieldSelect, Label: T("ai_text.answer.label"), Options: []string{aiAnswerText, aiAnswerJSON}, Default: aiAnswerText,
				OptionLabels: map[string]Text{
					aiAnswerText: T("ai_text.answer.option.text"),
					aiAnswerJSON: T("ai_text.answer.option.json"),
				},
				Help: T("ai_text.answer.help")},
			{Key: "model", Type: FieldString, Label: T("ai_text.model.label"), Required: true, Template: true, Default: aiDefaultModel,
				Help: T("ai_text.model.help")},
			{Key: "api_key", Type: FieldString, Label: T("ai_text.api_key.label"), Required: true, Template: true, Secret: true,
				Help: T("ai_text.api_key.help")},
			{Key: "base_url", Type: FieldString, Label: T("ai_text.base_url.label"), Template: true, Default: aiDefaultBase,
				Help: T("ai_text.base_url.help")},
			{Key: "timeout_ms", Type: FieldNumber, Label: T("ai_text.timeout_ms.label"), Default: 60000, Min: bound(1000), Max: bound(httpMaxTimeoutMs),
				Help: T("ai_text.timeout_ms.help")},
			{Key: "sample_answer", Type: FieldCode, Label: T("ai_text.sample_answer.label"),
				Help: T("ai_text.sample_answer.help")},
		},
		Build: buildAIText,
	})
}

type aiTextStep struct {
	base, key, model *Template
	system, prompt   *Template
	json             bool
	http             *httpStep // sends with the http step's attempts, retries and refusal wording
	sample           string
}

func buildAIText(b *Builder, cfg *aiTextConfig) Step {
	st := &aiTextStep{json: cfg.Answer == aiAnswerJSON, sample: cfg.SampleAnswer}
	base := cfg.BaseURL
	if strings.TrimSpace(base) == "" {
		base = aiDefaultBase
	}
	st.base = b.Template("base_url", base)
	if src := strings.TrimSpace(base); !strings.Contains(src, "{{") {
		if u, ok := httpParseURL(src); !ok {
			b.Problem("base_url", CodeURLInvalid, Params{"url": src})
		} else if reason, reasonRu, denied := literalDenied(u.Hostname()); denied {
			b.Problem("base_url", CodeURLDenied, Params{"url": src, "reason": reason, "reason_ru": reasonRu})
		}
	}
	st.key = b.Template("api_key", cfg.APIKey)
	st.model = b.Template("model", cfg.Model)
	st.system = b.TemplateOrNil("system", cfg.System)
	st.prompt = b.Template("prompt", cfg.Prompt)
	if st.json && !strings.Contains(strings.ToLower(cfg.System+cfg.Prompt), "json") {
		b.Problem("system", CodeAINoJSONWord, nil)
	}
	if st.json && strings.TrimSpace(cfg.SampleAnswer) != "" {
		if _, err := decodeJSON([]byte(cfg.SampleAnswer)); err != nil {
			b.Problem("sample_answer", CodeHTTPBodyNotJSON, Params{"detail": err.Error()})
		}
	}
	timeout := aiDefaultTimeout
	if cfg.TimeoutMs > 0 {
		timeout = time.Duration(min(cfg.TimeoutMs, httpMaxTimeoutMs)) * time.Millisecond
	}
	errPath, _ := ParsePath("error.message")
	st.http = &httpStep{method: "POST", timeout: timeout, retries: aiRetries, delay: aiRetryDelay,
		statusMin: 200, statusMax: 299, errorPath: errPath}
	return st
}

// aiMessage is one message of the chat.
type aiMessage struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

type aiRequest struct {
	Model          string            `json:"model"`
	Messages       []aiMessage       `json:"messages"`
	ResponseFormat map[string]string `json:"response_format,omitempty"`
}

// aiCompletion is the part of a chat completion the step reads.
type aiCompletion struct {
	Model   string `json:"model"`
	Choices []struct {
		Message struct {
			Content *string `json:"content"`
			Refusal *string `json:"refusal"`
		} `json:"message"`
		FinishReason string `json:"finish_reason"`
	} `json:"choices"`
}

// prepare renders the request.
func (st *aiTextStep) prepare(sc *StepContext) (*httpPrepared, string, error) {
	base := strings.TrimRight(strings.TrimSpace(sc.Render(st.base)), "/")
	u, ok := httpParseURL(base + "/chat/completions")
	if !ok {
		return nil, "", sc.Fail(CodeURLInvalid, Params{"url": base})
	}
	key := strings.TrimSpace(sc.Render(st.key))
	sc.Secret(key)
	if strings.ContainsAny(key, "\r\n\x00") {
		return nil, "", sc.Fail(CodeHTTPBadRequest, Params{"detail": "the API key contains a line break"})
	}
	model := strings.TrimSpace(sc.Render(st.model))
	req := aiRequest{Model: model}
	if s := sc.Render(st.system); strings.TrimSpace(s) != "" {
		req.Messages = append(req.Messages, aiMessage{Role: "system", Content: s})
	}
	req.Messages = append(req.Messages, aiMessage{Role: "user", Content: sc.Render(st.prompt)})
	if st.json {
		req.ResponseFormat = map[string]string{"type": "json_object"}
	}
	body, err := json.Marshal(req)
	if err != nil {
		return nil, "", sc.Fail(CodeHTTPBadRequest, Params{"detail": err.Error()})
	}
	return &httpPrepared{method: "POST", url: u.String(), host: u.Host, body: string(body), headers: []KeyVal{
		{Key: "Authorization", Value: "Bearer " + key, Secret: true},
		{Key: "Content-Type", Value: "application/json"},
		{Key: "User-Agent", Value: httpUserAgent},
	}}, model, nil
}

func (st *aiTextStep) Run(ctx context.Context, sc *StepContext) (any, error) {
	p, model, err := st.prepare(sc)
	if err != nil {
		return nil, err
	}
	x := &HTTPExchange{Sent: !sc.Preview(), Request: HTTPRequest{Method: p.method, URL: p.url,
		Headers: append([]KeyVal(nil), p.headers...), Body: httpTraceText([]byte(p.body))}}
	sc.RecordHTTP(x)
	var res *httpResult
	if sc.Preview() {
		res = st.exampleAnswer(model)
		if strings.TrimSpace(st.sample) != "" {
			sc.Log("log.ai_text.preview_sample", Params{"host": p.host})
		} else {
			sc.Log("log.ai_text.preview_stand_in", Params{"host": p.host})
		}
	} else {
		if res, err = st.http.send(ctx, sc, p, x); err != nil {
			return nil, err
		}
		if !st.http.inRange(res.status) {
			x.Response = httpTraceResponse(res)
			return nil, st.http.statusError(sc, p, res)
		}
	}
	x.Response = httpTraceResponse(res)
	return st.read(sc, p, res)
}

// exampleAnswer is the chat completion a preview continues with: the sample answer wrapped as
// the provider would send it.
func (st *aiTextStep) exampleAnswer(model string) *httpResult {
	content := st.sample
	if strings.TrimSpace(content) == "" {
		content = aiPreviewText
		if st.json {
			content = "{}"
		}
	}
	body, _ := json.Marshal(map[string]any{
		"id": "chatcmpl-example", "object": "chat.completion", "created": 1709633700, "model": model,
		"choices": []any{map[string]any{"index": 0, "finish_reason": "stop",
			"message": map[string]any{"role": "assistant", "content": content, "refusal": nil}}},
		"usage": map[string]any{"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
	})
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	return &httpResult{status: 200, headers: h, body: body}
}

// read takes the AI's text out of the completion and, in JSON mode, its fields.
func (st *aiTextStep) read(sc *StepContext, p *httpPrepared, res *httpResult) (any, error) {
	text, c, ok := parseAICompletion(res.body)
	if !ok {
		parsed, isJSON := httpParseJSON(res)
		reply := st.http.reply(parsed, isJSON, res)
		if reply != "" {
			reply = " — «" + reply + "»"
		}
		return nil, sc.Fail(CodeAINoAnswer, Params{"host": p.host, "reply": reply})
	}
	out := map[string]any{"text": text, "model": c.Model, "finish_reason": c.Choices[0].FinishReason}
	if c.Choices[0].FinishReason == "length" {
		sc.Logf("the answer was cut: the model reached its length limit")
	}
	if !st.json {
		return out, nil
	}
	v, err := decodeJSON([]byte(aiUnfence(text)))
	if err != nil {
		return nil, sc.Fail(CodeAINotJSON, Params{"reply": httpExcerpt(text), "detail": err.Error()})
	}
	out["json"] = v
	return out, nil
}

// parseAICompletion reads the first choice's text (or its refusal) from a chat completion.
func parseAICompletion(body []byte) (string, *aiCompletion, bool) {
	var c aiCompletion
	if err := json.Unmarshal(bytes.TrimSpace(body), &c); err != nil || len(c.Choices) == 0 {
		return "", nil, false
	}
	m := c.Choices[0].Message
	switch {
	case m.Content != nil:
		return *m.Content, &c, true
	case m.Refusal != nil:
		return *m.Refusal, &c, true
	}
	return "", nil, false
}

// aiUnfence drops a ```json … ``` fence some compatible services put around JSON.
func aiUnfence(s string) string {
	t := strings.TrimSpace(s)
	if !strings.HasPrefix(t, "```") || !strings.HasSuffix(t, "```") || len(t) < 6 {
		return s
	}
	t = strings.TrimSuffix(strings.TrimPrefix(t, "```"), "```")
	if nl := strings.IndexByte(t, '\n'); nl >= 0 && !strings.ContainsAny(t[:nl], "{[") {
		t = t[nl+1:]
	}
	return t
}
