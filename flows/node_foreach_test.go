package flows

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// orderTarget stands in for the service each position of an order is sent to: it counts the
// requests per sku and refuses the skus in refuse with HTTP 422.
type orderTarget struct {
	srv    *httptest.Server
	mu     sync.Mutex
	got    map[string]int
	refuse map[string]bool
}

func newOrderTarget(t testing.TB) *orderTarget {
	o := &orderTarget{got: map[string]int{}, refuse: map[string]bool{}}
	o.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var pos struct {
			SKU string `json:"sku"`
		}
		body, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(body, &pos)
		o.mu.Lock()
		o.got[pos.SKU]++
		refused := o.refuse[pos.SKU]
		o.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if refused {
			w.WriteHeader(http.StatusUnprocessableEntity)
			io.WriteString(w, `{"error":"unknown sku"}`)
			return
		}
		fmt.Fprintf(w, `{"saved":%q}`, pos.SKU)
	}))
	t.Cleanup(o.srv.Close)
	return o
}

func (o *orderTarget) requests() (n int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, c := range o.got {
		n += c
	}
	return n
}

// positionsFlow: a webhook with an order's JSON → For each position → POST it → Collect →
// a step after the loop that uses what was gathered.
func positionsFlow(t testing.TB, url, eachConfig, collectConfig string) *Flow {
	t.Helper()
	return mustParse(t, `{"schema":1,"nodes":[{"id":"trigger","kind":"webhook"},
	  {"id":"each","kind":"foreach","config":`+eachConfig+`},
	  {"id":"send","kind":"http","config":{"method":"POST","url":"`+url+`/positions","retries":0,
	    "body_type":"json","body":"{\"sku\": {{item.sku | json}}, \"order\": {{trigger.json.id | json}}, \"qty\": {{each.qty | json}}}"}},
	  {"id":"gather","kind":"collect","config":`+collectConfig+`},
	  {"id":"after","kind":"set","config":{"fields":[{"key":"sent","value":"{{gather.ok}}"},{"key":"failed","value":"{{gather.failed}}"}]}}],
	  "edges":[{"from":"trigger","to":"each"},{"from":"each","to":"send"},{"from":"send","to":"gather"},{"from":"gather","to":"after"}]}`)
}

func orderPayload(skus ...string) Payload {
	var pos []string
	for i, s := range skus {
		pos = append(pos, fmt.Sprintf(`{"sku":%q,"qty":%d}`, s, i+1))
	}
	return Payload{Method: "POST", Headers: map[string]string{"Content-Type": "application/json"},
		Body: `{"id":"Z-17","positions":[` + strings.Join(pos, ",") + `]}`}
}

const eachPositions = `{"list":"{{trigger.json.positions}}"}`

