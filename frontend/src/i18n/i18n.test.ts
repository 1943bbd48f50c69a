import { describe, expect, it } from 'vitest';
import en from './en.json';
import ru from './ru.json';
import { pluralKey, translate, type Lang } from './i18n';

describe('i18n', () => {
  const base = (d: Record<string, string>) => [...new Set(Object.keys(d).map((k) => k.split('#')[0]))].sort();

  it('has the same keys in en and ru (plural forms aside)', () => {
    expect(base(ru)).toEqual(base(en));
  });

  it('gives every key with plural forms each form its language uses for whole numbers', () => {
    const dicts: Record<Lang, Record<string, string>> = { en, ru };
    const plural = new Set([...Object.keys(en), ...Object.keys(ru)].filter((k) => k.includes('#')).map((k) => k.split('#')[0]));
    expect(plural.size).toBeGreaterThan(0);
    for (const lang of ['en', 'ru'] as Lang[]) {
      for (const key of plural) {
        for (const n of [0, 1, 2, 3, 5, 11, 21, 22, 25, 101, 111]) {
          const k = pluralKey(lang, key, n);
          if (!k.endsWith('#other')) expect(dicts[lang][k], `${lang} ${k}`).toBeTruthy();
        }
      }
    }
  });

  it('says 1 событие, 2 события, 5 событий, 21 событие', () => {
    const say = (n: number) => translate('ru', 'live.count', { n });
    expect([1, 2, 5, 21, 12].map(say)).toEqual(['1 событие', '2 события', '5 событий', '21 событие', '12 событий']);
    expect(translate('en', 'live.count', { n: 1 })).toBe('1 event');
    expect(translate('en', 'live.count', { n: 7 })).toBe('7 events');
  });

  it('has no empty texts and the same placeholders in both languages', () => {
    const holes = (s: string) => (s.match(/\{\w+\}/g) ?? []).sort();
    for (const [k, v] of Object.entries(en)) {
      const r = (ru as Record<string, string>)[k.split('#')[0]];
      expect(v, k).not.toBe('');
      expect(r, k).not.toBe('');
      expect(holes(r), k).toEqual(holes(v));
    }
  });

  it('fills placeholders', () => {
    expect(translate('ru', 'templates.source', { source: 'GetCourse', target: 'CPA.House' })).toBe('Из GetCourse в CPA.House');
  });
});
