// What the live log panel shows: one readable row per event, newest last, bounded; and whether
// the panel is open (Send for real opens it).
import { create } from 'zustand';
import type { RunView } from '../api/types';
import type { LiveEvent } from './liveClient';

export type RowKind = LiveEvent['type'] | 'journal';

export interface LogRow {
  key: string;
  at: string;
  kind: RowKind;
  run?: string;
  node?: string;
  status?: string;
  /** waiting at a Delay step: when the run goes on */
  until?: string;
  error?: string;
  /** the error in each language, when the server sent them */
  errorText?: Record<string, string>;
  durationMs?: number;
}

export const MAX_ROWS = 300;

/** A live event as a row; a finished step carries its status, error and duration. */
export function eventRow(ev: LiveEvent): LogRow {
  const step = ev.step;
  return {
    key: `e${ev.seq}`,
    at: ev.at,
    kind: ev.type,
    run: ev.run_id,
    node: ev.node || step?.node,
    status: ev.status || (ev.type === 'step_finished' ? step?.status : undefined),
    until: ev.until || (ev.type === 'step_finished' && step?.status === 'waiting' ? step.until : undefined),
    error: step?.error || undefined,
    errorText: ev.error_text,
    durationMs: ev.type === 'step_finished' ? step?.duration_ms : undefined,
  };
}

/** A run from the journal, shown after a gap in place of the events that were missed. */
export function journalRow(r: RunView): LogRow {
  return { key: `j${r.id}`, at: r.started_at, kind: 'journal', run: r.id, node: r.failed_step, status: r.status, until: r.until, error: r.error, durationMs: r.duration_ms };
}

/**
 * The row's error in lang. A run's own error is shown only when none of its steps' rows already
 * says why it failed (a flow that could not run at all has no step rows).
 */
export function rowError(r: LogRow, lang: string, stepErrors: Set<string>): string {
  if (r.kind === 'run_finished' && r.run && stepErrors.has(r.run)) return '';
  return r.errorText?.[lang] ?? r.error ?? '';
}

/** The runs whose step rows carry an error. */
export function runsWithStepErrors(rows: LogRow[]): Set<string> {
  const out = new Set<string>();
  for (const r of rows) if (r.kind === 'step_finished' && r.run && (r.error || r.errorText)) out.add(r.run);
  return out;
}

export function appendRows(rows: LogRow[], add: LogRow[], max = MAX_ROWS): LogRow[] {
  const out = rows.concat(add);
  return out.length > max ? out.slice(out.length - max) : out;
}

interface PanelState {
  open: boolean;
  setOpen(open: boolean): void;
}

export const useLivePanel = create<PanelState>()((set) => ({
  open: false,
  setOpen: (open) => set({ open }),
}));
