import { describe, expect, it } from 'vitest';
import type { StepTrace, Trace } from '../api/types';
import { itemGlance, itemRowsFor } from './items';

const step = (node: string, status: string, extra: Partial<StepTrace> = {}): StepTrace => ({ node, kind: 'http', status, duration_ms: 1, ...extra });

const trace: Trace = {
  status: 'failed',
  started_at: '2026-01-01T10:00:00Z',
  duration_ms: 5,
  steps: [
    step('each', 'success', {
      kind: 'foreach',
      items: [
        { index: 1, status: 'success', item: { sku: 'A-1' }, steps: [step('send', 'success')] },
        { index: 2, status: 'failed', item: { sku: 'B-2' }, error: 'HTTP request failed', error_text: { en: 'HTTP request failed', ru: 'запрос не прошёл' },
          steps: [step('send', 'failed')] },
      ],
    }),
    step('send', 'failed'),
    step('gather', 'failed', { kind: 'collect', items: [{ index: 1, status: 'success' }, { index: 2, status: 'failed', error: 'x' }] }),
    step('after', 'skipped'),
  ],
};

describe('itemRowsFor', () => {
  it('gives For each and Collect their own items as rows', () => {
    const rows = itemRowsFor(trace, trace.steps[0])!;
    expect(rows.map((r) => [r.index, r.status])).toEqual([[1, 'success'], [2, 'failed']]);
    expect(rows[1].error?.ru).toBe('запрос не прошёл');
    expect(itemRowsFor(trace, trace.steps[2])!.map((r) => r.status)).toEqual(['success', 'failed']);
  });
  it('gives a repeated step how it went for each item', () => {
    const rows = itemRowsFor(trace, trace.steps[1])!;
    expect(rows.map((r) => r.status)).toEqual(['success', 'failed']);
    expect(rows[0].error).toBeUndefined();
    expect(rows[1].steps.map((s) => s.node)).toEqual(['send']);
  });
  it('gives nothing for a step outside a loop', () => {
    expect(itemRowsFor(trace, trace.steps[3])).toBeNull();
  });
});

describe('itemGlance', () => {
  it('shows an item by its first plain values, shortened', () => {
    expect(itemGlance({ sku: 'A-1', qty: 2, parts: [1] })).toBe('sku: A-1, qty: 2');
    expect(itemGlance('x'.repeat(100), 10)).toBe('xxxxxxxxx…');
    expect(itemGlance(5)).toBe('5');
  });
});
