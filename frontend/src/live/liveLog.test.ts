import { describe, expect, it } from 'vitest';
import { parseRoute } from '../router';
import { appendRows, eventRow, journalRow, rowError, runsWithStepErrors, type LogRow } from './liveLog';

describe('live log rows', () => {
  it('shows a finished step with its node, status, error and duration', () => {
    const row = eventRow({
      seq: 7, flow_id: 'f', type: 'step_finished', run_id: 'r1', node: 'send', at: '2026-01-31T10:00:00Z',
      step: { node: 'send', kind: 'http', status: 'failed', error: "HTTP request 'send': 400 flow is closed", duration_ms: 31 },
    });
    expect(row).toEqual({ key: 'e7', at: '2026-01-31T10:00:00Z', kind: 'step_finished', run: 'r1', node: 'send', status: 'failed',
      error: "HTTP request 'send': 400 flow is closed", durationMs: 31 });
  });

  it('shows a finished run with its status and no step fields', () => {
    const row = eventRow({ seq: 8, flow_id: 'f', type: 'run_finished', run_id: 'r1', status: 'success', at: 'x' });
    expect(row).toMatchObject({ kind: 'run_finished', status: 'success', node: undefined, durationMs: undefined });
  });

  it('carries the time a run waiting at a Delay step goes on, from the run or its step', () => {
    expect(eventRow({ seq: 12, flow_id: 'f', type: 'run_finished', run_id: 'r3', status: 'waiting', until: '2026-12-01T06:00:00Z', at: 'x' }))
      .toMatchObject({ status: 'waiting', until: '2026-12-01T06:00:00Z' });
    expect(eventRow({ seq: 13, flow_id: 'f', type: 'step_finished', run_id: 'r3', at: 'x',
      step: { node: 'pause', kind: 'delay', status: 'waiting', until: '2026-12-01T06:00:00Z', duration_ms: 0 } }))
      .toMatchObject({ node: 'pause', status: 'waiting', until: '2026-12-01T06:00:00Z' });
    expect(journalRow({ id: 'r3', flow_id: 'f', status: 'waiting', until: '2026-12-01T06:00:00Z', started_at: 'x', duration_ms: 1 }))
      .toMatchObject({ status: 'waiting', until: '2026-12-01T06:00:00Z' });
  });

  it('shows a journal run after a gap with its failed step', () => {
    expect(journalRow({ id: 'r2', flow_id: 'f', status: 'failed', failed_step: 'send', error: 'boom', started_at: 'x', duration_ms: 5 }))
      .toMatchObject({ key: 'jr2', kind: 'journal', run: 'r2', node: 'send', status: 'failed', error: 'boom' });
  });

  it("says a step's error in the reader's language, and a run's own error only when no step said why", () => {
    const step = eventRow({
      seq: 9, flow_id: 'f', type: 'step_finished', run_id: 'r1', node: 'send', at: 'x',
      step: { node: 'send', kind: 'http', status: 'failed', error: "HTTP request 'send': status 400", duration_ms: 1 },
      error_text: { en: "HTTP request 'send': status 400", ru: 'HTTP-запрос «send»: статус 400' },
    });
    const run = eventRow({ seq: 10, flow_id: 'f', type: 'run_finished', run_id: 'r1', status: 'failed', at: 'x', error_text: { en: 'e', ru: 'р' } });
    const alone = eventRow({ seq: 11, flow_id: 'f', type: 'run_finished', run_id: 'r2', status: 'failed', at: 'x', error_text: { en: 'flow unreadable', ru: 'сценарий не читается' } });
    const said = runsWithStepErrors([step, run, alone]);
    expect(rowError(step, 'ru', said)).toBe('HTTP-запрос «send»: статус 400');
    expect(rowError(step, 'en', said)).toBe("HTTP request 'send': status 400");
    expect(rowError(run, 'ru', said)).toBe('');
    expect(rowError(alone, 'ru', said)).toBe('сценарий не читается');
  });

  it('keeps only the newest rows', () => {
    const rows: LogRow[] = Array.from({ length: 5 }, (_, i) => ({ key: String(i), at: '', kind: 'run_started' }));
    expect(appendRows(rows.slice(0, 3), rows.slice(3), 4).map((r) => r.key)).toEqual(['1', '2', '3', '4']);
  });
});

describe('journal routes', () => {
  it.each([
    ['#/flows/f1/runs', { page: 'journal', id: 'f1' }],
    ['#/runs/r%2F1', { page: 'run', id: 'r/1' }],
    ['#/flows/f1', { page: 'editor', id: 'f1' }],
    ['#/flows/f1/runs/x', { page: 'flows' }],
  ])('%s', (hash, want) => expect(parseRoute(hash)).toEqual(want));
});
