package api_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/hookflow/hookflow/flows"
)

// A Test clicked before the browser's engine has loaded is answered by the server's preview:
// the same engine in preview mode, which sends nothing, answering with what the browser engine
// would (flows.Preview), in the asked language.
func TestPreview_AnswersTheEditorsTestWithoutSendingAnything(t *testing.T) {
	t.Parallel()
	var hits atomic.Int32
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer target.Close()
	s := startServer(t, "sqlite", nil)
	f := s.createFlow(t, `{"schema":1,"name":"x","nodes":[{"id":"trigger","kind":"webhook"},{"id":"send","kind":"http","config":{"method":"POST","url":"`+target.URL+`/lead","body_type":"text","body":"phone={{trigger.params.phone | digits}}"}}],"edges":[{"from":"trigger","to":"send"}]}`)
	var doc json.RawMessage
	if code := s.call("GET", "/api/flows/"+f.ID, nil, &struct {
		Document *json.RawMessage `json:"document"`
	}{&doc}); code != 200 {
		t.Fatalf("GET flow: %d", code)
	}
	payload := `{"method":"GET","query":"phone=%2B7+912+555-44-33"}`
	var got struct {
		Status string `json:"status"`
		Steps  []struct {
			Node      string `json:"node"`
			Status    string `json:"status"`
			ErrorText string `json:"error_text"`
			HTTP      *struct {
				Request struct {
					Body string `json:"body"`
				} `json:"request"`
			} `json:"http"`
		} `json:"steps"`
	}
	body := `{"document":` + string(doc) + `,"payload":` + payload + `,"lang":"ru"}`
	if code := s.call("POST", "/api/flows/"+f.ID+"/preview", body, &got); code != 200 {
		t.Fatalf("preview: %d %+v", code, got)
	}
	if hits.Load() != 0 {
		t.Fatalf("the preview sent %d requests; it must send none", hits.Load())
	}
	if len(got.Steps) != 2 || got.Steps[1].HTTP == nil || got.Steps[1].HTTP.Request.Body != "phone=79125554433" {
		t.Fatalf("the preview must show the request it would send: %+v", got)
	}
	// The browser engine's answer for the same input, to the byte but for the times.
	want := flows.Preview(t.Context(), doc, []byte(payload), nil, "ru", nil)
	if want.Status != got.Status || want.Steps[1].Status != got.Steps[1].Status || want.Steps[1].ErrorText != got.Steps[1].ErrorText {
		t.Fatalf("server preview %+v differs from the engine's %+v", got, want)
	}

	// A broken document is a failed trace that says what to fix, not a server error.
	var broken struct {
		Status   string          `json:"status"`
		Problems []flows.Problem `json:"problems"`
	}
	if code := s.call("POST", "/api/flows/"+f.ID+"/preview", `{"document":{"schema":1,"nodes":[{"id":"a","kind":"nope"}]},"lang":"ru"}`, &broken); code != 200 || broken.Status != "failed" || len(broken.Problems) == 0 || !strings.ContainsAny(broken.Problems[0].Message, "абвгдеёжзийклмнопрстуфхцчшщъыьэюя") {
		t.Fatalf("broken document: %d %+v", code, broken)
	}
	if code := s.call("POST", "/api/flows/"+f.ID+"/preview", `{}`, nil); code != 400 {
		t.Fatalf("no document: %d, want 400", code)
	}
}

// Previews run on the server's CPU: one team holds at most two at once, so a team clicking Test
// in a loop (or a script calling the endpoint) cannot take the workers from the others.
func TestPreview_OneTeamRunsAtMostTwoAtOnce(t *testing.T) {
	t.Parallel()
	s := startServer(t, "sqlite", nil)
	f := s.createFlow(t, `{"schema":1,"name":"x","nodes":[{"id":"trigger","kind":"webhook"}],"edges":[]}`)
	// Three at once, each held 3 s by a script running to its limit: one is refused.
	slow := `{"document":{"schema":1,"name":"x","nodes":[{"id":"trigger","kind":"webhook"},{"id":"js","kind":"js","config":{"code":"while(true){}","timeout_ms":3000}}],"edges":[{"from":"trigger","to":"js"}]},"payload":{"method":"GET"}}`
	var wg sync.WaitGroup
	codes := make([]int, 3)
	for i := range codes {
		wg.Add(1)
		go func() { defer wg.Done(); codes[i] = s.call("POST", "/api/flows/"+f.ID+"/preview", slow, nil) }()
	}
	wg.Wait()
	slices.Sort(codes)
	if !slices.Equal(codes, []int{200, 200, http.StatusTooManyRequests}) {
		t.Fatalf("three previews at once: %v, want two run (a script stopped by its limit is a failed trace) and one refused", codes)
	}
	if code := s.call("POST", "/api/flows/"+f.ID+"/preview", `{"document":{"schema":1,"name":"x","nodes":[{"id":"trigger","kind":"webhook"}],"edges":[]}}`, nil); code != 200 {
		t.Fatalf("after the two ended, a preview: %d, want 200", code)
	}
}
