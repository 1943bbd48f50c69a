// The languages the editor speaks. A language is one catalog file, <code>.json: its own name
// ("lang.name", for the language menu), the locale its dates and numbers are written in
// ("lang.locale", for Intl) and its messages by key; and its line in `catalogs` below. The
// language type, the menus, dates, numbers and plural forms all come from this list.
import en from './en.json';
import ru from './ru.json';

/** Each language's catalog by its code, English first: it is every other language's fallback. */
const catalogs = { en, ru };

export type Lang = keyof typeof catalogs;
export type Catalog = Record<string, string>;

export interface Language {
  code: Lang;
  /** its name in itself: "Русский" */
  name: string;
  /** the BCP 47 locale its dates and numbers are written in: "ru-RU" */
  locale: string;
  messages: Catalog;
  plural: Intl.PluralRules;
}

/** A language made of its catalog. */
export function language(code: string, messages: Catalog): Language {
  const locale = messages['lang.locale'] || code;
  return { code: code as Lang, name: messages['lang.name'] || code, locale, messages, plural: new Intl.PluralRules(locale) };
}

/** The languages in menu order; English first. A test may add one and take it away. */
export const languages: Language[] = Object.entries(catalogs).map(([code, messages]) => language(code, messages));

/** English, the language of a key another language lacks. */
export function english(): Language {
  return languages[0];
}

/** The language of a code, English for one the editor does not speak. */
export function languageOf(code: string): Language {
  return languages.find((l) => l.code === code) ?? english();
}

/** The language the editor speaks for a browser's language tag ("ru", "ru-RU", "RU"), if any. */
export function spokenLanguage(tag: string | null | undefined): Lang | null {
  const base = (tag ?? '').trim().toLowerCase().split(/[-_]/)[0];
  return languages.find((l) => l.code === base)?.code ?? null;
}
