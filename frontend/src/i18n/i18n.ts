// UI text in English and Russian; the choice is remembered in localStorage.
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

/** Looks up a key and fills {name} placeholders; falls back to English, then to the key. */
export function translate(lang: Lang, key: MessageKey, params: Record<string, string | number> = {}): string {
  const s = dictionaries[lang][key] ?? dictionaries.en[key] ?? key;
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
  return (key: MessageKey, params?: Record<string, string | number>) => translate(lang, key, params);
}
