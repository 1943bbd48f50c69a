package flows

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
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
	Fields  []Field // the config schema: editor forms, required checks, documentation
	// Build checks a decoded config beyond what Fields say and returns the step that runs it.
	// Problems go through b.Problem so they name the node and field.
	Build func(b *Builder, cfg *C) Step
}

// Step runs one node. It returns the node's output: what later nodes reference.
type Step interface {
	Run(ctx context.Context, sc *StepContext) (any, error)
}

// StepFunc adapts a function to Step.
type StepFunc func(ctx context.Context, sc *StepContext) (any, error)

func (f StepFunc) Run(ctx context.Context, sc *StepContext) (any, error) { return f(ctx, sc) }

// kind is a registered KindSpec with its config type erased.
type kind struct {
	Name    string
	Title   Text
	Help    Text
	Trigger bool
	Outputs []Output
	Fields  []Field
	config  reflect.Type // C, for the test that holds Fields and the JSON tags together
	build   func(b *Builder, raw json.RawMessage) Step
}

var registry = struct {
	sync.RWMutex
	kinds map[string]*kind
}{kinds: map[string]*kind{}}

// Register adds a node kind. It panics on a duplicate name: kinds are registered at init.
func Register[C any](spec KindSpec[C]) {
	k := &kind{Name: spec.Name, Title: spec.Title, Help: spec.Help, Trigger: spec.Trigger, Outputs: spec.Outputs, Fields: spec.Fields, config: reflect.TypeFor[C]()}
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

// Output is one named branch of a kind: the value of Edge.Branch, and the label the editor
// writes on the handle.
type Output struct {
	Name  string `json:"name"`
	Label Text   `json:"label"`
}

// outputsOf is the branches of a registered kind (none for an unknown or plain kind).
func outputsOf(kindName string) []Output {
	registry.RLock()
	defer registry.RUnlock()
	if k := registry.kinds[kindName]; k != nil {
		return k.Outputs
	}
	return nil
}

// mainOutput is the branch a step of the kind takes unless it chooses another ("" for a plain kind).
func mainOutput(kindName string) string {
	if outs := outputsOf(kindName); len(outs) > 0 {
		return outs[0].Name
	}
	return ""
}

// KindInfo is what the editor and the docs know of a kind.
type KindInfo struct {
	Name    string          `json:"kind"`
	Title   Text            `json:"title"`
	Help    Text            `json:"help"`
	Trigger bool            `json:"trigger,omitempty"`
	Outputs []Output        `json:"outputs,omitempty"`
	Fields  []Field         `json:"fields"`
	Schema  json.RawMessage `json:"schema"` // JSON Schema of the config
}

// Kinds lists the registered kinds, trigger first, then by name.
func Kinds() []KindInfo {
	registry.RLock()
	defer registry.RUnlock()
	out := make([]KindInfo, 0, len(registry.kinds))
	for _, k := range registry.kinds {
		out = append(out, KindInfo{Name: k.Name, Title: k.Title, Help: k.Help, Trigger: k.Trigger, Outputs: k.Outputs, Fields: k.Fields, Schema: JSONSchema(k.Fields)})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Trigger != out[j].Trigger {
			return out[i].Trigger
		}
		return out[i].Name < out[j].Name
	})
	return out
}
