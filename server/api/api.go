package api

import (
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/hookflow/hookflow/server/auth"
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

	h := &handlers{app: app, log: log, accounts: app.Accounts(),
		liveLogs: holdLimit{max: maxLivePerUser}, previews: holdLimit{max: maxPreviewsPerTeam}}
	if hub := app.Hub(); hub != nil {
		hub.SetRecheck(h.liveRecheck) // live logs end with the credential they were opened with
	}
	// Public: health, metrics (counters only: no flow names, data or ids; keep it behind the
	// reverse proxy if even those are private) and the webhooks sources call.
	e.GET("/healthz", h.health)
	e.GET("/metrics", echo.WrapHandler(promhttp.HandlerFor(app.Metrics().Registry, promhttp.HandlerOpts{})))
	e.Any("/hook/:token", h.webhook)

	// Every /api route declares what it needs (see access); the route table test checks that.
	view, edit, manage, user := h.need(canView), h.need(canEdit), h.need(canManage), h.need(signedIn)
	audit := h.audited
	api := e.Group("/api")
	api.GET("/auth/state", h.authState)
	api.POST("/auth/signup", h.signup, h.sameSiteJSON)
	api.POST("/auth/login", h.login, h.sameSiteJSON)
	api.GET("/auth/invitations/:token", h.invitationInfo)
	api.POST("/auth/invitations/:token/accept", h.acceptInvitation, h.sameSiteJSON, user)
	api.POST("/auth/logout", h.logout, user)
	api.GET("/auth/me", h.me, user)
	api.POST("/auth/team", h.switchTeam, h.sameSiteJSON, user)
	api.POST("/teams", h.createTeam, user)

	api.GET("/members", h.listMembers, view)
	api.PUT("/members/:user", h.setMemberRole, manage)
	api.DELETE("/members/:user", h.removeMember, manage)
	api.GET("/invitations", h.listInvitations, manage)
	api.POST("/invitations", h.createInvitation, manage)
	api.DELETE("/invitations/:invitation", h.deleteInvitation, manage)
	api.GET("/tokens", h.listTokens, view)
	api.POST("/tokens", h.createToken, view)
	api.DELETE("/tokens/:token", h.revokeToken, view)
	api.GET("/audit", h.listAudit, manage)

	// The catalogs are the same for every user and hold no secret, so they can be compressed
	// (an answer mixing a secret with what a page sends must not be: BREACH).
	catalog := middleware.Gzip()
	api.GET("/kinds", h.kinds, user, catalog)
	api.GET("/presets", h.presets, user, catalog)

	api.GET("/flows", h.listFlows, view)
	api.POST("/flows", h.createFlow, edit, audit("flow.create"))
	api.POST("/flows/import", h.importFlow, edit, audit("flow.import"))
	api.GET("/flows/:id", h.getFlow, view)
	api.PUT("/flows/:id", h.updateFlow, edit, audit("flow.update"))
	api.DELETE("/flows/:id", h.deleteFlow, edit, audit("flow.delete"))
	api.POST("/flows/:id/start", h.startFlow, edit, audit("flow.start"))
	api.POST("/flows/:id/stop", h.stopFlow, edit, audit("flow.stop"))
	api.POST("/flows/:id/duplicate", h.duplicateFlow, edit, audit("flow.duplicate"))
	api.GET("/flows/:id/versions", h.listVersions, view)
	api.GET("/flows/:id/versions/:version", h.getVersion, view)
	api.POST("/flows/:id/versions/:version/restore", h.restoreVersion, edit, audit("flow.restore"))
	api.GET("/flows/:id/export", h.exportFlow, view)
	api.GET("/flows/:id/template", h.exportTemplate, view)
	api.POST("/flows/:id/test", h.testFlow, edit, audit("flow.test"))
	api.POST("/flows/:id/preview", h.previewFlow, edit)
	api.GET("/flows/:id/samples", h.samples, view)
	api.GET("/flows/:id/runs", h.listRuns, view)
	api.GET("/flows/:id/runs/daily", h.dailyRuns, view)
	api.POST("/flows/:id/events/:event/replay", h.replayEvent, edit, audit("flow.replay"))
	api.GET("/flows/:id/live", h.live, view)

	api.GET("/runs/daily", h.dailyRuns, view)
	api.GET("/runs/:id", h.getRun, view)
	api.POST("/runs/:id/retry", h.retryRun, edit)

	api.GET("/templates", h.listTemplates, view, catalog) // the built-in ones, and the team's, which hold no secret
	api.POST("/templates/:id/instantiate", h.instantiate, edit, audit("flow.create"))
	api.POST("/flows/:id/save-template", h.saveTemplate, edit)
	api.POST("/templates/import", h.importTemplate, edit)
	api.GET("/templates/:id/export", h.exportTemplateFile, view)
	api.DELETE("/templates/:id", h.deleteTemplate, edit)
	return e
}

type handlers struct {
	app      *core.App
	log      *slog.Logger
	accounts *auth.Service
	liveLogs holdLimit // per user
	previews holdLimit // per team
}

// health is 200 when webhooks can be stored, else 503 with the reason ("database_down" or
// "disk_full") and a sentence.
func (h *handlers) health(c echo.Context) error {
	switch err := h.app.Health(c.Request().Context()); {
	case err == nil:
		return c.JSON(http.StatusOK, map[string]any{"ok": true})
	case errors.Is(err, core.ErrDiskFull):
		return c.JSON(http.StatusServiceUnavailable, map[string]any{"ok": false, "reason": "disk_full",
			"error": "hookflow's disk is full: webhooks are refused until there is free space again"})
	default:
		return c.JSON(http.StatusServiceUnavailable, map[string]any{"ok": false, "reason": "database_down", "error": err.Error()})
	}
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
