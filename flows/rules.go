package flows

import (
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Rules are rows "what · check · value" ("status · equals · success"), shared by the filter (what
// is a {{reference}}) and the HTTP step's success rule (what is a field of the answer, such as
// status or result.success). Both build them with buildRules and decide with ruleSet.decide, so a
// check means the same everywhere and the editor shows one kind of rows for both.
//
// Text checks ignore letter case and spaces at both ends ("Paid " equals "paid"); matches uses a
// regular expression as written (add (?i) or /…/i to ignore case). Number checks read numbers
// the way people write them: "1 990 руб." > 1000.

// ruleRow is one rule as the flow document stores it.
type ruleRow struct {
	Left  string `json:"left"`
	Op    string `json:"op"`
	Right string `json:"right"`
}

// ruleOps are the checks of a rule, in the order the editor lists them.
var ruleOps = []string{"equals", "not_equals", "contains", "not_contains", "starts_with", "ends_with",
	"is_empty", "not_empty", "matches", "gt", "gte", "lt", "lte"}

// ruleOpLabels name the checks in the operator menu and in sentences ("rule.op.option.<op>").
func ruleOpLabels() map[string]Text {
	m := make(map[string]Text, len(ruleOps))
	for _, op := range ruleOps {
		m[op] = T("rule.op.option." + op)
	}
	return m
}

// ruleOpParams are the params of a sentence naming the check op: {op}, in each language.
func ruleOpParams(op string, more Params) Params {
	ps := Params{}
	for k, v := range more {
		ps[k] = v
	}
	ps.put("op", T("rule.op.option."+op))
	return ps
}

// ruleFailWords say in both languages what was found instead when a rule does not hold:
// "the answer's status" + " is not 'success'".
var ruleFailWords = map[string]Text{
	"equals":       T("rule.fails.equals"),
	"not_equals":   T("rule.fails.not_equals"),
	"contains":     T("rule.fails.contains"),
	"not_contains": T("rule.fails.not_contains"),
	"starts_with":  T("rule.fails.starts_with"),
	"ends_with":    T("rule.fails.ends_with"),
	"is_empty":     T("rule.fails.is_empty"),
	"not_empty":    T("rule.fails.not_empty"),
	"matches":      T("rule.fails.matches"),
	"gt":           T("rule.fails.gt"),
	"gte":          T("rule.fails.gte"),
	"lt":           T("rule.fails.lt"),
	"lte":          T("rule.fails.lte"),
}

// ruleMatches are the values of a rule list's "pass when" field.
var ruleMatches = []string{"all", "any"}

// ruleMatchLabels name them in the menu: "all rules hold", "any rule holds".
func ruleMatchLabels() map[string]Text {
	return map[string]Text{"all": T("rule.match.option.all"), "any": T("rule.match.option.any")}
}

// ruleListFields are the "pass when" select and the list of rules that a filter, a router's
// route and an HTTP step's success each have, with that kind's words for them. expression names
// the sibling field holding the JavaScript alternative to the rules ("" for none); references
// says what the rules check (ruleFields).
func ruleListFields(matchLabel, matchHelp, rulesLabel, rulesHelp Text, expression string, references bool) []Field {
	return []Field{
		{Key: "match", Type: FieldSelect, Label: matchLabel, Options: ruleMatches, OptionLabels: ruleMatchLabels(), Default: "all",
			Help: matchHelp},
		{Key: "rules", Type: FieldRules, Label: rulesLabel, Match: "match", Expression: expression,
			Help:    rulesHelp,
			Options: ruleOps, OptionLabels: ruleOpLabels(), Fields: ruleFields(references)},
	}
}

// ruleFields are the columns of a rule row. The filter checks {{references}}; the success rule
// checks fields of the answer by name.
func ruleFields(references bool) []Field {
	left := Field{Key: "left", Type: FieldString, Label: T("rule.left.label"), Required: true, Template: true,
		Help: T("rule.left.help")}
	if !references {
		left = Field{Key: "left", Type: FieldString, Label: T("rule.answer_left.label"), Required: true,
			Help: T("rule.answer_left.help")}
	}
	return []Field{
		left,
		{Key: "op", Type: FieldSelect, Label: T("rule.op.label"), Required: true, Options: ruleOps, OptionLabels: ruleOpLabels(), Default: "equals",
			Help: T("rule.op.help")},
		{Key: "right", Type: FieldString, Label: T("rule.right.label"), Template: true,
			Help: T("rule.right.help")},
	}
}

func noValueOp(op string) bool { return op == "is_empty" || op == "not_empty" }

// Where the left side of a rule comes from.
const (
	ruleLeftTemplate = iota // a {{reference}} rendered in the run's scope (filter)
	ruleLeftField           // a path into the value the caller gives (the HTTP answer)
)

type builtRule struct {
	op    string
	row   ruleRow // as written, for sentences
	left  *Template
	field Path
	right *Template
	re    *regexp.Regexp // matches with a constant pattern
}

// ruleSet is a built list of rules: all must hold, or any one (match "any").
type ruleSet struct {
	any   bool
	rules []builtRule
}

// buildRules compiles rows found at field prefix (e.g. "rules" or "success.rules"), reporting
// each problem on its row.
func buildRules(b *Builder, prefix, match string, rows []ruleRow, leftKind int) *ruleSet {
	rs := &ruleSet{any: match == "any"}
	for i, r := range rows {
		field := fmt.Sprintf("%s[%d]", prefix, i)
		br := builtRule{op: r.Op, row: r}
		if leftKind == ruleLeftTemplate {
			br.left = b.Template(field+".left", r.Left)
		} else if src := strings.TrimSpace(r.Left); src != "" {
			p, err := ParsePath(src)
			if err != nil {
				b.Problem(field+".left", CodePathInvalid, Params{"path": src, "detail": err.Error()})
			}
			br.field = p
		}
		if noValueOp(r.Op) {
			rs.rules = append(rs.rules, br)
			continue
		}
		if strings.TrimSpace(r.Right) == "" {
			if r.Op != "" && contains(ruleOps, r.Op) {
				b.Problem(field+".right", CodeFilterValueMissing, ruleOpParams(r.Op, nil))
			}
			rs.rules = append(rs.rules, br)
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
				b.Problem(field+".right", CodeFilterNotNumber, ruleOpParams(r.Op, Params{"value": r.Right}))
			}
		}
		rs.rules = append(rs.rules, br)
	}
	return rs
}

// ruleError is a rule that cannot be checked (a pattern that renders invalid).
type ruleError struct {
	index int // from 0
	err   error
}

func (e *ruleError) Error() string { return fmt.Sprintf("rule %d: %v", e.index+1, e.err) }

// ruleOutcome is what decide found: whether the rules pass, and the rules that failed (the one
// that decided under "all", every one under "any") with the value each saw.
type ruleOutcome struct {
	pass      bool
	decidedBy int // the rule (from 0) that settled it, -1 when every rule was checked
	failed    []failedRule
}

type failedRule struct {
	rule  builtRule
	seen  any    // the value found
	right string // the value compared with, rendered
}

// decide checks the rules in order, stopping as soon as the answer is known, and logs each
// check in the reader's language ("rule 1: 'error' equals 'success' → no", with prefix, already
// in that language, before "rule": see rulePrefix). scope is the
// value field paths are read from (nil for template rules).
func (rs *ruleSet) decide(sc *StepContext, prefix string, scope any) (ruleOutcome, error) {
	lang := sc.Lang()
	out := ruleOutcome{decidedBy: -1}
	for i, r := range rs.rules {
		var left any
		if r.left != nil {
			left = sc.Value(r.left)
		} else if r.field != nil {
			left, _, _ = r.field.Lookup(scope)
		}
		right := sc.Value(r.right)
		ok, shown, err := checkRule(r, left, right, lang)
		if err != nil {
			return out, &ruleError{index: i, err: err}
		}
		verdict := T("log.rule.no").In(lang)
		if ok {
			verdict = T("log.rule.yes").In(lang)
		}
		sc.Log("log.rule.line", Params{"prefix": prefix, "n": strconv.Itoa(i + 1), "shown": shown, "verdict": verdict})
		if !ok {
			out.failed = append(out.failed, failedRule{rule: r, seen: left, right: Stringify(right)})
		}
		switch {
		case rs.any && ok:
			out.pass, out.decidedBy, out.failed = true, i, nil
			return out, nil
		case !rs.any && !ok:
			out.decidedBy = i
			return out, nil
		}
	}
	out.pass = !rs.any
	return out, nil
}

// checkRule applies one rule and says in words what it compared.
func checkRule(r builtRule, left, right any, lang string) (ok bool, shown string, err error) {
	word := T("log.rule.op." + r.op).In(lang)
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
			return false, shown + " (" + render(T("log.rule.not_number").In(lang), lang, Params{"value": quoteValue(bad)}) + ")", nil
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
		return re.MatchString(l), quoteValue(l) + " " + word + " " + quoteValue(rt), nil
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

// answerFieldWords names a field of an HTTP answer in a sentence: "the answer's status",
// "the HTTP status", "the answer's text".
func answerFieldWords(path string) Text {
	switch strings.TrimSpace(path) {
	case "response.status":
		return T("rule.answer_field.status")
	case "response.body":
		return T("rule.answer_field.body")
	}
	p := strings.TrimPrefix(strings.TrimSpace(path), "response.json.")
	return Format("rule.answer_field", TextArgs{"path": Same(p)})
}

// answerRulesFailed says why the answer did not meet the rules, in both languages:
// "the answer's status is not 'success' (it is 'error')". Under "any" every rule failed, and
// the sentence names each, joined by "and".
func answerRulesFailed(failed []failedRule) Text {
	var parts []Text
	for _, f := range failed {
		args := TextArgs{"subject": answerFieldWords(f.rule.row.Left), "fails": ruleFailWords[f.rule.op]}
		key := "rule.failed"
		if !noValueOp(f.rule.op) {
			args["value"] = Same(shortValue(f.right))
			key = "rule.failed_value"
		}
		part := Format(key, args)
		if f.rule.op != "is_empty" && f.rule.op != "not_empty" {
			seen := T("rule.failed_no_field")
			if f.seen != nil {
				seen = Format("rule.failed_seen", TextArgs{"seen": Same(shortValue(Stringify(f.seen)))})
			}
			part = Format("rule.failed_and_seen", TextArgs{"rule": part, "seen": seen})
		}
		parts = append(parts, part)
	}
	return Join(parts, "rule.failed_and")
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
func quoteValue(s string) string { return "'" + shortValue(s) + "'" }

func shortValue(s string) string {
	const max = 80
	if utf8.RuneCountInString(s) > max {
		r := []rune(s)
		s = string(r[:max]) + "…"
	}
	return s
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

// rulesInWords writes rows as one line for logs: "status equals 'success' and code equals 'ok'".
func rulesInWords(rows []ruleRow, match string) string {
	parts := make([]string, len(rows))
	for i, r := range rows {
		parts[i] = strings.TrimSpace(r.Left) + " " + T("log.rule.op."+r.Op).In("en")
		if !noValueOp(r.Op) {
			parts[i] += " " + quoteValue(r.Right)
		}
	}
	join := " and "
	if match == "any" {
		join = " or "
	}
	return strings.Join(parts, join)
}

// rulePrefix is what comes before "rule 1: …" in the log lines of rules that are part of a
// bigger check (the HTTP step's success, a router's route), in the reader's language.
func rulePrefix(sc *StepContext, key string, params Params) string {
	return render(T(key).In(sc.Lang()), sc.Lang(), params)
}
