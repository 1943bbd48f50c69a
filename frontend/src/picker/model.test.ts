import { describe, expect, it } from 'vitest';
import type { Preset } from '../api/types';
import { getcourse } from '../test/fixtures';
import { collectRefs, filterRefs, flatten, insertAt, joinPath, lastName, upstreamOf, type PickerSources } from './model';

// the shared GetCourse preset with its parameters named in Russian too
const preset: Preset = {
  ...getcourse,
  params: [
    { key: 'email', variable: '{object.email}', label: { en: 'Email', ru: 'Почта' }, example: 'anna@mail.ru' },
    { key: 'phone', variable: '{object.phone}', label: { en: 'Phone', ru: 'Телефон' }, example: '+79161234567' },
  ],
};

// trigger → form → send, and a side branch trigger → other that `send` does not come after
const sources = (over: Partial<PickerSources> = {}): PickerSources => ({
  nodeId: 'send',
  nodes: [
    { id: 'trigger', kind: 'webhook', name: 'In', config: { preset: 'getcourse.user_created', fields: [{ key: 'ip address', label: 'IP' }] } },
    { id: 'form', kind: 'form_encode', name: 'Lead fields', config: {} },
    { id: 'other', kind: 'set', config: {} },
    { id: 'send', kind: 'http', config: {} },
  ],
  edges: [
    { source: 'trigger', target: 'form' },
    { source: 'form', target: 'send' },
    { source: 'trigger', target: 'other' },
  ],
  presets: [preset],
  learned: [{ key: 'utm_source', example: 'yandex', seen: 3 }, { key: 'email', example: 'x@y.z', seen: 1 }],
  steps: {
    trigger: { node: 'trigger', kind: 'webhook', status: 'success', duration_ms: 0,
      output: { params: { email: 'a@b.c', city: 'Москва' }, query: { email: 'a@b.c' }, method: 'GET', headers: { 'User-Agent': 'x' } } },
    form: { node: 'form', kind: 'form_encode', status: 'success', duration_ms: 0, output: { body: 'name=A', fields: { name: 'A' } } },
    other: { node: 'other', kind: 'set', status: 'success', duration_ms: 0, output: { secret: 1 } },
  },
  inputs: [{ key: 'api_key', label: 'API key' }],
  lang: 'ru',
  ...over,
});

const paths = (over: Partial<PickerSources> = {}) =>
  Object.fromEntries(collectRefs(sources(over)).map((g) => [g.id + (g.id === 'steps' ? ':' + g.node : ''), g.refs.map((r) => r.path)]));

describe('reference syntax', () => {
  it('writes bare names with dots, list indexes as numbers and other keys in brackets', () => {
    expect(joinPath(['trigger', 'params', 'email'])).toBe('trigger.params.email');
    expect(joinPath(['fetch', 'json', 'request', 0, 'id'])).toBe('fetch.json.request.0.id');
    expect(joinPath(['trigger', 'params', 'ip address'])).toBe('trigger.params["ip address"]');
    expect(joinPath(['x', 'a"b\\c', 'd'])).toBe('x["a\\"b\\\\c"].d');
    expect(joinPath(['trigger', 'params', 'имя_2', 'utm-source'])).toBe('trigger.params.имя_2.utm-source');
  });

  it('flattens outputs to leaves, taking the first item of lists', () => {
    const refs = flatten({ status: 200, json: { request: [{ id: 7 }, { id: 8 }], empty: {} } }, ['fetch']);
    expect(refs.map((r) => [r.path, r.example])).toEqual([
      ['fetch.status', '200'],
      ['fetch.json.request.0.id', '7'],
      ['fetch.json.empty', '{}'],
    ]);
    expect(flatten('text', ['js1'])).toEqual([{ path: 'js1', label: '', example: 'text' }]);
  });
});

describe('collectRefs', () => {
  it('groups the preset, the learned fields, upstream outputs and settings', () => {
    expect(paths()).toEqual({
      trigger: ['trigger.params.email', 'trigger.params.phone', 'trigger.params["ip address"]'],
      samples: ['trigger.params.utm_source'], // email is already offered by the preset
      'steps:trigger': ['trigger.params.city', 'trigger.headers.User-Agent', 'trigger.method'],
      'steps:form': ['form.body', 'form.fields.name'],
      inputs: ['inputs.api_key'],
      event: ['event.id'],
    });
  });

  it('labels preset parameters in the chosen language, with examples', () => {
    const g = collectRefs(sources()).find((x) => x.id === 'trigger')!;
    expect(g.refs[1]).toEqual({ path: 'trigger.params.phone', label: 'Телефон', example: '+79161234567' });
  });

  it('shows as example what the last Test carried, else a captured request, else the preset', () => {
    const examples = (over: Partial<PickerSources>) => collectRefs(sources(over)).find((x) => x.id === 'trigger')!.refs.map((r) => r.example);
    expect(examples({})).toEqual(['a@b.c', '+79161234567', '']);
    expect(examples({ steps: {} })).toEqual(['x@y.z', '+79161234567', '']);
    expect(examples({ steps: {}, learned: [] })).toEqual(['anna@mail.ru', '+79161234567', '']);
  });

  it('offers no step that does not run before the edited node', () => {
    expect(paths({ nodeId: 'form' })['steps:form']).toBeUndefined();
    expect(paths({ nodeId: 'form' })['steps:other']).toBeUndefined();
    expect(paths({ nodeId: 'other' })['steps:form']).toBeUndefined();
    // an unconnected node sees only the trigger's own references, settings and the event
    expect(Object.keys(paths({ nodeId: 'lonely' }))).toEqual(['trigger', 'samples', 'inputs', 'event']);
  });

  it('works before any preview or sample', () => {
    expect(Object.keys(paths({ steps: {}, learned: [] }))).toEqual(['trigger', 'inputs', 'event']);
  });

  it('follows every path into a node, not only one', () => {
    expect([...upstreamOf('d', [
      { source: 'a', target: 'b' }, { source: 'a', target: 'c' }, { source: 'b', target: 'd' }, { source: 'c', target: 'd' },
    ])].sort()).toEqual(['a', 'b', 'c']);
  });
});

describe('filterRefs', () => {
  it('matches every word against path, label and example, and drops empty groups', () => {
    const groups = collectRefs(sources());
    expect(filterRefs(groups, 'телефон').flatMap((g) => g.refs.map((r) => r.path))).toEqual(['trigger.params.phone']);
    expect(filterRefs(groups, 'form fields.name').flatMap((g) => g.refs.map((r) => r.path))).toEqual(['form.fields.name']);
    expect(filterRefs(groups, 'yandex').map((g) => g.id)).toEqual(['samples']);
    expect(filterRefs(groups, '  ')).toBe(groups);
  });
});

describe('insertAt', () => {
  it('replaces the selection and puts the caret after the insertion', () => {
    expect(insertAt('Hello world', 6, 11, '{{x}}')).toEqual({ value: 'Hello {{x}}', caret: 11 });
    expect(insertAt('ab', 1, 1, 'X')).toEqual({ value: 'aXb', caret: 2 });
    expect(insertAt('ab', null, null, 'X')).toEqual({ value: 'abX', caret: 3 });
    expect(insertAt('ab', 9, 9, 'X')).toEqual({ value: 'abX', caret: 3 });
  });
});

describe('lastName', () => {
  it('names a reference without a label by its last member', () => {
    expect(lastName('trigger.params.first_name')).toBe('first_name');
    expect(lastName('trigger.params["ip address"]')).toBe('ip address');
    expect(lastName('event.id')).toBe('id');
    expect(lastName('form')).toBe('form');
  });
});
