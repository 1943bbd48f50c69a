// Numbers in the user's chosen language: "2.4" in English, "2,4" in Russian (each language's
// "lang.locale").
import { languageOf, type Lang } from './languages';

const cache = new Map<string, Intl.NumberFormat>();

/** A number with one digit after the decimal sign, rounded as toFixed(1) rounds: 2.4, "2,4". */
export function formatTenths(x: number, lang: Lang): string {
  const locale = languageOf(lang).locale;
  let f = cache.get(locale);
  if (!f) {
    f = new Intl.NumberFormat(locale, { minimumFractionDigits: 1, maximumFractionDigits: 1, useGrouping: false });
    cache.set(locale, f);
  }
  return f.format(Number(x.toFixed(1)));
}
