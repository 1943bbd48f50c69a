package flows

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Whether the target accepted the data (the status range and the success condition), and, when it
// did not, quoting the target's own message in the failure.

// finish checks the success rule and builds the output.
func (h *httpStep) finish(ctx context.Context, sc *StepContext, p *httpPrepared, res *httpResult) (any, error) {
	headers := map[string]any{}
	for k, v := range res.headers {
		if len(v) > 0 {
			headers[http.CanonicalHeaderKey(k)] = v[0]
		}
	}
	out := map[string]any{
		"status":  json.Number(strconv.Itoa(res.status)),
		"headers": headers,
		"body":    string(res.body),
	}
	parsed, isJSON := httpParseJSON(res)
	if isJSON {
		out["json"] = parsed
	}
	if !h.inRange(res.status) {
		return nil, h.statusError(sc, p, res)
	}
	if h.cond == nil && h.rules == nil {
		return out, nil
	}

	// The rule sees the JSON answer's top-level fields by name and the whole answer as response.
	arg := map[string]any{}
	if obj, ok := parsed.(map[string]any); ok {
		for k, v := range obj {
			arg[k] = v
		}
	}
	response := map[string]any{"status": out["status"], "headers": headers, "body": out["body"]}
	if len(res.body) > httpConditionBodyMax {
		response["body"] = string(httpCutUTF8(res.body, httpConditionBodyMax))
	}
	if isJSON {
		response["json"] = parsed
	}
	arg["response"] = response
	if h.rules != nil {
		return h.checkRules(sc, p, res, out, arg, parsed, isJSON)
	}
	v, logs, err := h.cond.exec(ctx, sc.Env, arg, DefaultScriptTimeout)
	for _, l := range logs {
		sc.Logf("success rule: %s", l)
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil, sc.Fail(CodeRunCanceled, nil)
		}
		detail := err.Error()
		if errors.Is(err, errScriptTimeout) {
			detail = fmt.Sprintf("it ran longer than %s", httpDuration(DefaultScriptTimeout))
		}
		return nil, sc.Fail(CodeHTTPCondition, Params{"condition": h.condSrc, "detail": detail})
	}
	if truthy(v) {
		return out, nil
	}
	sc.Logf("the answer does not meet the success rule %s", h.condSrc)
	reply := h.reply(parsed, isJSON, res)
	if reply == "" {
		return nil, sc.Fail(CodeHTTPRejectedEmpty, Params{"host": p.host, "status": strconv.Itoa(res.status), "condition": h.condSrc})
	}
	return nil, sc.Fail(CodeHTTPRejected, Params{"host": p.host, "reply": reply})
}

// checkRules applies the success rule written as rows; a refusal says which rule failed, in words.
func (h *httpStep) checkRules(sc *StepContext, p *httpPrepared, res *httpResult, out, scope map[string]any, parsed any, isJSON bool) (any, error) {
	got, err := h.rules.decide(sc, rulePrefix(sc, "log.rule.prefix.success", nil), scope)
	if err != nil {
		return nil, sc.Fail(CodeHTTPCondition, Params{"condition": h.rulesSrc, "detail": err.Error()})
	}
	if got.pass {
		return out, nil
	}
	sc.Logf("the answer does not meet the success rule %s", h.rulesSrc)
	words := answerRulesFailed(got.failed)
	reply := ""
	if isJSON {
		reply = h.replyFromFields(parsed)
	} else {
		reply = h.reply(parsed, isJSON, res)
	}
	if reply != "" {
		reply = " — «" + reply + "»"
	}
	params := Params{"host": p.host, "reply": reply}
	params.put("rule", words)
	return nil, sc.Fail(CodeHTTPRuleFailed, params)
}

func (h *httpStep) inRange(status int) bool { return status >= h.statusMin && status <= h.statusMax }

// statusError is the failure for a status outside the success range, quoting the answer.
func (h *httpStep) statusError(sc *StepContext, p *httpPrepared, res *httpResult) error {
	parsed, isJSON := httpParseJSON(res)
	reply := h.reply(parsed, isJSON, res)
	if reply != "" {
		reply = " — «" + reply + "»"
	}
	return sc.Fail(CodeHTTPStatus, Params{"host": p.host, "status": strconv.Itoa(res.status), "reply": reply})
}

// httpErrorPaths are where services usually put their error text, tried in order.
var httpErrorPaths = func() []Path {
	var out []Path
	for _, s := range []string{"error_message", "result.error_message", "error.message", "error", "message", "msg", "errors"} {
		p, err := ParsePath(s)
		if err != nil {
			panic(err)
		}
		out = append(out, p)
	}
	return out
}()

// reply finds the target's own words: the configured error path, the usual places, or a short
// excerpt of the body.
func (h *httpStep) reply(parsed any, isJSON bool, res *httpResult) string {
	if isJSON {
		if s := h.replyFromFields(parsed); s != "" {
			return s
		}
	}
	body := strings.TrimSpace(string(res.body))
	if body == "" {
		return ""
	}
	if httpLooksLikeHTML(body) {
		body = httpHTMLText(body)
	}
	return httpExcerpt(body)
}

