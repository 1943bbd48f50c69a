import { afterEach, describe, expect, it } from 'vitest';
import { InfiniteQueryObserver, QueryClient, type InfiniteData, type InfiniteQueryObserverResult } from '@tanstack/react-query';
import type { RunFilter } from '../api/client';
import type { RunView } from '../api/types';
import { emptyFilter, errorSummary, stepNotNamed, filterProblem, formatDuration, journalQuery, journalRuns, toQuery, type JournalFilter } from './journalModel';

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

/** Watches the journal's query as the page does, on a fresh QueryClient. */
function watch(fetch: (q: RunFilter) => Promise<RunView[]>, filter: JournalFilter, pageSize: number) {
  const qc = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  const obs = new InfiniteQueryObserver(qc, journalQuery(fetch, 'f', filter, 'en', pageSize));
  const seen: Array<InfiniteQueryObserverResult<InfiniteData<RunView[]>>> = [];
  cleanups.push(obs.subscribe((r) => seen.push(r)), () => qc.clear());
  const shown = () => journalRuns(obs.getCurrentResult().data?.pages, pageSize).map((r) => r.id);
  const idle = () => until(() => !obs.getCurrentResult().isFetching);
  return { qc, obs, seen, shown, idle };
}

const cleanups: Array<() => void> = [];
afterEach(() => cleanups.splice(0).forEach((f) => f()));

async function until(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise((ok) => setTimeout(ok, 1));
}

describe('journalQuery', () => {
  it('pages to older runs with the before cursor until there are none', async () => {
    const j = journal(Array.from({ length: 7 }, (_, i) => run(i + 1)));
    const w = watch(j.fetch, emptyFilter, 3);
    await w.idle();
    await until(() => !!w.obs.getCurrentResult().data);
    expect(w.shown()).toEqual(['r007', 'r006', 'r005']);
    expect(w.obs.getCurrentResult().hasNextPage).toBe(true);
    await w.obs.fetchNextPage();
    expect(j.asked[1].before).toBe('r005');
    await w.obs.fetchNextPage();
    expect(w.shown()).toEqual(['r007', 'r006', 'r005', 'r004', 'r003', 'r002', 'r001']);
    expect(w.obs.getCurrentResult().hasNextPage).toBe(false);
    expect(j.asked).toHaveLength(3);
    expect(j.asked.every((q) => q.lang === 'en' && q.limit === 4)).toBe(true);
  });

  it('filters by status, each filter its own list', async () => {
    const j = journal([run(1, 'failed'), run(2), run(3, 'failed'), run(4, 'filtered')]);
    const w = watch(j.fetch, { ...emptyFilter, status: 'failed' }, 10);
    await until(() => !!w.obs.getCurrentResult().data);
    expect(w.shown()).toEqual(['r003', 'r001']);
    w.obs.setOptions(journalQuery(j.fetch, 'f', { ...emptyFilter, status: 'filtered' }, 'en', 10));
    await until(() => w.shown().length === 1);
    expect(w.shown()).toEqual(['r004']);
  });

  it('drops a slow answer for a filter that was replaced', async () => {
    let release: (v: RunView[]) => void = () => {};
    const fetch = (q: RunFilter) =>
      q.status === 'failed' ? new Promise<RunView[]>((ok) => (release = ok)) : Promise.resolve([run(2)]);
    const w = watch(fetch, { ...emptyFilter, status: 'failed' }, 10);
    w.obs.setOptions(journalQuery(fetch, 'f', { ...emptyFilter, status: 'success' }, 'en', 10));
    await until(() => !!w.obs.getCurrentResult().data);
    release([run(1, 'failed')]);
    await new Promise((ok) => setTimeout(ok, 10));
    expect(w.shown()).toEqual(['r002']);
  });

  it('refreshes the newest page without emptying the list first', async () => {
    const all = [run(1), run(2)];
    const j = journal(all);
    const w = watch(j.fetch, emptyFilter, 10);
    await until(() => !!w.obs.getCurrentResult().data);
    all.push(run(3));
    w.seen.length = 0;
    await w.qc.invalidateQueries();
    expect(w.seen.map((r) => r.data?.pages.flat().length)).not.toContain(0);
    expect(w.seen.map((r) => r.data?.pages.flat().length)).not.toContain(undefined);
    expect(w.shown()).toEqual(['r003', 'r002', 'r001']);
  });

  it('does not ask the server for an impossible date range', async () => {
    const j = journal([run(1)]);
    const w = watch(j.fetch, { status: '', since: '2026-02-01', until: '2026-01-01' }, 10);
    await new Promise((ok) => setTimeout(ok, 10));
    expect(j.asked).toHaveLength(0);
    expect(w.obs.getCurrentResult().fetchStatus).toBe('idle');
    expect(w.shown()).toEqual([]);
  });

  it('keeps the error of a failed page', async () => {
    const w = watch(() => Promise.reject(new Error('server down')), emptyFilter, 10);
    await until(() => w.obs.getCurrentResult().isError);
    expect((w.obs.getCurrentResult().error as Error).message).toBe('server down');
  });
});

describe('journalRuns', () => {
  it('shows each page without its look-ahead run, and a run once', () => {
    expect(journalRuns([[run(5), run(4), run(3)], [run(3), run(2), run(1)]], 2).map((r) => r.id)).toEqual(['r005', 'r004', 'r003', 'r002']);
    expect(journalRuns(undefined)).toEqual([]);
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
