import { describe, expect, it } from 'vitest';
import { inputSource, refOf, type ValueSource } from './pointing';

describe('refOf', () => {
  const trigger: ValueSource = { node: 'webhook1', trigger: true };
  const data = { params: { phone: '+7', 'ip address': '1.2.3.4' }, query: { phone: '+7', only_query: 'x' }, json: { order: { id: 5 } }, method: 'GET' };
  const cases: { name: string; src: ValueSource; path: (string | number)[]; want: string }[] = [
    { name: 'a trigger parameter', src: trigger, path: ['params', 'phone'], want: 'trigger.params.phone' },
    { name: 'a query field repeated in params is referred to by params', src: trigger, path: ['query', 'phone'], want: 'trigger.params.phone' },
    { name: 'a query field not in params keeps its own path', src: trigger, path: ['query', 'only_query'], want: 'trigger.query.only_query' },
    { name: 'a JSON member not in params', src: trigger, path: ['json', 'order', 'id'], want: 'trigger.json.order.id' },
    { name: 'a key with a space is bracketed', src: trigger, path: ['params', 'ip address'], want: 'trigger.params["ip address"]' },
    { name: 'the method', src: trigger, path: ['method'], want: 'trigger.method' },
    { name: 'a step output by the step id, list items by index', src: { node: 'fetch', trigger: false }, path: ['json', 'request', 0, 'id'], want: 'fetch.json.request.0.id' },
    { name: 'an input fed by several steps', src: { node: '', trigger: false, viaInput: true }, path: ['body'], want: 'input.body' },
  ];
  for (const c of cases) it(c.name, () => expect(refOf(c.src, c.path, data)).toBe(c.want));
});

describe('inputSource', () => {
  const edges = [
    { source: 't', target: 'a' },
    { source: 'a', target: 'b' },
    { source: 't', target: 'b' },
    { source: 'a', target: 'c' },
    { source: 'a', target: 'c' },
  ];
  it('names the one step before, the trigger as such, and falls back to the input for several', () => {
    expect(inputSource('a', edges, 't')).toEqual({ node: 't', trigger: true });
    expect(inputSource('c', edges, 't')).toEqual({ node: 'a', trigger: false }); // two lines from the same step
    expect(inputSource('b', edges, 't')).toEqual({ node: '', trigger: false, viaInput: true });
    expect(inputSource('t', edges, 't')).toBeNull();
  });
});
