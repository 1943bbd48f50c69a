package api

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/hookflow/hookflow/flows"
	"github.com/hookflow/hookflow/server/core"
	"github.com/labstack/echo/v4"
)

// webhook is ANY /hook/{token}: the address GetCourse, Klientiks, U-ON… call. The request is on
// disk before the 2xx answer.
func (h *handlers) webhook(c echo.Context) error {
	r := c.Request()
	// The address and its flow's rate limit are checked before the body is read: a flood costs
	// no reading and no disk.
	if err := h.app.AllowWebhook(r.Context(), c.Param("token")); err != nil {
		var limited *core.RateLimitedError
		if errors.As(err, &limited) {
			c.Response().Header().Set("Retry-After", strconv.Itoa(limited.RetryAfterSeconds()))
			return serviceError(http.StatusTooManyRequests, limited.Error())
		}
		if errors.Is(err, core.ErrUnknownHook) {
			h.app.Metrics().WebhookRejected("unknown")
		}
		return err
	}
	limit := h.app.Config().MaxBodyBytes
	if r.ContentLength > limit-flows.RequestHeadSize(r) {
		h.app.Metrics().WebhookRejected("too_large")
		return serviceError(http.StatusRequestEntityTooLarge, tooLarge(limit))
	}
	payload, over, err := flows.PayloadFromRequest(r, limit)
	if err != nil {
		h.app.Metrics().WebhookRejected("unreadable")
		return serviceError(http.StatusBadRequest, "the request body could not be read")
	}
	if over {
		h.app.Metrics().WebhookRejected("too_large")
		return serviceError(http.StatusRequestEntityTooLarge, tooLarge(limit))
	}
	acc, err := h.app.AcceptWebhook(r.Context(), c.Param("token"), payload)
	if err != nil {
		if errors.Is(err, core.ErrDiskFull) {
			// Not stored: a source that honours Retry-After sends it again once there is room.
			c.Response().Header().Set("Retry-After", strconv.Itoa(diskFullRetryAfter))
			return serviceError(http.StatusServiceUnavailable, core.ErrDiskFull.Error())
		}
		if errors.Is(err, core.ErrUnknownHook) {
			h.app.Metrics().WebhookRejected("unknown")
		}
		return err
	}
	if acc.SourceCheck {
		// The source checks that the address answers (Tilda wants 200 OK whether or not the
		// flow is started); nothing was stored.
		return c.JSON(http.StatusOK, map[string]any{"ok": true, "check": true})
	}
	status := http.StatusOK
	if !acc.Active {
		status = http.StatusAccepted // stored as a sample, not run
	}
	if acc.Reply == nil {
		return c.JSON(status, map[string]any{"ok": true, "event_id": acc.EventID})
	}
	return h.customReply(c, acc, payload, status)
}

// diskFullRetryAfter is the pause, in seconds, a webhook refused for a full disk is told to wait.
const diskFullRetryAfter = 60

func tooLarge(limit int64) string {
	return "the request (its address, headers and body together) is larger than the limit of " + humanBytes(limit) + "; send less data"
}

func humanBytes(n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return itoa(n>>20) + " MB"
	}
	return itoa(n>>10) + " KB"
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// customReply answers with the flow's own reply: a template over the request (and, in the
// bounded synchronous mode, the run's outputs).
func (h *handlers) customReply(c echo.Context, acc *core.Accepted, payload flows.Payload, status int) error {
	rp := acc.Reply
	if rp.Status != 0 {
		status = rp.Status
	}
	scope := map[string]any{"event": map[string]any{"id": acc.EventID}}
	if trig, err := flows.ParseRequest(payload); err == nil {
		scope["trigger"] = trig
	}
	if rp.WaitMs > 0 && acc.Active {
		ctx, cancel := context.WithTimeout(c.Request().Context(), time.Duration(min(rp.WaitMs, 30000))*time.Millisecond)
		defer cancel()
		if run, err := h.app.WaitRun(ctx, acc.EventID, time.Duration(rp.WaitMs)*time.Millisecond); err == nil {
			scope["run"] = map[string]any{"id": run.ID, "status": run.Status, "error": run.Error}
			if steps := runOutputs(run.Trace); steps != nil {
				scope["steps"] = steps
			}
		} else {
			scope["run"] = map[string]any{"status": "pending"}
		}
	}
	body := rp.Body
	if tpl, err := flows.ParseTemplate(rp.Body); err == nil {
		body = tpl.Render(flows.NewScope(scope, nil))
	}
	// A type outside the list (a flow saved before it existed, or a row written by hand) is
	// served as plain text: the answer never runs in a browser, whatever the stored setting.
	ct, ok := core.ReplyContentType(rp.ContentType)
	if !ok {
		ct = core.DefaultReplyType
	}
	return c.Blob(status, ct, []byte(body))
}
