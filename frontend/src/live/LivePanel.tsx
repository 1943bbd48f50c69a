// The editor's live log: every event of the flow's runs as it happens (webhooks arriving, runs and
// steps starting and finishing), with a link to each run's detail. Collapsible; stays connected
// while collapsed so opening it shows what already happened.
import { useEffect, useRef, useState } from 'react';
import { api } from '../api/client';
import { useLang, useT, type MessageKey } from '../i18n/i18n';
import { StatusText } from '../journal/StatusText';
import { formatDuration } from '../journal/journalModel';
import { journalHref, runHref } from '../router';
import { subscribeLive, type LiveState } from './liveClient';
import { appendRows, eventRow, journalRow, rowError, runsWithStepErrors, useLivePanel, type LogRow } from './liveLog';
import { requestArrived } from '../engine/sampleRefresh';
import '../journal/runs.css';

export function LivePanel({ flowId }: { flowId: string }) {
  const t = useT();
  const lang = useLang((s) => s.lang);
  const open = useLivePanel((s) => s.open);
  const setOpen = useLivePanel((s) => s.setOpen);
  const [rows, setRows] = useState<LogRow[]>([]);
  const [conn, setConn] = useState<LiveState>('stopped');
  const [gap, setGap] = useState(false);
  const body = useRef<HTMLDivElement>(null);
  const langRef = useRef(lang);
  langRef.current = lang;

  useEffect(() => {
    return subscribeLive(flowId, {
      onEvent: (ev) => {
        setRows((r) => appendRows(r, [eventRow(ev)]));
        if (ev.type === 'event_received') requestArrived(flowId); // offered as the Test's sample
      },
      onState: setConn,
      // Events were lost (server restarted, or we were away too long): show the recent runs
      // from the journal instead, oldest first like the rest of the log.
      onGap: () => {
        setGap(true);
        api.listRuns(flowId, { limit: 10, lang: langRef.current }).then(
          (runs) => setRows((r) => appendRows(r, runs.slice().reverse().map(journalRow))),
          () => {},
        );
      },
    });
  }, [flowId]);

  useEffect(() => {
    const el = body.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [rows, open]);

  const time = (s: string) => new Date(s).toLocaleTimeString(lang);
  const stepErrors = runsWithStepErrors(rows);
  return (
    <section className="live" data-testid="live-panel" aria-label={t('live.title')}>
      <div className="live-head">
        <button type="button" className="link" onClick={() => setOpen(!open)} aria-expanded={open} data-testid="live-toggle">
          {open ? '▾' : '▸'} <span className="title">{t('live.title')}</span>
        </button>
        <span className={`dot ${conn}`} title={t(`live.state.${conn}` as MessageKey)} />
        <span className="muted small" data-testid="live-state">{t(`live.state.${conn}` as MessageKey)}</span>
        <span className="muted small">{t('live.count', { n: rows.length })}</span>
        <span style={{ flex: 1 }} />
        <a className="small" href={journalHref(flowId)}>{t('live.journal')}</a>
        {rows.length > 0 && (
          <button type="button" onClick={() => { setRows([]); setGap(false); }}>{t('live.clear')}</button>
        )}
      </div>
      {open && (
        <div className="live-body" ref={body}>
          {gap && <p className="muted small">{t('live.gap')}</p>}
          {rows.length === 0 ? (
            <p className="muted small">{t('live.empty')}</p>
          ) : (
            <table>
              <thead>
                <tr>
                  <th>{t('journal.time')}</th>
                  <th>{t('live.event')}</th>
                  <th>{t('live.run')}</th>
                  <th>{t('live.node')}</th>
                  <th>{t('journal.status')}</th>
                  <th>{t('journal.duration')}</th>
                  <th>{t('journal.error')}</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((r) => (
                  <tr key={r.key} data-testid="live-row" data-kind={r.kind} data-run={r.run} data-node={r.node} data-status={r.status}>
                    <td>{time(r.at)}</td>
                    <td>{t(`live.kind.${r.kind}` as MessageKey)}</td>
                    <td>{r.run ? <a href={runHref(r.run)} title={r.run}>{r.run.slice(-8)}</a> : ''}</td>
                    <td>{r.node && <code>{r.node}</code>}</td>
                    <td>{r.status && <StatusText status={r.status} until={r.until} />}</td>
                    <td>{r.durationMs !== undefined ? formatDuration(r.durationMs, lang) : ''}</td>
                    <td className="err">{rowError(r, lang, stepErrors)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
      )}
    </section>
  );
}
