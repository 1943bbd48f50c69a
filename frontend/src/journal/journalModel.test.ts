import { describe, expect, it } from 'vitest';
import type { RunFilter } from '../api/client';
import type { RunView } from '../api/types';
import { JournalPager, emptyFilter, errorSummary, stepNotNamed, filterProblem, formatDuration, toQuery, type JournalState } from './journalModel';

const iso = (y: number, m: number, d: number) => new Date(y, m - 1, d).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** The server's listing rules (server/store/runs.go): newest first, status, [since, until), id < before, limit. */
function journal(runs: RunView[]) {
  const asked: RunFilter[] = [];
  const fetch = async (q: RunFilter) => {
    asked.push(q);
    return runs
      .filter((r) => !q.status || r.status === q.status)
      .filter((r) => !q.since || r.started_at >= q.since)
      .filter((r) => !q.until || r.started_at < q.until)
      .filter((r) => !q.before || r.id < q.before)
      .sort((a, b) => (a.id < b.id ? 1 : -1))
      .slice(0, q.limit ?? 50);
  };
  return { fetch, asked };
}

const run = (n: number, status = 'success'): RunView => ({
  id: `r${String(n).padStart(3, '0')}`,
  flow_id: 'f',
  status,
  started_at: new Date(Date.UTC(2026, 0, 1, 0, n)).toISOString(),
  duration_ms: n,
});

describe('toQuery', () => {
  it.each([
    ['no filter asks for one more than a page', emptyFilter, undefined, { limit: 21 }],
    ['status only', { ...emptyFilter, status: 'failed' as const }, undefined, { limit: 21, status: 'failed' }],
    ['until takes the whole day', { status: '' as const, since: '2026-01-30', until: '2026-01-31' }, undefined,
      { limit: 21, since: iso(2026, 1, 30), until: iso(2026, 2, 1) }],
    ['older page', emptyFilter, 'r010', { limit: 21, before: 'r010' }],
    ['a half-typed date is no bound', { status: '' as const, since: '2026-1', until: '' }, undefined, { limit: 21 }],
  ])('%s', (_name, f, before, want) => {
    expect(toQuery(f, 20, before)).toEqual(want);
  });

  it('sends times without milliseconds, as RFC 3339', () => {
    expect(toQuery({ status: '', since: '2026-03-05', until: '' }, 10).since).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });
});

describe('filterProblem', () => {
  it.each([
    ['', '', null],
    ['2026-01-02', '2026-01-01', 'range'],
    ['2026-01-01', '2026-01-01', null],
  ])('since %s until %s → %s', (since, until, want) => {
    expect(filterProblem({ status: '', since, until })).toBe(want);
  });
});

describe('JournalPager', () => {
  it('pages to older runs with the before cursor until there are none', async () => {
    const all = Array.from({ length: 7 }, (_, i) => run(i + 1));
    const j = journal(all);
    const p = new JournalPager(j.fetch, () => {}, 3);
    await p.setFilter(emptyFilter);
    expect(p.state.runs.map((r) => r.id)).toEqual(['r007', 'r006', 'r005']);
    expect(p.state.hasMore).toBe(true);
    await p.more();
    expect(j.asked[1].before).toBe('r005');
    await p.more();
    expect(p.state.runs.map((r) => r.id)).toEqual(['r007', 'r006', 'r005', 'r004', 'r003', 'r002', 'r001']);
    expect(p.state.hasMore).toBe(false);
    await p.more();
    expect(j.asked).toHaveLength(3);
  });

  it('filters by status and starts over when the filter changes', async () => {
    const j = journal([run(1, 'failed'), run(2), run(3, 'failed'), run(4, 'filtered')]);
    const p = new JournalPager(j.fetch, () => {}, 10);
    await p.setFilter({ ...emptyFilter, status: 'failed' });
    expect(p.state.runs.map((r) => r.id)).toEqual(['r003', 'r001']);
    await p.setFilter({ ...emptyFilter, status: 'filtered' });
    expect(p.state.runs.map((r) => r.id)).toEqual(['r004']);
  });

  it('drops a slow answer for a filter that was replaced', async () => {
    let release: (v: RunView[]) => void = () => {};
    const calls: RunFilter[] = [];
    const fetch = (q: RunFilter) => {
      calls.push(q);
      if (q.status === 'failed') return new Promise<RunView[]>((ok) => (release = ok));
      return Promise.resolve([run(2)]);
    };
    const p = new JournalPager(fetch, () => {}, 10);
    const slow = p.setFilter({ ...emptyFilter, status: 'failed' });
    await p.setFilter({ ...emptyFilter, status: 'success' });
    release([run(1, 'failed')]);
    await slow;
    expect(p.state.filter.status).toBe('success');
    expect(p.state.runs.map((r) => r.id)).toEqual(['r002']);
  });

  it('refreshes the newest page without emptying the list first', async () => {
    const all = [run(1), run(2)];
    const j = journal(all);
    const seen: JournalState[] = [];
    const p = new JournalPager(j.fetch, (s) => seen.push(s), 10);
    await p.setFilter(emptyFilter);
    all.push(run(3));
    seen.length = 0;
    await p.refresh();
    expect(seen.map((s) => s.runs.length)).toEqual([3]);
    expect(p.state.runs.map((r) => r.id)).toEqual(['r003', 'r002', 'r001']);
  });

  it('does not ask the server for an impossible date range', async () => {
    const j = journal([run(1)]);
    const p = new JournalPager(j.fetch, () => {}, 10);
    await p.setFilter({ status: '', since: '2026-02-01', until: '2026-01-01' });
    expect(j.asked).toHaveLength(0);
    expect(p.state.runs).toEqual([]);
  });

  it('keeps the error of a failed page and reports each change', async () => {
    const seen: JournalState[] = [];
    const p = new JournalPager(() => Promise.reject(new Error('server down')), (s) => seen.push(s), 10);
    await p.setFilter(emptyFilter);
    expect((p.state.error as Error).message).toBe('server down');
    expect(seen.map((s) => s.loading)).toEqual([true, false]);
  });
});

describe('formatting', () => {
  it.each([
    [850, '850 ms'],
    [2400, '2.4 s'],
    [185_000, '3 min 5 s'],
  ])('%i ms → %s', (ms, want) => expect(formatDuration(ms)).toBe(want));

  it.each([
    [20, '20 мс'],
    [2400, '2,4 с'],
    [185_000, '3 мин 5 с'],
  ])('%i ms in Russian → %s', (ms, want) => expect(formatDuration(ms, 'ru')).toBe(want));

  it.each([
    ['send', "HTTP request 'send': 404", false],
    ['send', 'the run was stopped', true],
    [undefined, 'boom', false],
  ])('failed step %s beside %s: %s', (step, err, want) => expect(stepNotNamed(step, err)).toBe(want));

  it('summarises an error to its first line', () => {
    expect(errorSummary('HTTP request \'send\': 400 flow is closed\nmore detail')).toBe("HTTP request 'send': 400 flow is closed");
    expect(errorSummary('x'.repeat(200), 10)).toBe('xxxxxxxxx…');
  });
});
