package api

import (
	"go/ast"
	"go/parser"
	"go/token"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// Three unions of the editor's types are written by hand in tygo:emit lines beside the Go
// constants they stand for (tygo does not make unions of constants): each has to name every
// constant once, and nothing else — by its name (`typeof FieldText`) or by its value ("owner").
func TestHandWrittenUnionsListExactlyTheirConstants(t *testing.T) {
	for _, c := range []struct {
		union, unionFile    string
		constPrefix, inFile string
		byValue             bool
	}{
		{"FieldType", "../../flows/schema.go", "Field", "../../flows/schema.go", false},
		{"EventType", "../live/event.go", "Type", "../live/event.go", false},
		{"Role", "views.go", "Role", "../store/accounts_models.go", true},
	} {
		t.Run(c.union, func(t *testing.T) {
			consts := constantsOf(t, c.inFile, c.constPrefix, c.byValue)
			union := unionOf(t, c.unionFile, c.union)
			slices.Sort(consts)
			slices.Sort(union)
			if len(consts) == 0 || !slices.Equal(consts, union) {
				t.Errorf("%s union = %v, %s… constants = %v: make the union in %s list exactly them, then run make types",
					c.union, union, c.constPrefix, consts, c.unionFile)
			}
		})
	}
}

// constantsOf lists the names (or the string values) of a file's constants named prefix….
func constantsOf(t *testing.T, file, prefix string, byValue bool) []string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), file, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, s := range g.Specs {
			vs := s.(*ast.ValueSpec)
			for i, n := range vs.Names {
				if !strings.HasPrefix(n.Name, prefix) {
					continue
				}
				if !byValue {
					out = append(out, n.Name)
				} else if i < len(vs.Values) {
					if lit, ok := vs.Values[i].(*ast.BasicLit); ok {
						v, _ := strconv.Unquote(lit.Value)
						out = append(out, v)
					}
				}
			}
		}
	}
	return out
}

// unionOf lists the members of `//tygo:emit export type name = …` in a file: the constants it
// names with typeof, or its string literals.
func unionOf(t *testing.T, file, name string) []string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), file, nil, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	member := regexp.MustCompile(`typeof (\w+)|"(\w+)"`)
	var out []string
	for _, cg := range f.Comments {
		for _, c := range cg.List {
			if !strings.HasPrefix(c.Text, "//tygo:emit export type "+name+" =") {
				continue
			}
			for _, m := range member.FindAllStringSubmatch(c.Text, -1) {
				out = append(out, m[1]+m[2])
			}
		}
	}
	return out
}
