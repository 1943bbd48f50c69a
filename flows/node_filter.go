package flows

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// filter lets a run continue only when a condition holds: simple rules ("email contains gmail",
// "sum > 1000") or one JavaScript expression. Its output is its input, unchanged. When the
// condition is false the run stops as "filtered" (not failed), unless a connection marked with
// branch "false" leaves the filter, in which case the run goes on there.
//
// Text checks ignore letter case and spaces at both ends ("Paid " equals "paid"); matches uses a
// regular expression as written (add (?i) or /…/i to ignore case). Number checks read numbers
// the way people write them: "1 990 руб." > 1000.

type filterConfig struct {
	Match      string       `json:"match"`
	Rules      []filterRule `json:"rules"`
	Expression string       `json:"expression"`
}

type filterRule struct {
	Left  string `json:"left"`
	Op    string `json:"op"`
	Right string `json:"right"`
}

// filterOps are the checks of a rule, in the order the editor lists them.
var filterOps = []string{"equals", "not_equals", "contains", "not_contains", "starts_with", "ends_with",
	"is_empty", "not_empty", "matches", "gt", "gte", "lt", "lte"}

// filterOpLabels name the checks in the editor's list.
var filterOpLabels = map[string]Text{
	"equals": {"equals", "равно"}, "not_equals": {"does not equal", "не равно"},
	"contains": {"contains", "содержит"}, "not_contains": {"does not contain", "не содержит"},
	"starts_with": {"starts with", "начинается с"}, "ends_with": {"ends with", "заканчивается на"},
	"is_empty": {"is empty", "пусто"}, "not_empty": {"is not empty", "не пусто"},
	"matches": {"matches a pattern (regular expression)", "подходит под шаблон (регулярное выражение)"},
	"gt":      {"greater than", "больше"}, "gte": {"greater than or equal", "больше или равно"},
	"lt": {"less than", "меньше"}, "lte": {"less than or equal", "меньше или равно"},
}

// filterOpWords is how a rule reads in the step's log: "'gmail.com' contains 'gmail' → yes".
var filterOpWords = map[string]string{
	"equals": "equals", "not_equals": "does not equal", "contains": "contains", "not_contains": "does not contain",
	"starts_with": "starts with", "ends_with": "ends with", "is_empty": "is empty", "not_empty": "is not empty",
	"matches": "matches", "gt": ">", "gte": "≥", "lt": "<", "lte": "≤",
}

func init() {
	Register(KindSpec[filterConfig]{
		Name:  "filter",
		Title: Text{"Condition", "Условие"},
		Help: Text{
			"Lets the run continue only when the data meets the rules; otherwise the run stops as filtered (not failed), or goes on along the connection marked 'false'. Passes its input on unchanged.",
			"Пропускает выполнение дальше, только если данные подходят под правила; иначе выполнение останавливается как отфильтрованное (не ошибка) или идёт по связи «false». Передаёт входные данные дальше без изменений.",
		},
		Fields: []Field{
			{Key: "match", Type: FieldSelect, Label: Text{"Pass when", "Пропускать, если"}, Options: []string{"all", "any"}, Default: "all",
				OptionLabels: map[string]Text{"all": {"all rules hold", "выполнены все правила"}, "any": {"any rule holds", "выполнено любое правило"}}},
			{Key: "rules", Type: FieldList, Label: Text{"Rules", "Правила"},
				Help: Text{
					"Text checks ignore letter case and spaces at the ends; > ≥ < ≤ read numbers from text (\"1 990 руб.\" is 1990); matches takes a regular expression",
					"Текстовые проверки не различают заглавные и строчные буквы и пробелы по краям; > ≥ < ≤ читают числа из текста («1 990 руб.» — это 1990); «подходит под шаблон» принимает регулярное выражение",
				},
				Fields: []Field{
					{Key: "left", Type: FieldString, Label: Text{"Value", "Значение"}, Required: true, Template: true,
						Help: Text{"What to check, e.g. {{trigger.params.email}}", "Что проверять, например {{trigger.params.email}}"}},
					{Key: "op", Type: FieldSelect, Label: Text{"Check", "Проверка"}, Required: true, Options: filterOps, Default: "equals", OptionLabels: filterOpLabels},
					{Key: "right", Type: FieldString, Label: Text{"Compare with", "С чем сравнить"}, Template: true,
						Help: Text{"Text, a number or a reference; not needed for is_empty and not_empty", "Текст, число или подстановка; для проверок «пусто» и «не пусто» не нужно"}},
				}},
			{Key: "expression", Type: FieldCode, Label: Text{"Or a JavaScript expression", "Или выражение JavaScript"},
				Help: Text{
					"Instead of rules: one expression that is true or false. Step ids, trigger, inputs, steps and input are names in it: trigger.params.sum > 1000 && input.status == \"paid\"",
					"Вместо правил: одно выражение, истинное или ложное. В нём доступны ID шагов, «trigger», «inputs», «steps» и «input»: «trigger.params.sum > 1000 && input.status == \"paid\"»",
				}},
		},
		Build: buildFilter,
	})
}

