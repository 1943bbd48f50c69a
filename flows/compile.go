package flows

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync/atomic"
)

// Program is a checked flow ready to run: nodes in execution order with their built steps.
type Program struct {
	Flow    *Flow
	order   []*Node
	steps   map[string]Step
	trigger *Node
	in      map[string][]Edge // incoming edges per node
	main    map[string]string // the main output of each branching node
	loops   programLoops      // For each … Collect, see loop.go
	// lastMask is the masker of the latest run's secrets: runs of one flow mostly have the same.
	lastMask atomic.Pointer[maskFor]
}

// reservedRoots are template roots that are not node ids.
var reservedRoots = map[string]bool{"steps": true, "inputs": true, "event": true, "trigger": true, "now": true, "input": true, "item": true}

var nodeIDPattern = regexp.MustCompile(`^[\p{L}\p{N}_-]+$`)

// Validate reports every problem of the flow at once. When inputs is not nil, required inputs
// without a value (and without a default) are problems too.
func Validate(f *Flow, inputs func(key string) (string, bool)) Problems {
	_, problems := Compile(f)
	if inputs != nil {
		problems = append(problems, checkInputValues(f, inputs)...)
	}
	return problems
}

func checkInputValues(f *Flow, inputs func(key string) (string, bool)) Problems {
	var out Problems
	for _, in := range f.Inputs {
		if !in.Required || in.Default != "" {
			continue
		}
		if v, ok := inputs(in.Key); !ok || strings.TrimSpace(v) == "" {
			label := in.Label
			if label == "" {
				label = in.Key
			}
			out = append(out, problemAt(nil, "inputs."+in.Key, CodeInputMissing, Params{"key": in.Key, "label": label}))
		}
	}
	return out
}

// Compile checks the flow and builds its steps. It returns every problem found; the program is
// nil when there is any.
func Compile(f *Flow) (*Program, Problems) {
	c := &compiler{flow: f, byID: map[string]*Node{}, in: map[string][]Edge{}, out: map[string][]Edge{}}
	c.checkFlow()
	c.checkNodes()
	c.checkEdges()
	order := c.order()
	c.checkLoops(order)
	c.buildSteps()
	if len(c.problems) > 0 {
		return nil, c.problems
	}
	return &Program{Flow: f, order: order, steps: c.steps, trigger: c.trigger, in: c.in, main: c.main, loops: c.loops}, nil
}

type compiler struct {
	flow     *Flow
	problems Problems
	byID     map[string]*Node
	in, out  map[string][]Edge
	trigger  *Node
	// manyTriggers is set when the flow has more than one trigger: reachability is then moot.
	manyTriggers bool
	steps        map[string]Step
	inputs       map[string]bool
	main         map[string]string // see Program.main
	loops        programLoops      // see Program.loops
}

func (c *compiler) add(p Problem) { c.problems = append(c.problems, p) }

func (c *compiler) checkFlow() {
	f := c.flow
	if f.Schema > SchemaVersion {
		c.add(problemAt(nil, "schema", CodeSchemaVersion, Params{"version": fmt.Sprint(f.Schema)}))
	}
	c.inputs = map[string]bool{}
	for i, in := range f.Inputs {
		switch {
		case strings.TrimSpace(in.Key) == "":
			c.add(problemAt(nil, fmt.Sprintf("inputs[%d].key", i), CodeInputKeyEmpty, Params{"index": fmt.Sprint(i + 1)}))
		case c.inputs[in.Key]:
			c.add(problemAt(nil, fmt.Sprintf("inputs[%d].key", i), CodeInputDuplicate, Params{"key": in.Key}))
		}
		c.inputs[in.Key] = true
	}
	if len(f.Nodes) == 0 {
		c.add(problemAt(nil, "nodes", CodeNoNodes, nil))
	}
}

func (c *compiler) checkNodes() {
	var triggers []string
	for i := range c.flow.Nodes {
		n := &c.flow.Nodes[i]
		switch {
		case n.ID == "":
			c.add(problemAt(n, "id", CodeNodeIDEmpty, nil))
			continue
		case c.byID[n.ID] != nil:
			c.add(problemAt(n, "id", CodeNodeIDDuplicate, Params{"id": n.ID}))
			continue
		case !nodeIDPattern.MatchString(n.ID):
			c.add(problemAt(n, "id", CodeNodeIDInvalid, Params{"id": n.ID}))
		}
		c.byID[n.ID] = n
		k, ok := kindByName(n.Kind)
		if !ok {
			c.add(problemAt(n, "kind", CodeUnknownKind, Params{"kind_name": n.Kind}))
			continue
		}
		if k.Trigger {
			triggers = append(triggers, n.ID)
			if c.trigger == nil {
				c.trigger = n
			}
		}
	}
	for id, n := range c.byID {
		if reservedRoots[id] && !(id == "trigger" && n == c.trigger) {
			c.add(problemAt(n, "id", CodeNodeIDReserved, Params{"id": id}))
		}
	}
	switch {
	case len(c.flow.Nodes) > 0 && len(triggers) == 0:
		c.add(problemAt(nil, "nodes", CodeNoTrigger, nil))
	case len(triggers) > 1:
		c.manyTriggers = true
		c.add(problemAt(nil, "nodes", CodeManyTriggers, Params{"count": fmt.Sprint(len(triggers)), "nodes": strings.Join(triggers, ", ")}))
	}
}

