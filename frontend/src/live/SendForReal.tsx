// "Send for real": runs the editor's document, unsaved changes included, on the server with real
// HTTP requests (POST /api/flows/{id}/test). The live log opens to show it step by step; the
// result links to the run in the journal and paints the canvas with the real trace.
import { useState } from 'react';
import { api } from '../api/client';
import type { FlowDocument } from '../api/types';
import { useT } from '../i18n/i18n';
import { StatusText } from '../journal/StatusText';
import { ErrorBox } from '../pages/ErrorBox';
import { runHref } from '../router';
import { useFlowStore } from '../store/flowStore';
import { useLivePanel } from './liveLog';
import { parsePayload } from '../engine/sample';

export function SendForReal({ flowId, payload, document }: { flowId: string; payload: string; document: () => FlowDocument }) {
  const t = useT();
  const [sending, setSending] = useState(false);
  const [result, setResult] = useState<{ runId: string; status: string } | null>(null);
  const [error, setError] = useState<unknown>(null);

  const send = async () => {
    const parsed = parsePayload(payload);
    if (!parsed) {
      setError(new Error(t('editor.payloadInvalid')));
      return;
    }
    const { body } = parsed;
    setSending(true);
    setError(null);
    setResult(null);
    useLivePanel.getState().setOpen(true);
    try {
      const r = await api.test(flowId, body, document());
      setResult({ runId: r.run_id, status: r.trace.status });
      // The real trace paints the canvas like a preview does, so each node shows what it sent.
      useFlowStore.getState().setTrace(r.trace, true);
    } catch (err) {
      setError(err);
    } finally {
      setSending(false);
    }
  };

  return (
    <div className="send-real">
      <button type="button" onClick={send} disabled={sending} title={t('send.help')} data-testid="send-real">
        {sending ? t('send.sending') : t('send.button')}
      </button>
      {result && (
        <span data-testid="send-result">
          <StatusText status={result.status} /> · <a href={runHref(result.runId)} data-testid="send-run-link">{t('send.openRun')}</a>
        </span>
      )}
      <ErrorBox error={error} />
    </div>
  );
}
