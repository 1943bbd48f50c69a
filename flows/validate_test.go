package flows

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// problemKeys renders problems as "code node field" for comparison.
func problemKeys(ps Problems) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = strings.Join(strings.Fields(fmt.Sprintf("%s %s %s", p.Code, p.Node, p.Field)), " ")
	}
	return out
}

func mustParse(t testing.TB, src string) *Flow {
	t.Helper()
	f, err := ParseFlow([]byte(src))
	if err != nil {
		t.Fatalf("ParseFlow: %v", err)
	}
	return f
}

// mustCompile compiles a flow that must have no problems.
func mustCompile(t testing.TB, f *Flow) *Program {
	t.Helper()
	prog, problems := Compile(f)
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	return prog
}

func TestValidate_ReportsEveryProblemAtOnce(t *testing.T) {
	f := mustParse(t, `{"schema":1,"name":"broken",
	"inputs":[{"key":"api_key"},{"key":"api_key"},{"key":""}],
	"nodes":[
	  {"id":"trigger","kind":"webhook","config":{"preset":"nosuch"}},
	  {"id":"form","kind":"form_encode","config":{"fields":[{"key":"","value":"{{late.x}} {{inputs.zz}} {{x | shout}} {{ghost.y}}"}]}},
	  {"id":"late","kind":"set","config":{"fields":[{"key":"a","value":"1"}]}},
	  {"id":"odd","kind":"teleport"},
	  {"id":"loop1","kind":"set","config":{"fields":[{"key":"a","value":"1"}]}},
	  {"id":"loop2","kind":"set","config":{"fields":[{"key":"a","value":"1","type":"colour"}]}},
	  {"id":"steps","kind":"set","config":{"fields":[{"key":"a","value":"1"}]}},
	  {"id":"form","kind":"set"}
	],
	"edges":[{"from":"trigger","to":"form"},{"from":"form","to":"late"},{"from":"form","to":"nowhere"},
	  {"from":"loop1","to":"loop2"},{"from":"loop2","to":"loop1"},{"from":"trigger","to":"steps","branch":"true"},
	  {"from":"late","to":"trigger"}]}`)
	got := problemKeys(Validate(f, nil))
	want := []string{
		"flow.input_duplicate inputs[1].key",
		"flow.input_key_empty inputs[2].key",
		"node.unknown_kind odd kind",
		"node.id_duplicate form id",
		"node.id_reserved steps id",
		"edge.unknown_node form edges",
		"edge.branch trigger edges",
		"edge.into_trigger trigger edges",
		"flow.cycle edges",
		"node.unreachable odd",
		"node.field_option trigger preset",
		"node.field_required form fields[0].key",
		"node.ref_not_upstream form fields[0].value",
		"node.ref_unknown_input form fields[0].value",
		"node.unknown_pipe form fields[0].value",
		"node.field_option loop2 fields[0].type",
	}
	for _, w := range want {
		if !containsStr(got, w) {
			t.Errorf("missing problem %q", w)
		}
	}
	if t.Failed() {
		t.Logf("got:\n%s", strings.Join(got, "\n"))
	}
}

// hasProblem reports whether ps holds a problem with the code on the field (of any node).
func hasProblem(ps Problems, code, field string) bool {
	return slices.ContainsFunc(ps, func(p Problem) bool { return p.Code == code && p.Field == field })
}

func containsStr(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestValidate_ProblemsSpeakTheUsersLanguage(t *testing.T) {
	f := mustParse(t, `{"schema":1,"nodes":[{"id":"trigger","kind":"webhook"},
	  {"id":"send","kind":"form_encode","name":"Lead fields","config":{"fields":[{"key":"","value":"x"}]}}],
	  "edges":[{"from":"trigger","to":"send"}]}`)
	ps := Validate(f, nil)
	if len(ps) != 1 {
		t.Fatalf("want one problem, got %v", ps)
	}
	p := ps[0]
	if p.Node != "send" || p.Field != "fields[0].key" || p.Code != CodeFieldRequired {
		t.Fatalf("problem = %+v", p)
	}
	if want := "Form Urlencoded 'Lead fields': Fields, row 1: Name is empty"; p.Message != want {
		t.Errorf("en = %q, want %q", p.Message, want)
	}
	if want := "Данные формы «Lead fields»: не заполнено поле «Поля, строка 1: Название»"; p.Text("ru") != want {
		t.Errorf("ru = %q, want %q", p.Text("ru"), want)
	}
}

func TestValidate_FlowLevelProblems(t *testing.T) {
	cases := []struct {
		name, src string
		want      []string
	}{
		{"no nodes", `{"schema":1,"nodes":[],"edges":[]}`, []string{"flow.no_nodes nodes"}},
		{"no trigger", `{"schema":1,"nodes":[{"id":"a","kind":"set","config":{"fields":[{"key":"a","value":"1"}]}}]}`, []string{"flow.no_trigger nodes"}},
		{"two triggers", `{"schema":1,"nodes":[{"id":"a","kind":"webhook"},{"id":"b","kind":"webhook"}]}`, []string{"flow.many_triggers nodes"}},
		{"newer format", `{"schema":2,"nodes":[{"id":"a","kind":"webhook"}]}`, []string{"flow.schema_version schema"}},
		{"self edge", `{"schema":1,"nodes":[{"id":"a","kind":"webhook"}],"edges":[{"from":"a","to":"a"}]}`, []string{"edge.self a edges"}},
		{"bad id", `{"schema":1,"nodes":[{"id":"a b","kind":"webhook"}]}`, []string{"node.id_invalid a b id"}},
		{"wrong config type", `{"schema":1,"nodes":[{"id":"a","kind":"webhook","config":{"fields":"x"}}]}`, []string{"node.config_type a fields"}},
		{"config not an object", `{"schema":1,"nodes":[{"id":"a","kind":"webhook","config":[1]}]}`, []string{"node.config_invalid a config"}},
		{"valid", `{"schema":1,"nodes":[{"id":"a","kind":"webhook"}]}`, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := problemKeys(Validate(mustParse(t, c.src), nil))
			if strings.Join(got, "|") != strings.Join(c.want, "|") {
				t.Errorf("got %q, want %q", got, c.want)
			}
		})
	}
}

func TestValidate_RequiredInputsNeedValues(t *testing.T) {
	f := mustParse(t, `{"schema":1,"inputs":[{"key":"api_key","label":"API key","required":true},{"key":"country","required":true,"default":"RU"},{"key":"sub"}],
	  "nodes":[{"id":"trigger","kind":"webhook"}]}`)
	if ps := Validate(f, nil); len(ps) != 0 {
		t.Fatalf("without values only the structure is checked, got %v", ps)
	}
	none := func(string) (string, bool) { return "", false }
	got := problemKeys(Validate(f, none))
	if strings.Join(got, "|") != "flow.input_missing inputs.api_key" {
		t.Fatalf("got %q", got)
	}
	some := func(k string) (string, bool) { return "k-1", k == "api_key" }
	if ps := Validate(f, some); len(ps) != 0 {
		t.Fatalf("got %v", ps)
	}
}

func TestValidate_BuiltInTemplatesAreValid(t *testing.T) {
	for _, tpl := range Templates() {
		if ps := Validate(tpl.Flow, nil); len(ps) > 0 {
			t.Errorf("%s: %v", tpl.ID, ps)
		}
	}
}
