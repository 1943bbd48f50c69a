package flows

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/big"
	"reflect"
	"sort"
	"strconv"
	"unsafe"

	"github.com/dop251/goja"
)

// Values crossing the boundary between the host and a script, always as copies: toJS puts the
// engine's plain JSON values into a runtime, fromJS reads a script's result back as plain JSON
// values, so a script can never change another step's output.

// toJS copies plain Go values (the engine's JSON values) into a runtime. A map or list that
// appears twice (input is also steps.<id>) becomes one object.
type toJS struct {
	rt     *goja.Runtime
	budget int
	seen   map[unsafe.Pointer]goja.Value
	keys   []string
	err    error // the first failure of a lazy read
}

func (c *toJS) spend(n int) error {
	c.budget -= n
	if c.budget < 0 {
		return &scriptSizeError{what: "input", limit: maxScriptInputBytes}
	}
	return nil
}

// scope builds the argument of an expression: a lazy object without a prototype, so that only
// its own members (not toString, constructor, …) shadow globals.
func (c *toJS) scope(arg any) (goja.Value, error) {
	m, ok := arg.(map[string]any)
	if !ok && arg != nil {
		n, err := normalize(arg)
		if err != nil {
			return nil, err
		}
		m, _ = n.(map[string]any)
	}
	return c.lazy(m, false), nil
}

// lazy makes an object whose members are copied in when the script first reads them, so that
// steps (every output of the run so far) costs only what the script uses.
func (c *toJS) lazy(src map[string]any, withPrototype bool) *goja.Object {
	o := c.rt.NewDynamicObject(&lazyObject{c: c, src: src})
	if !withPrototype {
		_ = o.SetPrototype(nil)
	}
	return o
}

// lazyObject is a goja.DynamicObject over a host map. What the script sets or deletes stays in
// the runtime; the host map is never written.
type lazyObject struct {
	c       *toJS
	src     map[string]any
	done    map[string]goja.Value
	deleted map[string]bool
}

func (l *lazyObject) Get(key string) goja.Value {
	if v, ok := l.done[key]; ok {
		return v
	}
	if l.deleted[key] {
		return nil
	}
	raw, ok := l.src[key]
	if !ok {
		return nil
	}
	v, err := l.c.value(raw, 1)
	if err != nil {
		if l.c.err == nil {
			l.c.err = err
		}
		panic(l.c.rt.NewTypeError("%s", err.Error()))
	}
	if l.done == nil {
		l.done = map[string]goja.Value{}
	}
	l.done[key] = v
	return v
}

func (l *lazyObject) Set(key string, v goja.Value) bool {
	if l.done == nil {
		l.done = map[string]goja.Value{}
	}
	l.done[key] = v
	delete(l.deleted, key)
	return true
}

func (l *lazyObject) Has(key string) bool {
	if _, ok := l.done[key]; ok {
		return true
	}
	_, ok := l.src[key]
	return ok && !l.deleted[key]
}

func (l *lazyObject) Delete(key string) bool {
	delete(l.done, key)
	if _, ok := l.src[key]; ok {
		if l.deleted == nil {
			l.deleted = map[string]bool{}
		}
		l.deleted[key] = true
	}
	return true
}

