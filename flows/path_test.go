package flows

import (
	"encoding/json"
	"testing"
)

func uonAnswer(t *testing.T) any {
	t.Helper()
	v, err := decodeJSON([]byte(`{"request":[{"id":48213,"status":"Новое","client":{"phone":"+7 916"}},{"id":2}],"a.b":{"c":true}}`))
	if err != nil {
		t.Fatal(err)
	}
	return v
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
		{"JSONPath", "$.request[0].id", int64(48213)},
		{"JSONPath filter", `$.request[?@.id == 2].id`, int64(2)},
		{"JSONPath many", "$.request[*].id", []any{int64(48213), int64(2)}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			q, err := ParseQuery(c.path)
			if err != nil {
				t.Fatalf("ParseQuery(%q): %v", c.path, err)
			}
			got, ok := q.Select(doc)
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
		q, err := ParseQuery(p)
		if err != nil {
			t.Fatalf("ParseQuery(%q): %v", p, err)
		}
		if v, ok := q.Select(doc); ok {
			t.Errorf("%q found %v, want nothing", p, v)
		}
	}
}

func TestParsePath_RejectsBrokenPaths(t *testing.T) {
	for _, p := range []string{"", "a.", ".a", `["a"`, "[x]", "a b", `["a]`, "$[", "a..b"} {
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
