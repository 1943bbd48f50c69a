package flows

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Values flowing between steps are plain JSON values: map[string]any, []any, string, bool, nil,
// and json.Number for numbers so that long ids (U-ON, GetCourse) survive exactly.

// decodeJSON parses JSON text keeping numbers exact.
func decodeJSON(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, fmt.Errorf("extra text after the JSON value")
	}
	return v, nil
}

// normalize turns any Go value into the plain JSON shape the engine works with.
func normalize(v any) (any, error) {
	switch v.(type) {
	case nil, string, bool, json.Number, map[string]any, []any:
		return v, nil
	}
	data, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return decodeJSON(data)
}

// Stringify is how a value looks when put into text: strings as they are, numbers without
// exponent, nothing for missing values, JSON for objects and lists.
func Stringify(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case json.Number:
		return x.String()
	case bool:
		return strconv.FormatBool(x)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	default:
		data, err := marshalPlain(x)
		if err != nil {
			return fmt.Sprint(x)
		}
		return string(data)
	}
}

// marshalPlain writes JSON without escaping <, > and & (the text goes to APIs, not HTML).
func marshalPlain(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// isEmpty reports whether a value counts as "not filled in": missing, empty or blank text,
// empty list or object.
func isEmpty(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return strings.TrimSpace(x) == ""
	case []any:
		return len(x) == 0
	case map[string]any:
		return len(x) == 0
	}
	return false
}
