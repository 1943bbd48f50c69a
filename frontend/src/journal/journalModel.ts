// The journal's filters and paging, apart from React so they can be tested. The server lists runs
// newest first; `before=<run id>` pages to older ones. We ask for one run more than we show: if it
// comes, there is an older page (no empty "load more" click at the end).
import type { RunFilter } from '../api/client';
import type { RunView } from '../api/types';

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

export interface JournalState {
  filter: JournalFilter;
  runs: RunView[];
  hasMore: boolean;
  loading: boolean;
  error: unknown;
}

export type Fetch = (q: RunFilter) => Promise<RunView[]>;

/**
 * Keeps the shown runs for a filter. A page that answers after the filter changed is dropped, so a
 * slow answer for "failed" never lands in the list for "success".
 */
export class JournalPager {
  state: JournalState;
  private gen = 0;
  private readonly fetch: Fetch;
  private readonly pageSize: number;
  private readonly onChange: (s: JournalState) => void;

  constructor(fetch: Fetch, onChange: (s: JournalState) => void, pageSize = 50, filter: JournalFilter = emptyFilter) {
    this.fetch = fetch;
    this.onChange = onChange;
    this.pageSize = pageSize;
    this.state = { filter, runs: [], hasMore: false, loading: false, error: null };
  }

  private set(p: Partial<JournalState>): void {
    this.state = { ...this.state, ...p };
    this.onChange(this.state);
  }

  /** Applies a filter and loads its newest page (also: reload after a gap, retry or replay). */
  async setFilter(filter: JournalFilter): Promise<void> {
    const gen = ++this.gen;
    this.set({ filter, runs: [], hasMore: false, loading: true, error: null });
    if (filterProblem(filter)) {
      this.set({ loading: false });
      return;
    }
    await this.load(gen, undefined);
  }

  reload(): Promise<void> {
    return this.setFilter(this.state.filter);
  }

  /**
   * Loads the newest page again and swaps it in when it arrives, keeping the list on screen
   * meanwhile (live updates must not blink). Older pages already shown are dropped.
   */
  async refresh(): Promise<void> {
    if (filterProblem(this.state.filter)) return;
    const gen = ++this.gen;
    let page: RunView[];
    try {
      page = await this.fetch(toQuery(this.state.filter, this.pageSize));
    } catch (err) {
      if (gen === this.gen) this.set({ error: err });
      return;
    }
    if (gen !== this.gen) return;
    this.set({ runs: page.slice(0, this.pageSize), hasMore: page.length > this.pageSize, loading: false, error: null });
  }

  /** Loads the next older page, after the last run shown. */
  async more(): Promise<void> {
    if (this.state.loading || !this.state.hasMore) return;
    const last = this.state.runs[this.state.runs.length - 1];
    this.set({ loading: true, error: null });
    await this.load(this.gen, last?.id);
  }

  private async load(gen: number, before: string | undefined): Promise<void> {
    let page: RunView[];
    try {
      page = await this.fetch(toQuery(this.state.filter, this.pageSize, before));
    } catch (err) {
      if (gen === this.gen) this.set({ loading: false, error: err });
      return;
    }
    if (gen !== this.gen) return;
    const hasMore = page.length > this.pageSize;
    const seen = new Set(this.state.runs.map((r) => r.id));
    const add = page.slice(0, this.pageSize).filter((r) => !seen.has(r.id));
    this.set({ runs: [...this.state.runs, ...add], hasMore, loading: false });
  }
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

const units = { en: ['ms', 's', 'min'], ru: ['мс', 'с', 'мин'] };

/** Duration for people: 850 ms, 2.4 s, 3 min 5 s (2,4 с in Russian). */
export function formatDuration(ms: number, lang: 'en' | 'ru' = 'en'): string {
  if (!Number.isFinite(ms) || ms < 0) return '';
  const [msU, sU, minU] = units[lang];
  if (ms < 1000) return `${Math.round(ms)} ${msU}`;
  if (ms < 60_000) {
    const s = (ms / 1000).toFixed(1);
    return `${lang === 'ru' ? s.replace('.', ',') : s} ${sU}`;
  }
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)} ${minU} ${s % 60} ${sU}`;
}
