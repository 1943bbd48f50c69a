import { describe, expect, it } from 'vitest';
import type { Daily } from '../api/types';
import { chartModel, dayLabel, sumFlows } from './dailyChart';

const counts = (days: string[], flows: Daily['flows']): Daily => ({ timezone: 'Europe/Moscow', days, flows });
const zeros = (n: number) => Array.from({ length: n }, () => 0);

describe('runs-per-day chart', () => {
  const days = ['2026-11-17', '2026-11-18', '2026-11-19'];
  const d = counts(days, {
    a: { success: [1, 0, 6], failed: [0, 0, 2], filtered: [0, 1, 0], waiting: [0, 0, 0] },
    b: { success: [1, 0, 0], failed: zeros(3), filtered: zeros(3), waiting: [0, 0, 2] },
  });

  it('sums the flows asked for, or all of them', () => {
    expect(sumFlows(d).success).toEqual([2, 0, 6]);
    expect(sumFlows(d, ['a']).success).toEqual([1, 0, 6]);
    expect(sumFlows(d, ['missing']).failed).toEqual([0, 0, 0]);
  });

  it('scales the busiest day to the full height and stacks delivered under failed', () => {
    const m = chartModel(d, { width: 34, height: 50, gap: 2, lang: 'en' });
    expect(m.max).toBe(10);
    expect(m.total).toBe(13);
    expect(m.bars.map((b) => b.x)).toEqual([0, 12, 24]);
    const busy = m.bars[2];
    expect(busy.segments.map((s) => s.kind)).toEqual(['success', 'waiting', 'failed']);
    expect(busy.segments.reduce((a, s) => a + s.height, 0)).toBe(50);
    expect(busy.segments[0]).toMatchObject({ n: 6, y: 20, height: 30 });
    expect(busy.segments[2]).toMatchObject({ n: 2, y: 0, height: 10 });
  });

  it('keeps a single webhook visible on a busy chart and draws nothing for an empty day', () => {
    const m = chartModel(counts(['2026-01-01', '2026-01-02'], { a: { success: [1000, 0], failed: [1, 0], filtered: zeros(2), waiting: zeros(2) } }),
      { width: 20, height: 40, lang: 'en' });
    const failed = m.bars[0].segments.find((s) => s.kind === 'failed');
    expect(failed?.height).toBeGreaterThanOrEqual(1);
    expect(m.bars[1].segments).toEqual([]);
  });

  it('draws an empty period flat instead of dividing by zero', () => {
    const m = chartModel(counts(days, {}), { width: 30, height: 20, lang: 'ru' });
    expect(m.max).toBe(0);
    expect(m.bars.every((b) => b.segments.length === 0 && b.total === 0)).toBe(true);
  });

  it('writes days the way each language does', () => {
    expect(dayLabel('2026-11-18', 'ru')).toBe('18 нояб.');
    expect(dayLabel('2026-11-18', 'en')).toBe('Nov 18');
    expect(dayLabel('2026-11-18', 'ru', true)).toBe('18 ноября 2026 г.');
    expect(dayLabel('not a day', 'ru')).toBe('not a day');
  });
});
