package flows

import (
	"context"
	"strings"
	"testing"
)

// A router by utm_source: Яндекс → to_a, ВКонтакте → to_vk, otherwise → to_b. Its routes are
// listed in routesJSON so that tests can reorder them.
func routerFlow(t *testing.T, routesJSON, extraNodes, extraEdges string) *Flow {
	t.Helper()
	vk := `,{"from":"route","to":"to_vk","branch":"r_vk"}`
	if !strings.Contains(routesJSON, `"r_vk"`) {
		vk = `,{"from":"route","to":"to_vk","branch":"otherwise"}`
	}
	return mustParse(t, `{"schema":1,"nodes":[{"id":"trigger","kind":"webhook"},
	  {"id":"route","kind":"switch","config":{"routes":`+routesJSON+`}},
	  {"id":"to_a","kind":"set","config":{"fields":[{"key":"went","value":"a"}]}},
	  {"id":"to_vk","kind":"set","config":{"fields":[{"key":"went","value":"vk"}]}},
	  {"id":"to_b","kind":"set","config":{"fields":[{"key":"went","value":"b"}]}}`+extraNodes+`],
	  "edges":[{"from":"trigger","to":"route"},
	  {"from":"route","to":"to_a","branch":"r_ya"}`+vk+`,
	  {"from":"route","to":"to_b","branch":"otherwise"}`+extraEdges+`]}`)
}

const (
	routeYandex = `{"id":"r_ya","name":"Яндекс","match":"all","rules":[{"left":"{{trigger.params.utm_source}}","op":"equals","right":"yandex"}]}`
	routeVK     = `{"id":"r_vk","name":"ВКонтакте","match":"any","rules":[{"left":"{{trigger.params.utm_source}}","op":"equals","right":"vk"},{"left":"{{trigger.params.utm_source}}","op":"starts_with","right":"vkontakte"}]}`
	// routeAnyPaid holds for every paid lead, whatever its source
	routeAnyPaid = `{"id":"r_paid","name":"Оплачено","rules":[{"left":"{{trigger.params.paid}}","op":"equals","right":"yes"}]}`
)

func TestSwitch_TakesTheFirstRouteWhoseRulesHoldElseOtherwise(t *testing.T) {
	for _, c := range []struct {
		name, routes, query, branch, ran string
	}{
		{"the first route's rules hold", "[" + routeYandex + "," + routeVK + "]", "utm_source=yandex", "r_ya", "to_a"},
		{"the second route holds by one of its rules (any)", "[" + routeYandex + "," + routeVK + "]", "utm_source=vkontakte_ads", "r_vk", "to_vk"},
		{"text checks ignore case and spaces", "[" + routeYandex + "," + routeVK + "]", "utm_source=%20YANDEX%20", "r_ya", "to_a"},
		{"no route holds: otherwise", "[" + routeYandex + "," + routeVK + "]", "utm_source=google", "otherwise", "to_b"},
		{"no value at all: otherwise", "[" + routeYandex + "," + routeVK + "]", "", "otherwise", "to_b"},
		{"routes reordered keep their connections", "[" + routeVK + "," + routeYandex + "]", "utm_source=yandex", "r_ya", "to_a"},
		{"when two routes hold the upper one wins", `[{"id":"r_vk","name":"Оплачено","rules":[{"left":"{{trigger.params.paid}}","op":"equals","right":"yes"}]},` + routeYandex + "]", "utm_source=yandex&paid=yes", "r_vk", "to_vk"},
	} {
		t.Run(c.name, func(t *testing.T) {
			tr, err := Run(context.Background(), routerFlow(t, c.routes, "", ""), queryPayload(c.query), fixedEnv(nil))
			if err != nil {
				t.Fatal(err)
			}
			if tr.Status != StatusSuccess {
				t.Fatalf("run %s: %+v", tr.Status, tr.Error)
			}
			st, _ := tr.Step("route")
			if st.Branch != c.branch {
				t.Errorf("branch %q, want %q (log %q)", st.Branch, c.branch, st.Logs)
			}
			for _, id := range []string{"to_a", "to_vk", "to_b"} {
				want := StatusSkipped
				if id == c.ran {
					want = StatusSuccess
				}
				if s, _ := tr.Step(id); s.Status != want {
					t.Errorf("step %s: %s, want %s", id, s.Status, want)
				}
			}
		})
	}
}

