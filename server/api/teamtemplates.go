package api

import (
	"encoding/json"
	"io"
	"net/http"

	"github.com/hookflow/hookflow/flows"
	"github.com/hookflow/hookflow/server/core"
	"github.com/hookflow/hookflow/server/store"
	"github.com/labstack/echo/v4"
)

// teamTemplates lists the current team's templates for the gallery, newest first.
func (h *handlers) teamTemplates(c echo.Context) ([]templateView, error) {
	list, err := h.app.Teams().Templates(c.Request().Context(), principal(c).TeamID)
	if err != nil {
		return nil, err
	}
	out := make([]templateView, 0, len(list))
	for _, t := range list {
		tpl, err := flows.ParseTemplateDocument([]byte(t.Document))
		if err != nil {
			h.log.Warn("unreadable team template", "id", t.ID, "err", err)
			continue
		}
		v := templateView{FlowTemplate: tpl, Team: true}
		if p, ok := tpl.Preset(); ok {
			v.Preset, v.URLTemplate = &p, p.URLTemplate()
		}
		out = append(out, v)
	}
	return out, nil
}

// template returns the built-in template or else the current team's of that id (404 for any
// other id).
func (h *handlers) template(c echo.Context, id string) (flows.FlowTemplate, error) {
	if tpl, ok := flows.TemplateByID(id); ok {
		return tpl, nil
	}
	t, err := h.app.Teams().Template(c.Request().Context(), principal(c).TeamID, id)
	if err != nil {
		if core.IsNotFound(err) {
			return flows.FlowTemplate{}, apiError(http.StatusNotFound, "templates.not_found")
		}
		return flows.FlowTemplate{}, err
	}
	return flows.ParseTemplateDocument([]byte(t.Document))
}

// saveTemplate is POST /api/flows/{id}/save-template {name, description, inputs: [{node, field,
// key, label}]}: the flow becomes a template of its team.
func (h *handlers) saveTemplate(c echo.Context) error {
	var req core.TemplateRequest
	if err := json.NewDecoder(io.LimitReader(c.Request().Body, 64<<10)).Decode(&req); err != nil {
		return apiError(http.StatusBadRequest, "templates.save_body")
	}
	p := principal(c)
	t, err := h.app.Flows().SaveAsTemplate(c.Request().Context(), c.Param("id"), req, p.User.ID)
	if err != nil {
		return err
	}
	h.record(c, p, "template.create", "template", t.ID, t.Name)
	return h.templateCreated(c, t)
}

func (h *handlers) templateCreated(c echo.Context, t *store.TeamTemplate) error {
	tpl, err := flows.ParseTemplateDocument([]byte(t.Document))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, templateView{FlowTemplate: tpl, Team: true})
}

// exportTemplateFile downloads a template (the team's or a built-in one) as a file to import
// elsewhere. Team templates never hold secret values, so the file does not either.
func (h *handlers) exportTemplateFile(c echo.Context) error {
	tpl, err := h.template(c, c.Param("id"))
	if err != nil {
		return err
	}
	c.Response().Header().Set("Content-Disposition", `attachment; filename="`+fileName(tpl.Flow.Name)+`.template.json"`)
	return c.JSONPretty(http.StatusOK, tpl.Flow, "  ")
}

// importTemplate is POST /api/templates/import {template file}: a template from another team or
// instance joins this team's library.
func (h *handlers) importTemplate(c echo.Context) error {
	data, err := io.ReadAll(io.LimitReader(c.Request().Body, flows.MaxDocumentBytes+1))
	if err != nil {
		return err
	}
	doc, err := flows.ParseFlow(data)
	if err != nil {
		return err
	}
	p := principal(c)
	t, err := h.app.Flows().ImportTemplate(c.Request().Context(), doc, p.User.ID)
	if err != nil {
		return err
	}
	h.record(c, p, "template.import", "template", t.ID, t.Name)
	return h.templateCreated(c, t)
}

func (h *handlers) deleteTemplate(c echo.Context) error {
	p := principal(c)
	if err := h.app.Teams().DeleteTemplate(c.Request().Context(), p.TeamID, c.Param("id")); err != nil {
		if core.IsNotFound(err) {
			return apiError(http.StatusNotFound, "templates.team_not_found")
		}
		return err
	}
	h.record(c, p, "template.delete", "template", c.Param("id"), "")
	return c.NoContent(http.StatusNoContent)
}
