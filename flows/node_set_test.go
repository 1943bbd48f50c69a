package flows

import (
	"context"
	"net/url"
	"testing"
)

func TestSet_ListTypeTurnsCommaSeparatedTextIntoAList(t *testing.T) {
	f := mustParse(t, `{"schema":1,"nodes":[{"id":"trigger","kind":"webhook"},
	  {"id":"user","kind":"set","config":{"fields":[{"key":"user.group_name","value":"{{trigger.params.groups}}","type":"list"}]}}],
	  "edges":[{"from":"trigger","to":"user"}]}`)
	for _, c := range []struct {
		name, groups, want string
	}{
		{"two groups, spaces trimmed", "Лиды, Клиенты", `{"user":{"group_name":["Лиды","Клиенты"]}}`},
		{"one group", "Лиды", `{"user":{"group_name":["Лиды"]}}`},
		{"empty items dropped", " Лиды ,, Клиенты, ", `{"user":{"group_name":["Лиды","Клиенты"]}}`},
		{"nothing is an empty list", "", `{"user":{"group_name":[]}}`},
		{"only commas is an empty list", " , ", `{"user":{"group_name":[]}}`},
	} {
		t.Run(c.name, func(t *testing.T) {
			tr, err := Run(context.Background(), f, queryPayload("groups="+url.QueryEscape(c.groups)), fixedEnv(nil))
			if err != nil {
				t.Fatal(err)
			}
			st, _ := tr.Step("user")
			if tr.Status != StatusSuccess || asJSON(t, st.Output) != c.want {
				t.Fatalf("run %s (%s): output %s, want %s", tr.Status, st.Error, asJSON(t, st.Output), c.want)
			}
		})
	}
}

func TestSet_ListTypeKeepsAListAsItIs(t *testing.T) {
	for _, c := range []struct {
		in   any
		want string
	}{
		{[]any{"a", "b"}, `["a","b"]`},
		{nil, `[]`},
		{"a,b", `["a","b"]`},
	} {
		got, err := convertSetValue(c.in, "list")
		if err != nil || asJSON(t, got) != c.want {
			t.Fatalf("%v: %s %v, want %s", c.in, asJSON(t, got), err, c.want)
		}
	}
}
