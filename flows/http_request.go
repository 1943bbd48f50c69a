package flows

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// Building the http node's request at run time: the URL with its query, the headers in order
// with the defaults, and the body with its Content-Type.

// httpPrepared is the request as it goes out.
type httpPrepared struct {
	method  string
	url     string
	host    string
	headers []KeyVal
	body    string
}

// prepare renders the request: URL with query, headers in order with the defaults, body.
func (h *httpStep) prepare(sc *StepContext) (*httpPrepared, error) {
	raw := strings.TrimSpace(sc.Render(h.url))
	u, ok := httpParseURL(raw)
	if !ok {
		return nil, sc.Fail(CodeURLInvalid, Params{"url": raw})
	}
	u.RawQuery = httpEscapeQuery(u.RawQuery)
	var parts []string
	if u.RawQuery != "" {
		parts = append(parts, u.RawQuery)
	}
	for i, row := range h.query {
		k := sc.Render(row.key)
		if strings.TrimSpace(k) == "" {
			sc.Log("log.http.query_no_name", Params{"row": strconv.Itoa(i + 1)})
			continue
		}
		parts = append(parts, url.QueryEscape(k)+"="+url.QueryEscape(sc.Render(row.value)))
	}
	u.RawQuery = strings.Join(parts, "&")
	u.ForceQuery = false
	u.Fragment, u.RawFragment = "", ""
	p := &httpPrepared{method: h.method, url: u.String(), host: u.Host}

	hasCT, hasUA := false, false
	for i, row := range h.headers {
		name := strings.TrimSpace(sc.Render(row.key))
		value := strings.TrimSpace(sc.Render(row.value))
		if name == "" {
			sc.Log("log.http.header_no_name", Params{"row": strconv.Itoa(i + 1)})
			continue
		}
		if !httpValidHeaderName(name) {
			return nil, sc.Fail(CodeHTTPBadRequest, Params{"detail": fmt.Sprintf("'%s' is not a valid header name", name)})
		}
		if strings.ContainsAny(value, "\r\n\x00") {
			return nil, sc.Fail(CodeHTTPBadRequest, Params{"detail": fmt.Sprintf("the header '%s' contains a line break", name)})
		}
		if row.secret {
			sc.Secret(value)
		}
		name = http.CanonicalHeaderKey(name)
		hasCT = hasCT || name == "Content-Type"
		hasUA = hasUA || name == "User-Agent"
		p.headers = append(p.headers, KeyVal{Key: name, Value: value, Secret: row.secret})
	}

	body, ctype, err := h.renderBody(sc)
	if err != nil {
		return nil, err
	}
	if body != "" && (h.method == "GET" || h.method == "HEAD") {
		sc.Log("log.http.no_body", Params{"method": h.method})
		body = ""
	}
	p.body = body
	if body != "" && !hasCT && ctype != "" {
		p.headers = append(p.headers, KeyVal{Key: "Content-Type", Value: ctype})
	}
	if !hasUA {
		p.headers = append(p.headers, KeyVal{Key: "User-Agent", Value: httpUserAgent})
	}
	return p, nil
}

// renderBody returns the body and the Content-Type it gets when no header sets one.
func (h *httpStep) renderBody(sc *StepContext) (string, string, error) {
	switch h.bodyType {
	case httpBodyJSON:
		v := sc.Value(h.body)
		switch v.(type) {
		case map[string]any, []any:
			text, err := httpMarshal(v)
			if err != nil {
				return "", "", sc.Fail(CodeHTTPBodyNotJSON, Params{"detail": err.Error()})
			}
			return text, "application/json", nil
		}
		text := Stringify(v)
		if strings.TrimSpace(text) == "" {
			return "", "", nil
		}
		if _, err := decodeJSON([]byte(text)); err != nil {
			return "", "", sc.Fail(CodeHTTPBodyNotJSON, Params{"detail": err.Error()})
		}
		return text, "application/json", nil
	case httpBodyPrevious:
		switch x := sc.Input.(type) {
		case nil:
			return "", "", nil
		case map[string]any:
			if s, ok := x["body"].(string); ok {
				return s, "application/x-www-form-urlencoded", nil
			}
		case string:
			return x, httpGuessType(x), nil
		}
		text, err := httpMarshal(sc.Input)
		if err != nil {
			return "", "", sc.Fail(CodeHTTPBadRequest, Params{"detail": err.Error()})
		}
		return text, "application/json", nil
	default:
		text := sc.Render(h.body)
		return text, httpGuessType(text), nil
	}
}

func httpMarshal(v any) (string, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return "", err
	}
	return strings.TrimSuffix(buf.String(), "\n"), nil
}

// httpGuessType types a text body that has no Content-Type header.
func httpGuessType(s string) string {
	t := strings.TrimSpace(s)
	if t == "" {
		return ""
	}
	if (t[0] == '{' || t[0] == '[') && json.Valid([]byte(t)) {
		return "application/json"
	}
	if httpLooksLikeForm(t) {
		return "application/x-www-form-urlencoded"
	}
	return "text/plain; charset=utf-8"
}

// httpLooksLikeForm reports whether s is key=value pairs joined by & with nothing unencoded.
func httpLooksLikeForm(s string) bool {
	for _, pair := range strings.Split(s, "&") {
		k, _, ok := strings.Cut(pair, "=")
		if !ok || k == "" || strings.ContainsAny(pair, " \t\r\n\"<>{}") {
			return false
		}
	}
	_, err := url.ParseQuery(s)
	return err == nil
}

// httpParseURL accepts absolute http(s) URLs with a host.
func httpParseURL(s string) (*url.URL, bool) {
	u, err := url.Parse(s)
	if err != nil {
		return nil, false
	}
	scheme := strings.ToLower(u.Scheme)
	if (scheme != "http" && scheme != "https") || u.Hostname() == "" {
		return nil, false
	}
	u.Scheme = scheme
	return u, true
}

// httpValidHeaderName reports whether s is an HTTP token (RFC 9110).
func httpValidHeaderName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// httpEscapeQuery percent-encodes what may not appear raw in a query (spaces, non-ASCII,
// quotes, stray %), leaving valid escapes and separators as they are.
func httpEscapeQuery(q string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case c == '%' && i+2 < len(q) && httpIsHex(q[i+1]) && httpIsHex(q[i+2]):
			b.WriteByte(c)
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9',
			strings.IndexByte("-._~!$&'()*+,;=:@/?", c) >= 0:
			b.WriteByte(c)
		default:
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		}
	}
	return b.String()
}

func httpIsHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}
