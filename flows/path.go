package flows

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/theory/jsonpath"
)

// Path is a parsed reference into a value: a list of keys and list indexes.
type Path []Segment

// Segment is one step of a path: a member name, or a list index when IsIndex.
type Segment struct {
	Key     string
	Index   int
	IsIndex bool
}

func (s Segment) String() string {
	if s.IsIndex {
		return strconv.Itoa(s.Index)
	}
	return s.Key
}

func (p Path) String() string {
	parts := make([]string, len(p))
	for i, s := range p {
		parts[i] = s.String()
	}
	return strings.Join(parts, ".")
}

// ParsePath reads the path syntaxes users bring from other tools:
//
//	["request"][0]["id"]   the Webjack parser syntax from the seeds
//	request.0.id           dotted
//	request[0].id          mixed
//
// JSONPath ($.request[0].id) is handled by Query, not here.
func ParsePath(s string) (Path, error) {
	p := &pathParser{src: s}
	path, err := p.parse()
	if err != nil {
		return nil, err
	}
	return path, nil
}

type pathParser struct {
	src string
	pos int
}

func (p *pathParser) parse() (Path, error) {
	var path Path
	p.skipSpace()
	if p.pos == len(p.src) {
		return nil, fmt.Errorf("the path is empty")
	}
	expectName := true // a bare name may start the path or follow a dot
	for p.skipSpace(); p.pos < len(p.src); p.skipSpace() {
		c := p.src[p.pos]
		switch {
		case c == '[':
			seg, err := p.bracket()
			if err != nil {
				return nil, err
			}
			path = append(path, seg)
			expectName = false
		case c == '.':
			if expectName {
				return nil, fmt.Errorf("unexpected '.' at position %d", p.pos+1)
			}
			p.pos++
			expectName = true
			if p.pos == len(p.src) {
				return nil, fmt.Errorf("the path ends with '.'")
			}
		case expectName:
			name := p.name()
			if name == "" {
				return nil, fmt.Errorf("unexpected %q at position %d", p.src[p.pos:p.pos+utf8RuneLen(p.src[p.pos:])], p.pos+1)
			}
			path = append(path, nameSegment(name))
			expectName = false
		default:
			return nil, fmt.Errorf("unexpected %q at position %d; separate parts with '.'", p.src[p.pos:p.pos+utf8RuneLen(p.src[p.pos:])], p.pos+1)
		}
	}
	return path, nil
}

func utf8RuneLen(s string) int {
	_, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return 1
	}
	return n
}

// nameSegment treats an all-digit name as a list index too, so "request.0.id" works.
func nameSegment(name string) Segment {
	if n, err := strconv.Atoi(name); err == nil && n >= 0 && len(name) < 10 {
		return Segment{Key: name, Index: n, IsIndex: true}
	}
	return Segment{Key: name}
}

func (p *pathParser) skipSpace() {
	for p.pos < len(p.src) && (p.src[p.pos] == ' ' || p.src[p.pos] == '\t') {
		p.pos++
	}
}

func isNameRune(r rune) bool {
	return r == '_' || r == '-' || r == '$' || r == '@' || unicode.IsLetter(r) || unicode.IsDigit(r)
}

func (p *pathParser) name() string {
	start := p.pos
	for p.pos < len(p.src) {
		r, n := utf8.DecodeRuneInString(p.src[p.pos:])
		if !isNameRune(r) {
			break
		}
		p.pos += n
	}
	return p.src[start:p.pos]
}

