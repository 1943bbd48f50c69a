package api

import "github.com/labstack/echo/v4"

// editorPolicy lets the editor run and nothing else: its own scripts, the wasm engine compiled
// in a Web Worker from our origin ('wasm-unsafe-eval' allows WebAssembly compilation, not
// JavaScript eval), the API and the live-log websocket on the same origin, the inline styles
// React Flow sets on nodes and edges, and data: images (icons). No framing, no plugins, no
// forms posting elsewhere. Only the editor's own files are served with it (see MountUI).
const editorPolicy = "default-src 'self'; " +
	"script-src 'self' 'wasm-unsafe-eval'; " +
	"worker-src 'self'; " +
	"connect-src 'self'; " +
	"style-src 'self' 'unsafe-inline'; " +
	"img-src 'self' data:; " +
	"font-src 'self'; " +
	"object-src 'none'; " +
	"base-uri 'self'; " +
	"form-action 'self'; " +
	"frame-ancestors 'none'"

// inertPolicy is every other answer's: webhook answers (whose bytes and type a flow's editor
// chooses), API answers and errors (which echo names, flow data and request fragments). Opened
// as a page, such an answer gets an origin of its own (sandbox without allow-scripts: no script,
// no forms, no cookies of ours), loads nothing and cannot be framed. Loaded by one of our pages
// as a script, it is refused by nosniff, since no such answer has a script type.
const inertPolicy = "sandbox; default-src 'none'; frame-ancestors 'none'"

// securityHeaders sets on every answer the headers a public-facing service needs: no MIME
// sniffing, no referrer leaking webhook tokens in URLs, no framing (clickjacking of the editor)
// and the inert policy above; the editor's files replace it with editorPolicy.
func securityHeaders() echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			h := c.Response().Header()
			h.Set("X-Content-Type-Options", "nosniff")
			h.Set("Referrer-Policy", "no-referrer")
			h.Set("X-Frame-Options", "DENY")
			h.Set("Content-Security-Policy", inertPolicy)
			h.Set("Cross-Origin-Opener-Policy", "same-origin")
			return next(c)
		}
	}
}
