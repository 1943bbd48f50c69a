// The flow canvas: nodes and edges from the store, drops from the palette add nodes.
import { useCallback, type DragEvent } from 'react';
import { Background, Controls, ReactFlow, useReactFlow } from '@xyflow/react';
import { useFlowStore } from '../store/flowStore';
import { nodeTypes } from '../nodes/HookNodeView';

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
  const { screenToFlowPosition } = useReactFlow();

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
        edges={edges}
        nodeTypes={nodeTypes}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onConnect={connect}
        onNodeDragStart={() => snapshot()}
        onPaneClick={() => select(null)}
        deleteKeyCode={['Delete', 'Backspace']}
        fitView
      >
        <Background />
        <Controls />
      </ReactFlow>
    </div>
  );
}
