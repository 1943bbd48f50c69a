package flows

import (
	"encoding/json"
	"html"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// Fuzz targets for every parser of outside input. `make test` runs each for a few seconds.

func FuzzParseTemplate(f *testing.F) {
	for _, s := range []string{"{{trigger.params.phone | digits}}", `{{a["b"][0] | default:"x" | date:"DD.MM.YYYY"}}`, "{{", "}}{{x}}", `{{"q\"" | upper}}`, "{{now|date:unix}}", "<b>{{trigger.params.name | html}}</b>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		tpl, err := ParseTemplate(src)
		if err != nil {
			return
		}
		s := testScope()
		_ = tpl.Render(s)
		_ = tpl.Value(s)
	})
}

func FuzzParsePath(f *testing.F) {
	for _, s := range []string{`["request"][0]["id"]`, "request.0.id", "$.request[0].id", "$..id", `a['b\'c']`, "[", "$[?@.a>1]"} {
		f.Add(s)
	}
	doc, _ := decodeJSON([]byte(`{"request":[{"id":1,"a":{"b":[1,2]}}]}`))
	f.Fuzz(func(t *testing.T, src string) {
		q, err := ParseQuery(src)
		if err != nil {
			return
		}
		q.Select(doc)
	})
}

func FuzzParseFlow(f *testing.F) {
	for _, tpl := range Templates() {
		data, _ := json.Marshal(tpl.Flow)
		f.Add(data)
	}
	f.Add([]byte(`{"nodes":[{"id":"a","kind":"webhook"},{"id":"b","kind":"set","config":{"fields":[{"key":"a.b","value":"{{a.x}}"}]}}],"edges":[{"from":"a","to":"b"},{"from":"b","to":"a"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		fl, err := ParseFlow(data)
		if err != nil {
			return
		}
		_ = Validate(fl, func(string) (string, bool) { return "", false })
		if _, err := json.Marshal(fl); err != nil {
			t.Fatalf("a parsed flow must encode: %v", err)
		}
	})
}

func FuzzParseRequest(f *testing.F) {
	f.Add("GET", "email=a%40b.c", "", "")
	f.Add("POST", "", "application/x-www-form-urlencoded", "r_id=1&a[]=2")
	f.Add("POST", "", "application/json", `{"a":[1,{"b":null}]}`)
	f.Add("POST", "", "multipart/form-data; boundary=XX", "--XX\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--XX--\r\n")
	f.Fuzz(func(t *testing.T, method, query, ctype, body string) {
		q, _ := json.Marshal(query)
		p := Payload{Method: method, Query: q, Headers: map[string]string{"Content-Type": ctype}, Body: body}
		out, err := ParseRequest(p)
		if err != nil {
			return
		}
		if _, ok := out["params"].(map[string]any); !ok {
			t.Fatal("params must always be an object")
		}
		if _, err := json.Marshal(out); err != nil {
			t.Fatalf("output must encode: %v", err)
		}
	})
}

// The html pipe's output, put between tags, is always plain text to an HTML reader: no tag or
// entity of the input survives, and unescaping gives the input back.
func FuzzHTMLPipe(f *testing.F) {
	for _, s := range []string{"Анна", "<b>x</b>", "a & b", `"q"`, "&amp;", "&lt;", "<<>>&&", "\x00<"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := escapeHTML(in)
		if strings.ContainsAny(out, `<>"`) {
			t.Fatalf("escapeHTML(%q) = %q keeps markup", in, out)
		}
		if got := html.UnescapeString(out); got != in && utf8.ValidString(in) {
			t.Fatalf("unescaping %q gives %q, want %q", out, got, in)
		}
	})
}

// An AI service's answer is outside input: reading it never panics, and JSON found in it parses.
func FuzzAICompletion(f *testing.F) {
	for _, s := range []string{`{"choices":[{"message":{"content":"{\"class\":\"hot\"}"},"finish_reason":"stop"}]}`,
		`{"choices":[{"message":{"refusal":"no"}}]}`, `{"choices":[]}`, `{"error":{"message":"x"}}`, "```json\n{}\n```", "```", "[]"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		if text, _, ok := parseAICompletion([]byte(body)); ok {
			_, _ = decodeJSON([]byte(aiUnfence(text)))
		}
		_, _ = decodeJSON([]byte(aiUnfence(body)))
	})
}

// FuzzParseSchedule: a schedule trigger's config (the cron expression is typed by the user)
// never panics, and a schedule that is read always names a later tick.
func FuzzParseSchedule(f *testing.F) {
	for _, s := range []string{`{"every":"cron","cron":"30 8 1 * *"}`, `{"every":"cron","cron":"*/7 1-5,9 * JAN-MAR MON"}`,
		`{"every":"week","weekday":"friday","time":"18:15","timezone":"Asia/Omsk"}`, `{"every":"cron","cron":"0 9 30 2 *"}`,
		`{"every":"cron","cron":"TZ=UTC 0 9 * * *"}`, `{"every":"cron","cron":"1-/5 * * * *"}`, `{"every":"2h","missed":"skip"}`} {
		f.Add(s)
	}
	from := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, config string) {
		s, err := ScheduleOf(json.RawMessage(config))
		if err != nil {
			return
		}
		if next := s.Next(from); !next.IsZero() && !next.After(from) {
			t.Fatalf("%s: next tick %s is not after %s", config, next, from)
		}
	})
}
