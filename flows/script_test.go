package flows

import (
	"context"
	"testing"
	"time"
)

func TestScratch(t *testing.T) {
	for _, code := range []string{
		`return {name: input.name.toUpperCase(), phone: input.phone.replace(/\D/g, "")}`,
		`Array.prototype.push = null; return 1`,
		`Object.prototype.x = 1; return 1`,
		`return [].push === Array.prototype.push && ({}).x`,
		`class E extends Error { constructor(m) { super(m); this.name = "E"; } } const e = new E("boom"); const o = {}; o.toString = () => "hi"; return [e.name, String(o), e.message]`,
		`return 'x'.repeat(1e9)`,
		`function f(n) { return f(n+1) } return f(0)`,
		`return [typeof require, typeof process, typeof fetch, typeof setTimeout, typeof Uint8Array]`,
		`input.name = "changed"; return input`,
		`return JSON.stringify(Array(1e4).fill('x'.repeat(1e5))).length`,
		`return [...Array(3e7)].length`,
		`return Array(1e9).join('')`,
		`console.log("hi", {a: 1}, [1,2]); for (let i = 0; i < 500; i++) console.log(i); return 1`,
		`const a = {}; a.self = a; return a`,
		`return new Date(0)`,
		`return [1.5, 2, NaN, 1e21, 12345678901234, undefined, () => 1]`,
		`throw new TypeError("bad")`,
		`
  let x = 1;
  return x.foo.bar`,
		`return Promise.resolve(5)`,
		`return JSON.stringify({a:[1,2,{b:3}]}, null, 2)`,
		`return 'abc'.replace(/b/g, () => 'x'.repeat(3e6)).length + 'ab'.replaceAll('a', 'zz')`,
		`return 'x'.repeat(1000).replace(/x/g, () => 'y'.repeat(1e5)).length`,
		`return Object.keys(steps)`,
		`return [input === steps.prev, trigger.params]`,
	} {
		s, err := compileScript("x", code, scriptBody)
		if err != nil {
			t.Logf("%q: compile %v", code, err)
			continue
		}
		in := map[string]any{"name": "Anna", "phone": "+7 (999) 123-45-67"}
		trig := map[string]any{"params": map[string]any{"a": "b"}}
		arg := map[string]any{"input": in, "steps": map[string]any{"prev": in, "trigger": trig}, "inputs": map[string]any{}, "trigger": trig}
		start := time.Now()
		out, logs, err := s.run(context.Background(), arg, time.Second)
		if len(logs) > 3 {
			logs = append(logs[:3], logs[len(logs)-1])
		}
		t.Logf("%.60q → %v | %v | err=%v | %v | in=%v", code, out, logs, err, time.Since(start), in["name"])
	}
}
