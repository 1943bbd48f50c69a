package api_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/hookflow/hookflow/server/core"
)

// FuzzAuthJSON sends arbitrary bodies to the public account endpoints (sign-in, signup, the
// invitation page): the answer is always a clear 2xx or 4xx, never a 5xx or a panic.
func FuzzAuthJSON(f *testing.F) {
	_, handler := fuzzAPI(f, core.Config{})
	// An owner exists, so signups need an invitation: the fuzzer cannot take the instance.
	signupOwner(f, handler)
	paths := []string{"/api/auth/login", "/api/auth/signup", "/api/auth/invitations/x", "/api/auth/invitations/x/accept", "/api/auth/logout"}
	f.Add(uint8(0), []byte(`{"email":"owner@example.com","password":"wrong"}`))
	f.Add(uint8(0), []byte(`{"email":["a"],"password":1}`))
	f.Add(uint8(1), []byte(`{"email":"a@b.c","password":"long enough","invitation":"hfi_nope"}`))
	f.Add(uint8(1), []byte(`{"email":"\u0000@\u0000","password":"\xff\xfe\xfd\xfc\xfb\xfa\xf9\xf8"}`))
	f.Add(uint8(1), []byte(`{"email":"a@b.c","password":"`+string(bytes.Repeat([]byte("я"), 100))+`"}`))
	f.Add(uint8(2), []byte(`null`))
	f.Add(uint8(3), []byte(`{}`))
	f.Fuzz(func(t *testing.T, which uint8, body []byte) {
		path := paths[int(which)%len(paths)]
		method := "POST"
		if path == "/api/auth/invitations/x" {
			method = "GET"
		}
		req := httptest.NewRequest(method, path, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, req)
		if rec.Code >= 500 || rec.Code < 200 {
			t.Fatalf("%s %s %q → %d: %s", method, path, body, rec.Code, rec.Body)
		}
		if rec.Code != http.StatusOK && rec.Code != http.StatusCreated && !bytes.Contains(rec.Body.Bytes(), []byte(`"error"`)) {
			t.Fatalf("%s %q → %d without an error sentence: %s", path, body, rec.Code, rec.Body)
		}
	})
}
