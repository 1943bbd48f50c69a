// Smoke test of a built engine directory (wasm/build.sh output), in Node, for CI:
//
//   node wasm/smoke.mjs [distdir]        (default: wasm/dist next to this file)
//
// 1. manifest.json names an existing module; the .gz (and .br, if any) decompress to it.
// 2. The module loads with Go's wasm_exec.js and every built-in template previews successfully
//    with its preset's sample request: nothing sent, every HTTP step continues with its sample.
//    Prints the load time and per-template preview times (performance.now()).
// 3. worker.js answers the {id, op, args} protocol, and a JS node looping forever is stopped by
//    terminating the worker (the page's timeout contract), after which a new worker works.
// Prints OK at the end; exits non-zero on the first failure.

import fs from "node:fs";
import path from "node:path";
import vm from "node:vm";
import zlib from "node:zlib";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";

const here = path.dirname(fileURLToPath(import.meta.url));
const dist = path.resolve(process.argv[2] || path.join(here, "dist"));

function check(cond, ...msg) {
  if (!cond) {
    console.error("FAIL:", ...msg);
    process.exit(1);
  }
}
const kib = (n) => (n == null ? "-" : `${Math.round(n / 1024)} KiB`);
const ms = (x) => `${x.toFixed(1)} ms`;

// 1. Files.
const manifest = JSON.parse(fs.readFileSync(path.join(dist, "manifest.json"), "utf8"));
const wasmPath = path.join(dist, manifest.wasm);
const wasm = fs.readFileSync(wasmPath);
check(/^hookflow\.[0-9a-f]{12}\.wasm$/.test(manifest.wasm), "wasm name", manifest.wasm);
check(wasm.length === manifest.size, "size in manifest", manifest.size, "!= file", wasm.length);
check(zlib.gunzipSync(fs.readFileSync(wasmPath + ".gz")).equals(wasm), ".gz does not decompress to the module");
if (manifest.br_size != null) {
  check(zlib.brotliDecompressSync(fs.readFileSync(wasmPath + ".br")).equals(wasm), ".br does not decompress to the module");
}
console.log(`module ${manifest.wasm} (${manifest.version}): raw ${kib(manifest.size)}, gzip ${kib(manifest.gzip_size)}, brotli ${kib(manifest.br_size)}`);

// 2. Load in this process, as the worker does, and preview every template.
vm.runInThisContext(fs.readFileSync(path.join(dist, "wasm_exec.js"), "utf8"), { filename: "wasm_exec.js" });
let t0 = performance.now();
const go = new globalThis.Go();
const ready = new Promise((ok) => { globalThis.onHookflowReady = ok; });
const { instance } = await WebAssembly.instantiate(wasm, go.importObject);
const compiled = performance.now() - t0;
go.run(instance);
await ready;
const hookflow = globalThis.hookflow;
console.log(`load: compile+instantiate ${ms(compiled)}, until ready ${ms(performance.now() - t0)} (version ${hookflow.version})`);

const call = (fn, ...args) => {
  const out = JSON.parse(hookflow[fn](...args));
  check(!(out && typeof out.error === "string"), fn, out && out.error);
  return out;
};
const presets = Object.fromEntries(call("presets").map((p) => [p.id, p]));
check(call("kinds").length >= 7, "fewer than 7 kinds");

// A setting's placeholder of the shape its name asks for: an email address, a web address (a
// Google table's included), any text.
function placeholder(key) {
  if (key.endsWith("_email")) return "manager@example.ru";
  if (key.endsWith("_url")) return `https://hooks.example.ru/${key}`;
  if (key === "spreadsheet") return "https://docs.google.com/spreadsheets/d/1BxiMVs0XRA5nFMdKvBdBZjgmUUqptlbs74OgvE2upms/edit";
  return `smoke-${key}`;
}

// A realistic request for a template: the preset's sample query plus the examples of the
// trigger's own fields; settings filled with placeholders.
function sample(tpl) {
  const trigger = tpl.flow.nodes.find((n) => n.kind === "webhook");
  const preset = presets[tpl.preset] || { method: "GET", sample_query: "" };
  const query = new URLSearchParams(preset.sample_query);
  for (const f of trigger.config.fields || []) {
    if (!query.get(f.key)) query.set(f.key, f.example || (f.required ? `smoke-${f.key}` : ""));
  }
  const inputs = {};
  for (const i of tpl.flow.inputs || []) if (i.required && !i.default) inputs[i.key] = placeholder(i.key);
  return {
    payload: JSON.stringify({ method: preset.method === "POST" ? "POST" : "GET", query: query.toString() }),
    inputs: JSON.stringify(inputs),
  };
}