func TestForEach_RunsTheStepsOncePerItemAndCollectGathersAndCounts(t *testing.T) {
	for _, c := range []struct {
		name, each, collect string
		skus, refuse        []string
		status              string
		ok, failed          int
		rows                []string // each item's status
		afterRan            bool
	}{
		{"three items all go through", eachPositions, `{}`, []string{"a", "b", "c"}, nil, StatusSuccess, 3, 0,
			[]string{StatusSuccess, StatusSuccess, StatusSuccess}, true},
		{"the list by a path inside the previous step's output", `{"path":"$.positions"}`, `{}`, []string{"a", "b"}, nil, StatusSuccess, 2, 0,
			[]string{StatusSuccess, StatusSuccess}, true},
		{"one item failing does not lose the others; the run fails to be retried", eachPositions, `{}`, []string{"a", "bad", "c"}, []string{"bad"}, StatusFailed, 2, 1,
			[]string{StatusSuccess, StatusFailed, StatusSuccess}, false},
		{"set to go on, the run continues with the items that went through", eachPositions, `{"on_failure":"continue"}`, []string{"a", "bad", "c"}, []string{"bad"}, StatusSuccess, 2, 1,
			[]string{StatusSuccess, StatusFailed, StatusSuccess}, true},
		{"an empty list runs nothing and collects nothing", eachPositions, `{}`, nil, nil, StatusSuccess, 0, 0, []string{}, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			target := newOrderTarget(t)
			for _, s := range c.refuse {
				target.refuse[s] = true
			}
			f := positionsFlow(t, target.srv.URL, c.each, c.collect)
			tr, err := Run(context.Background(), f, orderPayload(c.skus...), &BasicEnv{HTTP: target.srv.Client()})
			if err != nil {
				t.Fatal(err)
			}
			if tr.Status != c.status {
				t.Fatalf("run %s, want %s (%v)", tr.Status, c.status, tr.Error)
			}
			for _, s := range c.skus {
				if target.got[s] != 1 {
					t.Errorf("sku %s sent %d times, want once", s, target.got[s])
				}
			}
			each, _ := tr.Step("each")
			if len(each.Items) != len(c.rows) {
				t.Fatalf("%d item rows, want %d", len(each.Items), len(c.rows))
			}
			for i, want := range c.rows {
				it := each.Items[i]
				if it.Index != i+1 || it.Status != want {
					t.Errorf("item %d: #%d %s, want %s (%s)", i+1, it.Index, it.Status, want, it.Error)
				}
				if len(it.Steps) != 1 || it.Steps[0].Node != "send" || it.Steps[0].HTTP == nil {
					t.Errorf("item %d: its own step traces: %+v", i+1, it.Steps)
				}
				if want == StatusFailed && (!strings.Contains(it.Error, "422") || it.ErrorText == nil || !strings.Contains(it.ErrorText.In("ru"), "422")) {
					t.Errorf("item %d: the error says why in both languages: %q %+v", i+1, it.Error, it.ErrorText)
				}
			}
			gather, _ := tr.Step("gather")
			out, _ := gather.Output.(map[string]any)
			if out == nil || out["ok"] != c.ok || out["failed"] != c.failed || len(out["items"].([]any)) != c.ok {
				t.Fatalf("collect's output %+v, want ok %d failed %d", gather.Output, c.ok, c.failed)
			}
			if len(gather.Items) != len(c.rows) {
				t.Errorf("collect shows %d rows, want %d", len(gather.Items), len(c.rows))
			}
			if c.ok > 0 {
				first := out["items"].([]any)[0].(map[string]any)
				if first["json"].(map[string]any)["saved"] != c.skus[0] {
					t.Errorf("collect gathers each item's result: %+v", first)
				}
			}
			after, _ := tr.Step("after")
			if ran := after.Status == StatusSuccess; ran != c.afterRan {
				t.Errorf("the step after the loop: %s", after.Status)
			} else if ran && after.Output.(map[string]any)["sent"] != fmt.Sprint(c.ok) {
				t.Errorf("the step after the loop sees the count: %+v", after.Output)
			}
			if c.failed > 0 && c.status == StatusFailed {
				if tr.Error == nil || tr.Error.Code != CodeCollectItemsFailed || !strings.Contains(tr.Error.Message, "1 of 3 items failed, the first: item 2") {
					t.Errorf("run error: %+v", tr.Error)
				}
				if ru := tr.Error.Text("ru"); !strings.Contains(ru, "элемент 2") || !strings.Contains(ru, "1 из 3") {
					t.Errorf("the error in Russian: %s", ru)
				}
				if send, _ := tr.Step("send"); send.Status != StatusFailed {
					t.Errorf("the repeated step is painted failed when an item failed there: %s", send.Status)
				}
			}
		})
	}
}

func TestForEach_ItemsSeeTheirItemAndEarlierDataAsInput(t *testing.T) {
	target := newOrderTarget(t)
	tr, err := Run(context.Background(), positionsFlow(t, target.srv.URL, eachPositions, `{}`), orderPayload("a", "b"), &BasicEnv{HTTP: target.srv.Client()})
	if err != nil || tr.Status != StatusSuccess {
		t.Fatalf("%v %+v", err, tr.Error)
	}
	each, _ := tr.Step("each")
	for i, it := range each.Items {
		body := it.Steps[0].HTTP.Request.Body
		want := fmt.Sprintf(`{"sku": %q, "order": "Z-17", "qty": %d}`, it.Item.(map[string]any)["sku"], i+1)
		if body != want {
			t.Errorf("item %d sent %s, want %s", i+1, body, want)
		}
		if in, _ := it.Steps[0].Input.(map[string]any); in["sku"] != it.Item.(map[string]any)["sku"] {
			t.Errorf("item %d: the step's input is the item: %+v", i+1, it.Steps[0].Input)
		}
	}
	if send, _ := tr.Step("send"); send.Input.(map[string]any)["sku"] != "a" || !strings.Contains(strings.Join(send.Logs, "\n"), "2 item(s), 2 succeeded") {
		t.Errorf("the repeated step shows item 1 and the count: %+v %q", send.Input, send.Logs)
	}
}

