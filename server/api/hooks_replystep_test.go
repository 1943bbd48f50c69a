package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hookflow/hookflow/flows"
	"github.com/hookflow/hookflow/flows/flowstest"
	"github.com/hookflow/hookflow/server/store"
)

// sendAndReply is webhook → POST to the target ("x") → Reply with the id the target answered.
const sendAndReply = `{"schema":1,"nodes":[{"id":"trigger","kind":"webhook","config":{}},
  {"id":"x","kind":"http","config":{"method":"POST","url":"https://target.test/lead","body_type":"text","body":"{{trigger.params.email}}","retries":0}},
  {"id":"answer","kind":"reply","config":{"status":"201","content_type":"application/json","body":"{\"ok\":true,\"id\":\"{{steps.x.json.id}}\"}"}}],
  "edges":[{"from":"trigger","to":"x"},{"from":"x","to":"answer"}]}`

// The source that reads the answer gets what the Reply step made of the run's data: the id the
// target gave the lead, with the step's status and type, in the sandbox of every /hook answer.
func TestWebhookReplyStep_AnswersTheBodyRenderedFromTheRun(t *testing.T) {
	t.Parallel()
	onEachDatabase(t, func(t *testing.T, dialect string) {
		target := flowstest.NewTarget(t, flowstest.Reply(200, `{"id":"L-42"}`))
		s := startServer(t, dialect, target.Client())
		f := s.startedFlow(t, sendAndReply)
		resp, body := get(t, f.WebhookURL+"?email=a%40b.c")
		if resp.StatusCode != http.StatusCreated || body != `{"ok":true,"id":"L-42"}` {
			t.Fatalf("answer %d %q", resp.StatusCode, body)
		}
		if ct := resp.Header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
			t.Errorf("Content-Type %q", ct)
		}
		assertInert(t, resp)
		runs := s.waitRuns(f.ID, "success", 1, 10*time.Second)
		if got := target.Requests(); len(got) != 1 || got[0].Body != "a@b.c" {
			t.Errorf("the target received %+v", got)
		}
		var run struct{ Trace flows.Trace }
		s.call("GET", "/api/runs/"+runs[0].ID, nil, &run)
		if st, ok := run.Trace.Step("answer"); !ok || st.Status != flows.StatusSuccess {
			t.Errorf("the journal's run shows the Reply step %+v", st)
		}
	})
}

// A run that fails before its Reply step answers the acknowledgement (200 {"ok":true,
// "event_id":…}) at once, and the request is in the journal with its failed run, to be retried.
func TestWebhookReplyStep_FailingRunAnswersTheAcknowledgement(t *testing.T) {
	t.Parallel()
	onEachDatabase(t, func(t *testing.T, dialect string) {
		target := flowstest.NewTarget(t, flowstest.Reply(500, `down`))
		s := startServer(t, dialect, target.Client())
		f := s.startedFlow(t, sendAndReply)
		started := time.Now()
		resp, body := get(t, f.WebhookURL+"?email=a%40b.c")
		var ack struct {
			OK      bool   `json:"ok"`
			EventID string `json:"event_id"`
		}
		if err := json.Unmarshal([]byte(body), &ack); err != nil || resp.StatusCode != http.StatusOK || !ack.OK || ack.EventID == "" {
			t.Fatalf("answer %d %q, want the acknowledgement", resp.StatusCode, body)
		}
		if waited := time.Since(started); waited >= flows.DefaultReplyWait {
			t.Errorf("answered after %s: the failed run should release it at once", waited)
		}
		assertInert(t, resp)
		runs := s.waitRuns(f.ID, "", 1, 10*time.Second) // failed, waiting for its retry
		if runs[0].EventID != ack.EventID || runs[0].Status == flows.StatusSuccess {
			t.Errorf("run %s of event %q, the answer named %q", runs[0].Status, runs[0].EventID, ack.EventID)
		}
	})
}

