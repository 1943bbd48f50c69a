package api_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hookflow/hookflow/flows/flowstest"
)

// A GetCourse order with three positions served for real: For each position → HTTP → Collect.
// The warehouse is down for one position at first: the run waits for a retry with the other two
// delivered, the retry sends only that one again, and the journal's trace has a row per item.
func TestServer_ForEachSendsEachPositionAndARetrySendsOnlyTheFailedOne(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	triedB := 0
	warehouse := flowstest.NewTarget(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		if r.URL.Query().Get("sku") == "B-2" {
			triedB++
		}
		refuse := triedB == 1 && r.URL.Query().Get("sku") == "B-2" // busy the first time only
		mu.Unlock()
		if refuse {
			flowstest.Reply(503, `{"error":"busy"}`)(w, r)
			return
		}
		flowstest.Reply(200, `{"status":"ok"}`)(w, r)
	})
	s := startServer(t, "sqlite", warehouse.Client())
	v := s.createFlow(t, `{"document":{"schema":1,"name":"Позиции заказа","nodes":[
	  {"id":"trigger","kind":"webhook"},
	  {"id":"each","kind":"foreach","config":{"list":"{{trigger.json.positions}}"}},
	  {"id":"send","kind":"http","config":{"method":"POST","url":"https://stock.example/reserve?sku={{item.sku}}&order={{trigger.json.id}}","retries":0}},
	  {"id":"gather","kind":"collect"}],
	  "edges":[{"from":"trigger","to":"each"},{"from":"each","to":"send"},{"from":"send","to":"gather"}]}}`)
	if len(v.Problems) > 0 {
		t.Fatalf("problems: %+v", v.Problems)
	}
	if code := s.call("POST", "/api/flows/"+v.ID+"/start", nil, &v); code != 200 {
		t.Fatalf("start: %d", code)
	}
	hook(t, v.WebhookURL, "POST", "", "application/json",
		`{"id":"Z-17","positions":[{"sku":"A-1","qty":1},{"sku":"B-2","qty":2},{"sku":"C-3","qty":1}]}`)

	type item struct {
		Index  int    `json:"index"`
		Status string `json:"status"`
		Error  string `json:"error"`
		Steps  []struct {
			Node   string `json:"node"`
			Status string `json:"status"`
		} `json:"steps"`
	}
	itemsOf := func(r runView) []item {
		var detail runView
		s.call("GET", "/api/runs/"+r.ID, nil, &detail)
		var tr struct {
			Steps []struct {
				Node  string `json:"node"`
				Items []item `json:"items"`
			} `json:"steps"`
		}
		if err := json.Unmarshal(detail.Trace, &tr); err != nil {
			t.Fatal(err)
		}
		for _, st := range tr.Steps {
			if st.Node == "each" {
				return st.Items
			}
		}
		return nil
	}

	done := s.waitRuns(v.ID, "success", 1, 10*time.Second)
	var attempts struct {
		List []runView `json:"attempt_list"`
	}
	s.call("GET", "/api/runs/"+done[0].ID, nil, &attempts)
	if len(attempts.List) != 2 {
		t.Fatalf("%d attempts, want the failed one and its retry", len(attempts.List))
	}
	first := itemsOf(attempts.List[0])
	if len(first) != 3 || first[0].Status != "success" || first[1].Status != "failed" || first[2].Status != "success" ||
		!strings.Contains(first[1].Error, "503") || len(first[1].Steps) != 1 || first[1].Steps[0].Node != "send" {
		t.Fatalf("the first attempt's items: %+v", first)
	}
	if got := itemsOf(done[0]); len(got) != 3 || got[0].Status != "success" || got[1].Status != "success" || got[2].Status != "success" {
		t.Fatalf("the retry's items: %+v", got)
	}
	sent := map[string]int{}
	for _, r := range warehouse.Requests() {
		if r.Query.Get("order") != "Z-17" {
			t.Errorf("a position without its order: %v", r.Query)
		}
		sent[r.Query.Get("sku")]++
	}
	if sent["A-1"] != 1 || sent["B-2"] != 2 || sent["C-3"] != 1 {
		t.Fatalf("the warehouse got %v: A-1 and C-3 once, B-2 twice (refused, then by the retry)", sent)
	}
}
