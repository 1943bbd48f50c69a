// UI text in English and Russian; the choice is remembered in localStorage.
import { useCallback } from 'react';
import { create } from 'zustand';
import en from './en.json';
import ru from './ru.json';

export type Lang = 'en' | 'ru';
export type MessageKey = keyof typeof en;

export const dictionaries: Record<Lang, Record<string, string>> = { en, ru };
export const LANG_KEY = 'hookflow.lang';

function storage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}

export function initialLang(): Lang {
  const saved = storage()?.getItem(LANG_KEY);
  if (saved === 'en' || saved === 'ru') return saved;
  if (typeof navigator !== 'undefined' && navigator.language?.toLowerCase().startsWith('ru')) return 'ru';
  return 'en';
}

const pluralRules: Record<Lang, Intl.PluralRules> = { en: new Intl.PluralRules('en'), ru: new Intl.PluralRules('ru') };

/** The plural form of a key for the number n: "key#one", "key#few", "key#many" (1 запуск,
 * 2 запуска, 5 запусков); the key itself serves the forms a language does not list. */
export function pluralKey(lang: Lang, key: string, n: number): string {
  return `${key}#${pluralRules[lang].select(n)}`;
}

/** Looks up a key and fills {name} placeholders; falls back to English, then to the key. A
 * numeric {count} or {n} picks the plural form where the dictionary has one. */
export function translate(lang: Lang, key: MessageKey, params: Record<string, string | number> = {}): string {
  const n = params.count ?? params.n;
  const plural = typeof n === 'number' ? dictionaries[lang][pluralKey(lang, key, n)] : undefined;
  const s = plural ?? dictionaries[lang][key] ?? dictionaries.en[key] ?? key;
  return s.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m));
}

interface LangState {
  lang: Lang;
  setLang(l: Lang): void;
}

export const useLang = create<LangState>()((set) => ({
  lang: initialLang(),
  setLang(lang) {
    storage()?.setItem(LANG_KEY, lang);
    set({ lang });
  },
}));

/** The translate function for the current language (re-renders on switch). */
export function useT() {
  const lang = useLang((s) => s.lang);
  // The same function while the language stays, so it can be a hook's dependency.
  return useCallback((key: MessageKey, params?: Record<string, string | number>) => translate(lang, key, params), [lang]);
}
