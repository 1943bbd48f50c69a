import { describe, expect, it } from 'vitest';
import type { KindInfo } from '../api/types';
import { fieldPathLabel } from './fieldLabel';

const http: KindInfo = {
  kind: 'http', title: { en: 'HTTP request' }, help: { en: '' }, schema: { type: 'object' },
  fields: [
    { key: 'url', type: 'string', label: { en: 'URL', ru: 'Адрес (URL)' } },
    { key: 'success', type: 'object', label: { en: 'Success', ru: 'Успех' }, fields: [{ key: 'condition', type: 'code', label: { en: 'Condition', ru: 'Условие' } }] },
    { key: 'headers', type: 'list', label: { en: 'Headers', ru: 'Заголовки' }, fields: [{ key: 'value', type: 'string', label: { en: 'Value', ru: 'Значение' } }] },
  ],
};

describe('a field path in words', () => {
  it('names nested fields by their labels in the user language', () => {
    expect(fieldPathLabel(http, 'success.condition', 'ru')).toBe('Успех → Условие');
    expect(fieldPathLabel(http, 'url', 'en')).toBe('URL');
  });
  it('numbers list rows from one', () => {
    expect(fieldPathLabel(http, 'headers.0.value', 'ru')).toBe('Заголовки № 1 → Значение');
  });
  it('keeps parts the kind does not describe, and works without the kind', () => {
    expect(fieldPathLabel(http, 'success.Content-Type', 'ru')).toBe('Успех → Content-Type');
    expect(fieldPathLabel(undefined, 'success.condition', 'ru')).toBe('success → condition');
  });
});
