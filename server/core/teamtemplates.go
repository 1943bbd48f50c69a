package core

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/hookflow/hookflow/flows"
	"github.com/hookflow/hookflow/server/store"
)

// PromotedValue is a value of a node's config that becomes a template input when a flow is saved
// as a template: the config gets {{inputs.<key>}} and the input gets the value as its default.
type PromotedValue struct {
	Node  string `json:"node"`
	Field string `json:"field"` // path in the node's config: "url", "headers.1.value", "fields.0.value"
	Key   string `json:"key"`
	Label string `json:"label,omitempty"`
}

// TemplateRequest is "save as template".
type TemplateRequest struct {
	Name        string          `json:"name"`
	Description string          `json:"description"`
	Inputs      []PromotedValue `json:"inputs"`
}

var inputKey = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// SaveAsTemplate turns a flow into a template of its team. The chosen values become inputs with
// their current values as defaults; secret inputs and secret HTTP header values always become
// inputs, and their values never enter the template.
func (s *Flows) SaveAsTemplate(ctx context.Context, flowID string, req TemplateRequest, by string) (*store.TeamTemplate, error) {
	f, err := s.store.Flow(ctx, flowID)
	if err != nil {
		return nil, err
	}
	doc, err := s.ExportTemplate(ctx, flowID)
	if err != nil {
		return nil, err
	}
	name := strings.TrimSpace(req.Name)
	if name == "" {
		name = doc.Name
	}
	var problems flows.Problems
	have := map[string]bool{}
	for _, in := range doc.Inputs {
		have[in.Key] = true
	}
	for _, p := range req.Inputs {
		where := fmt.Sprintf("value %s of step '%s'", p.Field, p.Node)
		if !inputKey.MatchString(p.Key) || have[p.Key] {
			problems = append(problems, flows.Problem{Code: "template.input_key", Node: p.Node, Field: p.Field,
				Message: fmt.Sprintf("%s: the input name %q must be letters, digits and _ and not used twice", where, p.Key)})
			continue
		}
		old, ok := setConfigString(doc, p.Node, p.Field, "{{inputs."+p.Key+"}}")
		if !ok {
			problems = append(problems, flows.Problem{Code: "template.input_field", Node: p.Node, Field: p.Field,
				Message: where + ": there is no such text value in the flow"})
			continue
		}
		have[p.Key] = true
		label := p.Label
		if label == "" {
			label = p.Key
		}
		in := flows.Input{Key: p.Key, Label: label, Default: old}
		if isSecretHeader(f, p.Node, p.Field) {
			in.Default, in.Secret, in.Required = "", true, true // a secret is never a default
		}
		doc.Inputs = append(doc.Inputs, in)
	}
	if len(problems) > 0 {
		return nil, &InvalidError{Problems: problems}
	}
	secretHeadersToInputs(doc, have)
	id := store.NewID()
	meta := map[string]any{"id": id, "title": flows.Same(name)}
	if d := strings.TrimSpace(req.Description); d != "" {
		meta["description"] = flows.Same(d)
	}
	doc.Extra["template"] = json.RawMessage(mustJSON(meta))
	t := &store.TeamTemplate{ID: id, TeamID: f.TeamID, Name: name, Document: mustJSON(doc), CreatedBy: by}
	if err := s.store.CreateTeamTemplate(ctx, t); err != nil {
		return nil, err
	}
	return t, nil
}

// ImportTemplate stores a template file (from another team or instance) in the team of ctx. A
// secret that came with it anyway is dropped.
func (s *Flows) ImportTemplate(ctx context.Context, doc *flows.Flow, by string) (*store.TeamTemplate, error) {
	if ps := flows.Validate(doc, func(string) (string, bool) { return "x", true }); len(ps) > 0 {
		return nil, &InvalidError{Problems: ps}
	}
	for i := range doc.Inputs {
		if doc.Inputs[i].Secret {
			doc.Inputs[i].Default = ""
		}
	}
	have := map[string]bool{}
	for _, in := range doc.Inputs {
		have[in.Key] = true
	}
	secretHeadersToInputs(doc, have)
	var meta map[string]any
	if raw, ok := doc.Extra["template"]; ok {
		_ = json.Unmarshal(raw, &meta)
	}
	if meta == nil {
		meta = map[string]any{"title": flows.Same(doc.Name)}
	}
	id := store.NewID()
	meta["id"] = id
	if doc.Extra == nil {
		doc.Extra = map[string]json.RawMessage{}
	}
	doc.Extra["template"] = json.RawMessage(mustJSON(meta))
	t := &store.TeamTemplate{ID: id, TeamID: TeamOf(ctx), Name: flowName(doc), Document: mustJSON(doc), CreatedBy: by}
	if err := s.store.CreateTeamTemplate(ctx, t); err != nil {
		return nil, err
	}
	return t, nil
}

