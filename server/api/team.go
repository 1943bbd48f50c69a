package api

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"

	"github.com/hookflow/hookflow/server/auth"
	"github.com/hookflow/hookflow/server/live"
	"github.com/hookflow/hookflow/server/store"
	"github.com/labstack/echo/v4"
)

func (h *handlers) listMembers(c echo.Context) error {
	list, err := h.app.Teams().Members(c.Request().Context(), principal(c).TeamID)
	return listed(c, "members", list, err, func(m store.MemberInfo) MemberView {
		return MemberView{m.UserID, m.Email, m.Name, m.Role, m.CreatedAt}
	})
}

func readRole(c echo.Context) (string, error) {
	var body struct {
		Role string `json:"role"`
	}
	if err := json.NewDecoder(io.LimitReader(c.Request().Body, 4<<10)).Decode(&body); err != nil || store.RoleRank(body.Role) == 0 {
		return "", apiError(http.StatusBadRequest, "team.role_body")
	}
	return body.Role, nil
}

func memberError(err error) error { return refused(err, memberRefusals) }

var memberRefusals = []refusal{
	{store.ErrLastOwner, http.StatusConflict, "team.last_owner"},
	// Another owner changed the caller's own role a moment before this request.
	{store.ErrNotOwner, http.StatusForbidden, "team.not_owner"},
}

func (h *handlers) setMemberRole(c echo.Context) error {
	role, err := readRole(c)
	if err != nil {
		return err
	}
	p := principal(c)
	if err := h.app.Teams().SetMemberRole(c.Request().Context(), p.TeamID, p.User.ID, c.Param("user"), role); err != nil {
		return memberError(err)
	}
	h.record(c, p, "member.role", "user", c.Param("user"), role)
	return h.listMembers(c)
}

func (h *handlers) removeMember(c echo.Context) error {
	p := principal(c)
	if err := h.app.Teams().RemoveMember(c.Request().Context(), p.TeamID, p.User.ID, c.Param("user")); err != nil {
		return memberError(err)
	}
	h.disconnect(live.Watcher{Team: p.TeamID, User: c.Param("user")}, live.CloseNoAccess, "live: you are no longer a member of this team")
	h.record(c, p, "member.remove", "user", c.Param("user"), "")
	return c.NoContent(http.StatusNoContent)
}

func (h *handlers) listInvitations(c echo.Context) error {
	list, err := h.app.Teams().Invitations(c.Request().Context(), principal(c).TeamID)
	return listed(c, "invitations", list, err, func(inv store.Invitation) InvitationView {
		return InvitationView{ID: inv.ID, Role: inv.Role, ExpiresAt: inv.ExpiresAt, CreatedAt: inv.CreatedAt}
	})
}

func (h *handlers) createInvitation(c echo.Context) error {
	role, err := readRole(c)
	if err != nil {
		return err
	}
	p := principal(c)
	token, inv, err := h.accounts.CreateInvitation(c.Request().Context(), p.TeamID, p.User.ID, role)
	if err != nil {
		return accountError(err)
	}
	h.record(c, p, "invitation.create", "invitation", inv.ID, role)
	url := strings.TrimRight(h.app.Config().PublicURL, "/") + "/#/invite/" + token
	return c.JSON(http.StatusCreated, InvitationView{ID: inv.ID, Role: inv.Role, Token: token, URL: url, ExpiresAt: inv.ExpiresAt, CreatedAt: inv.CreatedAt})
}

func (h *handlers) deleteInvitation(c echo.Context) error {
	p := principal(c)
	if err := h.app.Teams().DeleteInvitation(c.Request().Context(), p.TeamID, c.Param("invitation")); err != nil {
		return err
	}
	h.record(c, p, "invitation.delete", "invitation", c.Param("invitation"), "")
	return c.NoContent(http.StatusNoContent)
}

// invitationInfo is GET /api/auth/invitations/{token}, public: what the invitation page shows
// before the person signs up or in.
func (h *handlers) invitationInfo(c echo.Context) error {
	inv, team, err := h.accounts.Invitation(c.Request().Context(), c.Param("token"))
	if err != nil {
		return accountError(err)
	}
	return c.JSON(http.StatusOK, map[string]any{"team": team.Name, "role": inv.Role, "expires_at": inv.ExpiresAt})
}

// acceptInvitation lets a signed-in user (who has an account already) join the team.
func (h *handlers) acceptInvitation(c echo.Context) error {
	p := principal(c)
	inv, err := h.accounts.AcceptInvitation(c.Request().Context(), c.Param("token"), p.User)
	if err != nil {
		return accountError(err)
	}
	p.TeamID = inv.TeamID
	if m, err := h.app.Teams().Member(c.Request().Context(), inv.TeamID, p.User.ID); err == nil {
		p.Role = m.Role
	}
	if p.Session != nil {
		if err := h.app.Teams().SetSessionTeam(c.Request().Context(), p.Session.ID, inv.TeamID); err != nil {
			return err
		}
	}
	h.record(c, p, "member.join", "user", p.User.ID, inv.Role)
	return h.me(c)
}

// createTeam is POST /api/teams {name}: a new team owned by the caller. The session stays in its
// current team until POST /api/auth/team switches.
func (h *handlers) createTeam(c echo.Context) error {
	var body struct {
		Name string `json:"name"`
	}
	_ = json.NewDecoder(io.LimitReader(c.Request().Body, 4<<10)).Decode(&body)
	name := strings.TrimSpace(body.Name)
	if name == "" || len(name) > 200 {
		return &Error{Status: http.StatusUnprocessableEntity, Message: "give the team a name (up to 200 characters)",
			Details: []map[string]string{{"field": "name", "message": "give the team a name (up to 200 characters)"}}}
	}
	p := principal(c)
	t := &store.Team{ID: store.NewID(), Name: name}
	if err := h.app.Teams().CreateTeam(c.Request().Context(), t, p.User.ID); err != nil {
		return err
	}
	h.record(c, &auth.Principal{User: p.User, TeamID: t.ID}, "team.create", "team", t.ID, name)
	return c.JSON(http.StatusCreated, TeamView{ID: t.ID, Name: t.Name, Role: store.RoleOwner})
}
