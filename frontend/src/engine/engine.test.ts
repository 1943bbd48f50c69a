import { afterEach, describe, expect, it, vi } from 'vitest';
import { Engine, EngineTimeoutError, type WorkerLike } from './engine';

class FakeWorker implements WorkerLike {
  onmessage: ((ev: MessageEvent) => void) | null = null;
  onerror: ((ev: ErrorEvent) => void) | null = null;
  terminated = false;
  constructor(private readonly answer: (msg: { id: number; op: string; args: unknown[] }) => unknown | undefined) {}
  postMessage(msg: { id: number; op: string; args: unknown[] }) {
    const reply = this.answer(msg);
    if (reply !== undefined) setTimeout(() => this.onmessage?.({ data: reply } as MessageEvent), 0);
  }
  terminate() {
    this.terminated = true;
  }
}

// An engine whose workers answer each operation with result(op), noting the operations in ops.
function recordingEngine(result: (op: string) => unknown): { e: Engine; ops: string[] } {
  const ops: string[] = [];
  const e = new Engine(
    () =>
      new FakeWorker((m) => {
        ops.push(m.op);
        return { id: m.id, result: result(m.op) };
      }),
  );
  return { e, ops };
}

// Makes the engine's worker answer op only after ms of (fake) time.
function answerLate(e: Engine, op: string, ms: number) {
  const w = (e as unknown as { ensure(): FakeWorker }).ensure();
  const answer = w.postMessage.bind(w);
  w.postMessage = (msg) => (msg.op === op ? setTimeout(() => answer(msg), ms) : answer(msg));
}

afterEach(() => vi.useRealTimers());

describe('Engine', () => {
  it('answers by id', async () => {
    const e = new Engine(() => new FakeWorker((m) => ({ id: m.id, result: { status: 'success', steps: [], op: m.op } })));
    const tr = await e.preview({ schema: 1, name: 'x', nodes: [], edges: [] }, {}, {});
    expect(tr.status).toBe('success');
  });

  it('terminates and replaces the worker on timeout', async () => {
    vi.useFakeTimers();
    const made: FakeWorker[] = [];
    const e = new Engine(() => {
      // The first worker loads, then never answers the run (a script looping forever).
      const w = new FakeWorker((m) => (made.length === 1 && m.op !== 'init' ? undefined : { id: m.id, result: 'ok' }));
      made.push(w);
      return w;
    });
    const p = e.call('run', [], 5000);
    const caught = p.catch((err: Error) => err);
    await vi.advanceTimersByTimeAsync(1); // loaded
    await vi.advanceTimersByTimeAsync(5001);
    const err = (await caught) as Error;
    expect(err).toBeInstanceOf(EngineTimeoutError);
    expect(String(err.message)).toContain('took too long');
    expect(made[0].terminated).toBe(true);
    const next = e.call('version');
    await vi.advanceTimersByTimeAsync(1);
    expect(await next).toBe('ok');
    expect(made).toHaveLength(2);
  });

  it('does not count a slow engine load against the run time limit', async () => {
    vi.useFakeTimers();
    const { e, ops } = recordingEngine((op) => (op === 'init' ? { version: 'dev' } : 'ran'));
    // Delay the load: the fake answers init only after 20 s of (fake) time.
    answerLate(e, 'init', 20000);
    const run = e.call('run', [], 5000);
    await vi.advanceTimersByTimeAsync(20001);
    await vi.advanceTimersByTimeAsync(1);
    expect(await run).toBe('ran');
    expect(ops).toEqual(['init', 'run']);
  });

  it('warms once per worker with the flow being edited, and a Test sent meanwhile waits without its limit running', async () => {
    vi.useFakeTimers();
    const { e, ops } = recordingEngine((op) => (op === 'run' ? 'ran' : {}));
    // The warm-up (the first preview of a cold engine) takes 8 s of (fake) time here.
    answerLate(e, 'warm', 8000);
    const flow = { schema: 1, name: 'x', nodes: [], edges: [] };
    const warmed = e.warm(flow, {}, {});
    expect(e.warm(flow, {}, {})).toBe(warmed);
    await vi.advanceTimersByTimeAsync(1);
    const run = e.call('run', [], 5000);
    await vi.advanceTimersByTimeAsync(8001);
    await vi.advanceTimersByTimeAsync(1);
    expect(await run).toBe('ran');
    expect(ops).toEqual(['init', 'warm', 'run']);
  });

  it('replaces the worker after an engine: error', async () => {
    const made: FakeWorker[] = [];
    const e = new Engine(() => {
      const w = new FakeWorker((m) => ({ id: m.id, error: 'engine: the Go program exited' }));
      made.push(w);
      return w;
    });
    await expect(e.call('run')).rejects.toThrow('engine:');
    expect(made[0].terminated).toBe(true);
  });

  it('loads the engine once per worker before validating, and again after a restart', async () => {
    const { e, ops } = recordingEngine((op) => (op === 'init' ? { version: 'v' } : { ok: true, problems: [] }));
    await e.init();
    await e.init();
    await e.validate({ schema: 1, name: 'x', nodes: [], edges: [] });
    e.restart();
    await e.init();
    expect(ops).toEqual(['init', 'validate', 'init']);
  });

  it('tries loading again after a failed load', async () => {
    let fail = true;
    const e = new Engine(() => new FakeWorker((m) => (fail ? { id: m.id, error: 'manifest.json: HTTP 404' } : { id: m.id, result: {} })));
    await expect(e.init()).rejects.toThrow('404');
    fail = false;
    await expect(e.init()).resolves.toEqual({});
  });
});
