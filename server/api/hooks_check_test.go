package api_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hookflow/hookflow/flows/flowstest"
)

// postForm sends a form the way Tilda does and returns the status and body of the answer.
func postForm(t *testing.T, webhookURL, form string) (int, string) {
	t.Helper()
	resp, err := http.Post(webhookURL, "application/x-www-form-urlencoded", strings.NewReader(form))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(data)
}

// Tilda posts test=test right after its webhook is connected and wants 200 OK; the check must
// not create a lead. A real submission runs the flow once. The rule is the Tilda preset's
// declared test_request, chosen on the flow's trigger.
func TestServer_TildaCheckIsAnsweredAndNotRunARealFormIsRunOnce(t *testing.T) {
	t.Parallel()
	b24 := flowstest.NewTarget(t, flowstest.Reply(200, `{"result":1234,"time":{"start":1709633700.1,"finish":1709633700.3}}`))
	s := startServer(t, "sqlite", b24.Client())
	f := s.instantiate("tilda-bitrix24", map[string]string{"bitrix_portal": "school.bitrix24.ru", "bitrix_webhook": "1/hook-code"})

	status, body := postForm(t, f.WebhookURL, "test=test")
	if status != 200 || !strings.Contains(body, `"ok":true`) {
		t.Fatalf("Tilda's check answered %d %s, want 200 ok", status, body)
	}

	status, _ = postForm(t, f.WebhookURL, "Name=%D0%90%D0%BD%D0%BD%D0%B0&Phone=%2B79161234567&Email=anna%40mail.ru&tranid=5123456%3A789&formid=form512")
	if status != 200 {
		t.Fatalf("a submitted form answered %d, want 200", status)
	}
	runs := s.waitRuns(f.ID, "success", 1, 10*time.Second)
	// The form's run is done; had the check been queued before it, it would have run too.
	if all := s.runsWith(f.ID, ""); len(all) != 1 || all[0].ID != runs[0].ID {
		t.Fatalf("the journal has %d runs, want only the form's: %+v", len(all), all)
	}
	got := b24.Requests()
	if len(got) != 1 || got[0].Path != "/rest/1/hook-code/crm.lead.add.json" || got[0].Form.Get("fields[NAME]") != "Анна" || got[0].Form.Get("fields[PHONE][0][VALUE]") != "+79161234567" {
		t.Fatalf("Bitrix24 got %+v, want one lead for Анна", got)
	}
}

// A stopped flow keeps requests as samples to learn fields from; Tilda's check is not one (its
// only field is "test"), and Tilda still gets its 200 rather than 202.
func TestServer_TildaCheckOnAStoppedFlowIsNotKeptAsASample(t *testing.T) {
	t.Parallel()
	s := startServer(t, "sqlite", http.DefaultClient)
	f := s.createFlow(t, `{"schema":1,"name":"Tilda","nodes":[{"id":"trigger","kind":"webhook","config":{"preset":"tilda.form"}}],"edges":[]}`)
	if status, body := postForm(t, f.WebhookURL, "test=test"); status != 200 {
		t.Fatalf("Tilda's check answered %d %s, want 200", status, body)
	}
	if status, _ := postForm(t, f.WebhookURL, "Name=Anna&Phone=%2B79161234567"); status != 202 {
		t.Fatalf("a form to a stopped flow answered %d, want 202 (kept as a sample)", status)
	}
	var samples struct {
		Samples []struct {
			EventID string `json:"event_id"`
		}
	}
	s.call("GET", "/api/flows/"+f.ID+"/samples", nil, &samples)
	if len(samples.Samples) != 1 {
		t.Fatalf("samples = %+v, want only the form", samples)
	}
}

// Only a flow whose trigger is Tilda's knows test=test as a check: for any other source it is
// an ordinary request and runs.
func TestServer_TestEqualsTestRunsForASourceWithoutACheck(t *testing.T) {
	t.Parallel()
	s := startServer(t, "sqlite", http.DefaultClient)
	f := s.createFlow(t, `{"schema":1,"name":"Any","nodes":[{"id":"trigger","kind":"webhook","config":{"preset":"generic"}}],"edges":[]}`)
	if code := s.call("POST", "/api/flows/"+f.ID+"/start", nil, nil); code != 200 {
		t.Fatalf("start: %d", code)
	}
	if status, _ := postForm(t, f.WebhookURL, "test=test"); status != 200 {
		t.Fatalf("answered %d", status)
	}
	s.waitRuns(f.ID, "success", 1, 10*time.Second)
}
