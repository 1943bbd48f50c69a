package api

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/hookflow/hookflow/flows"
	"github.com/labstack/echo/v4"
)

// The editor's Test runs in the browser's engine once that has loaded (a 24 MB module the
// browser compiles, seconds on a slow machine). A Test clicked before that is answered here, by
// the same engine code in preview mode: nothing is sent, each HTTP step shows the request it
// would send, JavaScript runs in the sandbox processes as the flow's runs do.

// maxPreviewsPerTeam caps the previews one team runs at once, so one team's clicking (or a
// script calling the endpoint) cannot take the server's workers from the others.
const maxPreviewsPerTeam = 2

// previewTimeout bounds one preview; its scripts have their own, shorter limits.
const previewTimeout = 10 * time.Second

type previewBody struct {
	Document json.RawMessage   `json:"document"`
	Payload  json.RawMessage   `json:"payload"`
	Inputs   map[string]string `json:"inputs"`
	Lang     string            `json:"lang"`
}

func (h *handlers) previewFlow(c echo.Context) error {
	ctx := c.Request().Context()
	if err := h.app.Flows().Exists(ctx, c.Param("id")); err != nil {
		return err
	}
	var body previewBody
	if err := json.NewDecoder(io.LimitReader(c.Request().Body, 2*flows.MaxDocumentBytes+1)).Decode(&body); err != nil || len(body.Document) == 0 {
		return apiError(http.StatusBadRequest, "flows.preview_body")
	}
	team := principal(c).TeamID
	if !h.previews.acquire(team) {
		return apiError(http.StatusTooManyRequests, "flows.preview_busy", "max", strconv.Itoa(maxPreviewsPerTeam))
	}
	defer h.previews.release(team)
	ctx, cancel := context.WithTimeout(ctx, previewTimeout)
	defer cancel()
	lang := "en"
	if len(body.Lang) >= 2 && body.Lang[:2] == "ru" {
		lang = "ru"
	}
	return c.JSON(http.StatusOK, flows.Preview(ctx, body.Document, body.Payload, body.Inputs, lang, h.app.Config().Scripts))
}
