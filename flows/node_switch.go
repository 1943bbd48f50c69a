package flows

import (
	"context"
	"fmt"
	"strings"
)

// switch (a router) sends the run along the first of its routes whose rules hold ("Яндекс":
// utm_source equals yandex), or along "otherwise" when none does. Each route is an output of
// its own, named by the user; the rule rows are the filter's (rules.go). Its output is its
// input, unchanged, so the steps of every route see the same data, and a step fed by several
// routes runs once, with it.
//
// A route's output name is its id, made once by the editor when the route is added and stored
// with it: a connection names the route by id, so renaming a route or moving it up keeps its
// connections (an index or the route's name would move them to another route or lose them).
//
// As for every branching kind, the first output (here the first route) is the main path: taken
// with nothing connected, the run ends as usual; any other route or "otherwise" taken with
// nothing connected stops the run as filtered, so a lead no route wants is not a failure.

type switchConfig struct {
	Routes []switchRoute `json:"routes"`
}

type switchRoute struct {
	ID    string    `json:"id"` // the output's name; set by the editor, never shown
	Name  string    `json:"name"`
	Match string    `json:"match"`
	Rules []ruleRow `json:"rules"`
}

// switchOtherwise is the output taken when no route's rules hold.
const switchOtherwise = "otherwise"

func init() {
	Register(KindSpec[switchConfig]{
		Name:        "switch",
		Title:       T("switch.title"),
		Help:        T("switch.help"),
		OutputsFrom: "routes",
		Outputs:     []Output{{Name: switchOtherwise, Label: T("switch.output.otherwise.label")}},
		Fields: []Field{
			{Key: "routes", Type: FieldList, Label: T("switch.routes.label"),
				// a new router has one route to fill in, so its first handle is there to join
				Default: []any{map[string]any{"id": "r1", "name": "", "match": "all",
					"rules": []any{map[string]any{"left": "", "op": "equals", "right": ""}}}},
				Help: T("switch.routes.help"),
				Fields: append([]Field{
					{Key: "name", Type: FieldString, Required: true, Label: T("switch.routes.name.label"),
						Help: T("switch.routes.name.help")},
				}, ruleListFields(T("switch.routes.match.label"), T("switch.routes.match.help"), T("switch.routes.rules.label"), T("switch.routes.rules.help"), "", true)...)},
		},
		Build: buildSwitch,
	})
}

type switchStep struct {
	routes []builtRoute
}

type builtRoute struct {
	id, name string
	rules    *ruleSet
}

func buildSwitch(b *Builder, cfg *switchConfig) Step {
	if len(cfg.Routes) == 0 {
		b.Problem("routes", CodeRoutesEmpty, nil)
	}
	st := &switchStep{}
	ids := map[string]bool{switchOtherwise: true}
	for i, r := range cfg.Routes {
		field := fmt.Sprintf("routes[%d]", i)
		id := strings.TrimSpace(r.ID)
		if id == "" || ids[id] {
			b.Problem(field, CodeRouteID, Params{"index": fmt.Sprint(i + 1), "id": id})
		}
		ids[id] = true
		if len(r.Rules) == 0 {
			b.Problem(field+".rules", CodeRouteNoRules, Params{"route": routeName(r, i)})
		}
		st.routes = append(st.routes, builtRoute{id: id, name: routeName(r, i),
			rules: buildRules(b, field+".rules", r.Match, r.Rules, ruleLeftTemplate)})
	}
	return st
}

func routeName(r switchRoute, i int) string {
	if n := strings.TrimSpace(r.Name); n != "" {
		return n
	}
	return fmt.Sprint(i + 1)
}

func (st *switchStep) Run(ctx context.Context, sc *StepContext) (any, error) {
	for _, r := range st.routes {
		res, err := r.rules.decide(sc, rulePrefix(sc, "log.rule.prefix.route", Params{"route": r.name}), nil)
		if err != nil {
			return nil, sc.Fail(CodeFilterError, Params{"detail": "route '" + r.name + "': " + err.Error()})
		}
		if res.pass {
			sc.Log("log.switch.taken", Params{"route": r.name})
			sc.Branch(r.id)
			return sc.Input, nil
		}
	}
	sc.Log("log.switch.otherwise", nil)
	sc.Branch(switchOtherwise)
	return sc.Input, nil
}
