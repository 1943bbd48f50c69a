import { describe, expect, it } from 'vitest';
import type { Problem } from '../api/types';
import { fieldMatches, mergeValidated, messageOnNode, problemsOfField, problemsOfNode, problemsOfNoField } from './problems';

const p = (node: string | undefined, field: string | undefined, code = 'x'): Problem => ({ code, node, field, message: `${node}:${field}` });

const all = [
  p('send', 'url'),
  p('send', 'success.condition'),
  p('form', 'fields[2].value'),
  p('form', 'config'),
  p(undefined, 'inputs.api_key', 'flow.input_missing'),
  p(undefined, 'nodes', 'flow.no_trigger'),
];

describe('problems by node and field', () => {
  it('matches a field, its rows and its members, not a field that only starts alike', () => {
    expect(fieldMatches('fields[2].value', 'fields')).toBe(true);
    expect(fieldMatches('success.condition', 'success')).toBe(true);
    expect(fieldMatches('success.condition', 'success.condition')).toBe(true);
    expect(fieldMatches('url_extra', 'url')).toBe(false);
    expect(fieldMatches(undefined, 'url')).toBe(false);
  });

  it('gives each node its problems and each field the ones naming it', () => {
    expect(problemsOfNode(all, 'send').map((x) => x.field)).toEqual(['url', 'success.condition']);
    expect(problemsOfField(all, 'send', 'success.condition')).toHaveLength(1);
    expect(problemsOfField(all, 'send', 'success')).toHaveLength(1);
    expect(problemsOfField(all, 'form', 'fields').map((x) => x.field)).toEqual(['fields[2].value']);
    expect(problemsOfField(all, 'form', 'url')).toEqual([]);
    expect(problemsOfNoField(all, 'form', ['fields']).map((x) => x.field)).toEqual(['config']);
  });

  it('keeps the server-only problems when the browser validates again', () => {
    const fresh = [p('send', 'url', 'node.url_empty')];
    expect(mergeValidated(all, fresh).map((x) => x.code)).toEqual(['flow.input_missing', 'node.url_empty']);
  });
});

describe('messageOnNode', () => {
  it('drops the node opening the engine writes, in both languages', () => {
    const params = { node: 'CPA.House: send', kind: 'HTTP request', kind_ru: 'HTTP-запрос' };
    expect(messageOnNode({ code: 'c', node: 'send', params, message: "HTTP request 'CPA.House: send': URL is empty" })).toBe('URL is empty');
    expect(messageOnNode({ code: 'c', node: 'send', params, message: 'HTTP-запрос «CPA.House: send»: адрес не указан' })).toBe('Адрес не указан');
    expect(messageOnNode({ code: 'c', node: 'send', params, message: 'something else' })).toBe('something else');
    expect(messageOnNode({ code: 'c', message: 'no node' })).toBe('no node');
  });
});
