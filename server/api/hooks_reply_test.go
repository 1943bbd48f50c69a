package api_test

import (
	"context"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"strings"
	"testing"

	"github.com/hookflow/hookflow/server/core"
	"github.com/hookflow/hookflow/server/store"
)

// hookPolicy is the policy of every answer that is not the editor itself: a document that can
// run nothing, load nothing and be framed by nothing, in an origin of its own (sandbox).
const hookPolicy = "sandbox; default-src 'none'; frame-ancestors 'none'"

const triggerOnly = `{"schema":1,"nodes":[{"id":"trigger","kind":"webhook","config":{}}]}`

// assertInert checks the headers that keep an answer from running as one of hookflow's pages.
func assertInert(t *testing.T, resp *http.Response) {
	t.Helper()
	if got := resp.Header.Get("Content-Security-Policy"); got != hookPolicy {
		t.Errorf("Content-Security-Policy = %q, want %q", got, hookPolicy)
	}
	if got := resp.Header.Get("X-Content-Type-Options"); got != "nosniff" {
		t.Errorf("X-Content-Type-Options = %q, want nosniff", got)
	}
	mt, _, err := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if err != nil {
		t.Errorf("Content-Type %q: %v", resp.Header.Get("Content-Type"), err)
	}
	switch mt {
	case "text/plain", "application/json", "application/xml", "text/xml", "text/csv":
	default:
		t.Errorf("Content-Type %q can run in a browser", resp.Header.Get("Content-Type"))
	}
}

// A flow's answer is chosen by whoever edits the flow, and it comes from hookflow's own origin:
// a type a browser runs (a page, a script, an image with script) is refused when saved, with the
// setting named; the types sources read (text, JSON, XML, CSV) are kept, parameters included.
func TestWebhookReply_OnlyTypesThatCannotRunAreSaved(t *testing.T) {
	t.Parallel()
	onEachDatabase(t, func(t *testing.T, dialect string) {
		s := startServer(t, dialect, nil)
		f := s.createFlow(t, triggerOnly)
		save := func(contentType string) (int, []struct{ Code, Field, Message string }) {
			var res struct {
				Details []struct{ Code, Field, Message string }
			}
			body := map[string]any{"document": json.RawMessage(triggerOnly),
				"settings": map[string]any{"reply": map[string]any{"content_type": contentType, "body": "x"}}}
			return s.call("PUT", "/api/flows/"+f.ID, body, &res), res.Details
		}
		for _, ct := range []string{
			"text/html", "text/html; charset=utf-8", "TEXT/HTML", "application/javascript", "text/javascript",
			"application/ecmascript", "image/svg+xml", "application/xhtml+xml", "text/css", "application/pdf",
			"multipart/x-mixed-replace; boundary=x", "text/plain, text/html", "not a type", "text/plain; charset",
		} {
			code, details := save(ct)
			if code != http.StatusUnprocessableEntity || len(details) != 1 || details[0].Field != "settings.reply.content_type" ||
				details[0].Code != core.CodeBadSetting || !strings.Contains(details[0].Message, "text/plain") {
				t.Errorf("%q: %d %+v, want 422 naming settings.reply.content_type and the types allowed", ct, code, details)
			}
		}
		for _, ct := range []string{
			"text/plain", "text/plain; charset=utf-8", "application/json", "Application/JSON; charset=UTF-8",
			"application/xml", "text/xml; charset=windows-1251", "text/csv",
		} {
			if code, details := save(ct); code != http.StatusOK {
				t.Errorf("%q: %d %+v, want 200", ct, code, details)
			}
		}
	})
}

