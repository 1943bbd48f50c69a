import { describe, expect, it } from 'vitest';
import type { FlowDocument } from '../api/types';
import { useFlowStore } from './flowStore';
import { NODE_HEIGHT, NODE_WIDTH, nextFreePosition, positionBelow } from './layout';
import type { HookNode } from './document';

// Every node piled on one spot, as after careless drops: a condition with two branches.
const piled: FlowDocument = {
  schema: 1,
  name: 'piled',
  nodes: [
    { id: 'trigger', kind: 'webhook', position: { x: 5, y: 5 }, config: {} },
    { id: 'check', kind: 'filter', position: { x: 5, y: 5 }, config: {} },
    { id: 'yes', kind: 'http', position: { x: 5, y: 5 }, config: {} },
    { id: 'no', kind: 'js', position: { x: 5, y: 5 }, config: {} },
  ],
  edges: [
    { from: 'trigger', to: 'check' },
    { from: 'check', to: 'yes', branch: 'true' },
    { from: 'check', to: 'no', branch: 'false' },
  ],
};

function boxes() {
  return Object.fromEntries(useFlowStore.getState().nodes.map((n) => [n.id, n.position]));
}

describe('auto-layout', () => {
  it('puts each step below the one it follows and branches side by side without overlap', () => {
    useFlowStore.getState().load(structuredClone(piled), 'f1');
    useFlowStore.getState().autoLayout();
    const p = boxes();
    expect(p.check.y).toBeGreaterThanOrEqual(p.trigger.y + NODE_HEIGHT);
    expect(p.yes.y).toBeGreaterThanOrEqual(p.check.y + NODE_HEIGHT);
    expect(p.yes.y).toBe(p.no.y);
    expect(Math.abs(p.yes.x - p.no.x)).toBeGreaterThanOrEqual(NODE_WIDTH);
    expect(useFlowStore.getState().dirty).toBe(true);
  });

  it('is one undo step', () => {
    useFlowStore.getState().load(structuredClone(piled), 'f1');
    useFlowStore.getState().autoLayout();
    useFlowStore.getState().undo();
    expect(Object.values(boxes())).toEqual(Array(4).fill({ x: 5, y: 5 }));
  });

  it('places a node added from the keyboard below the lowest one', () => {
    useFlowStore.getState().load(structuredClone(piled), 'f1');
    useFlowStore.getState().autoLayout();
    const lowest = Math.max(...Object.values(boxes()).map((p) => p.y));
    expect(nextFreePosition(useFlowStore.getState().nodes).y).toBeGreaterThan(lowest + NODE_HEIGHT);
    expect(nextFreePosition([])).toEqual({ x: 0, y: 0 });
  });
});

describe('positionBelow', () => {
  const node = (id: string, x: number, y: number): HookNode => ({
    id, type: 'hook', position: { x, y }, measured: { width: 200, height: 60 },
    data: { kind: 'set', name: '', config: {}, extra: {}, hadPosition: true },
  });

  it('puts a step right below the one it joins', () => {
    const a = node('a', 100, 0);
    expect(positionBelow(a, [a])).toEqual({ x: 100, y: 130 });
  });

  it('moves right past a step already below (a second branch sits beside the first)', () => {
    const a = node('a', 100, 0);
    const b = node('b', 100, 130);
    expect(positionBelow(a, [a, b])).toEqual({ x: 360, y: 130 });
  });
});
