import { useRef, useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../api/client';
import { exportURL, runsApi, templateURL } from '../api/runs';
import { useLang, useT } from '../i18n/i18n';
import { StatusText } from '../journal/StatusText';
import { DailyChart, useDailyCounts } from '../journal/DailyChart';
import { FirstVisit } from './FirstVisit';
import { emptyDocument } from '../store/flowStore';
import { go, journalHref } from '../router';
import { ErrorBox } from './ErrorBox';
import '../journal/runs.css';
import { FlowFileError, download, duplicate, importFile, remove, toggle, type FlowsServer } from './flowActions';
import { useCanEdit } from '../auth/session';
import { keys } from '../query/keys';

const server: FlowsServer = { ...api, duplicateFlow: runsApi.duplicateFlow, importFlow: runsApi.importFlow };

export function FlowsPage() {
  const t = useT();
  const canEdit = useCanEdit();
  const lang = useLang((s) => s.lang);
  const qc = useQueryClient();
  const flows = useQuery({ queryKey: keys.flows(), queryFn: api.listFlows });
  const [error, setError] = useState<unknown>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const daily = useDailyCounts(null); // every flow's days in one request

  // One action at a time per flow; the list and the charts are reloaded after it (also after a
  // failure: the flow may have changed anyway).
  const action = useMutation({
    mutationFn: ({ run }: { flowId: string; run: () => Promise<unknown> }) => run(),
    onMutate: () => setError(null),
    onError: setError,
    onSettled: () => Promise.all([
      qc.invalidateQueries({ queryKey: keys.flows() }),
      qc.invalidateQueries({ queryKey: keys.daily(null) }),
    ]),
  });
  const busy = action.isPending ? action.variables.flowId : null;
  const act = (flowId: string, run: () => Promise<unknown>) => action.mutate({ flowId, run });

  const create = async () => {
    try {
      const v = await api.createFlow({ document: emptyDocument(t('flows.newName')) });
      void qc.invalidateQueries({ queryKey: keys.flows() });
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
      void qc.invalidateQueries({ queryKey: keys.flows() });
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
      <ErrorBox error={error ?? flows.error} />
      {!flows.data ? (
        !flows.error && <p>{t('common.loading')}</p>
      ) : flows.data.length === 0 ? (
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
            {flows.data.map((f) => (
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
                    <button type="button" disabled={busy === f.id || !canEdit} onClick={() => act(f.id, () => toggle(server, f))} data-testid="flow-toggle">
                      {f.active ? t('flows.stop') : t('flows.start')}
                    </button>
                    <button type="button" onClick={() => go(`/flows/${encodeURIComponent(f.id)}`)}>{t('flows.open')}</button>
                    <button type="button" onClick={() => go(journalHref(f.id).slice(1))} data-testid="flow-journal">{t('flows.journal')}</button>
                    <button type="button" disabled={busy === f.id || !canEdit} data-testid="flow-duplicate"
                      onClick={() => act(f.id, () => duplicate(server, f, (name) => t('flows.copyName', { name })))}>
                      {t('flows.duplicate')}
                    </button>
                    <button type="button" onClick={() => download(exportURL(f.id))} title={t('flows.exportHelp')}>{t('flows.export')}</button>
                    <button type="button" onClick={() => download(templateURL(f.id))} title={t('flows.templateHelp')}>{t('flows.exportTemplate')}</button>
                    <button type="button" className="danger-inline" disabled={busy === f.id || !canEdit} data-testid="flow-delete"
                      onClick={() => act(f.id, () => remove(server, f, (q) => window.confirm(q), (name) => t('flows.deleteConfirm', { name })))}>
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
