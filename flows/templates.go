package flows

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"path"
	"sort"
	"sync"
)

// The built-in flow templates: one per integration in the seeds, each a complete flow whose
// settings (API keys, offer ids) are declared inputs.

//go:embed templates/*.json
var templateFiles embed.FS

// FlowTemplate is a ready flow to start from.
type FlowTemplate struct {
	ID          string `json:"id"`
	Source      string `json:"source"`
	Target      string `json:"target"`
	Title       Text   `json:"title"`
	Description Text   `json:"description"`
	Flow        *Flow  `json:"flow" tstype:"FlowDocument,required"`

	// Guide is the setup on the target's side (where to get the key, the chat id), step by
	// step in en and ru; the source's side is its preset's guide.
	Guide *TemplateGuide `json:"guide,omitempty"`
}

// In is the template as a flow made in lang: its steps' names and its inputs' labels come from
// their "name_ru", "label_ru" and "description_ru" members when lang is ru (a Russian user
// gets a flow in Russian; the English stays in the file for everyone else).
func (t FlowTemplate) In(lang string) FlowTemplate {
	if lang != "ru" || t.Flow == nil {
		return t
	}
	f := *t.Flow
	f.Nodes = append([]Node(nil), f.Nodes...)
	for i := range f.Nodes {
		if s := extraString(f.Nodes[i].Extra, "name_ru"); s != "" {
			f.Nodes[i].Name = s
		}
		f.Nodes[i].Config = labelsIn(f.Nodes[i].Config, "ru")
	}
	f.Inputs = append([]Input(nil), f.Inputs...)
	for i := range f.Inputs {
		if s := extraString(f.Inputs[i].Extra, "label_ru"); s != "" {
			f.Inputs[i].Label = s
		}
		if s := extraString(f.Inputs[i].Extra, "description_ru"); s != "" {
			f.Inputs[i].Description = s
		}
	}
	t.Flow = &f
	return t
}

// labelsIn gives every object of a step's settings that has a "label_<lang>" member (the fields a
// trigger declares) that label; settings without one come back as they are.
func labelsIn(config json.RawMessage, lang string) json.RawMessage {
	if !bytes.Contains(config, []byte(`"label_`+lang+`"`)) {
		return config
	}
	var v any
	if json.Unmarshal(config, &v) != nil {
		return config
	}
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if s, ok := x["label_"+lang].(string); ok && s != "" {
				x["label"] = s
			}
			for _, m := range x {
				walk(m)
			}
		case []any:
			for _, m := range x {
				walk(m)
			}
		}
	}
	walk(v)
	out, err := json.Marshal(v)
	if err != nil {
		return config
	}
	return out
}

func extraString(extra map[string]json.RawMessage, key string) string {
	var s string
	if raw, ok := extra[key]; ok {
		_ = json.Unmarshal(raw, &s)
	}
	return s
}

// templateMeta is the "template" member of a template's flow document.
type templateMeta struct {
	ID          string `json:"id"`
	Source      string `json:"source"`
	Target      string `json:"target"`
	Title       Text   `json:"title"`
	Description Text   `json:"description"`

	Guide *TemplateGuide `json:"guide,omitempty"`
}

// TemplateGuide is a template's own setup steps.
type TemplateGuide struct {
	En []string `json:"en"`
	Ru []string `json:"ru"`
}

var builtinTemplates = sync.OnceValue(func() []FlowTemplate {
	entries, err := templateFiles.ReadDir("templates")
	if err != nil {
		panic(err)
	}
	var out []FlowTemplate
	for _, e := range entries {
		data, err := templateFiles.ReadFile(path.Join("templates", e.Name()))
		if err != nil {
			panic(err)
		}
		t, err := ParseTemplateDocument(data)
		if err != nil {
			panic(fmt.Sprintf("flows: built-in template %s: %v", e.Name(), err))
		}
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
})

// ParseTemplateDocument reads a flow document that carries a "template" description.
func ParseTemplateDocument(data []byte) (FlowTemplate, error) {
	f, err := ParseFlow(data)
	if err != nil {
		return FlowTemplate{}, err
	}
	var meta templateMeta
	if raw, ok := f.Extra["template"]; ok {
		if err := json.Unmarshal(raw, &meta); err != nil {
			return FlowTemplate{}, fmt.Errorf("the template description cannot be read: %w", err)
		}
	}
	if meta.ID == "" {
		return FlowTemplate{}, fmt.Errorf("the document has no template id")
	}
	return FlowTemplate{ID: meta.ID, Source: meta.Source, Target: meta.Target, Title: meta.Title, Description: meta.Description, Guide: meta.Guide, Flow: f}, nil
}

// Templates returns the built-in templates by id. Each call returns fresh copies of the flows,
// so callers may change them.
func Templates() []FlowTemplate {
	list := builtinTemplates()
	out := make([]FlowTemplate, len(list))
	for i, t := range list {
		out[i] = t
		out[i].Flow = t.Flow.Clone()
	}
	return out
}

// TemplateByID returns one built-in template.
func TemplateByID(id string) (FlowTemplate, bool) {
	for _, t := range Templates() {
		if t.ID == id {
			return t, true
		}
	}
	return FlowTemplate{}, false
}

// Preset returns the trigger preset of the template's flow, whose guide tells what to set up
// in the source system.
func (t FlowTemplate) Preset() (Preset, bool) { return t.Flow.TriggerPreset() }

// TriggerPreset returns the preset chosen on the flow's webhook trigger: which source calls the
// flow, and so which connection check (TestRequest) the webhook answers without running.
func (f *Flow) TriggerPreset() (Preset, bool) {
	for _, n := range f.Nodes {
		if n.Kind != "webhook" {
			continue
		}
		var cfg webhookConfig
		if json.Unmarshal(n.Config, &cfg) == nil {
			return PresetByID(cfg.Preset)
		}
	}
	return Preset{}, false
}

// Clone returns a deep copy of the flow.
func (f *Flow) Clone() *Flow {
	data, err := json.Marshal(f)
	if err != nil {
		panic(err) // a decoded flow always encodes
	}
	var c Flow
	if err := json.Unmarshal(data, &c); err != nil {
		panic(err)
	}
	return &c
}
