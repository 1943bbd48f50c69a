package api_test

import (
	"net/http"
	"testing"
)

// The catalogs (templates with their guides in two languages, kinds, presets) are a first
// visit's largest answer, the same for everyone and free of secrets: they are sent compressed.
// Answers that mix a team's data with what a request sends stay uncompressed (BREACH).
func TestCatalogs_AreSentCompressedAndTeamDataIsNot(t *testing.T) {
	t.Parallel()
	s := startServer(t, "sqlite", nil)
	for _, c := range []struct {
		path string
		want string
	}{
		{"/api/templates", "gzip"},
		{"/api/kinds", "gzip"},
		{"/api/presets", "gzip"},
		{"/api/flows", ""},
		{"/api/auth/me", ""},
	} {
		req, _ := http.NewRequest("GET", s.URL+c.path, nil)
		req.Header = s.authHeader()
		req.Header.Set("Accept-Encoding", "gzip")
		resp, err := http.DefaultTransport.RoundTrip(req) // the transport would decompress on its own
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 || resp.Header.Get("Content-Encoding") != c.want {
			t.Errorf("%s: %d, Content-Encoding %q, want %q", c.path, resp.StatusCode, resp.Header.Get("Content-Encoding"), c.want)
		}
	}
}
