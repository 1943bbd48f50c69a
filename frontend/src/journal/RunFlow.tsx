// The flow as it ran: the editor's picture of the steps, read-only, each painted by its result
// in this run (green delivered, red failed, grey not reached), as the editor's Test paints them.
// A click on a step scrolls to its details below. Its own small node (the editor's node reads
// the editor's store); the colours are the editor's (statusClass).
import { memo, useEffect, useMemo } from 'react';
import { Background, Handle, Position, ReactFlow, ReactFlowProvider, type NodeProps } from '@xyflow/react';
import type { FlowDocument, StepTrace } from '../api/types';
import { textIn } from '../api/types';
import { translate, useLang, useT } from '../i18n/i18n';
import { labelEdges, useCanvasWords } from '../canvas/ariaLabels';
import { statusClass } from '../nodes/HookNodeView';
import { OutputHandles } from '../nodes/outputs';
import { useCatalog } from '../store/catalog';
import { fromDocument, type HookNode, type HookNodeData } from '../store/document';
import { layoutPositions } from '../store/layout';
import { StatusText } from './StatusText';

interface RunNodeData extends HookNodeData {
  status: string;
  /** a Delay step: the time it waits until */
  until?: string;
}

type RunNode = Omit<HookNode, 'data' | 'type'> & { type: 'run'; data: RunNodeData };

function RunStepNode({ id, data }: NodeProps<RunNode>) {
  const kind = useCatalog((s) => s.kinds.find((k) => k.kind === data.kind));
  const lang = useLang((s) => s.lang);
  const isTrigger = kind?.trigger ?? data.kind === 'webhook';
  return (
    <div className={`hook-node run-node ${statusClass(data.status)}`} data-testid={`run-node-${id}`} data-status={data.status}>
      {!isTrigger && <Handle type="target" position={Position.Top} isConnectable={false} />}
      <div className="hook-node-kind">{textIn(kind?.title, lang) || data.kind}</div>
      <div className="hook-node-name">{data.name || id}</div>
      <div className="run-node-status"><StatusText status={data.status} until={data.until} /></div>
      <OutputHandles nodeId={id} kind={data.kind} config={data.config} lang={lang} connectable={false} />
    </div>
  );
}

// memo(): React Flow renders custom nodes again on every change of its store unless they are.
const runNodeTypes = { run: memo(RunStepNode) };

/** Nodes of the document with each step's status in the trace ('skipped' when it did not run). */
export function runGraph(doc: FlowDocument, steps: StepTrace[]) {
  const g = fromDocument(doc);
  const status = new Map<string, string>();
  const until = new Map<string, string>();
  for (const s of steps) {
    status.set(s.node, s.status);
    if (s.until) until.set(s.node, s.until);
  }
  const placed = g.nodes.some((n) => n.data.hadPosition);
  const pos = placed ? null : layoutPositions(g.nodes, g.edges);
  const nodes: RunNode[] = g.nodes.map((n) => ({
    ...n,
    type: 'run',
    position: pos?.[n.id] ?? n.position,
    draggable: false,
    connectable: false,
    selectable: false,
    data: { ...n.data, status: status.get(n.id) ?? 'skipped', until: until.get(n.id) },
  }));
  const edges = g.edges.map((e) => ({ ...e, animated: status.get(e.source) === 'success' && status.has(e.target) }));
  return { nodes, edges };
}

/** Made once: React Flow compares its options by identity. */
const runFit = { maxZoom: 1, padding: 0.15 };

export function RunFlow({ doc, steps, onStep }: { doc: FlowDocument; steps: StepTrace[]; onStep?: (node: string) => void }) {
  const t = useT();
  const load = useCatalog((s) => s.load);
  useEffect(() => void load(), [load]);
  const lang = useLang((s) => s.lang);
  const words = useCanvasWords();
  const { nodes, edges } = useMemo(() => {
    const g = runGraph(doc, steps);
    const names = new Map(g.nodes.map((n) => [n.id, n.data.name || n.id]));
    return { nodes: g.nodes, edges: labelEdges(g.edges, (id) => names.get(id) ?? id, (k, p) => translate(lang, k, p)) };
  }, [doc, steps, lang]);
  return (
    <div className="run-flow" data-testid="run-flow" aria-label={t('runs.flowPicture')}>
      <ReactFlowProvider>
        <ReactFlow nodes={nodes} edges={edges} nodeTypes={runNodeTypes} ariaLabelConfig={words} fitView fitViewOptions={runFit}
          nodesDraggable={false} nodesConnectable={false} elementsSelectable={false} zoomOnScroll={false} panOnScroll={false}
          preventScrolling={false} onNodeClick={(_, n) => onStep?.(n.id)}>
          <Background />
        </ReactFlow>
      </ReactFlowProvider>
    </div>
  );
}
