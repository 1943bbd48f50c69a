import { beforeEach, describe, expect, it } from 'vitest';
import type { FlowDocument } from '../api/types';
import { fromDocument, toDocument } from './document';
import { useCatalog } from './catalog';
import { documentKey, emptyDocument, useFlowStore } from './flowStore';

const doc: FlowDocument = {
  schema: 1,
  name: 'GetCourse → CPA.House',
  description: 'd',
  template: { id: 'x', title: { en: 'T', ru: 'Т' } },
  future_member: [1, 2],
  inputs: [{ key: 'api_key', secret: true, required: true, hint: 'kept' }],
  nodes: [
    { id: 'trigger', kind: 'webhook', name: 'In', position: { x: 0, y: 0 }, config: { preset: 'getcourse.user_created' } },
    { id: 'check', kind: 'filter', position: { x: 10, y: 140 }, config: { condition: 'a == 1' }, color: 'red', notes: { a: 1 } },
    { id: 'yes', kind: 'set', position: { x: 0, y: 280 }, config: { values: [{ key: 'a', value: '1' }] } },
    { id: 'no', kind: 'js', position: { x: 200, y: 280 }, config: { code: 'return 1' } },
  ],
  edges: [
    { from: 'trigger', to: 'check' },
    { from: 'check', to: 'yes', branch: 'true', style: 'dashed' },
    { from: 'check', to: 'no', branch: 'false' },
  ],
};

describe('document round trip', () => {
  it('keeps every member, known or not', () => {
    const back = toDocument(fromDocument(structuredClone(doc)));
    expect(back).toEqual(doc);
  });

  it('maps branch edges to source handles and back', () => {
    const g = fromDocument(doc);
    const t = g.edges.find((e) => e.target === 'yes')!;
    expect(t.sourceHandle).toBe('true');
    expect(g.edges.find((e) => e.target === 'check')!.sourceHandle).toBeNull();
    expect(toDocument(g).edges[2]).toEqual({ from: 'check', to: 'no', branch: 'false' });
  });

  it('does not invent a position or config for nodes that had none', () => {
    const d: FlowDocument = { schema: 1, name: 'n', nodes: [{ id: 'a', kind: 'webhook' }], edges: [] };
    expect(toDocument(fromDocument(d))).toEqual(d);
  });

  it('survives the store: load, then document()', () => {
    useFlowStore.getState().load(structuredClone(doc), 'f1');
    expect(useFlowStore.getState().document()).toEqual(doc);
    expect(useFlowStore.getState().dirty).toBe(false);
  });
});

describe('editing, undo and redo', () => {
  beforeEach(() => useFlowStore.getState().load(emptyDocument('x')));

  it('starts a new step with its kind\'s defaults, so a new JavaScript step holds the code it shows', () => {
    useCatalog.setState({
      kinds: [{
        kind: 'js', title: { en: 'JavaScript', ru: 'JavaScript' }, help: { en: '', ru: '' }, schema: { type: 'object' },
        fields: [
          { key: 'code', type: 'code', label: { en: 'Code', ru: 'Код' }, required: true, default: 'return input;' },
          { key: 'timeout_ms', type: 'number', label: { en: 'Time limit', ru: 'Лимит' } },
        ],
      }],
    });
    const id = useFlowStore.getState().addNode('js', { x: 0, y: 0 });
    expect(useFlowStore.getState().document().nodes.find((n) => n.id === id)?.config).toEqual({ code: 'return input;' });
    useCatalog.setState({ kinds: [] });
  });

  it('adds, connects, undoes and redoes', () => {
    const s = useFlowStore.getState;
    const a = s().addNode('webhook', { x: 0, y: 0 });
    const b = s().addNode('filter', { x: 0, y: 140 });
    const c = s().addNode('set', { x: 0, y: 280 });
    expect([a, b, c]).toEqual(['webhook1', 'filter1', 'set1']);
    s().connect({ source: a, target: b, sourceHandle: null, targetHandle: null });
    s().connect({ source: b, target: c, sourceHandle: 'true', targetHandle: null });
    expect(s().dirty).toBe(true);
    expect(s().document().edges).toEqual([
      { from: 'webhook1', to: 'filter1' },
      { from: 'filter1', to: 'set1', branch: 'true' },
    ]);
    s().undo();
    expect(s().document().edges).toHaveLength(1);
    s().undo();
    expect(s().document().edges).toHaveLength(0);
    expect(s().nodes).toHaveLength(3);
    s().redo();
    s().redo();
    expect(s().document().edges).toHaveLength(2);
    s().redo(); // nothing left
    expect(s().future).toHaveLength(0);
  });

  it('removing a node drops its edges, and undo brings both back', () => {
    const s = useFlowStore.getState;
    s().addNode('webhook', { x: 0, y: 0 });
    s().addNode('http', { x: 0, y: 140 });
    s().connect({ source: 'webhook1', target: 'http1', sourceHandle: null, targetHandle: null });
    s().onNodesChange([{ type: 'remove', id: 'http1' }]);
    expect(s().nodes.map((n) => n.id)).toEqual(['webhook1']);
    expect(s().edges).toHaveLength(0);
    s().undo();
    expect(s().nodes).toHaveLength(2);
    expect(s().edges).toHaveLength(1);
  });

  it('a new change clears redo; typing into one node is one undo step', () => {
    const s = useFlowStore.getState;
    s().addNode('set', { x: 0, y: 0 });
    s().updateNode('set1', { name: 'a' });
    s().updateNode('set1', { name: 'ab' });
    s().updateNode('set1', { name: 'abc' });
    s().undo();
    expect(s().nodes[0].data.name).toBe('');
    expect(s().future).toHaveLength(1);
    s().setMeta({ name: 'y' });
    expect(s().future).toHaveLength(0);
  });

  it('keeps the last preview per node', () => {
    const s = useFlowStore.getState;
    s().setTrace({ status: 'failed', started_at: '2026-01-01T10:00:00Z', duration_ms: 1, steps: [{ node: 'a', kind: 'js', status: 'failed', duration_ms: 1, error: 'boom' }] });
    expect(s().steps.a.error).toBe('boom');
    s().setTrace(null);
    expect(s().steps).toEqual({});
  });
});

