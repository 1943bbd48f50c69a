// Dates and times in the user's chosen language (not the browser's): "1 декабря 2026 г., 08:05"
// in Russian, "1 Dec 2026, 08:05" in English (each language's "lang.locale").
import { languageOf, type Lang } from './languages';

const cache = new Map<string, Intl.DateTimeFormat>();

function format(lang: Lang, kind: 'dateTime' | 'date' | 'time'): Intl.DateTimeFormat {
  const locale = languageOf(lang).locale;
  const key = `${locale}:${kind}`;
  let f = cache.get(key);
  if (!f) {
    const opts: Intl.DateTimeFormatOptions =
      kind === 'date' ? { dateStyle: 'medium' } : kind === 'time' ? { timeStyle: 'medium' } : { dateStyle: 'medium', timeStyle: 'short' };
    f = new Intl.DateTimeFormat(locale, opts);
    cache.set(key, f);
  }
  return f;
}

function parse(value: string | number | Date): Date | null {
  const d = value instanceof Date ? value : new Date(value);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** A moment with its date and time; an unreadable value is shown as it came. */
export function formatDateTime(value: string | number | Date, lang: Lang): string {
  const d = parse(value);
  return d ? format(lang, 'dateTime').format(d) : String(value);
}

/** Only the day. */
export function formatDate(value: string | number | Date, lang: Lang): string {
  const d = parse(value);
  return d ? format(lang, 'date').format(d) : String(value);
}

/** Only the time of day, with seconds (the live log). */
export function formatTime(value: string | number | Date, lang: Lang): string {
  const d = parse(value);
  return d ? format(lang, 'time').format(d) : String(value);
}
