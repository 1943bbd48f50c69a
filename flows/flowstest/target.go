// Package flowstest has test helpers shared by the engine's and the server's tests: local HTTPS
// servers that stand in for the services flows call (CPA.House, U-ON, GetCourse, …), and a
// client that reaches them under the services' real host names.
package flowstest

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
)

// Received is one request as a target saw it.
type Received struct {
	Method, Host, Path string
	Query              url.Values
	ContentType        string
	Form               url.Values // the body read as a form
	Body               string
	Header             http.Header
}

// Target is a local HTTPS server that records requests and answers from a script.
type Target struct {
	srv     *httptest.Server
	mu      sync.Mutex
	got     []Received
	replies []http.HandlerFunc
}

// NewTarget starts a target, stopped when the test ends. Without replies it answers 200 with
// an empty body.
func NewTarget(t testing.TB, replies ...http.HandlerFunc) *Target {
	ft := &Target{replies: replies}
	ft.srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rec := Received{Method: r.Method, Host: r.Host, Path: r.URL.Path, Query: r.URL.Query(), ContentType: r.Header.Get("Content-Type"), Body: string(body), Header: r.Header.Clone()}
		rec.Form, _ = url.ParseQuery(string(body))
		ft.mu.Lock()
		n := len(ft.got)
		ft.got = append(ft.got, rec)
		var reply http.HandlerFunc
		if len(ft.replies) > 0 {
			reply = ft.replies[min(n, len(ft.replies)-1)]
		}
		ft.mu.Unlock()
		if reply != nil {
			r.Body = io.NopCloser(bytes.NewReader(body)) // the reply may read it too
			reply(w, r)
		}
	}))
	t.Cleanup(ft.srv.Close)
	return ft
}

// SetReplies replaces the answer script: the n-th request gets replies[n] (the last repeats).
func (ft *Target) SetReplies(replies ...http.HandlerFunc) {
	ft.mu.Lock()
	defer ft.mu.Unlock()
	ft.replies = replies
}

// Reply answers with a status and a JSON body.
func Reply(status int, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}
}

// URL is the target's own address (https://127.0.0.1:port), for settings that name an address
// (a key file's token_uri).
func (ft *Target) URL() string { return ft.srv.URL }

// Requests returns what the target received so far.
func (ft *Target) Requests() []Received {
	ft.mu.Lock()
	defer ft.mu.Unlock()
	return append([]Received(nil), ft.got...)
}

// Client returns an HTTP client that sends every request, whatever its host, to ft.
func (ft *Target) Client() *http.Client {
	return RoutedClient(func(string) *Target { return ft })
}

// RoutedClient returns a client that dials, for each host name, the target route picks, over
// TLS that trusts the target. Requests keep their real host, path and headers.
func RoutedClient(route func(host string) *Target) *http.Client {
	return &http.Client{Transport: &http.Transport{
		DialTLSContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			host, _, _ := net.SplitHostPort(addr)
			ft := route(host)
			pool := x509.NewCertPool()
			pool.AddCert(ft.srv.Certificate())
			d := tls.Dialer{Config: &tls.Config{RootCAs: pool, ServerName: "example.com"}}
			return d.DialContext(ctx, "tcp", ft.srv.Listener.Addr().String())
		},
	}}
}

// ChatCompletion is an OpenAI-compatible chat completion whose first choice says content, as
// POST /v1/chat/completions answers (platform.openai.com/docs/api-reference/chat/create).
func ChatCompletion(content string) string {
	c, _ := json.Marshal(content)
	return `{"id":"chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG","object":"chat.completion","created":1741569952,"model":"gpt-4o-mini-2024-07-18",` +
		`"choices":[{"index":0,"message":{"role":"assistant","content":` + string(c) + `,"refusal":null,"annotations":[]},"logprobs":null,"finish_reason":"stop"}],` +
		`"usage":{"prompt_tokens":19,"completion_tokens":10,"total_tokens":29},"service_tier":"default","system_fingerprint":"fp_06737a9306"}`
}

// ChatError is an OpenAI-compatible error answer (platform.openai.com/docs/guides/error-codes).
func ChatError(message, typ, code string) string {
	m, _ := json.Marshal(message)
	return `{"error":{"message":` + string(m) + `,"type":"` + typ + `","param":null,"code":"` + code + `"}}`
}
