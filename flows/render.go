package flows

import (
	"fmt"
	"strings"
	"time"
)

// Scope is what templates can reference during a run: the trigger and every finished step by id,
// "steps" (all of them), "inputs" (the flow's settings) and "event" (id of the incoming request).
type Scope struct {
	roots map[string]any
	now   func() time.Time
	notes []string
}

// NewScope returns a scope with the given roots. now may be nil (time.Now).
func NewScope(roots map[string]any, now func() time.Time) *Scope {
	if now == nil {
		now = time.Now
	}
	if roots == nil {
		roots = map[string]any{}
	}
	return &Scope{roots: roots, now: now}
}

// Set makes v reachable as name.
func (s *Scope) Set(name string, v any) { s.roots[name] = v }

// TakeNotes returns and clears what rendering noticed (missing values, unreadable numbers).
func (s *Scope) TakeNotes() []string {
	n := s.notes
	s.notes = nil
	return n
}

func (s *Scope) note(format string, args ...any) {
	if len(s.notes) < 100 {
		s.notes = append(s.notes, fmt.Sprintf(format, args...))
	}
}

// Render renders the template as text.
func (t *Template) Render(s *Scope) string {
	if len(t.parts) == 1 && t.parts[0].expr == nil {
		return t.parts[0].text
	}
	var b strings.Builder
	for _, p := range t.parts {
		if p.expr == nil {
			b.WriteString(p.text)
			continue
		}
		b.WriteString(Stringify(p.expr.Eval(s)))
	}
	return b.String()
}

// Value renders the template keeping the type of the value when the template is exactly one
// expression ("{{parse}}" gives the object, not its JSON text); otherwise it is Render.
func (t *Template) Value(s *Scope) any {
	if e := t.single(); e != nil {
		return e.Eval(s)
	}
	return t.Render(s)
}

// Eval evaluates the expression. A missing value is nil and a note, never an error.
func (e *Expr) Eval(s *Scope) any {
	var v any
	if e.Literal != nil {
		v = *e.Literal
	} else {
		var missing string
		v, missing = s.resolve(e.Ref, e.Src)
		if missing != "" && !e.hasDefault() {
			s.note("%s", missing)
		}
	}
	for _, p := range e.Pipes {
		args := make([]any, len(p.Args))
		for i, a := range p.Args {
			if a.Literal != nil {
				args[i] = *a.Literal
			} else {
				args[i], _ = s.resolve(a.Ref, e.Src)
			}
		}
		out, err := pipes[p.Name].fn(v, args, s)
		if err != nil {
			s.note("{{%s}}: %s: %v", e.Src, p.Name, err)
			out = nil
		}
		v = out
	}
	return v
}

func (e *Expr) hasDefault() bool {
	for _, p := range e.Pipes {
		if p.Name == "default" {
			return true
		}
	}
	return false
}

// resolve looks a reference up; when it is missing it returns nil and a sentence saying what is missing.
func (s *Scope) resolve(ref Path, src string) (any, string) {
	if len(ref) == 0 {
		return nil, ""
	}
	if ref[0].Key == "now" && len(ref) == 1 {
		return s.now().UTC().Format(time.RFC3339), ""
	}
	root, ok := s.roots[ref[0].Key]
	if !ok {
		return nil, fmt.Sprintf("{{%s}}: %q has not run, so the value is empty", src, ref[0].Key)
	}
	v, depth, ok := ref[1:].Lookup(root)
	if !ok {
		return nil, fmt.Sprintf("{{%s}}: %s has no %q, so the value is empty", src, ref[:depth+1].String(), ref[depth+1].String())
	}
	return v, ""
}