describe('problems, payload and captured requests', () => {
  it('are kept by the store and reset when another flow is loaded', () => {
    const s = useFlowStore.getState;
    s().load(emptyDocument('a'), 'f1', 'http://h/hook/t1');
    expect(s().webhookUrl).toBe('http://h/hook/t1');
    s().setProblems([{ code: 'node.url_empty', node: 'send', field: 'url', message: 'URL is empty' }]);
    s().setPayload('{"method":"GET"}');
    s().setSamples([{ event_id: 'e1', status: 'sample', received_at: '2026-01-01T00:00:00Z', payload: { method: 'GET', query: 'a=1' } }],
      [{ key: 'a', example: '1', seen: 1 }]);
    expect(s().problems).toHaveLength(1);
    expect(s().payload).toBe('{"method":"GET"}');
    expect(s().learned[0].key).toBe('a');
    s().load(emptyDocument('b'), 'f2');
    expect([s().problems, s().payload, s().samples, s().learned, s().webhookUrl]).toEqual([[], '', [], [], '']);
  });
});

describe('unsaved changes are a comparison with the saved document', () => {
  const s = useFlowStore.getState;
  beforeEach(() => s().load(structuredClone(doc), 'f1'));

  it('undo back to the saved state clears "unsaved"', () => {
    s().updateNode('yes', { name: 'Lead' });
    expect(s().dirty).toBe(true);
    s().undo();
    expect(s().dirty).toBe(false);
    s().redo();
    expect(s().dirty).toBe(true);
  });

  it('typing a name and deleting it again is not a change', () => {
    s().setMeta({ name: doc.name + '!' });
    expect(s().dirty).toBe(true);
    s().setMeta({ name: doc.name });
    expect(s().dirty).toBe(false);
  });

  it('after a save, undo to the state before it is unsaved', () => {
    s().updateNode('yes', { name: 'Lead' });
    s().markSaved('f1');
    expect(s().dirty).toBe(false);
    s().undo();
    expect(s().dirty).toBe(true);
    s().redo();
    expect(s().dirty).toBe(false);
  });

  it('an edit made while the save was on its way stays unsaved', () => {
    s().updateNode('yes', { name: 'Lead' });
    const sent = s().document();
    s().updateNode('no', { name: 'Typed during the save' });
    s().markSaved('f1', sent);
    expect(s().dirty).toBe(true);
  });

  it('a step moved and put back where it was is not a change; selecting is never one', () => {
    s().onNodesChange([{ type: 'select', id: 'yes', selected: true }]);
    expect(s().dirty).toBe(false);
    s().onNodesChange([{ type: 'position', id: 'yes', position: { x: 50, y: 300 }, dragging: false }]);
    expect(s().dirty).toBe(true);
    s().onNodesChange([{ type: 'position', id: 'yes', position: { x: 0, y: 280 }, dragging: false }]);
    expect(s().dirty).toBe(false);
  });

  it('a removed edge and a removed step are changes until undone', () => {
    s().onEdgesChange([{ type: 'remove', id: 'trigger->check' }]);
    expect(s().dirty).toBe(true);
    s().undo();
    expect(s().dirty).toBe(false);
    s().removeNode('no');
    expect(s().dirty).toBe(true);
    s().undo();
    expect(s().dirty).toBe(false);
  });

  it('documentKey ignores the order of members', () => {
    expect(documentKey({ schema: 1, name: 'a', nodes: [], edges: [] })).toBe(documentKey({ edges: [], nodes: [], name: 'a', schema: 1 }));
    expect(documentKey({ schema: 1, name: 'a', nodes: [], edges: [] })).not.toBe(documentKey({ schema: 1, name: 'b', nodes: [], edges: [] }));
  });
});
