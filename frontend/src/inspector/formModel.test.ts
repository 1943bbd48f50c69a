import { describe, expect, it } from 'vitest';
import type { Field } from '../api/types';
import { emptyRow, formModel, parseInput, setPath } from './formModel';

const fields: Field[] = [
  { key: 'url', type: 'string', label: { en: 'URL', ru: 'Адрес' }, required: true, template: true },
  { key: 'token', type: 'string', label: { en: 'Token' }, secret: true },
  { key: 'body', type: 'text', label: { en: 'Body' } },
  { key: 'code', type: 'code', label: { en: 'Script' } },
  { key: 'retries', type: 'number', label: { en: 'Retries' }, min: 0, max: 10, default: 3 },
  { key: 'strict', type: 'bool', label: { en: 'Strict' } },
  { key: 'method', type: 'select', label: { en: 'Method' }, options: ['GET', 'POST'] },
  {
    key: 'headers', type: 'list', label: { en: 'Headers' },
    fields: [
      { key: 'key', type: 'string', label: { en: 'Name', ru: 'Имя' } },
      { key: 'value', type: 'string', label: { en: 'Value' }, template: true },
      { key: 'optional', type: 'bool', label: { en: 'Optional' } },
    ],
  },
  {
    key: 'success', type: 'object', label: { en: 'Success' },
    fields: [{ key: 'condition', type: 'string', label: { en: 'Condition' } }],
  },
];

describe('formModel', () => {
  it('maps each field type to its control', () => {
    const m = formModel(fields, {});
    expect(m.map((i) => [i.key, i.control])).toEqual([
      ['url', 'input'], ['token', 'password'], ['body', 'textarea'], ['code', 'code'], ['retries', 'number'],
      ['strict', 'checkbox'], ['method', 'select'], ['headers', 'table'], ['success', 'group'],
    ]);
  });

  it('names select options in the asked language and leaves unnamed ones as they are', () => {
    const match: Field = {
      key: 'match', type: 'select', label: { en: 'Pass when' }, options: ['all', 'any', 'raw'],
      option_labels: { all: { en: 'all rules hold', ru: 'выполнены все правила' }, any: { en: 'any rule holds' } },
    };
    const [ru] = formModel([match], {}, 'ru');
    expect(ru.options).toEqual(['all', 'any', 'raw']); // the stored values stay
    expect(ru.optionLabels).toEqual({ all: 'выполнены все правила', any: 'any rule holds' });
    const [en] = formModel([match], {}, 'en');
    expect(en.optionLabels?.all).toBe('all rules hold');
    expect(formModel(fields, {}).find((i) => i.key === 'method')?.optionLabels).toBeUndefined();
  });

  it('fills values from config, defaults otherwise, and labels in the asked language', () => {
    const m = formModel(fields, { url: 'https://x', headers: [{ key: 'A', value: '1' }], success: { condition: 'ok' } }, 'ru');
    const by = Object.fromEntries(m.map((i) => [i.key, i]));
    expect(by.url.value).toBe('https://x');
    expect(by.url.label).toBe('Адрес');
    expect(by.url.required).toBe(true);
    expect(by.url.template).toBe(true);
    expect(by.token.label).toBe('Token'); // no ru: English
    expect(by.retries.value).toBe(3);
    expect(by.retries.min).toBe(0);
    expect(by.retries.max).toBe(10);
    expect(by.strict.value).toBe(false);
    expect(by.method.options).toEqual(['GET', 'POST']);
    expect(by.method.value).toBe('GET');
    expect(by.headers.rows).toEqual([{ key: 'A', value: '1' }]);
    expect(by.headers.columns!.map((c) => [c.key, c.control, c.label])).toEqual([
      ['key', 'input', 'Имя'], ['value', 'input', 'Value'], ['optional', 'checkbox', 'Optional'],
    ]);
    expect(by.success.children![0]).toMatchObject({ key: 'condition', path: 'success.condition', value: 'ok' });
  });

  it('makes empty rows and parses inputs', () => {
    const cols = formModel(fields, {}).find((i) => i.key === 'headers')!.columns!;
    expect(emptyRow(cols)).toEqual({ key: '', value: '', optional: false });
    expect(parseInput('number', '12')).toBe(12);
    expect(parseInput('number', '')).toBeUndefined();
    expect(parseInput('checkbox', true)).toBe(true);
  });

  it('sets nested paths without touching the original', () => {
    const cfg = { a: 1, success: { condition: 'x', error_path: 'msg' } };
    const out = setPath(cfg, 'success.condition', 'y');
    expect(out).toEqual({ a: 1, success: { condition: 'y', error_path: 'msg' } });
    expect(cfg.success.condition).toBe('x');
    expect(setPath(out, 'a', undefined)).toEqual({ success: { condition: 'y', error_path: 'msg' } });
  });
});
