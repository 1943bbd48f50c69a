// The journal's filters and paging, apart from React so they can be tested. The server lists runs
// newest first; `before=<run id>` pages to older ones (TanStack Query keeps the pages). We ask for
// one run more than we show: if it comes, there is an older page (no empty "load more" click at
// the end).
import type { RunFilter } from '../api/client';
import type { RunView } from '../api/types';
import { infiniteQueryOptions } from '@tanstack/react-query';
import { keys } from '../query/keys';
import { translate, type Lang } from '../i18n/i18n';
import { formatTenths } from '../i18n/numbers';

export type StatusFilter = '' | 'success' | 'failed' | 'filtered' | 'waiting';

export interface JournalFilter {
  status: StatusFilter;
  /** Days as the date inputs give them, YYYY-MM-DD in the user's time zone; '' = no bound. */
  since: string;
  until: string;
}

export const emptyFilter: JournalFilter = { status: '', since: '', until: '' };

/** Start of a local day as RFC 3339 in UTC, without milliseconds (what the server parses). */
function dayStart(day: string, addDays = 0): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return undefined;
  const d = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + addDays);
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * The query for one page. "until" is inclusive for the user (runs of that whole day), the server's
 * bound is exclusive: so it is the start of the next day.
 */
export function toQuery(f: JournalFilter, pageSize: number, before?: string): RunFilter {
  const q: RunFilter = { limit: pageSize + 1 };
  if (f.status) q.status = f.status;
  const since = dayStart(f.since);
  const until = dayStart(f.until, 1);
  if (since) q.since = since;
  if (until) q.until = until;
  if (before) q.before = before;
  return q;
}

/** since after until: the user sees why the list is empty instead of an empty list. */
export function filterProblem(f: JournalFilter): 'range' | null {
  return f.since && f.until && f.since > f.until ? 'range' : null;
}

export type Fetch = (q: RunFilter) => Promise<RunView[]>;

/**
 * The journal's query for one flow, filter and language: pages of runs, newest first, each page
 * asking for the runs before the last one shown. Each filter and language is its own query, so a
 * slow answer for "failed" never lands in the list for "success"; an impossible date range asks
 * nothing.
 */
export function journalQuery(fetch: Fetch, flowId: string, filter: JournalFilter, lang: string, pageSize = 50) {
  return infiniteQueryOptions({
    queryKey: keys.runPages(flowId, filter, lang),
    queryFn: ({ pageParam }) => fetch({ ...toQuery(filter, pageSize, pageParam), lang }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last: RunView[]) => (last.length > pageSize ? last[pageSize - 1].id : undefined),
    enabled: !filterProblem(filter),
  });
}

/** The runs the pages show: each page without its look-ahead run, a run shown once. */
export function journalRuns(pages: RunView[][] | undefined, pageSize = 50): RunView[] {
  const seen = new Set<string>();
  const out: RunView[] = [];
  for (const page of pages ?? []) {
    for (const r of page.slice(0, pageSize)) {
      if (seen.has(r.id)) continue;
      seen.add(r.id);
      out.push(r);
    }
  }
  return out;
}

/** A one-line error summary for the list: the first line, cut to a readable length. */
export function errorSummary(err: string | undefined, max = 120): string {
  if (!err) return '';
  const line = err.split('\n')[0].trim();
  return line.length > max ? line.slice(0, max - 1) + '…' : line;
}

/** The failed step is shown beside the error unless the error already names it ('send'). */
export function stepNotNamed(step: string | undefined, err: string | undefined): boolean {
  return !!step && !(err ?? '').includes(`'${step}'`);
}

/** Duration for people: 850 ms, 2.4 s, 3 min 5 s (2,4 с in Russian). */
export function formatDuration(ms: number, lang: Lang = 'en'): string {
  if (!Number.isFinite(ms) || ms < 0) return '';
  if (ms < 1000) return translate(lang, 'duration.ms', { n: String(Math.round(ms)) });
  if (ms < 60_000) return translate(lang, 'duration.s', { n: formatTenths(ms / 1000, lang) });
  const s = Math.round(ms / 1000);
  return translate(lang, 'duration.min', { min: String(Math.floor(s / 60)), s: String(s % 60) });
}
