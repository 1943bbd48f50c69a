import { describe, expect, it } from 'vitest';
import type { Preset, Sample } from '../api/types';
import { fromDocument } from '../store/document';
import { getcourse } from '../test/fixtures';
import { autoSample, pickedExample, sampleFields, setSampleValue, type SampleOrigin } from './sampleForm';

const generic: Preset = { id: 'generic', source: '', title: { en: 'Any service', ru: 'Любой сервис' }, method: 'ANY', params: [], guide: { en: [], ru: [] }, url_template: '', sample_query: '' };
const gc: Preset = {
  ...getcourse,
  params: [
    { key: 'email', label: { en: 'Email', ru: 'Email' }, example: 'anna@mail.ru' },
    { key: 'phone', label: { en: 'Phone', ru: 'Телефон' }, example: '+79161234567' },
  ],
};
const presets = [gc, generic];

const nodes = (config: Record<string, unknown>) =>
  fromDocument({ schema: 1, name: 'x', nodes: [{ id: 't', kind: 'webhook', config }], edges: [] }).nodes;

const captured = (id: string, query: string, at = '2026-12-01T05:30:00Z'): Sample => ({
  event_id: id, status: 'sample', received_at: at, payload: { method: 'GET', query, headers: { 'User-Agent': 'GetCourse' }, event_id: id },
});

/** Runs autoSample until it settles, as the Test panel's effect does. */
function settle(payload: string, origin: SampleOrigin | null, n: ReturnType<typeof nodes>, samples: Sample[]) {
  for (let i = 0; i < 5; i++) {
    const next = autoSample(payload, origin, n, presets, samples);
    if (!next) return { payload, origin };
    ({ payload, origin } = next);
  }
  throw new Error('autoSample does not settle');
}

const query = (payload: string) => Object.fromEntries(new URLSearchParams(JSON.parse(payload).query as string));

describe('which request the sample is', () => {
  it("a new flow's sample is the preset's example", () => {
    const s = settle('', null, nodes({ preset: 'getcourse.user_created' }), []);
    expect(query(s.payload)).toEqual({ email: 'anna@mail.ru', phone: '+79161234567' });
    expect(s.origin?.kind).toBe('example');
  });

  it('the newest captured request beats the example when the flow opens', () => {
    const s = settle('', null, nodes({ preset: 'getcourse.user_created' }), [captured('new', 'email=olga%40mail.ru'), captured('old', 'email=x')]);
    expect(query(s.payload)).toEqual({ email: 'olga@mail.ru' });
    expect(s.origin).toEqual({ kind: 'captured', eventId: 'new', auto: true });
    expect(JSON.parse(s.payload).event_id).toBeUndefined();
  });

  it('captured requests that load after the example replace it (reopening a flow showed the example)', () => {
    const n = nodes({ preset: 'getcourse.user_created' });
    const first = settle('', null, n, []); // the samples have not arrived yet
    const later = settle(first.payload, first.origin, n, [captured('e1', 'email=olga%40mail.ru')]);
    expect(later.origin).toEqual({ kind: 'captured', eventId: 'e1', auto: true });
  });

  it('choosing a preset fills the sample at once', () => {
    const blank = settle('', null, nodes({ preset: 'generic' }), []);
    expect(query(blank.payload)).toEqual({});
    const chosen = settle(blank.payload, blank.origin, nodes({ preset: 'getcourse.user_created' }), []);
    expect(query(chosen.payload)).toEqual({ email: 'anna@mail.ru', phone: '+79161234567' });
  });

  it('a field added to the webhook joins the example', () => {
    const before = settle('', null, nodes({ preset: 'generic' }), []);
    const after = settle(before.payload, before.origin, nodes({ preset: 'generic', fields: [{ key: 'r_id', example: '48213' }] }), []);
    expect(query(after.payload)).toEqual({ r_id: '48213' });
  });

  it('a request arriving later replaces the one chosen by itself, not the one the user chose', () => {
    const n = nodes({ preset: 'getcourse.user_created' });
    const first = settle('', null, n, [captured('e1', 'email=a%40b.c')]);
    const arrived = [captured('e2', 'email=new%40b.c'), captured('e1', 'email=a%40b.c')];
    expect(query(settle(first.payload, first.origin, n, arrived).payload)).toEqual({ email: 'new@b.c' });
    expect(autoSample(first.payload, { kind: 'captured', eventId: 'e1' }, n, presets, arrived)).toBeNull();
  });

  it('a captured request is kept when the preset changes', () => {
    const s = settle('', null, nodes({ preset: 'generic' }), [captured('e1', 'a=1')]);
    expect(autoSample(s.payload, s.origin, nodes({ preset: 'getcourse.user_created' }), presets, [captured('e1', 'a=1')])).toBeNull();
  });

  it("the user's typing is kept until another preset is chosen, which fills its example", () => {
    const n = nodes({ preset: 'generic' });
    const typed: SampleOrigin = { kind: 'edited', preset: 'generic' };
    expect(autoSample('{"query":"mine=1"}', typed, n, presets, [captured('e1', 'a=1')])).toBeNull();
    const next = autoSample('{"query":"mine=1"}', typed, nodes({ preset: 'getcourse.user_created' }), presets, []);
    expect(query(next!.payload)).toEqual({ email: 'anna@mail.ru', phone: '+79161234567' });
  });

  it('the example picked over captured requests stays picked', () => {
    const n = nodes({ preset: 'getcourse.user_created' });
    const picked = pickedExample(n, presets);
    expect(autoSample(picked.payload, picked.origin, n, presets, [captured('e1', 'a=1')])).toBeNull();
  });
});

