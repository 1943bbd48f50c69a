package flows

import (
	"encoding/json"
	"strings"
	"testing"
)

// The rule checks are shared by the filter and the HTTP success rule; these tables pin what each
// check means on the values either of them sees (text, numbers written by people, JSON values).

func TestRules_EachCheckMeansTheSameOnAnyValue(t *testing.T) {
	for _, c := range []struct {
		left  any
		op    string
		right any
		want  bool
		shown string
	}{
		{"success", "equals", "success", true, "'success' equals 'success'"},
		{" Success ", "equals", "success", true, ""},
		{"error", "equals", "success", false, ""},
		{"error", "not_equals", "success", true, "'error' does not equal 'success'"},
		{true, "equals", "true", true, ""},
		{json.Number("200"), "equals", "200", true, ""},
		{"anna@GMAIL.com", "contains", "gmail", true, ""},
		{[]any{"vip", "new"}, "contains", "VIP", true, ""},
		{[]any{"vipclub"}, "contains", "vip", false, ""},
		{"anna@mail.ru", "not_contains", "gmail", true, ""},
		{"+79991234567", "starts_with", "+7", true, ""},
		{"a@b.ru", "ends_with", ".RU", true, ""},
		{nil, "is_empty", nil, true, "'' is empty"},
		{"  ", "is_empty", nil, true, ""},
		{map[string]any{}, "is_empty", nil, true, ""},
		{false, "is_empty", nil, false, ""},
		{"x", "not_empty", nil, true, "'x' is not empty"},
		{[]any{}, "not_empty", nil, false, ""},
		{"1 990 руб.", "gt", "1000", true, "'1 990 руб.' (1990) > 1000"},
		{json.Number("990"), "gt", "1000", false, "990 > 1000"},
		{"1000", "gte", "1000", true, ""},
		{"1000", "lt", "1 000,50", true, ""},
		{"12,5", "lte", "12.5", true, ""},
		{"free", "gt", "0", false, "'free' > 0 ('free' is not a number)"},
		{nil, "lt", "5", false, ""},
		{"8 (999) 123-45-67", "matches", `^[78]\D*9\d\d`, true, ""},
		{"Anna@Gmail.com", "matches", `/^anna@gmail\.com$/i`, true, ""},
		{"Anna@Gmail.com", "matches", `^anna@gmail\.com$`, false, ""},
	} {
		t.Run(Stringify(c.left)+" "+c.op+" "+Stringify(c.right), func(t *testing.T) {
			ok, shown, err := checkRule(builtRule{op: c.op}, c.left, c.right, "en")
			if err != nil {
				t.Fatal(err)
			}
			if ok != c.want {
				t.Errorf("got %t, want %t (%s)", ok, c.want, shown)
			}
			if c.shown != "" && shown != c.shown {
				t.Errorf("shown %q, want %q", shown, c.shown)
			}
		})
	}
}

func TestRules_APatternThatIsNotARegularExpressionIsAnErrorNotAFalse(t *testing.T) {
	if _, _, err := checkRule(builtRule{op: "matches"}, "abc", "(x", "en"); err == nil || !strings.Contains(err.Error(), "not a valid regular expression") {
		t.Fatalf("err %v", err)
	}
	if _, _, err := checkRule(builtRule{op: "looks_like"}, "abc", "x", "en"); err == nil {
		t.Fatal("an unknown check passed")
	}
}

func TestRules_AFailedRuleIsSaidInWordsInBothLanguages(t *testing.T) {
	rule := func(left, op, right string) builtRule { return builtRule{op: op, row: ruleRow{left, op, right}} }
	for _, c := range []struct {
		name   string
		failed []failedRule
		en, ru string
	}{
		{"a JSON field that differs", []failedRule{{rule("status", "equals", "success"), "error", "success"}},
			"the answer's status is not 'success' (it is 'error')", "поле ответа «status» не равно «success» (в ответе «error»)"},
		{"a field the answer does not have", []failedRule{{rule("result.success", "equals", "true"), nil, "true"}},
			"the answer's result.success is not 'true' (there is no such field)", "поле ответа «result.success» не равно «true» (такого поля нет)"},
		{"the HTTP status", []failedRule{{rule("response.status", "lt", "300"), json.Number("301"), "300"}},
			"the HTTP status is not less than '300' (it is '301')", "значение HTTP-статуса не меньше «300» (в ответе «301»)"},
		{"the answer's text", []failedRule{{rule("response.body", "contains", "OK"), "FAIL", "OK"}},
			"the answer's text does not contain 'OK' (it is 'FAIL')", "содержимое ответа не содержит «OK» (в ответе «FAIL»)"},
		{"a field that must be empty", []failedRule{{rule("error", "is_empty", ""), "Invalid key", ""}},
			"the answer's error is not empty", "поле ответа «error» не пусто"},
		{"any: every rule is named", []failedRule{
			{rule("status", "equals", "success"), "error", "success"},
			{rule("code", "equals", "ok"), "fail", "ok"}},
			"the answer's status is not 'success' (it is 'error') and the answer's code is not 'ok' (it is 'fail')",
			"поле ответа «status» не равно «success» (в ответе «error») и поле ответа «code» не равно «ok» (в ответе «fail»)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := answerRulesFailed(c.failed)
			if got.In("en") != c.en {
				t.Errorf("en %q\nwant %q", got.In("en"), c.en)
			}
			if got.In("ru") != c.ru {
				t.Errorf("ru %q\nwant %q", got.In("ru"), c.ru)
			}
		})
	}
}

func TestRules_EveryCheckHasWordsForLogsAndFailures(t *testing.T) {
	for _, op := range ruleOps {
		if words := T("log.rule.op." + op); words.In("en") == "" || words.In("ru") == "" || ruleFailWords[op].In("en") == "" || ruleFailWords[op].In("ru") == "" {
			t.Errorf("%s: log words %+v, failure words %+v", op, words, ruleFailWords[op])
		}
	}
}

func TestRules_ProblemsNameTheCheckInTheReadersLanguage(t *testing.T) {
	for _, c := range []struct {
		rule   [3]string
		en, ru string
	}{
		{[3]string{"{{trigger.params.a}}", "contains", ""}, "the check 'contains' needs a value", "для проверки «содержит» нужно значение"},
		{[3]string{"{{trigger.params.a}}", "gte", "many"}, "'many' is not a number, so 'is at least' cannot compare with it", "«many» — не число, поэтому проверка «больше или равно» с ним не сравнит"},
	} {
		_, problems := Compile(filterTestFlow(t, ruleConfig("all", c.rule), false))
		if len(problems) != 1 {
			t.Fatalf("%v: %v", c.rule, problems)
		}
		if en, ru := problems[0].Message, problems[0].Text("ru"); !strings.Contains(en, c.en) || !strings.Contains(ru, c.ru) {
			t.Errorf("%v:\nen %q\nru %q", c.rule, en, ru)
		}
	}
}