type filterStep struct {
	any   bool
	rules []builtRule
	expr  *script
	src   string // the expression as written
}

type builtRule struct {
	op          string
	left, right *Template
	re          *regexp.Regexp // matches with a constant pattern
}

func buildFilter(b *Builder, cfg *filterConfig) Step {
	st := &filterStep{any: cfg.Match == "any"}
	expr := strings.TrimRight(strings.TrimSpace(cfg.Expression), "; \t\r\n")
	switch {
	case expr == "" && len(cfg.Rules) == 0:
		b.Problem("rules", CodeFilterEmpty, nil)
	case expr != "" && len(cfg.Rules) > 0:
		b.Problem("expression", CodeFilterBoth, nil)
	}
	for i, r := range cfg.Rules {
		field := fmt.Sprintf("rules[%d]", i)
		br := builtRule{op: r.Op, left: b.Template(field+".left", r.Left)}
		if r.Op == "is_empty" || r.Op == "not_empty" {
			st.rules = append(st.rules, br)
			continue
		}
		if strings.TrimSpace(r.Right) == "" {
			if r.Op != "" && contains(filterOps, r.Op) {
				b.Problem(field+".right", CodeFilterValueMissing, Params{"op": filterOpWords[r.Op]})
			}
			st.rules = append(st.rules, br)
			continue
		}
		br.right = b.Template(field+".right", r.Right)
		constant := len(br.right.Exprs()) == 0
		switch r.Op {
		case "matches":
			if constant {
				re, err := compileFilterPattern(r.Right)
				if err != nil {
					b.Problem(field+".right", CodeRegexInvalid, Params{"pattern": r.Right, "detail": err.Error()})
				}
				br.re = re
			}
		case "gt", "gte", "lt", "lte":
			if _, ok := ParseNumber(r.Right); constant && !ok {
				b.Problem(field+".right", CodeFilterNotNumber, Params{"value": r.Right, "op": filterOpWords[r.Op]})
			}
		}
		st.rules = append(st.rules, br)
	}
	if expr != "" {
		s, err := compileScript(b.Node().ID+".expression", expr, scriptExpression)
		if err != nil {
			b.Problem("expression", CodeScriptSyntax, scriptErrorParams(err))
		}
		st.expr, st.src = s, expr
	}
	return st
}

// compileFilterPattern compiles a regular expression (Go's RE2: linear time on any input). The
// JavaScript form /pattern/flags is accepted too.
func compileFilterPattern(p string) (*regexp.Regexp, error) {
	if len(p) > 2 && p[0] == '/' {
		if end := strings.LastIndexByte(p, '/'); end > 0 && strings.Trim(p[end+1:], "gimsuy") == "" {
			flags := ""
			for _, f := range p[end+1:] {
				if f == 'i' || f == 'm' || f == 's' {
					flags += string(f)
				}
			}
			p = p[1:end]
			if flags != "" {
				p = "(?" + flags + ")" + p
			}
		}
	}
	return regexp.Compile(p)
}

func (st *filterStep) Run(ctx context.Context, sc *StepContext) (any, error) {
	pass, err := st.decide(ctx, sc)
	if err != nil {
		return nil, err
	}
	if pass {
		sc.Branch("true")
	} else {
		sc.Branch("false")
	}
	return sc.Input, nil
}

func (st *filterStep) decide(ctx context.Context, sc *StepContext) (bool, error) {
	if st.expr != nil {
		return st.evalExpression(ctx, sc)
	}
	for i, r := range st.rules {
		ok, err := st.evalRule(sc, i, r)
		if err != nil {
			return false, err
		}
		switch {
		case st.any && ok:
			sc.Logf("rule %d holds, so the condition is true", i+1)
			return true, nil
		case !st.any && !ok:
			sc.Logf("rule %d does not hold, so the condition is false", i+1)
			return false, nil
		}
	}
	if st.any {
		sc.Logf("no rule holds, so the condition is false")
		return false, nil
	}
	if len(st.rules) == 1 {
		sc.Logf("the rule holds, so the condition is true")
	} else {
		sc.Logf("all %d rules hold, so the condition is true", len(st.rules))
	}
	return true, nil
}

func (st *filterStep) evalRule(sc *StepContext, i int, r builtRule) (bool, error) {
	left := sc.Value(r.left)
	right := sc.Value(r.right)
	ok, shown, err := checkRule(r, left, right)
	if err != nil {
		return false, sc.Fail(CodeFilterError, Params{"detail": fmt.Sprintf("rule %d: %v", i+1, err)})
	}
	verdict := "no"
	if ok {
		verdict = "yes"
	}
	sc.Logf("rule %d: %s → %s", i+1, shown, verdict)
	return ok, nil
}

