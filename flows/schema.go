package flows

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Field describes one config field of a node kind. The editor builds its form from these, the
// validator checks required values and options, and JSONSchema exports them.
//
//tygo:emit /** A field's type: one of the Field… constants. */
//tygo:emit export type FieldType = typeof FieldString | typeof FieldText | typeof FieldCode | typeof FieldNumber | typeof FieldBool | typeof FieldSelect | typeof FieldList | typeof FieldObject | typeof FieldRules;
type Field struct {
	Key      string `json:"key"`
	Type     string `json:"type" tstype:"FieldType"` // string, text, code, number, bool, select, list, object, rules
	Label    Text   `json:"label"`
	Help     Text   `json:"help,omitempty"`
	Required bool   `json:"required,omitempty"`
	Template bool   `json:"template,omitempty"` // accepts {{…}} references
	Secret   bool   `json:"secret,omitempty"`
	// Path marks a field holding a path inside what the step reads (json_parse's field paths):
	// the editor then writes, on a click on a value of the step's input, where that value sits
	// (request[0].client_phone) rather than a {{reference}}.
	Path    bool     `json:"path,omitempty"`
	Options []string `json:"options,omitempty"` // for select
	// OptionLabels names a select's options in the user's words (the stored value stays the
	// option itself); an option without a label is shown as it is (HTTP methods).
	OptionLabels map[string]Text `json:"option_labels,omitempty"`
	Default      any             `json:"default,omitempty"`
	Min          *float64        `json:"min,omitempty"`
	Max          *float64        `json:"max,omitempty"`
	Fields       []Field         `json:"fields,omitempty"` // row fields of a list or rules, members of an object
	// Rules only: the keys of the sibling fields the rules editor shows as part of itself — the
	// "all/any" select and the JavaScript expression that is the rules' advanced alternative.
	Match      string `json:"match,omitempty"`
	Expression string `json:"expression,omitempty"`
}

// Field types.
const (
	FieldString = "string"
	FieldText   = "text"
	FieldCode   = "code"
	FieldNumber = "number"
	FieldBool   = "bool"
	FieldSelect = "select"
	FieldList   = "list"
	FieldObject = "object"
	// FieldRules is a list of rule rows (left · op · right, see rules.go): the editor shows them as
	// rows with menus, together with the Match and Expression siblings the field names.
	FieldRules = "rules"
)

func bound(v float64) *float64 { return &v }

// checkFields walks a decoded config by its schema and reports empty required fields and values
// outside the options or range.
func (b *Builder) checkFields(fields []Field, obj map[string]any, prefix string, labels labelPath) {
	for _, f := range fields {
		path := f.Key
		if prefix != "" {
			path = prefix + "." + f.Key
		}
		lp := labels.with(f.Label)
		v, present := obj[f.Key]
		if f.Required && (!present || isEmpty(v)) {
			b.problemLabeled(path, lp, CodeFieldRequired, nil)
			continue
		}
		if !present || v == nil {
			continue
		}
		switch f.Type {
		case FieldSelect:
			s, _ := v.(string)
			if s != "" && !contains(f.Options, s) {
				b.problemLabeled(path, lp, CodeFieldOption, Params{"options": strings.Join(f.Options, ", "), "value": s})
			}
		case FieldNumber:
			n, ok := v.(json.Number)
			if !ok {
				continue
			}
			x, _ := n.Float64()
			if (f.Min != nil && x < *f.Min) || (f.Max != nil && x > *f.Max) {
				b.problemLabeled(path, lp, CodeFieldRange, Params{"min": fmtBound(f.Min), "max": fmtBound(f.Max)})
			}
		case FieldList, FieldRules:
			rows, _ := v.([]any)
			for i, row := range rows {
				if m, ok := row.(map[string]any); ok {
					b.checkFields(f.Fields, m, fmt.Sprintf("%s[%d]", path, i), lp.row(i))
				}
			}
		case FieldObject:
			if m, ok := v.(map[string]any); ok {
				b.checkFields(f.Fields, m, path, lp)
			}
		}
	}
}

func fmtBound(v *float64) string {
	if v == nil {
		return "…"
	}
	return strconv.FormatFloat(*v, 'f', -1, 64)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// labelPath builds a field's human name: "Fields, row 3: Value".
type labelPath struct{ Text }

func (l labelPath) with(t Text) labelPath {
	if l.IsZero() {
		return labelPath{t}
	}
	m := map[string]string{}
	for _, lang := range Languages() {
		sep := " → "
		if strings.HasSuffix(l.In(lang), ":") {
			sep = " "
		}
		m[lang] = l.In(lang) + sep + t.In(lang)
	}
	return labelPath{Words(m)}
}

func (l labelPath) row(i int) labelPath {
	return labelPath{Format("field.row", TextArgs{"label": l.Text, "n": Same(strconv.Itoa(i + 1))})}
}

// labelFor finds the label of a field path such as "fields[2].value" in the schema.
func labelFor(fields []Field, path string) labelPath {
	var lp labelPath
	for _, part := range strings.Split(path, ".") {
		name, idx, hasIdx := strings.Cut(part, "[")
		var found *Field
		for i := range fields {
			if fields[i].Key == name {
				found = &fields[i]
				break
			}
		}
		if found == nil {
			return lp.with(Same(part))
		}
		lp = lp.with(found.Label)
		if hasIdx {
			if i, err := strconv.Atoi(strings.TrimSuffix(idx, "]")); err == nil {
				lp = lp.row(i)
			}
		}
		fields = found.Fields
	}
	return lp
}

// JSONSchema exports fields as a JSON Schema (draft 2020-12) object for the editor and tools.
func JSONSchema(fields []Field) json.RawMessage {
	data, _ := json.Marshal(objectSchema(fields))
	return data
}

func objectSchema(fields []Field) map[string]any {
	props := map[string]any{}
	var required []string
	for _, f := range fields {
		props[f.Key] = fieldSchema(f)
		if f.Required {
			required = append(required, f.Key)
		}
	}
	s := map[string]any{"type": "object", "properties": props}
	if len(required) > 0 {
		s["required"] = required
	}
	return s
}

func fieldSchema(f Field) map[string]any {
	s := map[string]any{"title": f.Label.In("en")}
	if !f.Help.IsZero() {
		s["description"] = f.Help.In("en")
	}
	if f.Default != nil {
		s["default"] = f.Default
	}
	switch f.Type {
	case FieldNumber:
		s["type"] = "number"
		if f.Min != nil {
			s["minimum"] = *f.Min
		}
		if f.Max != nil {
			s["maximum"] = *f.Max
		}
	case FieldBool:
		s["type"] = "boolean"
	case FieldSelect:
		s["type"] = "string"
		s["enum"] = f.Options
	case FieldList, FieldRules:
		s["type"] = "array"
		s["items"] = objectSchema(f.Fields)
	case FieldObject:
		for k, v := range objectSchema(f.Fields) {
			s[k] = v
		}
	default:
		s["type"] = "string"
	}
	return s
}
