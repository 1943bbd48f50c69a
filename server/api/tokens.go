package api

import (
	"encoding/json"
	"io"
	"net/http"

	"github.com/hookflow/hookflow/server/live"
	"github.com/hookflow/hookflow/server/store"
	"github.com/labstack/echo/v4"
)

// listTokens lists the caller's own API tokens in the current team.
func (h *handlers) listTokens(c echo.Context) error {
	p := principal(c)
	list, err := h.app.Teams().APITokens(c.Request().Context(), p.TeamID, p.User.ID)
	return listed(c, "tokens", list, err, func(t store.APIToken) TokenView {
		return TokenView{ID: t.ID, Name: t.Name, Prefix: t.Prefix, CreatedAt: t.CreatedAt, LastUsedAt: t.LastUsedAt}
	})
}

func (h *handlers) createToken(c echo.Context) error {
	var body struct {
		Name string `json:"name"`
	}
	if err := json.NewDecoder(io.LimitReader(c.Request().Body, 4<<10)).Decode(&body); err != nil {
		return apiError(http.StatusBadRequest, "tokens.body")
	}
	p := principal(c)
	token, t, err := h.accounts.CreateAPIToken(c.Request().Context(), p.TeamID, p.User.ID, body.Name)
	if err != nil {
		return accountError(err)
	}
	h.record(c, p, "token.create", "token", t.ID, t.Name)
	return c.JSON(http.StatusCreated, TokenView{ID: t.ID, Name: t.Name, Prefix: t.Prefix, Token: token, CreatedAt: t.CreatedAt})
}

// revokeToken revokes one of the caller's tokens; it stops working with the next request.
func (h *handlers) revokeToken(c echo.Context) error {
	p := principal(c)
	if err := h.app.Teams().RevokeAPIToken(c.Request().Context(), p.TeamID, p.User.ID, c.Param("token")); err != nil {
		return err
	}
	h.disconnect(live.Watcher{Token: c.Param("token")}, live.CloseSignedOut, "live: this API token was revoked")
	h.record(c, p, "token.revoke", "token", c.Param("token"), "")
	return c.NoContent(http.StatusNoContent)
}
