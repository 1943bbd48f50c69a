package api

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/hookflow/hookflow/server/store"
	"github.com/labstack/echo/v4"
)

// runView is a run in the journal list (no trace) or detail (with trace).
type runView struct {
	ID         string          `json:"id"`
	FlowID     string          `json:"flow_id"`
	EventID    string          `json:"event_id,omitempty"`
	Status     string          `json:"status"`
	Error      string          `json:"error,omitempty"`
	FailedStep string          `json:"failed_step,omitempty"`
	Test       bool            `json:"test,omitempty"`
	Attempt    int             `json:"attempt,omitempty"`
	StartedAt  time.Time       `json:"started_at"`
	DurationMs int64           `json:"duration_ms"`
	Trace      json.RawMessage `json:"trace,omitempty"`
}

func toRunView(r *store.Run, withTrace bool) runView {
	v := runView{ID: r.ID, FlowID: r.FlowID, EventID: r.EventID, Status: r.Status, Error: r.Error, FailedStep: r.FailedStep,
		Test: r.Test, Attempt: r.Attempt, StartedAt: r.StartedAt, DurationMs: r.DurationMs}
	if withTrace && r.Trace != "" {
		if !json.Valid([]byte(r.Trace)) { // a damaged row: show what else is known
			v.Error = strings.TrimSpace(v.Error + " (the step details of this run could not be read)")
			return v
		}
		v.Trace = json.RawMessage(r.Trace)
	}
	return v
}

var runStatuses = map[string]bool{"": true, "success": true, "failed": true, "filtered": true}

func (h *handlers) listRuns(c echo.Context) error {
	ctx := c.Request().Context()
	if _, err := h.app.Store().Flow(ctx, c.Param("id")); err != nil {
		return err
	}
	f := store.RunFilter{Status: c.QueryParam("status"), Before: c.QueryParam("before")}
	if !runStatuses[f.Status] {
		return apiError(http.StatusBadRequest, "runs.status")
	}
	if s := c.QueryParam("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			return apiError(http.StatusBadRequest, "runs.limit")
		}
		f.Limit = n
	}
	for name, dst := range map[string]*time.Time{"since": &f.Since, "until": &f.Until} {
		if s := c.QueryParam(name); s != "" {
			t, err := time.Parse(time.RFC3339, s)
			if err != nil {
				return apiError(http.StatusBadRequest, "runs.time", "name", name)
			}
			*dst = t
		}
	}
	runs, err := h.app.Store().Runs(ctx, c.Param("id"), f)
	if err != nil {
		return err
	}
	out := make([]runView, len(runs))
	for i := range runs {
		out[i] = toRunView(&runs[i], false)
	}
	return c.JSON(http.StatusOK, map[string]any{"runs": out})
}

func (h *handlers) getRun(c echo.Context) error {
	r, err := h.app.Store().Run(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	v := toRunView(r, true)
	if lang := requestLang(c.QueryParam("lang")); lang != "en" && v.Trace != nil {
		trace, runError := localizeTrace(r.Trace, lang)
		v.Trace = json.RawMessage(trace)
		if runError != "" {
			v.Error = runError
		}
	}
	return c.JSON(http.StatusOK, v)
}

func (h *handlers) retryRun(c echo.Context) error {
	eventID, err := h.app.RetryRun(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, map[string]any{"ok": true, "event_id": eventID})
}

func (h *handlers) replayEvent(c echo.Context) error {
	if err := h.app.ReplayEvent(c.Request().Context(), c.Param("id"), c.Param("event")); err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, map[string]any{"ok": true, "event_id": c.Param("event")})
}

// runOutputs returns the outputs of a stored trace by node id.
func runOutputs(trace string) map[string]any {
	var t struct {
		Steps []struct {
			Node   string `json:"node"`
			Output any    `json:"output"`
		} `json:"steps"`
	}
	if json.Unmarshal([]byte(trace), &t) != nil {
		return nil
	}
	out := map[string]any{}
	for _, s := range t.Steps {
		out[s.Node] = s.Output
	}
	return out
}
