// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import type { FlowDocument, KindInfo } from '../api/types';
import { useCatalog } from '../store/catalog';
import { useFlowStore } from '../store/flowStore';
import { useLang } from '../i18n/i18n';
import { describeStep } from '../nodes/describe';
import { freeOutput, outputLabel, outputsOf, OutputHandles } from '../nodes/outputs';
import { ReactFlowProvider } from '@xyflow/react';
import '../test/jsdom';
import { getcourse, kinds } from '../test/fixtures';
import { Inspector } from './Inspector';
import { moveRow } from './OutputRows';

const s = useFlowStore.getState;

// The router as the engine declares it (flows/node_switch.go): its routes are outputs, then "otherwise".
export const router: KindInfo = {
  kind: 'switch', title: { en: 'Router', ru: 'Маршрутизатор' }, help: { en: '' }, schema: { type: 'object' }, outputs_from: 'routes',
  outputs: [{ name: 'otherwise', label: { en: 'otherwise', ru: 'Иначе' } }],
  fields: [{ key: 'routes', type: 'list', label: { en: 'Routes', ru: 'Маршруты' }, fields: [
    { key: 'name', type: 'string', label: { en: 'Route name' }, required: true },
    { key: 'match', type: 'select', label: { en: 'Take when' }, options: ['all', 'any'], default: 'all' },
    { key: 'rules', type: 'rules', label: { en: 'Rules', ru: 'Правила' }, match: 'match', options: ['equals', 'not_equals'], fields: [
      { key: 'left', type: 'string', label: { en: 'Value' }, required: true, template: true },
      { key: 'op', type: 'select', label: { en: 'Check' }, options: ['equals', 'not_equals'] },
      { key: 'right', type: 'string', label: { en: 'Compare with' }, template: true },
    ] },
  ] }],
};

const ya = { id: 'r1', name: 'Яндекс', match: 'all', rules: [{ left: '{{trigger.params.utm_source}}', op: 'equals', right: 'yandex' }] };
const vk = { id: 'r2', name: 'ВК', match: 'all', rules: [{ left: '{{trigger.params.utm_source}}', op: 'equals', right: 'vk' }] };

const flow: FlowDocument = {
  schema: 1, name: 'По источнику',
  nodes: [
    { id: 'trigger', kind: 'webhook', config: { preset: 'generic' } },
    { id: 'route', kind: 'switch', config: { routes: [ya, vk] } },
    { id: 'a', kind: 'js', config: { code: 'return 1' } },
    { id: 'b', kind: 'js', config: { code: 'return 2' } },
  ],
  edges: [{ from: 'trigger', to: 'route' }, { from: 'route', to: 'a', branch: 'r1' }, { from: 'route', to: 'b', branch: 'otherwise' }],
};

const routes = () => s().nodes.find((n) => n.id === 'route')!.data.config.routes as Record<string, unknown>[];

beforeEach(() => {
  useLang.setState({ lang: 'ru' });
  useCatalog.setState({ kinds: [...kinds, router], presets: [getcourse], loaded: true, error: null });
  s().load(structuredClone(flow), null, 'http://localhost/hook/t1');
});
afterEach(cleanup);

