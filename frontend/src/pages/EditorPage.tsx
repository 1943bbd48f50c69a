// The editor: toolbar on top, then the palette, the canvas and the side panel (the selected step's
// settings first, Test below), and the live log at the bottom. The page owns the flow as the
// server last answered it (`view`) and the actions that talk to the server: save, start, stop.
import { useCallback, useEffect, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { ReactFlowProvider } from '@xyflow/react';
import { api } from '../api/client';
import type { FlowView } from '../api/types';
import { engine } from '../engine/engine';
import { useT } from '../i18n/i18n';
import { useCatalog } from '../store/catalog';
import { useFlowStore } from '../store/flowStore';
import { useLiveValidation } from '../store/validation';
import { Canvas } from '../canvas/Canvas';
import { Palette } from '../canvas/Palette';
import { Inspector } from '../inspector/Inspector';
import { ErrorBox } from './ErrorBox';
import { LivePanel } from '../live/LivePanel';
import { useCanEdit } from '../auth/session';
import { Toolbar } from './editor/Toolbar';
import { TestSection } from './editor/TestSection';
import { StartPrompt } from './editor/StartPrompt';
import type { RunNotice } from './editor/RunSwitch';
import { useLeaveGuard } from './editor/useLeaveGuard';
import { flowAddress } from './editor/readyAddress';
import { keys } from '../query/keys';

function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  return !!el && (el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.tagName === 'SELECT' || el.isContentEditable);
}

/**
 * Whether Save should offer to start: the flow is stopped, has never received a request, and has
 * no problems (a flow with problems cannot start; the toolbar's count says what to fix first).
 */
export function offerStart(v: FlowView): boolean {
  return !v.active && !v.last_run_at && !(v.problems?.length);
}

export function EditorPage({ id }: { id: string }) {
  const t = useT();
  const loadCatalog = useCatalog((s) => s.load);
  const catalogError = useCatalog((s) => s.error);
  const presets = useCatalog((s) => s.presets);
  const store = useFlowStore;
  const dirty = useFlowStore((s) => s.dirty);
  const [view, setLoaded] = useState<FlowView | null>(null);
  // The server's answer to a change (save, start, stop, settings, restore) is the flow as others
  // now see it too: the cached copy takes it, and the flows list is asked again.
  const qc = useQueryClient();
  const setView = useCallback((v: FlowView) => {
    setLoaded(v);
    qc.setQueryData(keys.flow(v.id), v);
    void qc.invalidateQueries({ queryKey: keys.flows(), exact: true });
    void qc.invalidateQueries({ queryKey: keys.versions(v.id) });
  }, [qc]);
  const [error, setError] = useState<unknown>(null);
  const [saving, setSaving] = useState(false);
  const [running, setRunning] = useState(false);
  const [notice, setNotice] = useState<RunNotice>('');
  const [prompt, setPrompt] = useState<'' | 'open' | 'dismissed'>('');
  useLiveValidation();
  useLeaveGuard(dirty, t('golive.leave'));

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
        setLoaded(v);
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

  /** Saves the document as it is now; the server's answer, or null after showing the error. */
  const save = async (): Promise<FlowView | null> => {
    const sent = store.getState().document();
    setSaving(true);
    try {
      const v = await api.updateFlow(id, { document: sent });
      setView(v);
      store.getState().setProblems(v.problems ?? []);
      store.getState().markSaved(v.id, sent);
      setError(null);
      return v;
    } catch (err) {
      setError(err);
      return null;
    } finally {
      setSaving(false);
    }
  };

  const onSave = async () => {
    const v = await save();
    setNotice('');
    if (v && offerStart(v) && prompt === '') setPrompt('open');
  };

  // Start runs what is saved, so unsaved changes are saved first (and the notice says so).
  // Stop does not save: it is what a user reaches for when something goes wrong.
  const toggleRun = async () => {
    if (!view) return;
    setRunning(true);
    try {
      if (view.active) {
        setView(await api.stopFlow(id));
        setNotice('stopped');
        return;
      }
      const savedFirst = store.getState().dirty;
      if (savedFirst && !(await save())) return;
      setView(await api.startFlow(id));
      setNotice(savedFirst ? 'savedAndStarted' : 'started');
      setPrompt('dismissed');
      setError(null);
    } catch (err) {
      setError(err);
    } finally {
      setRunning(false);
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
      <Toolbar view={view} canEdit={canEdit} saving={saving} running={running} notice={notice}
        onSave={() => void onSave()} onToggleRun={() => void toggleRun()} onViewChange={setView} onRestored={restored} onError={setError} />
      {prompt === 'open' && !view.active && (
        <StartPrompt address={flowAddress(view.webhook_url, view.document, presets)} busy={running}
          onStart={() => void toggleRun()} onDismiss={() => setPrompt('dismissed')} />
      )}
      <ErrorBox error={error || catalogError} />
      <div className="editor-body">
        <Palette />
        <ReactFlowProvider>
          <Canvas />
        </ReactFlowProvider>
        <div className="side">
          <Inspector />
          <TestSection view={view} canEdit={canEdit} onError={setError} />
        </div>
      </div>
      <LivePanel flowId={id} />
    </div>
  );
}