// A flow saved before the Reply step kept its answer in its settings. It is read with the answer as
// a Reply step (and no setting), answers exactly as before, and is stored so at its next save.
func TestWebhookReplyStep_OldFlowWithReplySettingIsMigrated(t *testing.T) {
	t.Parallel()
	onEachDatabase(t, func(t *testing.T, dialect string) {
		s := startServer(t, dialect, nil)
		f := s.startedFlow(t, triggerOnly)
		s.writeStored(t, f.ID, func(stored *store.Flow) {
			stored.Settings = `{"lang":"ru","reply":{"status":201,"content_type":"application/json","body":"{\"email\":\"{{trigger.params.email}}\",\"id\":\"{{event.id}}\"}"}}`
		})
		check := func(when string) {
			t.Helper()
			resp, body := get(t, f.WebhookURL+"?email=a%40b.c")
			var got struct{ Email, ID string }
			if err := json.Unmarshal([]byte(body), &got); err != nil || resp.StatusCode != http.StatusCreated || got.Email != "a@b.c" || got.ID == "" {
				t.Fatalf("%s: answer %d %q", when, resp.StatusCode, body)
			}
			if ct := resp.Header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
				t.Errorf("%s: Content-Type %q", when, ct)
			}
		}
		check("before any save")

		var view struct {
			Document *flows.Flow    `json:"document"`
			Settings map[string]any `json:"settings"`
		}
		s.call("GET", "/api/flows/"+f.ID, nil, &view)
		if _, has := view.Settings["reply"]; has || view.Settings["lang"] != "ru" {
			t.Errorf("settings shown %v, want no reply and the rest kept", view.Settings)
		}
		if n, ok := view.Document.Node("reply"); !ok || n.Kind != flows.ReplyKind || len(view.Document.Edges) != 1 || view.Document.Edges[0].From != "trigger" {
			t.Fatalf("document shown %+v, want a Reply step after the trigger", view.Document)
		}

		if code := s.call("PUT", "/api/flows/"+f.ID, map[string]any{"document": view.Document}, nil); code != 200 {
			t.Fatalf("save: %d", code)
		}
		stored, err := s.st.Flow(context.Background(), f.ID)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(stored.Settings, "reply") || !strings.Contains(stored.Settings, `"lang":"ru"`) || !strings.Contains(stored.Document, `"kind":"reply"`) {
			t.Fatalf("stored settings %s, document %s", stored.Settings, stored.Document)
		}
		check("after the save")
	})
}

// An API client (or an imported file) still sending the reply setting gets it stored as the step.
func TestWebhookReplyStep_ReplySettingSentByAClientIsStoredAsTheStep(t *testing.T) {
	t.Parallel()
	s := startServer(t, "sqlite", nil)
	var v struct {
		ID       string         `json:"id"`
		Document *flows.Flow    `json:"document"`
		Settings map[string]any `json:"settings"`
	}
	body := `{"document":` + triggerOnly + `,"settings":{"reply":{"status":202,"content_type":"text/plain","body":"thanks","wait_ms":200}}}`
	if code := s.call("POST", "/api/flows", body, &v); code != 201 {
		t.Fatalf("create: %d", code)
	}
	n, ok := v.Document.Node("reply")
	if !ok || v.Settings["reply"] != nil {
		t.Fatalf("document %+v, settings %v", v.Document, v.Settings)
	}
	if got := string(n.Config); got != `{"status":"202","content_type":"text/plain","body":"thanks","wait_ms":1000}` {
		t.Errorf("step config %s", got)
	}
}

// The step's type menu holds only types no browser runs; one written by hand is refused with the
// step and field named, as is a second Reply step, in English and Russian.
func TestWebhookReplyStep_DisallowedTypeAndASecondStepAreRefused(t *testing.T) {
	t.Parallel()
	s := startServer(t, "sqlite", nil)
	f := s.createFlow(t, triggerOnly)
	for _, tc := range []struct {
		name, nodes, code, node, field, words string
	}{
		{"a page type", `{"id":"answer","kind":"reply","config":{"content_type":"text/html","body":"<p>hi</p>"}}`,
			flows.CodeFieldOption, "answer", "content_type", "application/json"},
		{"a script type", `{"id":"answer","kind":"reply","config":{"content_type":"application/javascript"}}`,
			flows.CodeFieldOption, "answer", "content_type", "text/plain"},
		{"two Reply steps", `{"id":"answer","kind":"reply","config":{}},{"id":"again","kind":"reply","config":{}}`,
			flows.CodeReplyMany, "again", "", "keep one"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			edges := `{"from":"trigger","to":"answer"}`
			if strings.Contains(tc.nodes, `"again"`) {
				edges += `,{"from":"trigger","to":"again"}`
			}
			doc := `{"schema":1,"nodes":[{"id":"trigger","kind":"webhook","config":{}},` + tc.nodes + `],"edges":[` + edges + `]}`
			var res struct {
				Details []flows.Problem
			}
			if code := s.call("PUT", "/api/flows/"+f.ID, map[string]any{"document": json.RawMessage(doc)}, &res); code != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422", code)
			}
			for _, p := range res.Details {
				if p.Code == tc.code && p.Node == tc.node && p.Field == tc.field && strings.Contains(p.Message, tc.words) {
					if ru := flows.Message(p.Code, "ru", p.Params); ru == p.Message || !strings.Contains(ru, "«") {
						t.Errorf("Russian sentence %q", ru)
					}
					return
				}
			}
			t.Fatalf("details %+v, want %s on %s.%s", res.Details, tc.code, tc.node, tc.field)
		})
	}
}
