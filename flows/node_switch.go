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
		Name:  "switch",
		Title: Text{"Router", "Маршрутизатор"},
		Help: Text{
			"Sends the run along the first route whose rules the data meets (e.g. utm_source is yandex → network A), or along 'otherwise'. Each route is its own connection; routes may lead to the same step. Passes its input on unchanged.",
			"Направляет выполнение по первому маршруту, под правила которого подходят данные (например, utm_source равно yandex → сеть А), или по выходу «Иначе». У каждого маршрута своя связь; маршруты могут сходиться в одном шаге. Передаёт входные данные дальше без изменений.",
		},
		OutputsFrom: "routes",
		Outputs:     []Output{{Name: switchOtherwise, Label: Text{"otherwise", "Иначе"}}},
		Fields: []Field{
			{Key: "routes", Type: FieldList, Label: Text{"Routes", "Маршруты"},
				// a new router has one route to fill in, so its first handle is there to join
				Default: []any{map[string]any{"id": "r1", "name": "", "match": "all",
					"rules": []any{map[string]any{"left": "", "op": "equals", "right": ""}}}},
				Help: Text{"Checked from the top; the first route whose rules hold is taken", "Проверяются сверху вниз; выбирается первый маршрут, правила которого выполняются"},
				Fields: []Field{
					{Key: "name", Type: FieldString, Required: true, Label: Text{"Route name", "Название маршрута"},
						Help: Text{"Your words for it, shown on its connection: Yandex, network A", "Ваше название, оно подписывает связь: Яндекс, сеть А"}},
					{Key: "match", Type: FieldSelect, Label: Text{"Take when", "Выбрать, если"}, Options: ruleMatches, Default: "all",
						Help: Text{"all: every rule must hold; any: one rule is enough", "выполняются все правила или хотя бы одно"}},
					{Key: "rules", Type: FieldRules, Label: Text{"Rules", "Правила"}, Match: "match",
						Help: Text{
							"Text checks ignore letter case and spaces at the ends; > ≥ < ≤ read numbers from text (\"1 990 руб.\" is 1990)",
							"Текстовые проверки не различают заглавные и строчные буквы и пробелы по краям; > ≥ < ≤ читают числа из текста («1 990 руб.» — это 1990)",
						},
						Options: ruleOps, Fields: ruleFields(true)},
				}},
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
		res, err := r.rules.decide(sc, "route '"+r.name+"': ", nil)
		if err != nil {
			return nil, sc.Fail(CodeFilterError, Params{"detail": "route '" + r.name + "': " + err.Error()})
		}
		if res.pass {
			sc.Logf("route '%s' is taken", r.name)
			sc.Branch(r.id)
			return sc.Input, nil
		}
	}
	sc.Logf("no route's rules hold, so the run goes on by 'otherwise'")
	sc.Branch(switchOtherwise)
	return sc.Input, nil
}
