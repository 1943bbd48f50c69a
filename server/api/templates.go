package api

import (
	"encoding/json"
	"net/http"

	"github.com/hookflow/hookflow/flows"
	"github.com/labstack/echo/v4"
)

// TemplateView is a template in the gallery: its flow, its inputs, and the source's setup guide.
// The editor's types are generated from it (make types); the handlers call it templateView.
type TemplateView struct {
	flows.FlowTemplate `tstype:",extends"`

	Team        bool          `json:"team,omitempty"` // saved by the team (not built in)
	Preset      *flows.Preset `json:"preset,omitempty"`
	URLTemplate string        `json:"url_template,omitempty"`
}

type templateView = TemplateView

// PresetView is a source in the presets list: the preset with its webhook address template and a
// sample query built from its parameters.
type PresetView struct {
	flows.Preset `tstype:",extends"`
	URLTemplate  string `json:"url_template"`
	SampleQuery  string `json:"sample_query"`
}

func (h *handlers) listTemplates(c echo.Context) error {
	list := flows.Templates()
	out := make([]templateView, len(list))
	for i, t := range list {
		out[i] = templateView{FlowTemplate: t}
		if p, ok := t.Preset(); ok {
			out[i].Preset, out[i].URLTemplate = &p, p.URLTemplate()
		}
	}
	team, err := h.teamTemplates(c)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"templates": append(team, out...)})
}

func (h *handlers) instantiate(c echo.Context) error {
	tpl, err := h.template(c, c.Param("id"))
	if err != nil {
		return err
	}
	var body struct {
		Name   string            `json:"name"`
		Inputs map[string]string `json:"inputs"`
	}
	if err := json.NewDecoder(c.Request().Body).Decode(&body); err != nil {
		return apiError(http.StatusBadRequest, "templates.use_body")
	}
	v, err := h.app.Flows().Instantiate(c.Request().Context(), tpl.In(langOf(c.Request())), body.Name, body.Inputs)
	if err != nil {
		return err
	}
	c.Set(createdFlowKey, v.ID)
	return c.JSON(http.StatusCreated, v)
}

func (h *handlers) kinds(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]any{"kinds": flows.Kinds()})
}

func (h *handlers) presets(c echo.Context) error {
	return listed(c, "presets", flows.Presets(), nil, func(p flows.Preset) PresetView {
		return PresetView{p, p.URLTemplate(), p.SampleQuery()}
	})
}
