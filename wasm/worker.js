// hookflow engine worker: runs the Go engine (hookflow.<hash>.wasm) off the page's main thread.
//
// Start it as a classic worker (not {type: "module"}: wasm_exec.js is loaded with importScripts):
//
//   const w = new Worker("/engine/worker.js");                 // files next to it, names from manifest.json
//   const w = new Worker("/engine/worker.js?wasm=hookflow.0123456789ab.wasm&wasm_exec=wasm_exec.js");
//
// URLs are resolved against the worker's own URL. Without ?wasm= the worker reads manifest.json
// (serve it with Cache-Control: no-cache; the .wasm itself is content-hashed and immutable).
// An {op: "init", args: [{wasm, wasm_exec}]} message may set the URLs instead, if it is the first.
//
// Protocol: the page posts {id, op, args} and gets back exactly one {id, result} or {id, error}.
//   op "init"                          -> {version, load_ms}   (optional; preloads the engine)
//   op "warm"     args [flowJSON, payloadJSON, inputsJSON, lang] -> {warm_ms}   previews the flow
//                                         once and drops the result, the first time only: V8
//                                         compiles wasm functions on first use, which makes a first
//                                         preview ~10-100x slower than the next. The editor sends
//                                         it with the flow it opens, while the user looks at it.
//   op "stats"                          -> {load_ms, warm_ms, warm_runs, templates_warmed, runs,
//                                         first_run}   what the worker did, for tests and support
//   op "validate" args [flowJSON, lang]                 -> {ok, problems}
//   op "run"      args [flowJSON, payloadJSON, inputsJSON, lang] -> trace
//   op "kinds" | "presets" | "templates"               -> arrays
//   op "message"  args [code, lang, paramsJSON]         -> {message}
//   op "version"                                        -> "…"
// JSON-text arguments may also be given as objects; the worker stringifies them. Results are
// parsed objects. Requests are answered one at a time, in order.
//
// Timeouts are the page's job. A call is synchronous inside the engine, so a JS node looping
// forever keeps this worker busy for good: the page starts a timer per request and, when it
// fires, calls worker.terminate() and creates a new worker. An {id, error} whose error starts
// with "engine:" (load failure, the Go program exited) also means: replace the worker.

"use strict";

const OPS = new Set(["validate", "run", "kinds", "presets", "templates", "message", "version"]);

const query = new URL(self.location.href).searchParams;
let urls = { wasm: query.get("wasm"), wasm_exec: query.get("wasm_exec") || "wasm_exec.js" };
let engine = null; // Promise of the hookflow object, created by the first message

function resolve(u) {
  return new URL(u, self.location.href).href;
}

async function load() {
  const started = performance.now();
  importScripts(resolve(urls.wasm_exec)); // defines globalThis.Go
  if (!urls.wasm) {
    const res = await fetch(resolve("manifest.json"), { cache: "no-cache" });
    if (!res.ok) throw new Error(`manifest.json: HTTP ${res.status}`);
    urls.wasm = (await res.json()).wasm;
  }
  const go = new Go();
  const ready = new Promise((ok) => { self.onHookflowReady = ok; });
  const url = resolve(urls.wasm);
  let instance;
  try {
    ({ instance } = await WebAssembly.instantiateStreaming(fetch(url), go.importObject));
  } catch (err) {
    // instantiateStreaming needs Content-Type: application/wasm; fall back for plain servers.
    const res = await fetch(url);
    if (!res.ok) throw new Error(`${urls.wasm}: HTTP ${res.status}`);
    ({ instance } = await WebAssembly.instantiate(await res.arrayBuffer(), go.importObject));
  }
  const exited = go.run(instance).then(() => { throw new Error("the Go program exited"); });
  await Promise.race([ready, exited]);
  exited.catch((err) => {
    engine = Promise.reject(err);
    engine.catch(() => {}); // reported to the next request, not as an unhandled rejection
  });
  return { hookflow: self.hookflow, load_ms: Math.round(performance.now() - started) };
}

// What the worker did. templates_warmed stays 0: warming every built-in template at start made
// the first Test wait 1-2 s for previews of flows nobody had opened; first_run is a copy taken
// when the first real preview arrives, so a test can tell what it waited for.
const stats = { load_ms: 0, warm_ms: 0, warm_runs: 0, templates_warmed: 0, runs: 0, first_run: null };

// warm previews the flow being edited once, so that the first real Test finds the functions it
// needs compiled. Later warm requests are answered at once: the engine is warm by then.
function warm(hookflow, args) {
  if (stats.warm_runs > 0 || stats.runs > 0) return { warm_ms: 0 };
  const started = performance.now();
  hookflow.run(...args.map(text));
  stats.warm_runs++;
  stats.warm_ms = Math.round(performance.now() - started);
  return { warm_ms: stats.warm_ms };
}

function text(v) {
  return v == null || typeof v === "string" ? v : JSON.stringify(v);
}

async function handle({ op, args = [] }) {
  if (op === "init" && !engine && args[0]) urls = { ...urls, ...args[0] };
  if (!engine) engine = load();
  let loaded;
  try {
    loaded = await engine;
  } catch (err) {
    throw new Error(`engine: ${err && err.message ? err.message : err}`);
  }
  const { hookflow } = loaded;
  stats.load_ms = loaded.load_ms;
  if (op === "init") return { version: hookflow.version, load_ms: loaded.load_ms };
  if (op === "warm") return warm(hookflow, args);
  if (op === "stats") return { ...stats };
  if (op === "version") return hookflow.version;
  if (op === "run" && stats.runs++ === 0) stats.first_run = { warm_runs: stats.warm_runs, templates_warmed: stats.templates_warmed };
  if (!OPS.has(op)) throw new Error(`unknown op ${JSON.stringify(op)}`);
  let out;
  try {
    out = hookflow[op](...args.map(text));
  } catch (err) {
    throw new Error(`engine: ${err && err.message ? err.message : err}`); // e.g. "Go program has already exited"
  }
  const value = JSON.parse(out);
  // The engine reports misuse and internal errors as {"error": "…"} (a trace's error is an object).
  if (value && typeof value.error === "string" && Object.keys(value).length === 1) throw new Error(value.error);
  return value;
}

// Requests are chained so that an "init" still loading does not let later ones overtake it.
let queue = Promise.resolve();
self.onmessage = (event) => {
  const msg = event.data || {};
  queue = queue.then(async () => {
    try {
      self.postMessage({ id: msg.id, result: await handle(msg) });
    } catch (err) {
      self.postMessage({ id: msg.id, error: err && err.message ? err.message : String(err) });
    }
  });
};
