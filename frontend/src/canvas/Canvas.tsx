// The flow canvas: nodes and edges from the store, drops from the palette add nodes.
import { useCallback, useMemo, useState, type DragEvent } from 'react';
import { Background, ControlButton, Controls, ReactFlow, useReactFlow } from '@xyflow/react';
import { translate, useLang, useT } from '../i18n/i18n';
import { useFlowStore } from '../store/flowStore';
import { nodeTypes } from '../nodes/HookNodeView';
import { canvasAriaLabels, labelEdges } from './ariaLabels';

export const DRAG_MIME = 'application/x-hookflow-kind';

export function Canvas() {
  const nodes = useFlowStore((s) => s.nodes);
  const edges = useFlowStore((s) => s.edges);
  const onNodesChange = useFlowStore((s) => s.onNodesChange);
  const onEdgesChange = useFlowStore((s) => s.onEdgesChange);
  const connect = useFlowStore((s) => s.connect);
  const addNode = useFlowStore((s) => s.addNode);
  const snapshot = useFlowStore((s) => s.snapshot);
  const select = useFlowStore((s) => s.select);
  const { screenToFlowPosition, fitView } = useReactFlow();
  const t = useT();
  const lang = useLang((s) => s.lang);
  const ariaLabels = useMemo(() => canvasAriaLabels((k, p) => translate(lang, k, p)), [lang]);
  const labelled = useMemo(() => {
    const names = new Map(nodes.map((n) => [n.id, String((n.data as { name?: string }).name || n.id)]));
    return labelEdges(edges, (id) => names.get(id) ?? id, (k, p) => translate(lang, k, p));
  }, [edges, nodes, lang]);
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
      addNode(kind, screenToFlowPosition({ x: e.clientX, y: e.clientY }));
    },
    [addNode, screenToFlowPosition],
  );

  return (
    <div className="canvas" onDragOver={onDragOver} onDrop={onDrop} data-testid="canvas">
      <ReactFlow
        nodes={nodes}
        edges={labelled}
        ariaLabelConfig={ariaLabels}
        nodeTypes={nodeTypes}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onConnect={connect}
        onNodeDragStart={() => snapshot()}
        onPaneClick={() => select(null)}
        deleteKeyCode={['Delete', 'Backspace']}
        fitView={fitLoaded}
        fitViewOptions={{ maxZoom: 1, padding: 0.2 }}
        defaultViewport={{ x: 40, y: 40, zoom: 1 }}
      >
        <Background />
        <Controls>
          <ControlButton onClick={autoLayout} title={t('editor.autoLayout')} aria-label={t('editor.autoLayout')} data-testid="auto-layout">
            ⇅
          </ControlButton>
        </Controls>
      </ReactFlow>
    </div>
  );
}
