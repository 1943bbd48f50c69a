// The items of a For each loop as rows: for the loop's own steps (For each, Collect) each item's
// outcome; for a step it repeats, how that step went for each item.
import type { ItemTrace, StepTrace, Trace } from '../api/types';

export interface ItemRow {
  index: number;
  status: string;
  item?: unknown;
  error?: ItemTrace['error_text'];
  errorRaw?: string;
  /** the item's own steps (the run page opens them) */
  steps: StepTrace[];
}

function row(it: ItemTrace, status = it.status, failedHere = it.status === 'failed'): ItemRow {
  return {
    index: it.index,
    status,
    item: it.item,
    error: failedHere ? it.error_text : undefined,
    errorRaw: failedHere ? it.error : undefined,
    steps: it.steps ?? [],
  };
}

/** The rows shown with step `step` of trace: its own items, or those of the loop repeating it. */
export function itemRowsFor(trace: Pick<Trace, 'steps'> | null | undefined, step: StepTrace): ItemRow[] | null {
  if (step.items) return step.items.map((it) => row(it));
  for (const s of trace?.steps ?? []) {
    const items = s.items;
    if (!items || !items.some((it) => it.steps?.some((x) => x.node === step.node))) continue;
    return items.map((it) => {
      const own = it.steps?.find((x) => x.node === step.node);
      const status = own?.status ?? 'skipped';
      return row(it, status, status === 'failed');
    });
  }
  return null;
}

/** A short look at an item: its first few values, so rows can be told apart. */
export function itemGlance(v: unknown, max = 60): string {
  let text: string;
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    text = Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x === null || typeof x !== 'object')
      .map(([k, x]) => `${k}: ${String(x)}`)
      .join(', ');
  } else {
    text = typeof v === 'string' ? v : JSON.stringify(v) ?? '';
  }
  return text.length > max ? text.slice(0, max - 1) + '…' : text;
}
