package flows

import (
	"context"
	"fmt"
	"net/url"
	"strings"
)

// form_encode builds an application/x-www-form-urlencoded body from an ordered list of fields:
// the seeds' "Form Urlencoded" action. Order and repeated keys are kept.

type formEncodeConfig struct {
	Fields []KeyVal `json:"fields"`
}

func init() {
	Register(KindSpec[formEncodeConfig]{
		Name:  "form_encode",
		Title: T("form_encode.title"),
		Help:  T("form_encode.help"),
		Fields: []Field{
			{Key: "fields", Type: FieldList, Label: T("form_encode.fields.label"), Required: true,
				Fields: []Field{
					{Key: "key", Type: FieldString, Label: T("form_encode.fields.key.label"), Required: true},
					{Key: "value", Type: FieldString, Label: T("form_encode.fields.value.label"), Template: true},
					{Key: "optional", Type: FieldBool, Label: T("form_encode.fields.optional.label")},
				}},
		},
		Build: buildFormEncode,
	})
}

func buildFormEncode(b *Builder, cfg *formEncodeConfig) Step {
	values := make([]*Template, len(cfg.Fields))
	for i, f := range cfg.Fields {
		values[i] = b.Template(fmt.Sprintf("fields[%d].value", i), f.Value)
	}
	return StepFunc(func(ctx context.Context, sc *StepContext) (any, error) {
		var body strings.Builder
		fields := map[string]any{}
		for i, f := range cfg.Fields {
			v := sc.Render(values[i])
			if f.Optional && strings.TrimSpace(v) == "" {
				sc.Log("log.form_encode.empty", Params{"key": f.Key})
				continue
			}
			if body.Len() > 0 {
				body.WriteByte('&')
			}
			body.WriteString(url.QueryEscape(f.Key))
			body.WriteByte('=')
			body.WriteString(url.QueryEscape(v))
			switch prev := fields[f.Key].(type) {
			case nil:
				fields[f.Key] = v
			case []any:
				fields[f.Key] = append(prev, v)
			default:
				fields[f.Key] = []any{prev, v}
			}
		}
		return map[string]any{"body": body.String(), "fields": fields}, nil
	})
}
