import { describe, expect, it } from 'vitest';
import { pluralKey, translate } from './i18n';
import { english, languages } from './languages';

describe('i18n', () => {
  const base = (d: Record<string, string>) => [...new Set(Object.keys(d).map((k) => k.split('#')[0]))].sort();
  const others = languages.slice(1);

  it('has the keys of English in every language (plural forms aside)', () => {
    expect(others.length).toBeGreaterThan(0);
    for (const l of others) expect(base(l.messages), l.code).toEqual(base(english().messages));
  });

  it('gives each language its own name and a locale Intl knows', () => {
    for (const l of languages) {
      expect(l.name, l.code).toBe(l.messages['lang.name']);
      expect(Intl.DateTimeFormat.supportedLocalesOf(l.messages['lang.locale']), l.code).toEqual([l.locale]);
    }
    expect(new Set(languages.map((l) => l.name)).size).toBe(languages.length);
  });

  it('gives every key with plural forms each form its language uses for whole numbers', () => {
    const plural = new Set(languages.flatMap((l) => Object.keys(l.messages)).filter((k) => k.includes('#')).map((k) => k.split('#')[0]));
    expect(plural.size).toBeGreaterThan(0);
    for (const l of languages) {
      for (const key of plural) {
        for (const n of [0, 1, 2, 3, 5, 11, 21, 22, 25, 101, 111]) {
          const k = pluralKey(l.code, key, n);
          if (!k.endsWith('#other')) expect(l.messages[k], `${l.code} ${k}`).toBeTruthy();
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

  it('has no empty texts and the same placeholders in every language', () => {
    const holes = (s: string) => (s.match(/\{\w+\}/g) ?? []).sort();
    for (const [k, v] of Object.entries(english().messages)) {
      expect(v, k).not.toBe('');
      for (const l of others) {
        const r = l.messages[k.split('#')[0]];
        expect(r, `${l.code} ${k}`).not.toBe('');
        expect(holes(r), `${l.code} ${k}`).toEqual(holes(v));
      }
    }
  });

  it('fills placeholders', () => {
    expect(translate('ru', 'templates.source', { source: 'GetCourse', target: 'CPA.House' })).toBe('Из GetCourse в CPA.House');
  });
});