// secretHeadersToInputs replaces each value of a row marked secret (an HTTP step's headers:
// flows.SecretRowLists) that is not already an input reference with a new secret input, so the
// value stays with the flow and out of the template.
func secretHeadersToInputs(doc *flows.Flow, have map[string]bool) {
	for ni, n := range doc.Nodes {
		lists := flows.SecretRowLists(n.Kind)
		if len(lists) == 0 || len(n.Config) == 0 {
			continue
		}
		var cfg map[string]any
		if json.Unmarshal(n.Config, &cfg) != nil {
			continue
		}
		var rows []any
		for _, list := range lists {
			r, _ := cfg[list].([]any)
			rows = append(rows, r...)
		}
		changed := false
		for _, h := range rows {
			hm, _ := h.(map[string]any)
			if secret, _ := hm["secret"].(bool); !secret {
				continue
			}
			v, _ := hm["value"].(string)
			if strings.HasPrefix(strings.TrimSpace(v), "{{inputs.") {
				continue
			}
			name, _ := hm["key"].(string)
			key := uniqueKey(slugKey(n.ID+"_"+name), have)
			hm["value"] = "{{inputs." + key + "}}"
			doc.Inputs = append(doc.Inputs, flows.Input{Key: key, Label: name + " (" + n.ID + ")", Secret: true, Required: true})
			changed = true
		}
		if changed {
			doc.Nodes[ni].Config = json.RawMessage(mustJSON(cfg))
		}
	}
}

func slugKey(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	out := b.String()
	if out == "" || out[0] >= '0' && out[0] <= '9' {
		out = "h_" + out
	}
	return out
}

func uniqueKey(k string, have map[string]bool) string {
	out := k
	for i := 2; have[out]; i++ {
		out = k + "_" + strconv.Itoa(i)
	}
	have[out] = true
	return out
}

// setConfigString sets the text at a dotted path of a node's config and returns the old text.
func setConfigString(doc *flows.Flow, nodeID, field, value string) (string, bool) {
	for i, n := range doc.Nodes {
		if n.ID != nodeID {
			continue
		}
		var cfg any
		if len(n.Config) == 0 || json.Unmarshal(n.Config, &cfg) != nil {
			return "", false
		}
		parts := strings.Split(field, ".")
		cur := cfg
		for _, p := range parts[:len(parts)-1] {
			switch c := cur.(type) {
			case map[string]any:
				cur = c[p]
			case []any:
				idx, err := strconv.Atoi(p)
				if err != nil || idx < 0 || idx >= len(c) {
					return "", false
				}
				cur = c[idx]
			default:
				return "", false
			}
		}
		last := parts[len(parts)-1]
		var old string
		var ok bool
		switch c := cur.(type) {
		case map[string]any:
			if old, ok = c[last].(string); ok {
				c[last] = value
			}
		case []any:
			idx, err := strconv.Atoi(last)
			if err == nil && idx >= 0 && idx < len(c) {
				if old, ok = c[idx].(string); ok {
					c[idx] = value
				}
			}
		}
		if !ok {
			return "", false
		}
		doc.Nodes[i].Config = json.RawMessage(mustJSON(cfg))
		return old, true
	}
	return "", false
}

// isSecretHeader reports whether field is the value of an HTTP header marked secret in the
// stored flow.
func isSecretHeader(f *store.Flow, nodeID, field string) bool {
	parts := strings.Split(field, ".")
	if len(parts) != 3 || parts[0] != "headers" || parts[2] != "value" {
		return false
	}
	doc, err := flows.ParseFlow([]byte(f.Document))
	if err != nil {
		return false
	}
	idx, err := strconv.Atoi(parts[1])
	if err != nil {
		return false
	}
	for _, n := range doc.Nodes {
		if n.ID != nodeID || n.Kind != "http" {
			continue
		}
		var cfg struct {
			Headers []struct {
				Secret bool `json:"secret"`
			} `json:"headers"`
		}
		if json.Unmarshal(n.Config, &cfg) != nil || idx < 0 || idx >= len(cfg.Headers) {
			return false
		}
		return cfg.Headers[idx].Secret
	}
	return false
}
