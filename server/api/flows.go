package api

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"

	"github.com/hookflow/hookflow/flows"
	"github.com/hookflow/hookflow/server/core"
	"github.com/labstack/echo/v4"
)

func readFlowInput(c echo.Context) (core.FlowInput, error) {
	data, err := io.ReadAll(io.LimitReader(c.Request().Body, flows.MaxDocumentBytes+1))
	if err != nil {
		return core.FlowInput{}, err
	}
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(data, &probe); err != nil {
		return core.FlowInput{}, apiError(http.StatusBadRequest, "flows.body")
	}
	in := core.FlowInput{Draft: c.QueryParam("draft") == "1" || c.QueryParam("draft") == "true"}
	docData := data
	if _, bare := probe["nodes"]; !bare {
		var body FlowBody
		if err := json.Unmarshal(data, &body); err != nil {
			return in, err
		}
		in.InputValues, in.Settings = body.InputValues, body.Settings
		docData = body.Document
	}
	if len(docData) > 0 && string(docData) != "null" {
		doc, err := flows.ParseFlow(docData)
		if err != nil {
			return in, err
		}
		in.Document = doc
	}
	return in, nil
}

func (h *handlers) listFlows(c echo.Context) error {
	list, err := h.app.Flows().List(c.Request().Context())
	return answer(c, http.StatusOK, map[string]any{"flows": list}, err)
}

func (h *handlers) createFlow(c echo.Context) error {
	in, err := readFlowInput(c)
	if err != nil {
		return err
	}
	return h.storeNewFlow(c, in)
}

// storeNewFlow creates a flow and answers it (201), naming it for the audit log.
func (h *handlers) storeNewFlow(c echo.Context, in core.FlowInput) error {
	v, err := h.app.Flows().Create(c.Request().Context(), in)
	if err != nil {
		return err
	}
	c.Set(createdFlowKey, v.ID)
	return c.JSON(http.StatusCreated, v)
}

// importFlow takes an exported flow or template file: template descriptions are dropped, and the
// flow starts stopped.
func (h *handlers) importFlow(c echo.Context) error {
	in, err := readFlowInput(c)
	if err != nil {
		return err
	}
	if in.Document != nil {
		delete(in.Document.Extra, "template")
	}
	return h.storeNewFlow(c, in)
}

// duplicateFlow copies a flow with its secret input values (see core.DuplicateFlow); the body
// {"name": "…"} is optional.
func (h *handlers) duplicateFlow(c echo.Context) error {
	var body struct {
		Name string `json:"name"`
	}
	if c.Request().ContentLength != 0 {
		if err := json.NewDecoder(io.LimitReader(c.Request().Body, 64<<10)).Decode(&body); err != nil && !errors.Is(err, io.EOF) {
			return apiError(http.StatusBadRequest, "flows.duplicate_body")
		}
	}
	v, err := h.app.Flows().Duplicate(c.Request().Context(), c.Param("id"), body.Name)
	return answer(c, http.StatusCreated, v, err)
}

func (h *handlers) getFlow(c echo.Context) error {
	v, err := h.app.Flows().Get(c.Request().Context(), c.Param("id"))
	return answer(c, http.StatusOK, v, err)
}

func (h *handlers) updateFlow(c echo.Context) error {
	in, err := readFlowInput(c)
	if err != nil {
		return err
	}
	v, err := h.app.Flows().Update(c.Request().Context(), c.Param("id"), in)
	return answer(c, http.StatusOK, v, err)
}