// replyFromFields is the error text of a JSON answer at the configured error path or one of the
// usual places; "" when there is none.
func (h *httpStep) replyFromFields(parsed any) string {
	if h.errorPath != nil {
		if v, _, ok := h.errorPath.Lookup(parsed); ok {
			if s := httpReplyText(v, true); s != "" {
				return httpExcerpt(s)
			}
		}
	}
	if s := httpProblemDetails(parsed); s != "" {
		return httpExcerpt(s)
	}
	for _, p := range httpErrorPaths {
		if v, _, ok := p.Lookup(parsed); ok {
			if s := httpReplyText(v, false); s != "" {
				return httpExcerpt(s)
			}
		}
	}
	return ""
}

// httpProblemDetails is the text of an RFC 9457 "problem details" answer
// (application/problem+json: title, type, status, detail), as amoCRM gives: its detail (else its
// title), followed by each of amoCRM's validation errors as "path: detail" —
// {"title":"Bad Request","status":400,"detail":"Request validation failed","validation-errors":
// [{"request_id":"0","errors":[{"code":"NotSupportedChoice","path":"…","detail":"…"}]}]}.
// "" when the answer is not one.
func httpProblemDetails(parsed any) string {
	obj, ok := parsed.(map[string]any)
	if !ok {
		return ""
	}
	title, _ := obj["title"].(string)
	detail, _ := obj["detail"].(string)
	_, hasStatus := obj["status"].(json.Number)
	_, hasType := obj["type"].(string)
	if title == "" || (!hasStatus && !hasType) {
		return ""
	}
	text := strings.TrimSpace(detail)
	if text == "" {
		text = strings.TrimSpace(title)
	}
	var found []string
	groups, _ := obj["validation-errors"].([]any)
	for _, g := range groups {
		gm, _ := g.(map[string]any)
		errs, _ := gm["errors"].([]any)
		for _, e := range errs {
			em, _ := e.(map[string]any)
			d, _ := em["detail"].(string)
			if d == "" {
				d, _ = em["code"].(string)
			}
			if p, _ := em["path"].(string); p != "" {
				d = p + ": " + d
			}
			if d = strings.TrimSpace(d); d != "" {
				found = append(found, d)
			}
		}
	}
	if len(found) > 0 {
		text += " — " + strings.Join(found, "; ")
	}
	return text
}

// httpReplyText turns a found error value into text. Outside an explicit path, flags and numbers
// ("error": true, "error": 0) are not messages.
func httpReplyText(v any, explicit bool) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return strings.TrimSpace(x)
	case bool, json.Number:
		if explicit {
			return Stringify(x)
		}
		return ""
	case []any:
		if len(x) == 0 {
			return ""
		}
		parts := make([]string, 0, len(x))
		for _, item := range x {
			s, ok := item.(string)
			if !ok {
				return Stringify(x)
			}
			parts = append(parts, s)
		}
		return strings.Join(parts, "; ")
	case map[string]any:
		if len(x) == 0 {
			return ""
		}
	}
	return Stringify(v)
}

func httpLooksLikeHTML(s string) bool {
	head := strings.ToLower(s[:min(len(s), 512)])
	return strings.HasPrefix(head, "<!doctype html") || strings.Contains(head, "<html")
}

// httpHTMLText gives an error page's title, or its text without tags.
func httpHTMLText(s string) string {
	low := strings.ToLower(s)
	if i := strings.Index(low, "<title>"); i >= 0 {
		if j := strings.Index(low[i:], "</title>"); j > 0 {
			if t := strings.TrimSpace(html.UnescapeString(s[i+7 : i+j])); t != "" {
				return t
			}
		}
	}
	var b strings.Builder
	in := false
	for _, r := range s {
		switch {
		case r == '<':
			in = true
			b.WriteByte(' ')
		case r == '>':
			in = false
		case !in:
			b.WriteRune(r)
		}
	}
	return html.UnescapeString(b.String())
}

// httpExcerpt collapses whitespace and keeps the first httpReplyExcerpt characters.
func httpExcerpt(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= httpReplyExcerpt {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:httpReplyExcerpt])) + "…"
}

// httpParseJSON parses a JSON answer, keeping numbers exact.
func httpParseJSON(res *httpResult) (any, bool) {
	body := bytes.TrimSpace(bytes.TrimPrefix(res.body, []byte("\xef\xbb\xbf")))
	if len(body) == 0 {
		return nil, false
	}
	ctype := strings.ToLower(res.headers.Get("Content-Type"))
	if body[0] != '{' && body[0] != '[' && !strings.Contains(ctype, "json") {
		return nil, false
	}
	v, err := decodeJSON(body)
	if err != nil {
		return nil, false
	}
	return v, true
}
