import { useCallback, useEffect, useRef, useState } from 'react';
import { api } from '../api/client';
import { exportURL, runsApi, templateURL } from '../api/runs';
import type { FlowView } from '../api/types';
import { useLang, useT } from '../i18n/i18n';
import { StatusText } from '../journal/StatusText';
import { DailyChart, useDailyCounts } from '../journal/DailyChart';
import { FirstVisit } from './FirstVisit';
import { emptyDocument } from '../store/flowStore';
import { go, journalHref } from '../router';
import { ErrorBox } from './ErrorBox';
import '../journal/runs.css';
import { FlowFileError, download, duplicate, importFile, remove, toggle, type FlowsServer } from './flowActions';

const server: FlowsServer = { ...api, duplicateFlow: runsApi.duplicateFlow, importFlow: runsApi.importFlow };
import { useCanEdit } from '../auth/session';

export function FlowsPage() {
  const t = useT();
  const canEdit = useCanEdit();
  const lang = useLang((s) => s.lang);
  const [flows, setFlows] = useState<FlowView[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);

  const [version, setVersion] = useState(0);
  const daily = useDailyCounts(null, version); // every flow's days in one request
  const reload = useCallback(() => {
    api.listFlows().then(setFlows, setError);
    setVersion((v) => v + 1);
  }, []);
  useEffect(reload, [reload]);

  // Runs one action at a time per flow; the list is reloaded after it (also after a failure).
  const act = async (key: string, p: () => Promise<unknown>) => {
    setBusy(key);
    try {
      await p();
      setError(null);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(null);
      reload();
    }
  };

  const create = async () => {
    try {
      const v = await api.createFlow({ document: emptyDocument(t('flows.newName')) });
      go(`/flows/${encodeURIComponent(v.id)}`);
    } catch (err) {
      setError(err);
    }
  };

  const onFile = async (file: File | undefined) => {
    if (!file) return;
    try {
      const v = await importFile(server, await file.text());
      setError(null);
      go(`/flows/${encodeURIComponent(v.id)}`);
    } catch (err) {
      setError(err instanceof FlowFileError ? new Error(t(err.reason === 'not_json' ? 'flows.importNotJson' : 'flows.importNotFlow', { file: file.name })) : err);
    } finally {
      if (fileInput.current) fileInput.current.value = '';
    }
  };

  const fmt = (s?: string) => (s ? new Date(s).toLocaleString(lang) : t('flows.never'));

  return (
    <main className="page">
      <div className="page-head">
        <h1>{t('flows.title')}</h1>
        <div className="row-actions">
          <button type="button" onClick={() => fileInput.current?.click()} disabled={!canEdit} data-testid="flows-import">{t('flows.import')}</button>
          <input ref={fileInput} type="file" accept=".json,application/json" hidden aria-label={t('flows.import')}
            onChange={(e) => void onFile(e.target.files?.[0])} data-testid="flows-import-file" />
          <button type="button" className="primary" onClick={create} disabled={!canEdit}>{t('flows.create')}</button>
        </div>
      </div>
      <ErrorBox error={error} />
      {flows === null ? (
        <p>{t('common.loading')}</p>
      ) : flows.length === 0 ? (
        <FirstVisit onEmpty={create} canEdit={canEdit} />
      ) : (
        <table className="list" data-testid="flows">
          <thead>
            <tr>
              <th>{t('flows.name')}</th>
              <th>{t('flows.status')}</th>
              <th>{t('flows.lastRun')}</th>
              <th>{t('flows.failed')}</th>
              <th>{t('runs.last14')}</th>
              <th>{t('flows.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {flows.map((f) => (
              <tr key={f.id} data-testid="flow-row" data-flow={f.id}>
                <td>
                  <a href={`#/flows/${encodeURIComponent(f.id)}`}>{f.name || f.id}</a>
                  {f.error && <div className="error small" title={f.error} data-testid="flow-damaged">{t('flows.damaged')}</div>}
                </td>
                <td><span className={`badge ${f.active ? 'on' : 'off'}`}>{f.active ? t('flows.active') : t('flows.stopped')}</span></td>
                <td>
                  {f.last_run_at ? <a href={journalHref(f.id)}>{fmt(f.last_run_at)}</a> : fmt(f.last_run_at)}
                  {f.last_status && <> · <StatusText status={f.last_status} /></>}
                </td>
                <td className={f.failed_runs > 0 ? 'status-failed' : ''}>{f.failed_runs}</td>
                <td>
                  {daily && (
                    <a href={journalHref(f.id)} className="chart-link">
                      <DailyChart data={daily} flowIds={[f.id]} width={14 * 7 - 1} height={22} compact testId="flow-chart" />
                    </a>
                  )}
                </td>
                <td>
                  <div className="row-actions">
                    <button type="button" disabled={busy === f.id || !canEdit} onClick={() => void act(f.id, () => toggle(server, f))} data-testid="flow-toggle">
                      {f.active ? t('flows.stop') : t('flows.start')}
                    </button>
                    <button type="button" onClick={() => go(`/flows/${encodeURIComponent(f.id)}`)}>{t('flows.open')}</button>
                    <button type="button" onClick={() => go(journalHref(f.id).slice(1))} data-testid="flow-journal">{t('flows.journal')}</button>
                    <button type="button" disabled={busy === f.id || !canEdit} data-testid="flow-duplicate"
                      onClick={() => void act(f.id, () => duplicate(server, f, (name) => t('flows.copyName', { name })))}>
                      {t('flows.duplicate')}
                    </button>
                    <button type="button" onClick={() => download(exportURL(f.id))} title={t('flows.exportHelp')}>{t('flows.export')}</button>
                    <button type="button" onClick={() => download(templateURL(f.id))} title={t('flows.templateHelp')}>{t('flows.exportTemplate')}</button>
                    <button type="button" className="danger-inline" disabled={busy === f.id || !canEdit} data-testid="flow-delete"
                      onClick={() => void act(f.id, () => remove(server, f, (q) => window.confirm(q), (name) => t('flows.deleteConfirm', { name })))}>
                      {t('common.delete')}
                    </button>
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </main>
  );
}
