package flows

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// filter lets a run continue only when a condition holds: simple rules ("email contains gmail",
// "sum > 1000", see rules.go) or one JavaScript expression. Its output is its input, unchanged.
// When the condition is false the run stops as "filtered" (not failed), unless a connection
// marked with branch "false" leaves the filter, in which case the run goes on there.

type filterConfig struct {
	Match      string    `json:"match"`
	Rules      []ruleRow `json:"rules"`
	Expression string    `json:"expression"`
}

func init() {
	Register(KindSpec[filterConfig]{
		Name:  "filter",
		Title: T("filter.title"),
		Outputs: []Output{
			{Name: "true", Label: T("filter.output.true.label")},
			{Name: "false", Label: T("filter.output.false.label")},
		},
		Help: T("filter.help"),
		Fields: append(
			ruleListFields(T("filter.match.label"), T("filter.match.help"), T("filter.rules.label"), T("filter.rules.help"), "expression", true),
			Field{Key: "expression", Type: FieldCode, Label: T("filter.expression.label"),
				Help: T("filter.expression.help")}),
		Build: buildFilter,
	})
}

type filterStep struct {
	rules *ruleSet
	expr  *script
	src   string // the expression as written
}

func buildFilter(b *Builder, cfg *filterConfig) Step {
	st := &filterStep{}
	expr := strings.TrimRight(strings.TrimSpace(cfg.Expression), "; \t\r\n")
	switch {
	case expr == "" && len(cfg.Rules) == 0:
		b.Problem("rules", CodeFilterEmpty, nil)
	case expr != "" && len(cfg.Rules) > 0:
		b.Problem("expression", CodeFilterBoth, nil)
	}
	st.rules = buildRules(b, "rules", cfg.Match, cfg.Rules, ruleLeftTemplate)
	if expr != "" {
		s, err := compileScript(b.Node().ID+".expression", expr, scriptExpression)
		if err != nil {
			b.Problem("expression", CodeScriptSyntax, scriptErrorParams(err))
		}
		st.expr, st.src = s, expr
	}
	return st
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
	res, err := st.rules.decide(sc, "", nil)
	if err != nil {
		return false, sc.Fail(CodeFilterError, Params{"detail": err.Error()})
	}
	n := len(st.rules.rules)
	switch {
	case st.rules.any && res.pass:
		sc.Log("log.filter.rule_holds", Params{"rule": strconv.Itoa(res.decidedBy + 1)})
	case st.rules.any:
		sc.Log("log.filter.none_holds", nil)
	case !res.pass:
		sc.Log("log.filter.rule_fails", Params{"rule": strconv.Itoa(res.decidedBy + 1)})
	case n == 1:
		sc.Log("log.filter.the_rule_holds", nil)
	default:
		sc.Log("log.filter.all_hold", Params{"count": strconv.Itoa(n)})
	}
	return res.pass, nil
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
	result := T("log.filter.false")
	if pass {
		result = T("log.filter.true")
	}
	sc.Log("log.filter.expression", Params{"src": st.src, "value": string(shown), "result": result.In(sc.Lang())})
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