func TestForEach_ARetryReusesTheItemsThatWentThroughAndSendsOnlyTheFailedOnes(t *testing.T) {
	target := newOrderTarget(t)
	target.refuse["b"] = true
	prog := mustCompile(t, positionsFlow(t, target.srv.URL, eachPositions, `{}`))
	env := &BasicEnv{HTTP: target.srv.Client()}
	payload := orderPayload("a", "b", "c")
	first, _ := prog.Run(context.Background(), payload, env)
	if first.Status != StatusFailed || target.requests() != 3 {
		t.Fatalf("first attempt: %s, %d requests", first.Status, target.requests())
	}
	// The trace as the journal stores it: through JSON.
	data, _ := json.Marshal(first)
	var stored Trace
	if err := json.Unmarshal(data, &stored); err != nil {
		t.Fatal(err)
	}
	target.refuse["b"] = false
	second, _ := prog.RunFrom(context.Background(), payload, env, &stored)
	if second.Status != StatusSuccess {
		t.Fatalf("retry: %s %+v", second.Status, second.Error)
	}
	if target.requests() != 4 || target.got["a"] != 1 || target.got["b"] != 2 || target.got["c"] != 1 {
		t.Fatalf("requests after the retry: %v, want a and c once, b twice", target.got)
	}
	each, _ := second.Step("each")
	for _, it := range each.Items {
		reused := strings.Contains(strings.Join(it.Steps[0].Logs, "\n"), "reused from the earlier attempt")
		if reused != (it.Index != 2) {
			t.Errorf("item %d reused=%v", it.Index, reused)
		}
	}
	gather, _ := second.Step("gather")
	if out := gather.Output.(map[string]any); out["ok"] != 3 || out["failed"] != 0 || len(out["items"].([]any)) != 3 {
		t.Errorf("collect after the retry: %+v", out)
	}
}

func TestForEach_AListThatCannotBeGoneThroughFailsTheStepSayingWhatToDo(t *testing.T) {
	many := make([]string, MaxLoopItems+1)
	for i := range many {
		many[i] = fmt.Sprint(i)
	}
	for _, c := range []struct {
		name, each string
		payload    Payload
		en, ru     string
	}{
		{"more items than one run takes", eachPositions, orderPayload(many...),
			"the list has 1001 items, more than the 1000 one run can take", "в списке 1001 элемент — больше, чем 1000"},
		{"an object, not a list", `{"list":"{{trigger.json}}"}`, orderPayload("a"), "found an object, not a list", "найдено: объект, а не список"},
		{"nothing at the path", `{"path":"$.lines"}`, orderPayload("a"), "nothing at $.lines", "по пути «$.lines» ничего нет"},
	} {
		t.Run(c.name, func(t *testing.T) {
			target := newOrderTarget(t)
			tr, err := Run(context.Background(), positionsFlow(t, target.srv.URL, c.each, `{}`), c.payload, &BasicEnv{HTTP: target.srv.Client()})
			if err != nil {
				t.Fatal(err)
			}
			if tr.Status != StatusFailed || target.requests() != 0 {
				t.Fatalf("run %s with %d requests", tr.Status, target.requests())
			}
			if !strings.Contains(tr.Error.Message, c.en) || !strings.Contains(tr.Error.Text("ru"), c.ru) {
				t.Errorf("error:\n%s\n%s", tr.Error.Message, tr.Error.Text("ru"))
			}
			for _, id := range []string{"send", "gather", "after"} {
				if st, _ := tr.Step(id); st.Status != StatusSkipped {
					t.Errorf("%s: %s", id, st.Status)
				}
			}
		})
	}
}

