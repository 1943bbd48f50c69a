package flows

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
)

// filterTestFlow is webhook → f (filter with the given config) → next (set), plus a "no" step
// on the false branch when withFalse is set.
func filterTestFlow(t *testing.T, config string, withFalse bool) *Flow {
	t.Helper()
	nodes := `{"id":"trigger","kind":"webhook"},{"id":"f","kind":"filter","config":` + config + `},
	  {"id":"next","kind":"set","config":{"fields":[{"key":"ok","value":"yes"}]}}`
	edges := `{"from":"trigger","to":"f"},{"from":"f","to":"next"}`
	if withFalse {
		nodes += `,{"id":"no","kind":"set","config":{"fields":[{"key":"ok","value":"no"}]}}`
		edges = `{"from":"trigger","to":"f"},{"from":"f","to":"next","branch":"true"},{"from":"f","to":"no","branch":"false"}`
	}
	return mustParse(t, `{"schema":1,"name":"filter","inputs":[{"key":"min","default":"1000"}],"nodes":[`+nodes+`],"edges":[`+edges+`]}`)
}

func runFilter(t *testing.T, f *Flow, query string) (*Trace, *StepTrace) {
	t.Helper()
	tr, err := Run(context.Background(), f, queryPayload(query), fixedEnv(nil))
	if err != nil {
		t.Fatal(err)
	}
	st, _ := tr.Step("f")
	return tr, st
}

func ruleConfig(match string, rules ...[3]string) string {
	var rs []map[string]string
	for _, r := range rules {
		rs = append(rs, map[string]string{"left": r[0], "op": r[1], "right": r[2]})
	}
	data, _ := json.Marshal(map[string]any{"match": match, "rules": rs})
	return string(data)
}

func TestFilter_RulesCompareTextNumbersAndPatterns(t *testing.T) {
	for _, c := range []struct {
		query       string
		left, op    string
		right       string
		pass        bool
		logContains string
	}{
		{"email=anna%40gmail.com", "{{trigger.params.email}}", "contains", "gmail", true, "rule 1: 'anna@gmail.com' contains 'gmail' → yes"},
		{"email=anna%40GMAIL.com", "{{trigger.params.email}}", "contains", "gmail", true, "→ yes"},
		{"email=anna%40mail.ru", "{{trigger.params.email}}", "contains", "gmail", false, "→ no"},
		{"email=anna%40mail.ru", "{{trigger.params.email}}", "not_contains", "gmail", true, "does not contain 'gmail' → yes"},
		{"status=Paid+", "{{trigger.params.status}}", "equals", "paid", true, "'Paid ' equals 'paid' → yes"},
		{"status=new", "{{trigger.params.status}}", "equals", "paid", false, ""},
		{"status=new", "{{trigger.params.status}}", "not_equals", "paid", true, ""},
		{"phone=%2B79991234567", "{{trigger.params.phone}}", "starts_with", "+7", true, ""},
		{"email=a%40b.ru", "{{trigger.params.email}}", "ends_with", ".RU", true, ""},
		{"email=", "{{trigger.params.email}}", "is_empty", "", true, "rule 1: '' is empty → yes"},
		{"", "{{trigger.params.email}}", "is_empty", "", true, ""},
		{"email=+", "{{trigger.params.email}}", "not_empty", "", false, "is not empty → no"},
		{"cost=1+990+%D1%80%D1%83%D0%B1.", "{{trigger.params.cost}}", "gt", "1000", true, "rule 1: '1 990 руб.' (1990) > 1000 → yes"},
		{"cost=990", "{{trigger.params.cost}}", "gt", "1000", false, "990 > 1000 → no"},
		{"cost=1000", "{{trigger.params.cost}}", "gte", "{{inputs.min}}", true, "1000 ≥ 1000 → yes"},
		{"cost=1000", "{{trigger.params.cost}}", "lt", "1 000,50", true, "1000 < '1 000,50' (1000.5) → yes"},
		{"cost=12,5", "{{trigger.params.cost}}", "lte", "12.5", true, ""},
		{"cost=free", "{{trigger.params.cost}}", "gt", "0", false, "'free' is not a number"},
		{"phone=8+(999)+123-45-67", "{{trigger.params.phone}}", "matches", `^[78]\D*9\d\d`, true, "matches"},
		{"email=Anna%40Gmail.com", "{{trigger.params.email}}", "matches", `/^anna@gmail\.com$/i`, true, ""},
		{"email=Anna%40Gmail.com", "{{trigger.params.email}}", "matches", `^anna@gmail\.com$`, false, ""},
		{"tag=vip&tag=new", "{{trigger.query.tag}}", "contains", "VIP", true, ""},
		{"tag=vipclub", "{{trigger.query.tag}}", "contains", "vip", true, ""},
		{"pattern=%5Ea&v=abc", "{{trigger.params.v}}", "matches", "{{trigger.params.pattern}}", true, ""},
	} {
		t.Run(c.query+" "+c.op+" "+c.right, func(t *testing.T) {
			tr, st := runFilter(t, filterTestFlow(t, ruleConfig("all", [3]string{c.left, c.op, c.right}), false), c.query)
			wantRun, wantStep := StatusFiltered, StatusFiltered
			if c.pass {
				wantRun, wantStep = StatusSuccess, StatusSuccess
			}
			if tr.Status != wantRun || st.Status != wantStep {
				t.Fatalf("run %s step %s (%s), logs %q", tr.Status, st.Status, st.Error, st.Logs)
			}
			if logs := strings.Join(st.Logs, "\n"); !strings.Contains(logs, c.logContains) {
				t.Fatalf("logs %q do not say %q", logs, c.logContains)
			}
		})
	}
}

