// The wasm engine in a Web Worker (see wasm/README.md "Worker"). The page owns timeouts: a run
// that exceeds its limit terminates the worker, and the next call starts a fresh one.
import type { FlowDocument, KindInfo, Preset, Template, Trace } from '../api/types';

export const WORKER_URL = '/engine/worker.js';
export const DEFAULT_TIMEOUT_MS = 5000;
/** Loading the module (24 MB) and warming it up may take long on a slow machine; it is not a run. */
export const LOAD_TIMEOUT_MS = 120000;
/** A first preview compiles much of the engine (see warm); on a busy machine that takes seconds. */
export const WARM_TIMEOUT_MS = 60000;
export const TIMEOUT_MESSAGE = 'the preview took too long (endless loop in JavaScript?)';

export class EngineTimeoutError extends Error {
  constructor(message = TIMEOUT_MESSAGE) {
    super(message);
    this.name = 'EngineTimeoutError';
  }
}

export interface WorkerLike {
  postMessage(msg: unknown): void;
  terminate(): void;
  onmessage: ((ev: MessageEvent) => void) | null;
  onerror: ((ev: ErrorEvent) => void) | null;
}

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

export class Engine {
  private worker: WorkerLike | null = null;
  private nextId = 1;
  private pending = new Map<number, Pending>();
  private loaded: Promise<unknown> | null = null;
  private warming: Promise<unknown> | null = null;
  /** Set once the module has loaded and the warm-up (if one was asked) has ended, per worker. */
  private loadedOk = false;
  private warmed = true;
  /** Tests the server answered while this engine was not ready (see engine/preview.ts). */
  serverPreviews = 0;
  private readonly create: () => WorkerLike;

  constructor(create: () => WorkerLike = () => new Worker(WORKER_URL) as unknown as WorkerLike) {
    this.create = create;
  }

  private ensure(): WorkerLike {
    if (this.worker) return this.worker;
    const w = this.create();
    w.onmessage = (ev: MessageEvent) => {
      const msg = ev.data as { id: number; result?: unknown; error?: string };
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      clearTimeout(p.timer);
      if (msg.error !== undefined) {
        if (String(msg.error).startsWith('engine:')) this.restart();
        p.reject(new Error(String(msg.error)));
      } else {
        p.resolve(msg.result);
      }
    };
    w.onerror = (ev: ErrorEvent) => {
      this.failAll(new Error('engine: ' + (ev.message || 'the worker failed to load')));
      this.restart();
    };
    this.worker = w;
    return w;
  }

  /** Ends the worker; pending calls fail, the next call starts a new one. */
  restart(): void {
    this.loaded = null;
    this.warming = null;
    this.loadedOk = false;
    this.warmed = true;
    if (this.worker) {
      this.worker.onmessage = null;
      this.worker.onerror = null;
      this.worker.terminate();
      this.worker = null;
    }
  }

  private failAll(err: Error): void {
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(err);
      this.pending.delete(id);
    }
  }

  /**
   * Calls the engine. A call's time limit starts once the engine is loaded, so that a slow first
   * load is not mistaken for an endless loop: the worker is loaded (op "init") first, with its own
   * generous limit.
   */
  async call<T>(op: string, args: unknown[] = [], timeoutMs = DEFAULT_TIMEOUT_MS): Promise<T> {
    if (op !== 'init') await this.init();
    // Calls wait for the warm-up (which compiles what they need) before their own limit starts:
    // the worker answers in order, so a limit running meanwhile would count the warm-up.
    if (this.warming) await this.warming;
    return this.send<T>(op, args, timeoutMs);
  }

  private send<T>(op: string, args: unknown[], timeoutMs: number): Promise<T> {
    const w = this.ensure();
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        // Requests are answered in order: everything queued behind the runaway call dies with it.
        this.restart();
        this.failAll(new EngineTimeoutError());
        reject(new EngineTimeoutError());
      }, timeoutMs);
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
      w.postMessage({ id, op, args });
    });
  }

  /** Loads the engine once per worker; the editor calls it when it opens. */
  init(timeoutMs = LOAD_TIMEOUT_MS) {
    if (!this.loaded) {
      const p = this.send<{ version: string; load_ms: number }>('init', [], timeoutMs);
      this.loaded = p;
      p.then(() => {
        if (this.loaded === p) this.loadedOk = true;
      }, () => {
        if (this.loaded === p) this.loaded = null;
      });
    }
    return this.loaded as Promise<{ version: string; load_ms: number }>;
  }

  /**
   * Previews this flow once, result dropped, the first time per worker: the first preview of a
   * fresh engine is 10-100x slower than the next (V8 compiles the module's functions on first
   * use), so the editor pays it while the user looks at the flow, not when they click Test. Only
   * the flow being edited is previewed; a Test clicked meanwhile waits for it, then is quick.
   */
  warm(flow: FlowDocument, payload: unknown, inputs: Record<string, string>, lang = 'en'): Promise<unknown> {
    if (!this.warming) {
      const p = this.init().then(() => this.send('warm', [flow, payload, inputs, lang], WARM_TIMEOUT_MS));
      this.warmed = false;
      const w = p.catch(() => undefined); // a failure shows at the Test, which runs anyway
      this.warming = w;
      void w.then(() => {
        if (this.warming === w) this.warmed = true;
      });
    }
    return this.warming;
  }

  /** Whether a call now would be answered at once: the module loaded and warmed. */
  ready(): boolean {
    return this.loadedOk && this.warmed;
  }

  /** What the worker did (loads, warm-ups, runs); for tests and support. */
  stats() {
    return this.call<{ load_ms: number; warm_ms: number; warm_runs: number; templates_warmed: number; runs: number; first_run: { warm_runs: number; templates_warmed: number } | null }>('stats', [], 30000);
  }

  preview(flow: FlowDocument, payload: unknown, inputs: Record<string, string>, lang = 'en', timeoutMs = DEFAULT_TIMEOUT_MS) {
    return this.call<Trace>('run', [flow, payload, inputs, lang], timeoutMs);
  }

  validate(flow: FlowDocument, lang = 'en') {
    return this.call<{ ok: boolean; problems: unknown[] }>('validate', [flow, lang]);
  }

  kinds() {
    return this.call<KindInfo[]>('kinds', [], 30000);
  }
  presets() {
    return this.call<Preset[]>('presets', [], 30000);
  }
  templates() {
    return this.call<Template[]>('templates', [], 30000);
  }
  message(code: string, lang: string, params: Record<string, string> = {}) {
    return this.call<{ message: string }>('message', [code, lang, params]);
  }
}

let shared: Engine | null = null;
/** The page's one engine; window.hookflowEngine lets tests and support read its stats(). */
export function engine(): Engine {
  if (!shared) {
    shared = new Engine();
    if (typeof window !== 'undefined') (window as unknown as { hookflowEngine: Engine }).hookflowEngine = shared;
  }
  return shared;
}

/** Runs the flow in the browser: HTTP nodes are not sent, their sample_response continues. */
export function preview(flow: FlowDocument, payload: unknown, inputs: Record<string, string>, lang = 'en', timeoutMs = DEFAULT_TIMEOUT_MS) {
  return engine().preview(flow, payload, inputs, lang, timeoutMs); // loads the engine first if needed (call)
}

/** Validates the flow in the browser, loading the engine first if needed. */
export function validate(flow: FlowDocument, lang = 'en') {
  return engine().validate(flow, lang);
}
