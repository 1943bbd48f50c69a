package flows

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/url"
	"strings"
)

// The webhook trigger: what a source system (GetCourse, Klientiks, U-ON, …) calls. It turns the
// incoming request into params (query + form + top-level JSON merged), and keeps each part too.

type webhookConfig struct {
	Preset string         `json:"preset"`
	Fields []webhookField `json:"fields"`
}

// webhookField is a parameter the user expects (the seeds' "add parameter r_id").
type webhookField struct {
	Key      string `json:"key"`
	Label    string `json:"label,omitempty"`
	Required bool   `json:"required,omitempty"`
	Example  string `json:"example,omitempty"`
}

func init() {
	Register(KindSpec[webhookConfig]{
		Name:    "webhook",
		Title:   T("webhook.title"),
		Help:    T("webhook.help"),
		Trigger: true,
		Fields: []Field{
			{Key: "preset", Type: FieldSelect, Label: T("webhook.preset.label"), Options: presetIDs(), OptionLabels: presetTitles(), Default: "generic",
				Help: T("webhook.preset.help")},
			{Key: "fields", Type: FieldList, Label: T("webhook.fields.label"),
				Help: T("webhook.fields.help"),
				Fields: []Field{
					{Key: "key", Type: FieldString, Label: T("webhook.fields.key.label"), Required: true},
					{Key: "label", Type: FieldString, Label: T("webhook.fields.label.label")},
					{Key: "required", Type: FieldBool, Label: T("webhook.fields.required.label")},
					{Key: "example", Type: FieldString, Label: T("webhook.fields.example.label")},
				}},
		},
		Build: buildWebhook,
	})
}

func presetIDs() []string {
	var ids []string
	for _, p := range Presets() {
		ids = append(ids, p.ID)
	}
	return ids
}

// presetTitles name the presets in the editor's list ("GetCourse: user created"), not by id.
func presetTitles() map[string]Text {
	titles := map[string]Text{}
	for _, p := range Presets() {
		titles[p.ID] = p.Title
	}
	return titles
}

func buildWebhook(b *Builder, cfg *webhookConfig) Step {
	seen := map[string]bool{}
	for i, f := range cfg.Fields {
		if seen[f.Key] && f.Key != "" {
			b.Problem(fmt.Sprintf("fields[%d].key", i), CodeFieldKeyRepeated, Params{"key": f.Key})
		}
		seen[f.Key] = true
	}
	return StepFunc(func(ctx context.Context, sc *StepContext) (any, error) {
		out, err := ParseRequest(sc.Payload)
		if err != nil {
			return nil, sc.Fail(CodePayloadInvalid, Params{"detail": err.Error()})
		}
		params := out["params"].(map[string]any)
		for _, f := range cfg.Fields {
			if f.Required && isEmpty(params[f.Key]) {
				return nil, sc.Fail(CodeTriggerFieldEmpty, Params{"key": f.Key})
			}
		}
		return out, nil
	})
}

// ParseRequest turns a payload into the webhook's output: params, query, form, json, files,
// headers, method, body. It is also what learns a sample's fields.
func ParseRequest(p Payload) (map[string]any, error) {
	query, err := p.QueryValues()
	if err != nil {
		return nil, err
	}
	body, err := p.BodyBytes()
	if err != nil {
		return nil, err
	}
	method := strings.ToUpper(p.Method)
	if method == "" {
		method = "GET"
	}
	headers := map[string]any{}
	for k, v := range p.Headers {
		headers[strings.ToLower(k)] = v
	}
	params := map[string]any{}
	mergeValues(params, query)
	out := map[string]any{
		"method":  method,
		"query":   valuesObject(query),
		"headers": headers,
		"body":    string(body),
		"params":  params,
	}
	if p.BodyBase64 != "" {
		out["body"] = p.BodyBase64
	}
	ctype, ctParams, _ := mime.ParseMediaType(p.Header("Content-Type"))
	trimmed := bytes.TrimSpace(body)
	switch {
	case len(trimmed) == 0:
	case ctype == "application/x-www-form-urlencoded":
		form, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, fmt.Errorf("the form data cannot be read: %w", err)
		}
		out["form"] = valuesObject(form)
		mergeValues(params, form)
	case ctype == "multipart/form-data":
		form, files, err := parseMultipart(body, ctParams["boundary"])
		if err != nil {
			return nil, err
		}
		out["form"] = valuesObject(form)
		out["files"] = files
		mergeValues(params, form)
	case strings.HasSuffix(ctype, "json") || (ctype == "" || ctype == "text/plain") && (trimmed[0] == '{' || trimmed[0] == '['):
		v, err := decodeJSON(trimmed)
		if err != nil {
			if strings.HasSuffix(ctype, "json") {
				return nil, fmt.Errorf("the body is marked as JSON but is not valid JSON: %w", err)
			}
			break
		}
		out["json"] = v
		if obj, ok := v.(map[string]any); ok {
			for k, val := range obj {
				params[k] = val
			}
		}
	}
	return out, nil
}

// mergeValues puts url.Values into params: one value as text, repeated ones as a list.
func mergeValues(params map[string]any, v url.Values) {
	for k, vals := range v {
		params[strings.TrimSuffix(k, "[]")] = oneOrList(vals)
	}
}

func valuesObject(v url.Values) map[string]any {
	out := make(map[string]any, len(v))
	mergeValues(out, v)
	return out
}

func oneOrList(vals []string) any {
	if len(vals) == 1 {
		return vals[0]
	}
	list := make([]any, len(vals))
	for i, s := range vals {
		list[i] = s
	}
	return list
}

// parseMultipart reads form fields and describes files (name, size, type) without keeping them.
func parseMultipart(body []byte, boundary string) (url.Values, []any, error) {
	if boundary == "" {
		return nil, nil, fmt.Errorf("the multipart body has no boundary")
	}
	r := multipart.NewReader(bytes.NewReader(body), boundary)
	form := url.Values{}
	files := []any{}
	for {
		part, err := r.NextPart()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return form, files, nil
			}
			return nil, nil, fmt.Errorf("the multipart body cannot be read: %w", err)
		}
		data, err := io.ReadAll(part)
		if err != nil {
			return nil, nil, fmt.Errorf("the multipart body cannot be read: %w", err)
		}
		if part.FileName() != "" {
			files = append(files, map[string]any{"field": part.FormName(), "filename": part.FileName(),
				"size": json.Number(fmt.Sprint(len(data))), "content_type": part.Header.Get("Content-Type")})
			continue
		}
		form.Add(part.FormName(), string(data))
	}
}
