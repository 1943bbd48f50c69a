package flows

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"
)

// replyFlow is webhook → set "send" (an id, as a target would answer) → reply with config.
func replyFlow(t *testing.T, config string) *Flow {
	t.Helper()
	return mustParse(t, `{"schema":1,"nodes":[{"id":"trigger","kind":"webhook"},
	  {"id":"send","kind":"set","config":{"fields":[{"key":"json.id","value":"lead-{{trigger.params.n}}"}]}},
	  {"id":"answer","kind":"reply","config":`+config+`}],
	  "edges":[{"from":"trigger","to":"send"},{"from":"send","to":"answer"}]}`)
}

func TestReply_RendersTheAnswerFromTheRunsData(t *testing.T) {
	for _, c := range []struct {
		name, config string
		want         Answer
	}{
		{"JSON with a value of an earlier step", `{"status":"201","content_type":"application/json","body":"{\"ok\":true,\"id\":\"{{steps.send.json.id}}\"}"}`,
			Answer{201, "application/json; charset=utf-8", `{"ok":true,"id":"lead-7"}`}},
		{"the request's own values and its stored id", `{"content_type":"text/plain","body":"{{trigger.params.n}} {{event.id}}"}`,
			Answer{200, "text/plain; charset=utf-8", "7 ev-1"}},
		{"a table with a refusal status", `{"status":"400","content_type":"text/csv","body":"a;b"}`,
			Answer{400, "text/csv; charset=utf-8", "a;b"}},
		{"nothing chosen: 200, JSON, empty", `{}`, Answer{200, "application/json; charset=utf-8", ""}},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := queryPayload("n=7")
			p.EventID = "ev-1"
			tr, err := Run(context.Background(), replyFlow(t, c.config), p, fixedEnv(nil))
			if err != nil {
				t.Fatal(err)
			}
			checkAnswer(t, tr, c.want)
		})
	}
}

// A type a browser runs, written into a document by hand, is refused by validation; and were it
// run anyway, or found in a stored trace, it is answered as plain text.
func TestReply_TypeThatCanRunInABrowserIsRefusedAndNeverServed(t *testing.T) {
	for _, ct := range []string{"text/html", "application/javascript", "image/svg+xml", "text/html\r\nX-Injected: 1", "nonsense"} {
		t.Run(ct, func(t *testing.T) {
			f := replyFlow(t, `{"content_type":`+strconv.Quote(ct)+`,"body":"<script>1</script>"}`)
			_, problems := Compile(f)
			if len(problems) != 1 || problems[0].Code != CodeFieldOption || problems[0].Field != "content_type" || !strings.Contains(problems[0].Message, "application/json") {
				t.Fatalf("problems %+v, want the type refused naming the allowed ones", problems)
			}
			if got := servedReplyType(ct); got != DefaultReplyType {
				t.Errorf("served as %q", got)
			}
			stored := map[string]any{"status": float64(200), "content_type": ct, "body": "<script>1</script>"}
			if got, ok := AnswerOf(stored); !ok || got != (Answer{200, DefaultReplyType, "<script>1</script>"}) {
				t.Errorf("answer from a stored trace %+v", got)
			}
		})
	}
}

func TestReply_OnlyOneReplyStepPerFlow(t *testing.T) {
	f := mustParse(t, `{"schema":1,"nodes":[{"id":"trigger","kind":"webhook"},
	  {"id":"a","kind":"reply","config":{"body":"1"}},{"id":"b","kind":"reply","config":{"body":"2"}}],
	  "edges":[{"from":"trigger","to":"a"},{"from":"trigger","to":"b"}]}`)
	_, problems := Compile(f)
	var on []string
	for _, p := range problems {
		if p.Code != CodeReplyMany {
			t.Errorf("unexpected problem %+v", p)
			continue
		}
		on = append(on, p.Node)
		if !strings.Contains(p.Message, "keep one") || !strings.Contains(Message(p.Code, "ru", p.Params), "оставьте один") {
			t.Errorf("sentence en %q / ru %q", p.Message, Message(p.Code, "ru", p.Params))
		}
	}
	if strings.Join(on, ",") != "a,b" {
		t.Fatalf("problems on %v, want both Reply steps", on)
	}
}

func TestReply_ProblemsNameTheField(t *testing.T) {
	for _, c := range []struct{ name, config, code, field string }{
		{"a status outside the menu", `{"status":"302"}`, CodeFieldOption, "status"},
		{"a reference to a step that runs later", `{"body":"{{later.x}}"}`, CodeRefNotUpstream, "body"},
		{"waiting longer than allowed", `{"wait_ms":60000}`, CodeFieldRange, "wait_ms"},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := replyFlow(t, c.config)
			f.Nodes = append(f.Nodes, Node{ID: "later", Kind: "set", Config: []byte(`{"fields":[{"key":"x","value":"1"}]}`)})
			f.Edges = append(f.Edges, Edge{From: "answer", To: "later"})
			_, problems := Compile(f)
			if len(problems) != 1 || problems[0].Code != c.code || problems[0].Field != c.field || problems[0].Node != "answer" {
				t.Fatalf("problems %+v, want %s on %s", problems, c.code, c.field)
			}
		})
	}
}

