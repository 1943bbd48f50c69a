// One node on the canvas: what it does in the user's words (title, service badge and colour, a
// one-line summary), painted by the last test's step status, with its problems written under it.
import { memo, useCallback, type CSSProperties } from 'react';
import { Handle, Position, type NodeProps } from '@xyflow/react';
import { Box, Braces, Clock, Code, Combine, Hourglass, ListChecks, Repeat, Reply, Send, Sheet, Signpost, Split, Table, Webhook, type LucideIcon } from 'lucide-react';
import { describeStep, SERVICES, type ServiceId, type StepDescription, type StepLike } from './describe';
import type { HookNode } from '../store/document';
import { useFlowStore } from '../store/flowStore';
import { useCatalog } from '../store/catalog';
import { useLang, useT } from '../i18n/i18n';
import { useShallow } from 'zustand/react/shallow';
import { messageOnNode, problemsOfNode } from '../store/problems';
import { textIn } from '../api/types';
import { OutputHandles } from './outputs';

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

/** The icon of each kind of step (lucide, imported one by one so only these are bundled). */
const KIND_ICONS: Record<string, LucideIcon> = {
  webhook: Webhook,
  schedule: Clock,
  http: Send,
  form_encode: ListChecks,
  set: Table,
  json_parse: Braces,
  js: Code,
  filter: Split,
  switch: Signpost,
  reply: Reply,
  google_sheets: Sheet,
  delay: Hourglass,
  foreach: Repeat,
  collect: Combine,
};

export function KindIcon({ kind, size = 16 }: { kind: string; size?: number }) {
  const Icon = KIND_ICONS[kind] ?? Box;
  return <Icon size={size} aria-hidden="true" className="kind-icon" />;
}

/** A service's coloured badge with its short mark ("CPA" for CPA.House). */
export function ServiceBadge({ service }: { service: ServiceId }) {
  const t = useT();
  const s = SERVICES[service];
  if (service === 'generic') return null;
  return (
    <span className="service-badge" style={{ background: s.colour }} title={t('canvas.service', { service: s.name })} data-service={service} data-brand>
      {s.mark}
    </span>
  );
}

const asStep = (n: HookNode): StepLike => ({ id: n.id, kind: n.data.kind, name: n.data.name, config: n.data.config });

/**
 * A step's title as the canvas shows it — its name, or what it does ("Отправить лид в
 * CPA.House") — for headings elsewhere in the editor, which must not show an id like `http1`.
 */
export function useStepTitles(): (id: string) => string {
  const presets = useCatalog((s) => s.presets);
  const lang = useLang((s) => s.lang);
  const nodes = useFlowStore((s) => s.nodes);
  const edges = useFlowStore((s) => s.edges);
  return useCallback((id: string) => {
    const node = nodes.find((n) => n.id === id);
    if (!node) return id;
    return describeStep(asStep(node), { nodes: nodes.map(asStep), edges, presets, lang }).title || id;
  }, [nodes, edges, presets, lang]);
}

/** What the canvas says about one step; re-renders only when the words change. */
function useDescription(id: string): StepDescription {
  const presets = useCatalog((s) => s.presets);
  const kinds = useCatalog((s) => s.kinds);
  const lang = useLang((s) => s.lang);
  return useFlowStore(
    useShallow((s): StepDescription => {
      const node = s.nodes.find((n) => n.id === id);
      if (!node) return { title: '', summary: '', service: 'generic', named: false };
      return describeStep(asStep(node), { nodes: s.nodes.map(asStep), edges: s.edges, presets, lang, kinds });
    }),
  );
}

function HookNodeViewInner({ id, data, selected }: NodeProps<HookNode>) {
  const t = useT();
  const lang = useLang((s) => s.lang);
  const step = useFlowStore((s) => s.steps[id]);
  const traced = useFlowStore((s) => s.trace !== null);
  const isTrigger = useCatalog((s) => s.kinds.find((k) => k.kind === data.kind)?.trigger ?? data.kind === 'webhook');
  const d = useDescription(id);
  const colour = SERVICES[d.service].colour;
  const cls = traced ? statusClass(step?.status ?? 'skipped') : '';
  return (
    <div className={`hook-node ${cls} ${selected ? 'selected' : ''}`} data-testid={`node-${id}`} data-status={step?.status ?? ''}
      data-service={d.service} style={{ '--service': colour } as CSSProperties}>
      {!isTrigger && <Handle type="target" position={Position.Top} className="handle-in" />}
      <div className="hook-node-head">
        <span className="hook-node-icon"><KindIcon kind={data.kind} /></span>
        <span className="hook-node-title" data-testid={`node-title-${id}`}>{d.title}</span>
        <ServiceBadge service={d.service} />
      </div>
      {d.summary && <div className="hook-node-summary" data-testid={`node-summary-${id}`} title={d.summary}>{d.summary}</div>}
      <NodeProblems id={id} />
      <OutputHandles nodeId={id} kind={data.kind} config={data.config} lang={lang}
        title={(o) => (o ? t('canvas.branch.help', { branch: textIn(o.label, lang) }) : t('canvas.handle.out'))} />
    </div>
  );
}

/** Memoised, as React Flow advises: a node re-renders only when its own props change. */
export const HookNodeView = memo(HookNodeViewInner);

export const nodeTypes = { hook: HookNodeView };
