package flows

import (
	"fmt"
	"strings"
)

// Template is parsed text with {{reference | pipe:arg}} expressions in it.
//
//	{{trigger.params.phone | digits}}
//	{{inputs.country | default:"RU"}}
//	{{steps.send.json.msg}}
type Template struct {
	src   string
	parts []templatePart
}

type templatePart struct {
	text string
	expr *Expr // nil for literal text
}

// Expr is one {{…}}: a reference (or a quoted constant) followed by pipes.
type Expr struct {
	Src     string
	Ref     Path // empty when Literal is set
	Literal *string
	Pipes   []PipeCall
}

// PipeCall is one "| name:arg" in an expression.
type PipeCall struct {
	Name string
	Args []Arg
}

// Arg is a pipe argument: a quoted constant, a number, or a reference.
type Arg struct {
	Literal *string
	Ref     Path
}

// MaxTemplateBytes bounds a template's source.
const MaxTemplateBytes = 256 << 10

// ParseTemplate parses s. Text without "{{" is a constant.
func ParseTemplate(s string) (*Template, error) {
	t, errs := parseTemplate(s)
	if len(errs) > 0 {
		return nil, errs[0]
	}
	return t, nil
}

// parseTemplate parses s and reports every broken expression; broken ones stay as literal text,
// so the returned template is always usable.
func parseTemplate(s string) (*Template, []error) {
	if len(s) > MaxTemplateBytes {
		return &Template{src: s, parts: []templatePart{{text: s}}}, []error{fmt.Errorf("the text is longer than %d KB", MaxTemplateBytes>>10)}
	}
	var errs []error
	t := &Template{src: s}
	rest := s
	offset := 0
	for {
		i := strings.Index(rest, "{{")
		if i < 0 {
			if rest != "" {
				t.parts = append(t.parts, templatePart{text: rest})
			}
			return t, errs
		}
		if i > 0 {
			t.parts = append(t.parts, templatePart{text: rest[:i]})
		}
		end := closingBraces(rest[i+2:])
		if end < 0 {
			t.parts = append(t.parts, templatePart{text: rest[i:]})
			return t, append(errs, fmt.Errorf("'{{' at position %d has no closing '}}'", offset+i+1))
		}
		body := rest[i+2 : i+2+end]
		if expr, err := ParseExpr(body); err != nil {
			errs = append(errs, fmt.Errorf("in {{%s}}: %w", body, err))
			t.parts = append(t.parts, templatePart{text: rest[i : i+2+end+2]})
		} else {
			t.parts = append(t.parts, templatePart{expr: expr})
		}
		consumed := i + 2 + end + 2
		rest = rest[consumed:]
		offset += consumed
	}
}

// closingBraces finds "}}" outside quotes.
func closingBraces(s string) int {
	at := -1
	eachUnquoted(s, func(i int) bool {
		if s[i] == '}' && i+1 < len(s) && s[i+1] == '}' {
			at = i
			return false
		}
		return true
	})
	return at
}

// eachUnquoted calls visit with the index of every byte of s outside a quoted string ("…" or
// '…', with backslash escapes inside), the opening quotes excepted, until visit returns false.
func eachUnquoted(s string, visit func(i int) bool) {
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			switch c {
			case '\\':
				i++
			case quote:
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		default:
			if !visit(i) {
				return
			}
		}
	}
}

// String returns the template source.
func (t *Template) String() string { return t.src }

// Exprs lists the expressions in the template.
func (t *Template) Exprs() []*Expr {
	var out []*Expr
	for _, p := range t.parts {
		if p.expr != nil {
			out = append(out, p.expr)
		}
	}
	return out
}

// single reports whether the template is exactly one expression, so its value keeps its type.
func (t *Template) single() *Expr {
	if len(t.parts) == 1 && t.parts[0].expr != nil {
		return t.parts[0].expr
	}
	return nil
}

// ParseExpr parses the inside of {{…}}.
func ParseExpr(s string) (*Expr, error) {
	segments := splitPipes(s)
	head := strings.TrimSpace(segments[0])
	if head == "" {
		return nil, fmt.Errorf("nothing to insert; write a reference such as trigger.params.email")
	}
	e := &Expr{Src: strings.TrimSpace(s)}
	arg, err := parseArg(head)
	if err != nil {
		return nil, err
	}
	e.Ref, e.Literal = arg.Ref, arg.Literal
	for _, seg := range segments[1:] {
		call, err := parsePipe(strings.TrimSpace(seg))
		if err != nil {
			return nil, err
		}
		e.Pipes = append(e.Pipes, call)
	}
	return e, nil
}

// splitPipes splits on '|' outside quotes.
func splitPipes(s string) []string { return splitUnquoted(s, "|") }

func parsePipe(s string) (PipeCall, error) {
	if s == "" {
		return PipeCall{}, fmt.Errorf("empty function after '|'")
	}
	name, rest, hasArgs := strings.Cut(s, ":")
	name = strings.TrimSpace(name)
	if _, ok := pipes[name]; !ok {
		return PipeCall{}, &unknownPipeError{name: name}
	}
	call := PipeCall{Name: name}
	if hasArgs {
		for _, a := range splitArgs(rest) {
			arg, err := parseArg(strings.TrimSpace(a))
			if err != nil {
				return PipeCall{}, fmt.Errorf("argument of %s: %w", name, err)
			}
			call.Args = append(call.Args, arg)
		}
	}
	return call, nil
}

type unknownPipeError struct{ name string }

func (e *unknownPipeError) Error() string {
	return fmt.Sprintf("unknown function %q (known: %s)", e.name, strings.Join(pipeNames(), ", "))
}

// splitArgs splits pipe arguments on ':' or ',' outside quotes: date:"02.01.2006", replace:"a","b".
func splitArgs(s string) []string { return splitUnquoted(s, ":,") }

// splitUnquoted splits s at each of the separator bytes that stands outside a quoted string.
func splitUnquoted(s, separators string) []string {
	var out []string
	start := 0
	eachUnquoted(s, func(i int) bool {
		if strings.IndexByte(separators, s[i]) >= 0 {
			out = append(out, s[start:i])
			start = i + 1
		}
		return true
	})
	return append(out, s[start:])
}

func parseArg(s string) (Arg, error) {
	if s == "" {
		return Arg{}, fmt.Errorf("missing value")
	}
	if q := s[0]; q == '"' || q == '\'' {
		p := &pathParser{src: s}
		lit, err := p.quoted(q)
		if err != nil {
			return Arg{}, err
		}
		if p.pos != len(s) {
			return Arg{}, fmt.Errorf("unexpected text after the quoted value: %q", s[p.pos:])
		}
		return Arg{Literal: &lit}, nil
	}
	if isNumberLiteral(s) {
		lit := s
		return Arg{Literal: &lit}, nil
	}
	path, err := ParsePath(s)
	if err != nil {
		return Arg{}, err
	}
	return Arg{Ref: path}, nil
}

func isNumberLiteral(s string) bool {
	digits := 0
	for i, c := range s {
		switch {
		case c >= '0' && c <= '9':
			digits++
		case c == '-' && i == 0, c == '.':
		default:
			return false
		}
	}
	return digits > 0 && s[0] != '.'
}
