package api_test

import (
	"strings"
	"testing"
	"time"

	"github.com/hookflow/hookflow/flows/flowstest"
)

// A router flow served for real: leads from Yandex go to network A, all others to network B,
// each run is in the journal with the route it took, and a lead that network A refused is
// delivered by a retry without the router sending it elsewhere or B getting it twice.
func TestServer_RouterSendsEachLeadToItsNetworkAndARetryKeepsTheRoute(t *testing.T) {
	t.Parallel()
	netA := flowstest.NewTarget(t, flowstest.Reply(200, `{"status":"success"}`))
	netB := flowstest.NewTarget(t, flowstest.Reply(200, `{"status":"success"}`))
	client := hostElse("net-a.example", netA, netB)
	s := startServer(t, "sqlite", client)
	v := s.createFlow(t, `{"document":{"schema":1,"name":"Лиды по источнику","nodes":[
	  {"id":"trigger","kind":"webhook"},
	  {"id":"route","kind":"switch","config":{"routes":[{"id":"r1","name":"Яндекс","match":"all",
	    "rules":[{"left":"{{trigger.params.utm_source}}","op":"equals","right":"yandex"}]}]}},
	  {"id":"a","kind":"http","config":{"method":"GET","url":"https://net-a.example/lead?email={{trigger.params.email}}"}},
	  {"id":"b","kind":"http","config":{"method":"GET","url":"https://net-b.example/lead?email={{trigger.params.email}}"}}],
	  "edges":[{"from":"trigger","to":"route"},{"from":"route","to":"a","branch":"r1"},{"from":"route","to":"b","branch":"otherwise"}]}}`)
	if len(v.Problems) > 0 {
		t.Fatalf("problems: %+v", v.Problems)
	}
	if code := s.call("POST", "/api/flows/"+v.ID+"/start", nil, &v); code != 200 {
		t.Fatalf("start: %d", code)
	}

	hook(t, v.WebhookURL, "GET", "email=ya@example.com&utm_source=yandex", "", "")
	hook(t, v.WebhookURL, "GET", "email=vk@example.com&utm_source=vk", "", "")
	runs := s.waitRuns(v.ID, "success", 2, 10*time.Second)
	emails := func(ft *flowstest.Target) (out []string) {
		for _, r := range ft.Requests() {
			out = append(out, r.Query.Get("email"))
		}
		return out
	}
	if got := emails(netA); len(got) != 1 || got[0] != "ya@example.com" {
		t.Errorf("network A got %v, want the Yandex lead only", got)
	}
	if got := emails(netB); len(got) != 1 || got[0] != "vk@example.com" {
		t.Errorf("network B got %v, want the other lead only", got)
	}
	for _, r := range runs {
		var detail runView
		s.call("GET", "/api/runs/"+r.ID, nil, &detail)
		trace := string(detail.Trace)
		if !strings.Contains(trace, `"branch":"r1"`) && !strings.Contains(trace, `"branch":"otherwise"`) {
			t.Errorf("run %s does not record the route taken: %s", r.ID, trace)
		}
	}

	// Network A refuses, then accepts: the retry reuses the router's choice.
	netA.SetReplies(flowstest.Reply(400, `{"error":"closed"}`))
	hook(t, v.WebhookURL, "GET", "email=ya2@example.com&utm_source=yandex", "", "")
	failed := s.waitRuns(v.ID, "failed", 1, 10*time.Second)
	netA.SetReplies(flowstest.Reply(200, `{"status":"success"}`))
	if code := s.call("POST", "/api/runs/"+failed[0].ID+"/retry", nil, nil); code != 202 {
		t.Fatalf("retry: %d", code)
	}
	s.waitRuns(v.ID, "success", 3, 10*time.Second)
	if got := emails(netA); len(got) != 3 || got[2] != "ya2@example.com" {
		t.Errorf("network A got %v, want the refused lead delivered by the retry", got)
	}
	if got := emails(netB); len(got) != 1 {
		t.Errorf("network B got %v, want nothing more", got)
	}
}