func TestFilter_FalseStopsTheRunAsFilteredNotFailed(t *testing.T) {
	tr, st := runFilter(t, filterTestFlow(t, ruleConfig("all", [3]string{"{{trigger.params.sum}}", "gt", "1000"}), false), "sum=10")
	if tr.Status != StatusFiltered || tr.Error != nil || st.Status != StatusFiltered || st.Branch != "false" {
		t.Fatalf("run %s (%v), step %s branch %q", tr.Status, tr.Error, st.Status, st.Branch)
	}
	if next, _ := tr.Step("next"); next.Status != StatusSkipped {
		t.Fatalf("next %s", next.Status)
	}
	if want := "rule 1 does not hold, so the condition is false"; st.Logs[len(st.Logs)-1] != want {
		t.Fatalf("logs %q", st.Logs)
	}
}

func TestFilter_FalseBranchIsFollowedWhenConnected(t *testing.T) {
	f := filterTestFlow(t, ruleConfig("all", [3]string{"{{trigger.params.sum}}", "gt", "1000"}), true)
	for _, c := range []struct{ query, ran, skipped string }{{"sum=10", "no", "next"}, {"sum=5000", "next", "no"}} {
		tr, st := runFilter(t, f, c.query)
		if tr.Status != StatusSuccess || st.Status != StatusSuccess {
			t.Fatalf("%s: run %s step %s", c.query, tr.Status, st.Status)
		}
		ran, _ := tr.Step(c.ran)
		skipped, _ := tr.Step(c.skipped)
		if ran.Status != StatusSuccess || skipped.Status != StatusSkipped {
			t.Fatalf("%s: %s is %s, %s is %s", c.query, c.ran, ran.Status, c.skipped, skipped.Status)
		}
	}
}

func TestFilter_AllAndAnySayWhichRuleDecided(t *testing.T) {
	rules := [][3]string{
		{"{{trigger.params.email}}", "contains", "gmail"},
		{"{{trigger.params.sum}}", "gt", "1000"},
		{"{{trigger.params.city}}", "equals", "Moscow"},
	}
	for _, c := range []struct {
		match, query string
		pass         bool
		logs         []string
	}{
		{"all", "email=a%40gmail.com&sum=5000&city=moscow", true, []string{
			"rule 1: 'a@gmail.com' contains 'gmail' → yes", "rule 2: 5000 > 1000 → yes", "rule 3: 'moscow' equals 'Moscow' → yes",
			"all 3 rules hold, so the condition is true"}},
		{"all", "email=a%40gmail.com&sum=10&city=moscow", false, []string{
			"rule 1: 'a@gmail.com' contains 'gmail' → yes", "rule 2: 10 > 1000 → no", "rule 2 does not hold, so the condition is false"}},
		{"any", "email=a%40mail.ru&sum=5000", true, []string{
			"rule 1: 'a@mail.ru' contains 'gmail' → no", "rule 2: 5000 > 1000 → yes", "rule 2 holds, so the condition is true"}},
		{"any", "email=a%40mail.ru&sum=1&city=Paris", false, []string{
			"rule 1: 'a@mail.ru' contains 'gmail' → no", "rule 2: 1 > 1000 → no", "rule 3: 'Paris' equals 'Moscow' → no",
			"no rule holds, so the condition is false"}},
	} {
		tr, st := runFilter(t, filterTestFlow(t, ruleConfig(c.match, rules...), false), c.query)
		if (tr.Status == StatusSuccess) != c.pass {
			t.Fatalf("%s %s: run %s", c.match, c.query, tr.Status)
		}
		if strings.Join(st.Logs, "\n") != strings.Join(c.logs, "\n") {
			t.Fatalf("%s %s: logs\n%s\nwant\n%s", c.match, c.query, strings.Join(st.Logs, "\n"), strings.Join(c.logs, "\n"))
		}
	}
}

