import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { FlowDocument, Problem } from '../api/types';
import { createValidator } from './validation';

const doc = (name: string): FlowDocument => ({ schema: 1, name, nodes: [], edges: [] });
const problem = (message: string): Problem => ({ code: 'c', message });

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('createValidator', () => {
  it('validates once after a burst of edits, with the latest document', async () => {
    const seen: string[] = [];
    const applied: Problem[][] = [];
    const v = createValidator(async (d) => {
      seen.push(d.name);
      return { problems: [problem(d.name)] };
    }, (p) => applied.push(p), 400);
    v.schedule(() => doc('a'), 'en');
    await vi.advanceTimersByTimeAsync(100);
    v.schedule(() => doc('ab'), 'en');
    await vi.advanceTimersByTimeAsync(100);
    v.schedule(() => doc('abc'), 'en');
    await vi.advanceTimersByTimeAsync(399);
    expect(seen).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(seen).toEqual(['abc']);
    expect(applied).toEqual([[problem('abc')]]);
  });

  it('drops an answer that arrives after a newer edit', async () => {
    const answers: ((p: { problems: unknown[] }) => void)[] = [];
    const applied: Problem[][] = [];
    const v = createValidator(() => new Promise((resolve) => answers.push(resolve)), (p) => applied.push(p), 10);
    v.schedule(() => doc('old'), 'en');
    await vi.advanceTimersByTimeAsync(10);
    v.schedule(() => doc('new'), 'en');
    answers[0]({ problems: [problem('old')] });
    await vi.advanceTimersByTimeAsync(10);
    answers[1]({ problems: [problem('new')] });
    await vi.advanceTimersByTimeAsync(0);
    expect(applied).toEqual([[problem('new')]]);
  });

  it('keeps the last problems when the engine cannot run, and cancel stops a pending check', async () => {
    const applied: Problem[][] = [];
    const v = createValidator(() => Promise.reject(new Error('engine: failed to load')), (p) => applied.push(p), 10);
    v.schedule(() => doc('x'), 'en');
    await vi.advanceTimersByTimeAsync(20);
    expect(applied).toEqual([]);
    const calls: string[] = [];
    const w = createValidator(async (d) => (calls.push(d.name), { problems: [] }), () => {}, 10);
    w.schedule(() => doc('y'), 'en');
    w.cancel();
    await vi.advanceTimersByTimeAsync(20);
    expect(calls).toEqual([]);
  });
});
