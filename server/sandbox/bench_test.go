package sandbox_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/hookflow/hookflow/flows"
)

// BenchmarkJSStep runs a flow with one small JavaScript transform (webhook → js), as a worker
// does, with its script run in a sandbox process and, as the baseline in the same run, in this
// process on the engine's pooled runtimes:
//
//	go test -run '^$' -bench JSStep -benchtime 2000x ./server/sandbox/
func BenchmarkJSStep(b *testing.B) {
	f, err := flows.ParseFlow([]byte(`{"schema":1,"name":"bench","nodes":[
	  {"id":"trigger","kind":"webhook"},
	  {"id":"tidy","kind":"js","config":{"code":"return {name: trigger.query.name.toUpperCase(), phone: trigger.query.phone.replace(/\\D/g, '')}"}}],
	  "edges":[{"from":"trigger","to":"tidy"}]}`))
	if err != nil {
		b.Fatal(err)
	}
	prog, problems := flows.Compile(f)
	if len(problems) > 0 {
		b.Fatal(problems)
	}
	payload := flows.Payload{Method: "GET", Query: json.RawMessage(`"name=Anna&phone=%2B7+(916)+123-45-67"`)}
	for _, bc := range []struct {
		name    string
		scripts flows.ScriptRunner
	}{
		{"in-process", nil},
		{"sandbox", testPool(b, 1)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			env := &flows.BasicEnv{Scripts: bc.scripts}
			for b.Loop() {
				trace, err := prog.Run(context.Background(), payload, env)
				if err != nil || trace.Status != flows.StatusSuccess {
					b.Fatalf("%v %+v", err, trace.Error)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "runs/s")
		})
	}
}