func (l *lazyObject) Keys() []string {
	keys := make([]string, 0, len(l.src)+len(l.done))
	for k := range l.src {
		if !l.deleted[k] {
			keys = append(keys, k)
		}
	}
	for k := range l.done {
		if _, inSrc := l.src[k]; !inSrc {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return keys
}

func sortedKeys(m map[string]any, buf []string) []string {
	keys := buf[:0]
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func (c *toJS) value(v any, depth int) (goja.Value, error) {
	if depth > maxScriptDepth {
		return nil, &scriptError{msg: fmt.Sprintf("the input is nested deeper than %d levels", maxScriptDepth)}
	}
	switch x := v.(type) {
	case nil:
		return goja.Null(), c.spend(4)
	case string:
		return c.rt.ToValue(x), c.spend(len(x) + 2)
	case bool:
		return c.rt.ToValue(x), c.spend(5)
	case json.Number:
		if err := c.spend(len(x)); err != nil {
			return nil, err
		}
		if i, err := strconv.ParseInt(string(x), 10, 64); err == nil {
			return c.rt.ToValue(i), nil
		}
		f, err := x.Float64()
		if err != nil && !errors.Is(err, strconv.ErrRange) {
			return c.rt.ToValue(string(x)), nil
		}
		return c.rt.ToValue(f), nil
	case float64:
		return c.rt.ToValue(x), c.spend(8)
	case int:
		return c.rt.ToValue(x), c.spend(8)
	case int64:
		return c.rt.ToValue(x), c.spend(8)
	case map[string]any:
		ptr := reflect.ValueOf(x).UnsafePointer()
		if done, ok := c.seen[ptr]; ok {
			return done, nil
		}
		obj := c.rt.NewObject()
		if c.seen == nil {
			c.seen = map[unsafe.Pointer]goja.Value{}
		}
		c.seen[ptr] = obj
		if err := c.spend(2); err != nil {
			return nil, err
		}
		keys := sortedKeys(x, c.keys)
		c.keys = nil // the nested calls need their own
		for _, k := range keys {
			if err := c.spend(len(k) + 4); err != nil {
				return nil, err
			}
			val, err := c.value(x[k], depth+1)
			if err != nil {
				return nil, err
			}
			if err := obj.DefineDataProperty(k, val, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_TRUE); err != nil {
				return nil, err
			}
		}
		c.keys = keys
		return obj, nil
	case []any:
		if err := c.spend(2 + len(x)); err != nil {
			return nil, err
		}
		items := make([]any, len(x))
		for i, item := range x {
			val, err := c.value(item, depth+1)
			if err != nil {
				return nil, err
			}
			items[i] = val
		}
		return c.rt.NewArray(items...), nil
	}
	n, err := normalize(v)
	if err != nil {
		return nil, fmt.Errorf("a value cannot be given to the script: %v", err)
	}
	return c.value(n, depth)
}

// fromJS reads a script's value back as a plain JSON value with JSON.stringify's rules: toJSON
// is called, functions, symbols and undefined members are left out (null in lists), NaN and
// Infinity are null. Cycles, too deep nesting and a result over budget are errors.
type fromJS struct {
	budget int
	stack  []*goja.Object
}

func (c *fromJS) spend(n int) error {
	c.budget -= n
	if c.budget < 0 {
		return &scriptSizeError{what: "result", limit: MaxScriptIOBytes}
	}
	return nil
}

// value converts v; present is false for what JSON leaves out (undefined, functions, symbols).
func (c *fromJS) value(v goja.Value, depth int) (out any, present bool, err error) {
	if v == nil || goja.IsUndefined(v) {
		return nil, false, nil
	}
	if goja.IsNull(v) {
		return nil, true, c.spend(4)
	}
	if _, isSymbol := v.(*goja.Symbol); isSymbol {
		return nil, false, nil
	}
	o, isObj := v.(*goja.Object)
	if !isObj {
		switch x := v.Export().(type) {
		case string:
			return x, true, c.spend(len(x) + 2)
		case bool:
			return x, true, c.spend(5)
		case int64:
			return json.Number(strconv.FormatInt(x, 10)), true, c.spend(8)
		case float64:
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return nil, true, c.spend(4)
			}
			if x == 0 {
				return json.Number("0"), true, c.spend(1) // also -0, as JSON.stringify writes it
			}
			if x == math.Trunc(x) && math.Abs(x) < 1e21 {
				return json.Number(strconv.FormatFloat(x, 'f', -1, 64)), true, c.spend(8)
			}
			return json.Number(v.String()), true, c.spend(24)
		case *big.Int:
			s := x.String()
			return json.Number(s), true, c.spend(len(s))
		}
		return nil, false, nil // symbols
	}
	if _, isFn := goja.AssertFunction(o); isFn {
		return nil, false, nil
	}
	if toJSON, ok := goja.AssertFunction(o.Get("toJSON")); ok {
		r, err := toJSON(o)
		if err != nil {
			panic(err)
		}
		if r2, ok := r.(*goja.Object); !ok || r2 != o {
			return c.value(r, depth)
		}
	}
	switch o.ClassName() {
	case "String":
		s := o.String()
		return s, true, c.spend(len(s) + 2)
	case "Number":
		// As JSON.stringify does: the object's number value, written as a plain number is.
		return c.value(o.ToNumber(), depth)
	case "Boolean":
		if b, ok := o.Export().(bool); ok {
			return b, true, c.spend(5)
		}
	}
	if depth >= maxScriptDepth {
		return nil, false, &scriptError{msg: fmt.Sprintf("the result is nested deeper than %d levels", maxScriptDepth)}
	}
	for _, p := range c.stack {
		if p == o {
			return nil, false, &scriptError{msg: "the result contains itself (a circular reference), so it cannot be passed on"}
		}
	}
	c.stack = append(c.stack, o)
	defer func() { c.stack = c.stack[:len(c.stack)-1] }()
	if o.ClassName() == "Array" {
		n := o.Get("length").ToInteger()
		if err := c.spend(2 + int(min(n, int64(MaxScriptIOBytes)))); err != nil {
			return nil, false, err
		}
		list := make([]any, n)
		for i := range list {
			item, _, err := c.value(o.Get(strconv.Itoa(i)), depth+1)
			if err != nil {
				return nil, false, err
			}
			list[i] = item
		}
		return list, true, nil
	}
	if err := c.spend(2); err != nil {
		return nil, false, err
	}
	keys := o.Keys()
	obj := make(map[string]any, len(keys))
	for _, k := range keys {
		item, ok, err := c.value(o.Get(k), depth+1)
		if err != nil {
			return nil, false, err
		}
		if ok {
			if err := c.spend(len(k) + 4); err != nil {
				return nil, false, err
			}
			obj[k] = item
		}
	}
	return obj, true, nil
}
