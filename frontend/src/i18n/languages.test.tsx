// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import '../test/jsdom';
import { App } from '../App';
import { untilText } from '../journal/DelayNote';
import { formatDuration } from '../journal/journalModel';
import { formatDateTime } from './dates';
import en from './en.json';
import { initialLang, LANG_KEY, translate, useLang, type Lang } from './i18n';
import { language, languages, spokenLanguage } from './languages';

// Adding a language is its catalog file and its line in languages.ts: a throwaway language made
// here (Slovenian's locale, for its date words, its decimal comma and its plural rule with a
// "two"), with a catalog that lacks some keys, is offered by the language menu, writes dates,
// numbers and durations in its locale, counts by its own plural rule, and falls back to English
// (words and plural rule) for a key it lacks.
describe('a new language is a catalog and one line', () => {
  const xx = 'xx' as Lang;
  beforeEach(() => {
    const catalog: Record<string, string> = Object.fromEntries(Object.entries(en).map(([k, v]) => [k, `[xx] ${v}`]));
    catalog['lang.name'] = 'Xxish';
    catalog['lang.locale'] = 'sl-SI';
    delete catalog['journal.title'];
    delete catalog['live.count'];
    delete catalog['live.count#one'];
    Object.assign(catalog, { 'problems.node#one': '{count} xx-one', 'problems.node#two': '{count} xx-two', 'problems.node#few': '{count} xx-few', 'problems.node': '{count} xx-other' });
    languages.push(language('xx', catalog)); // the one line of a new language
  });
  afterEach(() => {
    cleanup();
    languages.splice(languages.findIndex((l) => l.code === xx), 1);
    useLang.setState({ lang: 'en' });
    localStorage.clear();
    vi.unstubAllGlobals();
  });

  it('is offered by the language menu, by its own name, and speaks once chosen', () => {
    vi.stubGlobal('fetch', () => new Promise(() => {})); // the session stays loading
    useLang.setState({ lang: 'en' });
    const { container } = render(<App />);
    const menu = within(container.querySelector('header')!).getByRole('combobox') as HTMLSelectElement;
    expect([...menu.options].map((o) => [o.value, o.textContent])).toEqual([['en', 'English'], ['ru', 'Русский'], ['xx', 'Xxish']]);
    fireEvent.change(menu, { target: { value: 'xx' } });
    expect(useLang.getState().lang).toBe('xx');
    expect(localStorage.getItem(LANG_KEY)).toBe('xx');
    expect(screen.getByText(/\[xx\] Language/)).toBeTruthy();
    expect(container.querySelector('.app')?.getAttribute('lang')).toBe('xx');
    expect(initialLang()).toBe('xx');
    expect(spokenLanguage('xx-YY')).toBe('xx');
  });

  it('writes dates, numbers and durations in its locale', () => {
    const at = new Date(2026, 11, 1, 8, 5, 9);
    expect(formatDateTime(at, xx)).toMatch(/^1\. dec\. 2026.*08:05$/);
    expect(formatDateTime(at, 'en')).toMatch(/1 Dec 2026/);
    expect(untilText(at.toISOString(), xx)).toBe('01. 12. 2026 08:05');
    expect(formatDuration(2400, xx)).toBe('[xx] 2,4 s');
    expect(formatDuration(850, xx)).toBe('[xx] 850 ms');
    expect(formatDuration(2400, 'en')).toBe('2.4 s');
  });

  it('counts by its own plural rule', () => {
    expect([1, 2, 3, 5, 101, 102].map((count) => translate(xx, 'problems.node', { count })))
      .toEqual(['1 xx-one', '2 xx-two', '3 xx-few', '5 xx-other', '101 xx-one', '102 xx-two']);
  });

  it('falls back to English, with its plural rule, for a key it lacks', () => {
    expect(translate(xx, 'journal.title')).toBe(en['journal.title']);
    expect(translate(xx, 'live.count', { n: 1 })).toBe('1 event');
    expect(translate(xx, 'live.count', { n: 2 })).toBe('2 events');
    expect(translate(xx, 'journal.empty')).toBe(`[xx] ${en['journal.empty']}`);
  });
});