// checkRule applies one rule and says in words what it compared.
func checkRule(r builtRule, left, right any) (ok bool, shown string, err error) {
	word := filterOpWords[r.op]
	l, rt := Stringify(left), Stringify(right)
	switch r.op {
	case "is_empty", "not_empty":
		empty := isEmpty(left)
		return empty == (r.op == "is_empty"), quoteValue(l) + " " + word, nil
	case "gt", "gte", "lt", "lte":
		a, aok := ruleNumber(left)
		b, bok := ruleNumber(right)
		shown = numberShown(l, a, aok) + " " + word + " " + numberShown(rt, b, bok)
		if !aok || !bok {
			bad := l
			if aok {
				bad = rt
			}
			return false, shown + " (" + quoteValue(bad) + " is not a number)", nil
		}
		switch r.op {
		case "gt":
			ok = a > b
		case "gte":
			ok = a >= b
		case "lt":
			ok = a < b
		default:
			ok = a <= b
		}
		return ok, shown, nil
	case "matches":
		re := r.re
		if re == nil {
			if re, err = compileFilterPattern(rt); err != nil {
				return false, "", fmt.Errorf("the pattern %s is not a valid regular expression: %v", quoteValue(rt), err)
			}
		}
		return re.MatchString(l), quoteValue(l) + " matches " + quoteValue(rt), nil
	}
	shown = quoteValue(l) + " " + word + " " + quoteValue(rt)
	a, b := foldText(l), foldText(rt)
	switch r.op {
	case "equals":
		return a == b, shown, nil
	case "not_equals":
		return a != b, shown, nil
	case "contains", "not_contains":
		var has bool
		if list, isList := left.([]any); isList {
			for _, item := range list {
				if foldText(Stringify(item)) == b {
					has = true
					break
				}
			}
		} else {
			has = strings.Contains(a, b)
		}
		return has == (r.op == "contains"), shown, nil
	case "starts_with":
		return strings.HasPrefix(a, b), shown, nil
	case "ends_with":
		return strings.HasSuffix(a, b), shown, nil
	}
	return false, "", fmt.Errorf("unknown check %q", r.op)
}

func foldText(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

func ruleNumber(v any) (float64, bool) {
	switch x := v.(type) {
	case nil, bool, map[string]any, []any:
		return 0, false
	case json.Number:
		f, err := x.Float64()
		return f, err == nil && !math.IsNaN(f)
	case float64:
		return x, !math.IsNaN(x)
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	}
	n, ok := ParseNumber(Stringify(v))
	if !ok {
		return 0, false
	}
	f, err := n.Float64()
	return f, err == nil
}

// numberShown writes a number operand: "'1 990 руб.' (1990)" when the text is not the number.
func numberShown(text string, n float64, ok bool) string {
	if !ok {
		return quoteValue(text)
	}
	num := strconv.FormatFloat(n, 'f', -1, 64)
	if strings.TrimSpace(text) == num {
		return num
	}
	return quoteValue(text) + " (" + num + ")"
}

// quoteValue shows a value in a log line, shortened.
func quoteValue(s string) string {
	const max = 80
	if utf8.RuneCountInString(s) > max {
		r := []rune(s)
		s = string(r[:max]) + "…"
	}
	return "'" + s + "'"
}

func (st *filterStep) evalExpression(ctx context.Context, sc *StepContext) (bool, error) {
	steps, _ := sc.Scope.scriptRoot("steps").(map[string]any)
	arg := make(map[string]any, len(steps)+4)
	for id, out := range steps {
		arg[id] = out
	}
	arg["steps"] = steps
	arg["trigger"] = sc.Scope.scriptRoot("trigger")
	arg["inputs"] = sc.Scope.scriptRoot("inputs")
	arg["input"] = sc.Input
	v, logs, err := st.expr.exec(ctx, sc.Env, arg, DefaultScriptTimeout)
	for _, line := range logs {
		sc.Logf("%s", line)
	}
	if err != nil {
		switch {
		case errors.Is(err, errScriptTimeout):
			err = fmt.Errorf("the expression ran longer than %d ms", DefaultScriptTimeout.Milliseconds())
		case ctx.Err() != nil || errors.Is(err, context.Canceled):
			return false, sc.Fail(CodeRunCanceled, nil)
		}
		return false, sc.Fail(CodeFilterError, scriptErrorParams(err))
	}
	pass := truthy(v)
	shown, _ := json.Marshal(v)
	if len(shown) > 100 {
		shown = append(shown[:100], "…"...)
	}
	sc.Logf("expression %s gives %s, so the condition is %t", st.src, shown, pass)
	return pass, nil
}

// truthy is JavaScript's truth of a result read back as a plain value.
func truthy(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	case string:
		return x != ""
	case json.Number:
		f, err := x.Float64()
		return err == nil && f != 0 && !math.IsNaN(f)
	}
	return true
}
