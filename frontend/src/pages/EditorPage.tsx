import { useEffect, useState } from 'react';
import { ReactFlowProvider } from '@xyflow/react';
import { api } from '../api/client';
import type { FlowView } from '../api/types';
import { engine, EngineTimeoutError, preview } from '../engine/engine';
import { useLang, useT } from '../i18n/i18n';
import { useCatalog } from '../store/catalog';
import { useFlowStore } from '../store/flowStore';
import { useLiveValidation } from '../store/validation';
import { Canvas } from '../canvas/Canvas';
import { Palette } from '../canvas/Palette';
import { parsePayload } from '../engine/sample';
import { SampleRequest } from './SampleRequest';
import { Inspector } from '../inspector/Inspector';
import { ErrorBox } from './ErrorBox';
import { inputValues, testInputs } from './testInputs';
import { TestValues } from './TestValues';
import { TraceResult } from './TraceResult';
import { ProblemsButton } from './ProblemsButton';
import { LivePanel } from '../live/LivePanel';
import { SendForReal } from '../live/SendForReal';
import { VersionHistory } from '../versions/VersionHistory';
import { journalHref } from '../router';
import { useCanEdit } from '../auth/session';
import { SaveAsTemplateButton } from '../teamTemplates/teamTemplates';
import { FlowSettingsButton } from '../settings/FlowSettingsButton';

function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  return !!el && (el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.tagName === 'SELECT' || el.isContentEditable);
}

export function EditorPage({ id }: { id: string }) {
  const t = useT();
  const lang = useLang((s) => s.lang);
  const loadCatalog = useCatalog((s) => s.load);
  const catalogError = useCatalog((s) => s.error);
  const store = useFlowStore;
  const meta = useFlowStore((s) => s.meta);
  const dirty = useFlowStore((s) => s.dirty);
  const canUndo = useFlowStore((s) => s.past.length > 0);
  const canRedo = useFlowStore((s) => s.future.length > 0);
  const trace = useFlowStore((s) => s.trace);
  const traceSent = useFlowStore((s) => s.traceSent);
  const [view, setView] = useState<FlowView | null>(null);
  const [error, setError] = useState<unknown>(null);
  const payload = useFlowStore((s) => s.payload);
  useLiveValidation();
  const [testing, setTesting] = useState(false);
  const [typedInputs, setTypedInputs] = useState<Record<string, string>>({});

  useEffect(() => {
    // Load the engine while the user looks at the flow, so that the first Test is quick.
    engine().init().catch(() => undefined); // a load failure is reported by the first Test
  }, []);
  const canEdit = useCanEdit();

  useEffect(() => {
    void loadCatalog();
    let gone = false;
    api.getFlow(id).then(
      (v) => {
        if (gone) return;
        setView(v);
        store.getState().load(v.document, v.id, v.webhook_url);
        store.getState().setProblems(v.problems ?? []);
      },
      (err) => !gone && setError(err),
    );
    return () => {
      gone = true;
    };
  }, [id, loadCatalog, store]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!(e.ctrlKey || e.metaKey) || isTyping(e.target)) return;
      const k = e.key.toLowerCase();
      if (k === 'z' && !e.shiftKey) store.getState().undo();
      else if ((k === 'z' && e.shiftKey) || k === 'y') store.getState().redo();
      else return;
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [store]);

  const save = async () => {
    try {
      const v = await api.updateFlow(id, { document: store.getState().document() });
      setView(v);
      store.getState().setProblems(v.problems ?? []);
      store.getState().markSaved(v.id);
      setError(null);
    } catch (err) {
      setError(err);
    }
  };

  const test = async () => {
    const parsed = parsePayload(payload);
    if (!parsed) {
      setError(new Error(t('editor.payloadInvalid')));
      return;
    }
    const { body } = parsed;
    setTesting(true);
    setError(null);
    store.getState().setTrace(null); // the last result goes at once: what shows next is this run's
    try {
      const inputs = inputValues(testInputs(meta.inputs, view?.input_values, typedInputs));
      const tr = await preview(store.getState().document(), body, inputs, lang);
      store.getState().setTrace(tr);
      if (tr.problems?.length) store.getState().setProblems(tr.problems);
    } catch (err) {
      store.getState().setTrace(null);
      setError(err instanceof EngineTimeoutError ? new Error(t('engine.timeout')) : err);
    } finally {
      setTesting(false);
    }
  };

  // A restored version is the new current one: reload the editor from it.
  const restored = (v: FlowView) => {
    setView(v);
    store.getState().load(v.document, v.id, v.webhook_url);
    store.getState().setProblems(v.problems ?? []);
  };

  if (error && !view) return <main className="page"><ErrorBox error={error} /></main>;
  if (!view) return <main className="page"><p>{t('common.loading')}</p></main>;

  return (
    <div className="editor">
      <div className="toolbar">
        <a href="#/flows">← {t('editor.back')}</a>
        <input aria-label={t('editor.name')} className="flow-name" value={meta.name}
          onChange={(e) => store.getState().setMeta({ name: e.target.value })} />
        <button type="button" onClick={() => store.getState().undo()} disabled={!canUndo}>{t('editor.undo')}</button>
        <button type="button" onClick={() => store.getState().redo()} disabled={!canRedo}>{t('editor.redo')}</button>
        <button type="button" className="primary" onClick={save} disabled={!canEdit} data-testid="save">{t('editor.save')}</button>
        <span className="muted small">{dirty ? t('editor.unsaved') : t('editor.saved')}</span>
        <ProblemsButton />
        <FlowSettingsButton view={view} canEdit={canEdit} onSaved={setView} />
        <VersionHistory flowId={id} current={view.version} dirty={dirty} onRestored={restored} />
        <a href={journalHref(id)} data-testid="editor-journal">{t('journal.title')}</a>
        <SaveAsTemplateButton flowId={id} defaultName={meta.name} dirty={dirty} getDocument={() => store.getState().document()} onError={setError} />
      </div>
      <ErrorBox error={error || catalogError} />
      <div className="editor-body">
        <Palette />
        <ReactFlowProvider>
          <Canvas />
        </ReactFlowProvider>
        <div className="side">
          <section className="test-panel">
            <SampleRequest />
            <TestValues defs={meta.inputs} saved={view.input_values} typed={typedInputs}
              onType={(key, value) => setTypedInputs((v) => ({ ...v, [key]: value }))} />
            <button type="button" className="primary" onClick={test} disabled={testing} data-testid="test">
              {testing ? t('editor.testing') : t('editor.test')}
            </button>
            {trace && (
              <TraceResult trace={trace} sent={traceSent} />
            )}
            {canEdit && <SendForReal flowId={id} payload={payload} document={() => store.getState().document()} />}
          </section>
          <Inspector />
        </div>
      </div>
      <LivePanel flowId={id} />
    </div>
  );
}
