package flows

import (
	"context"
	"strconv"
	"testing"
)

// A branching kind declared in this file alone: the compiler, the runner, the kinds list (and
// through it /api/kinds, the browser engine and the editor's handles) learn of its branches from
// its KindSpec. No other file names it.

type parityConfig struct {
	Field string `json:"field"`
}

func init() {
	Register(KindSpec[parityConfig]{
		Name:  "test_parity",
		Title: tw("Even or odd (test)", "Чётное или нечётное (тест)"),
		Help:  tw("Sends the run one way for an even number and another for an odd one.", "Направляет выполнение в одну сторону для чётного числа и в другую — для нечётного."),
		Outputs: []Output{
			{Name: "even", Label: tw("even", "чётное")},
			{Name: "odd", Label: tw("odd", "нечётное")},
			{Name: "none", Label: tw("not a number", "не число")},
		},
		Fields: []Field{{Key: "field", Type: FieldText, Required: true,
			Label: tw("Number", "Число"), Help: tw("The number to look at", "Число, которое проверяется")}},
		Build: func(b *Builder, cfg *parityConfig) Step {
			tpl := b.Template("field", cfg.Field)
			return StepFunc(func(ctx context.Context, sc *StepContext) (any, error) {
				n, err := strconv.Atoi(sc.Render(tpl))
				switch {
				case err != nil:
					sc.Branch("none")
				case n%2 == 0:
					// the main output: taken when a step chooses nothing
				default:
					sc.Branch("odd")
				}
				return sc.Input, nil
			})
		},
	})
}

const parityFlow = `{"schema":1,"nodes":[{"id":"trigger","kind":"webhook"},
  {"id":"split","kind":"test_parity","config":{"field":"{{trigger.params.n}}"}},
  {"id":"even","kind":"set","config":{"fields":[{"key":"said","value":"even"}]}},
  {"id":"odd","kind":"set","config":{"fields":[{"key":"said","value":"odd"}]}}],
  "edges":[{"from":"trigger","to":"split"},{"from":"split","to":"even","branch":"even"},{"from":"split","to":"odd","branch":"odd"}]}`

func TestKinds_ABranchingKindDeclaredInOneFileIsCompiledRunAndListed(t *testing.T) {
	f := mustParse(t, parityFlow)
	for _, c := range []struct {
		name, query, status string
		ran                 map[string]string
	}{
		{"an even number takes the main output", "n=4", StatusSuccess, map[string]string{"even": StatusSuccess, "odd": StatusSkipped}},
		{"an odd number takes its named output", "n=7", StatusSuccess, map[string]string{"even": StatusSkipped, "odd": StatusSuccess}},
		{"an output with nothing connected stops the run as filtered", "n=x", StatusFiltered, map[string]string{"even": StatusSkipped, "odd": StatusSkipped}},
	} {
		t.Run(c.name, func(t *testing.T) {
			tr, err := Run(context.Background(), f, queryPayload(c.query), fixedEnv(nil))
			if err != nil {
				t.Fatal(err)
			}
			if tr.Status != c.status {
				t.Fatalf("run %s, want %s", tr.Status, c.status)
			}
			for id, want := range c.ran {
				if st, _ := tr.Step(id); st.Status != want {
					t.Errorf("step %s: %s, want %s", id, st.Status, want)
				}
			}
		})
	}

	bad := mustParse(t, `{"schema":1,"nodes":[{"id":"trigger","kind":"webhook"},{"id":"split","kind":"test_parity","config":{"field":"1"}},
	  {"id":"x","kind":"set","config":{"fields":[{"key":"a","value":"b"}]}}],
	  "edges":[{"from":"trigger","to":"split"},{"from":"split","to":"x","branch":"true"}]}`)
	if _, problems := Compile(bad); len(problems) != 1 || problems[0].Code != CodeEdgeBranch {
		t.Fatalf("a branch the kind does not have: %v", problems)
	}

	for _, k := range Kinds() {
		if k.Name == "test_parity" {
			if len(k.Outputs) != 3 || k.Outputs[1].Name != "odd" || k.Outputs[1].Label.In("ru") != "нечётное" {
				t.Fatalf("the kinds list carries the outputs: %+v", k.Outputs)
			}
			return
		}
	}
	t.Fatal("test_parity is not listed")
}

// tw is a throwaway kind's words: a kind of this project has its words in the catalogs.
func tw(en, ru string) Text { return Words(map[string]string{"en": en, "ru": ru}) }
