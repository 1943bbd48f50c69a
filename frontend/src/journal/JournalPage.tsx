// The journal of one flow (#/flows/<id>/runs): its runs newest first, filtered by status and days,
// paged to older runs; new runs appear as the live log reports them.
import { useEffect, useState } from 'react';
import { useInfiniteQuery, useQuery, useQueryClient, type InfiniteData, type QueryClient } from '@tanstack/react-query';
import { api } from '../api/client';
import type { RunView } from '../api/types';
import { useLang, useT } from '../i18n/i18n';
import { ErrorBox } from '../pages/ErrorBox';
import { subscribeLive } from '../live/liveClient';
import { runHref } from '../router';
import { emptyFilter, errorSummary, stepNotNamed, filterProblem, formatDuration, journalQuery, journalRuns, type JournalFilter, type StatusFilter } from './journalModel';
import { Captured } from './Captured';
import { StatusText } from './StatusText';
import { DailyChart, useDailyCounts } from './DailyChart';
import { keys } from '../query/keys';
import './runs.css';

const PAGE = 50;

/**
 * Asks for the newest page again and swaps it in when it arrives (live updates must not blink).
 * A list the user paged to older runs is left alone unless `all`: it would jump under their eyes.
 */
function refreshNewest(qc: QueryClient, flowId: string, all = false) {
  return qc.invalidateQueries({
    queryKey: keys.runs(flowId),
    predicate: (q) => all || ((q.state.data as InfiniteData<RunView[]> | undefined)?.pages.length ?? 0) <= 1,
  });
}

const sameFilter = (a: unknown, b: JournalFilter) => JSON.stringify(a) === JSON.stringify(b);

export function JournalPage({ flowId }: { flowId: string }) {
  const t = useT();
  const lang = useLang((s) => s.lang);
  const qc = useQueryClient();
  const flow = useQuery({ queryKey: keys.flow(flowId), queryFn: () => api.getFlow(flowId) });
  const [filter, setFilterState] = useState<JournalFilter>(emptyFilter);
  // Errors come in the reader's language: a switch of language asks again, keeping the list on
  // screen meanwhile (a new filter starts from an empty list).
  const runs = useInfiniteQuery({
    ...journalQuery((q) => api.listRuns(flowId, q), flowId, filter, lang, PAGE),
    placeholderData: (prev, prevQuery) => (prevQuery && sameFilter(prevQuery.queryKey[2], filter) ? prev : undefined),
  });
  const daily = useDailyCounts(flowId);

  // A finished run shows up without a click, unless the user is reading older pages. A busy flow
  // finishes many runs a second: one reload per second is enough.
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | null = null;
    const soon = () => {
      timer ??= setTimeout(() => {
        timer = null;
        void refreshNewest(qc, flowId);
        void qc.invalidateQueries({ queryKey: keys.daily(flowId) });
      }, 1000);
    };
    const stop = subscribeLive(flowId, {
      onEvent: (ev) => ev.type === 'run_finished' && soon(),
      onGap: soon,
    });
    return () => {
      stop();
      if (timer !== null) clearTimeout(timer);
    };
  }, [flowId, qc]);

  const setFilter = (p: Partial<JournalFilter>) => setFilterState({ ...filter, ...p });
  // "Refresh" starts the list over from its newest page.
  const reload = () => void qc.resetQueries({ queryKey: keys.runPages(flowId, filter, lang), exact: true });
  const shown = journalRuns(runs.data?.pages, PAGE);
  const asks = !filterProblem(filter);
  const fmt = (s: string) => new Date(s).toLocaleString(lang);

  return (
    <main className="page">
      <div className="page-head">
        <h1>
          {t('journal.title')}
          {flow.data && <span className="muted">: {flow.data.name}</span>}
        </h1>
        <a href={`#/flows/${encodeURIComponent(flowId)}`}>{t('journal.openEditor')}</a>
      </div>
      <ErrorBox error={flow.error} />
      {daily && (
        <DailyChart data={daily} flowIds={[flowId]} width={14 * 30} height={60} testId="journal-chart"
          onDay={(day) => setFilter({ since: day, until: day })} />
      )}
      <Captured flowId={flowId} onRun={() => void refreshNewest(qc, flowId, true)} />
      <div className="filters" data-testid="journal-filters">
        <label>
          {t('journal.status')}
          <select value={filter.status} onChange={(e) => setFilter({ status: e.target.value as StatusFilter })} data-testid="journal-status">
            <option value="">{t('journal.any')}</option>
            <option value="success">{t('status.success')}</option>
            <option value="failed">{t('status.failed')}</option>
            <option value="filtered">{t('status.filtered')}</option>
            <option value="waiting">{t('runs.waiting')}</option>
          </select>
        </label>
        <label>
          {t('journal.since')}
          <input type="date" value={filter.since} onChange={(e) => setFilter({ since: e.target.value })} data-testid="journal-since" />
        </label>
        <label>
          {t('journal.until')}
          <input type="date" value={filter.until} onChange={(e) => setFilter({ until: e.target.value })} data-testid="journal-until" />
        </label>
        <button type="button" onClick={reload}>{t('journal.refresh')}</button>
        {(filter.status || filter.since || filter.until) && (
          <button type="button" className="link" onClick={() => setFilterState(emptyFilter)}>{t('journal.clear')}</button>
        )}
      </div>
      {filterProblem(filter) === 'range' && <p className="error">{t('journal.badRange')}</p>}
      <ErrorBox error={runs.error} />
      {asks && runs.isPending ? (
        <p>{t('common.loading')}</p>
      ) : shown.length === 0 ? (
        !runs.isError && <p className="muted" data-testid="journal-empty">{t('journal.empty')}</p>
      ) : (
        <table className="list" data-testid="journal">
          <thead>
            <tr>
              <th>{t('journal.time')}</th>
              <th>{t('journal.status')}</th>
              <th>{t('journal.duration')}</th>
              <th>{t('journal.attempts')}</th>
              <th>{t('journal.error')}</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((r) => (
              <tr key={r.id} data-testid="journal-row" data-run={r.id} data-status={r.status} data-attempts={r.attempts ?? 1}>
                <td>
                  <a href={runHref(r.id)}>{fmt(r.started_at)}</a>
                  {r.test && <span className="badge off"> {t('journal.test')}</span>}
                  {r.scheduled && <span className="badge off" data-testid="run-scheduled"> {t('schedule.journal')}</span>}
                </td>
                <td>
                  <StatusText status={r.status} until={r.until} />
                  {r.retry_at && <span className="muted small"> · {t('runs.nextTry', { time: new Date(r.retry_at).toLocaleTimeString(lang) })}</span>}
                </td>
                <td>{formatDuration(r.duration_ms, lang)}</td>
                <td className={(r.attempts ?? 1) > 1 ? 'attempts-many' : 'muted'}>{t('run.attemptsTitle', { n: r.attempts ?? 1 })}</td>
                <td className="err" title={r.error}>
                  {stepNotNamed(r.failed_step, r.error) && <code>{r.failed_step}</code>} {errorSummary(r.error)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {asks && runs.hasNextPage && (
        <div className="more">
          <button type="button" onClick={() => void runs.fetchNextPage()} disabled={runs.isFetchingNextPage} data-testid="journal-more">
            {runs.isFetchingNextPage ? t('common.loading') : t('journal.older')}
          </button>
        </div>
      )}
    </main>
  );
}
