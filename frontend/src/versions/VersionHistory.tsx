// Version history: every save is a version. The user can look at one (its steps and the document)
// and restore it, which saves it as a new version and reloads the editor.
import { useState } from 'react';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { runsApi } from '../api/runs';
import type { FlowView } from '../api/types';
import { useLang, useT } from '../i18n/i18n';
import { ErrorBox } from '../pages/ErrorBox';
import { Modal, ModalButton } from '../pages/Modal';
import { keys } from '../query/keys';
import '../journal/runs.css';

interface Props {
  flowId: string;
  current: number;
  dirty: boolean;
  onRestored: (v: FlowView) => void;
}

export function VersionHistory(props: Props) {
  const t = useT();
  return <ModalButton label={t('versions.button')} testId="versions-open" dialog={(close) => <VersionDialog {...props} onClose={close} />} />;
}

function VersionDialog({ flowId, current, dirty, onRestored, onClose }: Props & { onClose: () => void }) {
  const t = useT();
  const lang = useLang((s) => s.lang);
  const qc = useQueryClient();
  const versions = useQuery({
    queryKey: keys.versions(flowId),
    queryFn: () => runsApi.versions(flowId).then((vs) => [...vs].sort((a, b) => b.version - a.version)),
  });
  const list = versions.data;
  const [picked, setPicked] = useState<number | null>(null);
  const shownQuery = useQuery({
    queryKey: keys.version(flowId, picked ?? 0),
    queryFn: () => runsApi.version(flowId, picked ?? 0),
    enabled: picked !== null,
    placeholderData: keepPreviousData, // the one shown stays until the next arrives
    staleTime: Infinity, // a version never changes
  });
  const shown = shownQuery.data ?? null;
  const restoring = useMutation({
    mutationFn: (v: number) => runsApi.restoreVersion(flowId, v),
    onSuccess: (fv) => {
      void qc.invalidateQueries({ queryKey: keys.versions(flowId) });
      void qc.invalidateQueries({ queryKey: keys.flows() });
      onRestored(fv);
      onClose();
    },
  });
  const error = restoring.error ?? shownQuery.error ?? versions.error;

  const view = (v: number) => {
    restoring.reset();
    setPicked(v);
  };

  const restore = (v: number) => {
    if (!window.confirm(t(dirty ? 'versions.confirmDirty' : 'versions.confirm', { version: v }))) return;
    restoring.mutate(v);
  };

  return (
    <Modal label={t('versions.title')} testId="versions" onClose={onClose}>
      <div className="page-head">
        <h2>{t('versions.title')}</h2>
        <button type="button" onClick={onClose} autoFocus>{t('common.close')}</button>
      </div>
      <ErrorBox error={error} />
      {!list ? (
        !versions.error && <p>{t('common.loading')}</p>
      ) : (
        <div className="versions">
          <ul className="plain">
            {list.map((v) => (
              <li key={v.version} className={v.version === current ? 'current' : ''} data-testid={`version-${v.version}`}>
                <button type="button" className="link" onClick={() => view(v.version)}>
                  {t('versions.version', { version: v.version })}
                </button>
                <span className="muted small">{new Date(v.created_at).toLocaleString(lang)}</span>
                {v.version === current ? (
                  <span className="badge on">{t('versions.current')}</span>
                ) : (
                  <button type="button" onClick={() => restore(v.version)} disabled={restoring.isPending} data-testid={`version-restore-${v.version}`}>
                    {t('versions.restore')}
                  </button>
                )}
              </li>
            ))}
          </ul>
          <div>
            {shown ? (
              <>
                <h3>
                  {t('versions.version', { version: shown.version })}: {shown.document.name}
                </h3>
                <ol className="small">
                  {shown.document.nodes.map((n) => (
                    <li key={n.id}>
                      <b>{n.name || n.id}</b> <code className="muted">{n.kind}</code>
                    </li>
                  ))}
                </ol>
                <pre className="json">{JSON.stringify(shown.document, null, 2)}</pre>
              </>
            ) : (
              <p className="muted">{t('versions.pick')}</p>
            )}
          </div>
        </div>
      )}
    </Modal>
  );
}
