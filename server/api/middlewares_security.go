package api

import "github.com/labstack/echo/v4"

// contentSecurityPolicy lets the editor run and nothing else: its own scripts, the wasm engine
// compiled in a Web Worker from our origin ('wasm-unsafe-eval' allows WebAssembly compilation,
// not JavaScript eval), the API and the live-log websocket on the same origin, the inline styles
// React Flow sets on nodes and edges, and data: images (icons). No framing, no plugins, no
// forms posting elsewhere.
const contentSecurityPolicy = "default-src 'self'; " +
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

// securityHeaders sets on every answer the headers a public-facing service needs: no MIME
// sniffing (a webhook reply or stored sample is never run as script), no referrer leaking
// webhook tokens in URLs, no framing (clickjacking of the editor) and the CSP above.
func securityHeaders() echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			h := c.Response().Header()
			h.Set("X-Content-Type-Options", "nosniff")
			h.Set("Referrer-Policy", "no-referrer")
			h.Set("X-Frame-Options", "DENY")
			h.Set("Content-Security-Policy", contentSecurityPolicy)
			h.Set("Cross-Origin-Opener-Policy", "same-origin")
			return next(c)
		}
	}
}
