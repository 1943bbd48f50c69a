package api

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/hookflow/hookflow/flows"
	"github.com/hookflow/hookflow/server/core"
	"github.com/hookflow/hookflow/server/store"
	"github.com/labstack/echo/v4"
)

// Error is every error answer: a sentence in the request's language, the code and params it is
// made from (messages_en.go, messages_ru.go), and the details (validation problems with node,
// field and code) when there are any.
type Error struct {
	Status  int               `json:"-"`
	Message string            `json:"error"`
	Code    string            `json:"code,omitempty"`
	Params  map[string]string `json:"params,omitempty"`
	Details any               `json:"details,omitempty"`

	problems flows.Problems // re-rendered in the request's language
	field    string         // the form field a refused value belongs to (sign-up, tokens)
	roles    []string       // params that name a role, said in the request's language
}

func (e *Error) Error() string { return e.Message }

// apiError is the answer for a catalog code; params are name, value pairs.
func apiError(status int, code string, params ...string) *Error {
	var p map[string]string
	if len(params) > 0 {
		p = make(map[string]string, len(params)/2)
		for i := 0; i+1 < len(params); i += 2 {
			p[params[i]] = params[i+1]
		}
	}
	return &Error{Status: status, Code: code, Params: p, Message: message(code, "en", p)}
}

// refusal is an error value a service refuses with, and its answer.
type refusal struct {
	err    error
	status int
	code   string
}

// refused is the answer for the first refusal err is, or err itself when it is none of them.
func refused(err error, refusals []refusal) error {
	for _, r := range refusals {
		if errors.Is(err, r.err) {
			return apiError(r.status, r.code)
		}
	}
	return err
}

// serviceError answers a calling service (webhooks): an English sentence with no code, since
// the caller is a program, not a person choosing a language.
func serviceError(status int, msg string) *Error { return &Error{Status: status, Message: msg} }

func problemsError(status int, ps flows.Problems) *Error {
	return &Error{Status: status, Code: "flow_invalid", Message: summary(ps), Details: ps, problems: ps}
}

func errorHandler(log *slog.Logger) echo.HTTPErrorHandler {
	return func(err error, c echo.Context) {
		if c.Response().Committed {
			return
		}
		e := localized(toAPIError(err), c)
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
		return apiError(http.StatusInternalServerError, "flow_unreadable", "detail", unreadable.Err.Error())
	case errors.As(err, &invalid):
		return problemsError(http.StatusUnprocessableEntity, invalid.Problems)
	case errors.As(err, &problems):
		return problemsError(http.StatusUnprocessableEntity, problems)
	case errors.As(err, &problem):
		e := problemsError(http.StatusBadRequest, flows.Problems{*problem})
		e.Code, e.Message = problem.Code, problem.Error()
		return e
	case core.IsNotFound(err):
		return apiError(http.StatusNotFound, "not_found")
	case errors.Is(err, core.ErrShuttingDown):
		return apiError(http.StatusServiceUnavailable, "shutting_down")
	case errors.Is(err, core.ErrDiskFull), store.IsDiskFull(err):
		return apiError(http.StatusServiceUnavailable, "disk_full")
	case errors.Is(err, core.ErrUnknownHook):
		return apiError(http.StatusNotFound, "unknown_hook")
	case errors.As(err, &syntax), errors.As(err, &typ):
		return apiError(http.StatusBadRequest, "bad_json", "detail", err.Error())
	case errors.As(err, &httpErr):
		msg, _ := httpErr.Message.(string)
		if msg == "" {
			msg = http.StatusText(httpErr.Code)
		}
		return apiError(httpErr.Code, "http", "detail", msg, "status", strconv.Itoa(httpErr.Code))
	default:
		return apiError(http.StatusInternalServerError, "internal")
	}
}

// summary is the one sentence of a list of problems, in English (logs, CLI-style clients).
func summary(ps flows.Problems) string { return summaryIn(ps, "en") }

// problemIn is a problem's sentence in lang, or as it was when its code has no catalog entry.
func problemIn(p flows.Problem, lang string) string {
	if s := p.Text(lang); s != p.Code {
		return s
	}
	return p.Error()
}

func summaryIn(ps flows.Problems, lang string) string {
	switch len(ps) {
	case 0:
		return message("flow_invalid", lang, nil)
	}
	first := ps[0].Error()
	if lang != "en" {
		first = problemIn(ps[0], lang)
	}
	if len(ps) == 1 {
		return first
	}
	return message("flow_invalid_more", lang, map[string]string{"first": first})
}
