package flows

import (
	"fmt"
	"maps"
	"strings"
)

// A loop is a For each step (node_foreach.go), the steps after it, and the Collect step
// (node_collect.go) that closes it: the steps in between — the loop's body — run once per item
// of the list For each gives, each item on its own (a failed item does not stop the others),
// and Collect gathers what they gave. In this version a loop may not hold another loop.
//
// The run's trace has the For each step with one row per item (ItemTrace: the item, its status,
// its error and its own steps), each body step once with the result of all items (failed when
// any item failed there; its input and output are the first item's, so the editor offers them
// to point at), and Collect with the rows again, without their steps.

// Loop roles of a kind (KindSpec.Loop).
const (
	LoopEach    = "each"
	LoopCollect = "collect"
)

// MaxLoopItems is the most items one loop takes in a run: a bigger list fails the For each step
// (a run's trace holds every item's steps, and a target gets a request per item).
const MaxLoopItems = 1000

// ItemTrace is one item of a loop in the trace: a row of the run page and the preview.
type ItemTrace struct {
	Index  int    `json:"index"` // from 1
	Status string `json:"status"`
	Item   any    `json:"item,omitempty"`
	// Error is why the item failed, in English as stored; ErrorText is it in both languages;
	// ErrorCode and ErrorParams are its problem's (the server retries a run whose items failed
	// on an unreachable target).
	Error       string      `json:"error,omitempty"`
	ErrorText   *Text       `json:"error_text,omitempty"`
	ErrorCode   string      `json:"error_code,omitempty"`
	ErrorParams Params      `json:"error_params,omitempty"`
	Steps       []StepTrace `json:"steps,omitempty"`
	result      any         // what reached Collect
}

// loop is one For each … Collect found by the compiler.
type loop struct {
	each    *Node
	collect *Node
	body    []*Node // in run order
}

// programLoops indexes the loops of a program by their For each, their Collect and their body's steps.
type programLoops struct {
	each    map[string]*loop
	collect map[string]*loop
	body    map[string]*loop
	// repeated: the steps after a For each, also of a loop that has problems: they have an item
	repeated map[string]bool
}

// loopRun is what the items of one loop did in a run, handed to its Collect.
type loopRun struct {
	items []ItemTrace
}

// results is what reached Collect from each item that got there.
func (lr *loopRun) results() []any {
	if lr == nil {
		return nil
	}
	out := make([]any, 0, len(lr.items))
	for _, it := range lr.items {
		if it.Status == StatusSuccess {
			out = append(out, it.result)
		}
	}
	return out
}

func loopRole(n *Node) string {
	if k, ok := kindByName(n.Kind); ok {
		return k.Loop
	}
	return ""
}

// checkLoops finds each For each's body and Collect, reporting loops that are not closed,
// nested, entered from the side or left other than through their Collect.
func (c *compiler) checkLoops(order []*Node) {
	c.loops = programLoops{each: map[string]*loop{}, collect: map[string]*loop{}, body: map[string]*loop{}, repeated: map[string]bool{}}
	for _, n := range order {
		if loopRole(n) != LoopEach {
			continue
		}
		lp := &loop{each: n}
		inBody := map[string]bool{}
		var collects []string
		nested := false
		stack := []string{n.ID}
		for len(stack) > 0 {
			cur := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			for _, e := range c.out[cur] {
				to := c.byID[e.To]
				switch {
				case inBody[e.To] || contains(collects, e.To):
				case loopRole(to) == LoopCollect:
					collects = append(collects, e.To)
				default:
					if loopRole(to) == LoopEach {
						c.add(problemAt(to, "", CodeLoopNested, Params{"each": n.Label()}))
						nested = true
					}
					inBody[e.To] = true
					stack = append(stack, e.To)
				}
			}
		}
		for id := range inBody {
			c.loops.repeated[id] = true
		}
		if nested {
			continue // one problem is enough
		}
		switch len(collects) {
		case 0:
			c.add(problemAt(n, "", CodeLoopNoCollect, nil))
			continue
		case 1:
			lp.collect = c.byID[collects[0]]
		default:
			c.add(problemAt(n, "", CodeLoopManyCollects, Params{"collects": strings.Join(collects, ", ")}))
			continue
		}
		if other := c.loops.collect[lp.collect.ID]; other != nil {
			c.add(problemAt(lp.collect, "", CodeLoopCollectShared, Params{"each": other.each.Label(), "other": n.Label()}))
			continue
		}
		leads := walk(lp.collect.ID, c.in, func(e Edge) string { return e.From })
		for _, b := range order {
			if !inBody[b.ID] {
				continue
			}
			lp.body = append(lp.body, b)
			if !leads[b.ID] {
				c.add(problemAt(b, "", CodeLoopDeadEnd, Params{"each": n.Label(), "collect": lp.collect.Label()}))
			}
			for _, e := range c.in[b.ID] {
				if e.From != n.ID && !inBody[e.From] {
					c.add(problemAt(b, "", CodeLoopEntry, Params{"each": n.Label(), "from": e.From}))
				}
			}
		}
		for _, e := range c.in[lp.collect.ID] {
			if e.From != n.ID && !inBody[e.From] {
				c.add(problemAt(lp.collect, "", CodeLoopEntry, Params{"each": n.Label(), "from": e.From}))
			}
		}
		c.loops.each[n.ID], c.loops.collect[lp.collect.ID] = lp, lp
		for _, b := range lp.body {
			c.loops.body[b.ID] = lp
		}
	}
	for _, n := range order {
		if loopRole(n) == LoopCollect && c.loops.collect[n.ID] == nil && !c.closesBrokenLoop(n) {
			c.add(problemAt(n, "", CodeLoopCollectAlone, nil))
		}
	}
}

