import { useCallback, useEffect, useState } from 'react';
import { api } from '../api/client';
import type { FlowView } from '../api/types';
import { useLang, useT } from '../i18n/i18n';
import { emptyDocument } from '../store/flowStore';
import { go } from '../router';
import { ErrorBox } from './ErrorBox';
import { useCanEdit } from '../auth/session';

export function FlowsPage() {
  const t = useT();
  const canEdit = useCanEdit();
  const lang = useLang((s) => s.lang);
  const [flows, setFlows] = useState<FlowView[] | null>(null);
  const [error, setError] = useState<unknown>(null);

  const reload = useCallback(() => {
    api.listFlows().then(setFlows, setError);
  }, []);
  useEffect(reload, [reload]);

  const act = (p: Promise<unknown>) => p.then(() => { setError(null); reload(); }, setError);

  const create = async () => {
    try {
      const v = await api.createFlow({ document: emptyDocument(t('flows.newName')) });
      go(`/flows/${encodeURIComponent(v.id)}`);
    } catch (err) {
      setError(err);
    }
  };

  const fmt = (s?: string) => (s ? new Date(s).toLocaleString(lang) : t('flows.never'));

  return (
    <main className="page">
      <div className="page-head">
        <h1>{t('flows.title')}</h1>
        <button type="button" className="primary" onClick={create} disabled={!canEdit}>{t('flows.create')}</button>
      </div>
      <ErrorBox error={error} />
      {flows === null ? (
        <p>{t('common.loading')}</p>
      ) : flows.length === 0 ? (
        <p className="muted">{t('flows.empty')}</p>
      ) : (
        <table className="list" data-testid="flows">
          <thead>
            <tr>
              <th>{t('flows.name')}</th>
              <th>{t('flows.status')}</th>
              <th>{t('flows.lastRun')}</th>
              <th>{t('flows.failed')}</th>
              <th>{t('flows.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {flows.map((f) => (
              <tr key={f.id}>
                <td><a href={`#/flows/${encodeURIComponent(f.id)}`}>{f.name || f.id}</a></td>
                <td><span className={`badge ${f.active ? 'on' : 'off'}`}>{f.active ? t('flows.active') : t('flows.stopped')}</span></td>
                <td>
                  {fmt(f.last_run_at)}
                  {f.last_status && <span className={`status-${f.last_status}`}> · {f.last_status}</span>}
                </td>
                <td className={f.failed_runs > 0 ? 'status-failed' : ''}>{f.failed_runs}</td>
                <td>
                  {f.active ? (
                    <button type="button" onClick={() => act(api.stopFlow(f.id))} disabled={!canEdit}>{t('flows.stop')}</button>
                  ) : (
                    <button type="button" onClick={() => act(api.startFlow(f.id))} disabled={!canEdit}>{t('flows.start')}</button>
                  )}{' '}
                  <button type="button" onClick={() => go(`/flows/${encodeURIComponent(f.id)}`)}>{t('flows.open')}</button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </main>
  );
}