func TestSwitch_LogSaysWhichRouteWasTakenAndWhy(t *testing.T) {
	tr, err := Run(context.Background(), routerFlow(t, "["+routeYandex+","+routeVK+"]", "", ""), queryPayload("utm_source=vk"), fixedEnv(nil))
	if err != nil {
		t.Fatal(err)
	}
	st, _ := tr.Step("route")
	got := strings.Join(st.Logs, "\n")
	for _, want := range []string{"route 'Яндекс': rule 1: 'vk' equals 'yandex' → no", "route 'ВКонтакте': rule 1: 'vk' equals 'vk' → yes", "route 'ВКонтакте' is taken"} {
		if !strings.Contains(got, want) {
			t.Errorf("log lacks %q:\n%s", want, got)
		}
	}
	if tr, err = Run(context.Background(), routerFlow(t, "["+routeYandex+"]", "", ""), queryPayload("utm_source=x"), fixedEnv(nil)); err != nil {
		t.Fatal(err)
	}
	if st, _ := tr.Step("route"); !strings.Contains(strings.Join(st.Logs, "\n"), "no route's rules hold, so the run goes on by 'otherwise'") {
		t.Errorf("otherwise not said: %q", st.Logs)
	}
}

func TestSwitch_RoutesRejoinAndTheLaterStepRunsOnceWithTheTakenRoutesData(t *testing.T) {
	join := `,{"id":"join","kind":"set","config":{"fields":[{"key":"from","value":"{{input.went}}"}]}}`
	for _, c := range []struct {
		name, edges, query, from string
	}{
		{"after a step on each route", `,{"from":"to_a","to":"join"},{"from":"to_b","to":"join"}`, "utm_source=yandex", "a"},
		{"after a step on each route, otherwise taken", `,{"from":"to_a","to":"join"},{"from":"to_b","to":"join"}`, "utm_source=google", "b"},
		// two routes straight into one step (two connections between the same steps, by
		// different outputs): its input is the router's, which has no "went"
		{"straight from two routes", `,{"from":"route","to":"join","branch":"r_ya"},{"from":"route","to":"join","branch":"otherwise"}`, "utm_source=google", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := routerFlow(t, "["+routeYandex+"]", join, c.edges)
			tr, err := Run(context.Background(), f, queryPayload(c.query), fixedEnv(nil))
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, s := range tr.Steps {
				if s.Node == "join" {
					n++
					if s.Status != StatusSuccess {
						t.Fatalf("join: %s %+v", s.Status, s.Error)
					}
					if got := Stringify(s.Output.(map[string]any)["from"]); got != c.from {
						t.Errorf("join saw %q, want %q", got, c.from)
					}
				}
			}
			if n != 1 {
				t.Errorf("join ran %d times", n)
			}
		})
	}
}

func TestSwitch_ARouteWithNothingConnectedStopsTheRunAsFiltered(t *testing.T) {
	// r_paid is not the first route and nothing leaves by it
	f := routerFlow(t, "["+routeYandex+","+routeAnyPaid+"]", "", "")
	tr, err := Run(context.Background(), f, queryPayload("paid=yes"), fixedEnv(nil))

	if err != nil {
		t.Fatal(err)
	}
	if tr.Status != StatusFiltered {
		t.Fatalf("run %s, want filtered", tr.Status)
	}
	if st, _ := tr.Step("route"); st.Status != StatusFiltered || st.Branch != "r_paid" {
		t.Errorf("router %s by %q", st.Status, st.Branch)
	}
}

