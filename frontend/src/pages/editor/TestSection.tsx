// Test and the sample request, below the selected step's settings: a section the user can fold
// away (the choice is remembered). Test previews in the browser (by the server's copy of the engine
// until the browser's has loaded: engine/preview.ts); Send for real runs on the server.
import { useState } from 'react';
import type { FlowView } from '../../api/types';
import { EngineTimeoutError } from '../../engine/engine';
import { testPreview } from '../../engine/preview';
import { parsePayload } from '../../engine/sample';
import { useLang, useT } from '../../i18n/i18n';
import { SendForReal } from '../../live/SendForReal';
import { useFlowStore } from '../../store/flowStore';
import { inputValues, testInputs } from '../testInputs';
import { TestValues } from '../TestValues';
import { TraceResult } from '../TraceResult';
import { SampleRequest } from '../SampleRequest';

const OPEN_KEY = 'hookflow.testOpen';

export function TestSection({ view, canEdit, onError }: { view: FlowView; canEdit: boolean; onError(err: unknown): void }) {
  const t = useT();
  const lang = useLang((s) => s.lang);
  const store = useFlowStore;
  const meta = useFlowStore((s) => s.meta);
  const trace = useFlowStore((s) => s.trace);
  const traceSent = useFlowStore((s) => s.traceSent);
  const payload = useFlowStore((s) => s.payload);
  // a schedule has no sample request: its step takes the next tick's time
  const scheduled = useFlowStore((s) => s.nodes.some((n) => n.data.kind === 'schedule'));
  const [testing, setTesting] = useState(false);
  const [typedInputs, setTypedInputs] = useState<Record<string, string>>({});
  const [open, setOpen] = useState(() => localStorage.getItem(OPEN_KEY) !== '0');

  const test = async () => {
    const parsed = parsePayload(scheduled ? '{}' : payload);
    if (!parsed) {
      onError(new Error(t('editor.payloadInvalid')));
      return;
    }
    setTesting(true);
    onError(null);
    store.getState().setTrace(null); // the last result goes at once: what shows next is this run's
    try {
      const inputs = inputValues(testInputs(meta.inputs, view.input_values, typedInputs));
      const tr = await testPreview({ flowId: view.id, server: canEdit }, store.getState().document(), parsed.body, inputs, lang);
      store.getState().setTrace(tr);
      if (tr.problems?.length) store.getState().setProblems(tr.problems);
    } catch (err) {
      store.getState().setTrace(null);
      onError(err instanceof EngineTimeoutError ? new Error(t('engine.timeout')) : err);
    } finally {
      setTesting(false);
    }
  };

  return (
    <details className="test-panel" open={open} data-testid="test-section"
      onToggle={(e) => {
        const now = (e.currentTarget as HTMLDetailsElement).open;
        setOpen(now);
        localStorage.setItem(OPEN_KEY, now ? '1' : '0');
      }}>
      <summary>{t('golive.testSection')}</summary>
      <div className="test-body">
      {scheduled ? <p className="muted small" data-testid="schedule-test-help">{t('schedule.testHelp')}</p> : <SampleRequest />}
      <TestValues defs={meta.inputs} saved={view.input_values} typed={typedInputs}
        onType={(key, value) => setTypedInputs((v) => ({ ...v, [key]: value }))} />
      <button type="button" className="primary" onClick={test} disabled={testing} data-testid="test">
        {testing ? t('editor.testing') : t('editor.test')}
      </button>
      {trace && <TraceResult trace={trace} sent={traceSent} />}
      {canEdit && <SendForReal flowId={view.id} payload={payload} document={() => store.getState().document()} />}
      </div>
    </details>
  );
}
