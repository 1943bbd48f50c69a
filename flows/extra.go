package flows

import (
	"bytes"
	"encoding/json"
	"reflect"
	"sort"
	"strings"
	"sync"
)

// knownKeys lists the JSON names of a struct's fields, cached per type.
var knownKeys sync.Map // reflect.Type -> map[string]bool

func jsonKeysOf(t reflect.Type) map[string]bool {
	if v, ok := knownKeys.Load(t); ok {
		return v.(map[string]bool)
	}
	keys := map[string]bool{}
	for i := 0; i < t.NumField(); i++ {
		tag := t.Field(i).Tag.Get("json")
		name, _, _ := strings.Cut(tag, ",")
		if name != "" && name != "-" {
			keys[name] = true
		}
	}
	knownKeys.Store(t, keys)
	return keys
}

// unmarshalKeepingExtra decodes data into known (a pointer to a struct without JSON methods) and
// stores every member whose name the struct does not know in *extra.
func unmarshalKeepingExtra(data []byte, known any, extra *map[string]json.RawMessage) error {
	if err := json.Unmarshal(data, known); err != nil {
		return err
	}
	var all map[string]json.RawMessage
	if err := json.Unmarshal(data, &all); err != nil {
		return err
	}
	keys := jsonKeysOf(reflect.TypeOf(known).Elem())
	*extra = nil
	for k, v := range all {
		if keys[k] {
			continue
		}
		if *extra == nil {
			*extra = map[string]json.RawMessage{}
		}
		(*extra)[k] = v
	}
	return nil
}

// marshalWithExtra writes known as JSON, then the extra members sorted by name.
func marshalWithExtra(known any, extra map[string]json.RawMessage) ([]byte, error) {
	out, err := json.Marshal(known)
	if err != nil || len(extra) == 0 {
		return out, err
	}
	keys := jsonKeysOf(reflect.TypeOf(known))
	names := make([]string, 0, len(extra))
	for k := range extra {
		if !keys[k] {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	var buf bytes.Buffer
	buf.Write(out[:len(out)-1])
	for _, k := range names {
		if buf.Len() > 1 {
			buf.WriteByte(',')
		}
		name, _ := json.Marshal(k)
		buf.Write(name)
		buf.WriteByte(':')
		if err := json.Compact(&buf, extra[k]); err != nil {
			return nil, err
		}
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}
