// The flow canvas: nodes and edges from the store. A step dropped from the palette is joined to
// the selected (or last) step; a line dropped anywhere on a step's body connects to it.
import { useCallback, useMemo, useState, type DragEvent } from 'react';
import { useShallow } from 'zustand/react/shallow';
import {
  Background, ControlButton, Controls, ReactFlow, useReactFlow,
  type Connection, type FinalConnectionState, type IsValidConnection,
} from '@xyflow/react';
import { translate, useLang, useT } from '../i18n/i18n';
import { useCatalog } from '../store/catalog';
import { canConnect, useFlowStore } from '../store/flowStore';
import type { HookEdge } from '../store/document';
import { KindIcon, nodeTypes } from '../nodes/HookNodeView';
import { kindName } from '../nodes/describe';
import { outputLabel } from '../nodes/outputs';
import { labelEdges, useCanvasWords } from './ariaLabels';

export const DRAG_MIME = 'application/x-hookflow-kind';

// Props React Flow compares by identity: made once, not on every render (a new deleteKeyCode array
// would register its key listeners again each time).
const deleteKeys = ['Delete', 'Backspace'];
const fitOptions = { maxZoom: 1, padding: 0.2 };
const startViewport = { x: 40, y: 40, zoom: 1 };

export function Canvas() {
  const nodes = useFlowStore((s) => s.nodes);
  const edges = useFlowStore((s) => s.edges);
  const onNodesChange = useFlowStore((s) => s.onNodesChange);
  const onEdgesChange = useFlowStore((s) => s.onEdgesChange);
  const connect = useFlowStore((s) => s.connect);
  const dropNode = useFlowStore((s) => s.dropNode);
  const snapshot = useFlowStore((s) => s.snapshot);
  const select = useFlowStore((s) => s.select);
  const { screenToFlowPosition, fitView } = useReactFlow();
  const t = useT();
  const autoLayout = () => {
    useFlowStore.getState().autoLayout();
    requestAnimationFrame(() => void fitView({ maxZoom: 1, padding: 0.2, duration: 200 }));
  };
  // Fit a loaded flow into view once, but never zoom past 100%: on an empty canvas React Flow
  // would otherwise fit the first dropped node, zooming in so far that the next drops overlap it.
  const [fitLoaded] = useState(() => useFlowStore.getState().nodes.length > 0);

  const onDragOver = useCallback((e: DragEvent) => {
    e.preventDefault();
    e.dataTransfer.dropEffect = 'move';
  }, []);

  const onDrop = useCallback(
    (e: DragEvent) => {
      e.preventDefault();
      const kind = e.dataTransfer.getData(DRAG_MIME);
      if (!kind) return;
      dropNode(kind, screenToFlowPosition({ x: e.clientX, y: e.clientY }));
    },
    [dropNode, screenToFlowPosition],
  );

  const isValidConnection = useCallback<IsValidConnection>((c) => {
    const s = useFlowStore.getState();
    return canConnect(c, s.nodes, s.edges);
  }, []);

  // A line let go over a step's body rather than its small handle still joins the two steps.
  const onConnectEnd = useCallback((event: MouseEvent | TouchEvent, state: FinalConnectionState) => {
    if (state.isValid || !state.fromNode) return;
    const point = 'changedTouches' in event ? event.changedTouches[0] : event;
    if (!point) return;
    const el = document.elementFromPoint(point.clientX, point.clientY)?.closest('.react-flow__node');
    const over = el?.getAttribute('data-id');
    if (!over || over === state.fromNode.id) return;
    const handle = state.fromHandle;
    const c: Connection = handle?.type === 'target'
      ? { source: over, target: state.fromNode.id, sourceHandle: null, targetHandle: null }
      : { source: state.fromNode.id, target: over, sourceHandle: handle?.id ?? null, targetHandle: null };
    connect(c);
  }, [connect]);

  const onNodeDragStart = useCallback(() => snapshot(), [snapshot]);
  const onPaneClick = useCallback(() => select(null), [select]);

  // Branch lines are labelled with their output's name in the user's language ("да" / "нет").
  // The labels depend on the steps' ids and data only: dragging a step (a new position, the same
  // data) leaves the lines as they are instead of rebuilding every one on each frame.
  const lang = useLang((s) => s.lang);
  const kinds = useCatalog((s) => s.kinds);
  const ids = useFlowStore(useShallow((s) => s.nodes.map((n) => n.id)));
  const data = useFlowStore(useShallow((s) => s.nodes.map((n) => n.data)));
  const shownEdges = useMemo(() => {
    const byId = new Map(ids.map((id, i) => [id, data[i]]));
    return edges.map((e): HookEdge => (e.sourceHandle
      ? { ...e, label: outputLabel(byId.get(e.source)?.kind ?? '', e.sourceHandle, lang, kinds, byId.get(e.source)?.config) }
      : e));
  }, [edges, ids, data, lang, kinds]);
  // Each line read out by screen readers as "from «step» to «step»".
  const labelled = useMemo(() => {
    const names = new Map(ids.map((id, i) => [id, data[i].name || id]));
    return labelEdges(shownEdges, (id) => names.get(id) ?? id, (k, p) => translate(lang, k, p));
  }, [shownEdges, ids, data, lang]);

  const ariaLabels = useCanvasWords();

  return (
    <div className="canvas" onDragOver={onDragOver} onDrop={onDrop} data-testid="canvas">
      <ReactFlow
        nodes={nodes}
        edges={labelled}
        nodeTypes={nodeTypes}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onConnect={connect}
        onConnectEnd={onConnectEnd}
        isValidConnection={isValidConnection}
        connectionRadius={40}
        ariaLabelConfig={ariaLabels}
        onNodeDragStart={onNodeDragStart}
        onPaneClick={onPaneClick}
        deleteKeyCode={deleteKeys}
        fitView={fitLoaded}
        fitViewOptions={fitOptions}
        defaultViewport={startViewport}
      >
        <Background />
        <Controls>
          <ControlButton onClick={autoLayout} title={t('editor.autoLayout')} aria-label={t('editor.autoLayout')} data-testid="auto-layout">
            ⇅
          </ControlButton>
        </Controls>
      </ReactFlow>
      {nodes.length === 0 && <EmptyHint />}
    </div>
  );
}

/** What an empty canvas says: drag the trigger here first. */
function EmptyHint() {
  const t = useT();
  const lang = useLang((s) => s.lang);
  // The webhook first: most flows start with what a service sends.
  const trigger = useCatalog((s) => s.kinds.find((k) => k.kind === 'webhook') ?? s.kinds.find((k) => k.trigger));
  const name = trigger ? kindName(trigger, lang) : translate(lang, 'canvas.kind.webhook');
  return (
    <div className="canvas-empty" data-testid="canvas-empty" role="note">
      <KindIcon kind={trigger?.kind ?? 'webhook'} size={28} />
      <strong>{t('canvas.empty.title')}</strong>
      <p>{t('canvas.empty.body', { trigger: name })}</p>
      <p className="muted small">{t('canvas.empty.next')}</p>
    </div>
  );
}
