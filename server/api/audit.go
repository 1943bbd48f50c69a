package api

import (
	"strconv"

	"github.com/hookflow/hookflow/server/auth"
	"github.com/hookflow/hookflow/server/store"
	"github.com/labstack/echo/v4"
)

// record adds an audit log entry. A failure to record is logged, not shown: the change itself
// has happened already.
func (h *handlers) record(c echo.Context, p *auth.Principal, action, objectType, objectID, detail string) {
	if p == nil || p.TeamID == "" {
		return
	}
	e := &store.AuditEntry{TeamID: p.TeamID, UserID: p.User.ID, Email: p.User.Email, Action: action,
		ObjectType: objectType, ObjectID: objectID, Detail: detail}
	if err := h.app.Teams().Record(c.Request().Context(), e); err != nil {
		h.log.Error("recording the audit log", "action", action, "object", objectID, "err", err)
	}
}

// audited records a flow action after its handler succeeded (2xx); the flow id is the route's
// :id or, for new flows, the id in the answer.
func (h *handlers) audited(action string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if err := next(c); err != nil {
				return err
			}
			if st := c.Response().Status; st >= 200 && st < 300 {
				id := c.Param("id")
				if id == "" {
					id, _ = c.Get(createdFlowKey).(string)
				}
				h.record(c, principal(c), action, "flow", id, c.Param("version"))
			}
			return nil
		}
	}
}

// createdFlowKey is where handlers that create a flow leave its id for the audit log.
const createdFlowKey = "hookflow.created_flow"

func (h *handlers) listAudit(c echo.Context) error {
	limit, _ := strconv.Atoi(c.QueryParam("limit"))
	list, err := h.app.Teams().Audit(c.Request().Context(), principal(c).TeamID, limit)
	return listed(c, "entries", list, err, func(e store.AuditEntry) AuditView {
		return AuditView{e.At, e.UserID, e.Email, e.Action, e.ObjectType, e.ObjectID, e.Detail}
	})
}
