package flows

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"sync"
)

// KindSpec describes a node kind. Each kind registers itself from its own file:
//
//	func init() { Register(KindSpec[httpConfig]{Name: "http", …}) }
//
// C is the kind's config struct, decoded from the node's "config" with the JSON names of the
// flow format.
type KindSpec[C any] struct {
	Name    string
	Title   Text
	Help    Text
	Trigger bool
	// Outputs names the branches of a kind that sends the run one way or another (a condition's
	// "true" and "false"). Empty: one unnamed output. The first is the main path: a step that
	// chooses no branch takes it, and a step that takes it with nothing connected ends the run
	// as usual; taking another output with nothing connected stops the run as filtered.
	Outputs []Output
	// OutputsFrom names a list field whose rows are more outputs, chosen by the user (a router's
	// routes): each row's "id" is the output's name (the branch its connections carry) and its
	// "name" the label. They come before Outputs, which follow as the fixed last ones
	// ("otherwise"). The id is made once when the row is added and never shown, so renaming or
	// reordering the rows keeps their connections; an index or the name would not.
	OutputsFrom string
	Fields      []Field // the config schema: editor forms, required checks, documentation
	// Build checks a decoded config beyond what Fields say and returns the step that runs it.
	// Problems go through b.Problem so they name the node and field.
	Build func(b *Builder, cfg *C) Step `tstype:"(cfg: C) => Step"`

	// Loop marks the two ends of a loop (loop.go): LoopEach runs the steps after it once per
	// item of a list, LoopCollect gathers what they gave. Empty for every other kind.
	Loop string

	// Schedule marks a trigger the server fires by the clock instead of a webhook address: it
	// reads the node's config into the times to fire (the server's scheduler and the step share
	// it). Nil for every other kind.
	Schedule func(config json.RawMessage) (*Schedule, error)
}

// Step runs one node. It returns the node's output: what later nodes reference.
type Step interface {
	Run(ctx context.Context, sc *StepContext) (any, error)
}

// StepFunc adapts a function to Step.
type StepFunc func(ctx context.Context, sc *StepContext) (any, error)

func (f StepFunc) Run(ctx context.Context, sc *StepContext) (any, error) { return f(ctx, sc) }

// kind is a registered KindSpec with its config type erased: what the editor is told of it
// (KindInfo, without its Schema, which Kinds derives from Fields) and how the engine builds it.
type kind struct {
	KindInfo
	config   reflect.Type // C, for the test that holds Fields and the JSON tags together
	build    func(b *Builder, raw json.RawMessage) Step
	schedule func(config json.RawMessage) (*Schedule, error) // KindSpec.Schedule
}

var registry = struct {
	sync.RWMutex
	kinds map[string]*kind
}{kinds: map[string]*kind{}}

// Register adds a node kind. It panics on a duplicate name: kinds are registered at init.
func Register[C any](spec KindSpec[C]) {
	k := &kind{
		KindInfo: KindInfo{Name: spec.Name, Title: spec.Title, Help: spec.Help, Trigger: spec.Trigger, Outputs: spec.Outputs, OutputsFrom: spec.OutputsFrom, Fields: spec.Fields, Loop: spec.Loop},
		config:   reflect.TypeFor[C](),
		schedule: spec.Schedule,
	}
	k.build = func(b *Builder, raw json.RawMessage) Step {
		cfg := new(C)
		if !b.decodeConfig(raw, cfg) {
			return nil
		}
		return spec.Build(b, cfg)
	}
	registry.Lock()
	defer registry.Unlock()
	if _, dup := registry.kinds[spec.Name]; dup {
		panic(fmt.Sprintf("flows: node kind %q registered twice", spec.Name))
	}
	registry.kinds[spec.Name] = k
}

func kindByName(name string) (*kind, bool) {
	registry.RLock()
	defer registry.RUnlock()
	k, ok := registry.kinds[name]
	return k, ok
}

// nodeOutputs is the branches of a node: its kind's, with the rows of the kind's OutputsFrom
// list first (none for an unknown or plain kind). Rows without an id are left out: the kind's
// Build reports them.
func nodeOutputs(n *Node) []Output {
	k, ok := kindByName(n.Kind)
	if !ok {
		return nil
	}
	if k.OutputsFrom == "" {
		return k.Outputs
	}
	var cfg map[string]json.RawMessage
	_ = json.Unmarshal(n.Config, &cfg)
	var rows []struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	}
	_ = json.Unmarshal(cfg[k.OutputsFrom], &rows)
	outs := make([]Output, 0, len(rows)+len(k.Outputs))
	for _, r := range rows {
		if r.ID != "" {
			outs = append(outs, Output{Name: r.ID, Label: Same(r.Name)})
		}
	}
	return append(outs, k.Outputs...)
}

// mainOutput is the branch a step takes unless it chooses another ("" for a plain kind).
func mainOutput(outs []Output) string {
	if len(outs) > 0 {
		return outs[0].Name
	}
	return ""
}

// Kinds lists the registered kinds, trigger first, then by name.
func Kinds() []KindInfo {
	registry.RLock()
	defer registry.RUnlock()
	out := make([]KindInfo, 0, len(registry.kinds))
	for _, k := range registry.kinds {
		info := k.KindInfo
		info.Schema = JSONSchema(k.Fields)
		out = append(out, info)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Trigger != out[j].Trigger {
			return out[i].Trigger
		}
		return out[i].Name < out[j].Name
	})
	return out
}

// ScheduleKinds names the kinds whose trigger the server fires by the clock (KindSpec.Schedule).
func ScheduleKinds() []string {
	registry.RLock()
	defer registry.RUnlock()
	var out []string
	for name, k := range registry.kinds {
		if k.schedule != nil {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

// SecretRowLists names a kind's list fields whose rows carry their own "secret" flag beside a
// "value" (an HTTP step's headers): the server seals and masks the value of each row so marked,
// and a team template turns it into a secret input.
func SecretRowLists(kindName string) []string {
	return fieldKeys(kindName, func(f Field) bool {
		return f.Type == FieldList && slices.ContainsFunc(f.Fields, func(row Field) bool {
			return row.Key == "secret" && row.Type == FieldBool
		})
	})
}

// SecretFields names a kind's top-level text fields marked Secret (a service account's key): the
// server keeps their values sealed at rest and masked in its answers, as it does secret inputs
// and headers. A value made only of {{…}} references holds no secret itself.
func SecretFields(kindName string) []string {
	return fieldKeys(kindName, func(f Field) bool { return f.Secret && f.Type == FieldString })
}

// fieldKeys names the top-level fields of a kind that match, in their order (none for an
// unknown kind).
func fieldKeys(kindName string, match func(Field) bool) []string {
	k, ok := kindByName(kindName)
	if !ok {
		return nil
	}
	var out []string
	for _, f := range k.Fields {
		if match(f) {
			out = append(out, f.Key)
		}
	}
	return out
}
