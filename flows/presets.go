package flows

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"maps"
	"net/url"
	"path"
	"slices"
	"strings"
	"sync"
)

// Webhook trigger presets: what a known source system sends to a flow's webhook, and how a
// marketer sets that source up. The editor shows the parameter template to append to the webhook
// URL, the parameters that arrive and a short guide; tests and previews use SampleQuery.
//
// The presets live in presets/<id>.json, one file per preset. Facts come from the seeds and
// CONNECTORS.md:
//
//   - GetCourse: a process with the operation "Вызвать URL"; the data always arrives in the query
//     string, whatever method is chosen. The UTM variables {object.create_session.utm_*} are
//     unverified (seen only in third-party code).
//   - Klientiks: the per-event parameter strings of seed 001. The seed has two typos that the
//     presets fix rather than copy:
//     "Запись клиента на прием" writes appointment.time={{appointment_time}}; the preset sends
//     appointment_time={{appointment.time}} (key and variable were swapped);
//     "Визит клиента оплачен" writes appointment_status={appointment.status}} (one opening brace);
//     the preset sends appointment_status={{appointment.status}}.
//   - U-ON: sends r_id by itself (nothing to append to the URL); the flow then fetches the full
//     request from U-ON's API.
//   - Tilda: the form's fields are posted as form data under the names given in the form's
//     "Variable name" (Name, Phone, Email by default), with tranid and formid; right after the
//     webhook is connected Tilda posts test=test and expects 200 OK (help-ru.tilda.cc/formsscript),
//     declared as the preset's test_request.
//   - SMS Deliverer and generic: field names are not documented, so none are fixed; fields are
//     learned from test requests.

// PresetParam is one parameter a source sends.
type PresetParam struct {
	Key      string `json:"key"`                // name that arrives at our webhook (query/form key)
	Variable string `json:"variable,omitempty"` // what the source substitutes, e.g. "{object.email}" or "{{client.phone}}"
	Label    Text   `json:"label"`
	Example  string `json:"example,omitempty"`
}

// Preset describes a source system calling a flow's webhook.
type Preset struct {
	ID     string        `json:"id"`
	Source string        `json:"source"` // "GetCourse", "Klientiks", "U-ON", "SMS Deliverer", "" (any system)
	Title  Text          `json:"title"`
	Method string        `json:"method"` // how the source calls: "GET", "POST" or "ANY"
	Params []PresetParam `json:"params"`
	// TestRequest is the check the source sends when its webhook is connected (Tilda posts
	// test=test and wants 200 OK). hookflow answers it 200 and neither stores nor runs it; nil
	// when the source sends no such check.
	TestRequest *PresetTestRequest `json:"test_request,omitempty"`
	// Guide is the setup in the source system, step by step, in order. "{webhook_url}" stands for
	// the flow's webhook address; the editor substitutes it.
	Guide struct {
		En []string `json:"en"`
		Ru []string `json:"ru"`
	} `json:"guide"`
}

// PresetTestRequest is a source's connection check: a request whose params are exactly these.
type PresetTestRequest struct {
	Params map[string]string `json:"params"`
}

// IsTestRequest reports whether a request is the source's connection check: its params (query,
// form and top-level JSON together) are exactly the declared ones, nothing more. A real form
// that merely has a field called "test" is not a check.
func (p Preset) IsTestRequest(payload Payload) bool {
	if p.TestRequest == nil || len(p.TestRequest.Params) == 0 {
		return false
	}
	req, err := ParseRequest(payload)
	if err != nil {
		return false
	}
	params, _ := req["params"].(map[string]any)
	if len(params) != len(p.TestRequest.Params) {
		return false
	}
	for k, want := range p.TestRequest.Params {
		got, ok := params[k].(string)
		if !ok || got != want {
			return false
		}
	}
	return true
}

// presetURLPlaceholder is what a preset's guide writes where the flow's webhook address goes.
const presetURLPlaceholder = "{webhook_url}"

//go:embed presets/*.json
var presetFiles embed.FS

