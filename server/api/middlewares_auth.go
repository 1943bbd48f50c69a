package api

import (
	"context"
	"crypto/subtle"
	"errors"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/hookflow/hookflow/server/auth"
	"github.com/hookflow/hookflow/server/core"
	"github.com/hookflow/hookflow/server/live"
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
			ctx := core.WithTeam(c.Request().Context(), p.TeamID)
			c.SetRequest(c.Request().WithContext(live.WithWatcher(ctx, watcherOf(p))))
			if a == signedIn {
				return next(c)
			}
			if err := h.ownObject(c, p); err != nil {
				return err
			}
			if p.TeamID == "" {
				return apiError(http.StatusForbidden, "access.no_team")
			}
			if store.RoleRank(p.Role) < store.RoleRank(accessRole[a]) {
				e := apiError(http.StatusForbidden, "access.role", "role", p.Role, "need", accessRole[a])
				e.roles = []string{"role", "need"}
				return e
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
			return nil, apiError(http.StatusUnauthorized, "auth.bearer")
		}
		p, err := h.accounts.FromAPIToken(ctx, strings.TrimSpace(token), team)
		if err != nil {
			return nil, authError(err)
		}
		return p, nil
	}
	ck, err := r.Cookie(sessionCookie)
	if err != nil || ck.Value == "" {
		return nil, apiError(http.StatusUnauthorized, "auth.not_authenticated")
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
			return nil, apiError(http.StatusForbidden, "access.csrf", "header", csrfHeader)
		}
	}
	return p, nil
}

// sameSiteJSON guards the requests that start a session or move one (sign-in, signup, accepting
// an invitation, switching teams) against login CSRF: another site's page making a visitor's
// browser sign in to an account the attacker controls, then reading what they build there.
// Those requests have no CSRF token to check (sign-in is where it comes from), so:
//
//   - the body must be JSON (Content-Type application/json). A page of another site can only
//     send JSON with CORS, which we do not answer; a <form enctype="text/plain"> can post a body
//     that reads as JSON, but not with this type. A request without a body may leave the type
//     out (the editor accepts an invitation that way);
//   - when the browser says where the request comes from, it must be our own page:
//     Sec-Fetch-Site "same-origin" (or "none": typed by the user), otherwise an Origin equal to
//     the public URL's or to the address the request was sent to. Scripts send neither header
//     and keep working.
func (h *handlers) sameSiteJSON(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if !h.fromOurPage(r) {
			return apiError(http.StatusForbidden, "access.cross_site")
		}
		ct := r.Header.Get(echo.HeaderContentType)
		if ct == "" && r.ContentLength == 0 {
			return next(c)
		}
		if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != echo.MIMEApplicationJSON {
			return apiError(http.StatusUnsupportedMediaType, "access.json_only")
		}
		return next(c)
	}
}

// fromOurPage reports whether a browser request comes from hookflow's own pages (see
// sameSiteJSON); a request without Sec-Fetch-Site and Origin is not a browser's and passes.
func (h *handlers) fromOurPage(r *http.Request) bool {
	switch r.Header.Get("Sec-Fetch-Site") {
	case "same-origin", "none":
		return true
	case "":
	default: // same-site, cross-site
		return false
	}
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return false // "null" from sandboxed frames, file: pages, anything malformed
	}
	if pub, err := url.Parse(h.app.Config().PublicURL); err == nil && pub.Host != "" &&
		strings.EqualFold(pub.Scheme, u.Scheme) && strings.EqualFold(pub.Host, u.Host) {
		return true
	}
	return strings.EqualFold(u.Host, r.Host)
}

// watcherOf is the credential a live log opened by p is tied to (see disconnect).
func watcherOf(p *auth.Principal) live.Watcher {
	w := live.Watcher{User: p.User.ID, Team: p.TeamID}
	if p.Session != nil {
		w.Session = p.Session.ID
	}
	if p.Token != nil {
		w.Token = p.Token.ID
	}
	return w
}

// disconnect closes the live logs opened with a credential that just stopped being valid:
// signing out, revoking an API token, removing a member. Checking access only when a websocket
// opens would let it stream on for as long as the browser keeps it.
func (h *handlers) disconnect(sel live.Watcher, code int, reason string) {
	if hub := h.app.Hub(); hub != nil {
		hub.Disconnect(sel, code, reason)
	}
}

// liveRecheck is the live hub's Recheck: a websocket whose session, token or membership ended
// where disconnect did not see it (another process, expiry) is closed at its next ping. A database
// error keeps it open: an outage should not drop every watcher.
func (h *handlers) liveRecheck(ctx context.Context, w live.Watcher) (int, string) {
	err := h.accounts.StillAllowed(ctx, w.Session, w.Token, w.User, w.Team)
	switch {
	case errors.Is(err, auth.ErrNotAuthenticated):
		return live.CloseSignedOut, "live: you are signed out; sign in again to watch"
	case errors.Is(err, auth.ErrTokenNotRecognised):
		return live.CloseSignedOut, "live: this API token was revoked"
	case errors.Is(err, auth.ErrNotMember):
		return live.CloseNoAccess, "live: you are no longer a member of this team"
	}
	return 0, ""
}

func unsafeMethod(m string) bool {
	return m != http.MethodGet && m != http.MethodHead && m != http.MethodOptions
}

func authError(err error) error { return refused(err, authRefusals) }

var authRefusals = []refusal{
	{auth.ErrNotAuthenticated, http.StatusUnauthorized, "auth.not_authenticated"},
	{auth.ErrTokenNotRecognised, http.StatusUnauthorized, "auth.token_not_recognised"},
	{auth.ErrNotMember, http.StatusForbidden, "auth.not_member"},
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
		team, err = h.app.Teams().FlowTeam(c.Request().Context(), id)
	case strings.HasPrefix(c.Path(), "/api/runs/:id"):
		team, err = h.app.Teams().RunTeam(c.Request().Context(), id)
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
