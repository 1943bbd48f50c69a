package flows

import (
	"context"
	"testing"

	"github.com/dop251/goja"
)

// BenchmarkJSNode runs a small transform through the js step's Run, the path every run takes:
//
//	go test -run '^$' -bench JSNode -benchtime 2s ./flows/
//
// pooled is the real node (compiled once, runtimes reused); fresh-runtime is the baseline of the
// same step making a new hardened runtime for every call; fresh-bare-goja is a new runtime
// without hardening or value copying, for scale.
func BenchmarkJSNode(b *testing.B) {
	const code = `return {name: input.name.toUpperCase(), phone: input.phone.replace(/\D/g, "")}`
	f := mustParse(b, `{"schema":1,"name":"bench","nodes":[
	  {"id":"trigger","kind":"webhook"},
	  {"id":"tidy","kind":"js","config":{"code":`+jsQuote(code)+`}}],
	  "edges":[{"from":"trigger","to":"tidy"}]}`)
	prog := mustCompile(b, f)
	pooled := prog.steps["tidy"].(*jsStep)
	fresh := &jsStep{script: &script{prog: pooled.script.prog, mode: scriptBody, prefix: pooled.script.prefix, fresh: true}, timeout: pooled.timeout}

	trigger, err := ParseRequest(queryPayload("name=Anna&phone=%2B7+(916)+123-45-67&email=anna%40example.com"))
	if err != nil {
		b.Fatal(err)
	}
	input := map[string]any{"name": "Anna", "phone": "+7 (916) 123-45-67"}
	newContext := func() *StepContext {
		scope := NewScope(map[string]any{
			"inputs":  map[string]any{},
			"steps":   map[string]any{"trigger": trigger, "lead": input},
			"trigger": trigger,
			"lead":    input,
			"input":   input,
		}, nil)
		return &StepContext{Node: f.Nodes[1], Input: input, Scope: scope, Env: &BasicEnv{}, trace: &StepTrace{}, secrets: new([]string)}
	}
	check := func(b *testing.B, out any) {
		m, ok := out.(map[string]any)
		if !ok || m["name"] != "ANNA" || m["phone"] != "79161234567" {
			b.Fatalf("unexpected output %#v", out)
		}
	}
	ctx := context.Background()

	for _, c := range []struct {
		name string
		step *jsStep
	}{{"pooled", pooled}, {"fresh-runtime", fresh}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			sc := newContext()
			for b.Loop() {
				out, err := c.step.Run(ctx, sc)
				if err != nil {
					b.Fatal(err)
				}
				check(b, out)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "runs/s")
		})
	}
	b.Run("fresh-bare-goja", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			rt := goja.New()
			fn, err := rt.RunString("(function(input) {" + code + "\n})")
			if err != nil {
				b.Fatal(err)
			}
			call, _ := goja.AssertFunction(fn)
			v, err := call(goja.Undefined(), rt.ToValue(input))
			if err != nil {
				b.Fatal(err)
			}
			if v.ToObject(rt).Get("phone").String() != "79161234567" {
				b.Fatal("wrong result")
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "runs/s")
	})
}

func jsQuote(s string) string {
	var b []byte
	b = append(b, '"')
	for _, r := range s {
		switch r {
		case '"', '\\':
			b = append(b, '\\', byte(r))
		case '\n':
			b = append(b, '\\', 'n')
		default:
			b = append(b, string(r)...)
		}
	}
	return string(append(b, '"'))
}
