package flows

import (
	"strings"
	"testing"
	"github.com/dop251/goja"
)

func benchPrelude(b *testing.B, src string) {
	prog := goja.MustCompile("p", src, true)
	for b.Loop() {
		rt := goja.New()
		rt.Set("console", rt.NewObject())
		p, _ := rt.RunProgram(prog)
		setup, _ := goja.AssertFunction(p)
		if _, err := setup(goja.Undefined(), rt.ToValue(maxScriptString), rt.ToValue(maxScriptArray), rt.ToValue(maxScriptArgs), rt.ToValue(maxScriptDepth)); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPrelude(b *testing.B) {
	full := scriptPrelude
	b.Run("full", func(b *testing.B) { benchPrelude(b, full) })
	b.Run("no-harden-g", func(b *testing.B) { benchPrelude(b, strings.Replace(full, "harden(g);\nreturn", "return", 1)) })
	b.Run("no-harden", func(b *testing.B) { benchPrelude(b, strings.Replace(full, "harden(hidden);\nharden(g);\nreturn", "return", 1)) })
	b.Run("walk-only", func(b *testing.B) { benchPrelude(b, strings.Replace(full, "freeze(o);\n", "\n", 1)) })
	b.Run("empty", func(b *testing.B) { benchPrelude(b, "(function(){})") })
	b.Run("walk-raw", func(b *testing.B) { benchPrelude(b, `(function(){ const seen = new Set(), todo = [globalThis]; 
while (todo.length) { const o = todo.pop(); if (o === null || (typeof o !== "object" && typeof o !== "function") || seen.has(o)) continue; seen.add(o); 
 todo.push(Object.getPrototypeOf(o)); for (const k of Reflect.ownKeys(o)) { const d = Object.getOwnPropertyDescriptor(o, k); if ("value" in d) todo.push(d.value); else todo.push(d.get, d.set); } } })`) })
	b.Run("keys-only", func(b *testing.B) { benchPrelude(b, `(function(){ const seen = new Set(), todo = [globalThis]; 
while (todo.length) { const o = todo.pop(); if (o === null || (typeof o !== "object" && typeof o !== "function") || seen.has(o)) continue; seen.add(o); 
 todo.push(Object.getPrototypeOf(o)); for (const k of Reflect.ownKeys(o)) { } } })`) })
}

func BenchmarkPrelude2(b *testing.B) {
	b.Run("freeze-2-levels", func(b *testing.B) { benchPrelude(b, `(function(){ const g = globalThis;
for (const k of Reflect.ownKeys(g)) { const v = g[k]; if (v !== null && (typeof v === "object" || typeof v === "function")) { Object.freeze(v); const p = v.prototype; if (p && typeof p === "object") Object.freeze(p); } } Object.freeze(g); })`) })
	b.Run("names-only", func(b *testing.B) { benchPrelude(b, `(function(){ const g = globalThis; let n = 0;
for (const k of Reflect.ownKeys(g)) { const v = g[k]; if (v !== null && (typeof v === "object" || typeof v === "function")) { n += Reflect.ownKeys(v).length; const p = v.prototype; if (p && typeof p === "object") n += Reflect.ownKeys(p).length; } } })`) })
}

func BenchmarkPrelude3(b *testing.B) {
	b.Run("walk-get", func(b *testing.B) { benchPrelude(b, `(function(){ const seen = new Set(), todo = [globalThis]; 
while (todo.length) { const o = todo.pop(); if (o === null || (typeof o !== "object" && typeof o !== "function") || seen.has(o)) continue; seen.add(o); 
 todo.push(Object.getPrototypeOf(o)); const ks = Reflect.ownKeys(o); for (let i = 0; i < ks.length; i++) { let v; try { v = o[ks[i]]; } catch (e) { continue; } todo.push(v); } Object.freeze(o); } })`) })
	b.Run("heap", func(b *testing.B) { benchPrelude(b, scriptPrelude); })
}