func (c *compiler) checkEdges() {
	// Two connections between the same steps are one too many, unless they leave by different
	// outputs: two routes of a router may lead to the same step.
	seen := map[[3]string]bool{}
	outputs := map[string][]Output{}
	c.main = map[string]string{}
	for id, n := range c.byID {
		if outs := nodeOutputs(n); len(outs) > 0 {
			outputs[id], c.main[id] = outs, mainOutput(outs)
		}
	}
	for _, e := range c.flow.Edges {
		from, to := c.byID[e.From], c.byID[e.To]
		if from == nil || to == nil {
			missing := e.From
			if from != nil {
				missing = e.To
			}
			c.add(problemAt(from, "edges", CodeEdgeUnknownNode, Params{"from": e.From, "to": e.To, "missing": missing}))
			continue
		}
		if e.From == e.To {
			c.add(problemAt(from, "edges", CodeEdgeSelf, nil))
			continue
		}
		branch := e.Branch
		if branch == "" {
			branch = c.main[e.From]
		}
		if seen[[3]string{e.From, e.To, branch}] {
			c.add(problemAt(from, "edges", CodeEdgeDuplicate, Params{"from": e.From, "to": e.To}))
			continue
		}
		seen[[3]string{e.From, e.To, branch}] = true
		if to == c.trigger {
			c.add(problemAt(to, "edges", CodeEdgeIntoTrigger, Params{"from": e.From}))
			continue
		}
		if e.Branch != "" && !hasOutput(outputs[e.From], e.Branch) {
			c.add(problemAt(from, "edges", CodeEdgeBranch, Params{"to": e.To, "branch": e.Branch}))
		}
		c.out[e.From] = append(c.out[e.From], e)
		c.in[e.To] = append(c.in[e.To], e)
	}
}

// order sorts the nodes topologically (Kahn), keeping document order among ready nodes, and
// reports cycles and nodes the trigger does not reach.
func (c *compiler) order() []*Node {
	indeg := map[string]int{}
	for id := range c.byID {
		indeg[id] = len(c.in[id])
	}
	var order []*Node
	done := map[string]bool{}
	for progress := true; progress; {
		progress = false
		for i := range c.flow.Nodes {
			n := &c.flow.Nodes[i]
			if c.byID[n.ID] != n || done[n.ID] || indeg[n.ID] > 0 {
				continue
			}
			done[n.ID] = true
			order = append(order, n)
			for _, e := range c.out[n.ID] {
				indeg[e.To]--
			}
			progress = true
		}
	}
	if len(order) < len(c.byID) {
		c.add(problemAt(nil, "edges", CodeCycle, Params{"nodes": strings.Join(c.cycleMembers(done), ", ")}))
	}
	if c.trigger != nil && !c.manyTriggers {
		reached := c.reachable(c.trigger.ID)
		for _, n := range order {
			if !reached[n.ID] {
				c.add(problemAt(n, "", CodeUnreachable, nil))
			}
		}
	}
	return order
}

// cycleMembers narrows the nodes left after Kahn's pass to those that also have a way onward
// inside the remainder: the nodes on or between cycles, not everything downstream of one.
func (c *compiler) cycleMembers(done map[string]bool) []string {
	left := map[string]bool{}
	for id := range c.byID {
		if !done[id] {
			left[id] = true
		}
	}
	for changed := true; changed; {
		changed = false
		for id := range left {
			onward := false
			for _, e := range c.out[id] {
				if left[e.To] {
					onward = true
					break
				}
			}
			if !onward {
				delete(left, id)
				changed = true
			}
		}
	}
	var ids []string
	for _, n := range c.flow.Nodes {
		if left[n.ID] && !contains(ids, n.ID) {
			ids = append(ids, n.ID)
		}
	}
	return ids
}

// reachable lists the trigger's node and every node after it on some path.
func (c *compiler) reachable(from string) map[string]bool {
	seen := walk(from, c.out, func(e Edge) string { return e.To })
	seen[from] = true
	return seen
}

// upstream lists the nodes that run before id on some path.
func (c *compiler) upstream(id string) map[string]bool {
	return walk(id, c.in, func(e Edge) string { return e.From })
}

// walk lists the nodes reached from start by following edges (start itself only on a cycle):
// next picks the edge's far end, so one walk serves both directions.
func walk(start string, edges map[string][]Edge, next func(Edge) string) map[string]bool {
	seen := map[string]bool{}
	stack := []string{start}
	for len(stack) > 0 {
		cur := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, e := range edges[cur] {
			if id := next(e); !seen[id] {
				seen[id] = true
				stack = append(stack, id)
			}
		}
	}
	return seen
}

