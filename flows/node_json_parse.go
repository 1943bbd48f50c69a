package flows

import (
	"context"
	"fmt"
	"strings"
)

// json_parse picks named fields out of JSON: the seeds' "JSON-Парсер" with paths like
// ["request"][0]["id"], dotted paths (request.0.id) and JSONPath ($.request[0].id).

type jsonParseConfig struct {
	Source string      `json:"source"`
	Fields []parsePath `json:"fields"`
}

type parsePath struct {
	Key  string `json:"key"`
	Path string `json:"path"`
}

func init() {
	Register(KindSpec[jsonParseConfig]{
		Name:  "json_parse",
		Title: T("json_parse.title"),
		Help:  T("json_parse.help"),
		Fields: []Field{
			{Key: "source", Type: FieldString, Label: T("json_parse.source.label"), Template: true,
				Help: T("json_parse.source.help")},
			{Key: "fields", Type: FieldList, Label: T("json_parse.fields.label"), Required: true,
				Fields: []Field{
					{Key: "key", Type: FieldString, Label: T("json_parse.fields.key.label"), Required: true},
					{Key: "path", Type: FieldString, Label: T("json_parse.fields.path.label"), Required: true, Path: true,
						Help: T("json_parse.fields.path.help")},
				}},
		},
		Build: buildJSONParse,
	})
}

func buildJSONParse(b *Builder, cfg *jsonParseConfig) Step {
	source := b.TemplateOrNil("source", cfg.Source)
	queries := make([]*Query, len(cfg.Fields))
	seen := map[string]bool{}
	for i, f := range cfg.Fields {
		if seen[f.Key] {
			b.Problem(fmt.Sprintf("fields[%d].key", i), CodeFieldKeyRepeated, Params{"key": f.Key})
		}
		seen[f.Key] = true
		if strings.TrimSpace(f.Path) == "" {
			continue // reported as required
		}
		q, err := ParseQuery(f.Path)
		if err != nil {
			b.Problem(fmt.Sprintf("fields[%d].path", i), CodePathInvalid, Params{"path": f.Path, "detail": err.Error()})
			continue
		}
		queries[i] = q
	}
	return StepFunc(func(ctx context.Context, sc *StepContext) (any, error) {
		doc, err := parseSource(sc, source)
		if err != nil {
			return nil, err
		}
		out := map[string]any{}
		for i, f := range cfg.Fields {
			v, ok := queries[i].Select(doc)
			if !ok {
				sc.Log("log.json_parse.nothing_at", Params{"key": f.Key, "path": f.Path})
			}
			out[f.Key] = v
		}
		return out, nil
	})
}

// parseSource finds the JSON to parse: the source template's value, else the previous step's
// output; an HTTP answer ({status, body, json}) gives its JSON; text is parsed.
func parseSource(sc *StepContext, source *Template) (any, error) {
	v := sc.Input
	if source != nil {
		v = sc.Value(source)
	}
	if m, ok := v.(map[string]any); ok && source == nil {
		if j, ok := m["json"]; ok {
			return j, nil
		}
		if body, ok := m["body"].(string); ok {
			v = body
		}
	}
	text, ok := v.(string)
	if !ok {
		return v, nil
	}
	if strings.TrimSpace(text) == "" {
		return nil, sc.Fail(CodeJSONNotJSON, Params{"detail": "the text is empty"})
	}
	doc, err := decodeJSON([]byte(text))
	if err != nil {
		return nil, sc.Fail(CodeJSONNotJSON, Params{"detail": err.Error()})
	}
	return doc, nil
}
