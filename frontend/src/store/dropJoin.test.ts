import { beforeEach, describe, expect, it } from 'vitest';
import { emptyDocument, useFlowStore } from './flowStore';
import { useCatalog } from './catalog';
import { kinds } from '../test/fixtures';

const s = useFlowStore.getState;
const at = (y: number) => ({ x: 0, y });
const links = () => s().document().edges;

describe('a step dropped from the palette joins the flow', () => {
  beforeEach(() => {
    useCatalog.setState({ kinds }); // the condition's outputs come from its kind
    s().load(emptyDocument('x'));
  });

  it('chains steps in the order they are dropped, each joined to the one before', () => {
    s().dropNode('webhook', at(0));
    s().dropNode('form_encode', at(140));
    s().dropNode('http', at(280));
    expect(links()).toEqual([
      { from: 'webhook1', to: 'form_encode1' },
      { from: 'form_encode1', to: 'http1' },
    ]);
    expect(s().selectedId).toBe('http1');
  });

  it('joins to the selected step rather than the last one', () => {
    s().dropNode('webhook', at(0));
    s().dropNode('http', at(140));
    s().select('webhook1');
    s().dropNode('set', at(280));
    expect(links()).toEqual([
      { from: 'webhook1', to: 'http1' },
      { from: 'webhook1', to: 'set1' },
    ]);
  });

  it('joins to the last step nothing leaves when none is selected', () => {
    s().dropNode('webhook', at(0));
    s().dropNode('http', at(140));
    s().select(null);
    s().dropNode('set', at(280));
    expect(links().at(-1)).toEqual({ from: 'http1', to: 'set1' });
  });

  it('hands on a condition\'s "true" branch first, then its "false" branch', () => {
    s().dropNode('filter', at(0));
    s().dropNode('http', at(140));
    s().select('filter1');
    s().dropNode('set', at(140));
    expect(links()).toEqual([
      { from: 'filter1', to: 'http1', branch: 'true' },
      { from: 'filter1', to: 'set1', branch: 'false' },
    ]);
  });

  it('leads a trigger dropped last into the first step nothing leads into', () => {
    s().dropNode('form_encode', at(140));
    s().dropNode('webhook', at(0));
    expect(links()).toEqual([{ from: 'webhook1', to: 'form_encode1' }]);
  });

  it('is one undo step: the step and its line go together', () => {
    s().dropNode('webhook', at(0));
    s().dropNode('http', at(140));
    s().undo();
    expect(s().nodes.map((n) => n.id)).toEqual(['webhook1']);
    expect(s().edges).toHaveLength(0);
    s().redo();
    expect(links()).toEqual([{ from: 'webhook1', to: 'http1' }]);
  });
});

describe('connect refuses lines that make no sense', () => {
  beforeEach(() => {
    s().load(emptyDocument('x'));
    s().addNode('webhook', at(0));
    s().addNode('http', at(140));
    s().connect({ source: 'webhook1', target: 'http1', sourceHandle: null, targetHandle: null });
  });

  it.each([
    ['a step to itself', 'http1', 'http1'],
    ['a line into the trigger', 'http1', 'webhook1'],
    ['the same line twice', 'webhook1', 'http1'],
    ['a step that does not exist', 'http1', 'nowhere'],
  ])('%s', (_, source, target) => {
    const before = s().past.length;
    s().connect({ source, target, sourceHandle: null, targetHandle: null });
    expect(links()).toEqual([{ from: 'webhook1', to: 'http1' }]);
    expect(s().past.length).toBe(before); // nothing to undo either
  });
});
