package flows

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func testScope() *Scope {
	trigger := map[string]any{"params": map[string]any{
		"email": "Anna@Example.RU ", "phone": "+7 (916) 123-45-67", "cost": "1 990 руб.", "cost_frac": "1 990,50 руб.",
		"name": "Анна", "markup": `<b>Ann & Co</b> "VIP"`, "empty": "", "dotted.key": "dk", "list": []any{"a", "b"}, "when": "2024-03-05 10:15:00",
	}}
	return NewScope(map[string]any{
		"trigger": trigger,
		"inputs":  map[string]any{"country": "RU", "blank": ""},
		"send":    map[string]any{"status": json.Number("200"), "json": map[string]any{"msg": "ok", "id": json.Number("12345678901234567890")}},
		"obj":     map[string]any{"a": json.Number("1")},
	}, func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) })
}

func TestTemplate_RendersReferencesAndPipes(t *testing.T) {
	cases := []struct {
		name, src, want string
	}{
		{"plain text stays", "hello", "hello"},
		{"reference", "{{trigger.params.name}}", "Анна"},
		{"text around references", "Hi, {{trigger.params.name}}! ({{inputs.country}})", "Hi, Анна! (RU)"},
		{"spaces inside braces", "{{  trigger.params.name  }}", "Анна"},
		{"bracket key with a dot", `{{trigger.params["dotted.key"]}}`, "dk"},
		{"list index", "{{trigger.params.list[1]}} {{trigger.params.list.0}}", "b a"},
		{"steps root", "{{steps.send.status}}", ""},
		{"big number stays exact", "{{send.json.id}}", "12345678901234567890"},
		{"trim lower", "{{trigger.params.email | trim | lower}}", "anna@example.ru"},
		{"upper", "{{inputs.country | lower | upper}}", "RU"},
		{"digits of a phone", "{{trigger.params.phone | digits}}", "79161234567"},
		{"number from GetCourse cost", "{{trigger.params.cost | number}}", "1990"},
		{"number with decimal comma", "{{trigger.params.cost_frac | number}}", "1990.5"},
		{"default on missing", `{{trigger.params.nope | default:"RU"}}`, "RU"},
		{"default on empty", `{{trigger.params.empty | default:'x'}}`, "x"},
		{"default from a reference", `{{inputs.blank | default:inputs.country}}`, "RU"},
		{"default keeps a value", `{{inputs.country | default:"KZ"}}`, "RU"},
		{"urlencode", "{{trigger.params.phone | urlencode}}", "%2B7+%28916%29+123-45-67"},
		{"base64", "{{inputs.country | base64}}", "UlU="},
		{"html escapes a name that looks like markup", "<b>{{trigger.params.markup | html}}</b>", "<b>&lt;b&gt;Ann &amp; Co&lt;/b&gt; &quot;VIP&quot;</b>"},
		{"html leaves plain text alone", "{{trigger.params.name | html}}", "Анна"},
		{"html of a missing value is empty", "[{{trigger.params.nope | html}}]", "[]"},
		{"json of text", "{{trigger.params.name | json}}", `"Анна"`},
		{"object becomes JSON", "{{obj}}", `{"a":1}`},
		{"json then base64", "{{obj | json | base64}}", "eyJhIjoxfQ=="},
		{"date to unix", `{{trigger.params.when | date:"unix"}}`, "1709633700"},
		{"date pattern", `{{trigger.params.when | date:"DD.MM.YYYY"}}`, "05.03.2024"},
		{"now", `{{now | date:"YYYY-MM-DD"}}`, "2026-01-02"},
		{"quoted literal", `{{"a|b" | upper}}`, "A|B"},
		{"braces in a quoted argument", `{{trigger.params.nope | default:"}}"}}`, "}}"},
		{"missing is empty", "[{{trigger.params.nope}}]", "[]"},
		{"missing root is empty", "[{{ghost.x}}]", "[]"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tpl, err := ParseTemplate(c.src)
			if err != nil {
				t.Fatalf("parse %q: %v", c.src, err)
			}
			if got := tpl.Render(testScope()); got != c.want {
				t.Errorf("Render(%q) = %q, want %q", c.src, got, c.want)
			}
		})
	}
}

func TestTemplate_SingleReferenceKeepsType(t *testing.T) {
	tpl, _ := ParseTemplate("{{obj}}")
	if _, ok := tpl.Value(testScope()).(map[string]any); !ok {
		t.Fatalf("Value of a single reference should be the object, got %T", tpl.Value(testScope()))
	}
	tpl, _ = ParseTemplate(" {{obj}}")
	if _, ok := tpl.Value(testScope()).(string); !ok {
		t.Fatalf("Value of text with a reference should be text")
	}
}

func TestTemplate_MissingValuesAreNotedNotFatal(t *testing.T) {
	s := testScope()
	tpl, _ := ParseTemplate("{{trigger.params.phone2}} {{ghost.x}} {{trigger.params.nope | default:\"x\"}} {{trigger.params.name | number}}")
	tpl.Render(s)
	notes := strings.Join(s.TakeNotes(), "\n")
	for _, want := range []string{`trigger.params has no "phone2"`, `"ghost" has not run`, `has no number in it`} {
		if !strings.Contains(notes, want) {
			t.Errorf("notes %q lack %q", notes, want)
		}
	}
	if strings.Contains(notes, "nope") {
		t.Errorf("a missing value with a default must not be noted: %q", notes)
	}
}

func TestTemplate_ParseErrorsAreExplained(t *testing.T) {
	cases := []struct{ src, want string }{
		{"{{trigger.params.name", "no closing"},
		{"{{}}", "nothing to insert"},
		{"{{x | shout}}", `unknown function "shout"`},
		{"{{x | }}", "empty function"},
		{"{{a..b}}", "unexpected '.'"},
		{`{{a["b}}`, "no closing"},
		{"{{a[x]}}", "write a number"},
	}
	for _, c := range cases {
		_, err := ParseTemplate(c.src)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ParseTemplate(%q) error = %v, want it to mention %q", c.src, err, c.want)
		}
	}
}

func TestParseNumber_ReadsNumbersAsPeopleWriteThem(t *testing.T) {
	cases := []struct {
		in   string
		want string
		ok   bool
	}{
		{"1 990 руб.", "1990", true},
		{"1 990,50 руб.", "1990.5", true},
		{"1\u00a0990\u00a0₽", "1990", true},
		{"1,990.50", "1990.5", true},
		{"1.990,50", "1990.5", true},
		{"12", "12", true},
		{"$12.5", "12.5", true},
		{"-5 руб", "-5", true},
		{"1,5", "1.5", true},
		{"1,000,000", "1000000", true},
		{"Итого: 300 руб. (скидка 10%)", "300", true},
		{"бесплатно", "", false},
		{"", "", false},
	}
	for _, c := range cases {
		got, ok := ParseNumber(c.in)
		if ok != c.ok || string(got) != c.want {
			t.Errorf("ParseNumber(%q) = %q, %v; want %q, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}
