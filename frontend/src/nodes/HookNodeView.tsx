// One node on the canvas: its kind's title, its name, painted by the last test's step status,
// with its validation problems written under it.
import { Handle, Position, type NodeProps } from '@xyflow/react';
import type { HookNode } from '../store/document';
import { useFlowStore } from '../store/flowStore';
import { useCatalog } from '../store/catalog';
import { useLang, useT } from '../i18n/i18n';
import { useShallow } from 'zustand/react/shallow';
import { messageOnNode, problemsOfNode } from '../store/problems';
import { textIn } from '../api/types';

export function statusClass(status: string | undefined): string {
  if (!status) return 'step-none';
  if (status === 'success') return 'step-ok';
  if (status === 'failed') return 'step-failed';
  return 'step-skipped';
}

/** How many of a node's problems are written out on the canvas; the rest are counted. */
const SHOWN_PROBLEMS = 2;

export function NodeProblems({ id }: { id: string }) {
  const t = useT();
  const mine = useFlowStore(useShallow((s) => problemsOfNode(s.problems, id)));
  if (!mine.length) return null;
  const messages = mine.map(messageOnNode);
  return (
    <div className="node-problems" data-testid={`node-problems-${id}`} title={mine.map((p) => p.message).join('\n')} role="note">
      <span className="node-problems-badge">{t('problems.node', { count: messages.length })}</span>
      <ul>
        {messages.slice(0, SHOWN_PROBLEMS).map((m, i) => (
          <li key={i}>{m}</li>
        ))}
      </ul>
      {messages.length > SHOWN_PROBLEMS && <div>{t('problems.more', { count: messages.length - SHOWN_PROBLEMS })}</div>}
    </div>
  );
}

export function HookNodeView({ id, data, selected }: NodeProps<HookNode>) {
  const step = useFlowStore((s) => s.steps[id]);
  const traced = useFlowStore((s) => s.trace !== null);
  const kind = useCatalog((s) => s.kinds.find((k) => k.kind === data.kind));
  const lang = useLang((s) => s.lang);
  const isTrigger = kind?.trigger ?? data.kind === 'webhook';
  const cls = traced ? statusClass(step?.status ?? 'skipped') : '';
  return (
    <div className={`hook-node ${cls} ${selected ? 'selected' : ''}`} data-testid={`node-${id}`} data-status={step?.status ?? ''}>
      {!isTrigger && <Handle type="target" position={Position.Top} />}
      <div className="hook-node-kind">{textIn(kind?.title, lang) || data.kind}</div>
      <div className="hook-node-name">{data.name || id}</div>
      <NodeProblems id={id} />
      {data.kind === 'filter' ? (
        <>
          <Handle type="source" id="true" position={Position.Bottom} style={{ left: '30%' }} className="handle-true" />
          <Handle type="source" id="false" position={Position.Bottom} style={{ left: '70%' }} className="handle-false" />
        </>
      ) : (
        <Handle type="source" position={Position.Bottom} />
      )}
    </div>
  );
}

export const nodeTypes = { hook: HookNodeView };
