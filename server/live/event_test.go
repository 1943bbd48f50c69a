package live

import (
	"go/ast"
	"go/parser"
	"go/token"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// The editor's EventType union is written by hand in a tygo:emit line of event.go, beside the
// Type… constants: it has to name each constant once, and nothing else.
func TestEventTypeListsTheConstants(t *testing.T) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "event.go", nil, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	var consts []string
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, s := range g.Specs {
			for _, n := range s.(*ast.ValueSpec).Names {
				if strings.HasPrefix(n.Name, "Type") {
					consts = append(consts, n.Name)
				}
			}
		}
	}
	var union []string
	for _, cg := range f.Comments {
		for _, c := range cg.List {
			if strings.HasPrefix(c.Text, "//tygo:emit export type EventType =") {
				for _, m := range regexp.MustCompile(`typeof (\w+)`).FindAllStringSubmatch(c.Text, -1) {
					union = append(union, m[1])
				}
			}
		}
	}
	slices.Sort(consts)
	slices.Sort(union)
	if len(consts) == 0 || !slices.Equal(consts, union) {
		t.Errorf("EventType union = %v, Type constants = %v: make the union in event.go list exactly the constants, then run make types", union, consts)
	}
}