func TestForEach_ValidationNamesLoopsThatCannotRun(t *testing.T) {
	const trig = `{"id":"trigger","kind":"webhook"}`
	const each = `{"id":"each","kind":"foreach","config":{"list":"{{trigger.json.positions}}"}}`
	set := func(id, value string) string {
		return `{"id":"` + id + `","kind":"set","config":{"fields":[{"key":"v","value":"` + value + `"}]}}`
	}
	edge := func(from, to string) string { return `{"from":"` + from + `","to":"` + to + `"}` }
	for _, c := range []struct {
		name, nodes, edges, code, node, ru string
	}{
		{"For each without Collect", trig + "," + each + "," + set("a", "{{item.sku}}"),
			edge("trigger", "each") + "," + edge("each", "a"), CodeLoopNoCollect, "each", "добавьте шаг «Собрать»"},
		{"Collect without For each", trig + "," + set("a", "x") + `,{"id":"g","kind":"collect"}`,
			edge("trigger", "a") + "," + edge("a", "g"), CodeLoopCollectAlone, "g", "перед ним нет шага «Для каждого»"},
		{"a loop inside a loop", trig + "," + each + `,{"id":"inner","kind":"foreach","config":{"list":"{{item.parts}}"}},{"id":"g","kind":"collect"}`,
			edge("trigger", "each") + "," + edge("each", "inner") + "," + edge("inner", "g"), CodeLoopNested, "inner", "в этой версии не поддерживается"},
		{"{{item}} outside the loop", trig + "," + set("a", "{{item.sku}}"), edge("trigger", "a"), CodeRefItemOutsideLoop, "a", "элемент есть только у шагов между"},
		{"a repeated step used after Collect", trig + "," + each + "," + set("a", "{{item.sku}}") + `,{"id":"g","kind":"collect"},` + set("z", "{{a.v}}"),
			edge("trigger", "each") + "," + edge("each", "a") + "," + edge("a", "g") + "," + edge("g", "z"), CodeRefInsideLoop, "z", "{{g.items}}"},
		{"a step entering the loop from the side", trig + "," + each + "," + set("a", "x") + `,{"id":"g","kind":"collect"}`,
			edge("trigger", "each") + "," + edge("each", "a") + "," + edge("a", "g") + "," + edge("trigger", "a"), CodeLoopEntry, "a", "можно прийти только через"},
		{"a repeated step that does not reach Collect", trig + "," + each + "," + set("a", "x") + "," + set("b", "y") + `,{"id":"g","kind":"collect"}`,
			edge("trigger", "each") + "," + edge("each", "a") + "," + edge("each", "b") + "," + edge("a", "g"), CodeLoopDeadEnd, "b", "не ведёт к «g»"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, problems := Compile(mustParse(t, `{"schema":1,"nodes":[`+c.nodes+`],"edges":[`+c.edges+`]}`))
			if len(problems) != 1 || problems[0].Code != c.code || problems[0].Node != c.node {
				t.Fatalf("problems %+v, want one %s on %s", problems, c.code, c.node)
			}
			if ru := problems[0].Text("ru"); !strings.Contains(ru, c.ru) {
				t.Errorf("in Russian: %s", ru)
			}
		})
	}
}

// BenchmarkForEach1000 sends 1,000 positions of one order through For each → HTTP → Collect,
// against the baseline of the same HTTP step run as 1,000 single runs (one webhook per position),
// and reports the loop's time as a ratio to the baseline's ("loop/singles"; under 1 is faster).
func BenchmarkForEach1000(b *testing.B) {
	target := newOrderTarget(b)
	skus := make([]string, 1000)
	for i := range skus {
		skus[i] = fmt.Sprint("p", i)
	}
	loop := mustCompile(b, positionsFlow(b, target.srv.URL, eachPositions, `{}`))
	one := mustCompile(b, mustParse(b, `{"schema":1,"nodes":[{"id":"trigger","kind":"webhook"},
	  {"id":"send","kind":"http","config":{"method":"POST","url":"`+target.srv.URL+`/positions","retries":0,
	    "body_type":"json","body":"{\"sku\": {{trigger.json.sku | json}}, \"order\": {{trigger.json.order | json}}, \"qty\": {{trigger.json.qty | json}}}"}}],
	  "edges":[{"from":"trigger","to":"send"}]}`))
	env := &BasicEnv{HTTP: target.srv.Client()}
	order := orderPayload(skus...)
	singles := make([]Payload, len(skus))
	for i, s := range skus {
		singles[i] = Payload{Method: "POST", Headers: map[string]string{"Content-Type": "application/json"},
			Body: fmt.Sprintf(`{"sku":%q,"order":"Z-17","qty":%d}`, s, i+1)}
	}
	var inLoop, inSingles time.Duration
	b.ReportAllocs()
	for b.Loop() {
		start := time.Now()
		if tr, _ := loop.Run(context.Background(), order, env); tr.Status != StatusSuccess {
			b.Fatalf("loop: %s %v", tr.Status, tr.Error)
		}
		inLoop += time.Since(start)
		start = time.Now()
		for _, p := range singles {
			if tr, _ := one.Run(context.Background(), p, env); tr.Status != StatusSuccess {
				b.Fatalf("single: %s %v", tr.Status, tr.Error)
			}
		}
		inSingles += time.Since(start)
	}
	b.ReportMetric(float64(inLoop)/float64(inSingles), "loop/singles")
	b.ReportMetric(float64(inLoop.Milliseconds())/float64(b.N), "loop-ms/op")
	b.ReportMetric(float64(inSingles.Milliseconds())/float64(b.N), "singles-ms/op")
}
