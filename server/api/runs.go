package api

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // the readers' time zones even on a machine without a zone database

	"github.com/hookflow/hookflow/server/core"
	"github.com/hookflow/hookflow/server/store"
	"github.com/labstack/echo/v4"
)

// RunView is a run in the journal list (no trace) or detail (with trace). The editor's types are
// generated from it (make types); the handlers call it runView.
type RunView struct {
	ID         string `json:"id"`
	FlowID     string `json:"flow_id"`
	EventID    string `json:"event_id,omitempty"`
	Status     string `json:"status"`
	Error      string `json:"error,omitempty"`
	FailedStep string `json:"failed_step,omitempty"`
	Test       bool   `json:"test,omitempty"`
	Scheduled  bool   `json:"scheduled,omitempty"` // started by the flow's schedule, not by a webhook
	Attempt    int    `json:"attempt,omitempty"`
	// Attempts is how many times the webhook ran (this row stands for all of them).
	Attempts int        `json:"attempts,omitempty"`
	RetryAt  *time.Time `json:"retry_at,omitempty"`
	// Until is when a run waiting at a Delay step goes on (status waiting; waited, when superseded).
	Until      *time.Time      `json:"until,omitempty"`
	Superseded bool            `json:"superseded,omitempty"` // a later attempt of the same webhook exists
	StartedAt  time.Time       `json:"started_at"`
	DurationMs int64           `json:"duration_ms"`
	Trace      json.RawMessage `json:"trace,omitempty" tstype:"Trace"` // a flows.Trace
	// AttemptList is every run of the webhook, first attempt first (the run page only).
	AttemptList []RunView `json:"attempt_list,omitempty"`
}

type runView = RunView

// toRunView is a run as the journal shows it. A webhook's latest attempt that failed and will be
// tried again reads "waiting".
func toRunView(r *store.Run, withTrace bool) runView {
	v := runView{ID: r.ID, FlowID: r.FlowID, EventID: r.EventID, Status: r.Status, Error: r.Error, FailedStep: r.FailedStep,
		Test: r.Test, Attempt: r.Attempt, StartedAt: r.StartedAt, DurationMs: r.DurationMs, Superseded: r.Superseded,
		Scheduled: core.IsTickEvent(r.EventID)}
	switch {
	case r.Status == "failed" && r.RetryAt != nil && !r.Superseded:
		v.Status, v.RetryAt = store.RunWaiting, r.RetryAt
	case r.Status == store.RunWaiting:
		v.Until = r.RetryAt
	}
	if withTrace && r.Trace != "" {
		if !json.Valid([]byte(r.Trace)) { // a damaged row: show what else is known
			v.Error = strings.TrimSpace(v.Error + " (the step details of this run could not be read)")
			return v
		}
		v.Trace = json.RawMessage(r.Trace)
	}
	return v
}

var runStatuses = map[string]bool{"": true, "success": true, "failed": true, "filtered": true, store.RunWaiting: true}

// runError is a run's error in lang, rebuilt from its stored code and params.
func runError(r *store.Run, lang string) string {
	if lang == "en" || r.ErrorCode == "" {
		return r.Error
	}
	return core.RunErrorTexts(r)[lang]
}

func (h *handlers) listRuns(c echo.Context) error {
	ctx := c.Request().Context()
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
	runs, attempts, err := h.app.Journal().Runs(ctx, c.Param("id"), f)
	if err != nil {
		return err
	}
	lang := requestLang(c.QueryParam("lang"))
	out := make([]runView, len(runs))
	for i := range runs {
		out[i] = toRunView(&runs[i], false)
		out[i].Error = runError(&runs[i], lang)
		out[i].Attempts = attempts[runs[i].ID]
	}
	return c.JSON(http.StatusOK, map[string]any{"runs": out})
}

// dailyRuns counts runs per day for the charts: of one flow (/flows/:id/runs/daily) or of every
// flow of the team (/runs/daily). ?days= (default 14, at most 92); ?tz= the reader's IANA time
// zone, where days begin (default core.DefaultTimeZone).
func (h *handlers) dailyRuns(c echo.Context) error {
	ctx := c.Request().Context()
	flowID := c.Param("id")
	days := 14
	if s := c.QueryParam("days"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 92 {
			return apiError(http.StatusBadRequest, "runs.days")
		}
		days = n
	}
	tz := c.QueryParam("tz")
	if tz == "" {
		tz = core.DefaultTimeZone
	}
	loc, err := time.LoadLocation(tz)
	if err != nil || tz == "Local" {
		return apiError(http.StatusBadRequest, "runs.tz")
	}
	out, err := h.app.Journal().DailyRuns(ctx, flowID, time.Now(), loc, days)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

func (h *handlers) getRun(c echo.Context) error {
	r, err := h.app.Journal().Run(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	v := toRunView(r, true)
	lang := requestLang(c.QueryParam("lang"))
	if lang != "en" && r.ErrorCode != "" {
		v.Error = runError(r, lang)
	}
	if lang != "en" && v.Trace != nil {
		trace, traceError := localizeTrace(r.Trace, lang)
		v.Trace = json.RawMessage(trace)
		if traceError != "" && r.ErrorCode == "" {
			v.Error = traceError
		}
	}
	v.Attempts = 1
	if r.EventID != "" {
		all, err := h.app.Journal().Attempts(c.Request().Context(), r.EventID)
		if err != nil {
			return err
		}
		tries := 0
		for i := range all {
			if all[i].Status != store.RunWaiting { // a pause at a Delay step is no attempt
				tries++
			}
		}
		v.Attempts = max(tries, 1)
		for i := range all {
			a := toRunView(&all[i], false)
			a.Error = runError(&all[i], lang)
			v.AttemptList = append(v.AttemptList, a)
		}
	}
	return c.JSON(http.StatusOK, v)
}

func (h *handlers) retryRun(c echo.Context) error {
	eventID, err := h.app.RetryRun(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, AcceptedView{EventID: eventID, OK: true})
}

func (h *handlers) replayEvent(c echo.Context) error {
	if err := h.app.ReplayEvent(c.Request().Context(), c.Param("id"), c.Param("event")); err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, AcceptedView{EventID: c.Param("event"), OK: true})
}
