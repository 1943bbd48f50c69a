package flows

import (
	"context"
	"fmt"
	"strings"
)

// set builds an object from templated fields: rename, defaults, constants. A dotted key
// (user.email) builds a nested object, so JSON for an API (GetCourse's params) can be made
// without code.

type setConfig struct {
	Fields []setField `json:"fields"`
}

type setField struct {
	Key   string `json:"key"`
	Value string `json:"value"`
	// Type converts the rendered text: "text" (default), "number", "bool", "list" (comma-separated
	// items, e.g. GetCourse's group_name) or "json".
	Type string `json:"type,omitempty"`
}

func init() {
	Register(KindSpec[setConfig]{
		Name:  "set",
		Title: T("set.title"),
		Help:  T("set.help"),
		Fields: []Field{
			{Key: "fields", Type: FieldList, Label: T("set.fields.label"), Required: true,
				Fields: []Field{
					{Key: "key", Type: FieldString, Label: T("set.fields.key.label"), Required: true},
					{Key: "value", Type: FieldString, Label: T("set.fields.value.label"), Template: true},
					{Key: "type", Type: FieldSelect, Label: T("set.fields.type.label"), Options: []string{"text", "number", "bool", "list", "json"}, Default: "text",
						OptionLabels: map[string]Text{"text": T("set.fields.type.option.text"), "number": T("set.fields.type.option.number"), "bool": T("set.fields.type.option.bool"),
							"list": T("set.fields.type.option.list"), "json": T("set.fields.type.option.json")}},
				}},
		},
		Build: buildSet,
	})
}

func buildSet(b *Builder, cfg *setConfig) Step {
	values := make([]*Template, len(cfg.Fields))
	for i, f := range cfg.Fields {
		values[i] = b.Template(fmt.Sprintf("fields[%d].value", i), f.Value)
		if strings.HasPrefix(f.Key, ".") || strings.HasSuffix(f.Key, ".") || strings.Contains(f.Key, "..") {
			b.Problem(fmt.Sprintf("fields[%d].key", i), CodePathInvalid, Params{"path": f.Key, "detail": "a name cannot start or end with '.'"})
		}
	}
	return StepFunc(func(ctx context.Context, sc *StepContext) (any, error) {
		out := map[string]any{}
		for i, f := range cfg.Fields {
			v, err := convertSetValue(sc.Value(values[i]), f.Type)
			if err != nil {
				return nil, sc.Fail(CodeSetValue, Params{"key": f.Key, "type": f.Type, "type_ru": typeNameRu(setTypeName(f.Type)), "detail": err.Error()})
			}
			setDotted(out, strings.Split(f.Key, "."), v)
		}
		return out, nil
	})
}

func setTypeName(t string) string {
	switch t {
	case "bool":
		return "true/false"
	case "json":
		return "object"
	}
	return t
}

func convertSetValue(v any, typ string) (any, error) {
	switch typ {
	case "", "text":
		if _, isText := v.(string); isText || v == nil {
			return v, nil
		}
		if _, ok := v.(map[string]any); ok {
			return v, nil // a whole object passed on as it is
		}
		if _, ok := v.([]any); ok {
			return v, nil
		}
		return Stringify(v), nil
	case "number":
		if isEmpty(v) {
			return nil, nil
		}
		n, ok := ParseNumber(Stringify(v))
		if !ok {
			return nil, fmt.Errorf("%q has no number in it", Stringify(v))
		}
		return n, nil
	case "bool":
		switch strings.ToLower(strings.TrimSpace(Stringify(v))) {
		case "true", "1", "yes", "да", "on":
			return true, nil
		case "false", "0", "no", "нет", "off", "":
			return false, nil
		}
		return nil, fmt.Errorf("%q is neither yes nor no", Stringify(v))
	case "list":
		return splitList(v), nil
	case "json":
		if s, ok := v.(string); ok {
			if strings.TrimSpace(s) == "" {
				return nil, nil
			}
			return decodeJSON([]byte(s))
		}
		return v, nil
	}
	return nil, fmt.Errorf("unknown type %q", typ)
}

// splitList turns "Лиды, Клиенты" into ["Лиды", "Клиенты"]: items trimmed, empty ones dropped,
// nothing → []. A list that is already one is kept as it is.
func splitList(v any) []any {
	if l, ok := v.([]any); ok {
		return l
	}
	out := []any{}
	for _, item := range strings.Split(Stringify(v), ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

func setDotted(obj map[string]any, keys []string, v any) {
	for _, k := range keys[:len(keys)-1] {
		next, ok := obj[k].(map[string]any)
		if !ok {
			next = map[string]any{}
			obj[k] = next
		}
		obj = next
	}
	obj[keys[len(keys)-1]] = v
}
