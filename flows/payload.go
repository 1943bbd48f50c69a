package flows

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
)

// Payload is an incoming webhook request in the one shape used everywhere: stored events,
// samples, the browser preview, the CLI and the test API.
//
//	{"method": "GET", "query": "email=a%40b.c", "headers": {"Content-Type": "…"}, "body": "…"}
//
// Query may also be an object ({"email": "a@b.c"} or {"tag": ["a","b"]}); a binary body comes as
// body_base64.
type Payload struct {
	Method     string            `json:"method,omitempty"`
	Query      json.RawMessage   `json:"query,omitempty" tstype:"string | { [key: string]: unknown }"`
	Headers    map[string]string `json:"headers,omitempty"`
	Body       string            `json:"body,omitempty"`
	BodyBase64 string            `json:"body_base64,omitempty"`
	// EventID identifies the stored event; templates see it as {{event.id}} so that targets can
	// drop duplicates.
	EventID string `json:"event_id,omitempty"`
}

// ParsePayload decodes a payload document.
func ParsePayload(data []byte) (Payload, error) {
	var p Payload
	if err := json.Unmarshal(data, &p); err != nil {
		return p, fmt.Errorf("the request sample is not valid JSON: %w", err)
	}
	if _, err := p.QueryValues(); err != nil {
		return p, err
	}
	return p, nil
}

// QueryValues decodes Query, whichever form it has.
func (p Payload) QueryValues() (url.Values, error) {
	raw := strings.TrimSpace(string(p.Query))
	if raw == "" || raw == "null" {
		return url.Values{}, nil
	}
	var text string
	if err := json.Unmarshal(p.Query, &text); err == nil {
		v, err := url.ParseQuery(strings.TrimPrefix(text, "?"))
		if err != nil {
			return nil, fmt.Errorf("the query string cannot be read: %w", err)
		}
		return v, nil
	}
	var obj map[string]any
	if err := json.Unmarshal(p.Query, &obj); err != nil {
		return nil, fmt.Errorf("query must be text like \"a=1&b=2\" or an object")
	}
	v := url.Values{}
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		switch x := obj[k].(type) {
		case []any:
			for _, item := range x {
				v.Add(k, Stringify(item))
			}
		default:
			v.Add(k, Stringify(x))
		}
	}
	return v, nil
}

// BodyBytes returns the raw body.
func (p Payload) BodyBytes() ([]byte, error) {
	if p.BodyBase64 != "" {
		b, err := base64.StdEncoding.DecodeString(p.BodyBase64)
		if err != nil {
			return nil, fmt.Errorf("body_base64 is not base64: %w", err)
		}
		return b, nil
	}
	return []byte(p.Body), nil
}

// Header returns a header value, ignoring the case of its name.
func (p Payload) Header(name string) string {
	for k, v := range p.Headers {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return ""
}

// PayloadFromRequest captures an HTTP request. Its method, query and headers count towards
// limit, and the body may have the rest (RequestHeadSize): it reports whether the request was
// larger than that, having read at most one byte too many.
func PayloadFromRequest(r *http.Request, limit int64) (Payload, bool, error) {
	p := Payload{Method: r.Method, Headers: map[string]string{}}
	q, _ := json.Marshal(r.URL.RawQuery)
	p.Query = q
	for k, v := range r.Header {
		p.Headers[k] = strings.Join(v, ", ")
	}
	limit -= RequestHeadSize(r)
	if limit < 0 {
		return p, true, nil
	}
	if r.Body == nil {
		return p, false, nil
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		return p, false, err
	}
	if int64(len(body)) > limit {
		return p, true, nil
	}
	if isText(body) {
		p.Body = string(body)
	} else {
		p.BodyBase64 = base64.StdEncoding.EncodeToString(body)
	}
	return p, false, nil
}

// RequestHeadSize is what a request's method, query and headers take in its stored payload.
func RequestHeadSize(r *http.Request) int64 {
	n := len(r.Method) + len(r.URL.RawQuery)
	for k, v := range r.Header {
		n += len(k) + 2*len(v) // ", " between values, ": " after the name
		for _, s := range v {
			n += len(s)
		}
	}
	return int64(n)
}

func isText(b []byte) bool {
	s := string(b)
	return strings.ToValidUTF8(s, "\uFFFD") == s && !strings.ContainsRune(s, 0)
}