describe('the sample as a form', () => {
  it("shows the preset's fields in the user's language with the captured values, then the rest", () => {
    const n = nodes({ preset: 'getcourse.user_created', fields: [{ key: 'ip_address', label: 'Visitor IP' }] });
    const payload = JSON.stringify({ method: 'GET', query: 'phone=%2B7+912&city=Kazan' });
    expect(sampleFields(payload, gc, n, 'ru')).toEqual([
      { key: 'email', label: 'Email', value: '', example: 'anna@mail.ru' },
      { key: 'phone', label: 'Телефон', value: '+7 912', example: '+79161234567' },
      { key: 'ip_address', label: 'Visitor IP', value: '', example: '' },
      { key: 'city', label: 'city', value: 'Kazan', example: '' },
    ]);
  });

  it('reads form and JSON bodies, and is null for text that is not a request', () => {
    const form = JSON.stringify({ method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'name=%D0%90%D0%BD%D0%BD%D0%B0' });
    expect(sampleFields(form, undefined, [], 'en')).toEqual([{ key: 'name', label: 'name', value: 'Анна', example: '' }]);
    const json = JSON.stringify({ method: 'POST', body: '{"r_id":48213}' });
    expect(sampleFields(json, undefined, [], 'en')?.[0]).toMatchObject({ key: 'r_id', value: '48213' });
    expect(sampleFields('{oops', undefined, [], 'en')).toBeNull();
  });

  it('a typed value goes where the request carries that field', () => {
    const q = setSampleValue(JSON.stringify({ method: 'GET', query: 'email=a%40b.c' }), 'phone', '+7 916');
    expect(query(q)).toEqual({ email: 'a@b.c', phone: '+7 916' });
    const form = setSampleValue(JSON.stringify({ method: 'POST', body: 'name=A&phone=1' }), 'phone', '2');
    expect(JSON.parse(form).body).toBe('name=A&phone=2');
    const json = setSampleValue(JSON.stringify({ method: 'POST', body: '{"r_id":1}' }), 'r_id', '7');
    expect(JSON.parse(JSON.parse(json).body)).toEqual({ r_id: '7' });
    const obj = setSampleValue(JSON.stringify({ query: { email: 'x' } }), 'email', 'y');
    expect(JSON.parse(obj)).toEqual({ query: { email: 'y' }, method: 'GET' });
  });
});
