package api

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/hookflow/hookflow/server/core"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// New builds the HTTP handler of the service.
func New(app *core.App, log *slog.Logger) *echo.Echo {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = errorHandler(log)
	e.Use(securityHeaders())
	e.Use(middleware.Recover())
	e.Use(requestLog(log))

	h := &handlers{app: app, log: log}
	e.GET("/healthz", h.health)
	e.GET("/metrics", echo.WrapHandler(promhttp.HandlerFor(app.Metrics().Registry, promhttp.HandlerOpts{})))
	e.Any("/hook/:token", h.webhook)

	api := e.Group("/api")
	api.GET("/kinds", h.kinds)
	api.GET("/presets", h.presets)

	api.GET("/flows", h.listFlows)
	api.POST("/flows", h.createFlow)
	api.POST("/flows/import", h.importFlow)
	api.GET("/flows/:id", h.getFlow)
	api.PUT("/flows/:id", h.updateFlow)
	api.DELETE("/flows/:id", h.deleteFlow)
	api.POST("/flows/:id/start", h.startFlow)
	api.POST("/flows/:id/stop", h.stopFlow)
	api.GET("/flows/:id/versions", h.listVersions)
	api.GET("/flows/:id/versions/:version", h.getVersion)
	api.POST("/flows/:id/versions/:version/restore", h.restoreVersion)
	api.GET("/flows/:id/export", h.exportFlow)
	api.GET("/flows/:id/template", h.exportTemplate)
	api.POST("/flows/:id/test", h.testFlow)
	api.GET("/flows/:id/samples", h.samples)
	api.GET("/flows/:id/runs", h.listRuns)
	api.POST("/flows/:id/events/:event/replay", h.replayEvent)
	api.GET("/flows/:id/live", h.live)

	api.GET("/runs/:id", h.getRun)
	api.POST("/runs/:id/retry", h.retryRun)

	api.GET("/templates", h.listTemplates)
	api.POST("/templates/:id/instantiate", h.instantiate)
	return e
}

type handlers struct {
	app *core.App
	log *slog.Logger
}

func (h *handlers) health(c echo.Context) error {
	if err := h.app.Store().Ping(c.Request().Context()); err != nil {
		return c.JSON(http.StatusServiceUnavailable, map[string]any{"ok": false, "error": "the database does not answer"})
	}
	return c.JSON(http.StatusOK, map[string]any{"ok": true})
}

// requestLog logs each API request with slog (webhooks at debug level: they are many).
func requestLog(log *slog.Logger) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			start := time.Now()
			err := next(c)
			if err != nil {
				c.Error(err)
			}
			level := slog.LevelInfo
			if c.Path() == "/hook/:token" || c.Path() == "/metrics" || c.Path() == "/healthz" {
				level = slog.LevelDebug
			}
			log.Log(c.Request().Context(), level, "http", "method", c.Request().Method, "path", c.Path(),
				"status", c.Response().Status, "ms", time.Since(start).Milliseconds())
			return nil
		}
	}
}
