package flows

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestFlowDocument_KeepsUnknownFieldsOnRoundTrip(t *testing.T) {
	src := `{"schema":1,"name":"n","x_flow":{"a":[1,2]},"inputs":[{"key":"k","x_input":"i"}],
	"nodes":[{"id":"trigger","kind":"webhook","x_node":true,"config":{"preset":"generic","x_config":5}}],
	"edges":[],"x_last":null}`
	f := mustParse(t, src)
	out, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"x_flow":{"a":[1,2]}`, `"x_input":"i"`, `"x_node":true`, `"x_config":5`, `"x_last":null`} {
		if !strings.Contains(string(out), want) {
			t.Errorf("export lost %s:\n%s", want, out)
		}
	}
	again, err := ParseFlow(out)
	if err != nil {
		t.Fatal(err)
	}
	out2, _ := json.Marshal(again)
	if string(out) != string(out2) {
		t.Errorf("second round trip changed the document:\n%s\n%s", out, out2)
	}
}

func TestFlowDocument_TemplatesExportStably(t *testing.T) {
	for _, tpl := range Templates() {
		t.Run(tpl.ID, func(t *testing.T) {
			got := indentJSON(t, tpl.Flow)
			golden(t, "export-"+tpl.ID+".json", got)
			back, err := ParseFlow(got)
			if err != nil {
				t.Fatal(err)
			}
			if again := indentJSON(t, back); string(again) != string(got) {
				t.Errorf("export → import → export changed the document")
			}
		})
	}
}

func TestParseFlow_ExplainsBrokenDocuments(t *testing.T) {
	cases := []struct {
		name, src, code, mention string
	}{
		{"syntax error names the line", "{\n\"name\": \"x\",\n\"nodes\": [,]\n}", CodeDocumentSyntax, "line 3"},
		{"truncated", `{"name": "x"`, CodeDocumentSyntax, "line"},
		{"wrong type", `{"name": 5}`, CodeDocumentType, "'name'"},
		{"wrong nested type", `{"nodes": [{"id": 1}]}`, CodeDocumentType, "nodes.id"},
		{"not an object", `[]`, CodeDocumentType, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseFlow([]byte(c.src))
			var p *Problem
			if !errors.As(err, &p) || p.Code != c.code {
				t.Fatalf("ParseFlow(%q) = %v, want problem %s", c.src, err, c.code)
			}
			if !strings.Contains(p.Error(), c.mention) {
				t.Errorf("message %q should mention %q", p.Error(), c.mention)
			}
			if p.Text("ru") == p.Text("en") {
				t.Errorf("no Russian text for %s", p.Code)
			}
		})
	}
	if _, err := ParseFlow(make([]byte, MaxDocumentBytes+1)); err == nil {
		t.Error("an oversized document was accepted")
	}
}

// A Russian user's flow from a built-in template has its steps and inputs named in Russian;
// an English user's is as the file says, and the template itself is left unchanged.
func TestFlowTemplate_InRussianNamesStepsAndInputs(t *testing.T) {
	for _, tpl := range Templates() {
		t.Run(tpl.ID, func(t *testing.T) {
			before := string(indentJSON(t, tpl.Flow))
			ru := tpl.In("ru").Flow
			for i, n := range ru.Nodes {
				if n.Name == tpl.Flow.Nodes[i].Name || !hasCyrillic(n.Name) {
					t.Errorf("step %s is named %q in Russian", n.ID, n.Name)
				}
			}
			for i, in := range ru.Inputs {
				if !hasCyrillic(in.Label) || in.Label == tpl.Flow.Inputs[i].Label {
					t.Errorf("input %s is labelled %q in Russian", in.Key, in.Label)
				}
			}
			// The fields the trigger declares are labelled in Russian too (the sample form shows them).
			var trigger struct {
				Fields []struct{ Key, Label string }
			}
			if err := json.Unmarshal(ru.Nodes[0].Config, &trigger); err != nil {
				t.Fatal(err)
			}
			for _, f := range trigger.Fields {
				if f.Label != "" && f.Label != "Email" && !hasCyrillic(f.Label) && !strings.HasPrefix(f.Label, "utm_") {
					t.Errorf("the trigger's field %s is labelled %q in Russian", f.Key, f.Label)
				}
			}
			if en := tpl.In("en").Flow; en.Nodes[0].Name != tpl.Flow.Nodes[0].Name {
				t.Errorf("English changed: %q", en.Nodes[0].Name)
			}
			if after := string(indentJSON(t, tpl.Flow)); after != before {
				t.Error("making the Russian flow changed the template")
			}
		})
	}
}

func hasCyrillic(s string) bool {
	for _, r := range s {
		if r >= 'А' && r <= 'я' || r == 'ё' || r == 'Ё' {
			return true
		}
	}
	return false
}