// closesBrokenLoop reports whether a For each runs before n: its loop's problem is reported
// already, and one sentence about it is enough.
func (c *compiler) closesBrokenLoop(n *Node) bool {
	for id := range c.upstream(n.ID) {
		if loopRole(c.byID[id]) == LoopEach {
			return true
		}
	}
	return false
}

// checkItemRef checks a {{item…}}: only the steps a loop repeats have an item.
func (b *Builder) checkItemRef(field, src string) {
	if !b.c.loops.repeated[b.node.ID] {
		b.Problem(field, CodeRefItemOutsideLoop, Params{"ref": src})
	}
}

// checkLoopRef checks a reference to step id: a step a loop repeats has one result per item,
// so only the steps of the same loop can use it.
func (b *Builder) checkLoopRef(field, src, id string) {
	lp := b.c.loops.body[id]
	if lp == nil || b.c.loops.body[b.node.ID] == lp {
		return
	}
	b.Problem(field, CodeRefInsideLoop, Params{"ref": src, "target": id, "collect": lp.collect.ID})
}

// runLoop runs the body of lp once per item of the list its For each step gave (the last step
// of ps), each item in a pass of its own, and appends the body's steps to ps. prev holds the
// items of an earlier attempt: their steps that succeeded are reused, not run again.
func (r *runner) runLoop(ps *pass, lp *loop, prev []ItemTrace) {
	each := &ps.steps[len(ps.steps)-1]
	list, ran := ps.outputs[lp.each.ID].([]any)
	if each.Status != StatusSuccess || !ran {
		for _, n := range lp.body {
			ps.done[n.ID] = outcome{status: StatusSkipped}
			ps.steps = append(ps.steps, StepTrace{Node: n.ID, Kind: n.Kind, Name: n.Name, Status: StatusSkipped})
		}
		return
	}
	lr := &loopRun{items: make([]ItemTrace, len(list))}
	for i, item := range list {
		var reuse map[string]StepTrace
		if i < len(prev) && prev[i].Index == i+1 {
			reuse = succeeded(prev[i].Steps, nil)
		}
		lr.items[i] = r.runItem(ps, lp, i, item, reuse)
	}
	ps.loops[lp.collect.ID] = lr
	mask := r.masker()
	each.Items = make([]ItemTrace, len(lr.items))
	for i := range lr.items {
		lr.items[i].Item = mask.value(lr.items[i].Item) // Collect shows the items too
		each.Items[i] = lr.items[i]
	}
	if len(list) > 0 {
		each.Output = mask.value(list[0]) // what each body step gets: shown as item 1
	}
	for k, n := range lp.body {
		st := bodyStep(n, k, lr.items)
		ps.done[n.ID] = outcome{status: st.Status}
		ps.steps = append(ps.steps, st)
		stepCopy := st
		r.env.OnStep(StepEvent{Type: "step_finished", Node: n.ID, Step: &stepCopy})
	}
}

