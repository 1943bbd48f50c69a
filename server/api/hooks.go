package api

import (
	"errors"
	"net/http"
	"strconv"

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
	if err := h.app.Intake().AllowWebhook(r.Context(), c.Param("token")); err != nil {
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
	acc, err := h.app.Intake().AcceptWebhook(r.Context(), c.Param("token"), payload)
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
	return h.answer(c, acc, status)
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

// answer is the webhook's answer once its request is stored: what the run's Reply step rendered
// when the flow has one and the run reaches it in time, else the acknowledgement.
func (h *handlers) answer(c echo.Context, acc *core.Accepted, status int) error {
	ans, ok := h.app.Intake().AwaitReply(c.Request().Context(), acc)
	if !ok {
		return c.JSON(status, map[string]any{"ok": true, "event_id": acc.EventID})
	}
	if !bodyAllowed(ans.Status) {
		return c.NoContent(ans.Status)
	}
	// The type is one the step allows (flows.ReplyTypes), and the sandbox policy every /hook answer
	// carries keeps even that from running as one of hookflow's pages.
	return c.Blob(ans.Status, ans.ContentType, []byte(ans.Body))
}

// bodyAllowed: 1xx, 204 and 304 answers have no body.
func bodyAllowed(status int) bool {
	return status >= 200 && status != http.StatusNoContent && status != http.StatusNotModified
}
