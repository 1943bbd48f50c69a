// Requests that arrived while the flow was stopped are kept, not run. The journal lists them so
// the user can run one now (Replay), e.g. after fixing and starting the flow.
import { useEffect, useRef, useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { runsApi } from '../api/runs';
import type { RunView, Sample } from '../api/types';
import { useLang, useT } from '../i18n/i18n';
import { ErrorBox } from '../pages/ErrorBox';
import { runHref } from '../router';
import { followUp, type FollowUp } from './followUp';
import { StatusText } from './StatusText';
import { keys } from '../query/keys';

function summary(p: Sample['payload']): string {
  const q = typeof p.query === 'string' ? p.query : p.query ? new URLSearchParams(p.query as Record<string, string>).toString() : '';
  const text = [p.method ?? '', q ? '?' + decodeURIComponent(q.replace(/\+/g, ' ')) : '', p.body ?? ''].join(' ').trim();
  return text.length > 140 ? text.slice(0, 139) + '…' : text;
}

export function Captured({ flowId, onRun }: { flowId: string; onRun: () => void }) {
  const t = useT();
  const lang = useLang((s) => s.lang);
  const qc = useQueryClient();
  const captured = useQuery({
    queryKey: keys.captured(flowId),
    queryFn: () => runsApi.captured(flowId).then((s) => s.filter((x) => x.status === 'sample')),
  });
  const list: Sample[] = captured.data ?? [];
  const [replayError, setError] = useState<unknown>(null);
  const error = replayError ?? captured.error;
  const [state, setState] = useState<Record<string, 'queued' | RunView>>({});
  const watches = useRef<FollowUp[]>([]);

  useEffect(() => {
    const open = watches.current; // the one list replays add to, for as long as the page lives
    return () => open.forEach((w) => w.cancel());
  }, [flowId]);

  const replay = async (id: string) => {
    setError(null);
    try {
      await runsApi.replayEvent(flowId, id);
      setState((s) => ({ ...s, [id]: 'queued' }));
      watches.current.push(followUp(flowId, id, new Set(), (r) => {
        setState((s) => ({ ...s, [id]: r }));
        void qc.invalidateQueries({ queryKey: keys.daily(flowId) });
        onRun();
      }, () => {}));
    } catch (err) {
      setError(err);
    }
  };

  if (list.length === 0 && !error) return null;
  return (
    <details className="captured" data-testid="captured">
      <summary>{t('journal.captured', { n: list.length })}</summary>
      <p className="muted small">{t('journal.capturedHelp')}</p>
      <ErrorBox error={error} />
      <table className="list">
        <tbody>
          {list.map((c) => {
            const st = state[c.event_id];
            return (
              <tr key={c.event_id} data-testid="captured-row">
                <td>{new Date(c.received_at).toLocaleString(lang)}</td>
                <td><code className="small">{summary(c.payload)}</code></td>
                <td>
                  {st === undefined && (
                    <button type="button" onClick={() => void replay(c.event_id)} data-testid="captured-replay">{t('run.replay')}</button>
                  )}
                  {st === 'queued' && <span className="muted">{t('journal.queued')}</span>}
                  {st !== undefined && st !== 'queued' && (
                    <a href={runHref(st.id)}><StatusText status={st.status} /></a>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </details>
  );
}