func TestReply_WaitOfTheFlow(t *testing.T) {
	for _, c := range []struct {
		name, config string
		want         time.Duration
	}{
		{"default", `{}`, DefaultReplyWait},
		{"its own", `{"wait_ms":2500}`, 2500 * time.Millisecond},
		{"capped", `{"wait_ms":90000}`, MaxReplyWait},
	} {
		t.Run(c.name, func(t *testing.T) {
			if d, ok := replyFlow(t, c.config).ReplyWait(); !ok || d != c.want {
				t.Fatalf("wait %v %v, want %v", d, ok, c.want)
			}
		})
	}
	if _, ok := mustParse(t, `{"schema":1,"nodes":[{"id":"trigger","kind":"webhook"}]}`).ReplyWait(); ok {
		t.Fatal("a flow without a Reply step waits")
	}
}

// Settings saved by an older hookflow become a step answering the same.
func TestReplyNode_FromOldSettings(t *testing.T) {
	for _, c := range []struct {
		name        string
		status      int
		contentType string
		want        Answer
	}{
		{"status, JSON with charset", 201, "Application/JSON; charset=windows-1251", Answer{201, "application/json; charset=utf-8", "x"}},
		{"nothing set: 200 as text", 0, "", Answer{200, "text/plain; charset=utf-8", "x"}},
		{"a page type saved before the list: text, as it was served", 200, "text/html", Answer{200, "text/plain; charset=utf-8", "x"}},
		{"a status the menu lacks: the first of its class", 418, "text/csv", Answer{400, "text/csv; charset=utf-8", "x"}},
		{"a redirect status: 200", 302, "text/plain", Answer{200, "text/plain; charset=utf-8", "x"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := mustParse(t, `{"schema":1,"nodes":[{"id":"trigger","kind":"webhook"}]}`)
			f.AddReplyStep(c.status, c.contentType, "x", 0)
			tr, err := Run(context.Background(), f, queryPayload(""), fixedEnv(nil))
			if err != nil {
				t.Fatal(err)
			}
			checkAnswer(t, tr, c.want)
		})
	}
}

func checkAnswer(t *testing.T, tr *Trace, want Answer) {
	t.Helper()
	var st StepTrace
	for _, s := range tr.Steps {
		if s.Kind == ReplyKind {
			st = s
		}
	}
	if st.Status != StatusSuccess {
		t.Fatalf("reply step %s (%s), run %s", st.Status, st.Error, tr.Status)
	}
	got, ok := AnswerOf(st.Output)
	if !ok || got != want {
		t.Fatalf("answer %+v, want %+v", got, want)
	}
}

// An old reply setting becomes a step where it answers the same: beside the trigger when it used
// only the request (the other steps keep their input), after the last steps when it waited for
// the run or used a step's values.
func TestAddReplyStep_PlacedWhereTheOldAnswerWasMade(t *testing.T) {
	const chain = `{"schema":1,"nodes":[{"id":"trigger","kind":"webhook","position":{"x":0,"y":0}},
	  {"id":"route","kind":"switch","config":{"routes":[` + routeYandex + `]}},
	  {"id":"to_a","kind":"set","config":{"fields":[{"key":"id","value":"a"}]}},
	  {"id":"to_b","kind":"set","config":{"fields":[{"key":"id","value":"b"}]}}],
	  "edges":[{"from":"trigger","to":"route"},{"from":"route","to":"to_a","branch":"r_ya"},{"from":"route","to":"to_b","branch":"otherwise"}]}`
	for _, c := range []struct {
		name, body, query string
		waitMs            int
		feeds             string // the steps feeding the Reply step
		answer            string
	}{
		{"only the request: beside the trigger", "{{trigger.params.n}}", "n=1&utm_source=yandex", 0, "trigger", "1"},
		{"waited for the run: after the last steps", "{{event.id}}", "utm_source=yandex", 3000, "to_a,to_b", "ev-1"},
		{"a step's value: after the last steps, on either route", "{{to_b.id}}{{to_a.id}}", "utm_source=vk", 0, "to_a,to_b", "b"},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := mustParse(t, chain)
			id := f.AddReplyStep(201, "application/json; charset=utf-8", c.body, c.waitMs)
			var feeds []string
			for _, e := range f.Edges {
				if e.To == id {
					feeds = append(feeds, e.From)
				}
			}
			if id != "reply" || strings.Join(feeds, ",") != c.feeds {
				t.Fatalf("step %q fed by %v, want %s", id, feeds, c.feeds)
			}
			p := queryPayload(c.query)
			p.EventID = "ev-1"
			tr, err := Run(context.Background(), f, p, fixedEnv(nil))
			if err != nil {
				t.Fatal(err)
			}
			checkAnswer(t, tr, Answer{201, "application/json; charset=utf-8", c.answer})
			if st, _ := tr.Step("route"); st.Input == nil {
				t.Error("the router lost its input")
			}
		})
	}
}

func TestAddReplyStep_RunReferencesOfTheOldSettingBecomeWhatTheyWere(t *testing.T) {
	for _, c := range []struct{ body, want string }{
		{"{{run.status}}", `{{"success"}}`},
		{"{{ run.status | upper }} {{run.error}}!", `{{"success" | upper }} {{""}}!`},
		{"run {{run.id}} of {{trigger.params.n}}, {{run}}", "run {{event.id}} of {{trigger.params.n}}, {{\"\"}}"},
		{"{{broken", "{{broken"},
	} {
		if got := withoutRunRefs(c.body); got != c.want {
			t.Errorf("%q → %q, want %q", c.body, got, c.want)
		}
	}
}
