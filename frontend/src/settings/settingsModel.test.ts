import { describe, expect, it } from 'vitest';
import { fromForm, toForm } from './settingsModel';

describe('flow settings form', () => {
  it('round-trips what the server stores and keeps members it does not know', () => {
    const stored = {
      recipients: ['owner@example.com', 'ops@example.com'],
      lang: 'ru',
      retention_days: 7,
      rate_limit: { per_second: 5, burst: 10 },
      reply: { status: 200, content_type: 'text/plain', body: 'OK {{event.id}}' },
      future: { x: 1 },
    };
    const form = toForm(stored);
    expect(form.recipients).toBe('owner@example.com, ops@example.com');
    expect(fromForm(form, stored)).toEqual({ settings: stored, problems: [] });
  });

  it('reads emails separated by commas, spaces or lines, and drops empty sections', () => {
    const form = { ...toForm({}), recipients: 'a@b.ru\n c@d.com;e@f.org  ' };
    expect(fromForm(form).settings).toEqual({ recipients: ['a@b.ru', 'c@d.com', 'e@f.org'], lang: 'en' });
    expect(fromForm(toForm({ rate_limit: { burst: 3 } })).settings).toEqual({ rate_limit: { burst: 3 } });
    expect(fromForm(toForm({}), { recipients: ['x@y.z'], rate_limit: { burst: 3 } }).settings).toEqual({});
  });

  it('has no answer fields: the answer is the flow\'s Reply step, and an old reply setting is passed back untouched', () => {
    const form = toForm({ reply: { status: 201, body: 'x' } });
    expect(Object.keys(form).some((k) => k.startsWith('reply'))).toBe(false);
    expect(fromForm(form, { reply: { status: 201, body: 'x' } }).settings).toEqual({ reply: { status: 201, body: 'x' } });
  });

  it('names each value a person must fix', () => {
    const form = {
      ...toForm({}),
      recipients: 'owner@example.com, not-an-email',
      retentionDays: '2.5',
      ratePerSecond: '0',
    };
    const { settings, problems } = fromForm(form);
    expect(settings).toBeUndefined();
    expect(problems).toEqual([
      { field: 'recipients', key: 'email', value: 'not-an-email' },
      { field: 'retentionDays', key: 'positive' },
      { field: 'ratePerSecond', key: 'positive' },
    ]);
  });
});