func (h *handlers) deleteFlow(c echo.Context) error {
	if err := h.app.Flows().Delete(c.Request().Context(), c.Param("id")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (h *handlers) startFlow(c echo.Context) error { return h.setActive(c, true) }
func (h *handlers) stopFlow(c echo.Context) error  { return h.setActive(c, false) }

func (h *handlers) setActive(c echo.Context, active bool) error {
	v, err := h.app.Flows().SetActive(c.Request().Context(), c.Param("id"), active)
	return answer(c, http.StatusOK, v, err)
}

func (h *handlers) listVersions(c echo.Context) error {
	list, err := h.app.Flows().Versions(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	out := make([]VersionView, len(list))
	for i, v := range list {
		out[i] = VersionView{v.Version, v.CreatedAt.UTC().Format("2006-01-02T15:04:05Z")}
	}
	return c.JSON(http.StatusOK, map[string]any{"versions": out})
}

func versionParam(c echo.Context) (int, error) {
	n, err := strconv.Atoi(c.Param("version"))
	if err != nil || n < 1 {
		return 0, apiError(http.StatusBadRequest, "flows.version")
	}
	return n, nil
}

func (h *handlers) getVersion(c echo.Context) error {
	n, err := versionParam(c)
	if err != nil {
		return err
	}
	doc, err := h.app.Flows().VersionDocument(c.Request().Context(), c.Param("id"), n)
	if err != nil {
		return err
	}
	return c.JSONBlob(http.StatusOK, []byte(`{"version":`+strconv.Itoa(n)+`,"document":`+doc+`}`))
}

func (h *handlers) restoreVersion(c echo.Context) error {
	n, err := versionParam(c)
	if err != nil {
		return err
	}
	v, err := h.app.Flows().RestoreVersion(c.Request().Context(), c.Param("id"), n)
	return answer(c, http.StatusOK, v, err)
}

// exportFlow downloads the flow document (input values are not part of it).
func (h *handlers) exportFlow(c echo.Context) error {
	v, err := h.app.Flows().Get(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	c.Response().Header().Set("Content-Disposition", `attachment; filename="`+fileName(v.Name)+`.json"`)
	return c.JSONPretty(http.StatusOK, v.Document, "  ")
}

func (h *handlers) exportTemplate(c echo.Context) error {
	doc, err := h.app.Flows().ExportTemplate(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	c.Response().Header().Set("Content-Disposition", `attachment; filename="`+fileName(doc.Name)+`.template.json"`)
	return c.JSONPretty(http.StatusOK, doc, "  ")
}

func fileName(s string) string {
	out := make([]rune, 0, len(s))
	for _, r := range s {
		if r == '"' || r == '/' || r == '\\' || r < ' ' {
			r = '_'
		}
		out = append(out, r)
	}
	return string(out)
}

// testBody is POST /api/flows/{id}/test: a payload, and optionally the editor's unsaved document.
type testBody struct {
	Payload  *flows.Payload  `json:"payload"`
	Document json.RawMessage `json:"document"`
}

func (h *handlers) testFlow(c echo.Context) error {
	var body testBody
	if err := json.NewDecoder(io.LimitReader(c.Request().Body, flows.MaxDocumentBytes+1)).Decode(&body); err != nil {
		return apiError(http.StatusBadRequest, "flows.test_body")
	}
	if body.Payload == nil {
		return apiError(http.StatusBadRequest, "flows.test_no_payload")
	}
	var doc *flows.Flow
	if len(body.Document) > 0 && string(body.Document) != "null" {
		var err error
		if doc, err = flows.ParseFlow(body.Document); err != nil {
			return err
		}
	}
	run, trace, err := h.app.TestFlow(c.Request().Context(), c.Param("id"), *body.Payload, doc)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, TestView{RunID: run.ID, Trace: trace})
}

func (h *handlers) samples(c echo.Context) error {
	limit, _ := strconv.Atoi(c.QueryParam("limit"))
	samples, learned, err := h.app.Flows().Samples(c.Request().Context(), c.Param("id"), limit)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, SamplesView{Fields: learned, Samples: samples})
}

func (h *handlers) live(c echo.Context) error {
	if err := h.app.Flows().Exists(c.Request().Context(), c.Param("id")); err != nil {
		return err
	}
	if h.app.Hub() == nil {
		return apiError(http.StatusServiceUnavailable, "live.unavailable")
	}
	user := principal(c).User.ID
	if !h.liveLogs.acquire(user) {
		return apiError(http.StatusTooManyRequests, "live.too_many", "max", strconv.Itoa(maxLivePerUser))
	}
	defer h.liveLogs.release(user)
	return h.app.Hub().Serve(c.Response(), c.Request(), c.Param("id"))
}