describe('a step whose outputs come from its settings', () => {
  it('has one output per route, labelled with its name, then “Иначе”', () => {
    const outs = outputsOf('switch', undefined, { routes: [ya, vk] });
    expect(outs.map((o) => o.name)).toEqual(['r1', 'r2', 'otherwise']);
    expect(outs.map((o) => o.label.ru)).toEqual(['Яндекс', 'ВК', 'Иначе']);
    expect(outputLabel('switch', 'r2', 'ru', undefined, { routes: [ya, vk] })).toBe('ВК');
    expect(outputsOf('switch', undefined, { routes: [{ ...ya, name: '' }] })[0].label.ru).toBe('1');
    // a kind with fixed outputs is unchanged
    expect(outputsOf('filter', undefined, {}).map((o) => o.name)).toEqual(['true', 'false']);
  });

  it('draws a handle per route, then “Иначе”, and one more when a route is added', () => {
    const view = render(<ReactFlowProvider><OutputHandles nodeId="route" kind="switch" config={{ routes: [ya] }} lang="ru" /></ReactFlowProvider>);
    expect([...view.container.querySelectorAll('.react-flow__handle')].map((h) => h.textContent)).toEqual(['Яндекс', 'Иначе']);
    view.rerender(<ReactFlowProvider><OutputHandles nodeId="route" kind="switch" config={{ routes: [ya, vk] }} lang="ru" /></ReactFlowProvider>);
    expect([...view.container.querySelectorAll('.react-flow__handle')].map((h) => h.getAttribute('data-handleid'))).toEqual(['r1', 'r2', 'otherwise']);
  });

  it('gives a new line the first route nothing leaves by yet', () => {
    expect(freeOutput('switch', new Set(['r1']), undefined, { routes: [ya, vk] })).toBe('r2');
    expect(freeOutput('switch', new Set(['r1', 'r2']), undefined, { routes: [ya, vk] })).toBe('otherwise');
  });

  it('says on the canvas how many routes it has and their names', () => {
    const d = describeStep({ id: 'route', kind: 'switch', config: { routes: [ya, vk] } }, { nodes: [], edges: [], presets: [], lang: 'ru' });
    expect(d.title).toBe('Маршрутизатор');
    expect(d.summary).toBe('2 маршрута: Яндекс, ВК');
    expect(describeStep({ id: 'r', kind: 'switch', config: { routes: [ya] } }, { nodes: [], edges: [], presets: [], lang: 'en' }).summary).toBe('1 route: Яндекс');
    expect(describeStep({ id: 'r', kind: 'switch', config: {} }, { nodes: [], edges: [], presets: [], lang: 'ru' }).summary).toBe('маршрутов пока нет');
  });

  it('moves a row up and down, not past the ends', () => {
    expect(moveRow(['a', 'b', 'c'], 2, -1)).toEqual(['a', 'c', 'b']);
    expect(moveRow(['a', 'b', 'c'], 0, -1)).toEqual(['a', 'b', 'c']);
    expect(moveRow(['a', 'b', 'c'], 2, 1)).toEqual(['a', 'b', 'c']);
  });
});

describe('the route list in the inspector', () => {
  beforeEach(() => s().select('route'));

  it('adds a route with a fresh id and one empty rule; renaming it keeps its id', () => {
    render(<Inspector />);
    fireEvent.click(screen.getByTestId('outputs-routes-add'));
    expect(routes()[2]).toEqual({ id: 'r3', name: '', match: 'all', rules: [{ left: '', op: 'equals', right: '' }] });
    fireEvent.change(screen.getByTestId('output-name-2'), { target: { value: 'Google' } });
    expect(routes()[2]).toMatchObject({ id: 'r3', name: 'Google' });
    expect(screen.getByTestId('rules-routes[2].rules-row-0')).toBeTruthy();
    expect(screen.getByTestId('outputs-routes-add').textContent).toBe('+ Добавить маршрут');
  });

  it('edits a route’s rules in place', () => {
    render(<Inspector />);
    fireEvent.change(screen.getByTestId('rules-routes[1].rules-value-0'), { target: { value: 'vkontakte' } });
    expect(routes()[1]).toMatchObject({ id: 'r2', rules: [{ left: '{{trigger.params.utm_source}}', op: 'equals', right: 'vkontakte' }] });
    expect(routes()[0]).toEqual(ya);
  });

  it('reorders routes and their connections follow them', () => {
    render(<Inspector />);
    fireEvent.click(screen.getByTestId('output-up-1'));
    expect(routes().map((r) => r.id)).toEqual(['r2', 'r1']);
    expect(s().document().edges).toContainEqual({ from: 'route', to: 'a', branch: 'r1' });
    expect((screen.getByTestId('output-name-0') as HTMLInputElement).value).toBe('ВК');
  });

  it('removing a route removes its connection, and undo brings both back', () => {
    render(<Inspector />);
    fireEvent.click(screen.getByTestId('output-remove-0'));
    expect(routes().map((r) => r.id)).toEqual(['r2']);
    expect(s().document().edges).toEqual([{ from: 'trigger', to: 'route' }, { from: 'route', to: 'b', branch: 'otherwise' }]);
    s().undo();
    expect(routes().map((r) => r.id)).toEqual(['r1', 'r2']);
    expect(s().document().edges).toContainEqual({ from: 'route', to: 'a', branch: 'r1' });
  });

  it('shows a route’s problems on its own field', () => {
    s().setProblems([{ code: 'node.field_required', node: 'route', field: 'routes[1].name', message: 'Маршрутизатор «route»: Маршруты, строка 2: Название маршрута — заполните' }]);
    render(<Inspector />);
    expect(screen.getByTestId('problems-routes[1].name').textContent).toContain('Название маршрута');
  });
});
