package api_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hookflow/hookflow/flows/flowstest"
	"github.com/hookflow/hookflow/server/secrets"
	"github.com/hookflow/hookflow/server/store"
)

// One damaged row (a flow document, a run's trace, a saved version, a team template that is no
// longer JSON) fails alone: the lists show everything else, the damaged flow says plainly what
// is wrong, its webhooks are still stored and its runs fail with that sentence, and the queue
// goes on with the other flows.
func TestServer_ADamagedRowFailsAloneAndSaysSo(t *testing.T) {
	t.Parallel()
	onEachDatabase(t, func(t *testing.T, dialect string) {
		target := flowstest.NewTarget(t, flowstest.Reply(200, `{}`))
		s := startServer(t, dialect, target.Client())
		ctx := context.Background()
		doc := func(name string) string {
			return `{"schema":1,"name":"` + name + `","nodes":[{"id":"trigger","kind":"webhook"},
			  {"id":"send","kind":"http","config":{"method":"POST","url":"https://crm.example/lead"}}],
			  "edges":[{"from":"trigger","to":"send"}]}`
		}
		good := s.createFlow(t, doc("good"))
		damaged := s.createFlow(t, doc("damaged"))
		for _, f := range []flowView{good, damaged} {
			if code := s.call("POST", "/api/flows/"+f.ID+"/start", nil, nil); code != 200 {
				t.Fatalf("start: %d", code)
			}
		}
		hook(t, good.WebhookURL, "GET", "n=1", "", "")
		s.waitRuns(good.ID, "success", 1, 10*time.Second)

		st := s.st
		write := func(model any, id, column, value string) {
			t.Helper()
			if err := st.Write(ctx).Model(model).Where("id = ?", id).Update(column, value).Error; err != nil {
				t.Fatal(err)
			}
		}
		// Cut short inside a sealed secret: nothing can be decrypted either.
		write(&store.Flow{}, damaged.ID, "document", `{"schema":1,"nodes":[{"id":"send","config":{"headers":[{"key":"X-Key","value":"`+secrets.Prefix+`abc`)
		var goodRun store.Run
		if err := st.Read(ctx).Where("flow_id = ?", good.ID).First(&goodRun).Error; err != nil {
			t.Fatal(err)
		}
		write(&store.Run{}, goodRun.ID, "trace", `{"status":"succ`)
		if err := st.Write(ctx).Model(&store.FlowVersion{}).Where("flow_id = ? AND version = 1", good.ID).
			Update("document", "not json").Error; err != nil {
			t.Fatal(err)
		}
		stored, _ := st.Flow(ctx, good.ID)
		if err := st.CreateTeamTemplate(ctx, &store.TeamTemplate{ID: store.NewID(), TeamID: stored.TeamID, Name: "damaged", Document: "{"}); err != nil {
			t.Fatal(err)
		}

		// The list shows both flows; the damaged one carries a sentence instead of a document.
		var list struct {
			Flows []struct {
				ID       string         `json:"id"`
				Name     string         `json:"name"`
				Document map[string]any `json:"document"`
				Error    string         `json:"error"`
			}
		}
		if code := s.call("GET", "/api/flows", nil, &list); code != 200 || len(list.Flows) != 2 {
			t.Fatalf("GET /api/flows: %d, %d flows", code, len(list.Flows))
		}
		for _, f := range list.Flows {
			switch f.ID {
			case good.ID:
				if f.Document == nil || f.Error != "" {
					t.Errorf("the intact flow: %+v", f)
				}
			case damaged.ID:
				if f.Name != "damaged" || !strings.HasPrefix(f.Error, "this flow could not be read: ") {
					t.Errorf("the damaged flow: %+v", f)
				}
			}
		}
		var answer struct{ Error string }
		if code := s.call("GET", "/api/flows/"+damaged.ID, nil, &answer); code != 500 || !strings.HasPrefix(answer.Error, "this flow could not be read: ") {
			t.Errorf("GET the damaged flow: %d %q", code, answer.Error)
		}

		// Its webhook is stored and its run fails with the reason; the other flow still runs.
		ack := hook(t, damaged.WebhookURL, "GET", "n=2", "", "")
		runs := s.waitRuns(damaged.ID, "failed", 1, 10*time.Second)
		if runs[0].EventID != ack["event_id"] || !strings.Contains(runs[0].Error, "this flow could not be read") {
			t.Errorf("the damaged flow's run: %+v (webhook answered %v)", runs[0], ack)
		}
		hook(t, good.WebhookURL, "GET", "n=3", "", "")
		s.waitRuns(good.ID, "success", 2, 10*time.Second)

		// The other lists show what they can.
		var versions struct{ Versions []map[string]any }
		if code := s.call("GET", "/api/flows/"+good.ID+"/versions", nil, &versions); code != 200 || len(versions.Versions) != 1 {
			t.Errorf("versions: %d %+v", code, versions)
		}
		var templates struct{ Templates []map[string]any }
		if code := s.call("GET", "/api/templates", nil, &templates); code != 200 || len(templates.Templates) == 0 {
			t.Errorf("templates: %d, %d", code, len(templates.Templates))
		}
		var damagedRun runView
		if code := s.call("GET", "/api/runs/"+goodRun.ID, nil, &damagedRun); code != 200 || damagedRun.ID != goodRun.ID ||
			!strings.Contains(damagedRun.Error, "could not be read") {
			t.Errorf("the run with a damaged trace: %d %+v", code, damagedRun)
		}

		// Restoring a saved version repairs the flow.
		if code := s.call("POST", "/api/flows/"+damaged.ID+"/versions/1/restore", nil, nil); code != 200 {
			t.Fatalf("restore: %d", code)
		}
		if code := s.call("GET", "/api/flows/"+damaged.ID, nil, nil); code != 200 {
			t.Fatalf("GET after restore: %d", code)
		}
	})
}