// bracket reads ["key"], ['key'] or [0].
func (p *pathParser) bracket() (Segment, error) {
	open := p.pos
	p.pos++ // [
	p.skipSpace()
	if p.pos == len(p.src) {
		return Segment{}, fmt.Errorf("'[' at position %d is not closed", open+1)
	}
	var seg Segment
	switch q := p.src[p.pos]; q {
	case '"', '\'':
		key, err := p.quoted(q)
		if err != nil {
			return Segment{}, err
		}
		seg = Segment{Key: key}
	default:
		start := p.pos
		for p.pos < len(p.src) && p.src[p.pos] >= '0' && p.src[p.pos] <= '9' {
			p.pos++
		}
		digits := p.src[start:p.pos]
		n, err := strconv.Atoi(digits)
		if digits == "" || err != nil || len(digits) > 9 {
			return Segment{}, fmt.Errorf("inside [ ] at position %d write a number like [0] or a name in quotes like [\"id\"]", open+1)
		}
		seg = Segment{Key: digits, Index: n, IsIndex: true}
	}
	p.skipSpace()
	if p.pos == len(p.src) || p.src[p.pos] != ']' {
		return Segment{}, fmt.Errorf("'[' at position %d is not closed", open+1)
	}
	p.pos++
	return seg, nil
}

func (p *pathParser) quoted(q byte) (string, error) {
	start := p.pos
	p.pos++
	var b strings.Builder
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		switch c {
		case q:
			p.pos++
			return b.String(), nil
		case '\\':
			if p.pos+1 < len(p.src) {
				b.WriteByte(p.src[p.pos+1])
				p.pos += 2
				continue
			}
		}
		b.WriteByte(c)
		p.pos++
	}
	return "", fmt.Errorf("the quote at position %d is not closed", start+1)
}

// Lookup follows the path into v. It reports how far it got when a part is missing, so the trace
// can say "trigger.params has no 'phone'".
func (p Path) Lookup(v any) (any, int, bool) {
	cur := v
	for i, seg := range p {
		next, ok := child(cur, seg)
		if !ok {
			return nil, i, false
		}
		cur = next
	}
	return cur, len(p), true
}

func child(v any, seg Segment) (any, bool) {
	switch x := v.(type) {
	case map[string]any:
		c, ok := x[seg.Key]
		return c, ok
	case []any:
		if seg.IsIndex && seg.Index < len(x) {
			return x[seg.Index], true
		}
	case []string:
		if seg.IsIndex && seg.Index < len(x) {
			return x[seg.Index], true
		}
	case map[string]string:
		c, ok := x[seg.Key]
		return c, ok
	case string:
		// A JSON text inside a value (a response body) can be walked into directly.
		if t := strings.TrimSpace(x); t != "" && (t[0] == '{' || t[0] == '[') {
			if parsed, err := decodeJSON([]byte(t)); err == nil {
				return child(parsed, seg)
			}
		}
	}
	return nil, false
}

// Query is a compiled json_parse path: either our Path or a JSONPath expression.
type Query struct {
	src  string
	path Path
	jp   *jsonpath.Path
}

// ParseQuery accepts the seed syntax, dotted paths, and JSONPath (starting with $). A JSONPath is
// taken as written: RFC 9535 allows no white space before or after the query.
func ParseQuery(s string) (*Query, error) {
	trimmed := strings.TrimSpace(s)
	if strings.HasPrefix(trimmed, "$") {
		if trimmed != s {
			return nil, errors.New("JSONPath: remove the spaces before or after the path")
		}
		jp, err := jsonpath.Parse(s)
		if err != nil {
			return nil, fmt.Errorf("JSONPath: %w", err)
		}
		return &Query{src: s, jp: jp}, nil
	}
	path, err := ParsePath(trimmed)
	if err != nil {
		return nil, err
	}
	return &Query{src: trimmed, path: path}, nil
}

func (q *Query) String() string { return q.src }

// Select returns the value at the query. A JSONPath that matches several values returns them as a list.
func (q *Query) Select(v any) (any, bool) {
	if q.jp == nil {
		got, _, ok := q.path.Lookup(v)
		return got, ok
	}
	// Numbers stay json.Number, which the library compares as numbers: a 20-digit id comes
	// through exactly.
	nodes := q.jp.Select(v)
	switch len(nodes) {
	case 0:
		return nil, false
	case 1:
		return nodes[0], true
	default:
		return []any(nodes), true
	}
}
