import { describe, expect, it } from 'vitest';
import type { FlowDocument, StepTrace } from '../api/types';
import { runGraph } from './RunFlow';

const doc: FlowDocument = {
  schema: 1,
  name: 'f',
  nodes: [
    { id: 'trigger', kind: 'webhook' },
    { id: 'check', kind: 'filter' },
    { id: 'send', kind: 'http', name: 'Send the lead' },
  ],
  edges: [{ from: 'trigger', to: 'check' }, { from: 'check', to: 'send', branch: 'true' }],
};

const step = (node: string, status: string): StepTrace => ({ node, kind: 'x', status, duration_ms: 1 }) as StepTrace;

describe("a run's flow picture", () => {
  it('paints each step by its result in the run and the steps it never reached grey', () => {
    const g = runGraph(doc, [step('trigger', 'success'), step('check', 'failed')]);
    expect(Object.fromEntries(g.nodes.map((n) => [n.id, n.data.status]))).toEqual({ trigger: 'success', check: 'failed', send: 'skipped' });
    expect(g.nodes.every((n) => n.draggable === false && n.connectable === false)).toBe(true);
    expect(g.edges.find((e) => e.target === 'send')?.sourceHandle).toBe('true');
  });

  it('draws a flow saved without positions top to bottom, in its order', () => {
    const g = runGraph(doc, []);
    const ys = g.nodes.map((n) => n.position.y);
    expect(new Set(ys).size).toBe(3);
    expect(ys[0]).toBeLessThan(ys[1]);
    expect(ys[1]).toBeLessThan(ys[2]);
  });
});
