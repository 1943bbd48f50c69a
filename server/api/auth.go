package api

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/hookflow/hookflow/server/auth"
	"github.com/hookflow/hookflow/server/live"
	"github.com/hookflow/hookflow/server/store"
	"github.com/labstack/echo/v4"
)

// credentials is the body of signup and login.
type credentials struct {
	Email      string `json:"email"`
	Password   string `json:"password"`
	Name       string `json:"name"`
	Invitation string `json:"invitation"` // signup: the token of the invitation link
}

func paramPairs(m map[string]string) []string {
	var out []string
	for k, v := range m {
		out = append(out, k, v)
	}
	return out
}

func readCredentials(c echo.Context) (credentials, error) {
	var cr credentials
	if err := json.NewDecoder(io.LimitReader(c.Request().Body, 16<<10)).Decode(&cr); err != nil {
		return cr, apiError(http.StatusBadRequest, "auth.body")
	}
	return cr, nil
}

// accountError turns the accounts service's refusals into answers.
func accountError(err error) error {
	var ie *auth.InvalidError
	var rl *auth.RateLimitedError
	switch {
	case errors.As(err, &ie):
		e := apiError(http.StatusUnprocessableEntity, ie.Code, paramPairs(ie.Params)...)
		e.Message, e.field = ie.Message, ie.Field
		e.Details = []map[string]string{{"field": ie.Field, "message": ie.Message}}
		return e
	case errors.As(err, &rl):
		e := apiError(http.StatusTooManyRequests, "auth.rate_limited", "seconds", strconv.Itoa(rl.Seconds()))
		e.Message = rl.Error()
		return e
	}
	return refused(err, accountRefusals)
}

var accountRefusals = []refusal{
	{auth.ErrBadCredentials, http.StatusUnauthorized, "auth.bad_credentials"},
	{auth.ErrSignupClosed, http.StatusConflict, "auth.signup_closed"},
	{auth.ErrInvitationInvalid, http.StatusNotFound, "auth.invitation_invalid"},
}

// authState is GET /api/auth/state: whether the next signup creates the owner (the editor then
// shows the signup form instead of the sign-in form).
func (h *handlers) authState(c echo.Context) error {
	open, err := h.accounts.SignupOpen(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, AuthState{SignupOpen: open})
}

func (h *handlers) signup(c echo.Context) error {
	cr, err := readCredentials(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	if langOf(c.Request()) == "ru" {
		ctx = auth.WithDefaultTeamName(ctx, "Моя команда")
	}
	u, team, err := h.accounts.Signup(ctx, cr.Email, cr.Password, cr.Name, cr.Invitation, clientIP(c))
	if err != nil {
		return accountError(err)
	}
	if cr.Invitation == "" {
		h.record(c, &auth.Principal{User: u, TeamID: team}, "team.create", "team", team, "")
	} else {
		h.record(c, &auth.Principal{User: u, TeamID: team}, "member.join", "user", u.ID, "")
	}
	return h.startSession(c, u, team, http.StatusCreated)
}

func (h *handlers) login(c echo.Context) error {
	cr, err := readCredentials(c)
	if err != nil {
		return err
	}
	u, err := h.accounts.Login(c.Request().Context(), cr.Email, cr.Password, clientIP(c))
	if err != nil {
		return accountError(err)
	}
	return h.startSession(c, u, "", http.StatusOK)
}

// startSession signs the browser in (cookies) and answers {token, user, …} like /me; the token
// also works as a Bearer token for scripts that sign in with a password.
func (h *handlers) startSession(c echo.Context, u *store.User, team string, status int) error {
	ctx := c.Request().Context()
	if team == "" {
		if teams, err := h.app.Teams().Memberships(ctx, u.ID); err == nil && len(teams) > 0 {
			team = teams[0].TeamID
		}
	}
	token, csrf, err := h.accounts.NewSession(ctx, u.ID, team)
	if err != nil {
		return err
	}
	h.setCookies(c, token, csrf, int(auth.SessionTTL.Seconds()))
	p, err := h.accounts.FromSession(ctx, token, "")
	if err != nil {
		return err
	}
	me, err := h.meView(c, p)
	if err != nil {
		return err
	}
	me.Token, me.CSRFToken = token, csrf
	return c.JSON(status, me)
}

// setCookies sets (maxAge > 0) or clears (maxAge < 0) the session and CSRF cookies. They are
// Secure when the service is reached over https (its public URL says so).
func (h *handlers) setCookies(c echo.Context, token, csrf string, maxAge int) {
	secure := strings.HasPrefix(h.app.Config().PublicURL, "https://")
	c.SetCookie(&http.Cookie{Name: sessionCookie, Value: token, Path: "/", MaxAge: maxAge, HttpOnly: true,
		Secure: secure, SameSite: http.SameSiteLaxMode})
	c.SetCookie(&http.Cookie{Name: csrfCookie, Value: csrf, Path: "/", MaxAge: maxAge,
		Secure: secure, SameSite: http.SameSiteLaxMode})
}

func (h *handlers) logout(c echo.Context) error {
	p := principal(c)
	if p.Session != nil {
		if err := h.accounts.EndSession(c.Request().Context(), p.Session); err != nil {
			return err
		}
		h.disconnect(live.Watcher{Session: p.Session.ID}, live.CloseSignedOut, "live: you signed out; sign in again to watch")
	}
	h.setCookies(c, "", "", -1)
	return c.NoContent(http.StatusNoContent)
}

func (h *handlers) me(c echo.Context) error {
	me, err := h.meView(c, principal(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, me)
}

func (h *handlers) meView(c echo.Context, p *auth.Principal) (*MeView, error) {
	list, err := h.app.Teams().Memberships(c.Request().Context(), p.User.ID)
	if err != nil {
		return nil, err
	}
	teams := make([]TeamView, len(list))
	for i, m := range list {
		teams[i] = TeamView{m.TeamID, m.TeamName, m.Role}
	}
	return &MeView{
		User:  UserView{ID: p.User.ID, Email: p.User.Email, Name: p.User.Name},
		Team:  p.TeamID,
		Role:  p.Role,
		Teams: teams,
	}, nil
}

// switchTeam is POST /api/auth/team {team}: the session works in another of the user's teams.
func (h *handlers) switchTeam(c echo.Context) error {
	p := principal(c)
	if p.Session == nil {
		return apiError(http.StatusBadRequest, "auth.token_team", "header", teamHeader)
	}
	var body struct {
		Team string `json:"team"`
	}
	if err := json.NewDecoder(io.LimitReader(c.Request().Body, 4<<10)).Decode(&body); err != nil || body.Team == "" {
		return apiError(http.StatusBadRequest, "auth.switch_body")
	}
	if err := h.accounts.SwitchTeam(c.Request().Context(), p, body.Team); err != nil {
		return err
	}
	return h.me(c)
}

// clientIP is the address sign-in attempts are counted by: the connection's own address, unless
// the server was told how to read a trusted proxy's header (Echo's IPExtractor). Trusting
// X-Forwarded-For by default would let anyone pick a new address for every attempt.
func clientIP(c echo.Context) string {
	if c.Echo().IPExtractor != nil {
		return c.RealIP()
	}
	return echo.ExtractIPDirect()(c.Request())
}