const templates = call("templates");
check(templates.length > 0, "no templates");
const RUNS = 20;
for (const tpl of templates) {
  const flow = JSON.stringify(tpl.flow);
  const { payload, inputs } = sample(tpl);
  check(call("validate", flow).ok, tpl.id, "does not validate");
  t0 = performance.now();
  const trace = call("run", flow, payload, inputs, "ru");
  const first = performance.now() - t0;
  // A router takes one way: the steps of its other ways are skipped.
  const bad = trace.steps.filter((s) => s.status !== "success" && s.status !== "skipped");
  check(trace.status === "success" && bad.length === 0, tpl.id, "preview", trace.status,
    JSON.stringify(trace.problems || bad.map((s) => [s.node, s.error_text])));
  for (const s of trace.steps) check(!(s.http && s.http.sent), tpl.id, s.node, "was sent in a preview");
  const times = [];
  for (let i = 0; i < RUNS; i++) {
    t0 = performance.now();
    hookflow.run(flow, payload, inputs, "en");
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const http = trace.steps.filter((s) => s.http).map((s) => `${s.http.request.method} ${s.http.request.url.replace(/\?.*/, "?…")}`);
  console.log(`preview ${tpl.id}: first ${ms(first)}, median of ${RUNS} ${ms(times[RUNS >> 1])} — ${trace.steps.length} steps; would send: ${http.join(", ")}`);
}

console.log(`wasm memory after the previews: ${kib(instance.exports.mem.buffer.byteLength)}`);

// 3. The worker, in a worker thread with the few Web Worker globals it uses.
const bootstrap = `
  const { parentPort, workerData } = require("node:worker_threads");
  const fs = require("node:fs"), vm = require("node:vm"), { fileURLToPath } = require("node:url");
  globalThis.self = globalThis;
  self.location = { href: workerData.url };
  self.importScripts = (...urls) => { for (const u of urls) vm.runInThisContext(fs.readFileSync(fileURLToPath(u), "utf8"), { filename: u }); };
  self.fetch = async (u) => {
    const file = fileURLToPath(new URL(u));
    if (!fs.existsSync(file)) return new Response("not found", { status: 404 });
    const type = file.endsWith(".wasm") ? "application/wasm" : "application/json";
    return new Response(fs.readFileSync(file), { headers: { "Content-Type": type } });
  };
  self.postMessage = (m) => parentPort.postMessage(m);
  parentPort.on("message", (data) => self.onmessage({ data }));
  vm.runInThisContext(fs.readFileSync(fileURLToPath(workerData.url.replace(/\\?.*/, "")), "utf8"), { filename: "worker.js" });
`;
function startWorker() {
  const w = new Worker(bootstrap, { eval: true, workerData: { url: pathToFileURL(path.join(dist, "worker.js")).href } });
  let next = 0;
  const pending = new Map();
  w.on("message", ({ id, result, error }) => { pending.get(id)?.({ result, error }); pending.delete(id); });
  w.on("error", (err) => check(false, "worker error", err));
  // ask resolves with {result}|{error}, or {timeout: true} after ms (then the caller terminates).
  const ask = (op, args, timeout = 30000) => new Promise((ok) => {
    const id = ++next;
    pending.set(id, ok);
    setTimeout(() => { if (pending.delete(id)) ok({ timeout: true }); }, timeout);
    w.postMessage({ id, op, args });
  });
  return { ask, terminate: () => w.terminate() };
}

let w = startWorker();
t0 = performance.now();
const init = await w.ask("init", []);
check(init.result && init.result.version === hookflow.version, "worker init", JSON.stringify(init));
console.log(`worker: init (load ${init.result.load_ms} ms) in ${ms(performance.now() - t0)}`);
const uon = templates.find((t) => t.id === "uon-offerrum") || templates[0];
const { payload, inputs } = sample(uon);
t0 = performance.now();
const warmed = await w.ask("warm", [uon.flow, JSON.parse(payload), inputs, "ru"]);
check(warmed.result && warmed.result.warm_ms >= 0, "worker warm", JSON.stringify(warmed));
console.log(`worker: warm-up with ${uon.id} in ${ms(performance.now() - t0)}`);
t0 = performance.now();
const viaWorker = await w.ask("run", [uon.flow, JSON.parse(payload), inputs, "ru"]); // objects are stringified by the worker
check(viaWorker.result && viaWorker.result.status === "success", "worker run", JSON.stringify(viaWorker).slice(0, 500));
console.log(`worker: first preview of ${uon.id} after init, round trip ${ms(performance.now() - t0)}`);
const stats = await w.ask("stats", []);
check(stats.result && stats.result.first_run && stats.result.first_run.warm_runs === 1 && stats.result.templates_warmed === 0, "worker stats", JSON.stringify(stats));
const bad = await w.ask("exec", ["rm -rf /"]);
check(typeof bad.error === "string", "worker answered an unknown op", JSON.stringify(bad));
const misuse = await w.ask("run", [uon.flow, payload, "[1]"]);
check(typeof misuse.error === "string", "worker run with bad inputs", JSON.stringify(misuse));

const loop = {
  schema: 1, name: "loop",
  nodes: [
    { id: "trigger", kind: "webhook", config: { preset: "generic" } },
    { id: "spin", kind: "js", config: { code: "while (true) {}" } },
  ],
  edges: [{ from: "trigger", to: "spin" }],
};
t0 = performance.now();
const stuck = await w.ask("run", [loop, { method: "GET" }, {}], 1500);
if (stuck.timeout) {
  await w.terminate();
  console.log(`worker: infinite loop stopped by terminate() after ${ms(performance.now() - t0)}`);
  w = startWorker();
  const again = await w.ask("run", [uon.flow, payload, inputs]);
  check(again.result && again.result.status === "success", "new worker after terminate", JSON.stringify(again).slice(0, 300));
} else {
  // The engine's own JS timeout fired first (it cannot inside a synchronous wasm call today).
  check(stuck.result && stuck.result.status === "failed", "loop run", JSON.stringify(stuck).slice(0, 300));
  console.log(`worker: infinite loop ended by the engine's JS timeout after ${ms(performance.now() - t0)}`);
}
await w.terminate();
console.log("OK");
process.exit(0);