func TestFilter_OutputIsTheInputUnchanged(t *testing.T) {
	tr, st := runFilter(t, filterTestFlow(t, ruleConfig("all", [3]string{"{{trigger.params.a}}", "not_empty", ""}), false), "a=1&b=2")
	trig, _ := tr.Step("trigger")
	if asJSON(t, st.Output) != asJSON(t, trig.Output) {
		t.Fatalf("output %v", st.Output)
	}
	next, _ := tr.Step("next")
	if asJSON(t, next.Input) != asJSON(t, trig.Output) {
		t.Fatalf("next's input %v", next.Input)
	}
}

func TestFilter_ExpressionSeesStepsTriggerInputsAndInput(t *testing.T) {
	f := mustParse(t, `{"schema":1,"inputs":[{"key":"min","default":"1000"}],"nodes":[{"id":"trigger","kind":"webhook"},
	  {"id":"lead","kind":"set","config":{"fields":[{"key":"sum","value":"{{trigger.params.sum}}","type":"number"}]}},
	  {"id":"f","kind":"filter","config":{"expression":"lead.sum >= Number(inputs.min) && input === steps.lead && trigger.params.email.endsWith('@gmail.com') && typeof nothing === 'undefined';"}},
	  {"id":"next","kind":"set","config":{"fields":[{"key":"ok","value":"yes"}]}}],
	  "edges":[{"from":"trigger","to":"lead"},{"from":"lead","to":"f"},{"from":"f","to":"next"}]}`)
	for _, c := range []struct {
		query  string
		status string
	}{{"sum=1500&email=a%40gmail.com", StatusSuccess}, {"sum=999&email=a%40gmail.com", StatusFiltered}, {"sum=1500&email=a%40mail.ru", StatusFiltered}} {
		tr, st := runFilter(t, f, c.query)
		if tr.Status != c.status {
			t.Fatalf("%s: run %s (%s) logs %q", c.query, tr.Status, st.Error, st.Logs)
		}
		want := "gives true, so the condition is true"
		if c.status != StatusSuccess {
			want = "gives false, so the condition is false"
		}
		if !strings.Contains(st.Logs[len(st.Logs)-1], want) {
			t.Fatalf("logs %q", st.Logs)
		}
	}
}

func TestFilter_ExpressionErrorsFailTheStep(t *testing.T) {
	for _, c := range []struct{ expr, says string }{
		{"input.params.missing.length > 1", "TypeError: Cannot read property 'length' of undefined"},
		{"(() => { while (true) {} })()", "ran longer than 1000 ms"},
	} {
		tr, st := runFilter(t, filterTestFlow(t, `{"expression":`+jsQuote(c.expr)+`}`, false), "a=1")
		if tr.Status != StatusFailed || st.ErrorCode != CodeFilterError || !strings.Contains(st.Error, c.says) {
			t.Fatalf("%s: run %s step %s %s", c.expr, tr.Status, st.ErrorCode, st.Error)
		}
		if !strings.HasPrefix(st.Error, "Condition 'f': the condition cannot be checked: ") {
			t.Fatalf("error %q", st.Error)
		}
	}
}

