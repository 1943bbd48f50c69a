// UI text in the languages of languages.ts; the choice is remembered in localStorage.
import { useCallback } from 'react';
import { create } from 'zustand';
import type en from './en.json';
import { english, languageOf, languages, spokenLanguage, type Lang, type Language } from './languages';

export type { Lang } from './languages';
export type MessageKey = keyof typeof en;
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
  if (saved && languages.some((l) => l.code === saved)) return saved as Lang;
  return spokenLanguage(typeof navigator === 'undefined' ? '' : navigator.language) ?? english().code;
}

/** Whether the editor has words for key (in English, which has every key). */
export function hasMessage(key: string): key is MessageKey {
  return key in english().messages;
}

/** The plural form of a key for the number n: "key#one", "key#few", "key#many" (1 запуск,
 * 2 запуска, 5 запусков); the key itself serves the forms a language does not list. */
export function pluralKey(lang: Lang, key: string, n: number): string {
  return `${key}#${languageOf(lang).plural.select(n)}`;
}

/** A key's words in one language: the plural form for n by the language's own rule when the
 * catalog has it, the plain key otherwise. */
function wordsOf(l: Language, key: string, n: unknown): string | undefined {
  const plural = typeof n === 'number' ? l.messages[`${key}#${l.plural.select(n)}`] : undefined;
  return plural ?? l.messages[key];
}

/** Looks up a key and fills {name} placeholders; falls back to English (its words and its
 * plural rule), then to the key. A numeric {count} or {n} picks the plural form where the
 * catalog has one. */
export function translate(lang: Lang, key: MessageKey, params: Record<string, string | number> = {}): string {
  const n = params.count ?? params.n;
  const s = wordsOf(languageOf(lang), key, n) ?? wordsOf(english(), key, n) ?? key;
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
