package flows

import "encoding/json"

// What GET /api/kinds sends: the editor's types are generated from this file (make types, see
// tygo.yaml), so it holds only what goes on the wire. Registering kinds is registry.go's.

// Output is one named branch of a kind: the value of Edge.Branch, and the label the editor
// writes on the handle.
type Output struct {
	Name  string `json:"name"`
	Label Text   `json:"label"`
}

// KindInfo is what the editor and the docs know of a kind.
type KindInfo struct {
	Name    string   `json:"kind"`
	Title   Text     `json:"title"`
	Help    Text     `json:"help"`
	Trigger bool     `json:"trigger,omitempty"`
	Outputs []Output `json:"outputs,omitempty"`
	// OutputsFrom: the list field whose rows ({id, name}) are outputs before Outputs.
	OutputsFrom string          `json:"outputs_from,omitempty"`
	Fields      []Field         `json:"fields"`
	Schema      json.RawMessage `json:"schema"` // JSON Schema of the config

	// Loop: "each" (opens a loop) or "collect" (closes it), see KindSpec.Loop.
	Loop string `json:"loop,omitempty"`
}