// A flow stored before the list existed (or written to the database by other means) may still
// hold a page or a script type. In its old reply setting, it becomes a Reply step answering plain
// text, as the setting was served; in a Reply step written into the document, validation refuses
// the step and the run fails, so the webhook gets the acknowledgement. Never that type, always in a
// sandbox.
func TestWebhookReply_StoredExecutableTypeIsServedAsInertText(t *testing.T) {
	t.Parallel()
	onEachDatabase(t, func(t *testing.T, dialect string) {
		s := startServer(t, dialect, nil)
		for _, tc := range []struct{ stored, served string }{
			{"text/html", "text/plain; charset=utf-8"},
			{"text/html; charset=utf-8", "text/plain; charset=utf-8"},
			{"application/javascript", "text/plain; charset=utf-8"},
			{"image/svg+xml", "text/plain; charset=utf-8"},
			{"text/html\r\nX-Injected: 1", "text/plain; charset=utf-8"},
			{"", "text/plain; charset=utf-8"},
			{"application/json; charset=utf-8", "application/json; charset=utf-8"},
			{"application/xml", "application/xml; charset=utf-8"},
		} {
			t.Run("setting "+tc.stored, func(t *testing.T) {
				f := s.startedFlow(t, triggerOnly)
				settings, _ := json.Marshal(core.FlowSettings{Reply: &core.Reply{ContentType: tc.stored, Body: `<script>parent.owned=1</script>`}})
				s.writeStored(t, f.ID, func(stored *store.Flow) { stored.Settings = string(settings) })
				resp, body := get(t, f.WebhookURL)
				if resp.StatusCode != http.StatusOK || body != `<script>parent.owned=1</script>` {
					t.Fatalf("answer %d %q", resp.StatusCode, body)
				}
				if got := resp.Header.Get("Content-Type"); got != tc.served {
					t.Errorf("Content-Type = %q, want %q", got, tc.served)
				}
				if resp.Header.Get("X-Injected") != "" {
					t.Error("a header was injected through the stored content type")
				}
				assertInert(t, resp)
			})
			if tc.served != "text/plain; charset=utf-8" || tc.stored == "" { // a step without a type answers JSON
				continue
			}
			t.Run("step "+tc.stored, func(t *testing.T) {
				f := s.startedFlow(t, triggerOnly)
				doc := `{"schema":1,"nodes":[{"id":"trigger","kind":"webhook","config":{}},
				  {"id":"answer","kind":"reply","config":{"content_type":` + jsonString(tc.stored) + `,"body":"<script>parent.owned=1</script>"}}],
				  "edges":[{"from":"trigger","to":"answer"}]}`
				s.writeStored(t, f.ID, func(stored *store.Flow) { stored.Document = doc })
				resp, body := get(t, f.WebhookURL)
				if resp.StatusCode != http.StatusOK || strings.Contains(body, "script") || !strings.Contains(body, `"event_id"`) {
					t.Fatalf("answer %d %q, want the acknowledgement", resp.StatusCode, body)
				}
				assertInert(t, resp)
			})
		}
	})
}

// startedFlow creates a flow and starts it.
func (s *testServer) startedFlow(t *testing.T, doc string) flowView {
	t.Helper()
	f := s.createFlow(t, doc)
	if code := s.call("POST", "/api/flows/"+f.ID+"/start", nil, nil); code != 200 {
		t.Fatalf("start: %d", code)
	}
	return f
}