// buildSteps builds every node with a unique id, also those on a cycle, so that their own
// problems are reported along with the cycle.
func (c *compiler) buildSteps() {
	c.steps = map[string]Step{}
	for i := range c.flow.Nodes {
		n := &c.flow.Nodes[i]
		if c.byID[n.ID] != n {
			continue
		}
		k, ok := kindByName(n.Kind)
		if !ok {
			continue
		}
		b := &Builder{c: c, node: n, kind: k, upstream: c.upstream(n.ID)}
		before := len(c.problems)
		step := k.build(b, n.Config)
		if len(c.problems) == before && step != nil {
			c.steps[n.ID] = step
		}
	}
}

// Builder is handed to a kind's Build: it parses templates, checking their references against
// the flow, and records problems that name the node and field.
type Builder struct {
	c        *compiler
	node     *Node
	kind     *kind
	upstream map[string]bool
}

// Node is the node being built.
func (b *Builder) Node() Node { return *b.node }

// Problem records a problem about a config field ("url", "fields[2].value").
func (b *Builder) Problem(field, code string, params Params) {
	b.problemLabeled(field, labelFor(b.kind.Fields, field), code, params)
}

func (b *Builder) problemLabeled(field string, lp labelPath, code string, params Params) {
	p := Params{}
	p.put("label", lp.Text)
	for k, v := range params {
		p[k] = v
	}
	b.c.add(problemAt(b.node, field, code, p))
}

// Template parses a templated config field, reporting syntax errors and references to steps
// that do not run before this node or to undeclared inputs. It never returns nil.
func (b *Builder) Template(field, src string) *Template {
	t, errs := parseTemplate(src)
	for _, err := range errs {
		var up *unknownPipeError
		if errors.As(err, &up) {
			b.Problem(field, CodeUnknownPipe, Params{"pipe": up.name})
		} else {
			b.Problem(field, CodeTemplateSyntax, Params{"detail": err.Error()})
		}
	}
	for _, e := range t.Exprs() {
		b.checkRef(field, e.Src, e.Ref)
		for _, p := range e.Pipes {
			for _, a := range p.Args {
				b.checkRef(field, e.Src, a.Ref)
			}
		}
	}
	return t
}

// TemplateOrNil is Template for optional fields: nil when src is empty.
func (b *Builder) TemplateOrNil(field, src string) *Template {
	if src == "" {
		return nil
	}
	return b.Template(field, src)
}

func (b *Builder) checkRef(field, src string, ref Path) {
	if len(ref) == 0 {
		return
	}
	root := ref[0].Key
	switch root {
	case "inputs":
		if len(ref) > 1 && !b.c.inputs[ref[1].Key] {
			b.Problem(field, CodeRefUnknownInput, Params{"key": ref[1].Key, "ref": src})
		}
	case "steps":
		if len(ref) > 1 {
			b.checkNodeRef(field, src, ref[1].Key)
		}
	case "item":
		b.checkItemRef(field, src)
	case "trigger", "event", "now", "input":
	default:
		b.checkNodeRef(field, src, root)
	}
}

func (b *Builder) checkNodeRef(field, src, id string) {
	if _, exists := b.c.byID[id]; !exists {
		b.Problem(field, CodeRefUnknownRoot, Params{"ref": src, "target": id})
		return
	}
	if !b.upstream[id] {
		b.Problem(field, CodeRefNotUpstream, Params{"ref": src, "target": id})
		return
	}
	b.checkLoopRef(field, src, id)
}

// decodeConfig decodes the node's config into cfg and checks it against the kind's fields. It
// reports false when the config cannot be decoded at all.
func (b *Builder) decodeConfig(raw json.RawMessage, cfg any) bool {
	if len(bytes.TrimSpace(raw)) == 0 || bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		raw = json.RawMessage("{}")
	}
	generic, err := decodeJSON(raw)
	obj, isObj := generic.(map[string]any)
	if err != nil || !isObj {
		b.c.add(problemAt(b.node, "config", CodeConfigInvalid, Params{"detail": "the settings must be a JSON object"}))
		return false
	}
	if err := json.Unmarshal(raw, cfg); err != nil {
		var typ *json.UnmarshalTypeError
		if errors.As(err, &typ) {
			expected := jsonTypeName(typ.Type.Kind().String())
			b.Problem(typ.Field, CodeConfigType, Params{"expected": expected, "expected_ru": typeNameRu(expected)})
		} else {
			b.c.add(problemAt(b.node, "config", CodeConfigInvalid, Params{"detail": err.Error()}))
		}
		return false
	}
	// Field problems do not stop the build: the kind still checks templates, so that every
	// problem is reported at once.
	b.checkFields(b.kind.Fields, obj, "", labelPath{})
	return true
}

func typeNameRu(en string) string {
	switch en {
	case "text":
		return "текст"
	case "number":
		return "число"
	case "true/false":
		return "да/нет"
	case "list":
		return "список"
	}
	return "объект"
}

func hasOutput(outs []Output, name string) bool {
	for _, o := range outs {
		if o.Name == name {
			return true
		}
	}
	return false
}
