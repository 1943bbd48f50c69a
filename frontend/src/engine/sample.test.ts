import { describe, expect, it } from 'vitest';
import type { Preset } from '../api/types';
import { fromDocument } from '../store/document';
import { parsePayload, samplePayload } from './sample';

const presets = [
  { id: 'getcourse.user_created', sample_query: 'email=a%40b.c&phone=1' },
  { id: 'generic', sample_query: '' },
] as Preset[];

const nodes = (config: Record<string, unknown>) =>
  fromDocument({ schema: 1, name: 'x', nodes: [{ id: 't', kind: 'webhook', config }], edges: [] }).nodes;

describe('samplePayload', () => {
  it("uses the trigger preset's sample query", () => {
    expect(JSON.parse(samplePayload(nodes({ preset: 'getcourse.user_created' }), presets))).toEqual({
      method: 'GET',
      query: 'email=a%40b.c&phone=1',
    });
  });

  it('adds a test value for declared fields the sample lacks', () => {
    const p = JSON.parse(samplePayload(nodes({ preset: 'generic', fields: [{ key: 'email' }, { key: 'name', example: 'Ann' }] }), presets));
    expect(p.query).toBe('email=test&name=Ann');
  });

  it('works without a trigger', () => {
    expect(JSON.parse(samplePayload([], presets))).toEqual({ method: 'GET', query: '' });
  });
});

describe('parsePayload', () => {
  it('reads JSON, takes empty text as {}, and refuses what is not JSON', () => {
    expect(parsePayload('{"method":"GET"}')).toEqual({ body: { method: 'GET' } });
    expect(parsePayload('')).toEqual({ body: {} });
    expect(parsePayload('{method: GET}')).toBeUndefined();
  });
});
