package flows

import (
	"context"
	"encoding/json"
	"mime"
	"strconv"
	"strings"
	"time"
)

// reply is what the webhook answers the service that called it, for the services that read the
// answer: a status, a type and a text built from the data like any other field
// ({"ok":true,"id":"{{steps.send.json.id}}"}). The server holds the webhook's answer until the run
// reaches this step (at most WaitMs), then answers what it rendered; a run that fails before it, or
// does not reach it in time, is answered the usual "accepted" answer. Its output is the answer.
//
// A flow answers once, so it has at most one Reply step. The answer comes from hookflow's own
// address: its type is one of ReplyTypes, which no browser runs (see docs/security.md).

type replyConfig struct {
	Status      string `json:"status,omitempty"`
	ContentType string `json:"content_type,omitempty"`
	Body        string `json:"body,omitempty"`
	// WaitMs is how long the webhook's answer waits for the run to reach this step.
	WaitMs int `json:"wait_ms,omitempty"`
}

// ReplyKind is the kind of the step that answers the webhook.
const ReplyKind = "reply"

// How long a webhook's answer waits for its run to reach the Reply step: by default, and at most.
const (
	DefaultReplyWait = 10 * time.Second
	MaxReplyWait     = 30 * time.Second
)

// ReplyTypes are the content types a webhook answer may have: what sources read, and what no
// browser runs. The answer comes from hookflow's own address, so a page (text/html, SVG, XHTML)
// or a script there would run with the signed-in person's rights; the server's sandbox policy
// stops those too, and this list keeps them from being served at all.
var ReplyTypes = []string{"text/plain", "application/json", "application/xml", "text/xml", "text/csv"}

// DefaultReplyType is what an answer is served as without an allowed type of its own.
const DefaultReplyType = "text/plain; charset=utf-8"

// ReplyContentType is the type an answer is served with: contentType in its canonical form when
// its media type is allowed (parameters such as charset kept), else false.
func ReplyContentType(contentType string) (string, bool) {
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil || !contains(ReplyTypes, mt) {
		return "", false
	}
	if out := mime.FormatMediaType(mt, params); out != "" {
		return out, true
	}
	return "", false
}

// replyStatuses are the statuses the step's menu offers.
var replyStatuses = []string{"200", "201", "202", "204", "400", "401", "403", "404", "409", "422", "429", "500", "503"}

// CodeReplyMany: a flow with more than one Reply step.
const CodeReplyMany = "reply.many"

func init() {
	Register(KindSpec[replyConfig]{
		Name:  ReplyKind,
		Title: T("reply.title"),
		Help:  T("reply.help"),
		Fields: []Field{
			{Key: "status", Type: FieldSelect, Label: T("reply.status.label"), Options: replyStatuses, Default: "200",
				OptionLabels: map[string]Text{
					"200": T("reply.status.option.200"), "201": T("reply.status.option.201"), "202": T("reply.status.option.202"),
					"204": T("reply.status.option.204"), "400": T("reply.status.option.400"),
					"401": T("reply.status.option.401"), "403": T("reply.status.option.403"),
					"404": T("reply.status.option.404"), "409": T("reply.status.option.409"),
					"422": T("reply.status.option.422"), "429": T("reply.status.option.429"),
					"500": T("reply.status.option.500"), "503": T("reply.status.option.503"),
				},
				Help: T("reply.status.help")},
			{Key: "content_type", Type: FieldSelect, Label: T("reply.content_type.label"), Options: ReplyTypes, Default: "application/json",
				OptionLabels: map[string]Text{
					"text/plain": T("reply.content_type.option.text/plain"), "application/json": T("reply.content_type.option.application/json"),
					"application/xml": T("reply.content_type.option.application/xml"), "text/xml": T("reply.content_type.option.text/xml"),
					"text/csv": T("reply.content_type.option.text/csv"),
				},
				Help: T("reply.content_type.help")},
			{Key: "body", Type: FieldText, Label: T("reply.body.label"), Template: true,
				Help: T("reply.body.help")},
			{Key: "wait_ms", Type: FieldNumber, Label: T("reply.wait_ms.label"),
				Default: int(DefaultReplyWait / time.Millisecond), Min: bound(1000), Max: bound(float64(MaxReplyWait / time.Millisecond)),
				Help: T("reply.wait_ms.help")},
		},
		Build: buildReply,
	})
}

