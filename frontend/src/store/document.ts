// Flow document ⇄ React Flow nodes/edges. Pure; unknown members survive the round trip.
import type { Edge, Node } from '@xyflow/react';
import type { DocEdge, DocNode, FlowDocument, FlowInputDef } from '../api/types';

export interface HookNodeData extends Record<string, unknown> {
  kind: string;
  name: string;
  config: Record<string, unknown>;
  /** members of the document node this editor does not know */
  extra: Record<string, unknown>;
  /** whether the document had a position (kept absent when it had none and the node never moved) */
  hadPosition: boolean;
}

export interface HookEdgeData extends Record<string, unknown> {
  extra: Record<string, unknown>;
}

export type HookNode = Node<HookNodeData, 'hook'>;
export type HookEdge = Edge<HookEdgeData>;

/** The document without nodes and edges: schema, name, inputs, template, anything unknown. */
export interface DocMeta {
  schema: number;
  name: string;
  description?: string;
  inputs?: FlowInputDef[];
  [extra: string]: unknown;
}

export interface Graph {
  meta: DocMeta;
  nodes: HookNode[];
  edges: HookEdge[];
}

const ROW = 140;

export function edgeId(from: string, to: string, branch?: string): string {
  return `${from}->${to}${branch ? ':' + branch : ''}`;
}

export function fromDocument(doc: FlowDocument): Graph {
  const { nodes = [], edges = [], ...meta } = doc;
  return {
    meta: { ...meta, schema: meta.schema ?? 1, name: meta.name ?? '' },
    nodes: nodes.map((n, i): HookNode => {
      const { id, kind, name, position, config, ...extra } = n;
      return {
        id,
        type: 'hook',
        position: position ? { x: position.x, y: position.y } : { x: 0, y: i * ROW },
        data: { kind, name: name ?? '', config: config ?? {}, extra, hadPosition: !!position },
      };
    }),
    edges: edges.map((e): HookEdge => {
      const { from, to, branch, ...extra } = e;
      return {
        id: edgeId(from, to, branch),
        source: from,
        target: to,
        sourceHandle: branch || null,
        label: branch || undefined,
        data: { extra },
      };
    }),
  };
}

export function toDocument(g: Graph): FlowDocument {
  const nodes = g.nodes.map((n): DocNode => {
    const d = n.data;
    const out: DocNode = { id: n.id, kind: d.kind };
    if (d.name) out.name = d.name;
    const moved = !(n.position.x === 0 && n.position.y === 0) || d.hadPosition;
    if (moved) out.position = { x: Math.round(n.position.x), y: Math.round(n.position.y) };
    if (d.config && Object.keys(d.config).length > 0) out.config = d.config;
    return { ...out, ...d.extra };
  });
  const edges = g.edges.map((e): DocEdge => {
    const out: DocEdge = { from: e.source, to: e.target };
    if (e.sourceHandle) out.branch = e.sourceHandle;
    return { ...out, ...(e.data?.extra ?? {}) };
  });
  return { ...g.meta, nodes, edges } as FlowDocument;
}
