import { afterEach, describe, expect, it, vi } from 'vitest';
import { requestArrived, SPACING_MS } from './sampleRefresh';

afterEach(() => vi.useRealTimers());

describe('requestArrived', () => {
  it('reloads at once, then at most once per spacing however many requests arrive', async () => {
    vi.useFakeTimers();
    const loads: string[] = [];
    const load = async (id: string) => void loads.push(id);
    requestArrived('f1', load);
    expect(loads).toEqual(['f1']);
    for (let i = 0; i < 50; i++) requestArrived('f1', load);
    expect(loads).toEqual(['f1']);
    await vi.advanceTimersByTimeAsync(SPACING_MS);
    expect(loads).toEqual(['f1', 'f1']); // the arrivals meanwhile share one reload
    await vi.advanceTimersByTimeAsync(SPACING_MS);
    expect(loads).toEqual(['f1', 'f1']);
    requestArrived('f1', load);
    expect(loads).toHaveLength(3);
  });
});
