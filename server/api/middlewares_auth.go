package api

import (
	"crypto/subtle"
	"errors"
	"net/http"
	"strings"

	"github.com/hookflow/hookflow/server/auth"
	"github.com/hookflow/hookflow/server/core"
	"github.com/hookflow/hookflow/server/store"
	"github.com/labstack/echo/v4"
)

// Cookies and headers of signed-in browsers and scripts.
const (
	sessionCookie = "hookflow_session" // HttpOnly: scripts on the page cannot read it
	csrfCookie    = "hookflow_csrf"    // readable by the editor, which repeats it in csrfHeader
	csrfHeader    = "X-CSRF-Token"
	// teamHeader picks one of the user's teams for a request; without it the session's current
	// team is used (POST /api/auth/team changes that). API tokens always act in their own team.
	teamHeader = "X-Hookflow-Team"
)

// access is what a route requires. Every route the server registers has one (the route table
// test fails otherwise); routes without the middleware are public.
type access int

const (
	signedIn  access = iota + 1 // any signed-in user, even one without a team
	canView                     // viewer, editor or owner of the current team
	canEdit                     // editor or owner: change, test, start, stop, retry
	canManage                   // owner: members, invitations, audit log
)

var accessRole = map[access]string{canView: store.RoleViewer, canEdit: store.RoleEditor, canManage: store.RoleOwner}

const principalKey = "hookflow.principal"

// principal is who makes the request (set by need).
func principal(c echo.Context) *auth.Principal {
	p, _ := c.Get(principalKey).(*auth.Principal)
	return p
}

// need authenticates the request (Bearer token, or session cookie with the CSRF header on
// unsafe methods), hides objects of other teams (404, as if they did not exist) and checks the
// role. The request's context carries the team, so core creates and lists in it.
func (h *handlers) need(a access) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			p, err := h.authenticate(c)
			if err != nil {
				return err
			}
			c.Set(principalKey, p)
			c.SetRequest(c.Request().WithContext(core.WithTeam(c.Request().Context(), p.TeamID)))
			if a == signedIn {
				return next(c)
			}
			if err := h.ownObject(c, p); err != nil {
				return err
			}
			if p.TeamID == "" {
				return apiError(http.StatusForbidden, "you are not in any team; ask a team owner for an invitation link")
			}
			if store.RoleRank(p.Role) < store.RoleRank(accessRole[a]) {
				return apiError(http.StatusForbidden, "your role in this team ("+p.Role+") does not allow this; ask a team owner to make you "+accessRole[a])
			}
			return next(c)
		}
	}
}

func (h *handlers) authenticate(c echo.Context) (*auth.Principal, error) {
	r := c.Request()
	ctx := r.Context()
	team := r.Header.Get(teamHeader)
	if authz := r.Header.Get(echo.HeaderAuthorization); authz != "" {
		token, ok := strings.CutPrefix(authz, "Bearer ")
		if !ok || token == "" {
			return nil, apiError(http.StatusUnauthorized, `the Authorization header must be "Bearer <API token>"`)
		}
		p, err := h.accounts.FromAPIToken(ctx, strings.TrimSpace(token), team)
		if err != nil {
			return nil, authError(err)
		}
		return p, nil
	}
	ck, err := r.Cookie(sessionCookie)
	if err != nil || ck.Value == "" {
		return nil, apiError(http.StatusUnauthorized, auth.ErrNotAuthenticated.Error())
	}
	p, err := h.accounts.FromSession(ctx, ck.Value, team)
	if err != nil {
		return nil, authError(err)
	}
	// A cookie is sent by the browser whatever page makes the request; only our own pages can
	// read the CSRF cookie and repeat it, so an unsafe request without it is another site's.
	if unsafeMethod(r.Method) {
		got := r.Header.Get(csrfHeader)
		if got == "" || subtle.ConstantTimeCompare([]byte(got), []byte(p.Session.CSRF)) != 1 {
			return nil, apiError(http.StatusForbidden, "the request has no valid "+csrfHeader+" header; reload the page and try again")
		}
	}
	return p, nil
}

func unsafeMethod(m string) bool {
	return m != http.MethodGet && m != http.MethodHead && m != http.MethodOptions
}

func authError(err error) error {
	switch {
	case errors.Is(err, auth.ErrNotAuthenticated), errors.Is(err, auth.ErrTokenNotRecognised):
		return apiError(http.StatusUnauthorized, err.Error())
	case errors.Is(err, auth.ErrNotMember):
		return apiError(http.StatusForbidden, err.Error())
	}
	return err
}

// ownObject answers 404 for a flow or run of another team: the route's :id names it.
func (h *handlers) ownObject(c echo.Context, p *auth.Principal) error {
	id := c.Param("id")
	if id == "" {
		return nil
	}
	var team string
	var err error
	switch {
	case strings.HasPrefix(c.Path(), "/api/flows/:id"):
		team, err = h.app.Store().FlowTeam(c.Request().Context(), id)
	case strings.HasPrefix(c.Path(), "/api/runs/:id"):
		team, err = h.app.Store().RunTeam(c.Request().Context(), id)
	default:
		return nil
	}
	if err != nil {
		return err
	}
	if p.TeamID == "" || team != p.TeamID {
		return store.ErrNotFound
	}
	return nil
}
