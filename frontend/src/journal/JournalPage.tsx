// The journal of one flow (#/flows/<id>/runs): its runs newest first, filtered by status and days,
// paged to older runs; new runs appear as the live log reports them.
import { useEffect, useMemo, useRef, useState } from 'react';
import { api } from '../api/client';
import type { FlowView } from '../api/types';
import { useLang, useT } from '../i18n/i18n';
import { ErrorBox } from '../pages/ErrorBox';
import { LiveClient, liveURL } from '../live/liveClient';
import { runHref } from '../router';
import { JournalPager, emptyFilter, errorSummary, stepNotNamed, filterProblem, formatDuration, type JournalFilter, type JournalState, type StatusFilter } from './journalModel';
import { Captured } from './Captured';
import { StatusText } from './StatusText';
import { DailyChart, useDailyCounts } from './DailyChart';
import './runs.css';

const PAGE = 50;

export function JournalPage({ flowId }: { flowId: string }) {
  const t = useT();
  const lang = useLang((s) => s.lang);
  const [flow, setFlow] = useState<FlowView | null>(null);
  const [flowError, setFlowError] = useState<unknown>(null);
  const [state, setState] = useState<JournalState | null>(null);
  // Errors come in the reader's language; a switch of language reloads the list.
  const langRef = useRef(lang);
  langRef.current = lang;
  const pager = useMemo(() => new JournalPager((q) => api.listRuns(flowId, { ...q, lang: langRef.current }), setState, PAGE), [flowId]);
  const [chartVersion, setChartVersion] = useState(0);
  const daily = useDailyCounts(flowId, chartVersion);

  useEffect(() => {
    api.getFlow(flowId).then(setFlow, setFlowError);
    void pager.setFilter(emptyFilter);
  }, [flowId, pager]);
  const firstLang = useRef(true);
  useEffect(() => {
    if (firstLang.current) {
      firstLang.current = false;
      return;
    }
    void pager.refresh();
  }, [lang, pager]);

  // A finished run shows up without a click, unless the user is reading older pages. A busy flow
  // finishes many runs a second: one reload per second is enough.
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | null = null;
    const soon = () => {
      timer ??= setTimeout(() => {
        timer = null;
        if (pager.state.runs.length <= PAGE) void pager.refresh();
        setChartVersion((v) => v + 1);
      }, 1000);
    };
    const live = new LiveClient({
      url: (since) => liveURL(window.location.origin, flowId, since),
      onEvent: (ev) => ev.type === 'run_finished' && soon(),
      onGap: soon,
    });
    live.start();
    return () => {
      live.stop();
      if (timer !== null) clearTimeout(timer);
    };
  }, [flowId, pager]);

  const filter = state?.filter ?? emptyFilter;
  const setFilter = (p: Partial<JournalFilter>) => void pager.setFilter({ ...filter, ...p });
  const fmt = (s: string) => new Date(s).toLocaleString(lang);

  return (
    <main className="page">
      <div className="page-head">
        <h1>
          {t('journal.title')}
          {flow && <span className="muted">: {flow.name}</span>}
        </h1>
        <a href={`#/flows/${encodeURIComponent(flowId)}`}>{t('journal.openEditor')}</a>
      </div>
      <ErrorBox error={flowError} />
      {daily && (
        <DailyChart data={daily} flowIds={[flowId]} width={14 * 30} height={60} testId="journal-chart"
          onDay={(day) => setFilter({ since: day, until: day })} />
      )}
      <Captured flowId={flowId} onRun={() => void pager.refresh()} />
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
        <button type="button" onClick={() => void pager.reload()}>{t('journal.refresh')}</button>
        {(filter.status || filter.since || filter.until) && (
          <button type="button" className="link" onClick={() => void pager.setFilter(emptyFilter)}>{t('journal.clear')}</button>
        )}
      </div>
      {filterProblem(filter) === 'range' && <p className="error">{t('journal.badRange')}</p>}
      <ErrorBox error={state?.error} />
      {!state || (state.loading && state.runs.length === 0) ? (
        <p>{t('common.loading')}</p>
      ) : state.runs.length === 0 ? (
        <p className="muted" data-testid="journal-empty">{t('journal.empty')}</p>
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
            {state.runs.map((r) => (
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
      {state?.hasMore && (
        <div className="more">
          <button type="button" onClick={() => void pager.more()} disabled={state.loading} data-testid="journal-more">
            {state.loading ? t('common.loading') : t('journal.older')}
          </button>
        </div>
      )}
    </main>
  );
}
