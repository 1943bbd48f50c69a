// The runs-per-day chart, apart from React so it can be tested: the server's counts summed over
// the flows shown, turned into stacked bars (delivered at the bottom, failed on top) that fit a
// box, with each day written the way the reader's language writes dates.
import type { Daily, DailyFlow } from '../api/types';

export type DayKind = keyof DailyFlow;

/** Bottom to top. */
export const KINDS: DayKind[] = ['success', 'filtered', 'waiting', 'failed'];

export interface BarSegment {
  kind: DayKind;
  n: number;
  y: number;
  height: number;
}

export interface Bar {
  day: string;
  label: string;
  x: number;
  width: number;
  total: number;
  counts: Record<DayKind, number>;
  segments: BarSegment[];
}

export interface ChartModel {
  bars: Bar[];
  /** the tallest day's total (the scale) */
  max: number;
  /** all webhooks of the period */
  total: number;
  width: number;
  height: number;
}

/** The days' counts of the given flows (all of the answer's flows when none are given). */
export function sumFlows(d: Daily, flowIds?: string[]): DailyFlow {
  const out: DailyFlow = { success: [], failed: [], filtered: [], waiting: [] };
  for (const k of KINDS) out[k] = d.days.map(() => 0);
  const ids = flowIds ?? Object.keys(d.flows);
  for (const id of ids) {
    const f = d.flows[id];
    if (!f) continue;
    for (const k of KINDS) f[k]?.forEach((n, i) => { if (i < d.days.length) out[k][i] += n; });
  }
  return out;
}

/** "2026-11-18" as the language writes a day: "18 нояб." / "Nov 18"; long: "18 ноября 2026 г.". */
export function dayLabel(day: string, lang: string, long = false): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return day;
  const at = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  const opts: Intl.DateTimeFormatOptions = long ? { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' } : { day: 'numeric', month: 'short', timeZone: 'UTC' };
  return new Intl.DateTimeFormat(lang, opts).format(at);
}

/**
 * Bars for a width × height box, one per day with a gap between them. Heights are scaled to the
 * busiest day; each status's segment ends at its rounded running total, so the segments add up
 * to the bar exactly, and a status with any webhook is at least one pixel tall.
 */
export function chartModel(d: Daily, opts: { flowIds?: string[]; width: number; height: number; gap?: number; lang: string }): ChartModel {
  const sums = sumFlows(d, opts.flowIds);
  const n = d.days.length;
  const gap = opts.gap ?? 2;
  const width = n > 0 ? Math.max(1, (opts.width - gap * (n - 1)) / n) : 0;
  const totals = d.days.map((_, i) => KINDS.reduce((a, k) => a + sums[k][i], 0));
  const max = Math.max(0, ...totals);
  const scale = max > 0 ? opts.height / max : 0;
  const bars = d.days.map((day, i): Bar => {
    const counts = { success: sums.success[i], failed: sums.failed[i], filtered: sums.filtered[i], waiting: sums.waiting[i] };
    const segments: BarSegment[] = [];
    let below = 0; // pixels taken from the bottom so far
    let cum = 0;
    for (const k of KINDS) {
      const c = counts[k];
      if (c <= 0) continue;
      cum += c;
      const top = Math.max(Math.round(cum * scale), below + 1);
      segments.push({ kind: k, n: c, y: opts.height - top, height: top - below });
      below = top;
    }
    return { day, label: dayLabel(day, opts.lang), x: i * (width + gap), width, total: totals[i], counts, segments };
  });
  return { bars, max, total: totals.reduce((a, b) => a + b, 0), width: opts.width, height: opts.height };
}

/** The reader's time zone, where their days begin ('' when the browser does not say). */
export function readerTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone ?? '';
  } catch {
    return '';
  }
}