func TestSwitch_ProblemsNameTheRouteAndField(t *testing.T) {
	for _, c := range []struct {
		name, routes, edges string
		code, field, inMsg  string
	}{
		{"no routes", `[]`, "", CodeRoutesEmpty, "routes", "add at least one route"},
		{"a route without rules", `[{"id":"r_ya","name":"Яндекс","rules":[]}]`, "", CodeRouteNoRules, "routes[0].rules", "route 'Яндекс'"},
		{"a route without a name", `[{"id":"r_ya","name":"","rules":[{"left":"{{trigger.params.a}}","op":"equals","right":"1"}]}]`, "", CodeFieldRequired, "routes[0].name", "Routes, row 1: Route name"},
		{"two routes with one id", `[` + routeYandex + `,{"id":"r_ya","name":"Два","rules":[{"left":"{{trigger.params.a}}","op":"is_empty"}]}]`, "", CodeRouteID, "routes[1]", "route 2"},
		{"a route named like otherwise", `[{"id":"otherwise","name":"x","rules":[{"left":"{{trigger.params.a}}","op":"is_empty"}]}]`, "", CodeRouteID, "routes[0]", "route 1"},
		{"a rule without a value", `[{"id":"r_ya","name":"Яндекс","rules":[{"left":"{{trigger.params.a}}","op":"equals","right":""}]}]`, "", CodeFilterValueMissing, "routes[0].rules[0].right", "needs a value"},
		{"a rule referring to an unknown step", `[{"id":"r_ya","name":"Яндекс","rules":[{"left":"{{nosuch.a}}","op":"is_empty"}]}]`, "", CodeRefUnknownRoot, "routes[0].rules[0].left", "nosuch"},
		{"a connection by a removed route", `[` + routeYandex + `]`, `,{"from":"route","to":"to_a","branch":"r_gone"}`, CodeEdgeBranch, "edges", "r_gone"},
	} {
		t.Run(c.name, func(t *testing.T) {
			src := `{"schema":1,"nodes":[{"id":"trigger","kind":"webhook"},{"id":"route","kind":"switch","config":{"routes":` + c.routes + `}},
			  {"id":"to_a","kind":"set","config":{"fields":[{"key":"x","value":"1"}]}}],
			  "edges":[{"from":"trigger","to":"route"}` + c.edges + `]}`
			_, problems := Compile(mustParse(t, src))
			for _, p := range problems {
				if p.Code == c.code && p.Node == "route" && p.Field == c.field && strings.Contains(p.Message, c.inMsg) {
					if ru := Message(p.Code, "ru", p.Params); strings.TrimSpace(ru) == "" || ru == p.Message {
						t.Errorf("no Russian sentence: %q", ru)
					}
					return
				}
			}
			t.Fatalf("want %s on %s saying %q, got %+v", c.code, c.field, c.inMsg, problems)
		})
	}
}

func TestSwitch_IsListedWithOutputsFromItsRoutes(t *testing.T) {
	for _, k := range Kinds() {
		if k.Name != "switch" {
			continue
		}
		if k.OutputsFrom != "routes" || len(k.Outputs) != 1 || k.Outputs[0].Name != "otherwise" || k.Outputs[0].Label.In("ru") != "Иначе" {
			t.Fatalf("outputs_from %q, outputs %+v", k.OutputsFrom, k.Outputs)
		}
		return
	}
	t.Fatal("switch is not listed")
}

func TestSwitch_TraceGolden(t *testing.T) {
	join := `,{"id":"join","kind":"set","config":{"fields":[{"key":"from","value":"{{input.went}}"}]}}`
	f := routerFlow(t, "["+routeYandex+","+routeVK+"]", join, `,{"from":"to_a","to":"join"},{"from":"to_b","to":"join"}`)
	tr, err := Run(context.Background(), f, queryPayload("utm_source=yandex&name=Анна"), fixedEnv(nil))
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "trace-router.json", indentJSON(t, tr))
}
