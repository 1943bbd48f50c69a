// One step of a run's trace: status, input, output, logs, error, and for http steps the exact
// request sent, the response and every attempt.
import { textIn, type HTTPExchange, type StepTrace } from '../api/types';
import { httpOf } from '../api/runs';
import { useLang, useT } from '../i18n/i18n';
import { formatDuration } from './journalModel';
import { StatusText } from './StatusText';
import { DelayNote } from './DelayNote';
import { outputLabel } from '../nodes/outputs';
import { ItemRows } from './ItemRows';
import type { ItemRow } from './items';

function Json({ value }: { value: unknown }) {
  const text = typeof value === 'string' ? value : JSON.stringify(value, null, 2);
  return <pre className="json">{text}</pre>;
}

function Headers({ rows }: { rows: Array<[string, string]> }) {
  if (rows.length === 0) return null;
  return (
    <table className="headers" data-user-data>
      <tbody>
        {rows.map(([k, v], i) => (
          <tr key={i}>
            <td>{k}:</td>
            <td>{v}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function HttpExchange({ h }: { h: HTTPExchange }) {
  const t = useT();
  const lang = useLang((s) => s.lang);
  return (
    <div data-testid="run-http">
      <h4>{h.sent ? t('run.requestSent') : t('run.requestNotSent')}</h4>
      <pre className="json" data-testid="run-http-request">{`${h.request.method} ${h.request.url}`}</pre>
      <Headers rows={(h.request.headers ?? []).map((kv) => [kv.key, kv.value])} />
      {h.request.body && <Json value={h.request.body} />}
      {h.response && (
        <>
          <h4>{t(h.sent ? 'run.response' : 'sample.answer', { status: h.response.status })}</h4>
          <Headers rows={Object.entries(h.response.headers ?? {})} />
          {h.response.body && <Json value={h.response.body} />}
        </>
      )}
      {h.attempts && h.attempts.length > 0 && (
        <>
          <h4>{t('run.attemptsTitle', { n: h.attempts.length })}</h4>
          <table className="headers" data-testid="run-http-attempts">
            <tbody>
              {h.attempts.map((a, i) => (
                <tr key={i}>
                  <td>#{i + 1}</td>
                  <td>{a.status ? `HTTP ${a.status}` : ''}</td>
                  <td className={a.error ? 'error' : ''}>{a.error}</td>
                  <td>{formatDuration(a.duration_ms, lang)}</td>
                  <td>{a.wait_ms ? t('run.waited', { time: formatDuration(a.wait_ms, lang) }) : ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </div>
  );
}

/**
 * config: the step's settings, to name a branch as the editor does (a route's name, not its id);
 * items: the rows of a loop's items for this step (see itemRowsFor), each opening to its steps.
 */
export function StepDetail({ step, config, items }: { step: StepTrace; config?: Record<string, unknown>; items?: ItemRow[] | null }) {
  const t = useT();
  const lang = useLang((s) => s.lang);
  const http = httpOf(step);
  return (
    <section className={`step st-${step.status}`} data-testid={`run-step-${step.node}`} data-status={step.status}>
      <h3>
        <span>{step.name || step.node}</span>
        <code className="muted small">{step.kind}</code>
        <StatusText status={step.status} until={step.until} />
        <span className="muted small">{formatDuration(step.duration_ms, lang)}</span>
        {step.branch && <span className="muted small">{t('run.branch', { branch: outputLabel(step.kind, step.branch, lang, undefined, config) })}</span>}
      </h3>
      <DelayNote step={step} />
      {step.error && (
        <p className="error" data-testid="run-step-error">
          {step.error}
        </p>
      )}
      <div className="cols">
        <div>
          <h4>{t('inspector.input')}</h4>
          {step.input === undefined ? <p className="muted small">{t('common.none')}</p> : <Json value={step.input} />}
        </div>
        <div>
          <h4>{t('inspector.output')}</h4>
          {step.output === undefined ? <p className="muted small">{t('common.none')}</p> : <Json value={step.output} />}
        </div>
      </div>
      {step.logs && step.logs.length > 0 && (
        <>
          <h4>{t('inspector.logs')}</h4>
          <pre className="json">{step.logs.join('\n')}</pre>
        </>
      )}
      {http && <HttpExchange h={http} />}
      {items && (
        <ItemRows rows={items} detail={(r) => r.steps.filter((s) => s.status !== 'skipped').map((s, i) => (
          // an item's steps are stored as run, in English: the failed one says it as the row does
          <StepDetail key={`${s.node}-${i}`} step={s.status === 'failed' && r.error ? { ...s, error: textIn(r.error, lang) } : s} />
        ))} />
      )}
    </section>
  );
}
