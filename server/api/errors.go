package api

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"github.com/hookflow/hookflow/flows"
	"github.com/hookflow/hookflow/server/core"
	"github.com/hookflow/hookflow/server/store"
	"github.com/labstack/echo/v4"
)

// Error is every error answer: a sentence, and the details (validation problems with node,
// field and code) when there are any.
type Error struct {
	Status  int    `json:"-"`
	Message string `json:"error"`
	Details any    `json:"details,omitempty"`
}

func (e *Error) Error() string { return e.Message }

func apiError(status int, msg string) *Error { return &Error{Status: status, Message: msg} }

func errorHandler(log *slog.Logger) echo.HTTPErrorHandler {
	return func(err error, c echo.Context) {
		if c.Response().Committed {
			return
		}
		e := toAPIError(err)
		if e.Status >= 500 {
			log.Error("request failed", "method", c.Request().Method, "path", c.Path(), "err", err)
		}
		if c.Request().Method == http.MethodHead {
			_ = c.NoContent(e.Status)
			return
		}
		_ = c.JSON(e.Status, e)
	}
}

func toAPIError(err error) *Error {
	var apiErr *Error
	var invalid *core.InvalidError
	var problems flows.Problems
	var problem *flows.Problem
	var httpErr *echo.HTTPError
	var unreadable *core.UnreadableFlowError
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &apiErr):
		return apiErr
	case errors.As(err, &unreadable): // damaged data on the server, said plainly
		return apiError(http.StatusInternalServerError, unreadable.Error())
	case errors.As(err, &invalid):
		return &Error{Status: http.StatusUnprocessableEntity, Message: summary(invalid.Problems), Details: invalid.Problems}
	case errors.As(err, &problems):
		return &Error{Status: http.StatusUnprocessableEntity, Message: summary(problems), Details: problems}
	case errors.As(err, &problem):
		return &Error{Status: http.StatusBadRequest, Message: problem.Error(), Details: flows.Problems{*problem}}
	case core.IsNotFound(err):
		return apiError(http.StatusNotFound, "not found")
	case errors.Is(err, core.ErrShuttingDown):
		return apiError(http.StatusServiceUnavailable, err.Error())
	case errors.Is(err, core.ErrDiskFull), store.IsDiskFull(err):
		return apiError(http.StatusServiceUnavailable, "hookflow's disk is full; nothing was saved; free some space on the server and try again")
	case errors.Is(err, core.ErrUnknownHook):
		return apiError(http.StatusNotFound, "no flow has this webhook address; copy the address again from the flow in hookflow")
	case errors.As(err, &syntax), errors.As(err, &typ):
		return apiError(http.StatusBadRequest, "the request body is not valid JSON: "+err.Error())
	case errors.As(err, &httpErr):
		msg, _ := httpErr.Message.(string)
		if msg == "" {
			msg = http.StatusText(httpErr.Code)
		}
		return apiError(httpErr.Code, msg)
	default:
		return apiError(http.StatusInternalServerError, "something went wrong on the server; it is logged")
	}
}

func summary(ps flows.Problems) string {
	switch len(ps) {
	case 0:
		return "the flow is not valid"
	case 1:
		return ps[0].Error()
	}
	return ps[0].Error() + " (and more: see details)"
}
