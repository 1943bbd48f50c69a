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

// The editor's Role union is written by hand in a tygo:emit line of views.go: it has to list the
// value of each of store's Role… constants once, and nothing else.
func TestRoleListsTheStoreRoles(t *testing.T) {
	fset := token.NewFileSet()
	store, err := parser.ParseFile(fset, "../store/accounts_models.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var roles []string
	for _, d := range store.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, s := range g.Specs {
			vs := s.(*ast.ValueSpec)
			for i, n := range vs.Names {
				if lit, ok := vs.Values[i].(*ast.BasicLit); ok && strings.HasPrefix(n.Name, "Role") {
					v, _ := strconv.Unquote(lit.Value)
					roles = append(roles, v)
				}
			}
		}
	}
	views, err := parser.ParseFile(fset, "views.go", nil, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	var union []string
	for _, cg := range views.Comments {
		for _, c := range cg.List {
			if strings.HasPrefix(c.Text, "//tygo:emit export type Role =") {
				for _, m := range regexp.MustCompile(`"(\w+)"`).FindAllStringSubmatch(c.Text, -1) {
					union = append(union, m[1])
				}
			}
		}
	}
	slices.Sort(roles)
	slices.Sort(union)
	if len(roles) == 0 || !slices.Equal(roles, union) {
		t.Errorf("Role union = %v, store's roles = %v: make the union in views.go list exactly them, then run make types", union, roles)
	}
}
