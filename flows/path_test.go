package flows

import (
	"encoding/json"
	"testing"
)

func uonAnswer(t *testing.T) any {
	t.Helper()
	return mustDecode(t, `{"request":[{"id":48213,"status":"Новое","client":{"phone":"+7 916"}},{"id":2}],"a.b":{"c":true}}`)
}

// selectPath reads path in doc; the path must parse.
func selectPath(t *testing.T, doc any, path string) (any, bool) {
	t.Helper()
	q, err := ParseQuery(path)
	if err != nil {
		t.Fatalf("ParseQuery(%q): %v", path, err)
	}
	return q.Select(doc)
}

func TestQuery_ReadsSeedDottedAndJSONPathSyntax(t *testing.T) {
	doc := uonAnswer(t)
	cases := []struct {
		name, path string
		want       any
	}{
		{"seed syntax", `["request"][0]["id"]`, json.Number("48213")},
		{"seed syntax single quotes", `['request'][0]['status']`, "Новое"},
		{"dotted", "request.0.id", json.Number("48213")},
		{"mixed", "request[1].id", json.Number("2")},
		{"nested", `request[0].client.phone`, "+7 916"},
		{"key with a dot", `["a.b"].c`, true},
		{"JSONPath", "$.request[0].id", json.Number("48213")},
		{"JSONPath filter", `$.request[?@.id == 2].id`, json.Number("2")},
		{"JSONPath filter on a number", `$.request[?@.id > 100].status`, "Новое"},
		{"JSONPath many", "$.request[*].id", []any{json.Number("48213"), json.Number("2")}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, ok := selectPath(t, doc, c.path)
			if !ok {
				t.Fatalf("%q found nothing", c.path)
			}
			gj, _ := json.Marshal(got)
			wj, _ := json.Marshal(c.want)
			if string(gj) != string(wj) {
				t.Errorf("%q = %s, want %s", c.path, gj, wj)
			}
		})
	}
}

func TestQuery_MissingPartsFindNothing(t *testing.T) {
	doc := uonAnswer(t)
	for _, p := range []string{`["request"][5]["id"]`, "request.0.nope", "nope", "$.nope", "request.id"} {
		if v, ok := selectPath(t, doc, p); ok {
			t.Errorf("%q found %v, want nothing", p, v)
		}
	}
}

func TestParsePath_RejectsBrokenPaths(t *testing.T) {
	for _, p := range []string{"", "a.", ".a", `["a"`, "[x]", "a b", `["a]`, "$[", "a..b", " $", "$ ", " $.a", "$.a\n"} {
		if _, err := ParseQuery(p); err == nil {
			t.Errorf("ParseQuery(%q) accepted a broken path", p)
		}
	}
}

func TestLookup_WalksIntoJSONText(t *testing.T) {
	path, _ := ParsePath("body.request.0.id")
	got, _, ok := path.Lookup(map[string]any{"body": `{"request":[{"id":7}]}`})
	if !ok || Stringify(got) != "7" {
		t.Fatalf("got %v %v", got, ok)
	}
}

// CRM ids of 20 digits are beyond int64 and float64: every path syntax must give them back to
// the digit, and so must a template that inserts them, with or without pipes.
func TestQuery_KeepsTwentyDigitIDsExact(t *testing.T) {
	const id = "12345678901234567890"
	doc := mustDecode(t, `{"order":{"id":`+id+`,"items":[{"id":`+id+`1}]}}`)
	for _, c := range []struct{ path, want string }{
		{`["order"]["id"]`, id},
		{"order.id", id},
		{"$.order.id", id},
		{"$['order']['id']", id},
		{"$..items[0].id", id + "1"},
		{"$.order[?@ > 1]", id},
	} {
		got, ok := selectPath(t, doc, c.path)
		if !ok {
			t.Fatalf("%q found nothing", c.path)
		}
		if s := Stringify(got); s != c.want {
			t.Errorf("%q = %s, want %s", c.path, s, c.want)
		}
	}
	for _, c := range []struct{ tpl, want string }{
		{"{{order.id}}", id},
		{"{{order.id | digits}}", id},
		{"{{order.id | trim}}", id},
		{"{{order.id | default:\"0\"}}", id},
		{"{{order.id | json}}", id},
		{"{{order.id | urlencode}}", id},
	} {
		tpl, err := ParseTemplate(c.tpl)
		if err != nil {
			t.Fatalf("ParseTemplate(%q): %v", c.tpl, err)
		}
		if got := tpl.Render(NewScope(doc.(map[string]any), nil)); got != c.want {
			t.Errorf("%s = %s, want %s", c.tpl, got, c.want)
		}
	}
}

// The paths the editor writes when a value is pointed at (frontend/src/picker/pointing.ts
// pathText) must be read back by the engine to the same value.
func TestQuery_ReadsPathsTheEditorWritesOnPointing(t *testing.T) {
	doc := mustDecode(t, `{"request":[{"client_phone":"+7","client name":"Анна"}],"2nd":1,"a\"b":2,"back\\slash":3,"имя":"x","order":{"items":[[1,{"id":7}]]}}`)
	cases := []struct {
		path string
		want any
	}{
		{"request[0].client_phone", "+7"},
		{`request[0]["client name"]`, "Анна"},
		{`["2nd"]`, json.Number("1")},
		{`["a\"b"]`, json.Number("2")},
		{`["back\\slash"]`, json.Number("3")},
		{"имя", "x"},
		{"order.items[0][1].id", json.Number("7")},
	}
	for _, c := range cases {
		t.Run(c.path, func(t *testing.T) {
			got, ok := selectPath(t, doc, c.path)
			if !ok || got != c.want {
				t.Errorf("%q = %v (%v), want %v", c.path, got, ok, c.want)
			}
		})
	}
}
