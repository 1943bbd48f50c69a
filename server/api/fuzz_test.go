package api_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"runtime/metrics"
	"testing"

	"github.com/hookflow/hookflow/flows"
	"github.com/hookflow/hookflow/server/api"
	"github.com/hookflow/hookflow/server/core"
	"github.com/hookflow/hookflow/server/internal/testdb"
)

func mustFlow(t testing.TB, doc string) *flows.Flow {
	t.Helper()
	f, err := flows.ParseFlow([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func mustPayload(t testing.TB, method, query string) flows.Payload {
	q, _ := json.Marshal(query)
	return flows.Payload{Method: method, Query: q}
}

// fuzzAPI is the API of a started service on a fresh SQLite database with cfg, logging
// nowhere, for one fuzz test.
func fuzzAPI(f *testing.F, cfg core.Config) (*core.App, http.Handler) {
	cfg.Logger = quietLog()
	app := core.New(cfg, testdb.Open(f, "sqlite"), nil, nil)
	if err := app.Start(f.Context()); err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { app.Close(0) })
	return app, api.New(app, cfg.Logger)
}

// FuzzWebhookIngress sends arbitrary requests to the webhook endpoint and the flow API: the
// answer is always a clear 2xx or 4xx JSON, never a 5xx or a panic.
func FuzzWebhookIngress(f *testing.F) {
	app, handler := fuzzAPI(f, core.Config{MaxBodyBytes: 64 << 10})
	// The rate limit is lifted so that every input reaches the request parser.
	v, err := app.Flows().Create(f.Context(), core.FlowInput{Document: mustFlow(f, `{"schema":1,"name":"f","nodes":[{"id":"trigger","kind":"webhook"}],"edges":[]}`),
		Settings: &core.FlowSettings{RateLimit: &core.RateLimit{PerSecond: 1e9, Burst: 1 << 30}}})
	if err != nil {
		f.Fatal(err)
	}
	hookPath := "/hook/" + tokenOf(v.WebhookURL)
	f.Add("POST", hookPath, "application/json", []byte(`{"a":1}`))
	f.Add("GET", hookPath+"?email=a%40b&x=%zz", "", []byte(nil))
	f.Add("POST", hookPath, "multipart/form-data; boundary=x", []byte("--x\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--x--"))
	f.Add("POST", "/api/flows", "application/json", []byte(`{"nodes":[{"id":"a","kind":"webhook"}]}`))
	f.Add("POST", "/api/flows/import", "application/json", []byte(`{"document": 5}`))
	f.Add("PUT", "/api/flows/"+v.ID, "application/json", []byte(`{"settings": {"reply": {"body": "{{"}}}`))
	heap := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	f.Fuzz(func(t *testing.T, method, path, ctype string, body []byte) {
		if method == "" || len(path) == 0 || path[0] != '/' {
			return
		}
		req, err := http.NewRequest(method, "http://hookflow.test"+path, bytes.NewReader(body))
		if err != nil {
			return
		}
		if path == "/api/flows/"+v.ID {
			return // do not let the fuzzer rewrite the flow under test
		}
		req.Header.Set("Content-Type", ctype)
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s %s (%s) → %d: %s", method, path, ctype, rec.Code, rec.Body)
		}
		metrics.Read(heap)
		if h := heap[0].Value.Uint64(); h > 1<<30 {
			t.Fatalf("the heap holds %d MB after %s %s with %d bytes", h>>20, method, path, len(body))
		}
	})
}
