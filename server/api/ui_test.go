package api

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"testing/fstest"

	"github.com/labstack/echo/v4"
)

func TestMountUIServesEditorEngineAndCachesByName(t *testing.T) {
	t.Parallel()
	fsys := fstest.MapFS{
		"index.html":                           {Data: []byte("<!doctype html><title>hookflow</title>")},
		"favicon.svg":                          {Data: []byte("<svg/>")},
		"assets/index-Ab12Cd.js":               {Data: []byte("console.log(1)")},
		"assets/index-Ab12Cd.js.gz":            {Data: []byte("gzip js")},
		"assets/index-Ef34Gh.css":              {Data: []byte("body{}")},
		"engine/worker.js":                     {Data: []byte("self.onmessage=null")},
		"engine/manifest.json":                 {Data: []byte(`{"wasm":"hookflow.0123456789ab.wasm"}`)},
		"engine/hookflow.0123456789ab.wasm":    {Data: []byte("\x00asm raw")},
		"engine/hookflow.0123456789ab.wasm.gz": {Data: []byte("gzip bytes")},
		"engine/hookflow.0123456789ab.wasm.br": {Data: []byte("br bytes")},
	}
	e := echo.New()
	MountUI(e, fsys)

	const wasm = "/engine/hookflow.0123456789ab.wasm"
	tests := []struct {
		name, method, path, acceptEncoding string
		status                             int
		body, contentType, encoding, cache string
	}{
		{"index is revalidated on every load", "GET", "/", "", 200, "<!doctype html><title>hookflow</title>", "text/html; charset=utf-8", "", "no-cache"},
		{"top-level public file", "GET", "/favicon.svg", "", 200, "<svg/>", "image/svg+xml", "", "no-cache"},
		{"hashed bundle is immutable and sent precompressed", "GET", "/assets/index-Ab12Cd.js", "br, gzip", 200, "gzip js", "text/javascript; charset=utf-8", "gzip", "public, max-age=31536000, immutable"},
		{"bundle raw when compression is not accepted", "GET", "/assets/index-Ab12Cd.js", "", 200, "console.log(1)", "text/javascript; charset=utf-8", "", "public, max-age=31536000, immutable"},
		{"bundle without a compressed copy is sent as is", "GET", "/assets/index-Ef34Gh.css", "br, gzip", 200, "body{}", "text/css; charset=utf-8", "", "public, max-age=31536000, immutable"},
		{"worker keeps its name so it is revalidated", "GET", "/engine/worker.js", "", 200, "self.onmessage=null", "text/javascript; charset=utf-8", "", "no-cache"},
		{"engine module: brotli preferred when accepted", "GET", wasm, "gzip, deflate, br", 200, "br bytes", "application/wasm", "br", "public, max-age=31536000, immutable"},
		{"engine module: gzip when brotli is not accepted", "GET", wasm, "gzip", 200, "gzip bytes", "application/wasm", "gzip", "public, max-age=31536000, immutable"},
		{"engine module: brotli refused with q=0", "GET", wasm, "br;q=0, gzip", 200, "gzip bytes", "application/wasm", "gzip", "public, max-age=31536000, immutable"},
		{"engine module: raw without Accept-Encoding", "GET", wasm, "", 200, "\x00asm raw", "application/wasm", "", "public, max-age=31536000, immutable"},
		{"compressed copies are not addressable by name", "GET", wasm + ".br", "br", 404, "", "", "", ""},
		{"missing asset is 404", "GET", "/assets/nope.js", "", 404, "", "", "", ""},
		{"a directory is not a file", "GET", "/engine/", "", 404, "", "", "", ""},
		{"path traversal finds nothing", "GET", "/engine/../../etc/passwd", "", 404, "", "", "", ""},
		{"HEAD answers without a body", "HEAD", "/", "", 200, "", "text/html; charset=utf-8", "", "no-cache"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(tt.method, tt.path, nil)
			if tt.acceptEncoding != "" {
				req.Header.Set("Accept-Encoding", tt.acceptEncoding)
			}
			rec := httptest.NewRecorder()
			e.ServeHTTP(rec, req)
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d (body %q)", rec.Code, tt.status, rec.Body.String())
			}
			if tt.status != http.StatusOK {
				return
			}
			if got := rec.Body.String(); got != tt.body {
				t.Errorf("body %q, want %q", got, tt.body)
			}
			if got := rec.Header().Get("Content-Type"); got != tt.contentType {
				t.Errorf("Content-Type %q, want %q", got, tt.contentType)
			}
			if got := rec.Header().Get("Content-Encoding"); got != tt.encoding {
				t.Errorf("Content-Encoding %q, want %q", got, tt.encoding)
			}
			if got := rec.Header().Get("Cache-Control"); got != tt.cache {
				t.Errorf("Cache-Control %q, want %q", got, tt.cache)
			}
		})
	}
}

func TestMountUIAnswersNotModifiedToARevalidation(t *testing.T) {
	t.Parallel()
	e := echo.New()
	MountUI(e, fstest.MapFS{"index.html": {Data: []byte("<p>hi</p>")}})
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	tag := rec.Header().Get("ETag")
	if tag == "" {
		t.Fatal("no ETag on index.html")
	}
	req := httptest.NewRequest("GET", "/", nil)
	req.Header.Set("If-None-Match", tag)
	rec = httptest.NewRecorder()
	e.ServeHTTP(rec, req)
	if rec.Code != http.StatusNotModified {
		t.Fatalf("status %d, want 304", rec.Code)
	}
}