func TestFilter_ProblemsAreFoundAtBuild(t *testing.T) {
	for _, c := range []struct {
		name, config string
		want         []string // code@field
	}{
		{"nothing to check", `{}`, []string{CodeFilterEmpty + "@rules"}},
		{"rules and an expression", `{"rules":[{"left":"{{trigger.params.a}}","op":"is_empty"}],"expression":"true"}`, []string{CodeFilterBoth + "@expression"}},
		{"broken pattern", ruleConfig("all", [3]string{"{{trigger.params.a}}", "matches", "(unclosed"}), []string{CodeRegexInvalid + "@rules[0].right"}},
		{"no value to compare with", ruleConfig("all", [3]string{"{{trigger.params.a}}", "contains", " "}), []string{CodeFilterValueMissing + "@rules[0].right"}},
		{"unknown check", ruleConfig("all", [3]string{"{{trigger.params.a}}", "looks_like", "x"}), []string{CodeFieldOption + "@rules[0].op"}},
		{"no value to check", ruleConfig("all", [3]string{"", "equals", "x"}), []string{CodeFieldRequired + "@rules[0].left"}},
		{"number check against text", ruleConfig("any", [3]string{"{{trigger.params.a}}", "gt", "many"}), []string{CodeFilterNotNumber + "@rules[0].right"}},
		{"reference to a later step", ruleConfig("all", [3]string{"{{next.ok}}", "equals", "yes"}), []string{CodeRefNotUpstream + "@rules[0].left"}},
		{"match must be all or any", `{"match":"some","expression":"true"}`, []string{CodeFieldOption + "@match"}},
		{"expression syntax", `{"expression":"a ==== b"}`, []string{CodeScriptSyntax + "@expression"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, problems := Compile(filterTestFlow(t, c.config, false))
			var got []string
			for _, p := range problems {
				got = append(got, p.Code+"@"+p.Field)
				if p.Node != "f" || !strings.HasPrefix(p.Message, "Condition 'f': ") || strings.Contains(p.Text("ru"), "{") {
					t.Errorf("problem %+v (ru %q)", p, p.Text("ru"))
				}
			}
			if strings.Join(got, ",") != strings.Join(c.want, ",") {
				t.Fatalf("problems %v, want %v", problems, c.want)
			}
		})
	}
}

func TestFilter_ProblemSentencesNameTheRule(t *testing.T) {
	_, problems := Compile(filterTestFlow(t, ruleConfig("all",
		[3]string{"{{trigger.params.a}}", "equals", "x"},
		[3]string{"{{trigger.params.a}}", "matches", "(x"}), false))
	if len(problems) != 1 {
		t.Fatal(problems)
	}
	if en := problems[0].Message; en != "Condition 'f': Rules, row 2: Compare with: the pattern '(x' is not a valid regular expression" {
		t.Fatalf("en %q", en)
	}
	if ru := problems[0].Text("ru"); ru != "Условие «f»: Правила, строка 2: С чем сравнить: шаблон «(x» — неверное регулярное выражение" {
		t.Fatalf("ru %q", ru)
	}
}

// A preview's reader reads each rule's check in their language: the words of the check, the
// verdict, the prefix of a router's route and the JavaScript condition's conclusion.
func TestFilter_RuleLinesAreInTheReadersLanguage(t *testing.T) {
	for _, c := range []struct {
		name, config, query string
		en, ru              string
	}{
		{"text", ruleConfig("all", [3]string{"{{trigger.params.email}}", "contains", "gmail"}), "email=anna%40mail.ru",
			"rule 1: 'anna@mail.ru' contains 'gmail' → no", "правило 1: 'anna@mail.ru' содержит 'gmail' → нет"},
		{"not a number", ruleConfig("all", [3]string{"{{trigger.params.cost}}", "gt", "0"}), "cost=free",
			"rule 1: 'free' > 0 ('free' is not a number) → no", "правило 1: 'free' > 0 ('free' — не число) → нет"},
		{"empty", ruleConfig("all", [3]string{"{{trigger.params.email}}", "is_empty", ""}), "email=",
			"rule 1: '' is empty → yes", "правило 1: '' пусто → да"},
	} {
		t.Run(c.name, func(t *testing.T) {
			for lang, want := range map[string]string{"en": c.en, "ru": c.ru} {
				env := fixedEnv(nil)
				env.Lang = lang
				tr, err := Run(context.Background(), filterTestFlow(t, c.config, false), queryPayload(c.query), env)
				if err != nil {
					t.Fatal(err)
				}
				st, _ := tr.Step("f")
				if logs := strings.Join(st.Logs, "\n"); !strings.Contains(logs, want) {
					t.Errorf("%s: logs %q do not say %q", lang, logs, want)
				}
			}
		})
	}
}
