// The wasm engine in a Web Worker (see wasm/README.md "Worker"). The page owns timeouts: a run
// that exceeds its limit terminates the worker, and the next call starts a fresh one.
import type { FlowDocument, KindInfo, Preset, Template, Trace } from '../api/types';

export const WORKER_URL = '/engine/worker.js';
export const DEFAULT_TIMEOUT_MS = 5000;
/** Loading the module (24 MB) and warming it up may take long on a slow machine; it is not a run. */
export const LOAD_TIMEOUT_MS = 120000;
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

  /** Loads and warms up the engine once per worker; the editor calls it when it opens. */
  init(timeoutMs = LOAD_TIMEOUT_MS) {
    if (!this.loaded) {
      const p = this.send<{ version: string; load_ms: number; warm_ms: number }>('init', [], timeoutMs);
      this.loaded = p;
      p.catch(() => {
        if (this.loaded === p) this.loaded = null;
      });
    }
    return this.loaded as Promise<{ version: string; load_ms: number; warm_ms: number }>;
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
/** The page's one engine. */
export function engine(): Engine {
  if (!shared) shared = new Engine();
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
