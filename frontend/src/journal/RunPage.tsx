// One run (#/runs/<id>): its trace step by step, with Retry (from the failed step, reusing earlier
// outputs) and Replay (the stored request from scratch), and a link to the run either produces.
import { useEffect, useRef, useState } from 'react';
import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../api/client';
import { runsApi } from '../api/runs';
import type { RunView } from '../api/types';
import { useLang, useT } from '../i18n/i18n';
import { ErrorBox } from '../pages/ErrorBox';
import { journalHref, runHref } from '../router';
import { followUp, type FollowUp } from './followUp';
import { formatDuration, stepNotNamed } from './journalModel';
import { StatusText } from './StatusText';
import { untilText } from './DelayNote';
import { StepDetail } from './StepDetail';
import { itemRowsFor } from './items';
import { RunFlow } from './RunFlow';
import { keys } from '../query/keys';
import './runs.css';

type Action = 'retry' | 'replay';
type Feedback =
  | { state: 'sending'; action: Action }
  | { state: 'queued'; action: Action }
  | { state: 'done'; action: Action; run: RunView }
  | { state: 'lost'; action: Action };

export function RunPage({ id }: { id: string }) {
  const t = useT();
  const lang = useLang((s) => s.lang);
  const qc = useQueryClient();
  // A switch of language asks again (errors are written in it), showing the run meanwhile.
  const runQuery = useQuery({ queryKey: keys.run(id, lang), queryFn: () => runsApi.getRun(id, lang), placeholderData: keepPreviousData });
  const run = runQuery.data ?? null;
  const error = runQuery.error;
  const [actionError, setActionError] = useState<unknown>(null);
  const [feedback, setFeedback] = useState<Feedback | null>(null);
  const watch = useRef<FollowUp | null>(null);
  // The flow's picture; a flow that cannot be read just has none.
  const flowId = run?.flow_id;
  const flow = useQuery({ queryKey: keys.flow(flowId ?? ''), queryFn: () => api.getFlow(flowId ?? ''), enabled: !!flowId });
  const doc = flow.data?.document ?? null;
  useEffect(() => () => watch.current?.cancel(), [id]);

  // What a retry or replay changes: this run (a retry makes it an earlier attempt), the journal
  // and its chart.
  const changed = (flowId: string) => {
    void qc.invalidateQueries({ queryKey: keys.runAnyLang(id) });
    void qc.invalidateQueries({ queryKey: keys.runs(flowId) });
    void qc.invalidateQueries({ queryKey: keys.daily(flowId) });
    void qc.invalidateQueries({ queryKey: keys.flows(), exact: true });
  };

  const act = async (action: Action) => {
    if (!run?.event_id) return;
    const eventId = run.event_id;
    setActionError(null);
    setFeedback({ state: 'sending', action });
    try {
      const before = await api.listRuns(run.flow_id, { limit: 100 });
      const known = new Set(before.filter((r) => r.event_id === eventId).map((r) => r.id));
      known.add(run.id);
      if (action === 'retry') await runsApi.retryRun(run.id);
      else await runsApi.replayEvent(run.flow_id, eventId);
      setFeedback({ state: 'queued', action });
      watch.current?.cancel();
      watch.current = followUp(run.flow_id, eventId, known,
        (r) => {
          setFeedback({ state: 'done', action, run: r });
          changed(r.flow_id);
        },
        () => setFeedback({ state: 'lost', action }));
    } catch (err) {
      setFeedback(null);
      setActionError(err);
    }
  };

  if (error) return <main className="page"><ErrorBox error={error} /></main>;
  if (!run) return <main className="page"><p>{t('common.loading')}</p></main>;

  const steps = run.trace?.steps ?? [];
  const attempts = run.attempt_list ?? [];
  const latest = attempts[attempts.length - 1];
  const busy = feedback?.state === 'sending' || feedback?.state === 'queued';
  const noEvent = !run.event_id;
  return (
    <main className="page" data-testid="run">
      <p>
        <a href={journalHref(run.flow_id)}>← {t('run.backToJournal')}</a>
      </p>
      <div className="run-head">
        <h1>{t('run.title')}</h1>
        <StatusText status={run.status} testId="run-status" until={run.until} past={run.superseded} />
        <span>{new Date(run.started_at).toLocaleString(lang)}</span>
        <span className="muted">{formatDuration(run.duration_ms, lang)}</span>
        <span className="muted" data-testid="run-attempts">{t('run.attemptsTitle', { n: run.attempts ?? 1 })}</span>
        {run.test && <span className="badge off">{t('journal.test')}</span>}
        {run.scheduled && <span className="badge off" data-testid="run-scheduled">{t('schedule.journal')}</span>}
      </div>
      {run.superseded && (
        <p className="notice-warn" data-testid="run-superseded">
          {t('runs.notLatest')} {latest && <a href={runHref(latest.id)}>{t('runs.openLatest')}</a>}
        </p>
      )}
      {run.until && !run.superseded && <p className="muted" data-testid="run-waits">{t('delay.runWaits', { time: untilText(run.until, lang) })}</p>}
      {run.retry_at && <p className="muted" data-testid="run-next-try">{t('runs.nextTryLong', { time: new Date(run.retry_at).toLocaleString(lang) })}</p>}
      {run.error && (
        <p className="error" data-testid="run-error">
          {stepNotNamed(run.failed_step, run.error) && <code>{run.failed_step}</code>} {run.error}
        </p>
      )}
      <div className="run-actions">
        <button type="button" onClick={() => void act('retry')} disabled={busy || noEvent || !!run.until || (run.status !== 'failed' && run.status !== 'waiting')}
          title={t('run.retryHelp')} data-testid="run-retry">
          {t('run.retry')}
        </button>
        <button type="button" onClick={() => void act('replay')} disabled={busy || noEvent} title={t('run.replayHelp')} data-testid="run-replay">
          {t('run.replay')}
        </button>
        {noEvent && <span className="muted small">{t('run.testNoEvent')}</span>}
      </div>
      <ErrorBox error={actionError} />
      {feedback && (
        <div className="notice" role="status" data-testid="run-feedback" data-state={feedback.state}>
          {feedback.state === 'sending' && t('run.sending')}
          {feedback.state === 'queued' && t(feedback.action === 'retry' ? 'run.retryQueued' : 'run.replayQueued')}
          {feedback.state === 'done' && (
            <>
              {t('run.newRun')} <a href={runHref(feedback.run.id)} data-testid="run-new">{new Date(feedback.run.started_at).toLocaleString(lang)}</a>{' '}
              <StatusText status={feedback.run.status} />
            </>
          )}
          {feedback.state === 'lost' && (
            <>
              {t('run.notYet')} <a href={journalHref(run.flow_id)}>{t('run.backToJournal')}</a>
            </>
          )}
        </div>
      )}
      {run.trace?.error && !run.error?.includes(run.trace.error.message) && <p className="error">{run.trace.error.message}</p>}
      {doc && steps.length > 0 && (
        <RunFlow doc={doc} steps={steps} onStep={(node) => document.querySelector(`[data-testid="run-step-${CSS.escape(node)}"]`)?.scrollIntoView({ behavior: 'smooth' })} />
      )}
      {attempts.length > 1 && (
        <>
          <h2>{t('runs.attemptsHeading')}</h2>
          <table className="list attempts" data-testid="run-attempt-list">
            <tbody>
              {attempts.map((a, i) => (
                <tr key={a.id} className={a.id === run.id ? 'current' : ''} data-testid="run-attempt" data-status={a.status}>
                  <td>{t('runs.attemptN', { n: i + 1 })}</td>
                  <td>{a.id === run.id ? new Date(a.started_at).toLocaleString(lang) : <a href={runHref(a.id)}>{new Date(a.started_at).toLocaleString(lang)}</a>}</td>
                  <td><StatusText status={a.status} until={a.until} past={a.superseded} /></td>
                  <td>{formatDuration(a.duration_ms, lang)}</td>
                  <td className="err" title={a.error}>{a.error}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      <h2>{t('run.steps')}</h2>
      {steps.length === 0 ? <p className="muted">{t('run.noSteps')}</p> : steps.map((s, i) => (
        <StepDetail key={`${s.node}-${i}`} step={s} config={doc?.nodes.find((n) => n.id === s.node)?.config} items={itemRowsFor(run.trace, s)} />
      ))}
    </main>
  );
}