func buildReply(b *Builder, cfg *replyConfig) Step {
	if n := countKind(b.c.flow, ReplyKind); n > 1 {
		b.Problem("", CodeReplyMany, Params{"count": strconv.Itoa(n)})
	}
	body := b.Template("body", cfg.Body)
	status := replyStatus(cfg.Status)
	contentType := servedReplyType(cfg.ContentType)
	return StepFunc(func(ctx context.Context, sc *StepContext) (any, error) {
		return Answer{Status: status, ContentType: contentType, Body: sc.Render(body)}.output(), nil
	})
}

func countKind(f *Flow, kind string) int {
	n := 0
	for _, node := range f.Nodes {
		if node.Kind == kind {
			n++
		}
	}
	return n
}

// replyStatus is the status a Reply step answers: its own, 200 when it has none.
func replyStatus(s string) int {
	if n, err := strconv.Atoi(strings.TrimSpace(s)); err == nil && n >= 200 && n <= 599 {
		return n
	}
	return 200
}

// servedReplyType is the Content-Type of a step's answer: its allowed type in UTF-8 (what the
// templates render), plain text for anything else, so that a type written into a document by
// hand never reaches a browser.
func servedReplyType(ct string) string {
	if ct == "" {
		ct = "application/json"
	}
	canonical, ok := ReplyContentType(ct)
	if !ok {
		return DefaultReplyType
	}
	mt, params, _ := mime.ParseMediaType(canonical)
	params["charset"] = "utf-8"
	return mime.FormatMediaType(mt, params)
}

// Answer is what a Reply step rendered: the webhook's HTTP answer.
type Answer struct {
	Status      int
	ContentType string
	Body        string
}

func (a Answer) output() map[string]any {
	return map[string]any{"status": a.Status, "content_type": a.ContentType, "body": a.Body}
}

// AnswerOf reads the answer back from a Reply step's output (as run, or as stored in a trace). The
// type is checked again: the output of a stored trace is data like any other.
func AnswerOf(output any) (Answer, bool) {
	m, ok := output.(map[string]any)
	if !ok {
		return Answer{}, false
	}
	body, _ := m["body"].(string)
	ct, _ := m["content_type"].(string)
	status := 0
	switch s := m["status"].(type) {
	case int:
		status = s
	case float64:
		status = int(s)
	}
	if status < 200 || status > 599 {
		status = 200
	}
	if served, ok := ReplyContentType(ct); ok {
		ct = served
	} else {
		ct = DefaultReplyType
	}
	return Answer{Status: status, ContentType: ct, Body: body}, true
}

// ReplyWait is how long a webhook's answer waits for the flow's Reply step, and false when the
// flow has none (the webhook is answered at once).
func (f *Flow) ReplyWait() (time.Duration, bool) {
	for _, n := range f.Nodes {
		if n.Kind != ReplyKind {
			continue
		}
		var cfg replyConfig
		_ = json.Unmarshal(n.Config, &cfg) // a broken config is the compiler's to report
		d := time.Duration(cfg.WaitMs) * time.Millisecond
		if d <= 0 {
			d = DefaultReplyWait
		}
		return min(d, MaxReplyWait), true
	}
	return 0, false
}