// runItem runs the loop's body for item i in a pass of its own: the For each step's output and
// {{item}} are the item there, everything before the loop is as in the run.
func (r *runner) runItem(run *pass, lp *loop, i int, item any, reuse map[string]StepTrace) ItemTrace {
	ps := &pass{outputs: maps.Clone(run.outputs), done: maps.Clone(run.done), loops: run.loops}
	ps.scope = &Scope{roots: maps.Clone(run.scope.roots), now: run.scope.now}
	ps.scope.Set("steps", ps.outputs)
	ps.outputs[lp.each.ID] = item
	ps.scope.Set(lp.each.ID, item)
	ps.scope.Set("item", item)
	for _, n := range lp.body {
		ps.steps = append(ps.steps, r.step(ps, n, reuse, false))
	}
	it := ItemTrace{Index: i + 1, Item: item, Steps: ps.steps}
	result, reached := r.p.inputOf(lp.collect, ps.outcome, ps.outputs)
	if len(lp.body) == 0 {
		result, reached = item, true
	}
	switch {
	case ps.stopped == StatusFailed && ps.err != nil:
		it.Status = StatusFailed
		mask := r.masker()
		it.Error = mask.text(ps.err.Error())
		words := map[string]string{}
		for _, lang := range Languages() {
			words[lang] = mask.text(ps.err.Text(lang))
		}
		words["en"] = it.Error
		errorText := Words(words)
		it.ErrorText = &errorText
		it.ErrorCode, it.ErrorParams = ps.err.Code, ps.err.Params
	case ps.stopped != "" || !reached:
		it.Status = StatusFiltered
	default:
		it.Status, it.result = StatusSuccess, result
	}
	return it
}

// bodyStep is the k-th body step's part of the run: failed when it failed for any item, with the
// first failure's error; its input, output and request are those of the first item it ran for.
func bodyStep(n *Node, k int, items []ItemTrace) StepTrace {
	st := StepTrace{Node: n.ID, Kind: n.Kind, Name: n.Name, Status: StatusSkipped}
	counts := map[string]int{}
	var shown *StepTrace
	var failedItem int
	for _, it := range items {
		s := &it.Steps[k]
		counts[s.Status]++
		st.DurationMs += s.DurationMs
		if shown == nil && s.Status != StatusSkipped {
			shown = s
		}
		if s.Status == StatusFailed && failedItem == 0 {
			failedItem = it.Index
			st.Error, st.ErrorCode, st.ErrorParams = s.Error, s.ErrorCode, s.ErrorParams
		}
	}
	switch {
	case counts[StatusFailed] > 0:
		st.Status = StatusFailed
	case counts[StatusSuccess] > 0:
		st.Status = StatusSuccess
	case counts[StatusFiltered] > 0:
		st.Status = StatusFiltered
	}
	line := fmt.Sprintf("ran once per item: %d item(s), %d succeeded, %d failed", len(items), counts[StatusSuccess], counts[StatusFailed])
	if failedItem > 0 {
		line += fmt.Sprintf(" (the first failed: item %d)", failedItem)
	}
	st.Logs = []string{line}
	if shown != nil {
		st.Input, st.Output, st.HTTP, st.Branch, st.StartedAt = shown.Input, shown.Output, shown.HTTP, shown.Branch, shown.StartedAt
		st.Logs = append(st.Logs, "shown: the first item it ran for")
		st.Logs = append(st.Logs, shown.Logs...)
	}
	return st
}

// Problems of loops. Their sentences are added to the messages here, beside the loop's code.
const (
	CodeLoopNoCollect      = "loop.no_collect"
	CodeLoopManyCollects   = "loop.many_collects"
	CodeLoopNested         = "loop.nested"
	CodeLoopCollectShared  = "loop.collect_shared"
	CodeLoopDeadEnd        = "loop.dead_end"
	CodeLoopEntry          = "loop.entry"
	CodeLoopCollectAlone   = "loop.collect_alone"
	CodeRefItemOutsideLoop = "node.ref_item_outside_loop"
	CodeRefInsideLoop      = "node.ref_inside_loop"
)

func init() {
}
