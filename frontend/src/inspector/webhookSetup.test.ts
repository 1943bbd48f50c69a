import { describe, expect, it } from 'vitest';
import type { Preset } from '../api/types';
import { getcourse as shared } from '../test/fixtures';
import { describeRequest, guideSteps, presetUrlTemplate, readyUrl, testPayload } from './webhookSetup';

// the shared GetCourse preset with a guide of one step in each language
const getcourse: Preset = { ...shared, guide: { en: ['Paste {webhook_url} followed by the parameters.'], ru: ['Вставьте {webhook_url} и параметры.'] } };
const uon: Preset = { id: 'uon.request', source: 'U-ON', title: { en: 'U-ON' }, method: 'POST', params: [{ key: 'r_id', label: { en: 'Request' } }], guide: { en: ['Step'], ru: [] },
  url_template: '', sample_query: 'r_id=' };

describe('webhook address and guide', () => {
  it('appends the preset parameter template to the flow address', () => {
    expect(readyUrl('https://h.example/hook/tok', getcourse)).toBe('https://h.example/hook/tok?email={object.email}&phone={object.phone}');
    expect(readyUrl('https://h.example/hook/tok', { ...getcourse, url_template: '?x={y}' })).toBe('https://h.example/hook/tok?x={y}');
    expect(presetUrlTemplate(uon)).toBe(''); // U-ON sends its fields by itself
    expect(readyUrl('https://h.example/hook/tok', undefined)).toBe('https://h.example/hook/tok');
  });

  it('gives the guide in the chosen language with the address filled in, English when there is no translation', () => {
    expect(guideSteps(getcourse, 'ru', 'https://h/hook/t')).toEqual(['Вставьте https://h/hook/t и параметры.']);
    expect(guideSteps(getcourse, 'en', 'https://h/hook/t')).toEqual(['Paste https://h/hook/t followed by the parameters.']);
    expect(guideSteps(uon, 'ru', '')).toEqual(['Step']);
    expect(guideSteps(undefined, 'en', '')).toEqual([]);
  });
});

describe('describeRequest', () => {
  it('reads the query string and a form body', () => {
    const r = describeRequest({ method: 'POST', query: 'email=a%40b.c&phone=%2B7', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'name=%D0%90%D0%BD%D0%BD%D0%B0&x=1' });
    expect(r).toEqual({ method: 'POST', query: [['email', 'a@b.c'], ['phone', '+7']], form: [['name', 'Анна'], ['x', '1']], json: undefined, text: '' });
  });

  it('reads a JSON body, a query object and plain text', () => {
    expect(describeRequest({ method: 'POST', query: { a: '1', b: 2 }, body: '{"id": 5}' })).toMatchObject({ query: [['a', '1'], ['b', '2']], json: { id: 5 } });
    expect(describeRequest({ method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hello' })).toMatchObject({ text: 'hello', form: null });
    expect(describeRequest({ body: '{broken' })).toMatchObject({ method: 'GET', text: '{broken' });
  });

  it('makes the Test payload without the stored id', () => {
    expect(JSON.parse(testPayload({ method: 'GET', query: 'a=1', event_id: 'e1' }))).toEqual({ method: 'GET', query: 'a=1' });
  });
});