// writeStored changes a stored flow behind the API's back, as an older hookflow or a hand-made
// change would have left it.
func (s *testServer) writeStored(t *testing.T, id string, change func(*store.Flow)) {
	t.Helper()
	stored, err := s.st.Flow(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	change(stored)
	if err := s.st.UpdateFlow(context.Background(), stored); err != nil {
		t.Fatal(err)
	}
}

// get calls a webhook and returns its answer with the body read.
func get(t *testing.T, url string) (*http.Response, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(body)
}

// Every answer at /hook/… — the acknowledgement, a sample kept by a stopped flow, the flow's own
// answer, and each refusal — is inert: sandboxed, not sniffed, of a type that cannot run.
func TestWebhookAnswers_AreAllSandboxed(t *testing.T) {
	t.Parallel()
	s := startServer(t, "sqlite", nil, configured(func(c *core.Config) { c.MaxBodyBytes = 1 << 10 }))
	stopped := s.createFlow(t, triggerOnly)
	var limited, replying flowView
	s.call("POST", "/api/flows", `{"document":`+triggerOnly+`,"settings":{"rate_limit":{"per_second":0.01,"burst":1}}}`, &limited)
	s.call("POST", "/api/flows", `{"document":`+triggerOnly+`,"settings":{"reply":{"status":201,"content_type":"application/json","body":"{\"id\":\"{{event.id}}\"}"}}}`, &replying)
	for _, f := range []flowView{limited, replying} {
		if code := s.call("POST", "/api/flows/"+f.ID+"/start", nil, nil); code != 200 {
			t.Fatalf("start: %d", code)
		}
	}
	hook(t, limited.WebhookURL, "POST", "", "text/plain", "first, within the burst")

	for _, tc := range []struct {
		name, method, url, body string
		status                  int
	}{
		{"sample of a stopped flow", "POST", stopped.WebhookURL, `{"a":1}`, http.StatusAccepted},
		{"flow's own answer", "POST", replying.WebhookURL, `{"a":1}`, http.StatusCreated},
		{"HEAD", "HEAD", stopped.WebhookURL, "", http.StatusAccepted},
		{"too large", "POST", stopped.WebhookURL, strings.Repeat("x", 2<<10), http.StatusRequestEntityTooLarge},
		{"too many", "POST", limited.WebhookURL, "x", http.StatusTooManyRequests},
		{"unknown address", "GET", s.URL + "/hook/<script>alert(1)</script>", "", http.StatusNotFound},
		{"no address", "GET", s.URL + "/hook/", "", http.StatusNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(tc.method, tc.url, strings.NewReader(tc.body))
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.status)
			}
			assertInert(t, resp)
		})
	}
	t.Run("acknowledgement of a running flow", func(t *testing.T) {
		other := s.createFlow(t, triggerOnly)
		s.call("POST", "/api/flows/"+other.ID+"/start", nil, nil)
		resp, err := http.Post(other.WebhookURL, "application/json", strings.NewReader(`{}`))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status %d", resp.StatusCode)
		}
		assertInert(t, resp)
	})
}

// Files a person downloads hold what flow editors wrote (names, texts, templates): they are
// attachments of type JSON, named from the flow's name without breaking the header, and inert.
func TestExports_AreInertJSONAttachments(t *testing.T) {
	t.Parallel()
	s := startServer(t, "sqlite", nil)
	const name = "Заявки \"GetCourse\"\r\n<script>"
	var f flowView
	doc := `{"schema":1,"name":` + jsonString(name) + `,"nodes":[{"id":"trigger","kind":"webhook","config":{}}]}`
	if code := s.call("POST", "/api/flows", doc, &f); code != 201 {
		t.Fatalf("create: %d", code)
	}
	var tpl struct{ ID string }
	if code := s.call("POST", "/api/flows/"+f.ID+"/save-template", map[string]any{"name": name}, &tpl); code != 201 {
		t.Fatalf("save as template: %d", code)
	}
	for _, tc := range []struct{ what, path, file string }{
		{"flow", "/api/flows/" + f.ID + "/export", "Заявки _GetCourse___<script>.json"},
		{"flow as a template", "/api/flows/" + f.ID + "/template", "Заявки _GetCourse___<script>.template.json"},
		{"team template", "/api/templates/" + tpl.ID + "/export", "Заявки _GetCourse___<script>.template.json"},
		{"built-in template", "/api/templates/getcourse-cpa-house/export", ""},
	} {
		t.Run(tc.what, func(t *testing.T) {
			req, _ := http.NewRequest("GET", s.URL+tc.path, nil)
			req.Header.Set("Authorization", "Bearer "+s.token)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			data, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || !json.Valid(data) {
				t.Fatalf("status %d, body %.200s", resp.StatusCode, data)
			}
			assertInert(t, resp)
			if mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); mt != "application/json" {
				t.Errorf("Content-Type %q, want application/json", resp.Header.Get("Content-Type"))
			}
			disp, params, err := mime.ParseMediaType(resp.Header.Get("Content-Disposition"))
			if err != nil || disp != "attachment" {
				t.Fatalf("Content-Disposition %q (%v), want an attachment", resp.Header.Get("Content-Disposition"), err)
			}
			if tc.file != "" && params["filename"] != tc.file {
				t.Errorf("file name %q, want %q", params["filename"], tc.file)
			}
		})
	}
}

func jsonString(s string) string {
	data, _ := json.Marshal(s)
	return string(data)
}
