// Auto-layout: the flow top to bottom in layers (dagre), the way the seeds describe flows —
// a trigger, then steps "one after another". Branches of a condition sit side by side.
import dagre from '@dagrejs/dagre';
import type { HookEdge, HookNode } from './document';

export const NODE_WIDTH = 200;
export const NODE_HEIGHT = 60;
const GAP_X = 60;
const GAP_Y = 70;

/** New top-left positions for every node; nodes keep their measured size when known. */
export function layoutPositions(nodes: HookNode[], edges: HookEdge[]): Record<string, { x: number; y: number }> {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: 'TB', nodesep: GAP_X, ranksep: GAP_Y, marginx: 0, marginy: 0 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of nodes) {
    g.setNode(n.id, { width: n.measured?.width ?? NODE_WIDTH, height: n.measured?.height ?? NODE_HEIGHT });
  }
  const ids = new Set(nodes.map((n) => n.id));
  for (const e of edges) if (ids.has(e.source) && ids.has(e.target)) g.setEdge(e.source, e.target);
  dagre.layout(g);
  const out: Record<string, { x: number; y: number }> = {};
  for (const n of nodes) {
    const p = g.node(n.id); // dagre gives centres; React Flow wants top-left corners
    out[n.id] = { x: Math.round(p.x - p.width / 2), y: Math.round(p.y - p.height / 2) };
  }
  return out;
}

/** Where a node added from the keyboard goes: below the lowest node, in the first column. */
export function nextFreePosition(nodes: HookNode[]): { x: number; y: number } {
  if (nodes.length === 0) return { x: 0, y: 0 };
  const bottom = Math.max(...nodes.map((n) => n.position.y + (n.measured?.height ?? NODE_HEIGHT)));
  const left = Math.min(...nodes.map((n) => n.position.x));
  return { x: left, y: bottom + GAP_Y };
}

/** Where a step added from the keyboard under another goes: right below it, moved right past any
 * step already there (the second branch of a condition sits beside the first). */
export function positionBelow(source: HookNode, nodes: HookNode[]): { x: number; y: number } {
  const size = (n: HookNode) => ({ w: n.measured?.width ?? NODE_WIDTH, h: n.measured?.height ?? NODE_HEIGHT });
  const y = source.position.y + size(source).h + GAP_Y;
  let x = source.position.x;
  const w = size(source).w;
  const taken = (px: number) => nodes.some((n) => {
    const s = size(n);
    return px < n.position.x + s.w && n.position.x < px + w && y < n.position.y + s.h && n.position.y < y + NODE_HEIGHT;
  });
  while (taken(x)) x += w + GAP_X;
  return { x, y };
}
