import { describe, expect, it } from 'vitest';
import { inputSource, nameOfPath, parsedPath, refOf, type ValueSource } from './pointing';

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

describe('parsedPath: where a clicked value of a JSON parser’s input sits in what it parses', () => {
  const answer = { status: 200, headers: { 'content-type': 'application/json' }, body: '{…}', json: { request: [{ client_phone: '+7', 'client name': 'Анна' }], '2nd': 1, 'a"b': 2, 'back\\slash': 3, 'имя': 'x' } };
  const plain = { order: { items: [[1, { id: 7 }]] } };
  const cases: { name: string; input: unknown; path: (string | number)[]; want: string | null; named: string }[] = [
    { name: 'an HTTP answer is parsed from its json: nested object in a list', input: answer, path: ['json', 'request', 0, 'client_phone'], want: 'request[0].client_phone', named: 'client_phone' },
    { name: 'a key with a space is bracketed and quoted', input: answer, path: ['json', 'request', 0, 'client name'], want: 'request[0]["client name"]', named: 'client name' },
    { name: 'a key starting with a digit is bracketed (a bare one would read as an index)', input: answer, path: ['json', '2nd'], want: '["2nd"]', named: '2nd' },
    { name: 'quotes and backslashes in a key are escaped', input: answer, path: ['json', 'a"b'], want: '["a\\"b"]', named: 'a"b' },
    { name: 'a backslash in a key is escaped', input: answer, path: ['json', 'back\\slash'], want: '["back\\\\slash"]', named: 'back\\slash' },
    { name: 'a Cyrillic key stays bare', input: answer, path: ['json', 'имя'], want: 'имя', named: 'имя' },
    { name: 'the answer status is not in the parsed JSON', input: answer, path: ['status'], want: null, named: 'status' },
    { name: 'the answer headers are not in the parsed JSON', input: answer, path: ['headers', 'content-type'], want: null, named: 'content-type' },
    { name: 'other input is parsed as it is: lists in lists', input: plain, path: ['order', 'items', 0, 1, 'id'], want: 'order.items[0][1].id', named: 'id' },
    { name: 'a list value is named by the nearest key', input: plain, path: ['order', 'items', 0, 0], want: 'order.items[0][0]', named: 'items' },
    { name: 'a top-level list starts with its index', input: [{ id: 1 }], path: [0, 'id'], want: '[0].id', named: 'id' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(parsedPath(c.input, c.path)).toBe(c.want);
      expect(nameOfPath(c.path)).toBe(c.named);
    });
  }
});