// AddReplyStep adds a Reply step answering as a flow's reply setting did (hookflow before the
// step kept the answer in the flow's settings) and returns its id; the document must have none.
//
// Where it goes keeps the answer the same. A setting that waited for the run (waitMs > 0) or
// used a step's values answered after the whole run, with every step's output: the step goes
// after the last steps, fed by each step nothing follows. Otherwise the answer used only the
// request: the step goes beside the trigger, fed by it alone, so it runs first and the steps
// after the trigger keep their input.
func (f *Flow) AddReplyStep(status int, contentType, body string, waitMs int) string {
	id := "reply"
	for i := 2; ; i++ {
		if _, taken := f.Node(id); !taken {
			break
		}
		id = "reply" + strconv.Itoa(i)
	}
	body = withoutRunRefs(body)
	n := replyNode(id, status, contentType, body, waitMs)
	trigger := -1
	for i, node := range f.Nodes {
		if k, ok := kindByName(node.Kind); ok && k.Trigger {
			trigger = i
			break
		}
	}
	if trigger < 0 {
		f.Nodes = append(f.Nodes, n)
		return id
	}
	if waitMs <= 0 && !usesSteps(body) {
		t := f.Nodes[trigger]
		if t.Position != nil {
			n.Position = &Position{X: t.Position.X + 320, Y: t.Position.Y - 140}
		}
		f.Nodes = append(f.Nodes[:trigger+1], append([]Node{n}, f.Nodes[trigger+1:]...)...)
		f.Edges = append(f.Edges, Edge{From: t.ID, To: id})
		return id
	}
	feeds := map[string]bool{}
	for _, e := range f.Edges {
		feeds[e.From] = true
	}
	var last *Node
	for i := range f.Nodes {
		if node := &f.Nodes[i]; !feeds[node.ID] {
			f.Edges = append(f.Edges, Edge{From: node.ID, To: id})
			last = node
		}
	}
	if last != nil && last.Position != nil {
		n.Position = &Position{X: last.Position.X, Y: last.Position.Y + 160}
	}
	f.Nodes = append(f.Nodes, n)
	return id
}

// withoutRunRefs rewrites the setting's references to the finished run, which a step cannot see:
// a Reply step after the last steps runs only when every step before it succeeded, so {{run.status}}
// is "success" and {{run.error}} empty there; {{run.id}} becomes the stored request's id, by which
// the journal finds the run. Pipes are kept: {{run.status | upper}} → {{"success" | upper}}.
func withoutRunRefs(body string) string {
	var out strings.Builder
	rest := body
	for {
		i := strings.Index(rest, "{{")
		end := -1
		if i >= 0 {
			end = closingBraces(rest[i+2:])
		}
		if end < 0 {
			out.WriteString(rest)
			return out.String()
		}
		inner := rest[i+2 : i+2+end]
		out.WriteString(rest[:i])
		if e, err := ParseExpr(inner); err == nil && len(e.Ref) > 0 && e.Ref[0].Key == "run" {
			value := `""`
			if len(e.Ref) > 1 {
				value = map[string]string{"status": `"success"`, "id": "event.id"}[e.Ref[1].Key]
			}
			if value == "" {
				value = `""`
			}
			if _, pipes, piped := strings.Cut(inner, "|"); piped {
				value += " |" + pipes
			}
			inner = value
		}
		out.WriteString("{{" + inner + "}}")
		rest = rest[i+2+end+2:]
	}
}

// usesSteps reports whether a template refers to any step's output (not only to the request).
func usesSteps(body string) bool {
	t, err := ParseTemplate(body)
	if err != nil {
		return false
	}
	for _, e := range t.Exprs() {
		if len(e.Ref) > 0 {
			switch e.Ref[0].Key {
			case "trigger", "event", "inputs", "now", "input":
			default:
				return true
			}
		}
	}
	return false
}

// replyNode is a Reply step answering with the given status, type and body.
func replyNode(id string, status int, contentType, body string, waitMs int) Node {
	cfg := replyConfig{Body: body, WaitMs: max(waitMs, 0)}
	if cfg.WaitMs > 0 {
		cfg.WaitMs = min(max(cfg.WaitMs, 1000), int(MaxReplyWait/time.Millisecond)) // the step's range
	}
	if status != 0 {
		cfg.Status = strconv.Itoa(status)
		if !contains(replyStatuses, cfg.Status) {
			// A status the menu does not offer (299, 302, 418) would make the step invalid and stop a
			// running flow: the first of its class is kept (4xx → 400, 5xx → 500, anything else 200).
			cfg.Status = map[int]string{4: "400", 5: "500"}[status/100]
			if cfg.Status == "" {
				cfg.Status = "200"
			}
		}
	}
	// Outside the list (saved before it existed), the setting's answer was served as plain text.
	cfg.ContentType = "text/plain"
	if mt, _, err := mime.ParseMediaType(contentType); err == nil && contains(ReplyTypes, mt) {
		cfg.ContentType = mt
	}
	data, _ := json.Marshal(cfg)
	return Node{ID: id, Kind: ReplyKind, Config: data}
}
