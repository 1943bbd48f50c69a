package flows

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// SchemaVersion is the version of the flow document this engine reads and writes.
const SchemaVersion = 1

// Flow is the flow document: what is stored, exported, shared as a template and run.
// Fields this version does not know are kept in Extra so that import/export loses nothing.
type Flow struct {
	Schema      int     `json:"schema"`
	Name        string  `json:"name"`
	Description string  `json:"description,omitempty"`
	Inputs      []Input `json:"inputs,omitempty" tstype:"FlowInputDef[]"`
	Nodes       []Node  `json:"nodes" tstype:"DocNode[]"`
	Edges       []Edge  `json:"edges" tstype:"DocEdge[]"`

	Extra map[string]json.RawMessage `json:"-"`
}

// Input is a value the user supplies when installing a flow: an API key, an offer id.
type Input struct {
	Key         string `json:"key"`
	Label       string `json:"label,omitempty"`
	Description string `json:"description,omitempty"`
	Secret      bool   `json:"secret,omitempty"`
	Required    bool   `json:"required,omitempty"`
	Default     string `json:"default,omitempty"`

	Extra map[string]json.RawMessage `json:"-"`
}

// Node is one step on the canvas. Config stays raw here; its kind decodes it.
type Node struct {
	ID       string          `json:"id"`
	Kind     string          `json:"kind"`
	Name     string          `json:"name,omitempty"`
	Position *Position       `json:"position,omitempty"`
	Config   json.RawMessage `json:"config,omitempty" tstype:"{ [key: string]: unknown }"`

	Extra map[string]json.RawMessage `json:"-"`
}

// Position is where a node sits on the canvas.
type Position struct {
	X float64 `json:"x"`
	Y float64 `json:"y"`
}

// Edge connects two nodes. Branch is "true" or "false" on edges leaving a filter.
type Edge struct {
	From   string `json:"from"`
	To     string `json:"to"`
	Branch string `json:"branch,omitempty"`

	Extra map[string]json.RawMessage `json:"-"`
}

// Label is how problems and traces name the node: its name, else its id.
func (n Node) Label() string {
	if n.Name != "" {
		return n.Name
	}
	return n.ID
}

// Node returns the node with the given id.
func (f *Flow) Node(id string) (Node, bool) {
	for _, n := range f.Nodes {
		if n.ID == id {
			return n, true
		}
	}
	return Node{}, false
}

// MaxDocumentBytes bounds a flow document read from outside.
const MaxDocumentBytes = 4 << 20

// ParseFlow decodes a flow document. Its errors say where the JSON is broken, in words.
func ParseFlow(data []byte) (*Flow, error) {
	if len(data) > MaxDocumentBytes {
		return nil, &Problem{Code: CodeDocumentTooLarge, Params: Params{"limit": fmt.Sprint(MaxDocumentBytes >> 20)}}
	}
	var f Flow
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, documentError(data, err)
	}
	return &f, nil
}

// ReadFlow reads and decodes a flow document from r.
func ReadFlow(r io.Reader) (*Flow, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxDocumentBytes+1))
	if err != nil {
		return nil, err
	}
	return ParseFlow(data)
}

// documentError turns a JSON decoding error into a problem that names the line.
func documentError(data []byte, err error) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var p *Problem
	switch {
	case errors.As(err, &p):
		return p
	case errors.As(err, &syntax):
		line, col := lineCol(data, syntax.Offset)
		return &Problem{Code: CodeDocumentSyntax, Params: Params{"line": fmt.Sprint(line), "column": fmt.Sprint(col), "detail": syntax.Error()}}
	case errors.As(err, &typ):
		return &Problem{Code: CodeDocumentType, Field: typ.Field, Params: Params{"field": typ.Field, "expected": jsonTypeName(typ.Type.Kind().String()), "got": typ.Value}}
	default:
		if strings.Contains(err.Error(), "unexpected end of JSON input") {
			return &Problem{Code: CodeDocumentSyntax, Params: Params{"line": fmt.Sprint(bytes.Count(data, []byte("\n")) + 1), "column": "0", "detail": "the text ends too early"}}
		}
		return &Problem{Code: CodeDocumentSyntax, Params: Params{"line": "?", "column": "?", "detail": err.Error()}}
	}
}

func lineCol(data []byte, offset int64) (int, int) {
	if offset > int64(len(data)) {
		offset = int64(len(data))
	}
	before := data[:offset]
	line := bytes.Count(before, []byte("\n")) + 1
	col := int(offset) - bytes.LastIndexByte(before, '\n')
	return line, col
}

func jsonTypeName(goKind string) string {
	switch goKind {
	case "string":
		return "text"
	case "int", "int64", "float64", "uint", "int32":
		return "number"
	case "bool":
		return "true/false"
	case "slice", "array":
		return "list"
	default:
		return "object"
	}
}

// The JSON methods below keep unknown fields: decode known ones through an alias type, keep the
// rest raw, and write them back after the known ones in a stable order.

func (f *Flow) UnmarshalJSON(data []byte) error {
	type plain Flow
	return unmarshalKeepingExtra(data, (*plain)(f), &f.Extra)
}

func (f Flow) MarshalJSON() ([]byte, error) {
	type plain Flow
	return marshalWithExtra(plain(f), f.Extra)
}

func (in *Input) UnmarshalJSON(data []byte) error {
	type plain Input
	return unmarshalKeepingExtra(data, (*plain)(in), &in.Extra)
}

func (in Input) MarshalJSON() ([]byte, error) {
	type plain Input
	return marshalWithExtra(plain(in), in.Extra)
}

func (n *Node) UnmarshalJSON(data []byte) error {
	type plain Node
	return unmarshalKeepingExtra(data, (*plain)(n), &n.Extra)
}

func (n Node) MarshalJSON() ([]byte, error) {
	type plain Node
	return marshalWithExtra(plain(n), n.Extra)
}

func (e *Edge) UnmarshalJSON(data []byte) error {
	type plain Edge
	return unmarshalKeepingExtra(data, (*plain)(e), &e.Extra)
}

func (e Edge) MarshalJSON() ([]byte, error) {
	type plain Edge
	return marshalWithExtra(plain(e), e.Extra)
}
