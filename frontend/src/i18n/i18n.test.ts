import { describe, expect, it } from 'vitest';
import en from './en.json';
import ru from './ru.json';
import { translate } from './i18n';

describe('i18n', () => {
  it('has the same keys in en and ru', () => {
    expect(Object.keys(ru).sort()).toEqual(Object.keys(en).sort());
  });

  it('has no empty texts and the same placeholders in both languages', () => {
    const holes = (s: string) => (s.match(/\{\w+\}/g) ?? []).sort();
    for (const [k, v] of Object.entries(en)) {
      const r = (ru as Record<string, string>)[k];
      expect(v, k).not.toBe('');
      expect(r, k).not.toBe('');
      expect(holes(r), k).toEqual(holes(v));
    }
  });

  it('fills placeholders', () => {
    expect(translate('ru', 'templates.source', { source: 'GetCourse', target: 'CPA.House' })).toBe('Из GetCourse в CPA.House');
  });
});