// presetOrder is the order of Presets(): by source, GetCourse first, the generic preset last.
// Every embedded file must be listed here and every entry must have a file.
var presetOrder = []string{
	"getcourse.user_created",
	"getcourse.order_created",
	"klientiks.client_added",
	"klientiks.appointment_created",
	"klientiks.invoice_created",
	"klientiks.visit_paid",
	"uon.request",
	"sms_deliverer",
	"tilda.form",
	"generic",
}

// loadPresets decodes the embedded files once. They are our own files, so a broken one is a
// programming error and panics with the file name.
var loadPresets = sync.OnceValue(func() []Preset {
	entries, err := presetFiles.ReadDir("presets")
	if err != nil {
		panic("flows: reading embedded presets: " + err.Error())
	}
	byID := make(map[string]Preset, len(entries))
	for _, e := range entries {
		name := "presets/" + e.Name()
		raw, err := presetFiles.ReadFile(name)
		if err != nil {
			panic(fmt.Sprintf("flows: reading embedded preset %s: %v", name, err))
		}
		var p Preset
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&p); err != nil {
			panic(fmt.Sprintf("flows: embedded preset %s is malformed: %v", name, err))
		}
		if dec.More() {
			panic(fmt.Sprintf("flows: embedded preset %s has data after the preset object", name))
		}
		if want := strings.TrimSuffix(path.Base(name), ".json"); p.ID != want {
			panic(fmt.Sprintf("flows: embedded preset %s has id %q; the id must match the file name", name, p.ID))
		}
		if !slices.Contains(presetOrder, p.ID) {
			panic(fmt.Sprintf("flows: embedded preset %s is missing from presetOrder", name))
		}
		if p.Params == nil {
			p.Params = []PresetParam{}
		}
		byID[p.ID] = p
	}
	out := make([]Preset, 0, len(presetOrder))
	for _, id := range presetOrder {
		p, ok := byID[id]
		if !ok {
			panic(fmt.Sprintf("flows: preset %q is listed in presetOrder but presets/%s.json is not embedded", id, id))
		}
		out = append(out, p)
	}
	return out
})

// clone returns a copy that shares no slices with the loaded presets.
func (p Preset) clone() Preset {
	p.Params = slices.Clone(p.Params)
	p.Guide.En = slices.Clone(p.Guide.En)
	p.Guide.Ru = slices.Clone(p.Guide.Ru)
	if p.TestRequest != nil {
		p.TestRequest = &PresetTestRequest{Params: maps.Clone(p.TestRequest.Params)}
	}
	return p
}

// Presets returns all presets in a stable order: GetCourse first, the generic preset last.
// The caller may modify the result.
func Presets() []Preset {
	all := loadPresets()
	out := make([]Preset, len(all))
	for i, p := range all {
		out[i] = p.clone()
	}
	return out
}

// PresetByID returns the preset with the given id.
func PresetByID(id string) (Preset, bool) {
	for _, p := range loadPresets() {
		if p.ID == id {
			return p.clone(), true
		}
	}
	return Preset{}, false
}

// URLTemplate returns what to append to the webhook URL, e.g.
// "?email={object.email}&phone={object.phone}": key=variable for every param that has a variable,
// in order, joined by "&". Variables are left as they are: the source substitutes them. It is ""
// when no param has a variable (the source sends its data by itself).
func (p Preset) URLTemplate() string {
	var b strings.Builder
	for _, pp := range p.Params {
		if pp.Variable == "" {
			continue
		}
		if b.Len() == 0 {
			b.WriteByte('?')
		} else {
			b.WriteByte('&')
		}
		b.WriteString(pp.Key)
		b.WriteByte('=')
		b.WriteString(pp.Variable)
	}
	return b.String()
}

// SampleQuery returns "key=example&…", URL-encoded and in order: a realistic test request for
// previews and tests. A param without an example is sent empty ("key=").
func (p Preset) SampleQuery() string {
	parts := make([]string, 0, len(p.Params))
	for _, pp := range p.Params {
		parts = append(parts, url.QueryEscape(pp.Key)+"="+url.QueryEscape(pp.Example))
	}
	return strings.Join(parts, "&")
}
