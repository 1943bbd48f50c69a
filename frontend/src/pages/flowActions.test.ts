import { describe, expect, it } from 'vitest';
import type { FlowDocument, FlowView } from '../api/types';
import { FlowFileError, duplicate, importFile, parseFlowFile, remove, toggle, type FlowsServer } from './flowActions';

const doc = (name: string): FlowDocument => ({ schema: 1, name, nodes: [{ id: 'trigger', kind: 'webhook' }], edges: [] });

function flow(id: string, name: string, active = false): FlowView {
  return {
    id, name, active, version: 1, webhook_url: `http://x/hook/${id}`, document: doc(name), input_values: {}, settings: {},
    problems: [], created_at: '', updated_at: '', failed_runs: 0,
  };
}

/** The server's rules for these calls, kept in memory: ids, the stopped state of copies and imports. */
function server(initial: FlowView[]) {
  const flows = new Map(initial.map((f) => [f.id, f]));
  const calls: string[] = [];
  let next = 1;
  const get = (id: string) => {
    const f = flows.get(id);
    if (!f) throw new Error('not found');
    return f;
  };
  const s: FlowsServer = {
    startFlow: async (id) => (calls.push(`start ${id}`), { ...get(id), active: true }),
    stopFlow: async (id) => (calls.push(`stop ${id}`), { ...get(id), active: false }),
    deleteFlow: async (id) => {
      calls.push(`delete ${id}`);
      flows.delete(id);
    },
    duplicateFlow: async (id, name) => {
      calls.push(`duplicate ${id} ${name}`);
      const copy = { ...get(id), id: `c${next++}`, name: name ?? '', active: false };
      flows.set(copy.id, copy);
      return copy;
    },
    importFlow: async (d) => {
      calls.push('import');
      const f = flow(`i${next++}`, (d as FlowDocument).name);
      flows.set(f.id, f);
      return f;
    },
  };
  return { s, flows, calls };
}

describe('flows list actions', () => {
  it.each([
    ['a stopped flow is started', false, 'start f1'],
    ['an active flow is stopped', true, 'stop f1'],
  ])('%s', async (_name, active, want) => {
    const srv = server([flow('f1', 'Leads', active)]);
    const v = await toggle(srv.s, srv.flows.get('f1')!);
    expect(srv.calls).toEqual([want]);
    expect(v.active).toBe(!active);
  });

  it('duplicates on the server under the translated copy name, stopped', async () => {
    const srv = server([flow('f1', 'Leads', true)]);
    const copy = await duplicate(srv.s, srv.flows.get('f1')!, (n) => `Копия ${n}`);
    expect(srv.calls).toEqual(['duplicate f1 Копия Leads']);
    expect(copy.active).toBe(false);
    expect(srv.flows.size).toBe(2);
  });

  it.each([
    ['deletes when the user confirms', true, ['delete f1'], 0],
    ['keeps the flow when the user declines', false, [], 1],
  ])('%s', async (_name, answer, wantCalls, left) => {
    const srv = server([flow('f1', 'Leads')]);
    const asked: string[] = [];
    const done = await remove(srv.s, srv.flows.get('f1')!, (q) => (asked.push(q), answer), (n) => `Delete “${n}”?`);
    expect(done).toBe(answer);
    expect(asked).toEqual(['Delete “Leads”?']);
    expect(srv.calls).toEqual(wantCalls);
    expect(srv.flows.size).toBe(left);
  });

  it('imports an exported flow, a template file and a saved API answer', async () => {
    const srv = server([]);
    await importFile(srv.s, JSON.stringify(doc('Exported')));
    await importFile(srv.s, '\uFEFF' + JSON.stringify({ ...doc('Template'), template: { id: 't' } }));
    await importFile(srv.s, JSON.stringify({ id: 'old', document: doc('Answer') }));
    expect([...srv.flows.values()].map((f) => f.name)).toEqual(['Exported', 'Template', 'Answer']);
  });

  it.each([
    ['not JSON', 'name=x', 'not_json'],
    ['a list', '[1,2]', 'not_flow'],
    ['an object without nodes', '{"name":"x"}', 'not_flow'],
  ])('refuses a file that is %s before calling the server', async (_name, text, reason) => {
    const srv = server([]);
    await expect(importFile(srv.s, text)).rejects.toSatisfy((e) => e instanceof FlowFileError && e.reason === reason);
    expect(srv.calls).toEqual([]);
    expect(() => parseFlowFile(text)).toThrow(FlowFileError);
  });
});
