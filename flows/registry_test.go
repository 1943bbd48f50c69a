package flows

import (
	"encoding/json"
	"reflect"
	"sort"
	"strings"
	"testing"
)

// A kind's config is declared twice: the Go struct that decodes it (JSON tags) and Fields, from
// which the editor builds its form. Every field must decode into the struct and every member of
// the struct must have a field (or be named here as set only by other means), with a label and
// help in both languages; otherwise the form shows a setting the engine ignores, or hides one it
// reads.
func TestKinds_FieldsMatchConfigTagsAndSpeakBothLanguages(t *testing.T) {
	// Members read from a flow document that the form does not show on purpose.
	notInForm := map[string]bool{
		// The row type is shared with headers and traces; only a header's value is sealed at
		// rest and masked, so a query parameter or form field takes a secret by referencing an
		// input marked secret ({{inputs.api_key}}) instead.
		"http.query.secret":         true,
		"form_encode.fields.secret": true,
	}
	registry.RLock()
	kinds := make([]*kind, 0, len(registry.kinds))
	for _, k := range registry.kinds {
		kinds = append(kinds, k)
	}
	registry.RUnlock()
	sort.Slice(kinds, func(i, j int) bool { return kinds[i].Name < kinds[j].Name })
	for _, k := range kinds {
		if k.OutputsFrom != "" {
			// the id of a row that is an output: made by the editor when the row is added
			notInForm[k.Name+"."+k.OutputsFrom+".id"] = true
		}
		t.Run(k.Name, func(t *testing.T) {
			bothLanguages(t, k.Name+" title", k.Title, false)
			bothLanguages(t, k.Name+" help", k.Help, false)
			compareFields(t, k.Name, k.Fields, k.config, notInForm)
		})
	}
}

func bothLanguages(t *testing.T, what string, txt Text, optional bool) {
	t.Helper()
	if optional && txt.IsZero() {
		return
	}
	for _, lang := range Languages() {
		s := txt.In(lang)
		if txt.Key() != "" {
			s = catalogOf(lang)[txt.Key()] // its own words, not the English ones standing in
		}
		if strings.TrimSpace(s) == "" {
			t.Errorf("%s: has no words in %q (key %q)", what, lang, txt.Key())
		}
	}
}

func compareFields(t *testing.T, where string, fields []Field, typ reflect.Type, notInForm map[string]bool) {
	t.Helper()
	for typ.Kind() == reflect.Pointer || typ.Kind() == reflect.Slice {
		typ = typ.Elem()
	}
	if typ.Kind() != reflect.Struct {
		t.Errorf("%s: config type %s is not a struct", where, typ)
		return
	}
	tags := jsonMembers(typ)
	seen := map[string]bool{}
	for _, f := range fields {
		path := where + "." + f.Key
		seen[f.Key] = true
		bothLanguages(t, path+" label", f.Label, false)
		bothLanguages(t, path+" help", f.Help, true)
		member, ok := tags[f.Key]
		if !ok {
			t.Errorf("%s: the form shows a field the config does not decode (no json tag %q in %s)", path, f.Key, typ)
			continue
		}
		// A json.RawMessage member takes several shapes and is checked by the kind's Build.
		if (f.Type == FieldList || f.Type == FieldRules || f.Type == FieldObject) && member.Type != reflect.TypeFor[json.RawMessage]() {
			if len(f.Fields) > 0 {
				compareFields(t, path, f.Fields, member.Type, notInForm)
			}
		}
	}
	for key := range tags {
		if !seen[key] && !notInForm[where+"."+key] {
			t.Errorf("%s.%s: the config decodes a member the form does not show (add a Field, or name it in notInForm with the reason)", where, key)
		}
	}
}

// jsonMembers maps a struct's JSON names (embedded structs flattened) to their fields.
func jsonMembers(typ reflect.Type) map[string]reflect.StructField {
	out := map[string]reflect.StructField{}
	for i := 0; i < typ.NumField(); i++ {
		f := typ.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" || (!f.IsExported() && !f.Anonymous) {
			continue
		}
		if f.Anonymous && name == "" {
			et := f.Type
			if et.Kind() == reflect.Pointer {
				et = et.Elem()
			}
			for k, v := range jsonMembers(et) {
				out[k] = v
			}
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = f
	}
	return out
}
