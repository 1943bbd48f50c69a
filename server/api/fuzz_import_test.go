package api_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"runtime/metrics"
	"strings"
	"testing"

	"github.com/hookflow/hookflow/server/core"
)

// FuzzFlowImport posts arbitrary files to the import endpoint (what a user uploads from
// elsewhere): the answer is a 2xx or a clear 4xx, never a 5xx or a panic, and the heap stays
// bounded whatever the file claims (sizes, nesting, secrets that look sealed).
func FuzzFlowImport(f *testing.F) {
	_, handler := fuzzAPI(f, core.Config{Secrets: newBox(f, f.TempDir())})
	// Imports need an editor: the instance's owner, signed up here, sends them with its token.
	owner := struct{ Token string }{signupOwner(f, handler)}
	f.Add([]byte(`{"schema":1,"name":"x","inputs":[{"key":"k","secret":true}],"nodes":[{"id":"trigger","kind":"webhook"},
	  {"id":"send","kind":"http","config":{"url":"https://a.example","headers":[{"key":"X","value":"v","secret":true}]}}],
	  "edges":[{"from":"trigger","to":"send"}]}`))
	f.Add([]byte(`{"document":{"schema":1,"nodes":[{"id":"trigger","kind":"webhook"}]},"input_values":{"k":"enc:v1:AAAA"}}`))
	f.Add([]byte(`{"schema":1,"nodes":[{"id":"trigger","kind":"webhook"},{"id":"s","kind":"http","config":{"url":"http://169.254.169.254/","headers":[{"key":"A","value":"••••••","secret":true}]}}],"edges":[{"from":"trigger","to":"s"}]}`))
	f.Add([]byte(`{"schema":1,"template":{"id":"t"},"nodes":[{"id":"trigger","kind":"webhook","config":{"fields":[[[[[[]]]]]]}}]}`))
	f.Add([]byte(`{"schema":99}`))
	f.Add([]byte(`[]`))
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	f.Fuzz(func(t *testing.T, body []byte) {
		req := httptest.NewRequest(http.MethodPost, "/api/flows/import", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+owner.Token)
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, req)
		if rec.Code == http.StatusUnauthorized || rec.Code == http.StatusForbidden {
			t.Fatalf("import → %d: the fuzzer must reach the importer, not the sign-in check", rec.Code)
		}
		if rec.Code >= 500 {
			t.Fatalf("import → %d: %s\n%q", rec.Code, rec.Body, body)
		}
		metrics.Read(sample)
		if heap := sample[0].Value.Uint64(); heap > 1<<30 {
			t.Fatalf("the heap holds %d MB after importing %d bytes", heap>>20, len(body))
		}
	})
}

// signupOwner signs up the instance's owner (owner@example.com) through the handler and returns
// their session token.
func signupOwner(f *testing.F, handler http.Handler) string {
	f.Helper()
	signup := httptest.NewRequest(http.MethodPost, "/api/auth/signup", strings.NewReader(`{"email":"owner@example.com","password":"password of owner"}`))
	signup.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	handler.ServeHTTP(rec, signup)
	var owner struct{ Token string }
	if err := json.Unmarshal(rec.Body.Bytes(), &owner); err != nil || rec.Code != http.StatusCreated || owner.Token == "" {
		f.Fatalf("signup: %d %s", rec.Code, rec.Body)
	}
	return owner.Token
}
